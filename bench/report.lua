-- wrk script: one JSON line with what the harness needs, latency percentiles in microseconds.
-- Non-2xx/3xx answers count as errors (wrk's "status" errors), as do socket errors and timeouts.
-- BENCH_METHOD/BENCH_BODY turn the load into form posts (with BENCH_COOKIE holding the session).
local accept = os.getenv("BENCH_ACCEPT_LANGUAGE") or "fr-CA"
local cookie = os.getenv("BENCH_COOKIE")
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
-- BENCH_DELAY_MS: each connection pauses before its next request, a person's pause: drawn at random between 0
-- and twice this (mean: this), so that the connections do not fire in waves. BENCH_SEED varies the draws.
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  math.randomseed(os.time() + tonumber(os.getenv("BENCH_SEED") or "0"))
  delay = function() return math.random(0, 2 * pause) end
end

request = function()
  local headers = {["Accept-Language"] = accept}
  if cookie then headers["Cookie"] = cookie end
  if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  return wrk.format(method, nil, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %.1f, "p95_us": %.1f, "p99_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
