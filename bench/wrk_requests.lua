-- wrk script of bench/load.py: replays requests from a tab-separated file, one per line:
--   METHOD <tab> PATH <tab> HEADER-NAME <tab> HEADER-VALUE <tab> BODY
-- (the header carries the token, "Authorization: Token …", or a session cookie).
-- Arguments: FILE [OFFSET]. Thread k of n sends lines k, k+n, k+2n … starting at OFFSET, so
-- every line is used once before any repeats (transitions use each item once).
-- Counts statuses outside 2xx itself (wrk's own counter accepts 3xx, e.g. a redirect to the
-- login page) and prints one JSON line with throughput and latency percentiles at the end.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

function init(args)
   lines = {}
   for line in io.lines(args[1]) do
      local method, path, hname, hvalue, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
      local headers = { ["Accept"] = "application/json" }
      if hname ~= "" then headers[hname] = hvalue end
      if body ~= nil and body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(lines, wrk.format(method, path, headers, body))
   end
   nthreads = counter
   index = (tonumber(args[2]) or 0) + id
   step = tonumber(args[3]) or 2
   bad = 0
   repeats = 0
end

function request()
   if index >= #lines then repeats = 1 end
   local req = lines[(index % #lines) + 1]
   index = index + step
   return req
end

function response(status, headers, body)
   if status < 200 or status >= 300 then bad = bad + 1 end
end

function done(summary, latency, requests)
   local non2xx, repeated = 0, 0
   for _, thread in ipairs(threads) do
      non2xx = non2xx + thread:get("bad")
      repeated = repeated + thread:get("repeats")
   end
   local e = summary.errors
   io.write(string.format(
      'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"non2xx": %d, "socket_errors": %d, "repeated": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, non2xx, e.connect + e.read + e.write + e.timeout, repeated))
end
