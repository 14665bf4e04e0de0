#!/usr/bin/env bash
# Load test of `aimsgate serve` over TLS on 127.0.0.1 with wrk (Debian: apt-get install -y wrk):
# requests/s, p50/p99/p99.9 latency and errors for 1, 16, 100 and 500 concurrent connections,
# each run bounded by DURATION, then the same against the bare TLS echo server (bench/echo:
# cpp-httplib with the same settings, answering with the request body) and the ratio; and the
# server's RSS idle and at peak (VmHWM).  The AdmissionReview is bench/load/review.json (the vLLM
# chat assistant of examples/, denied by the built-in pack: the full evaluation path).
#
#   bench/load/run.sh                       # build/aimsgate, 10 s per run
#   AIMSGATE=build-x/aimsgate ECHO=build-x/bench/aimsgate_echo DURATION=5s CONNECTIONS="1 16" bench/load/run.sh
#   SERVER_ARGS="--evidence /tmp/ev.jsonl" bench/load/run.sh   # include evidence writing
#
# Loopback only: the server listens on 127.0.0.1 with a throw-away certificate made here.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${AIMSGATE:-build/aimsgate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-1 16 100 500}
SERVER_THREADS=${SERVER_THREADS:-1024}  # the serve default
ECHO=${ECHO:-$(dirname "$BIN")/bench/aimsgate_echo}
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

rss_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# run_series NAME: wrk at every connection count against $url; one table row per count.
run_series() {
  for c in $CONNECTIONS; do
    threads=$(( c < 2 ? 1 : 2 ))
    line=$(wrk -t "$threads" -c "$c" -d "$DURATION" --timeout 10s -s bench/load/post.lua "$url" | grep '^RESULT')
    val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf "%-9s %-12s %10s %10s %10s %10s %10s %8s\n" "$1" "$c" "$(val rps)" "$(val p50_ms)" "$(val p99_ms)" \
      "$(val p99.9_ms)" "$(val max_ms)" "$(( $(val socket_errors) + $(val non2xx) ))"
    echo "$1 $c $(val rps)" >>"$tmp/rps"
  done
}

start_server() {  # start_server CMD...: runs it in the background, waits for $tmp/port
  rm -f "$tmp/port"
  "$@" 2>"$tmp/server.log" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  [ -s "$tmp/port" ] || { cat "$tmp/server.log" >&2; exit 2; }
  url="https://127.0.0.1:$(cat "$tmp/port")/validate"
}

stop_server() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

echo "aimsgate serve load test: $(nproc) cores, server threads $SERVER_THREADS, $DURATION per run, $(wc -c <bench/load/review.json) byte AdmissionReview"
printf "%-9s %-12s %10s %10s %10s %10s %10s %8s\n" server connections "req/s" "p50 ms" "p99 ms" "p99.9 ms" "max ms" errors
# shellcheck disable=SC2086
start_server "$BIN" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --tls-cert "$tmp/tls.crt" \
  --tls-key "$tmp/tls.key" --threads "$SERVER_THREADS" ${SERVER_ARGS:-}
sleep 0.5
idle_rss=$(rss_kb "$server_pid" VmRSS)
run_series aimsgate
peak_rss=$(rss_kb "$server_pid" VmHWM)
stop_server
if [ -x "$ECHO" ]; then
  start_server "$ECHO" --cert "$tmp/tls.crt" --key "$tmp/tls.key" --port-file "$tmp/port" --threads "$SERVER_THREADS"
  run_series echo
  stop_server
  for c in $CONNECTIONS; do
    a=$(awk -v c="$c" '$1=="aimsgate" && $2==c {print $3}' "$tmp/rps")
    e=$(awk -v c="$c" '$1=="echo" && $2==c {print $3}' "$tmp/rps")
    awk -v c="$c" -v a="$a" -v e="$e" 'BEGIN { if (e > 0) printf "ratio aimsgate/echo at %s connections: %.0f%%\n", c, 100 * a / e }'
  done
else
  echo "no echo server at $ECHO (build the bench targets): ratio skipped"
fi
awk -v i="$idle_rss" -v p="$peak_rss" 'BEGIN { printf "aimsgate RSS: idle %.1f MiB, peak %.1f MiB\n", i / 1024, p / 1024 }'
