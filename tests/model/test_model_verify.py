#!/usr/bin/env python3
"""`aimsgate model verify` against OMS v1.0 bundles made by sigstore-js (an independent
Sigstore implementation, tests/model/interop/sign_oms.js), in key mode and certificate
mode (a CA made with openssl here), and each tampering case with its own message.

  test_model_verify.py build/aimsgate tests/model/interop
The npm packages come from `./setup.sh test` (npm ci in tests/model/interop)."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.path.abspath(sys.argv.pop(1))
INTEROP = os.path.abspath(sys.argv.pop(1))
SIGNER = os.path.join(INTEROP, "sign_oms.js")


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120, **kw)


def verify(model, sig, *args):
    p = subprocess.run([BIN, "model", "verify", model, "--signature", sig, *args],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def sign(model, key, out, *args):
    sh("node", SIGNER, "--dir", model, "--key", key, "--out", out, *args)


def ec_key(directory, name, curve):
    key = os.path.join(directory, name + ".pem")
    pub = os.path.join(directory, name + ".pub")
    sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{curve}", "-out", key)
    sh("openssl", "pkey", "-in", key, "-pubout", "-out", pub)
    return key, pub


def make_model(root):
    os.makedirs(os.path.join(root, "weights"))
    files = {
        "config.json": b'{"architectures": ["BertModel"]}\n',
        "README.md": b"# tiny model\n",
        "weights/model-00001-of-00002.safetensors": os.urandom(70_000),
        "weights/model-00002-of-00002.safetensors": os.urandom(33_333),
        "tokenizer.json": b"{}",
        "empty.txt": b"",
        ".gitattributes": b"*.safetensors filter=lfs\n",
    }
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)


def expected_root_digest(model, names):
    h = hashlib.sha256()
    for n in names:
        with open(os.path.join(model, n), "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


class Interop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(INTEROP, "node_modules", "@sigstore", "sign")):
            raise RuntimeError("sigstore-js is not installed: run ./setup.sh test (npm ci in tests/model/interop)")
        cls.tmp = tempfile.mkdtemp(prefix="aimsgate-oms-")
        cls.keys = {c: ec_key(cls.tmp, c, c) for c in ("P-256", "P-384", "P-521")}
        cls.other_key = ec_key(cls.tmp, "other", "P-256")
        cls.pki_dir = cls.make_pki()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def make_pki(cls):
        d = os.path.join(cls.tmp, "pki")
        os.makedirs(d)
        p = lambda n: os.path.join(d, n)
        ext = p("ext.cnf")
        with open(ext, "w") as f:
            f.write("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                    "[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=codeSigning\nsubjectAltName=email:ml-release@example.com\n"
                    "[nosign]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n")
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
           "-keyout", p("root.key"), "-out", p("root.pem"), "-days", "3650", "-subj", "/O=Example/CN=Model Root CA",
           "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", p("other-root.key"), "-out", p("other-root.pem"), "-days", "3650", "-subj", "/CN=Other Root")

        def issue(name, issuer, section, curve="P-256", subj=None):
            sh("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", f"ec_paramgen_curve:{curve}", "-nodes",
               "-keyout", p(name + ".key"), "-out", p(name + ".csr"), "-subj", subj or f"/O=Example/CN={name}")
            sh("openssl", "x509", "-req", "-in", p(name + ".csr"), "-CA", p(issuer + ".pem"), "-CAkey",
               p(issuer + ".key"), "-CAcreateserial", "-days", "30", "-extfile", ext, "-extensions", section,
               "-out", p(name + ".pem"))
        issue("intermediate", "root", "ca", curve="P-384")
        issue("leaf", "intermediate", "leaf")
        issue("nosign", "intermediate", "nosign")
        return d

    def pki(self, name):
        return os.path.join(self.pki_dir, name)

    def model(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        m = os.path.join(d, "tiny-bert")
        make_model(m)
        return m

    def signed(self, *args, curve="P-256"):
        m = self.model()
        sig = os.path.join(m, "model.sig")
        sign(m, self.keys[curve][0], sig, *args)
        return m, sig

    def assertFails(self, result, message):
        code, out, err = result
        self.assertEqual(code, 1, out + err)
        self.assertIn(message, err)

    # --- key mode ---------------------------------------------------------------------------------
    def test_key_mode_every_curve(self):
        for curve in ("P-256", "P-384", "P-521"):
            with self.subTest(curve=curve):
                m, sig = self.signed(curve=curve)
                code, out, err = verify(m, sig, "--pubkey", self.keys[curve][1])
                self.assertEqual(code, 0, err)
                self.assertIn("verified: 6 files", out)

    def test_json_names_signer_and_root_digest_as_the_reference_computes_them(self):
        m, sig = self.signed()
        code, out, err = verify(m, sig, "--pubkey", self.keys["P-256"][1], "--format", "json")
        self.assertEqual(code, 0, err)
        r = json.loads(out)
        with open(self.keys["P-256"][1], "rb") as f:
            self.assertEqual(r["signer"], hashlib.sha256(f.read()).hexdigest())
        names = sorted(["README.md", "config.json", "empty.txt", "tokenizer.json",
                        "weights/model-00001-of-00002.safetensors", "weights/model-00002-of-00002.safetensors"],
                       key=lambda n: n.split("/"))
        self.assertEqual(r["rootDigest"], "sha256:" + expected_root_digest(m, names))
        self.assertEqual((r["verified"], r["mode"], r["files"], r["method"], r["errors"]),
                         (True, "key", 6, "files", []))

    def test_shards(self):
        m, sig = self.signed("--shard-size", "10000")
        code, out, err = verify(m, sig, "--pubkey", self.keys["P-256"][1], "--jobs", "3")
        self.assertEqual(code, 0, err)
        self.assertIn("verified: 5 files (shards, 14 signed entries)", out)  # empty.txt: no shards
        with open(os.path.join(m, "weights/model-00001-of-00002.safetensors"), "r+b") as f:
            f.seek(25_000)
            f.write(b"\xff\x00")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "weights/model-00001-of-00002.safetensors: changed: bytes 20000-30000 have SHA-256")
        with open(os.path.join(m, "tokenizer.json"), "ab") as f:
            f.write(b" ")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "tokenizer.json: changed: the file has 3 bytes, the signature's shards cover 2")

    def test_jobs_do_not_change_the_outcome(self):
        m, sig = self.signed()
        os.remove(os.path.join(m, "README.md"))
        outs = {verify(m, sig, "--pubkey", self.keys["P-256"][1], "--jobs", j)[2] for j in ("1", "2", "8")}
        self.assertEqual(len(outs), 1, outs)

    # --- tampering: files -------------------------------------------------------------------------
    def test_changed_file(self):
        m, sig = self.signed()
        with open(os.path.join(m, "config.json"), "ab") as f:
            f.write(b" ")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]), "config.json: changed: SHA-256 ")

    def test_missing_file(self):
        m, sig = self.signed()
        os.remove(os.path.join(m, "weights/model-00002-of-00002.safetensors"))
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "weights/model-00002-of-00002.safetensors: missing: listed in the signature")

    def test_extra_file(self):
        m, sig = self.signed()
        with open(os.path.join(m, "weights", "backdoor.bin"), "wb") as f:
            f.write(b"x")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "weights/backdoor.bin: extra file: on disk but not in the signature")

    def test_symlink_refused_unless_allowed(self):
        m, sig = self.signed()
        os.symlink("config.json", os.path.join(m, "link.json"))
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "link.json: is a symbolic link, and the signature does not allow symlinks")
        m = self.model()
        os.symlink("config.json", os.path.join(m, "link.json"))
        sig = os.path.join(m, "model.sig")
        sign(m, self.keys["P-256"][0], sig, "--allow-symlinks")
        code, out, err = verify(m, sig, "--pubkey", self.keys["P-256"][1])
        self.assertEqual(code, 0, err)
        self.assertIn("verified: 7 files", out)

    def test_ignore_paths_from_the_predicate(self):
        m = self.model()
        os.makedirs(os.path.join(m, "cache"))
        with open(os.path.join(m, "cache", "x"), "wb") as f:
            f.write(b"1")
        sig = os.path.join(m, "model.sig")
        sign(m, self.keys["P-256"][0], sig, "--ignore", "cache")
        with open(os.path.join(m, "cache", "y"), "wb") as f:
            f.write(b"2")
        self.assertEqual(verify(m, sig, "--pubkey", self.keys["P-256"][1])[0], 0)

    # --- tampering: signature and statement -------------------------------------------------------
    def test_wrong_key_named_by_the_hint(self):
        m, sig = self.signed()
        self.assertFails(verify(m, sig, "--pubkey", self.other_key[1]), "the bundle names public key ")

    def test_wrong_key_without_hint(self):
        m, sig = self.signed()
        with open(sig) as f:
            b = json.load(f)
        del b["verificationMaterial"]["publicKey"]["hint"]
        with open(sig, "w") as f:
            json.dump(b, f)
        self.assertFails(verify(m, sig, "--pubkey", self.other_key[1]),
                         "the DSSE signature does not verify with the given public key")
        self.assertEqual(verify(m, sig, "--pubkey", self.keys["P-256"][1])[0], 0)

    def test_edited_payload(self):
        m, sig = self.signed()
        with open(sig) as f:
            b = json.load(f)
        statement = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
        statement["predicate"]["resources"][0]["digest"] = "0" * 64
        b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
        with open(sig, "w") as f:
            json.dump(b, f)
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "the DSSE signature does not verify with the given public key")

    def test_wrong_predicate_type(self):
        m, sig = self.signed("--predicate-type", "https://model_signing/Digests/v0.1")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]),
                         "the predicateType is 'https://model_signing/Digests/v0.1', expected "
                         "'https://model_signing/signature/v1.0'")

    def test_wrong_statement_type(self):
        m, sig = self.signed("--statement-type", "https://in-toto.io/Statement/v0.1")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]), "the payload's _type is ")

    def test_wrong_payload_type(self):
        m, sig = self.signed("--payload-type", "application/json")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]), "the DSSE payloadType is 'application/json'")

    def test_wrong_root_digest(self):
        m, sig = self.signed("--wrong-root")
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]), "does not match the resources, which hash to")

    # --- unreadable input: exit 2 -----------------------------------------------------------------
    def test_malformed_bundle_is_located(self):
        m, sig = self.signed()
        with open(sig, "w") as f:
            f.write('{"mediaType": "x",\n  "dsseEnvelope": {')
        code, out, err = verify(m, sig, "--pubkey", self.keys["P-256"][1])
        self.assertEqual(code, 2)
        self.assertIn(f"{sig}:2:", err)
        self.assertIn("the signature is not valid JSON", err)

    def test_bundle_without_envelope(self):
        m, sig = self.signed()
        with open(sig, "w") as f:
            json.dump({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {}}, f)
        code, out, err = verify(m, sig, "--pubkey", self.keys["P-256"][1])
        self.assertEqual(code, 2)
        self.assertIn("the bundle has no dsseEnvelope", err)

    def test_unreadable_inputs(self):
        m, sig = self.signed()
        self.assertEqual(verify(m, sig + ".nope", "--pubkey", self.keys["P-256"][1])[0], 2)
        code, _, err = verify(m, sig, "--pubkey", os.path.join(m, "README.md"))
        self.assertEqual(code, 2)
        self.assertIn("not a public key", err)
        self.assertEqual(verify(m + "-missing", sig, "--pubkey", self.keys["P-256"][1])[0], 2)
        self.assertEqual(verify(m, sig)[0], 2)  # neither --pubkey nor --ca

    # --- certificate mode -------------------------------------------------------------------------
    def cert_signed(self, leaf="leaf", *args):
        m = self.model()
        sig = os.path.join(m, "model.sig")
        sign(m, self.pki(leaf + ".key"), sig, "--cert", self.pki(leaf + ".pem"), *args)
        return m, sig

    def test_certificate_mode(self):
        for chain in ([], ["--chain"]):
            with self.subTest(chain=chain):
                m, sig = self.cert_signed("leaf", *chain)
                with open(sig) as f:
                    material = json.load(f)["verificationMaterial"]
                self.assertIn("x509CertificateChain" if chain else "certificate", material)
                code, out, err = verify(m, sig, "--ca", self.pki("root.pem"), "--cert-chain",
                                        self.pki("intermediate.pem"), "--format", "json")
                self.assertEqual(code, 0, err)
                r = json.loads(out)
                self.assertEqual((r["mode"], r["signer"], r["verified"]), ("certificate", "ml-release@example.com", True))

    def test_certificate_from_the_command_line(self):
        m = self.model()
        sig = os.path.join(m, "model.sig")
        sign(m, self.pki("leaf.key"), sig)  # a bare key bundle ...
        with open(sig) as f:
            b = json.load(f)
        b["verificationMaterial"] = {}  # ... with its key material removed: the chain comes from --cert-chain
        with open(sig, "w") as f:
            json.dump(b, f)
        chain = os.path.join(self.tmp, "leaf-chain.pem")
        with open(chain, "w") as out:
            for n in ("leaf.pem", "intermediate.pem"):
                with open(self.pki(n)) as f:
                    out.write(f.read())
        code, out, err = verify(m, sig, "--ca", self.pki("root.pem"), "--cert-chain", chain)
        self.assertEqual(code, 0, err)

    def test_certificate_wrong_root(self):
        m, sig = self.cert_signed()
        self.assertFails(verify(m, sig, "--ca", self.pki("other-root.pem"), "--cert-chain", self.pki("intermediate.pem")),
                         "does not chain to the --ca root at the verification time: unable to get local issuer")

    def test_certificate_expired_at_now(self):
        m, sig = self.cert_signed()
        self.assertFails(verify(m, sig, "--ca", self.pki("root.pem"), "--cert-chain", self.pki("intermediate.pem"),
                                "--now", "2099-01-01T00:00:00Z"), "certificate has expired")

    def test_certificate_not_for_signing(self):
        m, sig = self.cert_signed("nosign")
        self.assertFails(verify(m, sig, "--ca", self.pki("root.pem"), "--cert-chain", self.pki("intermediate.pem")),
                         "allows neither digitalSignature nor codeSigning")

    def test_certificate_bundle_with_pubkey_flag(self):
        m, sig = self.cert_signed()
        self.assertFails(verify(m, sig, "--pubkey", self.keys["P-256"][1]), "signed with a certificate; verify it with --ca")

    # --- claims.jsonl -----------------------------------------------------------------------------
    def test_claims_jsonl(self):
        m = self.model()
        claims = os.path.join(m, "claims.jsonl")
        sign(m, self.keys["P-256"][0], claims, "--append")
        sign(m, self.keys["P-384"][0], claims, "--append")
        for curve in ("P-256", "P-384"):
            code, out, err = verify(m, claims, "--pubkey", self.keys[curve][1], "--format", "json")
            self.assertEqual(code, 0, err)
            self.assertEqual(json.loads(out)["claims"], 2)
        self.assertFails(verify(m, claims, "--pubkey", self.other_key[1]), "none of the 2 claims is signed by the given key")
        with open(claims, "a") as f:
            f.write("{broken\n")
        code, _, err = verify(m, claims, "--pubkey", self.keys["P-256"][1])
        self.assertEqual(code, 2)
        self.assertIn(f"{claims}:3:", err)


class CheckReadsTheSignature(unittest.TestCase):
    """check --model-dir/--model-signature: model.signature for rules, signer and root digest in evidence
    (fixtures in rules/iso42001/tests/model, signed by sigstore-js)."""
    F = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "rules", "iso42001", "tests", "model")
    EXAMPLES = os.path.join(os.path.dirname(F), "..", "..", "..", "examples")

    def check(self, model, *extra):
        ev = tempfile.mktemp(suffix=".jsonl")
        p = subprocess.run([BIN, "check", os.path.join(self.EXAMPLES, "kserve-fraud-scorer.yaml"),
                            "--model-card", os.path.join(self.EXAMPLES, "model", "README.md"),
                            "--model-dir", os.path.join(self.F, model),
                            "--model-signature", os.path.join(self.F, model, "model.sig"),
                            "--pubkey", os.path.join(self.F, "signing-key.pub"), "--evidence", ev, "--format", "json",
                            "--results", "all", *extra], capture_output=True, text=True, timeout=120)
        records = []
        if os.path.exists(ev):
            with open(ev) as f:
                records = [json.loads(line) for line in f if '"decision"' in line]
            os.remove(ev)
        return p, records

    def result(self, report):
        return [r for r in report["results"] if r["rule"] == "iso42001/model-signature-verified"]

    def test_verified_signature_passes_and_is_evidence(self):
        p, records = self.check("signed-model")
        self.assertEqual([r["result"] for r in self.result(json.loads(p.stdout)) if r["result"] != "pass"], [])
        self.assertEqual(records[0]["model"], {
            "signer": "482690d143465dc121c40a53c653c70c2f1fe7aa11967afa4700b5d78f134b44",
            "rootDigest": "sha256:bd973e22db0e1c40f9843c0261fc7801818332f7451deb2f5a1c2d1f2d08a2c3",
            "signatureVerified": True})

    def test_tampered_model_is_denied_with_the_reason(self):
        p, records = self.check("tampered-model")
        self.assertEqual(p.returncode, 1, p.stderr)
        [r] = self.result(json.loads(p.stdout))
        self.assertEqual(r["result"], "fail")
        self.assertIn("whose signature does not verify: error: config.json: changed: SHA-256", r["message"])
        self.assertFalse(records[0]["model"]["signatureVerified"])

    def test_unreadable_signature_is_exit_2(self):
        p = subprocess.run([BIN, "check", os.path.join(self.EXAMPLES, "kserve-fraud-scorer.yaml"),
                            "--model-dir", os.path.join(self.F, "signed-model"),
                            "--model-signature", os.path.join(self.F, "nope.sig"),
                            "--pubkey", os.path.join(self.F, "signing-key.pub")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.sig: error: cannot read the file: No such file or directory", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
