#!/usr/bin/env python3
"""Issue 19 item 8, beyond `check`'s own formats: the "expires in N days" waiver notice in
`aimsgate test` (text, JSON, JUnit), in PolicyReports and OpenReports (a result property and a
report annotation), and in `aimsgate serve` (a warn log line at load and a gauge per waiver).

  test_waiver_notices.py build/aimsgate
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import xml.etree.ElementTree as ET

import yaml

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "e2e", "fixtures")
PACK = os.path.join(FIX, "pack.yaml")
APPS = os.path.join(FIX, "apps.yaml")
NOW = "2026-11-01T00:00:00Z"
NOTICE = "waiver 'owner-gap' expires in 5 days (2026-11-06T00:00:00Z)"
WAIVER = """apiVersion: aimsgate.io/v1alpha1
kind: Waiver
metadata: {{name: owner-gap}}
spec:
  rules: ["demo/owner"]
  match: {{names: ["bad"]}}
  justification: "Owner being appointed; accepted by the CISO until the reorg"
  approvedBy: ciso@example.com
  expires: "{expires}"
"""


def run(*args, cwd=ROOT):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path) as f:
        return f.read()


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


class TestCommand(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.waiver = write(d, "waiver.yaml", WAIVER.format(expires="2026-11-06T00:00:00Z"))
        write(d, "aimsgate-test.yaml", f"""apiVersion: aimsgate.io/v1alpha1
kind: RulePackTest
metadata: {{name: waived-owner}}
spec:
  packs: [{PACK}]
  resources: [{APPS}]
  waivers: [waiver.yaml]
  now: "{NOW}"
  results:
  - {{rule: demo/owner, kind: Deployment, namespace: ml, name: bad, result: waived}}
""")

    def tearDown(self):
        self.tmp.cleanup()

    def test_text_json_junit(self):
        code, out, err = run("test", self.tmp.name)
        self.assertEqual(code, 0, out + err)
        self.assertIn(f"      note: {self.waiver}:1: {NOTICE}", out)
        code, out, err = run("test", "--format", "json", self.tmp.name)
        self.assertEqual(code, 0, err)
        notices = json.loads(out)["suites"][0]["notices"]
        self.assertEqual(len(notices), 1)
        self.assertIn(NOTICE, notices[0])
        code, out, _ = run("test", "--format", "junit", self.tmp.name)
        system_out = ET.fromstring(out).find("testsuite/system-out").text
        self.assertTrue(system_out.startswith(f"{self.waiver}:1: {NOTICE}"), system_out)

    def test_no_notice_outside_the_window(self):
        write(self.tmp.name, "waiver.yaml", WAIVER.format(expires="2027-01-01T00:00:00Z"))
        code, out, err = run("test", self.tmp.name)
        self.assertEqual(code, 0, out + err)
        self.assertNotIn("expires in", out)


class PolicyReports(unittest.TestCase):
    def test_result_property_and_report_annotation(self):
        with tempfile.TemporaryDirectory() as d:
            path = write(d, "waiver.yaml", WAIVER.format(expires="2026-11-06T00:00:00Z"))
            for fmt in ("policyreport", "openreports"):
                code, out, err = run("check", "--rules", PACK, "--now", NOW, "--waivers", path, "--format", fmt, APPS)
                self.assertEqual(code, 0, err)
                reports = [r for r in yaml.safe_load_all(out) if r]
                self.assertTrue(reports)
                for r in reports:
                    self.assertIn(NOTICE, r["metadata"]["annotations"]["aimsgate.io/waiver-notices"])
                waived = [res for r in reports for res in r["results"]
                          if res["properties"].get("aimsgate.io/result") == "waived"]
                self.assertEqual(len(waived), 1, fmt)
                self.assertIn(NOTICE, waived[0]["properties"]["waiverNotice"])
                others = [res for r in reports for res in r["results"] if res not in waived]
                self.assertTrue(all("waiverNotice" not in res["properties"] for res in others))
            code, out, _ = run("check", "--rules", PACK, "--now", "2026-01-01T00:00:00Z", "--waivers", path,
                               "--format", "policyreport", APPS)
            self.assertNotIn("waiver-notices", out)  # 309 days ahead: no notice


class Serve(unittest.TestCase):
    def test_warn_log_and_gauge(self):
        expires = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=4, hours=12)).replace(microsecond=0)
        stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        with tempfile.TemporaryDirectory() as d:
            path = write(d, "waiver.yaml", WAIVER.format(expires=stamp))
            port_file, log_path = os.path.join(d, "port"), os.path.join(d, "log")
            with open(log_path, "w") as log:
                proc = subprocess.Popen([BIN, "serve", "--insecure-http", "--listen", "127.0.0.1:0", "--port-file",
                                         port_file, "--rules", PACK, "--waivers", path, "--reload-interval-ms", "0"],
                                        stdout=log, stderr=log)
                try:
                    deadline = time.time() + 20
                    while not (os.path.exists(port_file) and read(port_file).strip()):
                        self.assertIsNone(proc.poll(), read(log_path))
                        self.assertLess(time.time(), deadline, "server did not start")
                        time.sleep(0.05)
                    port = int(read(port_file))
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                        metrics = r.read().decode()
                finally:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(30)
            self.assertIn(f'aimsgate_waiver_expiry_timestamp_seconds{{waiver="owner-gap"}} {int(expires.timestamp())}',
                          metrics)
            lines = [json.loads(l) for l in read(log_path).splitlines() if l.startswith("{")]
            warn = [l for l in lines if l.get("waiver") == "owner-gap"]
            self.assertEqual(len(warn), 1, lines)
            self.assertEqual((warn[0]["level"], warn[0]["daysLeft"], warn[0]["expires"]), ("warn", 5, stamp))
            self.assertIn("waiver 'owner-gap' expires in 5 days", warn[0]["msg"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
