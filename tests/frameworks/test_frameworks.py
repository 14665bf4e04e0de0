#!/usr/bin/env python3
"""The frameworks model end to end (docs/frameworks.md): catalogues, per-framework
controls of rules, `rules controls --framework`, and agreement between
docs/iso42001.md and what `rules controls` prints.  Run from the repository root:
test_frameworks.py build/aimsgate"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args, cwd=ROOT):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


def controls_table(out):
    """`rules controls` output -> {control: (title, [rules] or the reason text)}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows[parts[0]] = (parts[1], parts[2])
    return rows


def catalogue(fid):
    with open(os.path.join(ROOT, "rules", "frameworks", fid + ".yaml")) as f:
        return yaml.safe_load(f)["spec"]["controls"]


class Catalogues(unittest.TestCase):
    def test_sizes_and_ids(self):
        iso = catalogue("iso42001")
        self.assertEqual(len([c for c in iso if c["id"].startswith("A.")]), 38)
        eu_ids = {c["id"] for c in catalogue("eu-ai-act")}
        for art in ["Art. 9", "Art. 12", "Art. 13", "Art. 14", "Art. 15", "Art. 26(6)", "Art. 26(7)", "Art. 27",
                    "Art. 47", "Art. 48", "Art. 49", "Art. 50(1)", "Art. 50(2)", "Art. 50(4)", "Art. 53", "Art. 55",
                    "Art. 72", "Art. 73"]:
            self.assertIn(art, eu_ids)
        nist = catalogue("nist-ai-rmf")
        self.assertEqual(len(nist), 72)  # GOVERN 19, MAP 18, MEASURE 22, MANAGE 13
        for fn, n in [("GOVERN", 19), ("MAP", 18), ("MEASURE", 22), ("MANAGE", 13)]:
            self.assertEqual(len([c for c in nist if c["id"].startswith(fn + " ")]), n, fn)

    def test_every_control_has_title_summary_and_check(self):
        for fid in ["iso42001", "eu-ai-act", "nist-ai-rmf"]:
            ids = set()
            for c in catalogue(fid):
                self.assertLessEqual(set(c), {"id", "group", "title", "check", "appliesFrom", "summary", "why"}, c)
                self.assertTrue(c.get("title") and c.get("summary"), c)
                self.assertIn(c["check"], ["rule", "partial", "organisational"], c)
                self.assertNotIn(c["id"], ids, "duplicate id")
                ids.add(c["id"])
                if fid == "eu-ai-act":
                    self.assertRegex(c["appliesFrom"], r"^\d{4}-\d{2}-\d{2}$")


class RulesControls(unittest.TestCase):
    def test_builtin_packs_are_embedded(self):
        code, out, err = run("version")
        self.assertIn("builtin pack iso42001", out)
        self.assertIn("builtin pack eu-ai-act", out)

    def test_eu_ai_act_lists_the_articles_with_rules(self):
        code, out, err = run("rules", "controls", "--framework", "eu-ai-act", "--rules", "builtin:iso42001")
        self.assertEqual(code, 0, err)
        rows = controls_table(out)
        self.assertEqual(set(rows), {c["id"] for c in catalogue("eu-ai-act")})
        self.assertIn("iso42001/human-oversight-assigned", rows["Art. 14"][1])
        self.assertTrue(rows["Art. 17"][1].startswith("organisational: "))
        self.assertRegex(out, r"\n\d+ of 32 EU AI Act \(Regulation \(EU\) 2024/1689\) controls checked")

    def test_unknown_framework_is_a_usage_error(self):
        code, out, err = run("rules", "controls", "--framework", "soc2")
        self.assertEqual(code, 2)
        self.assertIn("unknown framework 'soc2' (expected one of: iso42001, eu-ai-act, nist-ai-rmf)", err)

    def test_every_iso_rule_maps_to_nist_and_most_to_the_ai_act(self):
        with open(os.path.join(ROOT, "rules", "iso42001", "pack.yaml")) as f:
            pack = yaml.safe_load(f)
        for r in pack["spec"]["rules"]:
            self.assertIsInstance(r["controls"], dict, r["id"])
            self.assertTrue(r["controls"].get("iso42001"), r["id"])
            self.assertTrue(r["controls"].get("nist-ai-rmf"), r["id"] + " has no NIST AI RMF mapping")

    def test_mappings_cite_only_catalogued_controls(self):
        code, out, err = run("lint", "rules/iso42001/pack.yaml", "rules/eu-ai-act/pack.yaml")
        self.assertEqual(code, 0, err)
        self.assertNotIn("catalogue does not hold", err)

    def test_docs_iso42001_agrees_with_rules_controls(self):
        code, out, err = run("rules", "controls")
        self.assertEqual(code, 0, err)
        rows = controls_table(out)
        with open(os.path.join(ROOT, "docs", "iso42001.md")) as f:
            doc = f.read()
        seen = 0
        for m in re.finditer(r"^\| (A\.[0-9.]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", doc, re.M):
            cid, _title, check, why = (g.strip() for g in m.groups())
            seen += 1
            printed = rows[cid][1]
            documented = set(re.findall(r"`([a-z0-9-]+)`", why))
            if check == "organisational":
                self.assertTrue(printed.startswith("organisational"), f"{cid}: docs say organisational, rules controls: {printed}")
                continue
            listed = {r.split("/", 1)[1] for r in printed.split(", ")} if printed.startswith("iso42001/") else set()
            self.assertEqual(listed, documented & documented_rule_ids(),
                             f"{cid}: rules controls lists {sorted(listed)}, docs/iso42001.md {sorted(documented)}")
        self.assertEqual(seen, 38)

    def test_plain_list_means_iso_and_unknown_framework_is_located(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "pack.yaml")
            with open(p, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: t}\nspec:\n  rules:\n"
                        "  - id: a\n    controls: [A.3.2]\n    assert: 'true'\n    remediation: x\n"
                        "  - id: b\n    controls: {nist-ai-rmf: [GOVERN 2.1], soc2: [CC1.1]}\n    assert: 'true'\n")
            code, out, err = run("lint", p)
            self.assertEqual(code, 1)
            self.assertIn(f"{p}:11:43: error: unknown framework 'soc2' in controls", err)
            with open(p, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: t}\nspec:\n  rules:\n"
                        "  - id: a\n    controls: [A.3.2]\n    assert: 'true'\n    remediation: x\n"
                        "  - id: b\n    controls: {nist-ai-rmf: [GOVERN 2.1], iso42001: [A.3.2]}\n    assert: 'true'\n"
                        "    remediation: x\n    appliesFrom: '2027-13-01'\n")
            code, out, err = run("lint", p)
            self.assertIn(f"{p}:14:18: error: invalid appliesFrom '2027-13-01'", err)
            code, out, err = run("rules", "controls", "--rules", p, "--framework", "nist-ai-rmf")
            self.assertEqual(code, 2)  # the bad date is a load error
            with open(p, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: t}\nspec:\n  rules:\n"
                        "  - id: a\n    controls: [A.3.2]\n    assert: 'true'\n    remediation: x\n"
                        "  - id: b\n    controls: {nist-ai-rmf: [GOVERN 2.1], iso42001: [A.3.2]}\n    assert: 'true'\n")
            code, out, err = run("rules", "controls", "--rules", p)
            self.assertEqual(code, 0, err)
            self.assertEqual(controls_table(out)["A.3.2"][1], "t/a, t/b")
            code, out, err = run("rules", "controls", "--rules", p, "--framework", "nist-ai-rmf")
            self.assertEqual(controls_table(out)["GOVERN 2.1"][1], "t/b")

SCORE_PACK = """apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: s}
spec:
  rules:
  - id: owner
    controls: {iso42001: [A.3.2], nist-ai-rmf: [GOVERN 2.1]}
    assert: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
    remediation: x
  - id: purpose
    controls: {iso42001: [A.3.2, A.9.4]}
    action: warn
    assert: "has(object.metadata.labels) && 'purpose' in object.metadata.labels"
    remediation: x
  - id: jobs-only
    controls: {eu-ai-act: ["Art. 14"]}
    match: {kinds: [Job]}
    assert: "false"
    remediation: x
  - id: broken
    controls: {nist-ai-rmf: [MAP 1.1]}
    assert: "object.metadata.nosuchfield == 'x'"
    remediation: x
"""
SCORE_INPUT = """apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: team, labels: {owner: o, purpose: p}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: team, labels: {owner: o}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: d, namespace: team, labels: {purpose: p}}
"""
SCORE_WAIVER = """apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {name: w}
spec:
  rules: ["s/owner"]
  match: {namespaces: ["team"], names: ["d"]}
  justification: "d's owner is being appointed; accepted until the end of the quarter"
  approvedBy: "ciso@example.com"
  expires: "2027-06-01T00:00:00Z"
"""


class Scores(unittest.TestCase):
    """Control score = passed / evaluated resources (waived = passed, error = failed);
    framework score = mean over controls with an evaluated resource."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        for name, text in [("pack.yaml", SCORE_PACK), ("in.yaml", SCORE_INPUT), ("waiver.yaml", SCORE_WAIVER)]:
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        self.d = d

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, *extra):
        return run("check", "--rules", "pack.yaml", "--waivers", "waiver.yaml", "--now", "2026-12-01T00:00:00Z",
                   "in.yaml", *extra, cwd=self.d)

    def test_json_summary_frameworks(self):
        code, out, err = self.check("--format", "json")
        self.assertEqual(code, 1, err)
        fw = {f["id"]: f for f in json.loads(out)["summary"]["frameworks"]}
        self.assertEqual(list(fw), ["iso42001", "eu-ai-act", "nist-ai-rmf"])  # catalogue order
        iso = {c["id"]: c for c in fw["iso42001"]["controls"]}
        # A.3.2: a passes both rules, b and c fail one, d's owner failure is waived -> 2 of 4.
        self.assertEqual((iso["A.3.2"]["passed"], iso["A.3.2"]["failed"], iso["A.3.2"]["score"]), (2, 2, 0.5))
        self.assertEqual(iso["A.3.2"]["title"], "AI roles and responsibilities")
        self.assertEqual((iso["A.9.4"]["passed"], iso["A.9.4"]["failed"]), (2, 2))
        self.assertEqual(fw["iso42001"]["score"], 0.5)
        self.assertEqual(fw["iso42001"]["title"], "ISO/IEC 42001:2023")
        nist = {c["id"]: c for c in fw["nist-ai-rmf"]["controls"]}
        self.assertEqual((nist["GOVERN 2.1"]["passed"], nist["GOVERN 2.1"]["failed"]), (3, 1))  # waived counts as passed
        self.assertEqual((nist["MAP 1.1"]["passed"], nist["MAP 1.1"]["failed"]), (0, 4))  # errors count as failed
        self.assertEqual(fw["nist-ai-rmf"]["score"], (0.75 + 0.0) / 2)
        # Art. 14's rule matches no resource: the control is listed, unscored, and the framework has no score.
        self.assertEqual(fw["eu-ai-act"]["controls"], [
            {"id": "Art. 14", "title": "Human oversight", "passed": 0, "failed": 0, "score": None}])
        self.assertIsNone(fw["eu-ai-act"]["score"])

    def test_text_summary_one_line_per_framework(self):
        code, out, err = self.check()
        lines = out.splitlines()
        self.assertIn("ISO/IEC 42001:2023: 50.0% over 2 of 2 mapped controls evaluated, 0 fully passing", lines)
        self.assertIn("NIST AI RMF 1.0: 37.5% over 2 of 2 mapped controls evaluated, 0 fully passing", lines)
        self.assertIn("EU AI Act (Regulation (EU) 2024/1689): n/a over 0 of 1 mapped controls evaluated, 0 fully passing", lines)

    def test_framework_flag_limits_rules_and_scores(self):
        code, out, err = self.check("--format", "json", "--framework", "nist-ai-rmf")
        report = json.loads(out)
        self.assertEqual([f["id"] for f in report["summary"]["frameworks"]], ["nist-ai-rmf"])
        self.assertEqual({r["rule"] for r in report["results"]}, {"s/owner", "s/broken"})
        code, out, err = self.check("--framework", "soc2")
        self.assertEqual(code, 2)
        self.assertIn("unknown framework 'soc2'", err)
        code, out, err = run("check", "--rules", "builtin:eu-ai-act", "--framework", "iso42001", "in.yaml", cwd=self.d)
        self.assertEqual(code, 0, err)  # every eu-ai-act rule also maps to ISO
        code, out, err = run("check", "--rules", "pack.yaml", "--framework", "eu-ai-act", "in.yaml", cwd=self.d)
        self.assertEqual(code, 0, err)

    def test_not_yet_applicable_rules_skip_with_the_reason(self):
        args = ["check", "--rules", "builtin:eu-ai-act", "--format", "json", "--results", "all",
                "rules/eu-ai-act/tests/resources/workloads.yaml"]
        code, out, err = run(*args, "--now", "2026-09-01T00:00:00Z")
        res = [r for r in json.loads(out)["results"]
               if r["rule"] == "eu-ai-act/eu-database-registered" and r["resource"]["name"] == "bad-provider"]
        self.assertEqual(res[0]["result"], "skip")
        self.assertEqual(res[0]["message"], "not yet applicable: applies from 2027-12-02")
        code, out, err = run(*args, "--now", "2028-01-01T00:00:00Z")
        res = [r for r in json.loads(out)["results"]
               if r["rule"] == "eu-ai-act/eu-database-registered" and r["resource"]["name"] == "bad-provider"]
        self.assertEqual(res[0]["result"], "fail")


class GeneralPurposeModels(unittest.TestCase):
    """Art. 51, 53 and 55 from the model metadata (--model-card `gpai:`, --bom aimsgate:gpai:* properties)."""
    GPAI_RULES = {"gpai-technical-documentation", "gpai-downstream-information", "gpai-copyright-policy",
                  "gpai-training-data-summary", "gpai-training-compute-declared", "systemic-risk-evaluation",
                  "systemic-risk-incident-reporting", "systemic-risk-cybersecurity"}
    T = "rules/eu-ai-act/tests/"

    def results(self, *model):
        code, out, err = run("check", "--rules", "builtin:eu-ai-act", "--format", "json", "--results", "all",
                             "--now", "2026-01-01T00:00:00Z", *model, self.T + "resources/gpai-from-model.yaml")
        self.assertIn(code, (0, 1), err)
        report = json.loads(out)
        got = {}
        for r in report["results"]:
            rule = r["rule"].split("/")[1]
            if rule in self.GPAI_RULES and r["resource"]["name"] == "frontier-serving":
                got[rule] = (r["result"], r.get("message", ""))
        return got, {f["id"]: f for f in report["summary"]["frameworks"]}

    def test_documented_model_card_passes_every_obligation(self):
        got, fw = self.results("--model-card", self.T + "model/gpai-card-documented.md")
        self.assertEqual({rule: res for rule, (res, _) in got.items()}, {rule: "pass" for rule in self.GPAI_RULES})
        art = {c["id"]: c for c in fw["eu-ai-act"]["controls"]}
        self.assertEqual(art["Art. 55"]["failed"], 0)
        self.assertGreater(art["Art. 55"]["passed"], 0)  # 2.5e25 FLOP: systemic risk, and evidenced

    def test_bom_missing_references_fail_naming_the_field(self):
        got, fw = self.results("--bom", self.T + "model/gpai-bom.json")
        failed = {rule for rule, (res, _) in got.items() if res == "fail"}
        self.assertEqual(failed, {"gpai-downstream-information", "systemic-risk-incident-reporting",
                                  "systemic-risk-cybersecurity"})
        self.assertIn("nor gpai.downstreamInformation in the model metadata", got["gpai-downstream-information"][1])
        self.assertIn("(4.1e+25 FLOP)", got["systemic-risk-cybersecurity"][1])
        art = {c["id"]: c for c in fw["eu-ai-act"]["controls"]}
        self.assertGreater(art["Art. 53"]["failed"], 0)

    def test_without_model_metadata_no_obligation_applies(self):
        got, _ = self.results()
        self.assertEqual({res for res, _ in got.values()}, {"skip"})


class StatementOfApplicability(unittest.TestCase):
    def test_iso_with_applicability_and_evidence(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "ev.jsonl")
            code, out, err = run("check", "--now", "2026-11-01T00:00:00Z", "--evidence", log, "examples/")
            self.assertIn(code, (0, 1), err)
            code, out, err = run("soa", "--applicability", "examples/applicability.yaml", "--evidence", log,
                                 "--format", "csv")
            self.assertEqual(code, 0, err)
            rows = {r[0]: r for r in csv.reader(io.StringIO(out))}
            self.assertEqual(len(rows), 1 + 42)
            self.assertEqual(rows["A.10.4"][2:4], ["no", rows["A.10.4"][3]])
            self.assertTrue(rows["A.10.4"][3].startswith("Example Corp supplies no AI systems"))
            self.assertEqual(rows["A.10.4"][9], "excluded")
            self.assertEqual(rows["A.2.2"][4], "organisational: AI policy POL-AI-001 v3, approved by the board on 2026-03-12.")
            # owner-assigned fails on some examples (chat-assistant): findings, with counts from the log.
            a32 = rows["A.3.2"]
            self.assertIn("iso42001/owner-assigned", a32[4])
            self.assertGreater(int(a32[5]), 0)
            self.assertGreater(int(a32[7]), 0)
            self.assertEqual(a32[9], "findings")
            self.assertRegex(a32[8], r"^\d{4}-\d{2}-\d{2}T")
            # The same counts as the check report itself gives for the rules of A.3.2.
            code, out, err = run("check", "--now", "2026-11-01T00:00:00Z", "--format", "json", "--results", "all", "examples/")
            results = [r for r in json.loads(out)["results"] if "A.3.2" in r["controls"] and r["result"] != "skip"]
            self.assertEqual(int(a32[6]), len([r for r in results if r["result"] in ("pass", "waived")]))
            self.assertEqual(int(a32[7]), len([r for r in results if r["result"] in ("fail", "error")]))

    def test_all_three_frameworks_render(self):
        for fid, n in [("iso42001", 42), ("eu-ai-act", 32), ("nist-ai-rmf", 72)]:
            code, out, err = run("soa", "--framework", fid)
            self.assertEqual(code, 0, err)
            self.assertEqual(len([l for l in out.splitlines() if l.startswith("| ") and not l.startswith("| control")]), n)
            code, out, err = run("soa", "--framework", fid, "--format", "html")
            self.assertEqual(out.count("<tr data-control="), n)
        code, out, err = run("soa", "--framework", "eu-ai-act", "--applicability", "examples/applicability-eu-ai-act.yaml")
        self.assertEqual(code, 0, err)
        self.assertIn("| Art. 53 | Obligations of providers of general-purpose AI models | no | No general-purpose model", out)
        self.assertIn("| Art. 50(2) | Marking of synthetic content | yes |  | eu-ai-act/content-marking-declared |", out)

    def test_bad_applicability_is_located(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.yaml")
            with open(p, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: Applicability\nmetadata: {name: x}\nspec:\n"
                        "  framework: iso42001\n  controls:\n  - {id: A.10.4, applicable: false}\n"
                        "  - {id: A.99, applicable: true}\n  - {id: A.2.2, aplicable: false}\n")
            code, out, err = run("soa", "--applicability", p)
            self.assertEqual(code, 2)
            self.assertIn(f"{p}:7:5: error: control 'A.10.4' is excluded without a justification", err)
            self.assertIn(f"{p}:8:10: error: unknown iso42001 control 'A.99'", err)
            self.assertIn(f"{p}:9:17: error: unknown field 'aplicable' in controls entry", err)
            code, out, err = run("soa", "--framework", "nist-ai-rmf", "--applicability", "examples/applicability.yaml")
            self.assertEqual(code, 2)
            self.assertIn("applicability is for framework 'iso42001', not 'nist-ai-rmf'", err)


def documented_rule_ids():
    with open(os.path.join(ROOT, "rules", "iso42001", "pack.yaml")) as f:
        return {r["id"] for r in yaml.safe_load(f)["spec"]["rules"]}


if __name__ == "__main__":
    unittest.main(verbosity=2)
