#!/usr/bin/env python3
"""Render test of charts/aimsgate, and of the background-audit script, without Helm or a cluster.

  python3 tests/chart/test_chart.py [--workdir DIR] [-v]

Builds tests/chart/render (Go text/template + Debian's sprig, GOPATH mode), renders the chart with the
value sets of tests/chart/values/, and asserts on the rendered objects: kinds, webhook rules and
exclusions, security settings, probes, certificates (checked with the openssl command), ConfigMaps,
the audit CronJob and its RBAC; values.schema.json against values.yaml and each override; the lookup
path that keeps and renews generated certificates; and charts/aimsgate/files/audit.sh driven by
tests/chart/fake-kubectl and a stub aimsgate. Exit status 77 (ctest: skipped) when `go` is missing.
Needs: golang-go golang-github-masterminds-sprig-dev python3-yaml python3-jsonschema openssl.
"""
import argparse
import base64
import copy
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHART = os.path.join(REPO, "charts", "aimsgate")
VALUES = os.path.join(HERE, "values")
SKIP = 77

try:
    import yaml
    import jsonschema
except ImportError as e:  # the README's setup installs both
    print(f"SKIP: {e.name} is missing: apt-get install python3-yaml python3-jsonschema", file=sys.stderr)
    sys.exit(SKIP)

class UniqueKeyLoader(yaml.SafeLoader):
    """Refuses duplicate mapping keys, as the apiserver's strict decoding and Helm do."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


WORK = None      # scratch directory, set in main()
RENDER = None    # the renderer binary

FORBIDDEN_RESOURCES = {"nodes", "leases", "events", "tokenreviews", "subjectaccessreviews",
                       "selfsubjectaccessreviews", "localsubjectaccessreviews", "selfsubjectrulesreviews"}
EXPECTED_RULES = {
    "": {"pods"},
    "apps": {"deployments", "statefulsets", "daemonsets", "replicasets"},
    "batch": {"jobs", "cronjobs"},
    "serving.kserve.io": {"inferenceservices"},
    "machinelearning.seldon.io": {"seldondeployments"},
    "ray.io": {"rayservices"},
}
EXPECTED_AUDIT_KINDS = ("pods,deployments.apps,statefulsets.apps,daemonsets.apps,replicasets.apps,jobs.batch,"
                        "cronjobs.batch,inferenceservices.serving.kserve.io,"
                        "seldondeployments.machinelearning.seldon.io,rayservices.ray.io")
CLUSTER_SCOPED = {"ValidatingWebhookConfiguration", "ClusterRole", "ClusterRoleBinding"}


def build_renderer():
    env = dict(os.environ, GO111MODULE="off", GOPATH=os.environ.get("AIMSGATE_GOPATH", "/usr/share/gocode"),
               GOCACHE=os.path.join(WORK, "gocache"), GOFLAGS="")
    out = os.path.join(WORK, "render")
    subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(HERE, "render"), env=env, check=True)
    return out


def write_values(name, data):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        yaml.safe_dump(data, f)
    return path


def render_raw(*values, namespace="aimsgate-system", release="aimsgate", api_versions=(), lookup=None,
               notes=False, kube_version="v1.30.0", images=True):
    """Runs the renderer; returns (exit status, stdout, stderr). images: start from values/registry.yaml
    (the chart refuses its placeholder image repositories)."""
    cmd = [RENDER, "-chart", CHART, "-namespace", namespace, "-release", release, "-kube-version", kube_version]
    if images:
        values = ("registry.yaml",) + values
    for v in values:
        cmd += ["-f", v if os.path.isabs(v) else os.path.join(VALUES, v)]
    for a in api_versions:
        cmd += ["-api-versions", a]
    if lookup:
        cmd += ["-lookup", lookup]
    if notes:
        cmd.append("-notes")
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


_cache = {}


def render(*values, **kw):
    """Renders and parses; returns the list of objects. Cached per argument set (certs are random)."""
    key = (values, tuple(sorted(kw.items())))
    if key not in _cache:
        rc, out, err = render_raw(*values, **kw)
        if rc != 0:
            raise AssertionError(f"render {values} {kw} failed: {err}")
        _cache[key] = [d for d in yaml.load_all(out, Loader=UniqueKeyLoader) if d is not None]
    return _cache[key]


def find(objs, kind, name=None):
    hits = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    return hits


def one(objs, kind, name=None):
    hits = find(objs, kind, name)
    if len(hits) != 1:
        raise AssertionError(f"want one {kind} {name or ''}, got {len(hits)}")
    return hits[0]


def container(deploy, name="webhook"):
    return next(c for c in deploy["spec"]["template"]["spec"]["containers"] if c["name"] == name)


def cronjob_pod(cron):
    return cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, text=True)


def pem_file(name, b64):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(base64.b64decode(b64))
    return path


class Common:
    """Invariants every rendering must keep."""

    def check_common(self, objs, namespace, fullname, tls_secret=None):
        self.assertTrue(objs)
        for o in objs:
            with self.subTest(obj=f'{o.get("kind")}/{o.get("metadata", {}).get("name")}'):
                self.assertIsInstance(o.get("apiVersion"), str)
                self.assertIsInstance(o.get("kind"), str)
                self.assertRegex(o["metadata"]["name"], r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
                self.assertLessEqual(len(o["metadata"]["name"]), 63)
                if o["kind"] in CLUSTER_SCOPED:
                    self.assertNotIn("namespace", o["metadata"])
                else:
                    self.assertEqual(o["metadata"]["namespace"], namespace)
                labels = o["metadata"]["labels"]
                self.assertEqual(labels["app.kubernetes.io/managed-by"], "Helm")
                for k, v in labels.items():
                    self.assertIsInstance(v, str, k)
                    self.assertRegex(v, r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", k)
                    self.assertLessEqual(len(v), 63)
        names = [(o["kind"], o["metadata"]["name"]) for o in objs]
        self.assertEqual(len(names), len(set(names)), "duplicate objects")

        deploy = one(objs, "Deployment", fullname)
        pod = deploy["spec"]["template"]["spec"]
        c = container(deploy)
        # Pod security: non-root, read-only, no privilege escalation, no capabilities, seccomp.
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(pod["securityContext"]["runAsUser"], 65532)
        self.assertEqual(pod["securityContext"]["seccompProfile"], {"type": "RuntimeDefault"})
        sc = c["securityContext"]
        self.assertIs(sc["readOnlyRootFilesystem"], True)
        self.assertIs(sc["allowPrivilegeEscalation"], False)
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertIs(pod["automountServiceAccountToken"], False)
        # Probes over HTTPS on the serving port.
        port_names = {p["name"]: p["containerPort"] for p in c["ports"]}
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = c[probe]["httpGet"]
            self.assertEqual((get["path"], get["scheme"]), (path, "HTTPS"))
            self.assertIn(get["port"], port_names)
        self.assertIn(f"--listen=:{port_names['https']}", c["args"])
        self.assertEqual(c["args"][0], "serve")
        self.assertTrue(c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"])
        self.assertTrue(c["resources"]["limits"]["memory"])
        # Pod name for the evidence file.
        env = {e["name"]: e for e in c["env"]}
        self.assertEqual(env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"], "metadata.name")
        # Volumes: every mount has a volume, none uses subPath (it would block hot reload).
        vols = {v["name"]: v for v in pod["volumes"]}
        for m in c["volumeMounts"]:
            self.assertIn(m["name"], vols)
            self.assertNotIn("subPath", m)
        self.assertEqual(vols["tls"]["secret"]["secretName"], tls_secret or f"{fullname}-tls")
        # Every file argument points into a mounted directory.
        mounts = [m["mountPath"] for m in c["volumeMounts"]]
        for a in c["args"]:
            m = re.match(r"^--(tls-cert|tls-key|client-ca|rules|params|inventory|waivers|evidence|evidence-key)=(/.*)$", a)
            if m:
                self.assertTrue(any(m.group(2) == p or m.group(2).startswith(p + "/") for p in mounts), a)
        # Grace period covers the preStop sleep with room to drain.
        prestop = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        self.assertGreaterEqual(pod["terminationGracePeriodSeconds"], prestop + 20)
        # Service and PDB select the webhook pods; the Service targets the named port.
        pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
        self.assertEqual(deploy["spec"]["selector"]["matchLabels"].items() - pod_labels.items(), set())
        svc = one(objs, "Service", fullname)
        self.assertEqual(svc["spec"]["selector"].items() - pod_labels.items(), set())
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], "https")
        pdb = one(objs, "PodDisruptionBudget", fullname)
        self.assertEqual(pdb["apiVersion"], "policy/v1")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"].items() - pod_labels.items(), set())
        # The webhook configuration.
        vwc = one(objs, "ValidatingWebhookConfiguration")
        self.assertEqual(len(vwc["webhooks"]), 1)
        wh = vwc["webhooks"][0]
        self.assertEqual(wh["sideEffects"], "None")
        self.assertEqual(wh["admissionReviewVersions"], ["v1"])
        self.assertEqual(wh["matchPolicy"], "Equivalent")
        self.assertIn(wh["failurePolicy"], ("Fail", "Ignore"))
        self.assertTrue(1 <= wh["timeoutSeconds"] <= 30)
        self.assertEqual(wh["clientConfig"]["service"],
                         {"name": fullname, "namespace": namespace, "path": "/validate",
                          "port": svc["spec"]["ports"][0]["port"]})
        excl = [e for e in wh["namespaceSelector"]["matchExpressions"] if e["key"] == "kubernetes.io/metadata.name"]
        self.assertEqual(len(excl), 1)
        self.assertEqual(excl[0]["operator"], "NotIn")
        self.assertTrue({"kube-system", "kube-public", "kube-node-lease", namespace} <= set(excl[0]["values"]))
        for rule in wh["rules"]:
            self.assertEqual(rule["operations"], ["CREATE", "UPDATE"])
            self.assertEqual(rule["scope"], "Namespaced")
            for r in rule["resources"]:
                self.assertNotIn(r, FORBIDDEN_RESOURCES)
                self.assertNotIn("*", r)
                self.assertNotIn("/", r)
        return deploy, wh


class DefaultsTest(Common, unittest.TestCase):
    """(a) helm install with the defaults."""

    def setUp(self):
        self.objs = render()

    def test_kinds(self):
        kinds = sorted(o["kind"] for o in self.objs)
        self.assertEqual(kinds, sorted([
            "ClusterRole", "ClusterRoleBinding", "ConfigMap", "CronJob", "Deployment", "PodDisruptionBudget",
            "Secret", "Secret", "Service", "ServiceAccount", "ServiceAccount", "ValidatingWebhookConfiguration",
            "NetworkPolicy", "ResourceQuota", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Job"]))

    def test_common(self):
        self.check_common(self.objs, "aimsgate-system", "aimsgate")

    def test_deployment(self):
        d = one(self.objs, "Deployment")
        pod = d["spec"]["template"]["spec"]
        self.assertEqual(d["spec"]["replicas"], 2)
        self.assertEqual(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0)
        self.assertEqual(pod["priorityClassName"], "system-cluster-critical")
        anti = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
        self.assertEqual(anti["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname")
        c = container(d)
        self.assertEqual(c["image"], "registry.example.com/aimsgate:0.1.0")
        # A fresh install audits: nothing denied until the operator moves to enforce.
        self.assertEqual(c["args"], [
            "serve", "--listen=:8443", "--tls-cert=/etc/aimsgate/tls/tls.crt", "--tls-key=/etc/aimsgate/tls/tls.key",
            "--tls-min-version=1.3", "--threads=64", "--max-connections=1024", "--max-body-bytes=7340032", "--read-timeout=10",
            "--write-timeout=10", "--rules=builtin:iso42001", "--enforcement=audit",
            "--evidence=/var/lib/aimsgate/evidence/$(POD_NAME).jsonl"])
        self.assertNotIn("hostNetwork", pod)
        self.assertEqual(c["lifecycle"]["preStop"]["sleep"]["seconds"], 10)
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(vols["evidence"], {"name": "evidence", "emptyDir": {"sizeLimit": "1Gi"}})
        self.assertNotIn("packs", vols)  # the built-in pack needs no ConfigMap

    def test_skip_controller_created(self):
        wh = one(self.objs, "ValidatingWebhookConfiguration")["webhooks"][0]
        self.assertEqual([c["name"] for c in wh["matchConditions"]], ["skip-controller-created"])
        expr = wh["matchConditions"][0]["expression"]
        self.assertIn("system:serviceaccount:kube-system:", expr)
        self.assertIn("ownerReferences", expr)
        # Before 1.28 there are no matchConditions: everything is sent.
        self.assertNotIn("matchConditions", one(render(kube_version="v1.27.9"),
                                                    "ValidatingWebhookConfiguration")["webhooks"][0])
        path = write_values("noskip.yaml", {"webhook": {"skipControllerCreated": False}})
        self.assertNotIn("matchConditions", one(render(path), "ValidatingWebhookConfiguration")["webhooks"][0])
        rc, _, err = render_raw("custom.yaml", kube_version="v1.27.9")
        self.assertNotEqual(rc, 0)
        self.assertIn("matchConditions needs Kubernetes 1.28", err)

    def test_no_prestop_sleep_before_1_30(self):
        d = one(render(kube_version="v1.29.4"), "Deployment")
        self.assertNotIn("lifecycle", container(d))

    def test_pdb(self):
        pdb = one(self.objs, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)

    def test_webhook(self):
        wh = one(self.objs, "ValidatingWebhookConfiguration")["webhooks"][0]
        # Audit by default, so an unreachable webhook never blocks the cluster.
        self.assertEqual(wh["failurePolicy"], "Ignore")
        self.assertEqual(wh["timeoutSeconds"], 5)
        got = {}
        for r in wh["rules"]:
            self.assertEqual(len(r["apiGroups"]), 1)
            got.setdefault(r["apiGroups"][0], set()).update(r["resources"])
        self.assertEqual(got, EXPECTED_RULES)
        excl = wh["namespaceSelector"]["matchExpressions"][0]["values"]
        self.assertEqual(excl, ["kube-system", "kube-public", "kube-node-lease", "aimsgate-system"])
        # The opt-out label.
        self.assertEqual(wh["namespaceSelector"]["matchExpressions"][1:],
                         [{"key": "aimsgate.io/ignore", "operator": "DoesNotExist"}])
        self.assertNotIn("objectSelector", wh)

    def test_generated_certificates(self):
        tls = one(self.objs, "Secret", "aimsgate-tls")
        ca = one(self.objs, "Secret", "aimsgate-ca")
        self.assertEqual(tls["type"], "kubernetes.io/tls")
        crt = pem_file("tls.crt", tls["data"]["tls.crt"])
        key = pem_file("tls.key", tls["data"]["tls.key"])
        cacrt = pem_file("ca.crt", tls["data"]["ca.crt"])
        self.assertEqual(tls["data"]["ca.crt"], ca["data"]["tls.crt"])
        # Valid PEM that openssl parses; the SAN names the Service; signed by the CA; key matches.
        p = openssl("x509", "-noout", "-subject", "-ext", "subjectAltName", "-in", crt)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("CN = aimsgate.aimsgate-system.svc", p.stdout)
        for name in ("aimsgate", "aimsgate.aimsgate-system", "aimsgate.aimsgate-system.svc",
                     "aimsgate.aimsgate-system.svc.cluster.local"):
            self.assertRegex(p.stdout, rf"DNS:{re.escape(name)}(,|$|\n)")
        p = openssl("verify", "-CAfile", cacrt, crt)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        pub_cert = openssl("x509", "-noout", "-pubkey", "-in", crt).stdout
        pub_key = openssl("pkey", "-pubout", "-in", key).stdout
        self.assertTrue(pub_cert.startswith("-----BEGIN PUBLIC KEY-----"))
        self.assertEqual(pub_cert, pub_key)
        # Lifetimes: server 365 days, CA 3650 days (checkend: still valid in N seconds?).
        day = 86400
        self.assertEqual(openssl("x509", "-noout", "-checkend", str(364 * day), "-in", crt).returncode, 0)
        self.assertNotEqual(openssl("x509", "-noout", "-checkend", str(366 * day), "-in", crt).returncode, 0)
        self.assertEqual(openssl("x509", "-noout", "-checkend", str(3649 * day), "-in", cacrt).returncode, 0)
        self.assertNotEqual(openssl("x509", "-noout", "-checkend", str(3651 * day), "-in", cacrt).returncode, 0)
        p = openssl("x509", "-noout", "-text", "-in", cacrt)
        self.assertIn("CA:TRUE", p.stdout)
        # The annotation the renewal logic reads agrees with the certificate.
        end = openssl("x509", "-noout", "-enddate", "-in", crt).stdout.strip().split("=", 1)[1]
        end_dt = datetime.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
        ann = datetime.datetime.strptime(tls["metadata"]["annotations"]["aimsgate.io/not-after"], "%Y-%m-%dT%H:%M:%SZ")
        self.assertLess(abs((end_dt - ann.replace(tzinfo=datetime.timezone.utc)).total_seconds()), 120)
        # The webhook trusts exactly that CA.
        wh = one(self.objs, "ValidatingWebhookConfiguration")["webhooks"][0]
        self.assertEqual(wh["clientConfig"]["caBundle"], ca["data"]["tls.crt"])

    def test_audit_cronjob(self):
        cron = one(self.objs, "CronJob", "aimsgate-audit")
        self.assertEqual(cron["spec"]["concurrencyPolicy"], "Forbid")
        pod = cronjob_pod(cron)
        c = pod["containers"][0]
        self.assertEqual(c["command"], ["/bin/sh", "/etc/aimsgate/audit/audit.sh"])
        self.assertEqual(c["args"], ["--rules=builtin:iso42001"])
        env = {e["name"]: e.get("value") for e in c["env"]}
        self.assertEqual(env["AUDIT_KINDS"], EXPECTED_AUDIT_KINDS)
        self.assertEqual(env["PRINT_EVIDENCE"], "true")
        self.assertEqual(c["securityContext"]["readOnlyRootFilesystem"], True)
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertEqual(pod["serviceAccountName"], "aimsgate-audit")
        self.assertEqual(c["image"], "registry.example.com/aimsgate-audit:0.1.0")
        script = one(self.objs, "ConfigMap", "aimsgate-audit-script")["data"]["audit.sh"]
        with open(os.path.join(CHART, "files", "audit.sh")) as f:
            self.assertEqual(script, f.read().strip())
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(vols["script"]["configMap"]["name"], "aimsgate-audit-script")

    def test_audit_rbac(self):
        role = one(self.objs, "ClusterRole", "aimsgate-audit")
        reads = {}
        for r in role["rules"]:
            if r["verbs"] == ["get", "list"]:
                reads.setdefault(r["apiGroups"][0], set()).update(r["resources"])
        self.assertEqual(reads, EXPECTED_RULES)
        reports = [r for r in role["rules"] if r["apiGroups"] == ["wgpolicyk8s.io"]]
        self.assertEqual(len(reports), 1)
        self.assertEqual(set(reports[0]["resources"]), {"policyreports", "clusterpolicyreports"})
        self.assertTrue({"create", "patch", "get", "delete"} <= set(reports[0]["verbs"]))
        self.assertFalse(any("*" in r["verbs"] or "*" in r["resources"] for r in role["rules"]))
        binding = one(self.objs, "ClusterRoleBinding", "aimsgate-audit")
        self.assertEqual(binding["roleRef"]["name"], "aimsgate-audit")
        self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "aimsgate-audit",
                                                "namespace": "aimsgate-system"}])

    def test_notes(self):
        rc, out, err = render_raw(notes=True)
        self.assertEqual(rc, 0, err)
        self.assertIn("kubectl delete validatingwebhookconfiguration aimsgate", out)
        self.assertIn("enforcement:    audit", out)
        self.assertIn("failurePolicy:  Ignore", out)
        self.assertIn("--set enforcement.mode=enforce", out)
        self.assertIn("WARNING: evidence is on but the webhook does not authenticate its caller", out)
        self.assertIn("set networkPolicy.apiserverCIDRs", out)
        # Enforcing, with client certificates: neither the audit-mode steps nor the warning.
        path = write_values("notes-enforce.yaml", {"enforcement": {"mode": "enforce"}, "tls": {"clientAuth": {
            "enabled": True, "caConfigMap": "apiserver-client-ca"}}})
        rc, out, err = render_raw(path, notes=True)
        self.assertEqual(rc, 0, err)
        self.assertIn("enforcement:    enforce", out)
        self.assertNotIn("AUDIT MODE", out)
        self.assertNotIn("WARNING", out)


class CertManagerTest(Common, unittest.TestCase):
    """(b) certificates from cert-manager."""

    def setUp(self):
        self.objs = render("certmanager.yaml", api_versions=("cert-manager.io/v1",))

    def test_common(self):
        self.check_common(self.objs, "aimsgate-system", "aimsgate")

    def test_objects(self):
        self.assertEqual(find(self.objs, "Secret"), [])
        self.assertEqual(len(find(self.objs, "Issuer")), 2)
        serving = one(self.objs, "Certificate", "aimsgate-serving")
        ca = one(self.objs, "Certificate", "aimsgate-ca")
        self.assertTrue(ca["spec"]["isCA"])
        self.assertEqual(one(self.objs, "Issuer", "aimsgate-ca")["spec"]["ca"]["secretName"], ca["spec"]["secretName"])
        self.assertEqual(serving["spec"]["issuerRef"]["name"], "aimsgate-ca")
        self.assertIn("aimsgate.aimsgate-system.svc", serving["spec"]["dnsNames"])
        self.assertEqual(serving["spec"]["duration"], "8760h")
        d = one(self.objs, "Deployment")
        vols = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(vols["tls"]["secret"]["secretName"], serving["spec"]["secretName"])
        vwc = one(self.objs, "ValidatingWebhookConfiguration")
        self.assertEqual(vwc["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
                         "aimsgate-system/aimsgate-serving")
        self.assertNotIn("caBundle", vwc["webhooks"][0]["clientConfig"])

    def test_external_issuer(self):
        path = write_values("issuer.yaml", {"certificates": {"source": "certManager", "certManager": {
            "issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}}}})
        objs = render(path, api_versions=("cert-manager.io/v1",))
        self.assertEqual(find(objs, "Issuer"), [])
        self.assertEqual([c["metadata"]["name"] for c in find(objs, "Certificate")], ["aimsgate-serving"])
        self.assertEqual(one(objs, "Certificate")["spec"]["issuerRef"]["kind"], "ClusterIssuer")

    def test_requires_cert_manager(self):
        rc, _, err = render_raw("certmanager.yaml")
        self.assertNotEqual(rc, 0)
        self.assertIn("install cert-manager first", err)


class AuditModeTest(Common, unittest.TestCase):
    """(c) rollout in audit mode, and one pack in audit mode."""

    def test_audit_mode(self):
        objs = render("audit-mode.yaml")
        deploy, wh = self.check_common(objs, "aimsgate-system", "aimsgate")
        self.assertIn("--enforcement=audit", container(deploy)["args"])
        self.assertEqual(wh["failurePolicy"], "Ignore")
        rc, out, _ = render_raw("audit-mode.yaml", notes=True)
        self.assertIn("allowed, with the findings recorded", out)

    def test_explicit_failure_policy_wins(self):
        path = write_values("audit-fail.yaml", {"enforcement": {"mode": "warn"}, "webhook": {"failurePolicy": "Fail"}})
        objs = render(path)
        self.assertEqual(one(objs, "ValidatingWebhookConfiguration")["webhooks"][0]["failurePolicy"], "Fail")
        self.assertIn("--enforcement=warn", container(one(objs, "Deployment"))["args"])

    def test_one_pack_in_audit(self):
        objs = render("audit-pack.yaml")
        deploy, wh = self.check_common(objs, "aimsgate-system", "aimsgate")
        args = container(deploy)["args"]
        self.assertEqual(wh["failurePolicy"], "Fail")
        self.assertIn("--enforcement=team-llm=audit", args)
        self.assertFalse(any(a in ("--enforcement=audit", "--enforcement=warn") for a in args))
        self.assertIn("--rules=builtin:iso42001", args)
        self.assertIn("--rules=/etc/aimsgate/packs", args)
        pack = yaml.safe_load(one(objs, "ConfigMap", "aimsgate-packs")["data"]["team-llm.yaml"])
        self.assertEqual(pack["metadata"]["name"], "team-llm")


class CustomNamespaceTest(Common, unittest.TestCase):
    """(d) another namespace and release name, with every optional input."""

    NS = "ml-governance"

    def setUp(self):
        self.objs = render("custom.yaml", namespace=self.NS, release="gate")

    def test_common(self):
        self.check_common(self.objs, self.NS, "gate-aimsgate")

    def test_webhook(self):
        wh = one(self.objs, "ValidatingWebhookConfiguration", "gate-aimsgate")["webhooks"][0]
        exprs = wh["namespaceSelector"]["matchExpressions"]
        self.assertEqual(exprs[0]["values"], ["kube-system", "kube-public", "kube-node-lease", self.NS,
                                              "monitoring", "ingress-nginx"])
        self.assertEqual(exprs[1], {"key": "aimsgate.io/ignore", "operator": "DoesNotExist"})
        self.assertEqual(wh["timeoutSeconds"], 10)
        self.assertEqual(wh["clientConfig"]["service"]["port"], 8443)
        self.assertEqual([c["name"] for c in wh["matchConditions"]], ["skip-controller-created", "not-node-users"])

    def test_certificate_names_service(self):
        tls = one(self.objs, "Secret", "gate-aimsgate-tls")
        crt = pem_file("custom.crt", tls["data"]["tls.crt"])
        p = openssl("x509", "-noout", "-ext", "subjectAltName", "-in", crt)
        self.assertIn(f"DNS:gate-aimsgate.{self.NS}.svc", p.stdout)

    def test_inputs(self):
        d = one(self.objs, "Deployment", "gate-aimsgate")
        c = container(d)
        args = c["args"]
        for a in ("--rules=builtin:iso42001", "--rules=/etc/aimsgate/packs", "--params=/etc/aimsgate/params/params.yaml",
                  "--inventory=/etc/aimsgate/inventory/inventory.yaml", "--waivers=/etc/aimsgate/waivers/waivers.yaml",
                  "--client-ca=/etc/aimsgate/client-ca/ca.crt", "--client-cn=kube-apiserver-webhook-client",
                  "--tls-min-version=1.2", "--max-body-bytes=10485760", "--listen=:9443", "--threads=16",
                  "--evidence=/var/lib/aimsgate/evidence/$(POD_NAME).jsonl",
                  "--evidence-key=/etc/aimsgate/evidence-key/evidence.key"):
            self.assertIn(a, args)
        self.assertEqual(c["image"], "registry.example.com/aimsgate@sha256:" + "0123456789abcdef" * 4)
        self.assertEqual(d["spec"]["replicas"], 3)
        pod = d["spec"]["template"]["spec"]
        self.assertNotIn("priorityClassName", pod)
        self.assertIn("requiredDuringSchedulingIgnoredDuringExecution", pod["affinity"]["podAntiAffinity"])
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(vols["evidence"]["persistentVolumeClaim"]["claimName"], "gate-aimsgate-evidence")
        self.assertEqual(vols["client-ca"]["configMap"]["name"], "apiserver-client-ca")
        self.assertEqual(vols["evidence-key"]["secret"]["secretName"], "aimsgate-evidence-key")
        # ConfigMap contents parse back to what was given.
        pack = yaml.safe_load(one(self.objs, "ConfigMap", "gate-aimsgate-packs")["data"]["org-extra.yaml"])
        self.assertEqual(pack["kind"], "RulePack")
        self.assertEqual(pack["spec"]["rules"][0]["message"], "AI system '{{object.metadata.name}}' has no cost-center label")
        params = yaml.safe_load(one(self.objs, "ConfigMap", "gate-aimsgate-params")["data"]["params.yaml"])
        self.assertEqual(params["highRiskTiers"], ["high", "limited"])
        inv = yaml.safe_load(one(self.objs, "ConfigMap", "gate-aimsgate-inventory")["data"]["inventory.yaml"])
        self.assertEqual(inv["systems"][0]["impactAssessments"][0]["id"], "AIA-2026-014")
        waivers = list(yaml.safe_load_all(one(self.objs, "ConfigMap", "gate-aimsgate-waivers")["data"]["waivers.yaml"]))
        self.assertEqual([w["metadata"]["name"] for w in waivers],
                         ["legacy-scorer-impact-assessment", "sandbox-model-card"])
        pvc = one(self.objs, "PersistentVolumeClaim", "gate-aimsgate-evidence")
        self.assertEqual(pvc["spec"]["accessModes"], ["ReadWriteMany"])
        self.assertEqual(pvc["spec"]["storageClassName"], "efs")
        self.assertEqual(pvc["metadata"]["annotations"]["helm.sh/resource-policy"], "keep")
        sm = one(self.objs, "ServiceMonitor", "gate-aimsgate")
        self.assertEqual(sm["spec"]["endpoints"][0]["tlsConfig"]["serverName"], f"gate-aimsgate.{self.NS}.svc")

    def test_audit_shares_inputs(self):
        d = one(self.objs, "Deployment", "gate-aimsgate")
        serve_policy = [a for a in container(d)["args"] if re.match(r"--(rules|params|inventory|waivers)=", a)]
        cron = one(self.objs, "CronJob", "gate-aimsgate-audit")
        pod = cronjob_pod(cron)
        c = pod["containers"][0]
        self.assertEqual(c["args"], serve_policy)
        env = {e["name"]: e.get("value") for e in c["env"]}
        self.assertEqual(env["AUDIT_KINDS"], "deployments.apps,inferenceservices.serving.kserve.io")
        self.assertEqual(env["EVIDENCE_FILE"], "/var/lib/aimsgate/evidence/audit.jsonl")
        self.assertNotIn("PRINT_EVIDENCE", env)
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(vols["evidence"]["persistentVolumeClaim"]["claimName"], "gate-aimsgate-evidence")
        for name in ("packs", "params", "inventory", "waivers"):
            self.assertIn(name, vols)
        self.assertEqual(cron["spec"]["schedule"], "*/30 * * * *")


class SchemaTest(unittest.TestCase):
    """values.schema.json: draft-07, accepts the defaults and the overrides, refuses bad values."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(CHART, "values.schema.json")) as f:
            cls.schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(cls.schema)
        cls.validator = jsonschema.Draft7Validator(cls.schema)
        with open(os.path.join(CHART, "values.yaml")) as f:
            cls.defaults = yaml.safe_load(f)

    @staticmethod
    def merge(dst, src):
        for k, v in src.items():
            if isinstance(v, dict) and isinstance(dst.get(k), dict):
                SchemaTest.merge(dst[k], v)
            elif v is None:
                dst.pop(k, None)
            else:
                dst[k] = v
        return dst

    def errors(self, override):
        values = self.merge(copy.deepcopy(self.defaults), override)
        return [e.message for e in self.validator.iter_errors(values)]

    def test_defaults_valid(self):
        self.assertEqual(self.errors({}), [])

    def test_every_value_described(self):
        def walk(values, schema, path):
            schema = self.resolve(schema)
            if isinstance(values, dict) and schema.get("additionalProperties") is False:
                for k, v in values.items():
                    self.assertIn(k, schema["properties"], f"{path}.{k} is not in values.schema.json")
                    walk(v, schema["properties"][k], f"{path}.{k}")
        walk(self.defaults, self.schema, "")
        self.assertIs(self.schema["additionalProperties"], False)

    def resolve(self, schema):
        ref = schema.get("$ref")
        if ref:
            return self.schema["definitions"][ref.split("/")[-1]]
        return schema

    def test_readme_lists_every_value(self):
        with open(os.path.join(CHART, "README.md")) as f:
            readme = f.read()
        missing = []

        def walk(v, path):
            if isinstance(v, dict) and v:
                for k, x in v.items():
                    walk(x, f"{path}.{k}" if path else k)
                return
            parts = path.split(".")
            if not any(f"| `{'.'.join(parts[:n])}` |" in readme for n in range(len(parts), 0, -1)):
                missing.append(path)
        walk(self.defaults, "")
        self.assertEqual(missing, [], "values missing from charts/aimsgate/README.md")

    def test_schedule_macros_valid(self):
        for schedule in ("@hourly", "@daily", "17 * * * *", "*/30 2-6 * * 1-5"):
            with self.subTest(schedule=schedule):
                self.assertEqual(self.errors({"audit": {"schedule": schedule}}), [])

    def test_global_accepted(self):
        # As a subchart, the parent passes `global`; Helm validates it against this schema.
        self.assertEqual(self.errors({"global": {"imageRegistry": "registry.example.com"}}), [])

    def test_overrides_valid(self):
        for name in sorted(os.listdir(VALUES)):
            with self.subTest(values=name):
                with open(os.path.join(VALUES, name)) as f:
                    self.assertEqual(self.errors(yaml.safe_load(f)), [])

    def test_bad_values_refused(self):
        bad = {
            "nodes in workloads": {"workloads": [{"apiGroup": "", "apiVersions": ["v1"], "resources": ["nodes"]}]},
            "leases": {"workloads": [{"apiGroup": "coordination.k8s.io", "apiVersions": ["v1"], "resources": ["leases"]}]},
            "subresource": {"workloads": [{"apiGroup": "", "apiVersions": ["v1"], "resources": ["pods/exec"]}]},
            "wildcard": {"workloads": [{"apiGroup": "", "apiVersions": ["v1"], "resources": ["*"]}]},
            "unknown mode": {"enforcement": {"mode": "block"}},
            "timeout too long": {"webhook": {"timeoutSeconds": 31}},
            "bad failurePolicy": {"webhook": {"failurePolicy": "Deny"}},
            "typo key": {"replicaCout": 2},
            "bad cidr": {"networkPolicy": {"apiserverCIDRs": ["control-plane"]}},
            "bad opt-out label": {"webhook": {"namespaceOptOutLabel": "no spaces allowed"}},
            "existingSecret without name": {"certificates": {"source": "existingSecret"}},
            "expiry alert of 0 days": {"metrics": {"prometheusRule": {"certificateExpiryDays": 0}}},
            "hpa 0 replicas": {"autoscaling": {"minReplicas": 0}},
            "root allowed": {"podSecurityContext": {"runAsNonRoot": False}},
            "writable root": {"securityContext": {"readOnlyRootFilesystem": False}},
            "tls 1.1": {"tls": {"minVersion": "1.1"}},
            "bad cert source": {"certificates": {"source": "vault"}},
            "string replicas": {"replicaCount": "2"},
            "bad digest": {"image": {"digest": "latest"}},
            "bad schedule": {"audit": {"schedule": "every hour"}},
        }
        for name, override in bad.items():
            with self.subTest(case=name):
                self.assertNotEqual(self.errors(override), [])


class RenderGuardsTest(unittest.TestCase):
    """Values the templates themselves refuse (also with schema validation skipped)."""

    def test_forbidden_workload(self):
        for resource in ("nodes", "leases", "events", "tokenreviews", "pods/exec"):
            with self.subTest(resource=resource):
                path = write_values("forbidden.yaml", {"workloads": [
                    {"apiGroup": "", "apiVersions": ["v1"], "resources": ["pods", resource]}]})
                rc, _, err = render_raw(path)
                self.assertNotEqual(rc, 0)
                self.assertIn("must not be sent to an admission webhook", err)

    def test_no_pack(self):
        path = write_values("nopack.yaml", {"packs": {"builtin": False}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("no rule pack would be loaded", err)

    def test_bad_pack_file_name(self):
        path = write_values("badname.yaml", {"packs": {"files": {"../etc/passwd": "x"}}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("must be a file name ending in .yaml", err)

    def test_client_auth_needs_ca(self):
        path = write_values("clientauth.yaml", {"tls": {"clientAuth": {"enabled": True}}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("tls.clientAuth.caConfigMap is required", err)

    def test_evidence_modes(self):
        for mode, arg, volume in (("stdout", "--evidence=-", False), ("none", None, False),
                                  ("emptyDir", "--evidence=/var/lib/aimsgate/evidence/$(POD_NAME).jsonl", True)):
            with self.subTest(mode=mode):
                path = write_values(f"evidence-{mode}.yaml", {"evidence": {"mode": mode, "keySecret": {"name": "k"}}})
                objs = render(path)
                c = container(one(objs, "Deployment"))
                evidence_args = [a for a in c["args"] if a.startswith("--evidence")]
                want = [arg, "--evidence-key=/etc/aimsgate/evidence-key/evidence.key"] if arg else []
                self.assertEqual(evidence_args, want)
                self.assertEqual(any(m["name"] == "evidence" for m in c["volumeMounts"]), volume)
                env = {e["name"]: e.get("value") for e in cronjob_pod(one(objs, "CronJob"))["containers"][0]["env"]}
                self.assertEqual(env["EVIDENCE_FILE"], "" if mode == "none" else "/tmp/aimsgate-audit/evidence.jsonl")

    def test_no_anti_affinity(self):
        path = write_values("noaffinity.yaml", {"podAntiAffinity": "none", "podDisruptionBudget": {"enabled": False}})
        objs = render(path)
        self.assertNotIn("affinity", one(objs, "Deployment")["spec"]["template"]["spec"])
        self.assertEqual(find(objs, "PodDisruptionBudget"), [])

    def test_audit_disabled(self):
        path = write_values("noaudit.yaml", {"audit": {"enabled": False}})
        objs = render(path)
        self.assertEqual(find(objs, "CronJob") + find(objs, "ClusterRole", "aimsgate-audit"), [])


class ModelCatalogueTest(unittest.TestCase):
    """models.catalogue / models.volume: the --models catalogue mounted for serve and the audit (issue 17 item 4)."""

    EXAMPLES = os.path.join(REPO, "examples", "models")

    def catalogue_values(self, model_dir=None):
        def text(*parts):
            with open(os.path.join(self.EXAMPLES, *parts)) as f:
                return f.read()
        verify = {"publicKey": "signing-key.pub"}
        if model_dir:
            verify["modelDir"] = model_dir
        return {"models": {
            "catalogue": {
                "fraud-scorer": {"README.md": text("fraud-scorer", "README.md"),
                                 "model.sig": json.loads(text("fraud-scorer", "model.sig")),
                                 "signing-key.pub": text("fraud-scorer", "signing-key.pub"),
                                 "verify.yaml": verify},
                "ticket-priority-classifier": {"README.md": text("ticket-priority-classifier", "README.md"),
                                               "bom.json": text("ticket-priority-classifier", "bom.json")}},
            "filesVolume": {"persistentVolumeClaim": {"claimName": "model-store", "readOnly": True}}}}

    def test_catalogue_mounted_for_serve_and_audit(self):
        objs = render(write_values("models.yaml", self.catalogue_values("/var/lib/aimsgate/model-files/fraud-scorer")))
        cm = one(objs, "ConfigMap", "aimsgate-models")
        self.assertEqual(sorted(cm["data"]), ["fraud-scorer.README.md", "fraud-scorer.model.sig",
                                              "fraud-scorer.signing-key.pub", "fraud-scorer.verify.yaml",
                                              "ticket-priority-classifier.README.md",
                                              "ticket-priority-classifier.bom.json"])
        self.assertEqual(yaml.safe_load(cm["data"]["fraud-scorer.verify.yaml"])["publicKey"], "signing-key.pub")
        self.assertIn("dsseEnvelope", json.loads(cm["data"]["fraud-scorer.model.sig"]))
        d = one(objs, "Deployment")
        pod = d["spec"]["template"]["spec"]
        vols = {v["name"]: v for v in pod["volumes"]}
        items = {i["key"]: i["path"] for i in vols["models"]["configMap"]["items"]}
        self.assertEqual(items["fraud-scorer.verify.yaml"], "fraud-scorer/verify.yaml")
        self.assertEqual(items["ticket-priority-classifier.bom.json"], "ticket-priority-classifier/bom.json")
        self.assertEqual(len(items), 6)
        self.assertEqual(vols["model-files"]["persistentVolumeClaim"]["claimName"], "model-store")
        c = container(d)
        self.assertIn("--models=/etc/aimsgate/models", c["args"])
        mounts = {m["name"]: m for m in c["volumeMounts"]}
        self.assertEqual(mounts["models"]["mountPath"], "/etc/aimsgate/models")
        self.assertEqual(mounts["model-files"]["mountPath"], "/var/lib/aimsgate/model-files")
        self.assertTrue(mounts["models"]["readOnly"] and mounts["model-files"]["readOnly"])
        self.assertNotIn("subPath", mounts["models"])  # whole directory: ConfigMap updates reach the pod
        audit = cronjob_pod(one(objs, "CronJob"))
        self.assertIn("--models=/etc/aimsgate/models", audit["containers"][0]["args"])
        self.assertIn("models", {v["name"] for v in audit["volumes"]})

    def test_catalogue_as_projected_loads_in_the_engine(self):
        """The ConfigMap laid out as its items say is a catalogue the real binary loads and applies."""
        if not os.environ.get("CHART_TEST_AIMSGATE"):
            self.skipTest("no --aimsgate binary given")
        files = tempfile.mkdtemp(prefix="model-files-", dir=WORK)  # what a model volume holds: the signed files only
        for name in ("config.json", "weights.safetensors"):
            shutil.copy(os.path.join(self.EXAMPLES, "fraud-scorer", name), files)
        objs = render(write_values("models-engine.yaml", self.catalogue_values(files)))
        cm = one(objs, "ConfigMap", "aimsgate-models")
        items = cronjob_pod(one(objs, "CronJob"))["volumes"]
        items = next(v for v in items if v["name"] == "models")["configMap"]["items"]
        root = tempfile.mkdtemp(prefix="models-", dir=WORK)
        for item in items:
            path = os.path.join(root, item["path"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(cm["data"][item["key"]])
        with open(os.path.join(REPO, "examples", "kserve-fraud-scorer.yaml")) as f:
            isvc = yaml.safe_load(f)
        verdicts = {}
        for model in ("fraud-scorer", "ticket-priority-classifier"):
            isvc["metadata"]["annotations"]["aimsgate.io/model"] = model
            p = subprocess.run([os.environ["CHART_TEST_AIMSGATE"], "check", "--inventory",
                                os.path.join(REPO, "examples", "inventory.yaml"), "--models", root, "--format", "json", "-"],
                               input=yaml.safe_dump(isvc), capture_output=True, text=True)
            self.assertIn(p.returncode, (0, 1), p.stderr)
            report = json.loads(p.stdout)
            verdicts[model] = {r["rule"]: r["result"] for r in report["results"]}
        self.assertEqual(verdicts["fraud-scorer"].get("iso42001/model-signature-verified", "pass"), "pass")
        self.assertEqual(verdicts["ticket-priority-classifier"]["iso42001/model-signature-verified"], "fail")

    def test_volume_instead(self):
        objs = render(write_values("models-volume.yaml", {"models": {"volume": {"persistentVolumeClaim": {"claimName": "cat"}}}}))
        d = one(objs, "Deployment")
        vols = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(vols["models"], {"name": "models", "persistentVolumeClaim": {"claimName": "cat"}})
        self.assertIn("--models=/etc/aimsgate/models", container(d)["args"])
        self.assertEqual(find(objs, "ConfigMap", "aimsgate-models"), [])

    def test_no_catalogue_by_default(self):
        d = one(render(), "Deployment")
        self.assertFalse(any(a.startswith("--models") for a in container(d)["args"]))

    def test_refused(self):
        for name, values, message in (
                ("both", {"catalogue": {"m": {"README.md": "x"}}, "volume": {"emptyDir": {}}}, "not both"),
                ("badid", {"catalogue": {"../m": {"README.md": "x"}}}, "is not a model id"),
                ("badfile", {"catalogue": {"m": {"a/b": "x"}}}, "must be a plain file name"),
                ("clash", {"catalogue": {"a.b": {"c": "x"}, "a": {"b.c": "y"}}}, "both become the ConfigMap key")):
            with self.subTest(name=name):
                rc, _, err = render_raw(write_values(f"models-{name}.yaml", {"models": values}))
                self.assertNotEqual(rc, 0)
                self.assertIn(message, err)


class FirstHourTest(Common, unittest.TestCase):
    """Issue 19 (items 1, 3, 4, 14) and issue 13 item 9: safe defaults and the chart's missing pieces."""

    def test_placeholder_image_refused(self):
        rc, _, err = render_raw(images=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("image.repository and audit.image.repository are still the placeholder", err)
        self.assertIn("no public aimsgate image is published", err)
        self.assertIn("docs/deploy.md, section 1", err)
        # Only the server image set: the audit image is named alone.
        path = write_values("server-image.yaml", {"image": {"repository": "registry.example.com/aimsgate"}})
        rc, _, err = render_raw(path, images=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("audit.image.repository is still the placeholder", err)
        self.assertNotIn(" image.repository and", err)
        # No job needs the audit image: the server image alone is enough.
        path = write_values("server-only.yaml", {"image": {"repository": "registry.example.com/aimsgate"},
                                                 "audit": {"enabled": False}, "uninstallHook": {"enabled": False}})
        rc, _, err = render_raw(path, images=False)
        self.assertEqual(rc, 0, err)

    def test_network_policy(self):
        objs = render()
        np = one(objs, "NetworkPolicy", "aimsgate")
        deploy = one(objs, "Deployment")
        pod_labels = deploy["spec"]["template"]["metadata"]["labels"]
        self.assertEqual(np["apiVersion"], "networking.k8s.io/v1")
        self.assertEqual(np["spec"]["podSelector"]["matchLabels"].items() - pod_labels.items(), set())
        self.assertEqual(np["spec"]["policyTypes"], ["Ingress", "Egress"])
        self.assertEqual(np["spec"]["egress"], [])  # the server calls nothing
        ingress = np["spec"]["ingress"]
        self.assertEqual(len(ingress), 1)
        self.assertEqual(ingress[0]["ports"], [{"port": container(deploy)["ports"][0]["containerPort"],
                                                "protocol": "TCP"}])
        self.assertNotIn("from", ingress[0])  # apiserver addresses unknown: any source, and NOTES says so
        # Only the control plane and Prometheus once the operator names them; the port follows server.port.
        prom = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        path = write_values("netpol.yaml", {"server": {"port": 9443}, "networkPolicy": {
            "apiserverCIDRs": ["172.16.0.0/28", "10.0.0.0/16"], "extraFrom": [prom]}})
        objs = render(path)
        ingress = one(objs, "NetworkPolicy")["spec"]["ingress"][0]
        self.assertEqual(ingress["ports"][0]["port"], 9443)
        self.assertEqual(ingress["from"], [{"ipBlock": {"cidr": "172.16.0.0/28"}}, {"ipBlock": {"cidr": "10.0.0.0/16"}},
                                           prom])
        rc, out, _ = render_raw(path, notes=True)
        self.assertIn("admits only 172.16.0.0/28, 10.0.0.0/16 on the webhook port", out)
        path = write_values("nonetpol.yaml", {"networkPolicy": {"enabled": False}})
        self.assertEqual(find(render(path), "NetworkPolicy"), [])

    def test_autoscaling(self):
        path = write_values("hpa.yaml", {"autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 8}})
        objs = render(path)
        self.check_common(objs, "aimsgate-system", "aimsgate")
        hpa = one(objs, "HorizontalPodAutoscaler", "aimsgate")
        self.assertEqual(hpa["apiVersion"], "autoscaling/v2")
        self.assertEqual(hpa["spec"]["scaleTargetRef"], {"apiVersion": "apps/v1", "kind": "Deployment", "name": "aimsgate"})
        self.assertEqual((hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]), (3, 8))
        self.assertEqual(hpa["spec"]["metrics"][0]["resource"]["target"],
                         {"type": "Utilization", "averageUtilization": 70})
        self.assertNotIn("replicas", one(objs, "Deployment")["spec"])  # the HPA owns it
        # The priority-class quota leaves room for the autoscaler's maximum plus one surge pod.
        self.assertEqual(one(objs, "ResourceQuota")["spec"]["hard"]["pods"], "9")
        self.assertEqual(find(render(), "HorizontalPodAutoscaler"), [])
        path = write_values("hpa-bad.yaml", {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("maxReplicas must be at least", err)

    def test_host_network(self):
        path = write_values("hostnet.yaml", {"hostNetwork": True, "server": {"port": 10250 + 13}})
        objs = render(path)
        deploy, wh = self.check_common(objs, "aimsgate-system", "aimsgate")
        pod = deploy["spec"]["template"]["spec"]
        self.assertIs(pod["hostNetwork"], True)
        self.assertEqual(pod["dnsPolicy"], "ClusterFirstWithHostNet")
        c = container(deploy)
        self.assertEqual(c["ports"][0]["containerPort"], 10263)
        self.assertIn("--listen=:10263", c["args"])
        self.assertEqual(one(objs, "Service")["spec"]["ports"][0]["targetPort"], "https")

    def test_namespace_opt_out_label(self):
        path = write_values("optout.yaml", {"webhook": {"namespaceOptOutLabel": "example.com/no-ai-gate"}})
        exprs = one(render(path), "ValidatingWebhookConfiguration")["webhooks"][0]["namespaceSelector"]["matchExpressions"]
        self.assertIn({"key": "example.com/no-ai-gate", "operator": "DoesNotExist"}, exprs)
        path = write_values("nooptout.yaml", {"webhook": {"namespaceOptOutLabel": ""}})
        exprs = one(render(path), "ValidatingWebhookConfiguration")["webhooks"][0]["namespaceSelector"]["matchExpressions"]
        self.assertEqual([e["key"] for e in exprs], ["kubernetes.io/metadata.name"])

    def test_uninstall_hook(self):
        objs = render()
        job = one(objs, "Job", "aimsgate-uninstall")
        for kind in ("Job", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"):
            o = one(objs, kind, "aimsgate-uninstall")
            self.assertEqual(o["metadata"]["annotations"]["helm.sh/hook"], "pre-delete", kind)
            self.assertIn("hook-succeeded", o["metadata"]["annotations"]["helm.sh/hook-delete-policy"], kind)
        weights = {k: int(one(objs, k, "aimsgate-uninstall")["metadata"]["annotations"]["helm.sh/hook-weight"])
                   for k in ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Job")}
        self.assertLess(max(weights["ServiceAccount"], weights["ClusterRole"], weights["ClusterRoleBinding"]),
                        weights["Job"])  # RBAC exists before the Job runs
        pod = job["spec"]["template"]["spec"]
        c = pod["containers"][0]
        vwc = one(objs, "ValidatingWebhookConfiguration")["metadata"]["name"]
        self.assertEqual(c["command"][:4], ["kubectl", "delete", "validatingwebhookconfiguration", vwc])
        self.assertIn("--ignore-not-found", c["command"])
        self.assertEqual(c["image"], "registry.example.com/aimsgate-audit:0.1.0")
        self.assertEqual(pod["serviceAccountName"], "aimsgate-uninstall")
        self.assertEqual(pod["restartPolicy"], "Never")
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])
        self.assertIs(c["securityContext"]["readOnlyRootFilesystem"], True)
        # It may delete this release's webhook configuration and nothing else.
        role = one(objs, "ClusterRole", "aimsgate-uninstall")
        self.assertEqual(role["rules"], [{"apiGroups": ["admissionregistration.k8s.io"],
                                          "resources": ["validatingwebhookconfigurations"],
                                          "resourceNames": [vwc], "verbs": ["get", "delete"]}])
        binding = one(objs, "ClusterRoleBinding", "aimsgate-uninstall")
        self.assertEqual(binding["subjects"], [{"kind": "ServiceAccount", "name": "aimsgate-uninstall",
                                                "namespace": "aimsgate-system"}])
        path = write_values("nohook.yaml", {"uninstallHook": {"enabled": False}})
        self.assertEqual(find(render(path), "Job"), [])

    def test_priority_class_quota(self):
        quota = one(render(), "ResourceQuota", "aimsgate-critical-pods")
        self.assertEqual(quota["spec"]["hard"], {"pods": "3"})  # 2 replicas + 1 surge
        self.assertEqual(quota["spec"]["scopeSelector"]["matchExpressions"],
                         [{"scopeName": "PriorityClass", "operator": "In", "values": ["system-cluster-critical"]}])
        # kube-system needs none; nor does another class.
        self.assertEqual(find(render(namespace="kube-system"), "ResourceQuota"), [])
        path = write_values("ownclass.yaml", {"priorityClassName": "platform-high"})
        self.assertEqual(find(render(path), "ResourceQuota"), [])
        path = write_values("noquota.yaml", {"priorityClassQuota": False})
        self.assertEqual(find(render(path), "ResourceQuota"), [])

    def test_prometheus_rule(self):
        self.assertEqual(find(render(), "PrometheusRule"), [])
        path = write_values("promrule.yaml", {"metrics": {"prometheusRule": {"enabled": True,
                                                                             "labels": {"release": "kps"}}}})
        rule = one(render(path), "PrometheusRule", "aimsgate")
        self.assertEqual(rule["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(rule["metadata"]["labels"]["release"], "kps")
        alert = rule["spec"]["groups"][0]["rules"][0]
        self.assertEqual(alert["alert"], "AimsgateCertificateExpiresSoon")
        self.assertIn("aimsgate_tls_certificate_expiry_timestamp_seconds{namespace=\"aimsgate-system\"}", alert["expr"])
        self.assertTrue(alert["expr"].endswith("- time()) < 2592000"), alert["expr"])  # 30 days
        self.assertIn("{{ $labels.pod }}", alert["annotations"]["description"])  # left for Prometheus
        path = write_values("promrule7.yaml", {"metrics": {"prometheusRule": {"enabled": True, "certificateExpiryDays": 7}}})
        self.assertTrue(one(render(path), "PrometheusRule")["spec"]["groups"][0]["rules"][0]["expr"].endswith("< 604800"))

    def test_existing_tls_secret(self):
        ca_pem = base64.b64decode(one(render(), "Secret", "aimsgate-ca")["data"]["tls.crt"]).decode()
        path = write_values("byo.yaml", {"certificates": {"source": "existingSecret", "existingSecret": {
            "name": "corp-webhook-tls", "caBundle": ca_pem}}})
        objs = render(path)
        self.check_common(objs, "aimsgate-system", "aimsgate", tls_secret="corp-webhook-tls")
        self.assertEqual(find(objs, "Secret"), [])  # the Secret is the operator's
        vols = {v["name"]: v for v in one(objs, "Deployment")["spec"]["template"]["spec"]["volumes"]}
        self.assertEqual(vols["tls"]["secret"]["secretName"], "corp-webhook-tls")
        wh = one(objs, "ValidatingWebhookConfiguration")["webhooks"][0]
        self.assertEqual(base64.b64decode(wh["clientConfig"]["caBundle"]).decode(), ca_pem)
        # Without caBundle: the Secret's ca.crt when it can be looked up, a clear error when not.
        path = write_values("byo-lookup.yaml", {"certificates": {"source": "existingSecret", "existingSecret": {
            "name": "corp-webhook-tls"}}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("set certificates.existingSecret.caBundle", err)
        lookup = os.path.join(WORK, "byo-lookup.json")
        with open(lookup, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": [{
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": "corp-webhook-tls", "namespace": "aimsgate-system"},
                "data": {"ca.crt": base64.b64encode(ca_pem.encode()).decode(), "tls.crt": "", "tls.key": ""}}]}, f)
        wh = one(render(path, lookup=lookup), "ValidatingWebhookConfiguration")["webhooks"][0]
        self.assertEqual(base64.b64decode(wh["clientConfig"]["caBundle"]).decode(), ca_pem)
        path = write_values("byo-noname.yaml", {"certificates": {"source": "existingSecret"}})
        rc, _, err = render_raw(path)
        self.assertNotEqual(rc, 0)
        self.assertIn("certificates.existingSecret.name is required", err)

    def test_audit_signs_with_evidence_key(self):
        objs = render("custom.yaml", namespace="ml-governance", release="gate")
        pod = cronjob_pod(one(objs, "CronJob"))
        c = pod["containers"][0]
        env = {e["name"]: e.get("value") for e in c["env"]}
        self.assertEqual(env["EVIDENCE_KEY"], "/etc/aimsgate/evidence-key/evidence.key")
        mounts = {m["name"]: m for m in c["volumeMounts"]}
        self.assertEqual(mounts["evidence-key"]["mountPath"], "/etc/aimsgate/evidence-key")
        self.assertTrue(mounts["evidence-key"]["readOnly"])
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertEqual(vols["evidence-key"]["secret"]["secretName"], "aimsgate-evidence-key")
        # The webhook and the audit sign with the same key.
        webhook_key = [a for a in container(one(objs, "Deployment"))["args"] if a.startswith("--evidence-key=")]
        self.assertEqual(webhook_key, ["--evidence-key=" + env["EVIDENCE_KEY"]])
        # No key configured, or no evidence: nothing mounted.
        for i, values in enumerate(({}, {"evidence": {"mode": "none", "keySecret": {"name": "k"}}})):
            c = cronjob_pod(one(render(write_values(f"nokey-{i}.yaml", values)), "CronJob"))["containers"][0]
            self.assertNotIn("EVIDENCE_KEY", {e["name"] for e in c["env"]})
            self.assertNotIn("evidence-key", {m["name"] for m in c["volumeMounts"]})

    def test_subchart_global(self):
        path = write_values("global.yaml", {"global": {"imageRegistry": "registry.example.com", "labels": {"a": "b"}}})
        self.check_common(render(path), "aimsgate-system", "aimsgate")


class CertificateLifecycleTest(unittest.TestCase):
    """`helm upgrade` keeps the generated certificates (lookup) and renews them near expiry."""

    def secrets_as_lookup(self, objs, name, edit=None):
        secrets = copy.deepcopy(find(objs, "Secret"))
        for s in secrets:
            if edit:
                edit(s)
        path = os.path.join(WORK, name)
        with open(path, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": secrets}, f)
        return path

    @staticmethod
    def data(objs, name):
        return one(objs, "Secret", name)["data"]

    @staticmethod
    def ca_bundle(objs):
        return one(objs, "ValidatingWebhookConfiguration")["webhooks"][0]["clientConfig"]["caBundle"]

    def test_upgrade_keeps_certificates(self):
        first = render()
        lookup = self.secrets_as_lookup(first, "keep.json")
        second = render(lookup=lookup)
        self.assertEqual(self.data(second, "aimsgate-tls"), self.data(first, "aimsgate-tls"))
        self.assertEqual(self.data(second, "aimsgate-ca"), self.data(first, "aimsgate-ca"))
        self.assertEqual(self.ca_bundle(second), self.ca_bundle(first))

    def test_server_renewed_near_expiry_with_same_ca(self):
        first = render()
        soon = (datetime.datetime.utcnow() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def expire_server(s):
            if s["metadata"]["name"] == "aimsgate-tls":
                s["metadata"]["annotations"]["aimsgate.io/not-after"] = soon
        second = render(lookup=self.secrets_as_lookup(first, "renew-server.json", expire_server))
        self.assertNotEqual(self.data(second, "aimsgate-tls")["tls.crt"], self.data(first, "aimsgate-tls")["tls.crt"])
        self.assertEqual(self.data(second, "aimsgate-ca"), self.data(first, "aimsgate-ca"))
        self.assertEqual(self.ca_bundle(second), self.ca_bundle(first))
        crt = pem_file("renewed.crt", self.data(second, "aimsgate-tls")["tls.crt"])
        ca = pem_file("kept-ca.crt", self.data(first, "aimsgate-ca")["tls.crt"])
        p = openssl("verify", "-CAfile", ca, crt)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_server_renewed_when_service_renamed(self):
        first = render()

        def rename(s):
            if s["metadata"]["name"] == "aimsgate-tls":
                s["metadata"]["annotations"]["aimsgate.io/dns-name"] = "old-name.aimsgate-system.svc"
        second = render(lookup=self.secrets_as_lookup(first, "rename.json", rename))
        self.assertNotEqual(self.data(second, "aimsgate-tls")["tls.crt"], self.data(first, "aimsgate-tls")["tls.crt"])
        self.assertEqual(self.data(second, "aimsgate-ca"), self.data(first, "aimsgate-ca"))

    def test_ca_rotation_keeps_old_ca_trusted(self):
        first = render()
        soon = (datetime.datetime.utcnow() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def expire_ca(s):
            if s["metadata"]["name"] == "aimsgate-ca":
                s["metadata"]["annotations"]["aimsgate.io/not-after"] = soon
        second = render(lookup=self.secrets_as_lookup(first, "renew-ca.json", expire_ca))
        old_ca = base64.b64decode(self.data(first, "aimsgate-ca")["tls.crt"]).decode()
        new_ca = base64.b64decode(self.data(second, "aimsgate-ca")["tls.crt"]).decode()
        self.assertNotEqual(old_ca, new_ca)
        bundle = base64.b64decode(self.ca_bundle(second)).decode()
        self.assertEqual(bundle, new_ca + old_ca)
        self.assertEqual(bundle.count("BEGIN CERTIFICATE"), 2)
        # The new server certificate chains to the new CA; the old one still verifies against the bundle.
        bundle_file = os.path.join(WORK, "bundle.crt")
        with open(bundle_file, "w") as f:
            f.write(bundle)
        for label, objs in (("new", second), ("old", first)):
            crt = pem_file(f"{label}-server.crt", self.data(objs, "aimsgate-tls")["tls.crt"])
            p = openssl("verify", "-CAfile", bundle_file, crt)
            self.assertEqual(p.returncode, 0, f"{label}: {p.stdout}{p.stderr}")

    def test_force_renew(self):
        first = render()
        path = write_values("force.yaml", {"certificates": {"generate": {"forceRenew": True}}})
        second = render(path, lookup=self.secrets_as_lookup(first, "force.json"))
        self.assertNotEqual(self.data(second, "aimsgate-ca")["tls.crt"], self.data(first, "aimsgate-ca")["tls.crt"])
        self.assertEqual(base64.b64decode(self.ca_bundle(second)).decode().count("BEGIN CERTIFICATE"), 1)


class RealEngineTest(unittest.TestCase):
    """With the built binary: the chart's CEL and example packs compile and behave in aimsgate's engine."""

    def setUp(self):
        if not os.environ.get("CHART_TEST_AIMSGATE"):
            self.skipTest("no --aimsgate binary given")

    def aimsgate(self, *args, stdin=None):
        return subprocess.run([os.environ["CHART_TEST_AIMSGATE"], *args], input=stdin, capture_output=True, text=True)

    def test_skip_controller_created_condition(self):
        wh = one(render(), "ValidatingWebhookConfiguration")["webhooks"][0]
        expr = wh["matchConditions"][0]["expression"]
        rules = []
        for user in ("alice@example.com", "system:serviceaccount:kube-system:replicaset-controller",
                     "system:kube-controller-manager", "system:serviceaccount:ml:deployer"):
            rules.append({"id": re.sub(r"[^a-z0-9]+", "-", user.lower()).strip("-"), "title": user,
                          "controls": ["A.2.2"], "severity": "low", "action": "deny", "remediation": "-",
                          "assert": expr.replace("request.userInfo.username", repr(user)), "message": "skipped"})
        pack = os.path.join(WORK, "matchcondition.yaml")
        with open(pack, "w") as f:
            yaml.safe_dump({"apiVersion": "aimsgate.io/v1alpha1", "kind": "RulePack",
                            "metadata": {"name": "mc", "version": "0.0.1"}, "spec": {"rules": rules}}, f)
        p = self.aimsgate("check", "--rules", pack, "--format=json", "--fail-on=never",
                          os.path.join(HERE, "fixtures", "cluster-list.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        skipped = sorted((r["resource"]["name"], r["rule"]) for r in json.loads(p.stdout)["results"]
                         if r["result"] != "pass")
        # Only the ReplicaSet-owned pod, and only when a kube-system controller sends it.
        pod = "fraud-scorer-7d9f8c6b5-x2k4q"
        self.assertEqual(skipped, [(pod, "mc/system-kube-controller-manager"),
                                   (pod, "mc/system-serviceaccount-kube-system-replicaset-controller")])

    def test_example_packs_compile(self):
        objs = render("custom.yaml", namespace="ml-governance", release="gate") + render("audit-pack.yaml")
        packs = [(n, text) for cm in find(objs, "ConfigMap") if cm["metadata"]["name"].endswith("-packs")
                 for n, text in cm["data"].items()]
        self.assertEqual(len(packs), 2)
        for name, text in packs:
            with self.subTest(pack=name):
                path = os.path.join(WORK, name)
                with open(path, "w") as f:
                    f.write(text)
                p = self.aimsgate("lint", path)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


def cluster_of_deployments(count, ai_every=10, namespaces=("shop", "ml", "support")):
    """A `kubectl get -o json` List of `count` Deployments, each with its ReplicaSet and Pod (controller
    ownerReferences with uids, as the cluster sets them): every `ai_every`-th one serves vLLM."""
    items = []
    for i in range(count):
        ns = namespaces[i % len(namespaces)]
        name = f"web-{i:04d}"
        ai = i % ai_every == 0
        image = "vllm/vllm-openai:v0.6.3" if ai else "nginx:1.27"
        template = {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": image}]}}
        uid = f"00000000-0000-4000-8000-{i:012d}"
        deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": name, "namespace": ns, "uid": "d" + uid[1:]},
                  "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template}}
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": name + "-5d8f7c", "namespace": ns, "uid": "e" + uid[1:],
                           "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                                                "uid": "d" + uid[1:], "controller": True}]},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": template}}
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name + "-5d8f7c-x2k4q", "namespace": ns, "uid": "f" + uid[1:],
                            "labels": {"app": name},
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name + "-5d8f7c",
                                                 "uid": "e" + uid[1:], "controller": True}]},
               "spec": template["spec"]}
        items += [deploy, rs, pod]
    return {"apiVersion": "v1", "kind": "List", "items": items}


class AuditReportSizeTest(unittest.TestCase):
    """Issue 19 item 2: the audit of 3,000 objects through files/audit.sh with the real aimsgate and
    tests/chart/fake-kubectl. Before: one report per namespace with every skip result (33 per object),
    5.7 MB for 300 objects, refused by the apiserver."""

    MIB = 1024 * 1024

    def setUp(self):
        if not os.environ.get("CHART_TEST_AIMSGATE"):
            self.skipTest("no --aimsgate binary given")

    def audit(self, doc, *args):
        d = tempfile.mkdtemp(dir=WORK)
        listing = os.path.join(d, "cluster.json")
        with open(listing, "w") as f:
            json.dump(doc, f)
        env = dict(os.environ, KUBECTL=os.path.join(HERE, "fake-kubectl"), AIMSGATE=os.environ["CHART_TEST_AIMSGATE"],
                   WORK_DIR=os.path.join(d, "work"), FAKE_KUBECTL_LIST=listing, EVIDENCE_FILE="",
                   FAKE_KUBECTL_APPLIED=os.path.join(d, "applied.yaml"), FAKE_KUBECTL_LOG=os.path.join(d, "log"),
                   AUDIT_KINDS="pods,deployments.apps,replicasets.apps")
        p = subprocess.run(["sh", os.path.join(CHART, "files", "audit.sh"), "--rules=builtin:iso42001", *args],
                           env=env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        with open(os.path.join(d, "applied.yaml")) as f:
            text = f.read()
        return text, [d for d in yaml.safe_load_all(text) if d]

    def test_three_thousand_objects(self):
        text, docs = self.audit(cluster_of_deployments(1000))
        raw_docs = text.split("\n---\n")
        self.assertEqual(len(raw_docs), len(docs))
        for raw in raw_docs:
            self.assertLess(len(raw.encode()), self.MIB)
        for doc in docs:
            self.assertLess(len(json.dumps(doc, separators=(",", ":")).encode()), self.MIB)
        results = [r for doc in docs for r in doc["results"]]
        self.assertTrue(results)
        self.assertFalse([r for r in results if r["result"] in ("skip", "pass")])  # counted, not listed
        skipped = sum(doc["summary"]["skip"] for doc in docs)
        self.assertGreater(skipped, 3000)  # every object skips rules: all of them are counted
        self.assertGreater(sum(doc["summary"]["pass"] for doc in docs), 0)  # passes too
        # The 100 vLLM Deployments are the findings; their ReplicaSets and Pods add none of their own.
        kinds = {r["resources"][0]["kind"] for r in results}
        self.assertEqual(kinds, {"Deployment"})
        failed = {r["resources"][0]["name"] for r in results if r["result"] == "fail"}
        self.assertEqual(failed, {f"web-{i:04d}" for i in range(0, 1000, 10)})
        for doc in docs:
            s = doc["summary"]
            counted = sum(1 for r in doc["results"] if r["result"] in ("fail", "warn", "error"))
            self.assertEqual(s["fail"] + s["warn"] + s["error"], counted)
            self.assertEqual(doc["metadata"]["labels"]["app.kubernetes.io/managed-by"], "aimsgate")
            self.assertRegex(doc["metadata"]["labels"]["aimsgate.io/run"], r"^[0-9]{10}$")

    def test_controlled_objects_checked_but_reported_once(self):
        # With the pack told to check owned objects too, their findings repeat the Deployment's: left out.
        text, docs = self.audit(cluster_of_deployments(300), "--param=checkControlledObjects=true")
        results = [r for doc in docs for r in doc["results"]]
        self.assertEqual({r["resources"][0]["kind"] for r in results if r["result"] == "fail"}, {"Deployment"})
        duplicates = sum(int(doc["metadata"].get("annotations", {}).get("aimsgate.io/reported-on-controller", 0))
                         for doc in docs)
        self.assertGreater(duplicates, 0)

    def test_split_when_one_namespace_is_large(self):
        # 1,000 vLLM Deployments in one namespace: more than 1 MiB of findings, split into parts.
        text, docs = self.audit(cluster_of_deployments(1000, ai_every=1, namespaces=("ml",)))
        self.assertGreater(len(docs), 1)
        names = [d["metadata"]["name"] for d in docs]
        self.assertEqual(names, ["aimsgate"] + [f"aimsgate-{i}" for i in range(2, len(docs) + 1)])
        for raw in text.split("\n---\n"):
            self.assertLess(len(raw.encode()), self.MIB)
        failed = {r["resources"][0]["name"] for d in docs for r in d["results"] if r["result"] == "fail"}
        self.assertEqual(len(failed), 1000)


STUB_AIMSGATE = r"""#!/bin/sh
# Records its arguments and stdin, writes a one-object report, appends one evidence line.
printf '%s\n' "$@" >"$STUB_DIR/args"
cat >"$STUB_DIR/stdin"
out=""; evidence=""
for a in "$@"; do
  case "$a" in
    --output=*) out=${a#--output=} ;;
    --evidence=*) evidence=${a#--evidence=} ;;
  esac
done
[ -n "$out" ] && printf 'apiVersion: wgpolicyk8s.io/v1alpha2\nkind: PolicyReport\nmetadata: {name: aimsgate, namespace: ml}\nresults: []\n' >"$out"
[ -n "$evidence" ] && printf '{"seq":1,"source":"audit"}\n' >>"$evidence"
exit "${STUB_EXIT:-0}"
"""


class AuditScriptTest(unittest.TestCase):
    """files/audit.sh against tests/chart/fake-kubectl and a stub aimsgate."""

    def run_script(self, *args, **env):
        d = tempfile.mkdtemp(dir=WORK)
        stub = os.path.join(d, "aimsgate")
        with open(stub, "w") as f:
            f.write(STUB_AIMSGATE)
        os.chmod(stub, 0o755)
        full_env = dict(os.environ, KUBECTL=os.path.join(HERE, "fake-kubectl"), AIMSGATE=stub, STUB_DIR=d,
                        WORK_DIR=os.path.join(d, "work"), FAKE_KUBECTL_LOG=os.path.join(d, "kubectl.log"),
                        FAKE_KUBECTL_APPLIED=os.path.join(d, "applied.yaml"), AUDIT_KINDS=EXPECTED_AUDIT_KINDS)
        full_env.update(env)
        p = subprocess.run(["sh", os.path.join(CHART, "files", "audit.sh"), *args], env=full_env,
                           capture_output=True, text=True)

        def read(name):
            path = os.path.join(d, name)
            if not os.path.exists(path):
                return None
            with open(path) as f:
                return f.read()
        return p, read

    def test_pipeline(self):
        p, read = self.run_script("--rules=builtin:iso42001")
        self.assertEqual(p.returncode, 0, p.stderr)
        log = read("kubectl.log").splitlines()
        self.assertEqual(log[0], "api-resources --verbs=list -o name")
        # KServe, Seldon and KubeRay are not served by the fake cluster: skipped, not fatal.
        self.assertEqual(log[1], "get pods,deployments.apps,statefulsets.apps,daemonsets.apps,replicasets.apps,"
                                 "jobs.batch,cronjobs.batch --all-namespaces -o json")
        self.assertIn("skipping inferenceservices.serving.kserve.io", p.stderr)
        self.assertTrue(log[2].startswith("apply --server-side --force-conflicts --field-manager=aimsgate-audit -f "))
        # Then the reports of earlier runs go: those not labelled with this run's time, which check got as --now.
        now = next(a for a in read("args").splitlines() if a.startswith("--now="))[len("--now="):]
        run = int(datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
        self.assertLess(abs(run - datetime.datetime.now(datetime.timezone.utc).timestamp()), 600)
        self.assertEqual(log[3], "delete policyreports.wgpolicyk8s.io,clusterpolicyreports.wgpolicyk8s.io --all-namespaces "
                                 f"-l app.kubernetes.io/managed-by=aimsgate,aimsgate.io/run!={run} --ignore-not-found")
        self.assertEqual(len(log), 4)
        # aimsgate check got the List on stdin and the policy arguments.
        listed = json.loads(read("stdin"))
        self.assertEqual(listed["kind"], "List")
        self.assertEqual(len(listed["items"]), 6)
        args = read("args").splitlines()
        self.assertEqual(args[:2], ["check", "-"])
        for a in ("--format=policyreport", "--fail-on=never", "--evidence-source=audit", "--rules=builtin:iso42001"):
            self.assertIn(a, args)
        self.assertIn("kind: PolicyReport", read("applied.yaml"))
        self.assertIn("policyreport/aimsgate serverside-applied", p.stdout)

    def test_evidence_key_signs_the_audit(self):
        p, read = self.run_script(EVIDENCE_KEY="/etc/aimsgate/evidence-key/evidence.key")
        self.assertEqual(p.returncode, 0, p.stderr)
        args = read("args").splitlines()
        self.assertIn("--evidence-key=/etc/aimsgate/evidence-key/evidence.key", args)
        self.assertIn("--evidence-source=audit", args)
        # No evidence file, no key: check would refuse a key without a log.
        p, read = self.run_script(EVIDENCE_KEY="/etc/aimsgate/evidence-key/evidence.key", EVIDENCE_FILE="")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(any(a.startswith("--evidence") for a in read("args").splitlines()))
        p, read = self.run_script()
        self.assertNotIn("--evidence-key", read("args"))

    def test_evidence_to_log(self):
        p, read = self.run_script(PRINT_EVIDENCE="true")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('{"seq":1,"source":"audit"}', p.stdout)

    def test_no_policyreport_crd(self):
        types = os.path.join(WORK, "types-no-crd.txt")
        with open(types, "w") as f:
            f.write("pods\ndeployments.apps\n")
        p, read = self.run_script(FAKE_KUBECTL_API_RESOURCES=types)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("PolicyReport CRD (wgpolicyk8s.io) not installed", p.stderr)
        self.assertIsNone(read("applied.yaml"))
        self.assertIn("get pods,deployments.apps --all-namespaces", read("kubectl.log"))

    def test_print_instead_of_apply(self):
        p, read = self.run_script(APPLY_REPORTS="false")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("kind: PolicyReport", p.stdout)
        self.assertIsNone(read("applied.yaml"))

    def test_failures_stop_the_pipeline(self):
        cases = {"get": ("FAKE_KUBECTL_FAIL", "get", 2), "api-resources": ("FAKE_KUBECTL_FAIL", "api-resources", 2),
                 "check usage error": ("STUB_EXIT", "2", 2), "apply": ("FAKE_KUBECTL_FAIL", "apply", 1)}
        for name, (var, value, want) in cases.items():
            with self.subTest(case=name):
                p, read = self.run_script(**{var: value})
                self.assertEqual(p.returncode, want, p.stderr)
                if name != "apply":
                    self.assertIsNone(read("applied.yaml"))

    def test_nothing_served(self):
        p, read = self.run_script(AUDIT_KINDS="rayservices.ray.io")
        self.assertEqual(p.returncode, 2)
        self.assertIn("none of the resource types is served", p.stderr)


def main():
    global WORK, RENDER
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", help="scratch directory (default: a temporary one)")
    parser.add_argument("--aimsgate", help="the built aimsgate binary, for the tests that need its CEL engine")
    args, rest = parser.parse_known_args()
    if args.aimsgate and os.access(args.aimsgate, os.X_OK):
        os.environ["CHART_TEST_AIMSGATE"] = os.path.abspath(args.aimsgate)
    if shutil.which("go") is None:
        print("SKIP: `go` is missing; install golang-go golang-github-masterminds-sprig-dev", file=sys.stderr)
        return SKIP
    if shutil.which("openssl") is None:
        print("SKIP: `openssl` is missing", file=sys.stderr)
        return SKIP
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        WORK = tempfile.mkdtemp(prefix="chart-", dir=args.workdir)
    else:
        WORK = tempfile.mkdtemp(prefix="aimsgate-chart-")
    try:
        RENDER = build_renderer()
        prog = unittest.main(argv=[sys.argv[0], *rest], exit=False)
        return 0 if prog.result.wasSuccessful() else 1
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
