-- POST each line of $BENCH_BODIES (a JSON request body) to the URL in turn, every thread
-- starting at its own offset; count response statuses; done() prints one "BENCH {json}" line.
local bodies_path = os.getenv("BENCH_BODIES")
local token = os.getenv("BENCH_TOKEN")
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local bodies = {}
local index = 0
statuses = {}

function init(args)
  for line in io.lines(bodies_path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  index = ((tid or 1) - 1) * 7919 % #bodies
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  index = index % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[index])
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for k, v in pairs(counts) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, table.concat(parts, ", ")))
end
