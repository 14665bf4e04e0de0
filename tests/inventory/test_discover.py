#!/usr/bin/env python3
"""`aimsgate inventory discover` (issue 17 item 5) through the real binary: the three views from
examples/ and from a cluster-style List on stdin, the BOM validated against the CycloneDX 1.6 JSON
schema (tests/inventory/schema, see its README), the draft against `aimsgate schema inventory`.

  python3 tests/inventory/test_discover.py --aimsgate build/aimsgate --source .
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

import yaml

BIN = ""
SRC = ""
HERE = os.path.dirname(os.path.abspath(__file__))

# The AI systems of examples/ (the webapp, ConfigMaps, Services, packs and registers are not).
EXPECTED = {
    "chat-assistant": "genai/Deployment/chat-assistant",
    "churn-batch-scorer": "analytics/CronJob/churn-batch-scorer",
    "defect-detector": "vision/Deployment/defect-detector",
    "fraud-scorer": "ml/InferenceService/fraud-scorer",
    "product-recommender": "shop/Deployment/product-recommender",
    "ticket-summarizer": "support/Deployment/ticket-summarizer",
}


def run(*args, stdin=None):
    return subprocess.run([BIN, "inventory", "discover", *args], input=stdin, capture_output=True, text=True,
                          cwd=SRC, timeout=120)


def examples():
    """The example manifests of one AI system each (not the vap/ and packs/ folders)."""
    names = ["cronjob-churn-scorer.yaml", "kserve-fraud-scorer.yaml", "pod-ollama.yaml", "recommender-stack.yaml",
             "tgi-ticket-summarizer.yaml", "triton-defect-detector.yaml", "vllm-chat-assistant.yaml",
             "webapp-storefront.yaml"]
    return [os.path.join("examples", n) for n in names]


def cluster_list():
    """What `kubectl get deploy,pods,inferenceservices -A -o json` prints: a List, including a Pod
    that a ReplicaSet owns (counted through its Deployment, not twice)."""
    items = []
    for path in examples():
        with open(os.path.join(SRC, path)) as f:
            items += [d for d in yaml.safe_load_all(f) if d]
    deploy = next(i for i in items if i["kind"] == "Deployment" and i["metadata"]["name"] == "chat-assistant")
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "chat-assistant-7d9f8-x2k4q", "namespace": "genai",
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "chat-assistant-7d9f8",
                                             "uid": "u1", "controller": True}]},
           "spec": copy.deepcopy(deploy["spec"]["template"]["spec"])}
    items.append(pod)
    return json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items})


def table_rows(text):
    lines = text.strip().splitlines()
    header = lines[0].split()
    rows = [dict(zip(header, line.split())) for line in lines[1:]]
    return header, rows


class Table(unittest.TestCase):
    def test_examples_with_inventory(self):
        p = run(*examples(), "--inventory", "examples/inventory.yaml")
        self.assertEqual(p.returncode, 0, p.stderr)
        header, rows = table_rows(p.stdout)
        self.assertEqual(header, ["SYSTEM", "WHERE", "OWNER", "RISK", "REGISTERED"])
        by_where = {r["WHERE"]: r for r in rows}
        for system, where in EXPECTED.items():
            self.assertIn(where, by_where, p.stdout)
            self.assertEqual(by_where[where]["SYSTEM"], system)
            self.assertEqual(by_where[where]["REGISTERED"], "yes", where)
        self.assertEqual(by_where["ml/InferenceService/fraud-scorer"]["OWNER"], "payments-ml@example.com")
        self.assertEqual(by_where["ml/InferenceService/fraud-scorer"]["RISK"], "high")
        # The Ollama pod is an AI system by its serving image, with no id and not registered: shadow AI.
        shadow = [r for r in rows if r["REGISTERED"] == "no"]
        self.assertEqual(len(shadow), 1, p.stdout)
        self.assertEqual((shadow[0]["SYSTEM"], shadow[0]["OWNER"]), ("-", "-"))
        self.assertEqual(shadow[0]["WHERE"], "sandbox/Pod/ollama")
        self.assertFalse(any("storefront" in r["WHERE"] for r in rows), "a web app is not an AI system")

    def test_without_inventory_nothing_is_registered(self):
        p = run(*examples())
        self.assertEqual(p.returncode, 0, p.stderr)
        _, rows = table_rows(p.stdout)
        self.assertEqual({r["REGISTERED"] for r in rows}, {"no"})
        self.assertEqual(len(rows), len(EXPECTED) + 1)

    def test_cluster_list_on_stdin(self):
        p = run("-", "--inventory", "examples/inventory.yaml", stdin=cluster_list())
        self.assertEqual(p.returncode, 0, p.stderr)
        _, rows = table_rows(p.stdout)
        wheres = [r["WHERE"] for r in rows]
        self.assertEqual(len(rows), len(EXPECTED) + 1, p.stdout)
        self.assertNotIn("genai/Pod/chat-assistant-7d9f8-x2k4q", wheres, "controller-owned pods are not counted twice")

    def test_list_is_streamed_and_the_limit_is_per_item(self):
        # The List is larger than --max-file-bytes, each item is not: read item by item, it passes.
        listing = cluster_list()
        items = json.loads(listing)["items"]
        biggest = max(len(json.dumps(i)) for i in items)
        limit = biggest + 512
        self.assertGreater(len(listing), limit)
        p = run("-", "--max-file-bytes", str(limit), stdin=listing)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(table_rows(p.stdout)[1]), len(EXPECTED) + 1, p.stdout)
        # An item over the limit is a located error, exit 2.
        p = run("-", "--max-file-bytes", str(biggest // 2), stdin=listing)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"<stdin>:\d+:\d+: error: object larger than the limit of \d+ bytes \(--max-file-bytes\)")

    def test_pack_parameters_decide(self):
        # Without the vLLM image pattern the chat assistant is still an AI system by its GPU request;
        # with no serving images and no accelerators, only the marked and AI-kind systems remain.
        p = run(*examples(), "--param", "modelServingImages=[]", "--param", "acceleratorResources=[]")
        self.assertEqual(p.returncode, 0, p.stderr)
        _, rows = table_rows(p.stdout)
        self.assertFalse(any("/Pod/" in r["WHERE"] for r in rows), p.stdout)
        self.assertIn("ml/InferenceService/fraud-scorer", [r["WHERE"] for r in rows])

    def test_deterministic(self):
        outs = {run(*examples(), "--format", fmt).stdout for fmt in ("cyclonedx",) for _ in range(2)}
        self.assertEqual(len(outs), 1)
        a = run(*examples(), "--format", "inventory").stdout
        b = run(*examples(), "--format", "inventory").stdout
        self.assertEqual(a, b)

    def test_bad_input(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: a\n")
        try:
            p = run(f.name)
            self.assertEqual(p.returncode, 2)
            self.assertRegex(p.stderr, r":\d+:\d+: error: ")
        finally:
            os.unlink(f.name)
        p = run("-", stdin="")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no Kubernetes objects", p.stderr)
        self.assertEqual(run("-", "--allow-empty", stdin="").returncode, 0)
        p = run("examples/", "--format", "xml")
        self.assertEqual(p.returncode, 2)

    def test_pack_without_helpers(self):
        with tempfile.TemporaryDirectory() as d:
            pack = os.path.join(d, "p.yaml")
            with open(pack, "w") as f:
                f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: bare, version: 1.0.0}\n"
                        "spec:\n  rules:\n  - id: r\n    assert: 'true'\n")
            p = run(*examples(), "--rules", pack)
            self.assertEqual(p.returncode, 2)
            self.assertIn("cannot find AI systems", p.stderr)
            self.assertIn("isAISystem", p.stderr)

    def test_directory_walk_skips_non_manifests(self):
        # examples/ holds model cards, BOMs, registers and packs beside the manifests.
        p = run("examples/", "--inventory", "examples/inventory.yaml")
        self.assertEqual(p.returncode, 0, p.stderr)
        _, rows = table_rows(p.stdout)
        self.assertTrue(set(EXPECTED.values()) <= {r["WHERE"] for r in rows})


class InventoryDraft(unittest.TestCase):
    def validator(self):
        import jsonschema
        s = json.loads(subprocess.run([BIN, "schema", "inventory"], capture_output=True, text=True, check=True).stdout)
        return jsonschema.Draft202012Validator(s)

    def test_shadow_ai_only(self):
        p = run("-", "--inventory", "examples/inventory.yaml", "--format", "inventory", stdin=cluster_list())
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = yaml.safe_load(p.stdout)
        self.assertEqual((doc["apiVersion"], doc["kind"]), ("aimsgate.io/v1alpha1", "Inventory"))
        self.assertEqual(list(self.validator().iter_errors(doc)), [])
        ids = [s["id"] for s in doc["systems"]]
        self.assertEqual(len(ids), 1, p.stdout)
        self.assertNotIn("fraud-scorer", ids)
        self.assertIn("serving image", p.stdout)  # why it was found, as a comment

    def test_all_without_inventory(self):
        p = run(*examples(), "--format", "inventory")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = yaml.safe_load(p.stdout)
        self.assertEqual(list(self.validator().iter_errors(doc)), [])
        systems = {s["id"]: s for s in doc["systems"]}
        self.assertTrue(set(EXPECTED) <= set(systems))
        self.assertEqual(systems["fraud-scorer"]["owner"], "payments-ml@example.com")  # pre-filled
        self.assertEqual(systems["fraud-scorer"]["riskTier"], "high")
        self.assertEqual(systems["chat-assistant"]["suppliers"], [{"name": "Meta"}])
        self.assertEqual(systems["ticket-summarizer"]["suppliers"], [])
        # The draft, once loaded as the register, registers every system whose workloads name it; the Ollama
        # pod still names no system id (aimsgate.io/system-id), so it stays on the shadow-AI list.
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(p.stdout)
        try:
            again = run(*examples(), "--inventory", f.name, "--format", "inventory")
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertEqual([s["id"] for s in yaml.safe_load(again.stdout)["systems"]], ["ollama"])
        finally:
            os.unlink(f.name)


class CycloneDx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import jsonschema
        from referencing import Registry, Resource
        schemas = {}
        for name in ("bom-1.6.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
            with open(os.path.join(HERE, "schema", name)) as f:
                schemas[name] = json.load(f)
        base = "http://cyclonedx.org/schema/"
        registry = Registry().with_resources(
            [(base + name, Resource.from_contents(s)) for name, s in schemas.items()] +
            [(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
        bom = schemas["bom-1.6.SNAPSHOT.schema.json"]
        jsonschema.Draft7Validator.check_schema(bom)
        cls.validator = jsonschema.Draft7Validator(bom, registry=registry, format_checker=jsonschema.FormatChecker())

    def bom(self, *args, stdin=None):
        p = run(*args, "--format", "cyclonedx", stdin=stdin)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in self.validator.iter_errors(doc)]
        self.assertEqual(errors, [])
        return doc

    def test_examples(self):
        doc = self.bom(*examples(), "--inventory", "examples/inventory.yaml")
        self.assertEqual((doc["bomFormat"], doc["specVersion"]), ("CycloneDX", "1.6"))
        models = {c["bom-ref"]: c for c in doc["components"] if c["type"] == "machine-learning-model"}
        containers = {c["bom-ref"]: c for c in doc["components"] if c["type"] == "container"}
        self.assertEqual(len(models), len(EXPECTED) + 1)
        fraud = models["model:fraud-scorer"]
        props = {}
        for p in fraud["properties"]:
            props.setdefault(p["name"], []).append(p["value"])
        self.assertEqual(props["aimsgate:registered"], ["true"])
        self.assertEqual(props["aimsgate:risk-tier"], ["high"])
        self.assertEqual(props["aimsgate:workload"], ["ml/InferenceService/fraud-scorer"])
        self.assertEqual(props["aimsgate:data-provenance"], ["https://data.example.com/datasheets/transactions-2019-2025"])
        self.assertEqual(props["aimsgate:model-storage-uri"], ["s3://ml-models/fraud-scorer/3.2.0"])
        self.assertEqual(fraud["modelCard"]["modelParameters"]["modelArchitecture"], "xgboost")
        self.assertTrue(fraud["modelCard"]["considerations"]["useCases"][0].startswith("Score card transactions"))
        self.assertEqual(fraud["externalReferences"][0]["type"], "model-card")
        self.assertEqual(models["model:chat-assistant"]["supplier"]["name"], "Meta")
        self.assertNotIn("supplier", models["model:ticket-summarizer"])  # names none (examples/tgi-ticket-summarizer.yaml)
        # Serving images are containers, and each model depends on the images that serve it.
        self.assertTrue(containers)
        deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
        fraud_images = deps["model:fraud-scorer"]
        self.assertEqual(len(fraud_images), 1)
        image = containers[fraud_images[0]]
        self.assertEqual(image["name"], "registry.example.com/payments/fraud-features")
        self.assertTrue(image["version"].startswith("3.2.0@sha256:"))
        for ref in (r for refs in deps.values() for r in refs):
            self.assertIn(ref, containers)

    def test_cluster_list(self):
        doc = self.bom("-", stdin=cluster_list())
        names = sorted(c["bom-ref"] for c in doc["components"] if c["type"] == "machine-learning-model")
        self.assertEqual(len(names), len(EXPECTED) + 1)
        self.assertNotIn("model:chat-assistant-7d9f8-x2k4q", names)

    def props(self, component):
        out = {}
        for p in component.get("properties", []):
            out.setdefault(p["name"], []).append(p["value"])
        return out

    def test_models_from_the_catalogue(self):
        # The fraud scorer names the signed catalogue model: its card, licence, datasets, metrics and the
        # signed root digest go into the component; the recommender names an unknown one: said so.
        doc = self.bom("rules/iso42001/tests/model/catalogue-workloads.yaml", "--models", "examples/models")
        models = {c["bom-ref"]: c for c in doc["components"] if c["type"] == "machine-learning-model"}
        fraud = models["model:fraud-scorer"]
        self.assertEqual(fraud["hashes"], [{"alg": "SHA-256",
                                            "content": "bd973e22db0e1c40f9843c0261fc7801818332f7451deb2f5a1c2d1f2d08a2c3"}])
        self.assertEqual(fraud["licenses"], [{"license": {"name": "apache-2.0"}}])
        params = fraud["modelCard"]["modelParameters"]
        self.assertEqual(params["datasets"], [{"type": "dataset", "name": "example-corp/card-transactions-2019-2025"}])
        self.assertEqual(params["task"], "tabular-classification")
        metrics = {m["type"]: m["value"] for m in fraud["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]}
        self.assertEqual(metrics, {"roc_auc": "0.981", "recall": "0.91"})
        p = self.props(fraud)
        self.assertEqual((p["aimsgate:model-catalogue-id"], p["aimsgate:model-signature"]), (["fraud-scorer"], ["verified"]))
        rec = self.props(models["model:product-recommender"])
        self.assertIn("'fraud-scorer-v9' is not in the model catalogue", rec["aimsgate:model-unknown"][0])
        self.assertNotIn("aimsgate:model-signature", rec)

    def test_register_names_the_model(self):
        # No annotation on the workload: the register's `model` (ticket-priority-classifier, unsigned) is used.
        doc = self.bom("examples/kserve-fraud-scorer.yaml", "--models", "examples/models",
                       "--inventory", "rules/iso42001/tests/model/inventory-with-models.yaml")
        fraud = next(c for c in doc["components"] if c["bom-ref"] == "model:fraud-scorer")
        self.assertEqual(fraud["name"], "ticket-priority-classifier")
        self.assertEqual(self.props(fraud)["aimsgate:model-signature"], ["unsigned"])
        self.assertNotIn("hashes", fraud)
        p = run("examples/kserve-fraud-scorer.yaml", "--models", "examples/nope", "--format", "cyclonedx")
        self.assertEqual(p.returncode, 2)
        self.assertIn("examples/nope: error: cannot read the model catalogue", p.stderr)

    def test_schema_rejects_a_broken_bom(self):
        # The validator is real: a component without a type is refused.
        doc = self.bom(*examples())
        doc["components"][0].pop("type")
        self.assertTrue(list(self.validator.iter_errors(doc)))


def main():
    global BIN, SRC
    ap = argparse.ArgumentParser()
    ap.add_argument("--aimsgate", required=True)
    ap.add_argument("--source", required=True)
    args, rest = ap.parse_known_args()
    BIN, SRC = os.path.abspath(args.aimsgate), os.path.abspath(args.source)
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        print("SKIP: python3-jsonschema is not installed")
        return 77
    prog = unittest.main(argv=[sys.argv[0], *rest], exit=False)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
