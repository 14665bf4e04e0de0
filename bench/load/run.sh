#!/usr/bin/env bash
# Load test of `aimsgate serve` over TLS on 127.0.0.1 with wrk (Debian: apt-get install -y wrk):
# requests/s and p50/p99/p99.9 latency for 1, 10 and 100 concurrent connections, each run
# bounded by DURATION.  The AdmissionReview is bench/load/review.json (the vLLM chat
# assistant of examples/, denied by the built-in pack: the full evaluation path).
#
#   bench/load/run.sh                       # build/aimsgate, 10 s per run
#   AIMSGATE=build-x/aimsgate DURATION=5s CONNECTIONS="1 10" bench/load/run.sh
#   SERVER_ARGS="--evidence /tmp/ev.jsonl" bench/load/run.sh   # include evidence writing
#
# Loopback only: the server listens on 127.0.0.1 with a throw-away certificate made here.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${AIMSGATE:-build/aimsgate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-1 10 100}
SERVER_THREADS=${SERVER_THREADS:-128}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no $BIN: build first (or set AIMSGATE=path/to/aimsgate)" >&2; exit 2; }

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null

# shellcheck disable=SC2086
"$BIN" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
  --threads "$SERVER_THREADS" ${SERVER_ARGS:-} 2>"$tmp/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/server.log" >&2; exit 2; }
url="https://127.0.0.1:$(cat "$tmp/port")/validate"

echo "aimsgate serve load test: $(nproc) cores, server threads $SERVER_THREADS, $DURATION per run, $(wc -c <bench/load/review.json) byte AdmissionReview"
printf "%-12s %10s %10s %10s %10s %10s %8s\n" connections "req/s" "p50 ms" "p99 ms" "p99.9 ms" "max ms" errors
for c in $CONNECTIONS; do
  threads=$(( c < 2 ? 1 : 2 ))
  line=$(wrk -t "$threads" -c "$c" -d "$DURATION" --timeout 10s -s bench/load/post.lua "$url" | grep '^RESULT')
  val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  printf "%-12s %10s %10s %10s %10s %10s %8s\n" "$c" "$(val rps)" "$(val p50_ms)" "$(val p99_ms)" "$(val p99.9_ms)" \
    "$(val max_ms)" "$(( $(val socket_errors) + $(val non2xx) ))"
done
