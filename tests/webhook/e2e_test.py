#!/usr/bin/env python3
"""End-to-end tests of `aimsgate serve`: the real binary on a loopback port, over TLS with
a throw-away CA made by openssl at test time, driven by Python's ssl/http.client and curl
the way the apiserver would call it.

  python3 tests/webhook/e2e_test.py --binary build/aimsgate --source .

Exit code 0 when every check passed; the failures are listed otherwise.  No private key
is ever committed: everything is generated under a temporary directory and removed.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

FAILURES = []
PASSED = [0]


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def make_pki(d):
    """CA, server cert for 127.0.0.1/localhost, client certs CN=kube-apiserver and CN=intruder."""
    def key(name):
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", f"{d}/{name}.key"])

    key("ca")
    run(["openssl", "req", "-x509", "-new", "-key", f"{d}/ca.key", "-out", f"{d}/ca.crt", "-days", "1",
         "-subj", "/CN=aimsgate-e2e-ca"])
    with open(f"{d}/server.ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    with open(f"{d}/client.ext", "w") as f:
        f.write("extendedKeyUsage=clientAuth\n")

    def cert(name, cn, ext):
        key(name)
        run(["openssl", "req", "-new", "-key", f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", f"/CN={cn}"])
        run(["openssl", "x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.crt", "-CAkey", f"{d}/ca.key",
             "-CAcreateserial", "-out", f"{d}/{name}.crt", "-days", "1", "-extfile", f"{d}/{ext}"])

    cert("server", "localhost", "server.ext")
    cert("client", "kube-apiserver", "client.ext")
    cert("intruder", "intruder", "client.ext")


PACK = """apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: e2e, version: VERSION}
spec:
  failurePolicy: Fail
  rules:
  - id: owner
    controls: ["A.3.2"]
    action: OWNER_ACTION
    match: {kinds: ["apps/v1/Deployment"], namespaces: {include: ["e2e"]}}
    assert: "has(object.metadata.annotations) && 'example.com/owner' in object.metadata.annotations"
    message: "Deployment '{{object.metadata.name}}' has no owner"
  - id: replicas
    action: warn
    controls: ["A.6.2.4"]
    match: {kinds: ["apps/v1/Deployment"], namespaces: {include: ["e2e"]}}
    assert: "!has(object.spec.replicas) || object.spec.replicas >= 2"
    message: "only {{object.spec.replicas}} replica(s)"
  - id: keep-prod
    controls: ["A.6.2.6"]
    match: {kinds: ["apps/v1/Deployment"], namespaces: {include: ["e2e"]}}
    assert: "request.operation != 'DELETE' || oldObject.metadata.labels.tier != 'prod'"
    message: "production Deployment '{{oldObject.metadata.name}}' cannot be deleted"
"""


def configmap_write(directory, key, text):
    """Updates `directory` the way the kubelet updates a mounted ConfigMap: the files go to a
    new hidden ..<timestamp> directory, then the ..data symlink is swapped atomically."""
    stamp = "..%d" % time.time_ns()
    os.mkdir(os.path.join(directory, stamp))
    with open(os.path.join(directory, stamp, key), "w") as f:
        f.write(text)
    tmp = os.path.join(directory, "..data_tmp")
    os.symlink(stamp, tmp)
    os.rename(tmp, os.path.join(directory, "..data"))
    link = os.path.join(directory, key)
    if not os.path.islink(link):
        os.symlink(os.path.join("..data", key), link)


def pack(version="1.0.0", owner_action="deny"):
    return PACK.replace("VERSION", version).replace("OWNER_ACTION", owner_action)


def deployment(owner=True, replicas=3, tier="dev", name="web"):
    meta = {"name": name, "namespace": "e2e", "labels": {"tier": tier}}
    if owner:
        meta["annotations"] = {"example.com/owner": "team-a"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}


def review(obj, operation="CREATE", dry_run=False, version="v1", old=None, uid="uid-1", namespace="e2e"):
    return {"apiVersion": f"admission.k8s.io/{version}", "kind": "AdmissionReview",
            "request": {"uid": uid, "operation": operation, "namespace": namespace, "dryRun": dry_run,
                        "userInfo": {"username": "system:serviceaccount:e2e:deployer"},
                        "object": obj, "oldObject": old}}


class Server:
    def __init__(self, binary, workdir, args, name="server"):
        self.port_file = os.path.join(workdir, f"{name}.port")
        self.log_path = os.path.join(workdir, f"{name}.log")
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--port-file", self.port_file] + args,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                return
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + open(self.log_path).read())
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def logs(self):
        self.log.flush()
        return open(self.log_path).read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        return self.proc.returncode


def client_context(d, cert="client", max_version=None):
    ctx = ssl.create_default_context(cafile=f"{d}/ca.crt")
    if cert:
        ctx.load_cert_chain(f"{d}/{cert}.crt", f"{d}/{cert}.key")
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def post(port, ctx, body, content_type="application/json", path="/validate", conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": content_type})
    resp = conn.getresponse()
    payload = resp.read()
    if own:
        conn.close()
    return resp.status, payload


def get(port, ctx, path):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    payload = resp.read().decode()
    conn.close()
    return resp.status, payload


def handshake_fails(port, ctx):
    try:
        status, _ = get(port, ctx, "/healthz")
        return False
    except (ssl.SSLError, ConnectionError, OSError):
        return True


def test_decisions(port, ctx):
    status, body = post(port, ctx, review(deployment()))
    r = json.loads(body)
    check(status == 200 and r["response"]["allowed"] is True and r["response"]["uid"] == "uid-1", "allowed")
    check(r["apiVersion"] == "admission.k8s.io/v1", "answers v1")
    check(r["response"]["auditAnnotations"]["decision"] == "allow", "decision annotation allow")
    check("e2e@1.0.0=sha256:" in r["response"]["auditAnnotations"]["packs"], "pack digest annotation")

    status, body = post(port, ctx, review(deployment(owner=False), uid="uid-2"))
    r = json.loads(body)["response"]
    check(r["allowed"] is False and r["status"]["code"] == 403, "denied with 403")
    check("[e2e/owner A.3.2] Deployment 'web' has no owner" in r["status"]["message"], "deny message names rule+control")
    check(r["uid"] == "uid-2", "uid echoed")

    status, body = post(port, ctx, review(deployment(replicas=1)))
    r = json.loads(body)["response"]
    check(r["allowed"] is True and r.get("warnings", [""])[0].startswith("[e2e/replicas A.6.2.4] only 1 replica"),
          "warned")

    status, body = post(port, ctx, review(deployment(owner=False), dry_run=True))
    r = json.loads(body)["response"]
    check(r["allowed"] is False and r["auditAnnotations"]["dry-run"] == "true", "dry-run evaluated and marked")

    status, body = post(port, ctx, review(None, operation="DELETE", old=deployment(tier="prod")))
    r = json.loads(body)["response"]
    check(status == 200 and r["allowed"] is False and "cannot be deleted" in r["status"]["message"],
          "DELETE evaluates oldObject")

    status, body = post(port, ctx, review(deployment(owner=False), version="v1beta1"))
    r = json.loads(body)
    check(r["apiVersion"] == "admission.k8s.io/v1beta1" and r["response"]["allowed"] is False, "v1beta1 answered in kind")


def test_bad_requests(port, ctx):
    status, body = post(port, ctx, b'{"apiVersion": "admission.k8s.io/v1", ')
    check(status == 400 and "invalid JSON" in json.loads(body)["error"], "malformed JSON -> 400 JSON error")
    status, body = post(port, ctx, review(deployment()), content_type="text/plain")
    check(status == 400 and "Content-Type" in json.loads(body)["error"], "wrong content type -> 400")
    big = json.dumps(review(deployment())).encode()
    big = big[:-2] + b',"pad":"' + b"x" * (7 * 1024 * 1024) + b'"}}'
    try:
        status, body = post(port, ctx, big)
        check(status == 413, f"oversize body -> 413 (got {status})")
    except (ConnectionError, ssl.SSLError) as e:
        check(False, f"oversize body -> 413 (connection error {e})")
    status, _ = get(port, ctx, "/nope")
    check(status == 404, "unknown path -> 404")
    # curl, as a second independent TLS client
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ctx_dir + "/ca.crt",
                          "--cert", ctx_dir + "/client.crt", "--key", ctx_dir + "/client.key",
                          "-H", "Content-Type: application/json", "--data-binary", "{", f"https://127.0.0.1:{port}/validate"],
                         stdout=subprocess.PIPE, text=True)
    check(out.stdout == "400", f"curl: malformed -> 400 (got {out.stdout})")


def raw_answer(port, ctx, extra_headers=b""):
    """One POST /validate on a fresh TLS socket, as raw bytes: (head, body, closed after)."""
    data = json.dumps(review(deployment(owner=False))).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + extra_headers +
                      b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += s.recv(65536)
            head, body = buf.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
            while len(body) < length:
                body += s.recv(65536)
            s.settimeout(0.5)
            try:
                closed = s.recv(1) == b""
            except (socket.timeout, ssl.SSLError):
                closed = False
            return head, body, closed


def test_answer_bytes(port, ctx):
    # POST /validate is answered by the server's own fast route; with "Connection: keep-alive"
    # the same request goes through cpp-httplib.  Both must send the same bytes.
    fast_head, fast_body, fast_closed = raw_answer(port, ctx)
    lib_head, lib_body, lib_closed = raw_answer(port, ctx, b"Connection: keep-alive\r\n")
    check(fast_head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Keep-Alive: timeout=2, max=" in fast_head,
          f"fast route: status line and keep-alive ({fast_head!r})")
    check(fast_head == lib_head, f"fast route head == cpp-httplib's ({fast_head!r} vs {lib_head!r})")
    check(fast_body == lib_body and b'"allowed":false' in fast_body, "fast route body == cpp-httplib's")
    check(not fast_closed and not lib_closed, "keep-alive answers leave the connection open")
    head, _, closed = raw_answer(port, ctx, b"Connection: close\r\n")
    check(b"Connection: close\r\n" in head and b"Keep-Alive" not in head and closed,
          f"Connection: close is answered with it and closes ({head!r})")


def test_tls(port, d):
    # Without a certificate the handshake completes (kubelet probes present none) but
    # /validate refuses; a certificate of the wrong name fails the handshake itself.
    try:
        status, body = post(port, client_context(d, cert=None), review(deployment()))
        check(status == 401 and "client certificate" in json.loads(body)["error"],
              f"client certificate required: none -> 401 on /validate (got {status})")
    except (ssl.SSLError, ConnectionError) as e:
        check(False, f"client certificate required: none -> 401 (got {e!r})")
    status, _ = get(port, client_context(d, cert=None), "/readyz")
    check(status == 200, "probes need no client certificate")
    check(handshake_fails(port, client_context(d, cert="intruder")), "client certificate with the wrong CN -> refused")
    check(handshake_fails(port, client_context(d, max_version=ssl.TLSVersion.TLSv1_2)), "TLS 1.2 refused by default")
    out = subprocess.run(["curl", "-s", "--tls-max", "1.2", "--cacert", d + "/ca.crt", "--cert", d + "/client.crt",
                          "--key", d + "/client.key", f"https://127.0.0.1:{port}/healthz"], stdout=subprocess.PIPE)
    check(out.returncode != 0, "curl --tls-max 1.2 refused")
    status, body = get(port, client_context(d), "/healthz")
    check(status == 200, "healthz")
    status, body = get(port, client_context(d), "/readyz")
    check(status == 200, "readyz")


class Traffic(threading.Thread):
    """Keeps sending a denied review on keep-alive connections; counts transport errors."""

    def __init__(self, port, ctx):
        super().__init__(daemon=True)
        self.port, self.ctx = port, ctx
        self.stop_flag = threading.Event()
        self.ok = self.errors = 0
        self.last = None
        self.lock = threading.Lock()

    def run(self):
        conn = None
        while not self.stop_flag.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10)
                status, body = post(self.port, self.ctx, review(deployment(owner=False)), conn=conn)
                r = json.loads(body)["response"]
                with self.lock:
                    self.ok += status == 200
                    self.errors += status != 200
                    self.last = r
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn = None  # the server closed an idle keep-alive connection: reconnect
            except Exception as e:  # noqa: BLE001
                with self.lock:
                    self.errors += 1
                print("traffic error:", repr(e), flush=True)
                conn = None
            time.sleep(0.005)

    def snapshot(self):
        with self.lock:
            return self.last


def wait_for(pred, timeout=6.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def metric(port, ctx, name_with_labels):
    _, text = get(port, ctx, "/metrics")
    m = re.search("^" + re.escape(name_with_labels) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def test_reload(port, ctx, packs, d, server):
    traffic = Traffic(port, ctx)
    traffic.start()
    check(wait_for(lambda: traffic.snapshot() is not None), "traffic flows")
    check(traffic.snapshot()["allowed"] is False, "owner rule denies before reload")
    configmap_write(packs, "e2e.yaml", pack(version="1.1.0", owner_action="warn"))
    check(wait_for(lambda: (traffic.snapshot() or {}).get("allowed") is True), "good pack reloaded under traffic")
    check("e2e@1.1.0" in traffic.snapshot()["auditAnnotations"]["packs"], "new pack digest served")
    check(metric(port, ctx, 'aimsgate_pack_reloads_total{result="success"}') >= 1, "reload success counted")
    configmap_write(packs, "e2e.yaml",
                    pack(version="1.2.0").replace('assert: "has(object.metadata.annotations)', 'assert: "has(objct.metadata'))
    check(wait_for(lambda: (metric(port, ctx, 'aimsgate_pack_reloads_total{result="failure"}') or 0) >= 1),
          "broken pack rejected and counted")
    time.sleep(0.3)
    check("e2e@1.1.0" in traffic.snapshot()["auditAnnotations"]["packs"], "old pack keeps serving after a broken one")
    logs = server.logs()
    check(re.search(r'pack reload rejected.*e2e\.yaml:\d+:\d+', logs) is not None, "rejection logged with file:line:col")
    # TLS pair rotation: a new certificate is served to new connections.
    old_der = tls_peer_cert(port, ctx)
    os.rename(f"{d}/server.crt", f"{d}/server-old.crt")
    run(["openssl", "x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.crt", "-CAkey", f"{d}/ca.key",
         "-CAcreateserial", "-out", f"{d}/server.crt", "-days", "1", "-extfile", f"{d}/server.ext"])
    check(wait_for(lambda: tls_peer_cert(port, ctx) != old_der), "TLS certificate reloaded")
    # SIGHUP reloads on demand.
    server.proc.send_signal(signal.SIGHUP)
    check(wait_for(lambda: "SIGHUP" in server.logs()), "SIGHUP logged")
    traffic.stop_flag.set()
    traffic.join(10)
    check(traffic.errors == 0 and traffic.ok > 20, f"no failed request under reloads ({traffic.ok} ok, {traffic.errors} errors)")


def tls_peer_cert(port, ctx):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            return s.getpeercert(binary_form=True)


def test_metrics(port, ctx):
    _, text = get(port, ctx, "/metrics")
    for needle in ['aimsgate_admission_requests_total{decision="deny",operation="CREATE"}',
                   'aimsgate_admission_requests_total{decision="allow",operation="CREATE"}',
                   "aimsgate_admission_duration_seconds_bucket{le=\"+Inf\"}",
                   'aimsgate_rule_results_total{rule="e2e/owner",control="A.3.2",result="fail"}',
                   "aimsgate_pack_reloads_total", "aimsgate_evidence_write_errors_total 0", "aimsgate_build_info{version="]:
        check(needle in text, "metrics: " + needle)


def slow_request(port, ctx, results, i):
    """A review uploaded in pieces over ~1.5 s: in flight when SIGTERM arrives."""
    try:
        body = json.dumps(review(deployment(owner=False), uid=f"slow-{i}")).encode()
        body = body[:-2] + b',"pad":"' + b"y" * 30000 + b'"}}'
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
        conn.putrequest("POST", "/validate")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        step = len(body) // 10 + 1
        for k in range(0, len(body), step):
            conn.send(body[k:k + step])
            time.sleep(0.15)
        resp = conn.getresponse()
        r = json.loads(resp.read())
        results[i] = resp.status == 200 and r["response"]["uid"] == f"slow-{i}"
    except Exception as e:  # noqa: BLE001
        print("slow request", i, "failed:", repr(e), flush=True)
        results[i] = False


def test_sigterm(server, ctx, binary, evidence):
    results = [None] * 6
    threads = [threading.Thread(target=slow_request, args=(server.port, ctx, results, i)) for i in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(30)
    code = server.proc.wait(30)
    check(all(results), f"SIGTERM: every in-flight request answered ({results})")
    check(code == 0, f"SIGTERM: exit code 0 (got {code})")
    logs = server.logs()
    check('"msg":"stopped"' in logs, "SIGTERM: stop logged")
    check('"object"' not in logs and "nginx:1.27" not in logs, "logs carry no object bodies")
    for line in logs.splitlines():
        try:
            json.loads(line)
        except ValueError:
            check(False, "log line is not JSON: " + line[:200])
            break
    if os.path.exists(evidence):
        out = subprocess.run([binary, "evidence", "verify", evidence], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        check(out.returncode == 0, "evidence log verifies after shutdown: " + out.stdout[-300:])
        with open(evidence) as f:
            records = [json.loads(line) for line in f if line.strip()]
        check(any(r.get("source") == "admission" for r in records), "evidence has admission records")


def load_yaml_objects(path):
    try:
        import yaml  # noqa: PLC0415
    except ImportError:
        return None

    class Loader(yaml.SafeLoader):
        pass

    # Keep timestamps as strings, as the manifest loader does.
    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                      for k, v in Loader.yaml_implicit_resolvers.items()}
    out = []
    with open(path) as f:
        for doc in yaml.load_all(f, Loader=Loader):
            if not isinstance(doc, dict):
                continue
            if doc.get("kind") == "List":
                out.extend(doc.get("items") or [])
            else:
                out.append(doc)
    return out


def test_parity_with_check(binary, source, workdir, d):
    """Same manifests, same packs and inputs: the webhook's decision equals `aimsgate check`'s."""
    ex = os.path.join(source, "examples")
    flags = ["--inventory", f"{ex}/inventory.yaml", "--waivers", f"{ex}/waivers.yaml"]
    files = sorted(f for f in os.listdir(ex) if f.endswith(".yaml") and f not in ("inventory.yaml", "waivers.yaml"))
    out = subprocess.run([binary, "check", "--format", "json"] + flags + [f"{ex}/{f}" for f in files],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    report = json.loads(out.stdout)
    denied_by_check = {}
    for e in report["resources"]:  # each resource's decision, as the engine reached it
        res = e["resource"]
        denied_by_check[(res["kind"], res.get("namespace", ""), res["name"])] = e["decision"] == "deny"
    server = Server(binary, workdir, ["--tls-cert", f"{d}/server.crt", "--tls-key", f"{d}/server.key"] + flags,
                    name="parity")
    ctx = client_context(d, cert=None)
    compared = 0
    try:
        for f in files:
            objs = load_yaml_objects(f"{ex}/{f}")
            if objs is None:
                print("SKIP parity with check: PyYAML not installed", flush=True)
                return
            for obj in objs:
                meta = obj.get("metadata", {})
                key = (obj.get("kind"), meta.get("namespace", ""), meta.get("name"))
                if key not in denied_by_check:
                    continue
                _, body = post(server.port, ctx, review(obj, namespace=meta.get("namespace", "")))
                allowed = json.loads(body)["response"]["allowed"]
                check(allowed != denied_by_check[key], f"parity with check for {key}")
                compared += 1
    finally:
        server.stop()
    check(compared >= 8 and any(denied_by_check.values()) and not all(denied_by_check.values()),
          f"parity compared {compared} resources with both outcomes")


def main():
    global ctx_dir
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    workdir = tempfile.mkdtemp(prefix="aimsgate-e2e-")
    started = time.time()
    try:
        d = ctx_dir = os.path.join(workdir, "pki")
        os.mkdir(d)
        make_pki(d)
        packs = os.path.join(workdir, "packs")
        os.mkdir(packs)
        configmap_write(packs, "e2e.yaml", pack())  # laid out like a mounted ConfigMap
        evidence = os.path.join(workdir, "evidence.jsonl")
        server = Server(binary, workdir, [
            "--tls-cert", f"{d}/server.crt", "--tls-key", f"{d}/server.key", "--client-ca", f"{d}/ca.crt",
            "--client-cn", "kube-apiserver", "--rules", packs, "--rules", "builtin:iso42001",
            "--evidence", evidence, "--reload-interval-ms", "200", "--idle-timeout", "2"])
        ctx = client_context(d)
        try:
            test_decisions(server.port, ctx)
            test_bad_requests(server.port, ctx)
            test_answer_bytes(server.port, ctx)
            test_tls(server.port, d)
            test_metrics(server.port, ctx)
            test_reload(server.port, ctx, packs, d, server)
            test_sigterm(server, ctx, binary, evidence)
        finally:
            if server.proc.poll() is None:
                server.stop()
        test_parity_with_check(binary, args.source, workdir, d)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{PASSED[0]} checks passed, {len(FAILURES)} failed in {time.time() - started:.1f}s")
    for f in FAILURES:
        print("  FAILED:", f)
    return 1 if FAILURES else 0


ctx_dir = ""
if __name__ == "__main__":
    sys.exit(main())
