#!/usr/bin/env python3
"""The pack author's toolkit, end to end (docs/rule-packs.md): `aimsgate test`
reports (text, JSON, JUnit), located suite errors, parameter merging and type
checks, AdmissionReview input to `check`.  Run from the repository root:
test_authoring.py build/aimsgate"""
import json
import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join("tests", "e2e", "fixtures", "authoring")


def run(*args, stdin=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)
    return p.returncode, p.stdout, p.stderr


class TestReports(unittest.TestCase):
    def test_text_lists_every_expectation_with_its_line(self):
        code, out, err = run("test", "-v", f"{FIX}/suites")
        self.assertEqual(code, 0, out + err)
        self.assertIn(f"{FIX}/suites/aimsgate-test.yaml:8: ok   defaults  authoring/fs-group  Pod apps/in-range = pass", out)
        self.assertIn("3 suites, 7 expectations\n7 passed, 0 failed, 0 errors", out)

    def test_json(self):
        code, out, err = run("test", "--format", "json", f"{FIX}/suites")
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assertEqual(report["summary"], {"suites": 3, "expectations": 7, "passed": 7, "failed": 0, "errors": 0})
        merged = report["suites"][1]
        self.assertEqual((merged["name"], merged["status"], merged["error"]), ("merged-ranges", "pass", None))
        self.assertEqual(merged["expectations"][0],
                         {"rule": "authoring/fs-group", "kind": "Pod", "namespace": "apps", "name": "in-range",
                          "expected": "fail", "actual": "fail", "ok": True, "line": 21})

    def test_load_failures_are_errors_and_other_suites_run(self):
        code, out, err = run("test", "--format", "json", f"{FIX}/broken")
        self.assertEqual(code, 2, out + err)
        report = json.loads(out)
        status = {s["name"]: s["status"] for s in report["suites"]}
        self.assertEqual(status, {"good-one": "pass", "unknown-rule": "error", "unknown-param": "error",
                                  "broken-pack-1": "error", "broken-pack-2": "error"})
        # 3 suites that did not load + 1 unknown rule; good-one's 2 and unknown-rule's first expectation ran
        self.assertEqual(report["summary"], {"suites": 5, "expectations": 4, "passed": 3, "failed": 0, "errors": 4})
        unknown = report["suites"][1]["expectations"][1]
        self.assertEqual((unknown["actual"], unknown["ok"]), ("unknown rule", False))

    def test_located_errors_printed_once(self):
        code, out, err = run("test", f"{FIX}/broken")
        self.assertEqual(code, 2)
        suite = f"{FIX}/broken/aimsgate-test.yaml"
        self.assertIn(f"{suite}:19:12: error: unknown rule 'authoring/no-such-rule'", err)
        self.assertIn(f"{suite}:28:5: error: unknown parameter 'nosuch': no loaded pack declares it", err)
        # the broken pack loads in two suites; its compile error is printed once
        self.assertEqual(err.count("broken-pack.yaml:7:"), 1, err)
        self.assertIn("5 suites, 4 expectations\n3 passed, 0 failed, 4 errors", out)

    def test_junit(self):
        code, out, err = run("test", "--format", "junit", f"{FIX}/broken")
        self.assertEqual(code, 2)
        root = ET.fromstring(out)
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites],
                         ["good-one", "unknown-rule", "unknown-param", "broken-pack-1", "broken-pack-2"])
        self.assertEqual(root.get("tests"), "7")
        self.assertEqual(root.get("errors"), "4")
        self.assertEqual(len(suites[0].findall("testcase")), 2)
        self.assertIsNotNone(suites[1].findall("testcase")[1].find("error"))
        self.assertIsNotNone(suites[3].find("testcase/error"))


class Params(unittest.TestCase):
    ARGS = ["check", "--rules", f"{FIX}/pack.yaml", "--format", "json", "--results", "all", f"{FIX}/pods.yaml"]

    def results(self, *extra):
        code, out, err = run(*self.ARGS, *extra)
        self.assertIn(code, (0, 1), err)
        return {(r["rule"], r["resource"]["name"]): r["result"] for r in json.loads(out)["results"]}

    def test_map_deep_merges_list_replaces(self):
        got = self.results("--param", "fsGroup={ranges: [{min: 4000, max: 6000}]}")
        # rule: MustRunAs kept from the default, so the ranges are checked
        self.assertEqual(got[("authoring/fs-group", "in-range")], "fail")
        self.assertEqual(got[("authoring/fs-group", "out-of-range")], "pass")
        got = self.results("--param", "fsGroup={rule: RunAsAny}")
        self.assertEqual(got[("authoring/fs-group", "in-range")], "pass")
        self.assertEqual(got[("authoring/fs-group", "out-of-range")], "pass")

    def test_types_checked_at_load(self):
        code, out, err = run(*self.ARGS, "--param", "tiers=high")
        self.assertEqual(code, 2)
        self.assertIn("--param tiers: expected a list, got a string", err)
        self.assertEqual(out, "")
        code, out, err = run(*self.ARGS, "--param", "fsGroup={rule: [MustRunAs]}")
        self.assertEqual(code, 2)
        self.assertIn("--param fsGroup.rule: expected a string, got a list", err)
        code, out, err = run(*self.ARGS, "--param", "tiers=[1]")
        self.assertEqual(code, 2)
        self.assertIn("--param tiers[0]: expected a string, got a number", err)

    def test_builtin_pack_param_type_is_a_usage_error(self):
        # issue 19 item 7: the flag named, no "error:" between, exit 2 before any resource is read
        code, out, err = run("check", "--param", "highRiskTiers=high", "examples/vllm-chat-assistant.yaml")
        self.assertEqual(code, 2, out + err)
        self.assertIn("--param highRiskTiers: expected a list, got a string\n", err)
        self.assertEqual(out, "")

    def test_suite_param_type_error_is_located(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            suite = os.path.join(d, "aimsgate-test.yaml")
            with open(suite, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePackTest\nmetadata: {name: wrong-type}\n"
                        "spec:\n  packs: [%s]\n  resources: [%s]\n  params:\n    tiers: high\n  results:\n"
                        "  - {rule: authoring/tier, kind: Pod, namespace: apps, name: in-range, result: pass}\n"
                        % (os.path.join(ROOT, FIX, "pack.yaml"), os.path.join(ROOT, FIX, "pods.yaml")))
            code, out, err = run("test", d)
            self.assertEqual(code, 2, out + err)
            self.assertIn(f"{suite}:8:5: error: parameter tiers: expected a list, got a string", err)


class AdmissionReviewInput(unittest.TestCase):
    def test_check_unwraps_the_request(self):
        code, out, err = run("check", "--rules", f"{FIX}/pack.yaml", "--format", "json", f"{FIX}/review.json")
        self.assertEqual(code, 1, err)
        results = json.loads(out)["results"]
        self.assertEqual({r["resource"]["name"] for r in results}, {"in-range"})
        denied = [r for r in results if r["rule"] == "authoring/no-delete-by-ci"][0]
        self.assertEqual(denied["result"], "fail")
        self.assertEqual(denied["message"], "ci-bot may not delete in-range")


if __name__ == "__main__":
    unittest.main()
