-- lib.lua: shared by every wrk script of bench/run, which prepends it.
-- Settings come from the environment (BENCH_*), read in every thread.
-- done() prints one machine-readable line that bench/run parses.
-- With BENCH_STATUS=1 every answer's status is looked at: wrk counts only
-- 4xx and 5xx as errors, and a standby that cannot reach the active node
-- answers a GET with a 307.  wrk then hands every answer to Lua, which
-- costs client CPU, so every variant of a group sets it alike.

token = os.getenv("BENCH_TOKEN") or ""
prefix = os.getenv("BENCH_PREFIX") or "b"
tid = 0          -- set per thread by setup()
counter = 0
nbad = 0         -- answers that are not 2xx (BENCH_STATUS=1)
n503 = 0         -- of which 503

local nthreads = 0
local threads = {}
function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
   threads[nthreads] = thread
end

if os.getenv("BENCH_STATUS") == "1" then
   function response(status, headers, body)
      if status < 200 or status > 299 then
         nbad = nbad + 1
         if status == 503 then n503 = n503 + 1 end
      end
   end
end

local b64chars =
   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function b64(s)
   local out, floor = {}, math.floor
   for i = 1, #s, 3 do
      local a, b, c = s:byte(i, i + 2)
      local n = a * 65536 + (b or 0) * 256 + (c or 0)
      local q = { floor(n / 262144), floor(n / 4096) % 64,
         floor(n / 64) % 64, n % 64 }
      for j = 1, 4 do
         out[#out + 1] = b64chars:sub(q[j] + 1, q[j] + 1)
      end
      if c == nil then out[#out] = "=" end
      if b == nil then out[#out - 1] = "=" end
   end
   return table.concat(out)
end

-- The body of a runtime registration (catalogd PUT).
runtime_body = '{"oci_runtime":"example-oci-runtime",' ..
   '"cgroup_parent":"/examplelimit/","cpu_nanos":1000,' ..
   '"memory_bytes":10000000}'

-- A distinct name per request: PREFIX-THREAD-COUNTER.  Such names sort
-- next to each other, so concurrent writers insert into the same B-tree
-- leaf.  With BENCH_SPREAD=1 an 8-hex-digit prefix (a bijective hash of
-- the counter) spreads them over the whole key space instead.
local spread = os.getenv("BENCH_SPREAD") == "1"
function next_name()
   counter = counter + 1
   local name = prefix .. "-" .. tid .. "-" .. counter
   if spread then
      local h = (counter * 2654435761 + tid * 40503) % 4294967296
      name = string.format("%04x%04x-", math.floor(h / 65536), h % 65536)
         .. name
   end
   return name
end

-- errs: socket errors and error statuses (with BENCH_STATUS=1 every
-- answer that is not 2xx, a superset of wrk's 4xx and 5xx); s503 is "-"
-- when the statuses were not looked at.
function done(summary, latency, requests)
   local e = summary.errors
   local errs = e.connect + e.read + e.write + e.status + e.timeout
   local s503 = "-"
   if os.getenv("BENCH_STATUS") == "1" then
      local bad, n = 0, 0
      for _, t in ipairs(threads) do
         bad = bad + t:get("nbad")
         n = n + t:get("n503")
      end
      errs = errs - e.status + bad
      s503 = tostring(n)
   end
   io.write(string.format(
      "RESULT rps=%.1f p50=%.3f p99=%.3f n=%d errs=%d status_errs=%d " ..
      "s503=%s\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests, errs, e.status, s503))
end
