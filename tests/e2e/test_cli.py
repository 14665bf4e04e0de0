#!/usr/bin/env python3
"""End-to-end tests of the aimsgate binary (SPEC §1-§3): exit codes, the JSON
report, located errors, stdin, lint, test and rules.  Run from the repository
root: test_cli.py build/aimsgate"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join("tests", "e2e", "fixtures")


def run(*args, stdin=None, cwd=ROOT):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Check(unittest.TestCase):
    def test_json_report_matches_golden(self):
        code, out, err = run("check", "--rules", "fixtures/pack.yaml", "--format", "json", "fixtures/apps.yaml",
                             cwd=os.path.join(ROOT, "tests", "e2e"))
        self.assertEqual(code, 1, err)
        with open(os.path.join(ROOT, "tests", "e2e", "golden-apps.json")) as f:
            self.assertEqual(json.loads(out), json.load(f))

    def test_compliant_exits_zero(self):
        code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", f"{FIX}/good.yaml")
        self.assertEqual(code, 0, out + err)
        self.assertIn("1 resource in 1 file: 0 denied", out)

    def test_fail_on(self):
        args = ["check", "--rules", f"{FIX}/pack.yaml", f"{FIX}/apps.yaml"]
        self.assertEqual(run(*args, "--fail-on", "never")[0], 0)
        self.assertEqual(run(*args, "--fail-on", "deny")[0], 1)
        # With minReplicas=3, good.yaml (2 replicas) fails only the warn rule.
        self.assertEqual(run("check", "--rules", f"{FIX}/pack.yaml", "--param", "minReplicas=3",
                             "--fail-on", "warn", f"{FIX}/good.yaml")[0], 1)
        self.assertEqual(run("check", "--rules", f"{FIX}/pack.yaml", "--param", "minReplicas=3",
                             "--fail-on", "deny", f"{FIX}/good.yaml")[0], 0)

    def test_list_expansion_and_json_input(self):
        code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", "--format", "json", f"{FIX}/list.json")
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assertEqual(report["summary"]["resources"], 2)
        self.assertEqual(sorted({e["resource"]["name"] for e in report["resources"]}), ["a", "b"])

    def test_stdin_equals_file(self):
        with open(os.path.join(ROOT, FIX, "apps.yaml")) as f:
            data = f.read()
        code_stdin, out_stdin, _ = run("check", "--rules", f"{FIX}/pack.yaml", "--format", "json", "-", stdin=data)
        code_file, out_file, _ = run("check", "--rules", f"{FIX}/pack.yaml", "--format", "json", f"{FIX}/apps.yaml")
        self.assertEqual(code_stdin, code_file)
        a, b = json.loads(out_stdin), json.loads(out_file)
        for r in a["results"] + a["resources"]:
            self.assertEqual(r["resource"].pop("source"), "<stdin>")
        for r in b["results"] + b["resources"]:
            r["resource"].pop("source")
        self.assertEqual(a, b)

    def test_malformed_yaml_is_located_input_error(self):
        code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", f"{FIX}/malformed.yaml")
        self.assertEqual(code, 2)
        self.assertIn(f"{FIX}/malformed.yaml:5:20: error:", out + err)
        # stdout is a pipe here (CI redirects the report): the reason must be on stderr too.
        self.assertIn(f"{FIX}/malformed.yaml:5:20: error:", err)

    def test_document_without_kind_is_located_input_error(self):
        code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", "--format", "json", f"{FIX}/nokind.yaml")
        self.assertEqual(code, 2)
        report = json.loads(out)
        self.assertEqual(report["summary"]["resources"], 1)
        self.assertEqual(report["errors"][0]["line"], 5)
        self.assertIn("no kind", report["errors"][0]["message"])

    def test_broken_pack_is_located_and_exit_2(self):
        code, out, err = run("check", "--rules", f"{FIX}/broken-pack.yaml", f"{FIX}/good.yaml")
        self.assertEqual(code, 2)
        self.assertIn(f"{FIX}/broken-pack.yaml:10:18: error: assert: undeclared reference to 'objct'", err)
        self.assertIn(" | .................^", err)

    def test_missing_path_and_bad_flags(self):
        self.assertEqual(run("check", "/nonexistent/dir")[0], 2)
        self.assertEqual(run("check", "--format", "yaml", f"{FIX}/good.yaml")[0], 2)
        self.assertEqual(run("check", "--fail-on", "sometimes", f"{FIX}/good.yaml")[0], 2)
        self.assertEqual(run("check")[0], 2)
        code, _, err = run("check", "--rules", f"{FIX}/pack.yaml", "--param", "nosuch=1", f"{FIX}/good.yaml")
        self.assertEqual(code, 2)
        self.assertIn("unknown parameter 'nosuch'", err)

    def test_builtin_pack_is_the_default(self):
        a = run("check", "--format", "json", f"{FIX}/good.yaml")
        b = run("check", "--rules", "builtin:iso42001", "--format", "json", f"{FIX}/good.yaml")
        self.assertEqual(json.loads(a[1])["packs"][0]["name"], "iso42001")
        self.assertEqual(a[1], b[1])

    def test_report_to_file_and_several_formats(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", "--format", f"json={path}",
                                 "--format", "text", f"{FIX}/apps.yaml")
            self.assertEqual(code, 1)
            self.assertIn("DENY", out)
            with open(path) as f:
                self.assertEqual(json.load(f)["summary"]["denied"], 1)


class CheckEvidence(unittest.TestCase):
    """check --evidence: one record per resource, a chain that verifies and continues across runs,
    decisions that match the report, and no secret in any record (SPEC §7)."""
    EV = os.path.join(FIX, "evidence")

    def check(self, log, *extra):
        return run("check", "--rules", os.path.join(self.EV, "pack.yaml"), "--evidence", log, *extra,
                   os.path.join(self.EV, "objects.yaml"))

    def records(self, log):
        with open(log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_records_decisions_and_chain_across_runs(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "ev.jsonl")
            code, _, err = self.check(log)
            self.assertEqual(code, 1, err)
            code, _, err = self.check(log)
            self.assertEqual(code, 1, err)
            decisions = [(r["resource"]["kind"], r["decision"]) for r in self.records(log) if "decision" in r]
            self.assertEqual(decisions, [("Secret", "deny"), ("ConfigMap", "warn")] * 2)
            seqs = [r["seq"] for r in self.records(log)]
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
            code, out, err = run("evidence", "verify", log)
            self.assertEqual(code, 0, out + err)

    def test_secret_data_and_redacted_paths_never_recorded(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "ev.jsonl")
            code, out, err = self.check(log, "--evidence-redact", "metadata.annotations['example.com/api-key']")
            self.assertEqual(code, 1, err)
            self.assertIn("hunter2-plaintext", out)  # the report shows it: the message quotes it
            with open(log) as f:
                text = f.read()
            for secret in ("c3VwZXJzZWNyZXQ=", "supersecret", "hunter2-plaintext", "AKIA-EXAMPLE-KEY"):
                self.assertNotIn(secret, text)
            self.assertIn("***", text)
            self.assertIn("in settings", text)  # only the values are masked

    def test_truncated_signed_log_fails_verification(self):
        with tempfile.TemporaryDirectory() as d:
            keys = os.path.join(d, "keys")
            self.assertEqual(run("evidence", "keygen", "--out", keys)[0], 0)
            log = os.path.join(d, "ev.jsonl")
            code, _, err = self.check(log, "--evidence-key", os.path.join(keys, "evidence-signing.key"))
            self.assertEqual(code, 1, err)
            pub = os.path.join(keys, "evidence-signing.pub")
            self.assertEqual(run("evidence", "verify", "--pubkey", pub, log)[0], 0)
            head = os.path.join(d, "head.jsonl")
            with open(log) as f, open(head, "w") as h:
                h.write(f.readline() + f.readline())  # start + first record: its checkpoint was cut off
            code, out, err = run("evidence", "verify", "--pubkey", pub, head)
            self.assertEqual(code, 1, out + err)
            self.assertIn("no signed checkpoint", err)

    def test_malformed_redact_path_is_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            code, _, err = self.check(os.path.join(d, "ev.jsonl"), "--evidence-redact", "metadata[")
            self.assertEqual(code, 2)
            self.assertIn("--evidence-redact", err)


class Keygen(unittest.TestCase):
    def test_creates_the_directory_and_refuses_to_overwrite(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "new", "keys")
            code, _, err = run("evidence", "keygen", "--out", out)
            self.assertEqual(code, 0, err)
            self.assertTrue(os.path.exists(os.path.join(out, "evidence-signing.key")))
            code, _, err = run("evidence", "keygen", "--out", out)
            self.assertEqual(code, 2)
            self.assertIn("refusing to overwrite", err)


class Lint(unittest.TestCase):
    def test_errors_are_located(self):
        code, out, err = run("lint", f"{FIX}/broken-pack.yaml")
        self.assertEqual(code, 1)
        self.assertIn("broken-pack.yaml:10:18: error: assert: undeclared reference to 'objct'", err)
        self.assertIn("broken-pack.yaml:15:", err)
        self.assertIn("startsWith", err)
        self.assertIn("2 errors", err)

    def test_warnings_do_not_fail(self):
        code, out, err = run("lint", f"{FIX}/pack.yaml")
        self.assertEqual(code, 0, err)
        self.assertIn("rule 'replicas' has no remediation", err)

    def test_builtin_pack_lints_clean(self):
        code, out, err = run("lint", "rules/iso42001/pack.yaml")
        self.assertEqual(code, 0, err)
        self.assertIn("0 errors", err)

    def test_unreadable_pack(self):
        self.assertEqual(run("lint", "/nonexistent.yaml")[0], 2)


class Test(unittest.TestCase):
    def test_suite_passes(self):
        code, out, err = run("test", f"{FIX}/suite")
        self.assertEqual(code, 0, out + err)
        self.assertIn("4 passed, 0 failed", out)

    def test_mismatches_are_reported(self):
        code, out, err = run("test", f"{FIX}/suite-wrong")
        self.assertEqual(code, 1)
        self.assertIn("aimsgate-test.yaml:8: FAIL wrong-expectation  demo/owner  Deployment ml/bad: expected pass, got fail", out)
        self.assertIn("expected pass, got no result", out)
        self.assertIn("0 passed, 2 failed", out)

    def test_readme_example_pack_suite(self):
        code, out, err = run("test", "examples/packs/gpu-quota/tests")
        self.assertEqual(code, 0, out + err)
        self.assertIn("7 passed, 0 failed", out)
        code, out, err = run("lint", "examples/packs/gpu-quota/pack.yaml")
        self.assertEqual(code, 0, out + err)

    def test_vap_examples_suite_and_check(self):
        code, out, err = run("test", "examples/vap/tests")
        self.assertEqual(code, 0, out + err)
        self.assertIn("7 passed, 0 failed", out)
        code, out, err = run("check", "--rules", "examples/vap/policies", "--format", "json", "examples/vap/manifests")
        self.assertEqual(code, 1, err)
        report = json.loads(out)
        denied = sorted(r["resource"]["name"] for r in report["results"]
                        if r["result"] == "fail" and r["action"] == "deny")
        self.assertEqual(denied, ["ledger", "web"])
        self.assertEqual(report["summary"]["denied"], 2)

    def test_vap_directory_as_rules_and_input(self):
        # One directory as both --rules (policies, params, Namespaces) and input, as docs/vap.md shows.
        code, out, err = run("check", "--rules", "examples/vap/", "--format", "json", "examples/vap/")
        self.assertEqual(code, 1, err)
        report = json.loads(out)
        self.assertEqual(report["errors"], [])
        fails = sorted((r["resource"]["name"], r["rule"]) for r in report["results"] if r["result"] == "fail")
        # tests/update-request.yaml is an AdmissionReview: check evaluates its request (batch scaled to 4)
        self.assertEqual(fails, [
            ("batch", "replicalimit-policy.example.com/validation-0"),
            ("ledger", "require-owner-label@require-owner-label-enforce/validation-1"),
            ("ledger", "require-owner-label@require-owner-label-warn/validation-1"),
            ("shop", "require-owner-label@require-owner-label-warn/validation-0"),
            ("web", "replicalimit-policy.example.com/validation-0"),
        ])
        self.assertEqual(report["summary"]["denied"], 3)

    def test_vap_context_flag(self):
        # The replica-limit policy without its Namespaces and params: nothing applies; with --context, staging/web fails.
        with tempfile.TemporaryDirectory() as d:
            docs = open(os.path.join(ROOT, "examples/vap/policies/replica-limit.yaml")).read().split("\n---\n")
            policy = [x for x in docs if "kind: ValidatingAdmissionPolicy" in x]
            context = [x for x in docs if "kind: ValidatingAdmissionPolicy" not in x]
            self.assertEqual(len(policy), 2)
            open(os.path.join(d, "policy.yaml"), "w").write("\n---\n".join(policy))
            open(os.path.join(d, "context.yaml"), "w").write("\n---\n".join(context))
            args = ["check", "--rules", os.path.join(d, "policy.yaml"), "--format", "json", "examples/vap/manifests"]
            code, out, err = run(*args)
            self.assertEqual(code, 0, err)
            code, out, err = run(*args, "--context", os.path.join(d, "context.yaml"))
            self.assertEqual(code, 1, err)
            fails = [(r["resource"]["name"], r["rule"]) for r in json.loads(out)["results"] if r["result"] == "fail"]
            self.assertEqual(fails, [("web", "replicalimit-policy.example.com/validation-0")])

    def test_vap_audit_annotations_in_json_report(self):
        with tempfile.TemporaryDirectory() as d:
            policy = os.path.join(d, "annotate.yaml")
            with open(policy, "w") as f:
                f.write("""apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: p}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: ["*"], resources: [deployments]}]}
  auditAnnotations:
  - {key: replicas, valueExpression: "has(object.spec.replicas) ? 'replicas=' + string(object.spec.replicas) : null"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: b}
spec: {policyName: p, validationActions: [Audit]}
""")
            code, out, err = run("check", "--rules", policy, "--format", "json", "examples/vap/manifests")
            self.assertEqual(code, 0, err)
            got = {a["resource"]["name"]: a["annotations"] for a in json.loads(out)["auditAnnotations"]}
            self.assertEqual(got, {"web": {"p/replicas": "replicas=5"}, "api": {"p/replicas": "replicas=2"},
                                   "shop": {"p/replicas": "replicas=8"}})  # ledger sets no replicas: omitted

    def test_builtin_pack_suite(self):
        code, out, err = run("test", "rules/iso42001/tests")
        self.assertEqual(code, 0, out + err)


class Rules(unittest.TestCase):
    def test_list_show_controls(self):
        code, out, _ = run("rules", "list")
        self.assertEqual(code, 0)
        ids = [line.split("\t")[0] for line in out.splitlines()]
        for rule in ["system-registered", "owner-assigned", "risk-tier-declared", "unacceptable-risk-blocked",
                     "intended-purpose-declared", "model-card-attached", "incident-contact-declared",
                     "model-artifact-pinned", "supplier-declared", "impact-assessment-present",
                     "human-oversight-assigned", "validation-evidence", "monitoring-configured",
                     "data-provenance-documented"]:
            self.assertIn("iso42001/" + rule, ids)
        code, out, _ = run("rules", "show", "owner-assigned")
        self.assertEqual(code, 0)
        self.assertIn("A.3.2", out)
        self.assertEqual(run("rules", "show", "nope")[0], 2)
        code, out, _ = run("rules", "controls")
        self.assertEqual(code, 0)
        self.assertEqual(sum(1 for l in out.splitlines() if l.startswith("A.")), 38)
        self.assertIn("A.3.2\tAI roles and responsibilities\tiso42001/owner-assigned", out)

    def test_version(self):
        code, out, _ = run("version")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"builtin pack iso42001 \S+ sha256:[0-9a-f]{64}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
