// The JavaScript side of bench/peers/run: the same ten rules with
// @marcbachmann/cel-js (pinned in package-lock.json), timed like
// aimsgate_typical10.cc: evaluation alone on parsed manifests, and
// JSON.parse + evaluation from the file text.
//
//   node celjs_typical10.mjs RULES.json DIR [PASSES]
import fs from 'node:fs'
import path from 'node:path'
import {parse} from '@marcbachmann/cel-js'

const [rulesFile, dir, passesArg] = process.argv.slice(2)
const passes = Math.max(1, Number(passesArg || 5))
const spec = JSON.parse(fs.readFileSync(rulesFile, 'utf8'))
const rules = spec.rules.map(r => ({id: r.id, kinds: new Set(r.kinds), fn: parse(r.assert)}))
const files = fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort()
const texts = files.map(f => fs.readFileSync(path.join(dir, f), 'utf8'))
const objects = texts.map(t => JSON.parse(t))
const params = spec.params

function evaluate (object, fails) {
  let n = 0
  const ctx = {object, params}
  for (const r of rules) {
    if (!r.kinds.has(object.kind)) continue
    let v
    try {
      v = r.fn(ctx)
    } catch (e) {
      v = 'error: ' + e.message
    }
    if (v !== true && fails) fails[r.id] = (fails[r.id] || 0) + 1
    n++
  }
  return n
}

const fails = {}
for (const o of objects) evaluate(o, fails)  // verdicts, and a warm-up pass
for (let w = 0; w < 2; w++) for (const o of objects) evaluate(o)  // JIT warm-up
let sink = 0
let t0 = process.hrtime.bigint()
for (let p = 0; p < passes; p++) for (const o of objects) sink += evaluate(o)
const evalS = Number(process.hrtime.bigint() - t0) / 1e9
t0 = process.hrtime.bigint()
for (let p = 0; p < passes; p++) for (const t of texts) sink += evaluate(JSON.parse(t))
const bothS = Number(process.hrtime.bigint() - t0) / 1e9
const n = texts.length * passes
console.log(JSON.stringify({eval_us: 1e6 * evalS / n, parse_eval_per_s: n / bothS, manifests: texts.length, sink, fails}))
