#!/usr/bin/env python3
"""`aimsgate rules bench` (issue 18 item 8), functionally: the JSON shape, per-rule selected/matched/failed
counts on a known pack and corpus, deterministic CEL cost units, and the baseline comparison with crafted
baselines that must pass and fail.  No assertion on how long anything takes.

  test_rules_bench.py build/aimsgate
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"

PACK = """apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: b, version: 1.0.0}
spec:
  rules:
  - id: pods-named
    controls: [A.6.2.4]
    match: {kinds: [v1/Pod]}
    assert: "object.metadata.name != ''"
  - id: pinned-images
    controls: [A.6.2.4]
    match: {kinds: [v1/Pod, apps/v1/Deployment]}
    assert: "k8s.containers(object).all(c, c.image.contains('@sha256:'))"
  - id: deploy-replicas
    controls: [A.6.2.4]
    match: {kinds: [apps/v1/Deployment], when: "has(object.spec.replicas)"}
    assert: "object.spec.replicas >= 2"
  - id: services
    controls: [A.6.2.4]
    match: {kinds: [v1/Service]}
    assert: "true"
"""


def deployment(name, replicas=None):
    r = "" if replicas is None else "  replicas: %d\n" % replicas
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: a}\nspec:\n%s"
            "  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n"
            "    spec: {containers: [{name: c, image: 'nginx:1'}, {name: d, image: 'r/x@sha256:%s'}]}\n"
            % (name, r, "a" * 64))


CORPUS = "---\n".join([
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: a}\nspec: {containers: [{name: c, image: 'r/x@sha256:%s'}]}\n" % ("b" * 64),
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p2, namespace: a}\nspec: {containers: [{name: c, image: nginx}]}\n",
    deployment("d1", 1), deployment("d2", 3), deployment("d3"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\ndata: {k: v}\n",
])


class RulesBench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        for name, text in [("pack.yaml", PACK), ("corpus.yaml", CORPUS)]:
            with open(os.path.join(cls.d, name), "w") as f:
                f.write(text)
        code, out, err = cls.run_bench("--iterations", "3", "--format", "json")
        assert code == 0, err
        cls.report = json.loads(out)
        cls.rules = {r["rule"]: r for r in cls.report["rules"]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def run_bench(cls, *args):
        p = subprocess.run([BIN, "rules", "bench", "--rules", "pack.yaml", *args, "corpus.yaml"],
                           capture_output=True, text=True, cwd=cls.d, timeout=300)
        return p.returncode, p.stdout, p.stderr

    def baseline(self, p50s):
        path = os.path.join(self.d, "baseline.json")
        with open(path, "w") as f:
            json.dump({"rules": [{"rule": r, "p50_ns": v} for r, v in p50s.items()]}, f)
        return path

    def test_json_shape(self):
        self.assertEqual(self.report["resources"], 6)
        self.assertEqual(self.report["iterations"], 3)
        self.assertEqual([r["rule"] for r in self.report["rules"]],
                         ["b/pods-named", "b/pinned-images", "b/deploy-replicas", "b/services"])  # pack order
        for r in self.report["rules"]:
            self.assertEqual(set(r), {"rule", "selected", "matched", "failed", "evaluations", "p50_ns", "p95_ns",
                                      "p99_ns", "cost_units", "share"})
        self.assertAlmostEqual(sum(r["share"] for r in self.report["rules"]), 1.0, places=2)
        self.assertEqual(self.report["total_ns"] > 0, True)

    def test_counts(self):
        got = {r: (v["selected"], v["matched"], v["failed"], v["evaluations"]) for r, v in self.rules.items()}
        self.assertEqual(got, {
            "b/pods-named": (2, 2, 0, 6),        # 2 pods x 3 passes
            "b/pinned-images": (5, 5, 4, 15),    # p2 and every Deployment run an unpinned image
            "b/deploy-replicas": (3, 2, 1, 9),   # d3 has no replicas: selected, skipped by when
            "b/services": (0, 0, 0, 0),          # no Service: no figures
        })
        s = self.rules["b/services"]
        self.assertEqual((s["p50_ns"], s["cost_units"], s["share"]), (0, 0, 0))
        for rule in ("b/pods-named", "b/pinned-images", "b/deploy-replicas"):
            r = self.rules[rule]
            self.assertTrue(0 < r["p50_ns"] <= r["p95_ns"] <= r["p99_ns"], r)

    def test_cost_units_are_the_cel_budget_units(self):
        # Deterministic: the same expressions on the same objects spend the same units whatever the clock.
        code, out, _ = self.run_bench("--iterations", "1", "--format", "json")
        again = {r["rule"]: r["cost_units"] for r in json.loads(out)["rules"]}
        self.assertEqual(again, {r: v["cost_units"] for r, v in self.rules.items()})
        self.assertGreater(self.rules["b/pods-named"]["cost_units"], 0)
        # iterating containers and rendering failure messages costs more than one comparison
        self.assertGreater(self.rules["b/pinned-images"]["cost_units"], self.rules["b/pods-named"]["cost_units"])

    def test_text_table(self):
        code, out, err = self.run_bench("--iterations", "2")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines[0].split()[:3] == ["RULE", "MATCHED", "EVALS"], lines[0])
        row = next(l for l in lines if l.startswith("b/deploy-replicas")).split()
        self.assertEqual(row[1:3], ["2/3", "6"])
        services = next(l for l in lines if l.startswith("b/services")).split()
        self.assertEqual(services[1:4], ["0/0", "0", "-"])
        self.assertIn("4 rules over 6 resources, 2 passes", out)

    def test_duration_runs_at_least_one_pass(self):
        code, out, err = self.run_bench("--duration", "20ms", "--format", "json")
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assertEqual(report["duration_ns"], 20_000_000)
        for r in report["rules"]:
            self.assertEqual(r["evaluations"] % max(r["selected"], 1), 0)
            self.assertGreaterEqual(r["evaluations"], r["selected"])

    def test_baseline_far_slower_passes(self):
        base = self.baseline({r: 10 ** 12 for r in self.rules})  # every rule 1000 s at p50 before: all faster now
        code, out, err = self.run_bench("--iterations", "2", "--baseline", base, "--max-regression", "20%",
                                        "--format", "json")
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assertEqual(report["baseline"]["regressed"], [])
        self.assertEqual(report["baseline"]["max_regression"], 0.2)
        compared = {r["rule"]: r for r in report["rules"] if "baseline_p50_ns" in r}
        self.assertEqual(set(compared), {"b/pods-named", "b/pinned-images", "b/deploy-replicas"})  # services: no figures
        self.assertTrue(all(r["change"] < 0 and not r["regressed"] for r in compared.values()))

    def test_baseline_regression_exits_1_naming_the_rule(self):
        # deploy-replicas took 1 ns at p50 in the crafted baseline: any real evaluation is over +20%.
        base = self.baseline({"b/pods-named": 10 ** 12, "b/deploy-replicas": 1, "b/gone": 1})
        code, out, err = self.run_bench("--iterations", "2", "--baseline", base, "--max-regression", "20%")
        self.assertEqual(code, 1, out + err)
        self.assertIn("regression: b/deploy-replicas p50 ", err)
        self.assertIn("allowed 20%)", err)
        self.assertNotIn("b/pods-named", err)
        self.assertNotIn("b/gone", err)  # a rule that no longer exists is not compared
        self.assertIn("1 rules slower than the baseline by more than 20% (p50)", out)
        self.assertIn("REGRESSED", next(l for l in out.splitlines() if l.startswith("b/deploy-replicas")))
        code, out, err = self.run_bench("--iterations", "2", "--baseline", base, "--format", "json")
        self.assertEqual(code, 1)
        self.assertEqual(json.loads(out)["baseline"]["regressed"], ["b/deploy-replicas"])  # default 20%

    def test_admission_reviews_are_read_as_their_object(self):
        # A captured AdmissionReview is timed on request.object (oldObject for a DELETE), as
        # check and serve read it: the Pod rules select it, not the review document itself.
        def review(op, field, obj):
            return json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                               "request": {"uid": "u1", "operation": op, field: obj}})
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p3", "namespace": "a"},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
        path = os.path.join(self.d, "reviews.json")
        with open(path, "w") as f:
            f.write(review("CREATE", "object", pod) + "\n" + review("DELETE", "oldObject", pod))
        p = subprocess.run([BIN, "rules", "bench", "--rules", "pack.yaml", "--iterations", "1", "--format", "json",
                            "reviews.json"], capture_output=True, text=True, cwd=self.d, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {r["rule"]: (r["selected"], r["matched"], r["failed"]) for r in json.loads(p.stdout)["rules"]}
        self.assertEqual(got["b/pods-named"], (2, 2, 0))
        self.assertEqual(got["b/pinned-images"], (2, 2, 2))
        # A review with nothing to evaluate is an input error with its location.
        with open(path, "w") as f:
            f.write(review("CREATE", "oldObject", pod))
        p = subprocess.run([BIN, "rules", "bench", "--rules", "pack.yaml", "reviews.json"], capture_output=True,
                           text=True, cwd=self.d, timeout=300)
        self.assertEqual(p.returncode, 2)
        self.assertIn("reviews.json:1:1: error: AdmissionReview:", p.stderr)

    def test_usage_and_input_errors_exit_2(self):
        bad = os.path.join(self.d, "bad.json")
        with open(bad, "w") as f:
            f.write('{"rules": [\n  {"rule": "x", "p50_ns": 1},\n]}')
        code, _, err = self.run_bench("--baseline", bad)
        self.assertEqual(code, 2)
        self.assertIn("bad.json:3:1: error:", err)
        code, _, err = self.run_bench("--baseline", os.path.join(self.d, "missing.json"))
        self.assertEqual((code, "cannot read the baseline" in err), (2, True))
        code, _, err = self.run_bench("--iterations", "2", "--duration", "1s")
        self.assertEqual(code, 2)
        code, _, err = self.run_bench("--duration", "soon")
        self.assertEqual(code, 2)
        self.assertIn("--duration: expected a time per rule", err)
        code, _, err = self.run_bench("--baseline", self.baseline({}), "--max-regression", "lots")
        self.assertEqual(code, 2)
        self.assertIn("--max-regression: expected a percentage", err)
        p = subprocess.run([BIN, "rules", "bench", "--rules", "pack.yaml", "nothing-here.yaml"], capture_output=True,
                           text=True, cwd=self.d)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
