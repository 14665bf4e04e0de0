#!/usr/bin/env bash
# `aimsgate model verify` hashing speed against `sha256sum` over the same generated
# model directory (default 2 GiB: 8 x 256 MiB weight shards and small JSON files),
# both reading from the page cache.  Signs it once with the interop signer
# (tests/model/interop, sigstore-js: run ./setup.sh test or npm ci there first).
#
#   bench/model/run.sh [--build build] [--gib 2] [--runs 3] [--keep DIR]
# Prints the best of --runs for sha256sum (one process, every file) and for
# model verify with --jobs 1 and --jobs 2, in MiB/s, and the ratio to sha256sum.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build gib=2 runs=3 keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --gib) gib=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--gib N] [--runs N] [--keep DIR]" >&2; exit 2 ;;
  esac
done
bin=$build/aimsgate
[ -x "$bin" ] || { echo "no $bin: build it first" >&2; exit 2; }
[ -d tests/model/interop/node_modules/@sigstore/sign ] || { echo "npm ci --prefix tests/model/interop first" >&2; exit 2; }

work=${keep:-$(mktemp -d /tmp/aimsgate-model-bench.XXXXXX)}
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
model=$work/model
if [ ! -f "$work/model.sig" ]; then
  mkdir -p "$model/weights"
  python3 - "$model" "$gib" <<'PY'
import os, sys
root, gib = sys.argv[1], int(sys.argv[2])
shards = 8 * gib // 2
size = gib * (1 << 30) // shards
chunk = os.urandom(16 << 20)  # repeated: hashing cost does not depend on the bytes
for i in range(shards):
    with open(f"{root}/weights/model-{i+1:05d}-of-{shards:05d}.safetensors", "wb") as f:
        left = size
        while left:
            n = min(left, len(chunk))
            f.write(chunk[:n]); left -= n
for name in ("config.json", "tokenizer.json", "generation_config.json"):
    with open(f"{root}/{name}", "w") as f:
        f.write('{"model_type": "bench"}\n')
PY
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
  openssl pkey -in "$work/key.pem" -pubout -out "$work/key.pub"
  node tests/model/interop/sign_oms.js --dir "$model" --key "$work/key.pem" --out "$work/model.sig"
fi
bytes=$(du -sb "$model" | cut -f1)
cat "$model"/weights/* "$model"/*.json >/dev/null   # page cache

best() {  # best wall time in seconds of $runs runs of "$@"
  local b=""
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
mibs() { echo "scale=0; $bytes / 1048576 / $1" | bc -l; }

files=("$model"/weights/* "$model"/*.json)
t_sum=$(best sha256sum "${files[@]}")
t_j1=$(best "$bin" model verify "$model" --signature "$work/model.sig" --pubkey "$work/key.pub" --jobs 1)
t_j2=$(best "$bin" model verify "$model" --signature "$work/model.sig" --pubkey "$work/key.pub" --jobs 2)
printf "%s bytes in %d files, best of %d runs, load average %s\n" "$bytes" "${#files[@]}" "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-34s %8s s %6s MiB/s\n" "sha256sum (one process)" "$t_sum" "$(mibs "$t_sum")"
printf "%-34s %8s s %6s MiB/s  %s%% of sha256sum\n" "model verify --jobs 1" "$t_j1" "$(mibs "$t_j1")" \
  "$(echo "scale=0; 100 * $t_sum / $t_j1" | bc -l)"
printf "%-34s %8s s %6s MiB/s  %s%% of sha256sum\n" "model verify --jobs 2" "$t_j2" "$(mibs "$t_j2")" \
  "$(echo "scale=0; 100 * $t_sum / $t_j2" | bc -l)"
