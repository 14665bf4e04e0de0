#!/usr/bin/env python3
"""`aimsgate rules export --format vap` carries rule `variables` and rule-scoped parameters (issue 18
items 3 and 5): each rule's variables become the policy's `spec.variables` (same names, order kept,
`variables.x` references intact), `params.x` is inlined as the value the *rule* reads (its own
parameters over the pack's, a `--param PACK/RULE.KEY` override included), and the exported policies
give the same results as the pack.

  tests/export/variables_params.py build/aimsgate
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

BIN = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build/aimsgate")
HERE = os.path.dirname(os.path.abspath(__file__))
PACK = os.path.join(HERE, "testdata", "variables-params-pack.yaml")
OBJECTS = os.path.join(HERE, "testdata", "variables-params-objects.yaml")


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)


def export(*extra):
    """(policies by rule id, exported YAML path); the caller removes the directory."""
    d = tempfile.mkdtemp()
    out = os.path.join(d, "vap.yaml")
    p = run("rules", "export", "--format", "vap", PACK, "-o", out, *extra)
    assert p.returncode == 0, p.stderr
    docs = [doc for doc in yaml.safe_load_all(open(out)) if doc]
    policies = {doc["metadata"]["annotations"]["aimsgate.io/rule"]: doc
                for doc in docs if doc["kind"] == "ValidatingAdmissionPolicy"}
    return policies, out


def results(rules, *extra):
    p = run("check", "--format", "json", "--results", "all", "--rules", rules, *extra, OBJECTS)
    assert p.returncode in (0, 1), p.stderr
    # the pack's "vp/seccomp"; the exported policy's "aimsgate-vp-seccomp/validation-0"
    rule = lambda r: r.split("/")[1] if r.startswith("vp/") else r.split("/")[0][len("aimsgate-vp-"):]
    return {(r["resource"]["name"], rule(r["rule"])): r["result"] for r in json.loads(p.stdout)["results"]}


def expressions(policy):
    spec = policy["spec"]
    out = [v["expression"] for v in spec.get("variables", [])]
    for v in spec["validations"]:
        out.append(v["expression"])
        if "messageExpression" in v:
            out.append(v["messageExpression"])
    return out


class VariablesAndScopedParams(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.policies, cls.path = export()

    def test_every_rule_exported(self):
        self.assertEqual(sorted(self.policies), ["vp/apparmor", "vp/replicas", "vp/seccomp"])

    def test_rule_variables_become_policy_variables_in_order(self):
        seccomp = self.policies["vp/seccomp"]["spec"]
        self.assertEqual([v["name"] for v in seccomp["variables"]], ["profile", "allowed"])
        self.assertIn("seccompProfile.type", seccomp["variables"][0]["expression"])
        self.assertEqual(seccomp["validations"][0]["expression"], "variables.allowed")
        self.assertIn("variables.profile", seccomp["validations"][0]["messageExpression"])
        replicas = self.policies["vp/replicas"]["spec"]
        self.assertEqual([v["name"] for v in replicas["variables"]], ["replicas"])

    def test_rule_scoped_params_inlined_with_their_own_shape(self):
        for policy in self.policies.values():
            for e in expressions(policy):
                self.assertNotIn("params.", e)
                self.assertNotIn("pack-level-never-read", e)  # the pack's value is shadowed by the rule's
        allowed = self.policies["vp/seccomp"]["spec"]["variables"][1]["expression"]
        self.assertIn("RuntimeDefault", allowed)
        self.assertIn("Localhost", allowed)
        apparmor = " ".join(expressions(self.policies["vp/apparmor"]))
        self.assertIn("runtime/default", apparmor)
        self.assertNotIn("RuntimeDefault", apparmor)
        # a rule without parameters of its own reads the pack's
        self.assertIn("2", self.policies["vp/replicas"]["spec"]["validations"][0]["expression"])

    def test_same_results_as_the_pack(self):
        want = {("runtime-default", "seccomp"): "pass", ("unconfined", "seccomp"): "fail", ("localhost", "seccomp"): "pass",
                ("runtime-default", "apparmor"): "pass", ("unconfined", "apparmor"): "fail",
                ("localhost", "apparmor"): "fail", ("one", "replicas"): "fail", ("three", "replicas"): "pass"}
        self.assertEqual(results(PACK), want)
        exported = results(self.path)
        self.assertEqual({k: v for k, v in exported.items() if k in want}, want)

    def test_rule_param_override_is_exported(self):
        override = "vp/apparmor.allowedProfiles={extra: [localhost/custom]}"
        policies, path = export("--param", override)
        self.assertIn("localhost/custom", " ".join(expressions(policies["vp/apparmor"])))
        self.assertNotIn("localhost/custom", " ".join(expressions(policies["vp/seccomp"])))
        exported = results(path)
        self.assertEqual(exported[("localhost", "apparmor")], "pass")
        self.assertEqual(exported[("unconfined", "apparmor")], "fail")
        self.assertEqual(exported, results(PACK, "--param", override))


if __name__ == "__main__":
    unittest.main()
