#!/usr/bin/env python3
"""End-to-end checks of `aimsgate check` output with the consumers' own tools.

usage: check_formats.py --aimsgate BIN --source-dir DIR CASE
CASE: golden | sarif_schema | junit_xml | github_commands | determinism |
      large_tree | stdin | binary | progress | recipes | policy_reports | streaming |
      memory_limit | stdout_full | output_replaced | same_file | hostile_walk |
      hostile_stdin | hostile_reports
Exit 0 pass, 1 fail, 77 skip (a validator is not installed).
UPDATE_GOLDEN=1 rewrites tests/cli/golden/ from the current output.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

NOW = "2026-06-01T00:00:00Z"
FORMATS = ["text", "json", "sarif", "junit", "github"]


class Ctx:
    def __init__(self, args):
        self.bin = os.path.abspath(args.aimsgate)
        self.src = os.path.abspath(args.source_dir)
        self.here = os.path.join(self.src, "tests", "cli")
        self.fixtures = os.path.join(self.here, "fixtures")
        self.failures = []

    def run(self, args, cwd=None, stdin=None, env=None):
        p = subprocess.run([self.bin, "check", "--now", NOW] + args, cwd=cwd or self.fixtures,
                           input=stdin, capture_output=True, env=env)
        return p.returncode, p.stdout, p.stderr

    def fixture_report(self, fmt):
        return self.run(["--rules", "pack", "--waivers", "waivers.yaml", "--format", fmt, "repo"])

    def examples_report(self, fmt):
        ex = os.path.join(self.src, "examples")
        return self.run(["--inventory", "inventory.yaml", "--waivers", "waivers.yaml", "--format", fmt,
                         "--exclude", "model", "--exclude", "inventory.yaml", "--exclude", "waivers.yaml", "."],
                        cwd=ex)

    def expect(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL", what)


def normalize(fmt, data):
    text = data.decode("utf-8")
    if fmt == "sarif":
        # The tool version changes with every release; nothing else is volatile.
        text = re.sub(r'("name": "aimsgate",\n\s+"version": )"[^"]+"(,\n\s+"semanticVersion": )"[^"]+"',
                      r'\1"VERSION"\2"VERSION"', text)
    return text


def case_golden(c):
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    gdir = os.path.join(c.here, "golden")
    os.makedirs(gdir, exist_ok=True)
    for fmt in FORMATS:
        rc, out, err = c.fixture_report(fmt)
        c.expect(rc == 1, f"{fmt}: exit {rc}, want 1 (denied resources); stderr: {err.decode()}")
        got = normalize(fmt, out)
        path = os.path.join(gdir, "check." + fmt)
        if update:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(got)
            print("updated", path)
            continue
        with open(path, encoding="utf-8", newline="") as f:
            want = f.read()
        if got != want:
            import difflib
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), path, "actual", n=2))
            c.expect(False, f"{fmt}: output differs from {path} (UPDATE_GOLDEN=1 to accept):\n{diff[:4000]}")
        else:
            print("ok  ", fmt, "matches", os.path.relpath(path, c.src))


def sarif_github_constraints(c, name, doc):
    """What GitHub code scanning requires beyond the schema."""
    c.expect(doc.get("version") == "2.1.0", f"{name}: version")
    c.expect(len(doc["runs"]) == 1, f"{name}: exactly one run")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    c.expect(len(ids) == len(set(ids)), f"{name}: rule ids unique")
    for r in rules:
        c.expect(r["defaultConfiguration"]["level"] in ("error", "warning", "note"), f"{name}: level of {r['id']}")
        sev = float(r["properties"]["security-severity"])
        c.expect(0 < sev <= 10, f"{name}: security-severity of {r['id']}")
        c.expect("iso42001" in r["properties"]["tags"], f"{name}: iso42001 tag on {r['id']}")
        c.expect(r["help"]["text"] and r["help"]["markdown"], f"{name}: help of {r['id']}")
    for res in run["results"]:
        c.expect(rules[res["ruleIndex"]]["id"] == res["ruleId"], f"{name}: ruleIndex of {res['ruleId']}")
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        c.expect(not uri.startswith("/") and ".." not in uri.split("/"), f"{name}: relative uri {uri}")
        c.expect(loc["region"]["startLine"] >= 1, f"{name}: startLine")
        c.expect(res["message"]["text"], f"{name}: message")
    return len(run["results"])


def case_sarif_schema(c):
    try:
        import jsonschema
    except ImportError:
        print("SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)")
        return 77
    with open(os.path.join(c.here, "schema", "sarif-2.1.0-rtm.5.json"), encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    docs = {}
    rc, out, _ = c.fixture_report("sarif")
    docs["fixture"] = out
    rc, out, _ = c.examples_report("sarif")
    docs["examples (built-in pack)"] = out
    # Input errors become toolExecutionNotifications.
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, "broken.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n")
        rc, out, _ = c.run(["--format", "sarif", "broken.yaml"], cwd=t)
        c.expect(rc == 2, "broken input exits 2")
        docs["input error"] = out
    for name, raw in docs.items():
        doc = json.loads(raw)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:10]:
            c.expect(False, f"{name}: schema: {e.message} at {list(e.path)}")
        n = sarif_github_constraints(c, name, doc)
        if not errors:
            print(f"ok   {name}: schema-valid SARIF 2.1.0, {n} results")
    notes = json.loads(docs["input error"])["runs"][0]["invocations"][0]
    c.expect(not notes["executionSuccessful"] and notes["toolExecutionNotifications"][0]["locations"],
             "input error notification with a location")


def junit_check(c, name, raw):
    root = ET.fromstring(raw)  # raises on malformed XML
    c.expect(root.tag == "testsuites", f"{name}: root element")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counts = {"tests": len(cases),
                  "failures": sum(1 for t in cases if t.find("failure") is not None),
                  "errors": sum(1 for t in cases if t.find("error") is not None),
                  "skipped": sum(1 for t in cases if t.find("skipped") is not None)}
        for k, v in counts.items():
            c.expect(int(suite.get(k)) == v, f"{name}: suite {suite.get('name')} {k}={suite.get(k)}, counted {v}")
            total[k] += v
        for t in cases:
            c.expect(t.get("name") and t.get("classname"), f"{name}: testcase name/classname")
    for k, v in total.items():
        c.expect(int(root.get(k)) == v, f"{name}: testsuites {k}={root.get(k)}, counted {v}")
    print(f"ok   {name}: well-formed JUnit XML, {total['tests']} testcases, {total['failures']} failures")
    return root


def case_junit_xml(c):
    _, out, _ = c.fixture_report("junit")
    root = junit_check(c, "fixture", out)
    msgs = [f.get("message") for f in root.iter("failure")]
    c.expect(any('<&> "100%"' in m for m in msgs), "escaped message round-trips through the parser")
    _, out, _ = c.examples_report("junit")
    junit_check(c, "examples (built-in pack)", out)


GITHUB_LINE = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::[^\r\n]*$")


def case_github_commands(c):
    for name, (rc, out, _) in {"fixture": c.fixture_report("github"),
                                "examples": c.examples_report("github")}.items():
        lines = out.decode().split("\n")
        c.expect(lines[-1] == "", f"{name}: ends with a newline")
        for line in lines[:-1]:
            c.expect(GITHUB_LINE.match(line) is not None, f"{name}: not a workflow command: {line[:200]}")
        print(f"ok   {name}: {len(lines) - 1} workflow commands")


def make_tree(root, n, seed_bytes=0):
    """n manifests in nested directories; every third one a denied AI workload."""
    total = 0
    for i in range(n):
        d = os.path.join(root, f"team{i % 20:02d}", f"svc{i % 50:02d}")
        os.makedirs(d, exist_ok=True)
        ai = i % 3 == 0
        body = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: ns{i % 10}\n"
                f"  labels: {{app: app-{i}}}\n  annotations:\n"
                + ("    aimsgate.io/system-id: sys-%d\n" % i if ai else "    team: t%d\n" % (i % 20))
                + f"spec:\n  replicas: {1 + i % 3}\n  selector:\n    matchLabels: {{app: app-{i}}}\n"
                f"  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n"
                f"      - name: main\n        image: registry.example.com/app:{i}\n"
                f"        resources:\n          limits: {{cpu: 500m, memory: 512Mi}}\n"
                f"        env:\n" + "".join(f"        - {{name: VAR_{k}, value: \"{k * i}\"}}\n" for k in range(10))
                + f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: ns{i % 10}}}\n"
                f"spec:\n  selector: {{app: app-{i}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n")
        with open(os.path.join(d, f"app-{i:05d}.yaml"), "w") as f:
            f.write(body)
        total += len(body)
    return total


def case_determinism(c):
    with tempfile.TemporaryDirectory() as t:
        make_tree(t, 1200)
        outs = {}
        for jobs in (1, 4):
            rc, out, err = c.run(["--jobs", str(jobs), "--format", "json", "."], cwd=t)
            c.expect(rc == 1, f"jobs={jobs}: exit {rc}, stderr {err[:300]}")
            outs[jobs] = out
        c.expect(outs[1] == outs[4], "JSON differs between --jobs 1 and --jobs 4")
        for fmt in ("sarif", "junit", "github"):
            a = c.run(["--jobs", "1", "--format", fmt, "."], cwd=t)[1]
            b = c.run(["--jobs", "4", "--format", fmt, "."], cwd=t)[1]
            c.expect(a == b, f"{fmt} differs between --jobs 1 and --jobs 4")
        doc = json.loads(outs[1])
        c.expect(doc["summary"]["resources"] == 2400, f"resources {doc['summary']['resources']}")
        srcs = [(r["resource"]["source"], r["resource"]["line"]) for r in doc["results"]]
        c.expect(srcs == sorted(srcs), "results sorted by file, then position")
        if not c.failures:
            print(f"ok   1,200 files: JSON, SARIF, JUnit and GitHub output byte-identical for --jobs 1 and 4")


def case_large_tree(c):
    n = int(os.environ.get("AIMSGATE_LARGE_TREE_FILES", "5000"))
    with tempfile.TemporaryDirectory() as top:
        t = os.path.join(top, "tree")
        size = make_tree(t, n)
        for jobs in (1, 2):
            start = time.monotonic()
            rc, out, err = c.run(["--jobs", str(jobs), "--format", "json", "--output", os.path.join(top, "r.json"),
                                  "."], cwd=t)
            secs = time.monotonic() - start
            c.expect(rc == 1, f"jobs={jobs}: exit {rc}: {err[:300]}")
            with open(os.path.join(top, "r.json")) as f:
                doc = json.load(f)
            c.expect(doc["summary"]["resources"] == 2 * n, f"resources {doc['summary']['resources']}")
            c.expect(doc["summary"]["denied"] == len(range(0, n, 3)), f"denied {doc['summary']['denied']}")
            c.expect(not doc["errors"], "no input errors")
            c.expect(err == b"", f"no progress output when stderr is not a terminal: {err[:200]}")
            print(f"ok   {n} files, {size / 1e6:.1f} MB, --jobs {jobs}: {secs:.2f} s end to end, "
                  f"{n / secs:.0f} files/s, {size / 1e6 / secs:.1f} MB/s (JSON report of every result written)")


def case_stdin(c):
    # What `helm template` emits: a leading `---`, comments, empty documents.
    helm = (b"---\n# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
            b"  name: scorer\n  annotations: {aimsgate.io/system-id: scorer}\nspec:\n  template:\n    spec:\n"
            b"      containers: [{name: m, image: vllm/vllm-openai:v1}]\n---\n---\n# Source: chart/templates/svc.yaml\n"
            b"apiVersion: v1\nkind: Service\nmetadata: {name: scorer}\n")
    rc, out, err = c.run(["--format", "json", "-"], stdin=helm)
    doc = json.loads(out)
    c.expect(rc == 1, f"helm stdin: exit {rc}: {err[:300]}")
    c.expect([r["resource"]["source"] for r in doc["results"]][:1] == ["<stdin>"], "source is <stdin>")
    c.expect(doc["summary"]["resources"] == 2, f"helm stdin resources {doc['summary']['resources']}")
    owner = [r for r in doc["results"] if r["rule"] == "iso42001/owner-assigned"]
    c.expect(owner and owner[0]["result"] == "fail" and owner[0].get("fieldLine") == 7,
             f"field line from stdin: {owner[:1]}")
    # `kustomize build` emits a plain `---`-separated stream; a List is expanded.
    kustomize = (b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
                 b"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n")
    rc, out, err = c.run(["--format", "sarif", "-"], stdin=kustomize)
    c.expect(rc == 0, f"kustomize stdin: exit {rc}: {err[:300]}")
    c.expect(json.loads(out)["runs"][0]["results"] == [], "no findings for ConfigMaps")
    # Both stdin and a directory in one run.
    rc, out, err = c.run(["--rules", "pack", "--format", "json", "-", "repo/nested"], stdin=helm)
    srcs = sorted({r["resource"]["source"] for r in json.loads(out)["resources"]})
    c.expect(srcs == ["<stdin>", "repo/nested/deep/svc.yaml", "repo/nested/keep.tmp.yaml"], f"stdin plus directory: {srcs}")
    # A runaway pipe stops at --max-file-bytes: one object never grows past it.
    rc, out, err = c.run(["--max-file-bytes", "100000", "-"], stdin=b"a" * 5000000)
    c.expect(rc == 2 and b"<stdin>:1:1: error: document larger than the limit of 100000 bytes (--max-file-bytes)" in out + err,
             f"stdin over the limit: exit {rc} {err[-300:]!r}")
    if shutil.which("helm"):
        print("note: helm is installed but not used; the stream above is what `helm template` prints")
    if not c.failures:
        print("ok   helm-template and kustomize-build streams on stdin")


def case_binary(c):
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, "a.yaml"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        with open(os.path.join(t, "b.yaml"), "wb") as f:
            f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n")
        with open(os.path.join(t, "c.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n")
        for fmt in ("json", "sarif", "junit", "github", "text"):
            rc, out, err = c.run(["--format", fmt, "."], cwd=t)
            c.expect(rc == 2, f"{fmt}: exit {rc}, want 2")
            text = out.decode("utf-8")  # must be valid UTF-8 whatever the input
            if fmt == "json":
                doc = json.loads(text)
                errs = {e["source"]: e["message"] for e in doc["errors"]}
                c.expect(re.search("binary|UTF-8", errs.get("a.yaml", "")), f"binary file reported: {errs}")
                c.expect("UTF-8" in errs.get("b.yaml", ""), f"invalid UTF-8 reported: {errs}")
                c.expect(doc["summary"]["resources"] == 1, "the good file is still evaluated")
            if fmt == "junit":
                ET.fromstring(out)
            if fmt == "sarif":
                json.loads(text)
        if not c.failures:
            print("ok   binary and non-UTF-8 files are input errors (exit 2) in every format")


def case_progress(c):
    with tempfile.TemporaryDirectory() as t:
        make_tree(t, 40)
        rc, out, err = c.run(["--progress", "--format", "json", "."], cwd=t)
        lines = err.decode().strip().split("\n")
        c.expect(lines and lines[-1].startswith("aimsgate: scanned 40/40 files (100%"), f"progress lines: {lines}")
        c.expect(len(lines) <= 11, f"at most one line per 10%: {len(lines)}")
        rc, out, err = c.run(["--format", "json", "."], cwd=t)
        c.expect(err == b"", "no progress without a terminal")
    script = shutil.which("script")
    if script:  # util-linux script(1) gives the command a terminal
        with tempfile.TemporaryDirectory() as t:
            make_tree(t, 320)
            cmd = f"{c.bin} check --format json --output /dev/null ."
            p = subprocess.run([script, "-qec", cmd, "/dev/null"], cwd=t, capture_output=True)
            c.expect(b"files 100%" in p.stdout or b"scanning [" in p.stdout, f"bar on a terminal: {p.stdout[-300:]}")
            c.expect(p.stdout.rstrip().endswith(b"\x1b[K"), "the bar is erased at the end")
        with tempfile.TemporaryDirectory() as t:
            make_tree(t, 20)
            p = subprocess.run([script, "-qec", f"{c.bin} check --format json --output /dev/null .", "/dev/null"],
                               cwd=t, capture_output=True)
            c.expect(b"scanning" not in p.stdout, "no bar for a few files")
    if not c.failures:
        print("ok   progress: lines with --progress, a bar on a terminal over 300 files, nothing otherwise")


def case_recipes(c):
    """Runs the `aimsgate check` commands of docs/ci/*.yml on a copy of examples/."""
    try:
        import yaml
    except ImportError:
        print("SKIP: python3-yaml is not installed")
        return 77
    docs = os.path.join(c.src, "docs", "ci")
    with open(os.path.join(docs, "github-workflow.yml")) as f:
        gh = yaml.safe_load(f)
    with open(os.path.join(docs, "gitlab-ci.yml")) as f:
        gl = yaml.safe_load(f)
    steps = gh["jobs"]["check"]["steps"]
    c.expect(any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps), "upload-sarif step")
    c.expect(gh["permissions"]["security-events"] == "write", "security-events: write")
    commands = {"github": [s["run"] for s in steps if "aimsgate check" in s.get("run", "")],
                "gitlab": [l for l in gl["aimsgate"]["script"] if "aimsgate check" in l]}
    c.expect(gl["aimsgate"]["artifacts"]["reports"]["junit"] == "aimsgate-junit.xml", "gitlab junit report")
    ex = os.path.join(c.src, "examples")
    bindir = os.path.dirname(c.bin)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    for name, cmds in commands.items():
        c.expect(len(cmds) == 1, f"{name}: one aimsgate check command")
        with tempfile.TemporaryDirectory() as t:
            os.makedirs(os.path.join(t, "deploy"))
            os.makedirs(os.path.join(t, "waivers"))
            for f in os.listdir(ex):
                if f.endswith(".yaml") and f not in ("inventory.yaml", "waivers.yaml"):
                    shutil.copy(os.path.join(ex, f), os.path.join(t, "deploy", f))
            shutil.copy(os.path.join(ex, "inventory.yaml"), t)
            shutil.copy(os.path.join(ex, "waivers.yaml"), os.path.join(t, "waivers"))
            cmd = cmds[0].replace("aimsgate check", "aimsgate check --now " + NOW, 1)
            p = subprocess.run(["bash", "-c", cmd], cwd=t, env=env, capture_output=True)
            c.expect(p.returncode == 1, f"{name}: exit {p.returncode} (examples have denied workloads): {p.stderr[:300]}")
            for out in os.listdir(t):
                if out.endswith(".sarif"):
                    run = json.load(open(os.path.join(t, out)))["runs"][0]
                    c.expect(run["results"], f"{name}: {out} has results")
                if out.endswith(".xml"):
                    ET.parse(os.path.join(t, out))
            produced = sorted(o for o in os.listdir(t) if o.endswith((".sarif", ".xml")))
            c.expect(len(produced) == 2, f"{name}: report files {produced}")
            print(f"ok   {name} recipe: exit 1, wrote {', '.join(produced)}")


def case_policy_reports(c):
    try:
        import yaml
    except ImportError:
        print("SKIP: python3-yaml is not installed")
        return 77
    want = {"policyreport": {"PolicyReport", "ClusterPolicyReport"}, "openreports": {"Report", "ClusterReport"}}
    for fmt, kinds in want.items():
        rc, out, err = c.fixture_report(fmt)
        if rc == 2 and b"unknown format" in err:
            print(f"SKIP: {fmt} is not built in (no evidence library)")
            return 77
        c.expect(rc == 1, f"{fmt}: exit {rc}: {err[:300]}")
        docs = [d for d in yaml.safe_load_all(out) if d]
        c.expect(docs and all(d["kind"] in kinds for d in docs), f"{fmt}: kinds {[d.get('kind') for d in docs]}")
        results = sum(len(d.get("results", [])) for d in docs)
        passes = sum(d["summary"]["pass"] for d in docs)
        # The findings are listed, passes counted (check --results all lists them too).
        c.expect((results, passes) == (8, 6), f"{fmt}: {results} results listed (want 8), summary.pass {passes} (want 6)")
        c.expect(not [r for d in docs for r in d.get("results", []) if r["result"] == "pass"], f"{fmt}: a pass listed")
        rc, out, err = c.run(["--rules", "pack", "--waivers", "waivers.yaml", "--format", fmt, "--results", "all", "repo"])
        listed = sum(len(d.get("results", [])) for d in yaml.safe_load_all(out) if d)
        c.expect(listed == 16, f"{fmt} --results all: {listed} results, want 16 (every rule result)")
        listed_skips = sum(1 for d in docs for r in d.get("results", []) if r["result"] == "skip")
        skips = sum(d["summary"]["skip"] for d in docs)
        c.expect((listed_skips, skips) == (1, 3),
                 f"{fmt}: {listed_skips} skip results listed (want 1, the waived one), summary.skip {skips} (want 3)")
        print(f"ok   {fmt}: {len(docs)} reports, {results} results")


def case_streaming(c):
    """A cluster List through every report that spools its body (issue 14): the spool's
    failures are exit 2 with a clear message, and the reports are whole otherwise."""
    gen = os.path.join(c.src, "bench", "cluster", "gen_list.py")
    lst = subprocess.run([sys.executable, gen, "--count", "2000"], capture_output=True, check=True).stdout
    env = dict(os.environ, TMPDIR="/nonexistent/aimsgate-spool")
    for fmt in ("json", "sarif", "junit", "policyreport"):
        rc, out, err = c.run(["--format", fmt, "--results", "all", "-"], stdin=lst, env=env)
        c.expect(rc == 2, f"{fmt} with no temporary directory: exit {rc}, want 2")
        c.expect(b"cannot create a temporary file in /nonexistent/aimsgate-spool (TMPDIR)" in err,
                 f"{fmt}: the spool's error is said: {err[-300:]}")
    # A report with few results never needs the temporary directory.
    lines = lst.split(b"\n")
    one = lines[0] + b"\n" + lines[1].rstrip(b",") + b"\n]}\n"
    rc, out, err = c.run(["--format", "json", "-"], stdin=one, env=env)
    c.expect(rc in (0, 1) and json.loads(out)["summary"]["resources"] == 1, f"one item, no TMPDIR: exit {rc}: {err[-300:]}")
    outs = {}
    for jobs in (1, 3):
        rc, out, err = c.run(["--jobs", str(jobs), "--format", "json", "-"], stdin=lst)
        c.expect(rc == 1, f"jobs={jobs}: exit {rc}: {err[-300:]}")
        outs[jobs] = out
    c.expect(outs[1] == outs[3], "JSON of a List differs between --jobs 1 and 3")
    doc = json.loads(outs[1])
    c.expect(doc["summary"]["resources"] == 2000 and len(doc["resources"]) == 2000, "every item reported")
    if not c.failures:
        print(f"ok   2,000-item List: spool failures exit 2, reports whole and identical for --jobs 1 and 3")



def case_memory_limit(c):
    """Under an address-space limit (ulimit -v, vm.overcommit_memory=2) malloc answers null:
    every command that runs out says so and exits 2, never a signal."""
    import resource
    limit = 128 << 20

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def run(args, cwd):
        p = subprocess.run([c.bin] + args, cwd=cwd, preexec_fn=limited, capture_output=True)
        return p.returncode, p.stdout, p.stderr

    if subprocess.run([c.bin, "--help"], preexec_fn=limited, capture_output=True).returncode != 0:
        print("skip: the binary does not start under an address-space limit (a sanitizer build)")
        return 77
    with tempfile.TemporaryDirectory() as t:
        # One object of 46 MB (under --max-file-bytes): its DOM needs more than the limit leaves.
        with open(os.path.join(t, "big.json"), "w") as f:
            f.write('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {')
            f.write(", ".join('"k%d": "%s"' % (i, "x" * 100) for i in range(400000)))
            f.write("}}")
        with open(os.path.join(t, "small.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n")
        for fmt in ("json", "sarif", "text"):
            # One job: the small file is checked after the large one gave its memory back.
            rc, out, err = run(["check", "--now", NOW, "--jobs", "1", "--format", fmt, "big.json", "small.yaml"], t)
            c.expect(rc == 2 and b"big.json: error: out of memory while checking the file" in out + err,
                     f"{fmt}: an object too large for memory: exit {rc} {err[-300:]!r}")
            if fmt == "json" and rc == 2:
                c.expect(json.loads(out)["summary"]["resources"] == 1, "the small file is still checked")
        # A pack too large for memory: 200,000 rules (14 MB).
        os.mkdir(os.path.join(t, "pack"))
        with open(os.path.join(t, "pack", "big.yaml"), "w") as f:
            f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: big, version: 1.0.0}\n"
                    "spec:\n  rules:\n")
            f.writelines('  - {id: r%d, match: {kinds: [Pod]}, assert: "true", message: m}\n' % i
                         for i in range(200000))
        rc, out, err = run(["lint", "pack/big.yaml"], t)
        c.expect(rc == 2 and b"out of memory" in err, f"lint: exit {rc} {err[-300:]!r}")
        # The pack compiles on the calling thread while another reads ahead: whichever runs
        # out first, the answer is the same.
        for i in range(5):
            rc, out, err = run(["check", "--rules", "pack/big.yaml", "small.yaml"], t)
            c.expect(rc == 2 and b"out of memory" in err, f"check --rules, run {i}: exit {rc} {err[-300:]!r}")
    if not c.failures:
        print("ok   out of memory under ulimit -v is exit 2 with the reason, in every format and on every thread")


STDOUT_ERROR = b"aimsgate: error: cannot write to standard output: No space left on device"


def case_stdout_full(c):
    """Output that cannot be written (stdout on /dev/full) is exit 2 with the reason, in every
    format of check and in every command that prints: a report nobody got must not pass CI."""
    if not os.path.exists("/dev/full"):
        print("skip: no /dev/full")
        return 77

    def run(args, cwd):
        with open("/dev/full", "wb") as full:
            p = subprocess.run([c.bin] + args, cwd=cwd, stdout=full, stderr=subprocess.PIPE)
        return p.returncode, p.stderr

    for fmt in FORMATS:
        rc, err = run(["check", "--now", NOW, "--rules", "pack", "--waivers", "waivers.yaml", "--format", fmt, "repo"],
                      c.fixtures)
        c.expect(rc == 2 and STDOUT_ERROR in err, f"check --format {fmt} >/dev/full: exit {rc}, stderr {err[-300:]!r}")
    with tempfile.TemporaryDirectory() as t:
        make_tree(t, 400)  # more text than a stdio buffer: the scan stops at the first failed write
        rc, err = run(["check", "--now", NOW, "--jobs", "1", "."], t)
        c.expect(rc == 2 and err.count(STDOUT_ERROR) == 1, f"check of 400 files >/dev/full: exit {rc}, {err[-300:]!r}")
    for args in (["version"], ["rules", "list"], ["rules", "controls"], ["rules", "export"], ["schema", "rulepack"],
                 ["soa"], ["test", "rules/iso42001"], ["--help"]):
        rc, err = run(args, c.src)
        c.expect(rc == 2 and STDOUT_ERROR in err, f"{' '.join(args)} >/dev/full: exit {rc}, stderr {err[-300:]!r}")
    if not c.failures:
        print("ok   stdout on /dev/full: exit 2 and 'cannot write to standard output' in check and every command")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def case_output_replaced(c):
    """-o and FORMAT=PATH replace a report only once it is whole: a run that fails part way
    (a file size limit, evidence that cannot be written, no TMPDIR for the spool) leaves the
    old report as it was and no temporary file behind; exit codes are unchanged."""
    import resource
    import signal

    def file_size_limit(n):
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write(2) answers EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
        return limit

    gen = os.path.join(c.src, "bench", "cluster", "gen_list.py")
    lst = subprocess.run([sys.executable, gen, "--count", "300"], capture_output=True, check=True).stdout
    old = b"the previous report\n"
    with tempfile.TemporaryDirectory() as t:
        write(os.path.join(t, "in.json"), lst)

        def check(args, **kw):
            return subprocess.run([c.bin, "check", "--now", NOW] + args, cwd=t, capture_output=True, **kw)

        def leftovers():
            return sorted(n for n in os.listdir(t) if n.startswith("."))

        # Disk full part way: 16 KiB per file, the JSON report is larger.
        for args in (["--format", "json", "-o", "r.json"], ["--format", "text=r.json"],
                     ["--format", "sarif=r.json", "--format", "text"]):
            write(os.path.join(t, "r.json"), old)
            p = check(args + ["in.json"], preexec_fn=file_size_limit(16 << 10))
            # The report or the spool behind it (TMPDIR) reaches the limit first.
            c.expect(p.returncode == 2 and b"File too large" in p.stderr,
                     f"{args} under ulimit -f: exit {p.returncode}, {p.stderr[-300:]!r}")
            c.expect(read(os.path.join(t, "r.json")) == old, f"{args}: the old report was overwritten")
            c.expect(leftovers() == [], f"{args}: temporary files left: {leftovers()}")
        # The evidence log reaches the file size limit a few records in: the run stops, exit 2.
        p = check(["--evidence", "ev.jsonl", "--format", "json=/dev/null", "in.json"])
        c.expect(p.returncode == 1, f"evidence log written: exit {p.returncode} {p.stderr[-300:]!r}")
        write(os.path.join(t, "r.json"), old)
        p = check(["--format", "text=r.json", "--evidence", "ev.jsonl", "in.json"],
                  preexec_fn=file_size_limit(os.path.getsize(os.path.join(t, "ev.jsonl")) + 4096))
        c.expect(p.returncode == 2 and b"ev.jsonl: error: evidence not recorded" in p.stderr,
                 f"evidence failure: exit {p.returncode}, {p.stderr[-300:]!r}")
        c.expect(read(os.path.join(t, "r.json")) == old, "evidence failure: the old report was overwritten")
        c.expect(leftovers() == [], f"evidence failure: temporary files left: {leftovers()}")
        # The spool has no TMPDIR: exit 2 at the end, the old report kept.
        write(os.path.join(t, "r.json"), old)
        p = check(["--format", "json", "--results", "all", "-o", "r.json", "in.json"],
                  env=dict(os.environ, TMPDIR="/nonexistent/aimsgate-spool"))
        c.expect(p.returncode == 2, f"no TMPDIR: exit {p.returncode}")
        c.expect(read(os.path.join(t, "r.json")) == old, "no TMPDIR: the old report was overwritten")
        c.expect(leftovers() == [], f"no TMPDIR: temporary files left: {leftovers()}")
        # Success replaces the file, keeping its mode; a new file is 0666 less the umask.
        os.chmod(os.path.join(t, "r.json"), 0o600)
        p = check(["--format", "json", "-o", "r.json", "in.json"])
        c.expect(p.returncode == 1 and json.loads(read(os.path.join(t, "r.json")))["summary"]["resources"] == 300,
                 f"success: exit {p.returncode}, report replaced")
        c.expect(os.stat(os.path.join(t, "r.json")).st_mode & 0o777 == 0o600, "a replaced report keeps its mode")
        p = check(["--format", "json", "-o", "new.json", "in.json"], preexec_fn=lambda: os.umask(0o027))
        c.expect(os.stat(os.path.join(t, "new.json")).st_mode & 0o777 == 0o640, "a new report is 0666 less the umask")
        # Special files are written in place: /dev/stdout, a FIFO, /dev/null.
        p = check(["--format", "json", "-o", "/dev/stdout", "in.json"])
        c.expect(p.returncode == 1 and json.loads(p.stdout)["summary"]["resources"] == 300, "-o /dev/stdout")
        p = check(["--format", "json", "-o", "/dev/null", "in.json"])
        c.expect(p.returncode == 1 and os.path.exists("/dev/null"), f"-o /dev/null: exit {p.returncode}")
        fifo = os.path.join(t, "fifo")
        os.mkfifo(fifo)
        with open(os.path.join(t, "from-fifo"), "wb") as sink:
            reader = subprocess.Popen(["cat", fifo], stdout=sink)
            p = check(["--format", "json", "-o", "fifo", "in.json"])
            reader.wait(timeout=60)
        got = read(os.path.join(t, "from-fifo"))
        c.expect(p.returncode == 1 and json.loads(got)["summary"]["resources"] == 300, "-o FIFO")
        c.expect(leftovers() == [], f"temporary files left: {leftovers()}")
    if not c.failures:
        print("ok   a failed run leaves the old report and no temporary file; special files written in place")


def case_same_file(c):
    """Two outputs on one file, or an output on the evidence log or on an input, are refused
    before anything is written (exit 2, both uses named); so are two streams on stdout."""
    with tempfile.TemporaryDirectory() as t:
        shutil.copy(os.path.join(c.src, "examples", "vllm-chat-assistant.yaml"), os.path.join(t, "d.yaml"))
        log = b'{"kept": "the evidence log"}\n'
        write(os.path.join(t, "ev.jsonl"), log)
        os.symlink("d.yaml", os.path.join(t, "link.yaml"))
        manifest = read(os.path.join(t, "d.yaml"))
        cases = [
            (["--format", "sarif", "-o", "ev.jsonl", "--evidence", "ev.jsonl", "d.yaml"],
             b"-o ev.jsonl (sarif report) and --evidence ev.jsonl name the same file"),
            (["--format", "json=a.json", "--format", "sarif=a.json", "d.yaml"],
             b"--format json=a.json and --format sarif=a.json name the same file"),
            (["--format", "json=./sub/../a.json", "--format", "sarif=a.json", "d.yaml"],
             b"--format json=./sub/../a.json and --format sarif=a.json name the same file"),
            (["--format", "json", "-o", "d.yaml", "d.yaml"], b"-o d.yaml (json report) and input d.yaml name the same file"),
            (["--format", "json", "-o", "link.yaml", "d.yaml"], b"-o link.yaml (json report) and input d.yaml"),
            (["--evidence", "d.yaml", "d.yaml"], b"--evidence d.yaml and input d.yaml name the same file"),
            (["--format", "json", "-o", "ev.jsonl", "--rules", "ev.jsonl", "d.yaml"], b"and --rules ev.jsonl"),
            (["--evidence", "-", "d.yaml"], b"--evidence - and the text report both on stdout"),
            (["--evidence", "-", "--format", "json", "d.yaml"], b"--evidence - and the json report both on stdout"),
        ]
        os.mkdir(os.path.join(t, "sub"))
        for args, want in cases:
            p = subprocess.run([c.bin, "check", "--now", NOW] + args, cwd=t, capture_output=True)
            c.expect(p.returncode == 2 and want in p.stderr, f"{args}: exit {p.returncode}, {p.stderr[-300:]!r}")
            c.expect(p.stdout == b"", f"{args}: nothing written to stdout")
            c.expect(read(os.path.join(t, "ev.jsonl")) == log and read(os.path.join(t, "d.yaml")) == manifest,
                     f"{args}: a file was changed")
            c.expect(not os.path.exists(os.path.join(t, "a.json")), f"{args}: a.json was written")
        # The other commands with -o: a log, an input or a pack is never written over.
        for args, want in ((["evidence", "report", "-o", "ev.jsonl", "ev.jsonl"], b"-o ev.jsonl and log ev.jsonl"),
                           (["soa", "--evidence", "ev.jsonl", "-o", "ev.jsonl"], b"-o ev.jsonl and --evidence ev.jsonl"),
                           (["inventory", "discover", "-o", "link.yaml", "d.yaml"], b"-o link.yaml and input d.yaml"),
                           (["rules", "export", "-o", "d.yaml", "d.yaml"], b"-o d.yaml and pack d.yaml")):
            p = subprocess.run([c.bin] + args, cwd=t, capture_output=True)
            c.expect(p.returncode == 2 and want + b" name the same file" in p.stderr,
                     f"{args}: exit {p.returncode}, {p.stderr[-300:]!r}")
            c.expect(read(os.path.join(t, "ev.jsonl")) == log and read(os.path.join(t, "d.yaml")) == manifest,
                     f"{args}: a file was changed")
        # Distinct files, and the evidence on stdout with the reports in files, still work.
        p = subprocess.run([c.bin, "check", "--now", NOW, "--format", "json=a.json", "--format", "sarif=b.sarif",
                            "--evidence", "-", "d.yaml"], cwd=t, capture_output=True)
        c.expect(p.returncode in (0, 1) and b'"seq"' in p.stdout, f"distinct outputs: exit {p.returncode} {p.stderr[-300:]!r}")
        c.expect(json.loads(read(os.path.join(t, "a.json")))["summary"]["resources"] >= 1, "a.json written")
    if not c.failures:
        print("ok   outputs on one file, on the evidence log or on an input, and two streams on stdout: refused")


# An AI workload the built-in pack fails (no owner, no system id...).
AI_DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: prod\nspec:\n"
                 "  template:\n    spec:\n      containers: [{{name: m, image: vllm/vllm-openai:v1}}]\n")


def run_bounded(cmd, timeout, **kw):
    """Runs `cmd` in its own process group, killed whole after `timeout` s: (rc, out, err), rc None on timeout."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kw)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, err = p.communicate()
        return None, out, err


def case_hostile_walk(c):
    """A hostile-input audit: symlinks making 2^N paths to one directory; FIFOs in a walked tree;
    an entry that cannot be stat'ed. Each must end fast and be reported."""
    with tempfile.TemporaryDirectory() as t:
        for i in range(12):
            os.makedirs(os.path.join(t, f"d{i}"))
            for link in ("a", "b"):
                os.symlink(f"../d{i + 1}", os.path.join(t, f"d{i}", link))
        os.makedirs(os.path.join(t, "d12"))
        with open(os.path.join(t, "d12", "m.yaml"), "w") as f:
            f.write(AI_DEPLOYMENT.format(name="m"))
        rc, out, err = run_bounded([c.bin, "check", "--now", NOW, "--format", "json", "."], 60, cwd=t)
        c.expect(rc == 1 and json.loads(out)["summary"]["resources"] == 1,
                 f"symlink chain: exit {rc}, want one resource: {out[-300:]!r}")
        c.expect(b"d0/a: note: same directory as d1; not walked again" in err, f"symlink chain note: {err[:300]!r}")
    with tempfile.TemporaryDirectory() as t:
        with open(os.path.join(t, "a.yaml"), "w") as f:
            f.write(AI_DEPLOYMENT.format(name="a"))
        os.mkfifo(os.path.join(t, "pipe.yaml"))
        rc, out, err = run_bounded([c.bin, "check", "--now", NOW, "--format", "json", "."], 30, cwd=t)
        c.expect(rc == 1 and json.loads(out)["summary"]["resources"] == 1, f"FIFO in a tree: exit {rc}")
        c.expect(b"pipe.yaml: note: a FIFO, not a regular file; skipped" in err, f"FIFO note: {err[:300]!r}")
        # A FIFO named on the command line is read: process substitution.
        rc, out, err = run_bounded(["bash", "-c", f'"$0" check --now {NOW} --format json <(cat a.yaml)', c.bin], 30, cwd=t)
        c.expect(rc == 1 and json.loads(out)["summary"]["resources"] == 1, f"check <(cat a.yaml): exit {rc} {err[:300]!r}")
        # lstat fails (the path is longer than PATH_MAX, its directory's is not): an input error.
        fd = os.open(t, os.O_RDONLY)
        for i in range(16):  # step by step: a long $TMPDIR must not matter
            name = chr(ord("a") + i) * 250
            os.mkdir(name, dir_fd=fd)
            sub = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = sub
        os.symlink("x.yaml", "l" * 200, dir_fd=fd)
        os.close(fd)
        rc, out, err = run_bounded([c.bin, "check", "--now", NOW, "--format", "json", "."], 30, cwd=t)
        errs = json.loads(out)["errors"] if out else []
        c.expect(rc == 2 and [e["message"] for e in errs] == ["cannot stat: File name too long"],
                 f"lstat failure: exit {rc}, errors {errs}")
    if not c.failures:
        print("ok   symlink fan-out walked once, FIFOs noted, process substitution read, lstat failure an error")


def case_hostile_stdin(c):
    """Endless blank input on stdin ends at the replay limit, with exit 2."""
    rc, out, err = run_bounded(["bash", "-c", "yes '' | \"$0\" check -", c.bin], 20)
    c.expect(rc == 2 and b"more than 1048576 bytes of blank space before the first document" in out + err,
             f"yes '' | check -: exit {rc} (None = still running after 20 s) {err[-300:]!r}")
    if not c.failures:
        print("ok   endless blank stdin stops at the replay limit")


def case_hostile_reports(c):
    """Control characters, noncharacters and non-UTF-8 file names: every report stays well-formed
    and no manifest text reaches the terminal or the runner raw."""
    try:
        import yaml
    except ImportError:
        yaml = None
        print("note: python3-yaml is not installed: the PolicyReport is not parsed")
    with tempfile.TemporaryDirectory() as t:
        tb = t.encode()
        with open(os.path.join(tb, b"ctl.yaml"), "w") as f:
            f.write(AI_DEPLOYMENT.format(name=r'"a\n::warning file=x::injected\e[31m\uFFFEd\x7f\u009b"'))
        with open(os.path.join(tb, b"bad\xff\xfename.yaml"), "w") as f:
            f.write(AI_DEPLOYMENT.format(name="b"))
        for fmt in ("json", "junit", "policyreport", "text", "github"):
            rc, out, err = c.run(["--format", fmt, "--color", "never", "."], cwd=t)
            c.expect(rc == 1, f"{fmt}: exit {rc}: {err[:300]!r}")
            try:
                text = out.decode("utf-8")
            except UnicodeDecodeError as e:
                c.expect(False, f"{fmt}: not UTF-8: {e}")
                continue
            if fmt == "json":
                doc = json.loads(text)
                srcs = sorted({r["resource"]["source"] for r in doc["resources"]})
                c.expect(srcs == ["bad\ufffd\ufffdname.yaml", "ctl.yaml"], f"json sources {srcs}")
            elif fmt == "junit":
                try:
                    ET.fromstring(out)
                except ET.ParseError as e:
                    c.expect(False, f"junit: not well-formed: {e}")
            elif fmt == "policyreport" and yaml:
                try:
                    list(yaml.safe_load_all(out))
                except yaml.YAMLError as e:
                    c.expect(False, f"policyreport: not YAML: {str(e)[:300]}")
            elif fmt in ("text", "github"):
                c.expect("\x1b" not in text and "\x7f" not in text and "\x9b" not in text,
                         f"{fmt}: a control character written raw")
                c.expect(not re.search(r"^::warning file=x", text, re.M), f"{fmt}: a forged line")
            if fmt == "github":
                for line in text.split("\n")[:-1]:
                    c.expect(GITHUB_LINE.match(line) is not None, f"github: not a workflow command: {line[:200]}")
    if not c.failures:
        print("ok   hostile names and file names: every report well-formed, no control character raw")


def case_hostile_stderr(c):
    """File names and file text quoted in check's errors and notes on stderr: no line of its own
    (a runner reads "::error::" at any line's start as a command) and no raw control character."""
    with tempfile.TemporaryDirectory() as t:
        tb = t.encode()
        forged = b"\n::error file=x::forged\x1b[31m"
        with open(os.path.join(tb, b"bad" + forged + b".yaml"), "wb") as f:
            f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n")
        with open(os.path.join(tb, b"notk8s" + forged + b".yaml"), "wb") as f:
            f.write(b"just: data\n")
        with open(os.path.join(tb, b"snippet.yaml"), "wb") as f:
            f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\x1b[2J\x07, labels: [}\n")
        rc, out, err = c.run(["-v", "--format", "json", "."], cwd=t)
        c.expect(rc == 2, f"exit {rc}, want 2 (two malformed files): {err[:300]!r}")
        text = err.decode("utf-8", "replace")
        c.expect(text.count("error:") >= 2, f"both malformed files reported: {text[:600]!r}")
        c.expect("note: skipped" in text, f"the non-manifest noted: {text[:600]!r}")
        c.expect("\\n::error file=x::forged\\x1b" in text, f"the names shown escaped: {text[:600]!r}")
        c.expect(not re.search(r"^::error", text, re.M), f"a forged line on stderr: {text[:600]!r}")
        c.expect("\x1b" not in text and "\x07" not in text, f"a control character written raw: {text[:600]!r}")
        # `aimsgate test`: a suite in a directory whose name forges a line, with a hostile
        # suite name and key: the error on stderr and the report on stdout stay one line each.
        d = os.path.join(tb, b"suite" + forged)
        os.mkdir(d)
        with open(os.path.join(d, b"aimsgate-test.yaml"), "wb") as f:
            f.write(b'apiVersion: aimsgate.io/v1alpha1\nkind: RulePackTest\n'
                    b'metadata: {name: "s\\n::warning::suite\\u001b[31m"}\n'
                    b'spec:\n  "bogus\\n::error::key\\u001b]0;title\\u0007": 1\n')
        proc = subprocess.run([c.bin, "test", d], capture_output=True)
        both = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        c.expect(proc.returncode == 2, f"test: exit {proc.returncode}, want 2: {both[:400]!r}")
        c.expect("error" in proc.stderr.decode("utf-8", "replace"), f"test: no error on stderr: {both[:400]!r}")
        c.expect(not re.search(r"^::", both, re.M), f"test: a forged line: {both[:600]!r}")
        c.expect("\x1b" not in both and "\x07" not in both, f"test: a control character written raw: {both[:600]!r}")
    if not c.failures:
        print("ok   hostile file names and text on stderr: escaped, no forged line (check, test)")


def case_hostile_pack_text(c):
    """A pack's own text (title, version, controls, description, assert, message) printed by
    `rules list`, `rules show` and `rules controls`: one line per rule in list, no line that
    starts with the pack's text, no raw control character; a block assert keeps its lines."""
    with tempfile.TemporaryDirectory() as t:
        pack = os.path.join(t, "p.yaml")
        with open(pack, "w") as f:
            f.write("apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\n"
                    "metadata: {name: hostile, version: \"1.0\\n::error::v\\e[31m\"}\n"
                    "spec:\n  rules:\n  - id: r1\n"
                    "    title: \"T\\n::error file=x::forged\\e[31m\\x07\\tcol\"\n"
                    "    description: \"one\\n::warning::two\\e]0;t\\a\"\n"
                    "    controls: [\"A.6.2.2\\n::error::c\\e[2J\"]\n"
                    "    severity: high\n    action: deny\n    match: {kinds: [ConfigMap]}\n"
                    "    assert: |\n      object.kind == 'ConfigMap' &&\n      true\n"
                    "    message: \"m\\e[31m\\n::error::m\"\n"
                    "    remediation: \"fix\\n::error::r\"\n")
        outs = {}
        for args in (["rules", "list"], ["rules", "show", "r1"], ["rules", "controls"]):
            proc = subprocess.run([c.bin] + args + ["--rules", pack], capture_output=True)
            text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            outs[args[1]] = text
            c.expect(proc.returncode == 0, f"{args}: exit {proc.returncode}: {text[:400]!r}")
            c.expect(not re.search(r"^::", text, re.M), f"{args}: a forged line: {text[:600]!r}")
            c.expect("\x1b" not in text and "\x07" not in text, f"{args}: a control character written raw: {text[:600]!r}")
        rows = outs["list"].splitlines()
        c.expect(len(rows) == 1 and rows[0].count("\t") == 4, f"list: one row of five columns: {rows!r}")
        c.expect("T\\n::error file=x::forged\\x1b[31m\\x07\\tcol" in outs["list"], f"list: the title escaped: {rows!r}")
        c.expect("assert:      object.kind == 'ConfigMap' &&\n             true\n" in outs["show"],
                 f"show: the block assert keeps its lines, indented: {outs['show']!r}")
        c.expect("hostile 1.0\\n::error::v\\x1b[31m" in outs["show"], f"show: the version escaped: {outs['show']!r}")
    if not c.failures:
        print("ok   a pack's own text in rules list/show/controls: escaped, one row per rule, no forged line")


def case_serve_launcher(c):
    """`aimsgate serve` hands over to aimsgate-serve beside the resolved executable: its flags,
    its exit codes, through a symlink too; without it, one line and exit 2. aimsgate itself
    loads neither cpp-httplib nor libssl (its start-up, bench/README.md)."""
    def run(binary, *args):
        p = subprocess.run([binary] + list(args), capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    rc, out, _ = run(c.bin, "--help")
    c.expect(rc == 0 and re.search(r"^\s+serve\s+Run the HTTPS", out, re.M), f"--help lists serve: {out[-600:]!r}")
    rc, out, err = run(c.bin, "serve", "--help")
    c.expect(rc == 0 and "--tls-cert" in out and "--listen" in out, f"serve --help: the server's flags: {rc} {out[:400]!r} {err!r}")
    rc, out, err = run(c.bin, "serve", "--no-such-flag")
    c.expect(rc == 2 and "--no-such-flag" in err, f"serve with a bad flag: the server's usage error: {rc} {err!r}")
    with tempfile.TemporaryDirectory() as t:
        link = os.path.join(t, "ag")
        os.symlink(os.path.abspath(c.bin), link)
        rc, out, err = run(link, "serve", "--help")
        c.expect(rc == 0 and "--tls-cert" in out, f"through a symlink: {rc} {err!r}")
        alone = os.path.join(t, "alone")
        os.mkdir(alone)
        shutil.copy2(c.bin, os.path.join(alone, "aimsgate"))
        rc, out, err = run(os.path.join(alone, "aimsgate"), "serve", "--help")
        c.expect(rc == 2 and out == "" and err.count("\n") == 1 and "aimsgate-serve" in err and
                 "installed beside aimsgate" in err, f"without aimsgate-serve: {rc} {out!r} {err!r}")
    readelf = shutil.which("readelf")
    if readelf:
        needed = subprocess.run([readelf, "-d", c.bin], capture_output=True, text=True).stdout
        c.expect("NEEDED" in needed and not re.search(r"libcpp-httplib|libssl", needed),
                 f"aimsgate loads no HTTP stack: {needed!r}")
    if not c.failures:
        print("ok   serve hands over to aimsgate-serve: flags, exit codes, symlink, clear error without it")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aimsgate", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("case")
    args = ap.parse_args()
    c = Ctx(args)
    fn = globals().get("case_" + args.case)
    if fn is None:
        print("unknown case", args.case)
        return 2
    rc = fn(c)
    if rc == 77:
        return 77
    if c.failures:
        print(f"{len(c.failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
