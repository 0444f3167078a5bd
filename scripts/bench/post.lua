-- wrk script of scripts/detour bench: POSTs a chat body read from a file, with optional extra
-- headers, and prints its figures as one JSON line (prefixed "WRK_JSON ") when done.
-- Usage: wrk ... -s post.lua URL -- BODY_FILE [HEADER:VALUE ...]
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
  for i = 2, #args do
    local k, v = args[i]:match("^([^:]+):(.*)$")
    wrk.headers[k] = v
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    'WRK_JSON {"tool":"wrk (closed loop)","requests":%d,"seconds":%.3f,"rps":%.1f,"errors":%d,' ..
    '"status_errors":%d,"socket_errors":%d,"p50_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000))
end
