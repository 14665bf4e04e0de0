#!/usr/bin/env python3
"""Issue 14 item 5, evidence sized for years of audits: a record lists the fail, error, waived and
pass results and counts its skips ("skipped": N); a resource no rule applies to gets a minimal record
(no packs, no results), none with `check --evidence-skip-unmatched`.  A log written before
(fixtures/evidence-sized/before-item5.jsonl: the same two audits, by the previous format, which listed
every skip) still verifies, and `evidence report` gives it the same totals as the new log.

  test_evidence_sized.py build/aimsgate
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = "tests/e2e/fixtures/evidence-sized"  # relative: records name their source file
OLD_LOG = os.path.join(ROOT, FIX, "before-item5.jsonl")


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return p.returncode, p.stdout, p.stderr


def audit(log, *extra):
    """The two audits the old fixture holds: hours 00:00 and 01:00 of 2026-12-01."""
    for hour in ("00", "01"):
        code, _, err = run("check", "--rules", f"{FIX}/pack.yaml", "--waivers", f"{FIX}/waivers.yaml",
                           "--now", f"2026-12-01T{hour}:00:00Z", "--format", "json", "--output", os.devnull,
                           "--evidence", log, *extra, f"{FIX}/objects.yaml")
        assert code == 1, err  # the Deployments are denied on purpose


def decisions(log):
    with open(log) as f:
        return [r for r in map(json.loads, f) if r.get("type") == "decision"]


def metrics(html):
    """Every number of the HTML report an auditor reads as a total: summary tiles, namespace and
    system rows (data-metric / data-namespace / data-system with their data-k cells)."""
    out = dict(re.findall(r'data-metric="([a-z-]+)">([^<]*)<', html))
    for attr in ("data-namespace", "data-system"):
        for key, row in re.findall(attr + r'="([^"]*)">(.*?)</tr>', html):
            for k, v in re.findall(r'data-k="([a-z-]+)"[^>]*>([^<]*)<', row):
                out[f"{attr}={key}/{k}"] = v
    return out


class EvidenceSized(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "audit.jsonl")
        audit(self.log)

    def tearDown(self):
        self.tmp.cleanup()

    def test_record_lists_fail_error_waived_pass_and_counts_skips(self):
        recs = decisions(self.log)
        self.assertEqual([r["resource"]["kind"] for r in recs], ["Deployment", "Deployment", "ConfigMap", "Service"] * 2)
        chat, scorer = recs[0], recs[1]
        self.assertEqual([(x["rule"], x["result"]) for x in chat["results"]],
                         [("sized/owner-set", "pass"), ("sized/replicas-bounded", "pass"),
                          ("sized/reads-missing-field", "error"), ("sized/always-fails", "waived")])
        self.assertEqual(chat["results"][3]["waiver"]["name"], "chat-validation-pending")
        self.assertEqual(chat["results"][2]["failurePolicy"], "Fail")
        self.assertEqual([(x["rule"], x["result"]) for x in scorer["results"]],
                         [("sized/owner-set", "fail"), ("sized/replicas-bounded", "fail"),
                          ("sized/reads-missing-field", "error"), ("sized/always-fails", "fail")])
        self.assertEqual((chat["skipped"], scorer["skipped"]), (2, 2))
        self.assertEqual(chat["packs"][0]["name"], "sized")
        for r in recs:
            self.assertNotIn("skip", [x["result"] for x in r.get("results", [])])
        self.assertEqual(run("evidence", "verify", self.log)[0], 0)

    def test_unmatched_resource_gets_a_minimal_record(self):
        configmap, service = decisions(self.log)[2:4]
        for r in (configmap, service):
            self.assertNotIn("results", r)
            self.assertNotIn("packs", r)
            self.assertEqual(r["decision"], "allow")
            self.assertEqual(len(r["objectSha256"]), 64)
        self.assertEqual(configmap["skipped"], 2)   # both rules' `when` was false
        self.assertNotIn("skipped", service)        # no rule selects a Service at all
        self.assertEqual((configmap["resource"]["name"], configmap["resource"]["namespace"]), ("settings", "ml"))

    def test_skip_unmatched_writes_none_for_them(self):
        log = os.path.join(self.tmp.name, "matched-only.jsonl")
        audit(log, "--evidence-skip-unmatched")
        self.assertEqual([r["resource"]["name"] for r in decisions(log)], ["chat", "scorer"] * 2)
        self.assertEqual(run("evidence", "verify", log)[0], 0)
        code, out, _ = run("check", "--help")
        self.assertIn("--evidence-skip-unmatched", out)

    def test_old_format_log_verifies_and_reports_the_same_totals(self):
        code, out, err = run("evidence", "verify", OLD_LOG)
        self.assertEqual(code, 0, out + err)
        old = decisions(OLD_LOG)
        self.assertEqual(sum(x["result"] == "skip" for r in old for x in r["results"]), 12)  # listed, 6 per audit
        # Both shapes reduce to the same (rule, result) lists once skips are counted.
        new = decisions(self.log)
        self.assertEqual([[(x["rule"], x["result"]) for x in r["results"] if x["result"] != "skip"] for r in old],
                         [[(x["rule"], x["result"]) for x in r.get("results", [])] for r in new])
        self.assertEqual([sum(x["result"] == "skip" for x in r["results"]) for r in old],
                         [r.get("skipped", 0) for r in new])
        reports = {}
        for name, log in (("old", OLD_LOG), ("new", self.log)):
            code, html, err = run("evidence", "report", "--format", "html", log)
            self.assertEqual(code, 0, err)
            reports[name] = metrics(html)
        self.assertEqual(reports["old"]["skip"], "12")
        self.assertEqual(reports["old"]["records"], "8")
        self.assertEqual(reports["old"], reports["new"])
        for name, log in (("old", OLD_LOG), ("new", self.log)):
            code, md, err = run("evidence", "report", "--format", "md", log)
            self.assertEqual(code, 0, err)
            self.assertIn("| Records | Allowed | Warned | Denied | Pass | Fail | Waived | Skipped | Compliance |", md)
            self.assertIn("| 8 | 4 | 0 | 4 | 4 | 6 | 2 | 12 |", md, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
