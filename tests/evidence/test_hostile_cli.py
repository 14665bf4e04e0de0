#!/usr/bin/env python3
"""Issue 13, findings 5, 6, 7 and 11 through the real binary (docs/security.md cites
this test as `evidence_hostile_cli`): a log cut at an earlier checkpoint fails
`verify --require-closed`, a later run removed is caught by `--expect-head`, a lone
surrogate is a located input error, a symlinked --evidence path is refused with its
target left byte for byte, and a 40,000-into-40,000-key YAML merge completes (the
ctest TIMEOUT bounds it; before the fix it took minutes at the documented limits)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1))


def run(*args, cwd=None):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


def config_maps(n, prefix="c"):
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}{i}", "namespace": "d"}}
        for i in range(n)]})


class Hostile(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name
        code, _, err = run("evidence", "keygen", "--out", os.path.join(self.d, "k"))
        self.assertEqual(code, 0, err)
        self.key = os.path.join(self.d, "k", "evidence-signing.key")
        self.pub = os.path.join(self.d, "k", "evidence-signing.pub")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def checked_log(self, log, inputs):
        code, _, err = run("check", "--evidence", log, "--evidence-key", self.key, inputs)
        self.assertEqual(code, 0, err)
        m = re.search(r"head ([0-9a-f]{64})", err)
        self.assertIsNotNone(m, err)
        return m.group(1)

    def test_cut_at_every_earlier_checkpoint_fails_require_closed(self):
        log = os.path.join(self.d, "ev.jsonl")
        self.checked_log(log, self.write("cms.json", config_maps(2500)))
        with open(log) as f:
            lines = f.readlines()
        checkpoints = [i for i, line in enumerate(lines) if '"signature"' in line]
        self.assertGreaterEqual(len(checkpoints), 3)
        code, out, err = run("evidence", "verify", "--pubkey", self.pub, "--require-closed", log)
        self.assertEqual(code, 0, out + err)
        for cut in checkpoints[:-1]:
            cut_log = self.write("cut.jsonl", "".join(lines[:cut + 1]))
            code, out, err = run("evidence", "verify", "--pubkey", self.pub, "--require-closed", cut_log)
            self.assertEqual(code, 1, f"cut after line {cut + 1}: {out}{err}")
            self.assertIn("closing", out + err)

    def test_a_removed_later_run_is_caught_by_the_anchored_head(self):
        log = os.path.join(self.d, "ev.jsonl")
        self.checked_log(log, self.write("a.json", config_maps(5, "a")))
        with open(log) as f:
            first_run = f.read()
        head = self.checked_log(log, self.write("b.json", config_maps(5, "b")))
        code, out, err = run("evidence", "verify", "--pubkey", self.pub, "--require-closed", "--expect-head", head, log)
        self.assertEqual(code, 0, out + err)
        cut = self.write("cut.jsonl", first_run)
        code, out, err = run("evidence", "verify", "--pubkey", self.pub, "--require-closed", cut)
        self.assertEqual(code, 0, "a cut at a session's close is invisible without an anchor: " + out + err)
        code, out, err = run("evidence", "verify", "--pubkey", self.pub, "--require-closed", "--expect-head", head, cut)
        self.assertEqual(code, 1, out + err)

    def test_lone_surrogate_is_a_located_input_error_and_never_logged(self):
        bad = self.write("bad.json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad\\udc00name"}}')
        log = os.path.join(self.d, "ev.jsonl")
        code, _, err = run("check", "--evidence", log, bad)
        self.assertEqual(code, 2, err)
        self.assertRegex(err, r"bad\.json:1:\d+: error: .*surrogate")
        if os.path.exists(log):
            with open(log, "rb") as f:
                self.assertNotIn(b"\xed\xb0\x80", f.read())
            code, out, err = run("evidence", "verify", log)
            self.assertEqual(code, 0, out + err)

    def test_symlinked_evidence_path_is_refused_and_the_target_untouched(self):
        target = self.write("victim.txt", "line one\nline two\ntorn tail without newline")
        with open(target, "rb") as f:
            before = f.read()
        link = os.path.join(self.d, "ev.jsonl")
        os.symlink(target, link)
        code, _, err = run("check", "--evidence", link, self.write("cms.json", config_maps(2)))
        self.assertEqual(code, 2, err)
        self.assertIn("symbolic link", err)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual([n for n in os.listdir(self.d) if "torn" in n], [])

    def test_a_hostile_log_name_cannot_forge_a_line(self):
        # The log is the input under suspicion: its name (and strings) must not start a line of
        # their own on stderr or stdout (a CI runner reads "::error::" there) nor drive a terminal.
        log = os.path.join(self.d, "ev\n::error::forged\x1b[31m.jsonl")
        self.checked_log(log, self.write("cms.json", config_maps(3)))
        with open(log, "a") as f:
            f.write("not a record\n")
        code, out, err = run("evidence", "verify", log)
        self.assertEqual(code, 1, err)
        self.assertIn("error:", err)
        for text in (out, err):
            self.assertNotRegex(text, r"(?m)^::")
            self.assertNotIn("\x1b", text)
        self.assertIn("ev\\n::error::forged\\x1b[31m.jsonl", err)

    def test_merge_of_forty_thousand_keys_completes(self):
        keys = 200000  # quadratic merging took minutes here (40,000: 5.8 s on e2d08e0)
        base = "\n".join(f'    b{i}: "{i}"' for i in range(keys))
        own = "\n".join(f'  a{i}: "{i}"' for i in range(keys))
        text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merged\n  annotations: &b\n{base}\n"
                f"data:\n  <<: *b\n{own}\n")
        path = self.write("merge.yaml", text)
        code, out, err = run("check", "--rules", "builtin:iso42001", path)
        self.assertIn(code, (0, 1), err[-2000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
