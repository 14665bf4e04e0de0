#!/usr/bin/env node
// Test-only OMS signer built on sigstore-js (@sigstore/sign's DSSEBundleBuilder and
// @sigstore/bundle's JSON form): an implementation independent of aimsgate makes
// the DSSE envelope, its pre-authentication encoding and the Sigstore bundle.
// The in-toto statement is written here from the OMS format
// (sigstore/model-transparency docs and its v1.0 payload): one subject named after
// the model directory whose sha256 is SHA-256 over the raw resource digests in
// predicate order, predicate {serialization, resources}, resources sorted by path.
//
//   node sign_oms.js --dir MODEL --key KEY.pem [--cert LEAF.pem [--chain]] --out model.sig
//        [--shard-size N] [--allow-symlinks] [--ignore PATH]...
//        [--predicate-type T] [--statement-type T] [--payload-type T] [--wrong-root] [--append]
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { DSSEBundleBuilder } = require('@sigstore/sign');
const { bundleToJSON } = require('@sigstore/bundle');

function parseArgs(argv) {
  const a = { ignore: [], chain: false, allowSymlinks: false, wrongRoot: false, append: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => argv[++i];
    switch (k) {
      case '--dir': a.dir = next(); break;
      case '--key': a.key = next(); break;
      case '--cert': a.cert = next(); break;
      case '--chain': a.chain = true; break;
      case '--out': a.out = next(); break;
      case '--shard-size': a.shardSize = Number(next()); break;
      case '--allow-symlinks': a.allowSymlinks = true; break;
      case '--ignore': a.ignore.push(next()); break;
      case '--predicate-type': a.predicateType = next(); break;
      case '--statement-type': a.statementType = next(); break;
      case '--payload-type': a.payloadType = next(); break;
      case '--wrong-root': a.wrongRoot = true; break;
      case '--append': a.append = true; break;
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  if (!a.dir || !a.key || !a.out) throw new Error('--dir, --key and --out are required');
  return a;
}

// Regular files under dir (symlinks to files when allowed), as '/'-separated
// relative paths; the reference orders them as POSIX paths (component-wise).
function listFiles(dir, opts, rel = '') {
  const out = [];
  for (const name of fs.readdirSync(path.join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (opts.skip(r)) continue;
    const st = fs.lstatSync(path.join(dir, r));
    if (st.isDirectory()) out.push(...listFiles(dir, opts, r));
    else if (st.isSymbolicLink()) {
      if (!opts.allowSymlinks) throw new Error(`${r} is a symlink`);
      if (fs.statSync(path.join(dir, r)).isFile()) out.push(r);
    } else if (st.isFile()) out.push(r);
  }
  return out;
}

function comparePosix(a, b) {
  const pa = a.split('/'), pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function sha256(buf) { return crypto.createHash('sha256').update(buf).digest('hex'); }

function resources(a) {
  const outAbs = path.resolve(a.out);
  const skip = (r) => path.resolve(a.dir, r) === outAbs ||
    ['.git', '.gitattributes', '.github', '.gitignore', ...a.ignore].some((p) => r === p || r.startsWith(p + '/'));
  const files = listFiles(a.dir, { skip, allowSymlinks: a.allowSymlinks }).sort(comparePosix);
  const res = [];
  for (const f of files) {
    const data = fs.readFileSync(path.join(a.dir, f));
    if (!a.shardSize) {
      res.push({ name: f, algorithm: 'sha256', digest: sha256(data) });
      continue;
    }
    for (let start = 0; start < data.length; start += a.shardSize) {
      const end = Math.min(data.length, start + a.shardSize);
      res.push({ name: `${f}:${start}:${end}`, algorithm: 'sha256', digest: sha256(data.subarray(start, end)) });
    }
  }
  return res;
}

function statement(a) {
  const res = resources(a);
  const root = crypto.createHash('sha256');
  for (const r of res) root.update(Buffer.from(r.digest, 'hex'));
  let rootHex = root.digest('hex');
  if (a.wrongRoot) rootHex = sha256(Buffer.from('not the resources'));
  const serialization = a.shardSize
    ? { method: 'shards', hash_type: 'sha256', shard_size: a.shardSize, allow_symlinks: a.allowSymlinks }
    : { method: 'files', hash_type: 'sha256', allow_symlinks: a.allowSymlinks };
  serialization.ignore_paths = a.ignore;
  return {
    _type: a.statementType || 'https://in-toto.io/Statement/v1',
    subject: [{ name: path.basename(path.resolve(a.dir)), digest: { sha256: rootHex } }],
    predicateType: a.predicateType || 'https://model_signing/signature/v1.0',
    predicate: { serialization, resources: res },
  };
}

// The reference pairs each curve with its hash.
function hashFor(key) {
  const curve = key.asymmetricKeyDetails.namedCurve;
  return { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' }[curve];
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const privateKey = crypto.createPrivateKey(fs.readFileSync(a.key));
  const publicPem = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
  const certPem = a.cert ? fs.readFileSync(a.cert, 'utf8') : null;
  const signer = {
    sign: async (data) => ({
      signature: crypto.sign(hashFor(privateKey), data, privateKey),
      key: certPem
        ? { $case: 'x509Certificate', certificate: certPem }
        : { $case: 'publicKey', publicKey: publicPem, hint: sha256(Buffer.from(publicPem)) },
    }),
  };
  const builder = new DSSEBundleBuilder({ signer, witnesses: [], certificateChain: a.chain });
  const bundle = await builder.create({
    data: Buffer.from(JSON.stringify(statement(a))),
    type: a.payloadType || 'application/vnd.in-toto+json',
  });
  const json = JSON.stringify(bundleToJSON(bundle));
  if (a.append) fs.appendFileSync(a.out, json + '\n');
  else fs.writeFileSync(a.out, json);
}

main().catch((e) => {
  console.error(`sign_oms.js: ${e.message}`);
  process.exit(2);
});
