#!/usr/bin/env python3
"""Generates rules/k8s-best-practices/tests/aimsgate-test.yaml from the peers' test cases in this folder
(Gatekeeper library constraints + objects, Kyverno library resources + asserted results), and prints,
with --report RESULTS, a per-policy table of expectations met.

  tests/conformance/peers/gen_suites.py                       # rewrite the suites (deterministic)
  build/aimsgate test -v rules/k8s-best-practices/tests > /tmp/out.txt
  tests/conformance/peers/gen_suites.py --report /tmp/out.txt  # per policy: cases, met, not met

The mapping below is the only hand-written part: which aimsgate rule implements each peer policy, and
how a Gatekeeper constraint's parameters become the pack's parameters.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
OUT = os.path.join(ROOT, "rules", "k8s-best-practices", "tests", "aimsgate-test.yaml")
PACK = "k8s-best-practices"


def ex(p):
    return {"exemptImages": p.get("exemptImages", [])}


# Gatekeeper policy folder -> (aimsgate rule, constraint parameters -> pack parameters)
GATEKEEPER = {
    "allow-privilege-escalation": ("privilege-escalation-disallowed", ex),
    "allowedrepos": ("allowed-repos", lambda p: {"allowedRepos": p.get("repos", [])}),
    "automount-serviceaccount-token": ("automount-token-disabled", lambda p: {}),
    "block-loadbalancer-services": ("no-loadbalancer-services", lambda p: {}),
    "block-nodeport-services": ("no-nodeport-services", lambda p: {}),
    "block-wildcard-ingress": ("ingress-no-wildcard-host", lambda p: {}),
    "capabilities": ("capabilities-restricted", lambda p: dict(ex(p), allowedCapabilities=p.get("allowedCapabilities", []),
                                                              requiredDropCapabilities=p.get("requiredDropCapabilities", []))),
    "containerlimits": ("container-limits", lambda p: dict(ex(p), maxLimits={k: str(p[k]) for k in ("cpu", "memory") if k in p})),
    "containerrequests": ("container-requests", lambda p: dict(ex(p), maxRequests={k: str(p[k]) for k in ("cpu", "memory") if k in p})),
    "disallowedrepos": ("disallowed-repos", lambda p: {"disallowedRepos": p.get("repos", [])}),
    "disallowedtags": ("image-tag-allowed", lambda p: dict(ex(p), disallowedTags=p.get("tags", []))),
    "externalip": ("external-ips-allowed", lambda p: {"allowedExternalIPs": p.get("allowedIPs", [])}),
    "host-filesystem": ("host-path-restricted", lambda p: {"allowedHostPaths": p.get("allowedHostPaths", [])}),
    "host-namespaces": ("host-namespaces-disallowed", lambda p: {"hostNamespaceFields": ["hostPID", "hostIPC"]}),
    "host-network-ports": ("host-network-ports", lambda p: dict(ex(p), allowHostNetwork=p.get("hostNetwork", False),
                                                               hostPortMin=p.get("min", 0), hostPortMax=p.get("max", 65535))),
    "httpsonly": ("ingress-https-only", lambda p: {"ingressTlsOptional": p.get("tlsOptional", False)}),
    "imagedigests": ("image-digest-required", ex),
    "privileged-containers": ("privileged-disallowed", ex),
    "read-only-root-filesystem": ("read-only-root-filesystem", ex),
    "replicalimits": ("replicas-in-range", lambda p: {"replicaRanges": p.get("ranges", [])}),
    "requiredannotations": ("required-annotations", lambda p: {"requiredAnnotations": p.get("annotations", [])}),
    "requiredlabels": ("required-labels", lambda p: {"requiredLabels": p.get("labels", [])}),
    "requiredprobes": ("required-probes", lambda p: {"requiredProbes": p.get("probes", []), "probeTypes": p.get("probeTypes", [])}),
    "users": ("user-group-ids", lambda p: {k: p[k] for k in ("runAsUser", "runAsGroup", "supplementalGroups", "fsGroup") if k in p}),
    "volumes": ("volume-types-allowed", lambda p: {"allowedVolumeTypes": p.get("volumes", [])}),
}

# Kyverno policy folder -> ({kyverno rule name: aimsgate rule} (None = the only rule), pack parameters)
KYVERNO = {
    "disallow-capabilities": ({None: "capabilities-restricted"}, {}),
    "disallow-default-namespace": ({None: "namespace-not-default"}, {}),
    "disallow-empty-ingress-host": ({None: "ingress-host-required"}, {}),
    "disallow-host-namespaces": ({None: "host-namespaces-disallowed"}, {}),
    "disallow-host-path": ({None: "host-path-restricted"}, {}),
    "disallow-host-ports": ({None: "host-ports-disallowed"}, {}),
    "disallow-latest-tag": ({"require-image-tag": "image-tag-required", "validate-image-tag": "image-tag-not-latest"}, {}),
    "disallow-privilege-escalation": ({None: "privilege-escalation-disallowed"}, {}),
    "disallow-privileged-containers": ({None: "privileged-disallowed"}, {}),
    "metadata-match-regex": ({None: "pod-labels"}, {"podLabels": [{"key": "corp.org/version", "allowedRegex": "^v[0-9].[0-9].[0-9]$"}]}),
    "require-annotations": ({None: "pod-annotations"}, {"podAnnotations": [{"key": "corp.org/department"}]}),
    "require-deployments-have-multiple-replicas": ({None: "replicas-minimum"}, {"minReplicas": 2}),
    "require-drop-all": ({None: "capabilities-drop-all"}, {}),
    "require-image-checksum": ({None: "image-digest-required"}, {}),
    "require-ingress-https": ({"has-annotation": "ingress-allow-http-false", "has-tls": "ingress-tls"}, {}),
    "require-labels": ({None: "pod-labels"}, {"podLabels": [{"key": "app.kubernetes.io/name"}]}),
    "require-pod-requests-limits": ({None: "requests-and-memory-limit"}, {}),
    "require-probes": ({None: "probe-present"}, {}),
    "require-run-as-nonroot": ({None: "run-as-non-root"}, {}),
    "restrict-image-registries": ({None: "allowed-repos"}, {"allowedRepos": ["eu.foo.io/", "bar.io/"]}),
    "restrict-node-port": ({None: "no-nodeport-services"}, {}),
    "restrict-service-external-ips": ({None: "external-ips-allowed"}, {"allowedExternalIPs": []}),
}


def rel(path):
    return os.path.relpath(path, os.path.dirname(OUT))


def object_ref(doc):
    """(kind, namespace, name, operation) of a fixture document (an object or an AdmissionReview)."""
    op = "CREATE"
    if doc.get("kind") == "AdmissionReview":
        req = doc["request"]
        op = req.get("operation", "CREATE")
        ns = req.get("namespace", "")
        doc = req.get("object") or req.get("oldObject")
    else:
        ns = ""
    md = doc.get("metadata", {})
    return doc["kind"], md.get("namespace", ns) or "", md.get("name") or md.get("generateName", ""), op


def gatekeeper_suites():
    suites = []
    for folder in sorted(glob.glob(os.path.join(HERE, "gatekeeper-*"))):
        policy = os.path.basename(folder)[len("gatekeeper-"):]
        rule, to_params = GATEKEEPER[policy]
        by_constraint = collections.OrderedDict()
        for e in json.load(open(os.path.join(folder, "expected.json"))):
            by_constraint.setdefault(e["constraint"], []).append(e)
        for constraint, cases in by_constraint.items():
            c = yaml.safe_load(open(os.path.join(folder, constraint)))
            params = to_params(c["spec"].get("parameters") or {})
            # One suite per case: several cases reuse an object name.
            for e in cases:
                doc = yaml.safe_load(open(os.path.join(folder, e["object"])))
                kind, ns, name, op = object_ref(doc)
                result = e["expected"]
                if result == "pass" and op == "UPDATE":
                    result = "skip"  # the pod-security rules do not check UPDATE (params.checkUpdates)
                suites.append({
                    "name": "gatekeeper-%s--%s--%s" % (policy, e["test"], e["case"]),
                    "policy": "gatekeeper-" + policy,
                    "resources": [rel(os.path.join(folder, e["object"]))],
                    "params": params,
                    "results": [{"rule": "%s/%s" % (PACK, rule), "kind": kind, "name": name, "namespace": ns,
                                 "result": result}],
                })
    return suites


def kyverno_suites():
    suites = []
    for folder in sorted(glob.glob(os.path.join(HERE, "kyverno-*"))):
        policy = os.path.basename(folder)[len("kyverno-"):]
        rules, params = KYVERNO[policy]
        results = []
        for e in json.load(open(os.path.join(folder, "expected.json"))):
            asserted = e.get("rules") or {None: e["expected"]}
            for kyverno_rule, outcome in sorted(asserted.items(), key=lambda kv: str(kv[0])):
                rule = rules.get(kyverno_rule) or rules.get(None)
                results.append({"rule": "%s/%s" % (PACK, rule), "kind": e["kind"], "name": e["name"],
                                "namespace": e["namespace"] or "", "result": outcome})
        suites.append({"name": "kyverno-" + policy, "policy": "kyverno-" + policy,
                       "resources": [rel(os.path.join(folder, "resources.yaml"))], "params": params,
                       "results": results})
    return suites


def flow(v):
    return yaml.safe_dump(v, default_flow_style=True, width=1 << 20).strip()


def render(suites):
    lines = ["# GENERATED by tests/conformance/peers/gen_suites.py from the Gatekeeper and Kyverno libraries'",
             "# own test cases (tests/conformance/peers, Apache-2.0, see ATTRIBUTION.md there). Do not edit:",
             "# change the mapping in gen_suites.py or the pack. One suite per Gatekeeper case, one per",
             "# Kyverno policy; `aimsgate test -v` output fed to `gen_suites.py --report` gives the table."]
    for s in suites:
        lines += ["---", "apiVersion: aimsgate.io/v1alpha1", "kind: RulePackTest",
                  "metadata: {name: %s}" % s["name"], "spec:", "  packs: [../pack.yaml]",
                  "  resources: %s" % flow(s["resources"])]
        if s["params"]:
            lines.append("  params: %s" % flow(s["params"]))
        lines.append("  results:")
        lines += ["  - %s" % flow(r) for r in s["results"]]
    return "\n".join(lines) + "\n"


def report(suites, output):
    """Per policy: expectations, met, not met (from `aimsgate test -v` output)."""
    failed = collections.Counter()
    failures = []
    for line in open(output):
        m = re.search(r": FAIL (\S+)\s+(\S+)\s+(\S+) (\S+): expected (\S+), got (.+)$", line)
        if m:
            suite = m[1]
            failed[suite] += 1
            failures.append(line.strip().split(": FAIL ", 1)[1])
    per_policy = collections.OrderedDict()
    for s in suites:
        p = per_policy.setdefault(s["policy"], [0, 0])
        p[0] += len(s["results"])
        p[1] += failed[s["name"]]
    total = sum(v[0] for v in per_policy.values())
    bad = sum(v[1] for v in per_policy.values())
    print("%-52s %6s %6s %8s" % ("policy", "cases", "met", "not met"))
    for name, (n, f) in per_policy.items():
        print("%-52s %6d %6d %8d" % (name, n, n - f, f))
    print("%-52s %6d %6d %8d  (%.1f%% met)" % ("TOTAL", total, total - bad, bad, 100.0 * (total - bad) / total))
    for f in failures:
        print("not met: " + f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", help="output of `aimsgate test -v rules/k8s-best-practices/tests`")
    ap.add_argument("--check", action="store_true", help="exit 1 when the committed suites are not what this generates")
    a = ap.parse_args()
    suites = gatekeeper_suites() + kyverno_suites()
    if a.report:
        report(suites, a.report)
    elif a.check:
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != render(suites):
            sys.exit("%s is out of date: run %s" % (os.path.relpath(OUT, ROOT), os.path.relpath(__file__, ROOT)))
    else:
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(OUT, "w") as f:
            f.write(render(suites))
        print("%d suites, %d expectations -> %s" % (len(suites), sum(len(s["results"]) for s in suites),
                                                    os.path.relpath(OUT, ROOT)), file=sys.stderr)


if __name__ == "__main__":
    main()
