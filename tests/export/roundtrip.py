#!/usr/bin/env python3
"""Round trip of `aimsgate rules export --format vap` (issue 9 section 2): export a pack, load the
ValidatingAdmissionPolicies back with --rules, and require the same result (pass, fail, skip, error, or
no result) for every exported rule on every resource as the original pack.

  tests/export/roundtrip.py build/aimsgate
"""
import glob
import json
import os
import subprocess
import sys
import re
import tempfile

import yaml

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/aimsgate")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Resources: the peers' fixtures (plain objects), the quick-start examples, the ISO pack's edge cases.
INPUTS = sorted(glob.glob(os.path.join(ROOT, "tests/conformance/peers/kyverno-*/resources.yaml")) +
                [f for f in glob.glob(os.path.join(ROOT, "tests/conformance/peers/gatekeeper-*/objects/*.yaml"))
                 if "kind: AdmissionReview" not in open(f).read()] +
                glob.glob(os.path.join(ROOT, "examples/*.yaml")) +
                glob.glob(os.path.join(ROOT, "rules/iso42001/tests/resources/*.yaml")))


def results(rules):
    p = subprocess.run([BIN, "check", "--format", "json", "--results", "all", "--jobs", "2"] + sum([["--rules", r] for r in rules], []) + INPUTS,
                       capture_output=True, text=True, cwd=ROOT)
    if p.returncode not in (0, 1):
        sys.exit("check failed (%d): %s" % (p.returncode, p.stderr[-3000:]))
    out = {}
    for r in json.loads(p.stdout)["results"]:
        res = r["resource"]
        key = (res.get("source"), res.get("line"), res["kind"], res.get("name"))
        out.setdefault(key, {})[r["rule"]] = r["result"]
    return out


# Functions and macros of the CEL environment of a Kubernetes apiserver (the standard library, the
# strings/lists/regex/url/ip/cidr/quantity/math/sets/optional extensions, cel.bind), written from the
# Kubernetes CEL reference.  Anything an exported expression calls must be one of these.
K8S_CEL = set("""
size int uint double string bytes bool type dyn duration timestamp matches contains startsWith endsWith has
all exists exists_one map filter bind
getDate getDayOfMonth getDayOfWeek getDayOfYear getFullYear getHours getMilliseconds getMinutes getMonth getSeconds
charAt indexOf lastIndexOf lowerAscii upperAscii replace split substring trim join format quote reverse
isSorted sum min max slice find findAll
url isURL getScheme getHost getHostname getPort getEscapedPath getQuery
ip isIP cidr isCIDR family isUnspecified isLoopback isLinkLocalMulticast isLinkLocalUnicast isGlobalUnicast
containsIP containsCIDR masked prefixLength isCanonical
quantity isQuantity sign isGreaterThan isLessThan compareTo add sub asInteger isInteger asApproximateFloat
greatest least ceil floor round trunc abs isInf isNaN isFinite bitAnd bitOr bitXor bitNot bitShiftLeft bitShiftRight
of none ofNonZeroValue hasValue value orValue or optMap optFlatMap equivalent intersects
""".split())
STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
CALLED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def functions_outside_k8s(vap_docs):
    """Names called in the exported CEL that the apiserver's CEL does not have."""
    found = set()
    for doc in vap_docs:
        spec = doc.get("spec", {})
        exprs = [v["expression"] for k in ("variables", "validations", "matchConditions") for v in spec.get(k, []) or []]
        exprs += [v["messageExpression"] for v in spec.get("validations", []) or [] if "messageExpression" in v]
        for e in exprs:
            found |= set(CALLED.findall(STRING_LITERAL.sub("''", e))) - K8S_CEL - {"in"}
    return found


def roundtrip(pack, minimum_exported):
    with tempfile.TemporaryDirectory() as d:
        vap = os.path.join(d, "exported.yaml")
        p = subprocess.run([BIN, "rules", "export", "--format", "vap", pack, "-o", vap], capture_output=True, text=True,
                           cwd=ROOT)
        assert p.returncode == 0, p.stderr
        rule_of = {}
        for doc in yaml.safe_load_all(open(vap)):
            if doc and doc["kind"] == "ValidatingAdmissionPolicy":
                rule_of[doc["metadata"]["name"] + "/validation-0"] = doc["metadata"]["annotations"]["aimsgate.io/rule"]
        assert len(rule_of) >= minimum_exported, (len(rule_of), p.stderr)
        outside = functions_outside_k8s([d for d in yaml.safe_load_all(open(vap)) if d])
        assert not outside, "exported CEL calls functions the apiserver lacks: %s" % sorted(outside)
        original, exported = results([pack]), results([vap])
        mismatches, compared = [], 0
        for key in sorted(set(original) | set(exported), key=str):
            o = original.get(key, {})
            e = {rule_of[r]: v for r, v in exported.get(key, {}).items()}
            for rule in rule_of.values():
                compared += 1
                if o.get(rule) != e.get(rule):
                    mismatches.append("%s %s: original %s, exported %s" % (key, rule, o.get(rule), e.get(rule)))
        print("%s: %d rules exported, %d (resource, rule) pairs compared over %d files, %d differ" % (
            pack, len(rule_of), compared, len(INPUTS), len(mismatches)))
        for m in mismatches[:20]:
            print("  " + m)
        return not mismatches


def namespace_globs():
    """Namespace globs become a matchCondition on request.namespace: the same objects fail and pass; an
    object outside the namespaces has no result in the pack and `skip` (condition false) from the VAP."""
    pack = os.path.join(ROOT, "tests/export/testdata/namespace-globs-pack.yaml")
    pods = os.path.join(ROOT, "tests/export/testdata/namespace-globs-pods.yaml")
    with tempfile.TemporaryDirectory() as d:
        vap = os.path.join(d, "exported.yaml")
        p = subprocess.run([BIN, "rules", "export", "--format", "vap", pack, "-o", vap], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr

        def by_name(rules):
            q = subprocess.run([BIN, "check", "--format", "json", "--results", "all", "--rules", rules, pods], capture_output=True, text=True)
            return {r["resource"]["name"]: r["result"] for r in json.loads(q.stdout)["results"]}
        original, exported = by_name(pack), by_name(vap)
        want = {"p1": "fail", "p2": "fail", "p5": "pass", "p6": "fail"}
        ok = original == want and exported == dict(want, p3="skip", p4="skip")
        print("namespace globs: original %s, exported %s: %s" % (original, exported, "same" if ok else "DIFFER"))
        return ok


ok = namespace_globs()
ok = roundtrip("rules/k8s-best-practices", 39) and ok
ok = roundtrip("builtin:iso42001", 10) and ok
sys.exit(0 if ok else 1)
