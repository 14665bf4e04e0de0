#!/usr/bin/env python3
"""Writes aimsgate-test.yaml: the expected outcome of every eu-ai-act rule on every
test workload at several clocks, computed here from the obligations as
docs/eu-ai-act.md states them (an oracle independent of the pack's CEL).
Run from this directory after changing the resources: python3 gen_expected.py"""
import re
import yaml

DATES = {"prohibited-practice-blocked": "2025-02-02", "ai-act-role-declared": None,
         "ai-disclosure-present": "2026-08-02", "content-marking-declared": "2026-08-02",
         "deep-fake-disclosed": "2026-08-02"}
for r in ["eu-database-registered", "declaration-of-conformity", "instructions-for-use", "post-market-monitoring-plan",
          "log-retention-six-months", "deployer-human-oversight", "fria-performed", "serious-incident-procedure"]:
    DATES[r] = "2027-12-02"
for r in ["gpai-technical-documentation", "gpai-downstream-information", "gpai-copyright-policy",
          "gpai-training-data-summary", "gpai-training-compute-declared", "systemic-risk-evaluation",
          "systemic-risk-incident-reporting", "systemic-risk-cybersecurity"]:
    DATES[r] = "2025-08-02"

URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")
PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
NUMBER = re.compile(r"^\d+(\.\d+)?([eE]\+?\d+)?$")


def retention_ok(v):
    if re.fullmatch(r"\d+d?", v):
        return int(v.rstrip("d")) >= 184
    m = PERIOD.match(v)
    if not m or v == "P":
        return False
    y, mo, w, d = (int(x or 0) for x in m.groups())
    return y * 12 + mo >= 6 or y * 365 + mo * 28 + w * 7 + d >= 184


# What each model file states as model.gpai (the card's `gpai:` front matter, the BOM's
# aimsgate:gpai:* properties and its documentation reference), restated by hand.
MODEL_GPAI = {
    "model/gpai-card.md": {},
    "model/gpai-card-documented.md": {
        "generalPurpose": True, "technicalDocumentation": "https://docs.example/frontier/techdoc",
        "downstreamInformation": "https://docs.example/frontier/integrators", "copyrightPolicy": "https://docs.example/copyright",
        "trainingDataSummary": "https://docs.example/frontier/training-summary", "trainingComputeFlop": 2.5e25,
        "evaluation": "https://docs.example/frontier/evals", "incidentReporting": "https://docs.example/incidents",
        "cybersecurity": "https://docs.example/frontier/security"},
    "model/gpai-bom.json": {
        "generalPurpose": True, "technicalDocumentation": "https://docs.example/sparse/techdoc",
        "copyrightPolicy": "https://docs.example/copyright", "trainingDataSummary": "https://docs.example/sparse/training-summary",
        "trainingComputeFlop": 4.1e25, "evaluation": "https://docs.example/sparse/evals"},
}


def outcome(rule, a, model):
    """pass / fail / skip for annotations `a` (None = not an AI system) and a model file (None = none)."""
    if a is None:
        return "skip"
    m = MODEL_GPAI[model] if model else {}
    g = lambda k: a.get(k, "")
    ref = lambda k, field: g(k) or m.get(field, "")  # the annotation wins over the model metadata
    true = lambda k: g(k).lower() == "true"
    role = g("ai-act-role").lower()
    high = g("risk-tier") == "high"
    prov, depl = role in ("provider", "both"), role in ("deployer", "both")
    gpai = model and (true("general-purpose-model") or m.get("generalPurpose")) and role != "deployer"
    stated = g("training-compute-flop")
    flop = float(stated) if NUMBER.match(stated) else m.get("trainingComputeFlop", -1.0) if not stated else -1.0
    checks = {
        "prohibited-practice-blocked": (True, g("risk-tier") != "unacceptable"),
        "ai-act-role-declared": (True, role in ("provider", "deployer", "both")),
        "ai-disclosure-present": (true("interacts-with-people"), bool(g("ai-disclosure"))),
        "content-marking-declared": (true("generates-content"), bool(g("content-marking")) and all(
            x.strip().lower() in ("c2pa", "watermark", "metadata", "fingerprint") for x in g("content-marking").split(","))),
        "deep-fake-disclosed": (true("deep-fake"), bool(g("ai-disclosure"))),
        "eu-database-registered": (high and prov, bool(g("eu-database-id"))),
        "declaration-of-conformity": (high and prov, bool(URI.match(g("declaration-of-conformity")))),
        "instructions-for-use": (high and prov, bool(g("instructions-for-use"))),
        "post-market-monitoring-plan": (high and prov, bool(URI.match(g("post-market-monitoring")))),
        "log-retention-six-months": (high and role != "", retention_ok(g("log-retention"))),
        "deployer-human-oversight": (high and depl, bool(g("human-oversight"))),
        "fria-performed": (high and depl and true("public-service"), bool(g("fria"))),
        "serious-incident-procedure": (high, bool(g("serious-incident-procedure"))),
        "gpai-technical-documentation": (gpai, bool(ref("gpai-technical-documentation", "technicalDocumentation"))),
        "gpai-downstream-information": (gpai, bool(ref("downstream-information", "downstreamInformation"))),
        "gpai-copyright-policy": (gpai, bool(ref("copyright-policy", "copyrightPolicy"))),
        "gpai-training-data-summary": (gpai, bool(ref("training-data-summary", "trainingDataSummary"))),
        "gpai-training-compute-declared": (gpai, flop >= 0),
        "systemic-risk-evaluation": (gpai and flop >= 1e25, bool(ref("systemic-risk-evaluation", "evaluation"))),
        "systemic-risk-incident-reporting": (gpai and flop >= 1e25, bool(ref("serious-incident-procedure", "incidentReporting"))),
        "systemic-risk-cybersecurity": (gpai and flop >= 1e25, bool(ref("cybersecurity-measures", "cybersecurity"))),
    }
    applies, ok = checks[rule]
    return "skip" if not applies else ("pass" if ok else "fail")


def load(path):
    out = []
    for d in yaml.safe_load_all(open(path)):
        if not d:
            continue
        ann = d["metadata"].get("annotations") or {}
        ai = {k[len("aimsgate.io/"):]: v for k, v in ann.items()} if "aimsgate.io/system-id" in ann else None
        out.append((d["metadata"]["name"], d["metadata"]["namespace"], ai))
    return out


def suite(name, comment, resources, now, model=None):
    """`model`: a model card (.md, --model-card) or a CycloneDX BOM (.json, --bom)."""
    results = []
    for path in resources:
        for n, ns, a in load(path):
            for rule, date in DATES.items():
                r = "skip" if date and now[:10] < date else outcome(rule, a, model)
                results.append({"rule": "eu-ai-act/" + rule, "kind": "Deployment", "name": n, "namespace": ns, "result": r})
    spec = {"packs": ["../pack.yaml"], "resources": resources, "now": now}
    if model:
        spec["bom" if model.endswith(".json") else "modelCard"] = model
    spec["results"] = results
    return comment, {"apiVersion": "aimsgate.io/v1alpha1", "kind": "RulePackTest", "metadata": {"name": name}, "spec": spec}


suites = [
    suite("all-applicable", "After 2 Dec 2027 every obligation applies: pass and fail cases of every workload rule.",
          ["resources/workloads.yaml"], "2028-01-01T00:00:00Z"),
    suite("before-annex-iii", "Sep 2026: Art. 5 and Art. 50 apply, the Annex III high-risk rules report skip (not yet applicable).",
          ["resources/workloads.yaml"], "2026-09-01T00:00:00Z"),
    suite("day-before-annex-iii", "The last day before 2 Dec 2027: still skip; the next suite's clock is the first day.",
          ["resources/workloads.yaml"], "2027-12-01T23:59:59Z"),
    suite("annex-iii-first-day", "2 Dec 2027 00:00 UTC: the high-risk rules apply.",
          ["resources/workloads.yaml"], "2027-12-02T00:00:00Z"),
    suite("before-gpai", "Jun 2025: only Art. 5 (and the role rule, which has no date) apply.",
          ["resources/workloads.yaml", "resources/gpai.yaml"], "2025-06-01T00:00:00Z", "model/gpai-card.md"),
    suite("before-prohibitions", "Jan 2025: even Art. 5 is not yet applicable.",
          ["resources/workloads.yaml"], "2025-01-01T00:00:00Z"),
    suite("gpai-with-model", "General-purpose models in CI with --model-card: Art. 51, 53 and 55.",
          ["resources/gpai.yaml"], "2026-01-01T00:00:00Z", "model/gpai-card.md"),
    suite("gpai-without-model", "The same workloads without model metadata: the general-purpose rules skip.",
          ["resources/gpai.yaml"], "2026-01-01T00:00:00Z"),
    suite("gpai-from-model-card", "Art. 51, 53 and 55 references stated in the model card's `gpai:` front matter "
          "(annotations win where set; a deployer is not the provider).",
          ["resources/gpai-from-model.yaml"], "2026-01-01T00:00:00Z", "model/gpai-card-documented.md"),
    suite("gpai-from-bom", "The same workloads with a CycloneDX BOM that states only some references: those it lacks fail.",
          ["resources/gpai-from-model.yaml"], "2026-01-01T00:00:00Z", "model/gpai-bom.json"),
    suite("gpai-from-model-before", "The model-metadata rules are not yet applicable before 2 Aug 2025.",
          ["resources/gpai-from-model.yaml"], "2025-07-01T00:00:00Z", "model/gpai-bom.json"),
    suite("gpai-plain-card", "A model card without `gpai:` and workloads without annotations: not a general-purpose model.",
          ["resources/gpai-from-model.yaml"], "2026-01-01T00:00:00Z", "model/gpai-card.md"),
]
with open("aimsgate-test.yaml", "w") as f:
    f.write("# The eu-ai-act pack's test suites: `aimsgate test rules/eu-ai-act/tests`.\n"
            "# Generated by gen_expected.py, whose oracle restates each obligation in Python.\n")
    for comment, doc in suites:
        f.write("---\n# " + comment + "\n")
        yaml.safe_dump(doc, f, sort_keys=False, width=200, default_flow_style=None)
# Every rule must have a pass, a fail and a not-yet-applicable skip somewhere.
seen = {}
for _, doc in suites:
    for r in doc["spec"]["results"]:
        seen.setdefault(r["rule"], set()).add(r["result"])
missing = {r: {"pass", "fail", "skip"} - s for r, s in seen.items() if {"pass", "fail", "skip"} - s}
assert not missing, missing
