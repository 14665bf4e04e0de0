#!/usr/bin/env python3
"""The frameworks model end to end (docs/frameworks.md): catalogues, per-framework
controls of rules, `rules controls --framework`, and agreement between
docs/iso42001.md and what `rules controls` prints.  Run from the repository root:
test_frameworks.py build/aimsgate"""
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
                self.assertTrue(c.get("title") and c.get("summary"), c)
                self.assertIn(c["check"], ["rule", "partial", "organisational"], c)
                self.assertNotIn(c["id"], ids, "duplicate id")
                ids.add(c["id"])
                if fid == "eu-ai-act":
                    self.assertRegex(c["appliesFrom"], r"^\d{4}-\d{2}-\d{2}$")


class RulesControls(unittest.TestCase):
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


def documented_rule_ids():
    with open(os.path.join(ROOT, "rules", "iso42001", "pack.yaml")) as f:
        return {r["id"] for r in yaml.safe_load(f)["spec"]["rules"]}


if __name__ == "__main__":
    unittest.main(verbosity=2)
