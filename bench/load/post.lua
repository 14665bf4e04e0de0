-- wrk script: POSTs one AdmissionReview (bench/load/review.json, or $AIMSGATE_REVIEW) on
-- every request, and prints one machine-readable RESULT line with p50/p99/p99.9.
local path = os.getenv("AIMSGATE_REVIEW") or "bench/load/review.json"
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.3f p99_ms=%.3f p99.9_ms=%.3f max_ms=%.3f socket_errors=%d non2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000, errors, summary.errors.status))
end
