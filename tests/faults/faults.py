#!/usr/bin/env python3
"""Fault tests for `aimsgate serve` (127.0.0.1 only, bounded loops).

  tests/faults/faults.py AIMSGATE [CASE...]      cases: bodylimit headerlimit requesttime slowloris halfopen tlsgarbage
                                                 connections reload diskfull readonly sigkill stderrfull memorylimit

Each case starts its own server on port 0 with a self-signed certificate and a small
pack, does its damage, and checks that a well-behaved client is still answered (or that
the evidence log behaves as specified).  Prints one line per case; exit 1 if any failed.
"""
import http.client, json, os, resource, signal, socket, ssl, subprocess, sys, tempfile, threading, time

AIMSGATE = os.path.abspath(sys.argv[1])
PACK = """apiVersion: aimsgate.io/v1alpha1
kind: RulePack
metadata: {name: storm, version: VERSION}
spec:
  failurePolicy: Fail
  rules:
  - id: RULE_A
    controls: ["A.3.2"]
    severity: high
    action: deny
    match: {kinds: ["v1/ConfigMap"]}
    assert: "false"
    message: "always fails"
  - id: RULE_B
    controls: ["A.3.2"]
    severity: high
    action: deny
    match: {kinds: ["v1/ConfigMap"]}
    assert: "false"
    message: "always fails"
"""
REVIEW = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                     "request": {"uid": "u1", "operation": "CREATE", "userInfo": {"username": "t"},
                                 "namespace": "ml", "object": {"apiVersion": "v1", "kind": "ConfigMap",
                                                               "metadata": {"name": "c", "namespace": "ml"}}}}).encode()


def pack_text(gen):
    return PACK.replace("VERSION", "1.0.%d" % gen).replace("RULE_A", "g%d-a" % gen).replace("RULE_B", "g%d-b" % gen)


class Server:
    def __init__(self, extra=(), evidence=None, preexec=None, pack_gen=0, allow=False, stderr=None):
        self.dir = tempfile.mkdtemp(prefix="aimsgate-faults-")
        self.cert, self.key = os.path.join(self.dir, "tls.crt"), os.path.join(self.dir, "tls.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", self.key, "-out", self.cert], check=True, capture_output=True)
        self.pack = os.path.join(self.dir, "pack.yaml")
        with open(self.pack, "w") as f:
            f.write(pack_text(pack_gen).replace('assert: "false"', 'assert: "true"') if allow else pack_text(pack_gen))
        port_file = os.path.join(self.dir, "port")
        cmd = [AIMSGATE, "serve", "--listen", "127.0.0.1:0", "--tls-cert", self.cert, "--tls-key", self.key,
               "--rules", self.pack, "--port-file", port_file] + list(extra)
        if evidence:
            cmd += ["--evidence", evidence]
        self.log = open(os.path.join(self.dir, "serve.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log if stderr is None else stderr,
                                     preexec_fn=preexec)
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.port = int(open(port_file).read().strip()) if os.path.exists(port_file) else 0
        self.ctx = ssl.create_default_context(cafile=self.cert)

    def validate(self, timeout=5):
        """One fresh TLS connection, one request: (status, parsed body or None, seconds)."""
        t0 = time.monotonic()
        try:
            c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=timeout)
            c.request("POST", "/validate", REVIEW, {"Content-Type": "application/json"})
            r = c.getresponse()
            body = r.read()
            c.close()
            return r.status, json.loads(body), time.monotonic() - t0
        except Exception as e:  # noqa: BLE001 - any failure is a failed request
            return 0, str(e), time.monotonic() - t0

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def healthy(s, n=5, max_seconds=2.0):
    for _ in range(n):
        status, _, secs = s.validate()
        if status != 200 or secs > max_seconds:
            return False, "status %s after %.2fs" % (status, secs)
    return True, ""


def case_slowloris():
    s = Server(["--read-timeout", "2"])
    socks = []
    try:
        for _ in range(30):  # 30 clients dribbling a TLS ClientHello one byte a second
            k = socket.create_connection(("127.0.0.1", s.port))
            k.send(b"\x16")
            socks.append(k)
        ok, why = healthy(s)
        time.sleep(3)  # past the read timeout: the server must have dropped them
        dropped = 0
        for k in socks:
            try:
                k.settimeout(0.5)
                k.send(b"\x03")
                if k.recv(1) == b"":
                    dropped += 1
            except OSError:
                dropped += 1
        return ok and dropped == len(socks), "%s; %d/%d slow clients dropped after the read timeout" % (
            why or "answered", dropped, len(socks))
    finally:
        for k in socks:
            k.close()
        s.stop()


def case_halfopen():
    s = Server()
    socks = []
    try:
        for _ in range(50):  # TCP connected, TLS never started
            socks.append(socket.create_connection(("127.0.0.1", s.port)))
        for k in socks[:25]:  # half-closed: client sends FIN, keeps reading
            k.shutdown(socket.SHUT_WR)
        ok, why = healthy(s)
        return ok, why or "50 idle/half-closed connections, others answered"
    finally:
        for k in socks:
            k.close()
        s.stop()


def case_tlsgarbage():
    s = Server()
    try:
        rnd = open("/dev/urandom", "rb")
        for i in range(100):
            k = socket.create_connection(("127.0.0.1", s.port))
            payload = rnd.read(64 + i * 13)
            if i % 3 == 0:
                payload = b"\x16\x03\x01\xff\xff" + payload  # a record header claiming 64 KiB
            elif i % 3 == 1:
                payload = b"POST /validate HTTP/1.1\r\nHost: x\r\n\r\n"  # plain HTTP on the TLS port
            k.sendall(payload)
            k.close()
        ok, why = healthy(s)
        alive = s.proc.poll() is None
        return ok and alive, why or "100 garbage handshakes, server alive and answering"
    finally:
        s.stop()


def case_connections():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    s = Server()
    socks = []
    try:
        for _ in range(1000):
            socks.append(socket.create_connection(("127.0.0.1", s.port)))
        status, _, secs = s.validate(timeout=30)
        return status == 200 and secs < 5, "1,000 idle connections held; a new client answered %s in %.2fs" % (
            status, secs)
    finally:
        for k in socks:
            k.close()
        s.stop()


def case_reload():
    s = Server(["--reload-interval-ms", "50"], pack_gen=0)
    stop = time.monotonic() + 120
    bad = []
    seen = set()
    count = [0]

    def load():
        c = None
        while time.monotonic() < stop and not done[0]:
            try:
                if c is None:
                    c = http.client.HTTPSConnection("127.0.0.1", s.port, context=s.ctx, timeout=5)
                c.request("POST", "/validate", REVIEW, {"Content-Type": "application/json"})
                r = c.getresponse()
                doc = json.loads(r.read())
                ann = doc["response"]["auditAnnotations"]
                failed = ann.get("failed-rules", "")
                packs = ann.get("packs", "")
                gen = packs.split("@1.0.")[1].split("=")[0]
                want = "storm/g%s-a,storm/g%s-b" % (gen, gen)
                if sorted(failed.split(",")) != sorted(want.split(",")) or doc["response"]["allowed"]:
                    bad.append((packs, failed))
                seen.add(gen)
                count[0] += 1
            except Exception as e:  # noqa: BLE001
                bad.append(("error", str(e)))
                c = None

    done = [False]
    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for gen in range(1, 101):
            text = pack_text(gen)
            if gen % 2:  # torn writes: truncate, half, pause, rest (a reader may see half a pack)
                with open(s.pack, "w") as f:
                    f.write(text[: len(text) // 2])
                    f.flush()
                    time.sleep(0.06)
                    f.write(text[len(text) // 2:])
            else:  # atomic rename, as a ConfigMap update does
                tmp = s.pack + ".tmp"
                with open(tmp, "w") as f:
                    f.write(text)
                os.replace(tmp, s.pack)
            time.sleep(0.1)
        time.sleep(1)
    finally:
        done[0] = True
        for t in threads:
            t.join()
        s.stop()
    return not bad and len(seen) > 10, "%d requests during 100 rewrites, %d pack generations served, %d inconsistent%s" % (
        count[0], len(seen), len(bad), (": %s" % (bad[:2],)) if bad else "")


def case_diskfull():
    d = tempfile.mkdtemp(prefix="aimsgate-fsize-")
    ev = os.path.join(d, "evidence.jsonl")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    s = Server(evidence=ev, preexec=limit, allow=True)  # a compliant object: only evidence can deny it
    try:
        statuses = []
        for _ in range(60):  # ~ a few hundred bytes per record: passes 20 kB
            status, doc, _ = s.validate()
            statuses.append((status, doc["response"]["allowed"] if status == 200 else None,
                             (doc["response"].get("status", {}).get("message", "") if status == 200 else "")))
        alive = s.proc.poll() is None
        denied_for_evidence = sum(1 for st in statuses if st[1] is False and "evidence-failure deny" in st[2])
        allowed_before = sum(1 for st in statuses[:10] if st[1] is True)
        answered = sum(1 for st in statuses if st[0] == 200)
        return alive and answered == 60 and allowed_before == 10 and denied_for_evidence > 0, (
            "RLIMIT_FSIZE 20 kB: server alive=%s, %d/60 answered, %d denied because evidence could not be written "
            "(exit %s)" % (alive, answered, denied_for_evidence, s.proc.poll()))
    finally:
        s.stop()


def case_memorylimit():
    """Under an address-space limit (ulimit -v, vm.overcommit_memory=2) malloc answers null.
    Requests of 6.6 MB, each needing more memory than is left, get an HTTP answer or a
    closed connection; the server stays up, answers the small requests after them, and
    stops cleanly.  Below what it needs to start, it exits 2 with a log line, never a signal."""
    big = json.loads(REVIEW)
    big["request"]["object"]["data"] = {"k%d" % i: "x" * 60 for i in range(90000)}
    body = json.dumps(big).encode()
    limits = (50, 60, 70, 80)

    def limit_to(mb):
        return lambda: resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))

    if subprocess.run([AIMSGATE, "--help"], preexec_fn=limit_to(limits[-1]), capture_output=True).returncode:
        return None, "the binary does not start under an address-space limit (a sanitizer build)"
    runs, out_of_memory = [], 0
    for mb in limits:
        s = Server(["--threads", "4"], preexec=limit_to(mb))
        try:
            if not s.port or s.proc.poll() is not None:
                code = s.stop()
                log = open(os.path.join(s.dir, "serve.log"), errors="replace").read()
                runs.append("%d MB: exit %s at start" % (mb, code))
                if code != 2 or '"level":"error"' not in log:
                    return False, "%s; log: %s" % (runs[-1], log[-300:])
                continue
            answers = [raw_request(s, body, timeout=60) for _ in range(6)]
            ok, why = healthy(s)
            # Six requests one after the other never fill the queue: each 503 is a worker
            # that could not be had, and is counted as such.
            full, unavailable = metric(s, "aimsgate_worker_queue_full_total"), metric(s, "aimsgate_worker_unavailable_total")
            counted = full == 0 and unavailable == answers.count(503)
            alive = s.proc.poll() is None
            code = s.stop()
            runs.append("%d MB: %s, then small %s, exit %s" % (mb, answers, "200" if ok else why, code))
            if not counted:
                runs[-1] += "; metrics: queue full %s, worker unavailable %s" % (full, unavailable)
            if not (ok and counted and alive and code == 0 and all(a in (0, 200, 500, 503) for a in answers)):
                log = open(os.path.join(s.dir, "serve.log"), errors="replace").read()
                return False, "%s; log: %s" % ("; ".join(runs), log[-300:])
            out_of_memory += any(a != 200 for a in answers)
        finally:
            s.stop()
    # The limits must have been tight for at least one running server, or nothing was tested.
    return out_of_memory > 0, "RLIMIT_AS, six requests of %.1f MB each (0: connection closed): %s" % (
        len(body) / 1e6, "; ".join(runs))


def case_readonly():
    d = tempfile.mkdtemp(prefix="aimsgate-ro-")
    os.chmod(d, 0o555)
    ev = os.path.join(d, "evidence.jsonl")
    if os.geteuid() == 0:  # root ignores permissions: use a path under a file instead (ENOTDIR)
        open(os.path.join(d + "-file"), "w").close()
        ev = os.path.join(d + "-file", "evidence.jsonl")
    s = Server(evidence=ev)
    try:
        time.sleep(0.5)
        code = s.proc.poll()
        log = open(os.path.join(s.dir, "serve.log")).read()
        return code == 2 and "evidence" in log, "unwritable evidence path: exit %s at start-up, logged: %s" % (
            code, "evidence" in log)
    finally:
        s.stop()


def case_sigkill():
    d = tempfile.mkdtemp(prefix="aimsgate-kill-")
    ev = os.path.join(d, "evidence.jsonl")
    s = Server(evidence=ev)
    stop = [False]

    def load():
        while not stop[0]:
            s.validate(timeout=2)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    stop[0] = True
    for t in threads:
        t.join()
    data = open(ev, "rb").read()
    lines = data.count(b"\n")
    torn = not data.endswith(b"\n")
    r = subprocess.run([AIMSGATE, "evidence", "verify", ev], capture_output=True, text=True)
    out = r.stdout + r.stderr
    # Either every line verifies (killed between records), or the only error is the torn last line.
    if not torn:
        ok = r.returncode == 0
    else:
        ok = r.returncode == 1 and (":%d:" % (lines + 1)) in out
    return ok, "%d complete lines, torn tail=%s, verify exit %d: %s" % (lines, torn, r.returncode,
                                                                       out.strip().splitlines()[-1][:160])


def metric(s, name, timeout=10):
    """The value of an unlabelled series of /metrics, or None."""
    c = http.client.HTTPSConnection("127.0.0.1", s.port, context=s.ctx, timeout=timeout)
    try:
        c.request("GET", "/metrics")
        for line in c.getresponse().read().decode().splitlines():
            if line.startswith(name + " "):
                return int(line.split()[1])
    except Exception:  # noqa: BLE001 - no answer: no value
        return None
    finally:
        c.close()
    return None


def raw_request(s, body, headers=None, timeout=10):
    c = http.client.HTTPSConnection("127.0.0.1", s.port, context=s.ctx, timeout=timeout)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    try:
        c.request("POST", "/validate", body, h)
        r = c.getresponse()
        r.read()
        return r.status
    except Exception:  # noqa: BLE001 - the server closed the connection
        return 0
    finally:
        c.close()


def case_bodylimit():
    """--max-body-bytes: a body of exactly the limit is read, one byte more gets 413."""
    limit = 4096  # serve accepts 1024 .. 1 GiB
    body = REVIEW + b" " * (limit - len(REVIEW))  # trailing blanks: still one JSON value
    s = Server(["--max-body-bytes", str(limit)])
    try:
        at = raw_request(s, body)
        over = raw_request(s, body + b" ")
        return at == 200 and over == 413, "body at limit: %s, limit+1: %s (want 200, 413)" % (at, over)
    finally:
        s.stop()


def case_headerlimit():
    """cpp-httplib's header line limit (8 KiB): a longer header is refused, the server goes on."""
    s = Server()
    try:
        fits = raw_request(s, REVIEW, {"X-Pad": "a" * 7000})
        over = raw_request(s, REVIEW, {"X-Pad": "a" * 9000})
        many = raw_request(s, REVIEW, {"X-Pad-%d" % i: "a" for i in range(200)})
        ok, why = healthy(s)
        return fits == 200 and over in (0, 400, 431) and ok, (
            "7,000-byte header: %s, 9,000-byte header: %s (refused), 200 headers: %s, then %s" % (
                fits, over, many, why or "answered"))
    finally:
        s.stop()


def case_requesttime():
    """--read-timeout: a request whose body stalls past it is dropped without an answer."""
    s = Server(["--read-timeout", "2"])
    try:
        k = s.ctx.wrap_socket(socket.create_connection(("127.0.0.1", s.port)), server_hostname="127.0.0.1")
        k.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{")
        k.settimeout(6)
        t0 = time.monotonic()
        try:
            data = k.recv(100)
        except (socket.timeout, ssl.SSLError, OSError):
            data = b"<timeout>"
        waited = time.monotonic() - t0
        k.close()
        ok, why = healthy(s)
        return data != b"<timeout>" and not data.startswith(b"HTTP/1.1 200") and waited < 5 and ok, (
            "stalled body: closed after %.1fs (read timeout 2s), reply %r; %s" % (waited, data[:20], why or "others answered"))
    finally:
        s.stop()


def case_stderrfull():
    """stderr is a pipe nobody reads (a stuck log collector): once it is full, admissions are
    still answered (their log lines are dropped and counted), and SIGTERM still stops the
    server within the drain timeout."""
    r, w = os.pipe()  # r is never read: 64 KiB of log lines fill it
    s = Server(["--drain-timeout", "3"], stderr=w)
    os.close(w)
    try:
        answered, worst, detail = 0, 0.0, ""
        # An admission line is about 300 bytes: 5,000 of them fill the pipe (64 KiB) and the
        # queue (1 MiB), so some are dropped.
        conns = [http.client.HTTPSConnection("127.0.0.1", s.port, context=s.ctx, timeout=5) for _ in range(4)]
        for i in range(5000):
            c = conns[i % len(conns)]
            t0 = time.monotonic()
            try:
                c.request("POST", "/validate", REVIEW, {"Content-Type": "application/json"})
                resp = c.getresponse()
                resp.read()
                answered += resp.status == 200
            except Exception as e:  # noqa: BLE001
                detail = "request %d: %r" % (i, e)
                break
            worst = max(worst, time.monotonic() - t0)
        dropped = -1
        if not detail:
            c = conns[0]
            c.request("GET", "/metrics")
            for line in c.getresponse().read().decode().splitlines():
                if line.startswith("aimsgate_log_lines_dropped_total "):
                    dropped = int(line.split()[1])
        t0 = time.monotonic()
        s.proc.send_signal(signal.SIGTERM)  # with four idle keep-alive connections open
        try:
            code = s.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        stopped = time.monotonic() - t0
        for c in conns:
            c.close()
        ok = answered == 5000 and dropped > 0 and code == 0 and stopped < 3 + 1.5
        return ok, "%d/5000 answered (slowest %.2fs) %s; %d lines dropped; exit %s after SIGTERM in %.1fs" % (
            answered, worst, detail, dropped, code, stopped)
    finally:
        s.stop(signal.SIGKILL)
        os.close(r)


CASES = {"bodylimit": case_bodylimit, "headerlimit": case_headerlimit, "requesttime": case_requesttime,
         "slowloris": case_slowloris, "halfopen": case_halfopen, "tlsgarbage": case_tlsgarbage,
         "connections": case_connections, "reload": case_reload, "diskfull": case_diskfull,
         "readonly": case_readonly, "sigkill": case_sigkill, "stderrfull": case_stderrfull,
         "memorylimit": case_memorylimit}


def main():
    names = sys.argv[2:] or list(CASES)
    failed = skipped = 0
    for n in names:
        t0 = time.monotonic()
        try:
            ok, detail = CASES[n]()
        except Exception as e:  # noqa: BLE001
            ok, detail = False, "exception: %r" % (e,)
        if ok is None:  # cannot run here
            print("%-12s skip        %s" % (n, detail), flush=True)
            skipped += 1
            continue
        failed += not ok
        print("%-12s %-4s %5.1fs  %s" % (n, "ok" if ok else "FAIL", time.monotonic() - t0, detail), flush=True)
    return 1 if failed else (77 if skipped == len(names) else 0)


if __name__ == "__main__":
    sys.exit(main())
