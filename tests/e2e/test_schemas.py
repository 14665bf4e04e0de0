#!/usr/bin/env python3
"""`aimsgate schema KIND` (JSON Schema 2020-12) validated with python3-jsonschema, and every
shipped pack, test suite, inventory and waiver validated against it (docs/rule-packs.md).
Run from the repository root: test_schemas.py build/aimsgate"""
import glob
import json
import os
import subprocess
import sys
import unittest

import jsonschema
import yaml

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/aimsgate"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KINDS = {"RulePack": "rulepack", "RulePackTest": "rulepacktest", "Inventory": "inventory", "Waiver": "waiver",
         "Applicability": "applicability"}


def schema(kind):
    p = subprocess.run([BIN, "schema", kind], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    s = json.loads(p.stdout)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def shipped_documents():
    files = sorted(set(glob.glob(os.path.join(ROOT, "rules", "**", "*.yaml"), recursive=True) +
                       glob.glob(os.path.join(ROOT, "examples", "**", "*.yaml"), recursive=True) +
                       glob.glob(os.path.join(ROOT, "tests", "e2e", "fixtures", "authoring", "**", "*.yaml"),
                                 recursive=True)))
    for f in files:
        with open(f) as fh:
            try:
                docs = list(yaml.safe_load_all(fh))
            except yaml.YAMLError:
                continue  # not ours to judge (test inputs that are broken on purpose are not these kinds)
        for i, d in enumerate(docs):
            if isinstance(d, dict) and d.get("kind") in KINDS and d.get("apiVersion", "").startswith("aimsgate.io/"):
                yield os.path.relpath(f, ROOT), i, d


class Schemas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.validators = {k: schema(k) for k in KINDS.values()}

    def test_every_shipped_document_validates(self):
        seen = {k: 0 for k in KINDS}
        for path, index, doc in shipped_documents():
            with self.subTest(path=path, document=index):
                errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                          for e in self.validators[KINDS[doc["kind"]]].iter_errors(doc)]
                self.assertEqual(errors, [])
            seen[doc["kind"]] += 1
        # the shipped packs, suites, inventories and waivers are all there to be checked
        for kind in ("RulePack", "RulePackTest", "Inventory", "Waiver"):
            self.assertGreater(seen[kind], 0, kind)
        self.assertGreaterEqual(seen["RulePack"], 4)

    def test_schemas_reject_what_the_loaders_reject(self):
        pack = self.validators["rulepack"]
        good = {"apiVersion": "aimsgate.io/v1alpha1", "kind": "RulePack", "metadata": {"name": "p"},
                "spec": {"rules": [{"id": "r", "assert": "true", "controls": {"iso42001": ["A.3.2"], "eu-ai-act": ["Art. 26"]},
                                    "variables": [{"name": "v", "expression": "1"}]}]}}
        self.assertTrue(pack.is_valid(good))
        bad_rule = json.loads(json.dumps(good))
        bad_rule["spec"]["rules"][0]["asert"] = "true"  # a typo the loader reports as an unknown field
        self.assertFalse(pack.is_valid(bad_rule))
        both = json.loads(json.dumps(good))
        both["spec"]["rules"][0].update(message="m", messageExpression="'m'")
        self.assertFalse(pack.is_valid(both))
        suite = self.validators["rulepacktest"]
        self.assertFalse(suite.is_valid({"apiVersion": "aimsgate.io/v1alpha1", "kind": "RulePackTest",
                                         "spec": {"results": [{"rule": "p/r", "kind": "Pod", "name": "x", "result": "passed"}]}}))
        waiver = self.validators["waiver"]
        self.assertFalse(waiver.is_valid({"apiVersion": "aimsgate.io/v1alpha1", "kind": "Waiver", "metadata": {"name": "w"},
                                          "spec": {"rules": ["p/r"], "justification": "j", "approvedBy": "a"}}))
        soa = self.validators["applicability"]
        doc = {"apiVersion": "aimsgate.io/v1alpha1", "kind": "Applicability", "metadata": {"name": "s"},
               "spec": {"framework": "iso42001", "controls": [{"id": "A.10.4", "applicable": False}]}}
        self.assertFalse(soa.is_valid(doc))  # an exclusion needs a justification
        doc["spec"]["controls"][0]["justification"] = "we supply no AI systems"
        self.assertTrue(soa.is_valid(doc))

    def test_unknown_kind_is_a_usage_error(self):
        p = subprocess.run([BIN, "schema", "nosuch"], capture_output=True, text=True, cwd=ROOT, timeout=60)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
