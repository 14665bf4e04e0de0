#!/usr/bin/env python3
"""Issue 19 item 13: the evidence report's current state per AI system shows its owner and risk tier,
recorded from the object's aimsgate.io/owner and aimsgate.io/risk-tier annotations (the pod template's
when the workload's own metadata lacks them, as the ISO pack reads them).  Logs written before the
record carried them still verify and render ("—").

  test_evidence_current_state.py build/aimsgate
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# chat: owner on the workload, risk tier only on the pod template; scorer: both on the workload,
# and a template owner that must lose; web: not an AI system (no system id): nothing recorded.
OBJECTS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
  namespace: ml
  annotations: {aimsgate.io/system-id: chat-assistant, aimsgate.io/owner: ml-platform}
spec:
  template:
    metadata:
      annotations: {aimsgate.io/risk-tier: limited}
    spec:
      containers: [{name: vllm, image: vllm/vllm-openai:v0.6.3}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  namespace: ml
  annotations: {aimsgate.io/system-id: credit-scorer, aimsgate.io/owner: risk-team, aimsgate.io/risk-tier: high}
spec:
  template:
    metadata:
      annotations: {aimsgate.io/owner: someone-else}
    spec:
      containers: [{name: s, image: ghcr.io/example/scorer:1.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ml
  annotations: {aimsgate.io/owner: web-team}
spec:
  template:
    spec:
      containers: [{name: w, image: nginx:1.27}]
"""


def run(*args, stdin=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)
    return p.returncode, p.stdout, p.stderr


class CurrentState(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "e.jsonl")
        code, _, err = run("check", "--evidence", self.log, "--allow-empty", "-", stdin=OBJECTS)
        self.assertIn(code, (0, 1), err)

    def tearDown(self):
        self.tmp.cleanup()

    def records(self):
        with open(self.log) as f:
            return {r["resource"]["name"]: r["resource"] for r in map(json.loads, f) if "resource" in r}

    def test_record_carries_owner_and_tier(self):
        res = self.records()
        self.assertEqual((res["chat"]["owner"], res["chat"]["riskTier"]), ("ml-platform", "limited"))
        self.assertEqual((res["scorer"]["owner"], res["scorer"]["riskTier"]), ("risk-team", "high"))  # workload wins
        self.assertNotIn("owner", res["web"])  # not an AI system
        self.assertEqual(run("evidence", "verify", self.log)[0], 0)

    def test_reports_show_them(self):
        code, out, err = run("evidence", "report", "--format", "md", self.log)
        self.assertEqual(code, 0, err)
        self.assertIn("| System | Owner | Risk tier | Latest decision |", out)
        self.assertIn("| chat-assistant | ml-platform | limited |", out)
        self.assertIn("| credit-scorer | risk-team | high |", out)
        code, out, _ = run("evidence", "report", "--format", "html", self.log)
        row = out[out.index('<tr data-current="credit-scorer">'):]
        self.assertTrue(row.startswith('<tr data-current="credit-scorer"><th>credit-scorer</th>'
                                       '<td data-k="owner">risk-team</td><td data-k="risk-tier">high</td>'), row[:200])
        code, out, _ = run("evidence", "report", "--format", "csv", self.log)
        rows = list(csv.DictReader(io.StringIO(out)))
        chat = [r for r in rows if r["name"] == "chat"]
        self.assertTrue(chat)
        self.assertEqual({(r["owner"], r["riskTier"]) for r in chat}, {("ml-platform", "limited")})

    def test_old_records_without_them_verify_and_render(self):
        # A record without owner/riskTier is what earlier versions wrote (the members are only
        # ever added when set): objects without the annotations give exactly that shape.
        old_objects = OBJECTS.replace("aimsgate.io/owner", "example.com/owner").replace("aimsgate.io/risk-tier",
                                                                                      "example.com/tier")
        log = os.path.join(self.tmp.name, "old.jsonl")
        run("check", "--evidence", log, "--allow-empty", "-", stdin=old_objects)
        with open(log) as f:
            self.assertNotIn('"owner"', f.read())
        self.assertEqual(run("evidence", "verify", log)[0], 0)
        code, out, err = run("evidence", "report", "--format", "md", log)
        self.assertEqual(code, 0, err)
        self.assertIn("| chat-assistant | — | — |", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
