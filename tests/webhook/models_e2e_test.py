#!/usr/bin/env python3
"""`aimsgate serve --models DIR`: the model rules per workload at admission (issue 17 item 4).

The real binary over TLS (throw-away CA from e2e_test.make_pki), the built-in pack, the
example inventory and a copy of examples/models laid out as the kubelet mounts a ConfigMap
(..data symlink swapped on update).  Two InferenceServices that differ only in the model
they name get two verdicts; an unknown model is denied with the reason; a NAME@sha256
reference resolves by the signed root digest; the catalogue reloads, and a broken one is
rejected while the previous keeps serving.

  python3 tests/webhook/models_e2e_test.py --binary build/aimsgate --source .
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_test import Server, client_context, make_pki, post, review, wait_for  # noqa: E402

FAILURES = []
PASSED = [0]


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def mount_catalogue(directory, source_models, extra=None):
    """Writes the catalogue the way the kubelet projects a ConfigMap with items
    `<id>/<file>`: the folders live in a new ..<stamp> directory, ..data is swapped to it,
    and every top-level <id> is a symlink into ..data."""
    stamp = "..%d" % time.time_ns()
    target = os.path.join(directory, stamp)
    shutil.copytree(source_models, target)
    for name, files in (extra or {}).items():
        os.makedirs(os.path.join(target, name), exist_ok=True)
        for fname, text in files.items():
            with open(os.path.join(target, name, fname), "w") as f:
                f.write(text)
    tmp = os.path.join(directory, "..data_tmp")
    os.symlink(stamp, tmp)
    os.rename(tmp, os.path.join(directory, "..data"))
    for name in os.listdir(target):
        link = os.path.join(directory, name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", name), link)


def fraud_scorer(source, model, name="fraud-scorer"):
    """examples/kserve-fraud-scorer.yaml (compliant with examples/inventory.yaml) naming `model`."""
    with open(os.path.join(source, "examples", "kserve-fraud-scorer.yaml")) as f:
        text = f.read()
    import yaml  # python3-yaml, as the other e2e tests use
    obj = yaml.safe_load(text)
    obj = copy.deepcopy(obj)
    obj["metadata"]["name"] = name
    if model is not None:
        obj["metadata"]["annotations"]["aimsgate.io/model"] = model
    return obj


def decide(port, ctx, obj, uid):
    status, body = post(port, ctx, review(obj, uid=uid, namespace="ml"))
    if status != 200:
        return status, None, ""
    resp = json.loads(body)["response"]
    return status, resp["allowed"], resp.get("status", {}).get("message", "")


def check_sources(binary, source):
    """`check --models`: the reason names where the reference was read (annotation, pod template, register)."""
    tests = os.path.join(source, "rules", "iso42001", "tests", "model")
    p = subprocess.run([binary, "check", "--format", "json", "--inventory", os.path.join(tests, "inventory-with-models.yaml"),
                        "--models", os.path.join(source, "examples", "models"),
                        os.path.join(tests, "catalogue-workloads.yaml"),
                        os.path.join(source, "examples", "triton-defect-detector.yaml")],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 1, f"check denies the unknown models: exit {p.returncode} {p.stderr[:300]}")
    msgs = {r["resource"]["name"]: r["message"] for r in json.loads(p.stdout)["results"]
            if r["rule"] == "iso42001/model-in-catalogue" and r["result"] == "fail"}
    check(set(msgs) == {"fraud-unknown", "recommender-template-model", "defect-detector"}, f"unknown models: {sorted(msgs)}")
    check(msgs.get("fraud-unknown", "").endswith("(read from metadata.annotations['aimsgate.io/model'])"),
          f"annotation source: {msgs.get('fraud-unknown')}")
    check(msgs.get("recommender-template-model", "").endswith(
        "(read from spec.template.metadata.annotations['aimsgate.io/model'])"), "pod template source")
    check("'defect-detector-v2' is not in the model catalogue" in msgs.get("defect-detector", "") and
          msgs.get("defect-detector", "").endswith("(read from inventory entry 'defect-detector' (model))"),
          f"register source: {msgs.get('defect-detector')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    binary, source = os.path.abspath(args.binary), os.path.abspath(args.source)
    workdir = tempfile.mkdtemp(prefix="aimsgate-models-e2e-")
    started = time.time()
    try:
        d = os.path.join(workdir, "pki")
        os.mkdir(d)
        make_pki(d)
        models = os.path.join(workdir, "models")
        os.mkdir(models)
        mount_catalogue(models, os.path.join(source, "examples", "models"))
        server = Server(binary, workdir, [
            "--tls-cert", f"{d}/server.crt", "--tls-key", f"{d}/server.key",
            "--inventory", os.path.join(source, "examples", "inventory.yaml"),
            "--models", models, "--reload-interval-ms", "200"])
        ctx = client_context(d)
        port = server.port
        try:
            # Two workloads, two models, two verdicts.
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "fraud-scorer"), "signed")
            check(status == 200 and allowed is True, f"the model with a verified signature is admitted: {allowed} {msg}")
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "ticket-priority-classifier"), "unsigned")
            check(status == 200 and allowed is False, "the model without a signature is denied for a high-risk system")
            check("model-signature-verified" in msg and "ticket-priority-classifier" in msg,
                  f"the denial names the signature rule and the model: {msg}")
            check("model-in-catalogue" not in msg, f"a known model is not reported as unknown: {msg}")

            # An unknown model: model is null, the reason is located.
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "fraud-scorer-v9"), "unknown")
            check(status == 200 and allowed is False, "a model the catalogue does not hold is denied")
            check("model-in-catalogue" in msg and "'fraud-scorer-v9' is not in the model catalogue" in msg and
                  "metadata.annotations['aimsgate.io/model']" in msg, f"the denial says why and where: {msg}")

            # NAME@sha256:<root digest of model.sig>.
            with open(os.path.join(source, "examples", "models", "fraud-scorer", "model.sig")) as f:
                bundle = json.load(f)
            import base64
            statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
            digest = statement["subject"][0]["digest"]["sha256"]
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "fraud-scorer@sha256:" + digest), "digest")
            check(allowed is True, f"a NAME@sha256 reference resolves by the signed root digest: {msg}")
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "fraud-scorer@sha256:" + "0" * 64), "baddigest")
            check(allowed is False and "has the signed root digest sha256:" + "0" * 64 in msg,
                  f"an unknown digest is denied with the reason: {msg}")

            # No model named: the model rules skip (no catalogue lookup), as before.
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, None), "none")
            check(allowed is True, f"a workload naming no model is judged without model metadata: {msg}")

            # Reload: a new model appears in the catalogue (ConfigMap update).
            card = open(os.path.join(source, "examples", "models", "fraud-scorer", "README.md")).read()
            mount_catalogue(models, os.path.join(source, "examples", "models"),
                            {"fraud-scorer-v9": {"README.md": card}})
            check(wait_for(lambda: "model-signature-verified" in
                           decide(port, ctx, fraud_scorer(source, "fraud-scorer-v9"), "reloaded")[2], 10),
                  "after the catalogue reload the new model is known (unsigned: denied by the signature rule)")

            # A broken catalogue is rejected; the previous one keeps serving.
            mount_catalogue(models, os.path.join(source, "examples", "models"),
                            {"fraud-scorer-v9": {"README.md": card}, "broken": {"model.sig": "{"}})
            check(wait_for(lambda: "pack reload rejected" in server.logs(), 10), "a broken catalogue is rejected")
            status, allowed, msg = decide(port, ctx, fraud_scorer(source, "fraud-scorer-v9"), "kept")
            check("model-signature-verified" in msg and "model-in-catalogue" not in msg,
                  f"the previous catalogue keeps serving: {msg}")
            check("model.sig needs verify.yaml" in server.logs(), "the rejection says why")
        finally:
            if server.proc.poll() is None:
                server.stop()
        check_sources(binary, source)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{PASSED[0]} checks passed, {len(FAILURES)} failed in {time.time() - started:.1f}s")
    for f in FAILURES:
        print("  FAILED:", f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
