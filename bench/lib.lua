-- lib.lua: shared by every wrk script of bench/run, which prepends it.
-- Settings come from the environment (BENCH_*), read in every thread.
-- done() prints one machine-readable line that bench/run parses.

token = os.getenv("BENCH_TOKEN") or ""
prefix = os.getenv("BENCH_PREFIX") or "b"
tid = 0          -- set per thread by setup()
counter = 0

local nthreads = 0
function setup(thread)
   thread:set("tid", nthreads)
   nthreads = nthreads + 1
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

function done(summary, latency, requests)
   local e = summary.errors
   local errs = e.connect + e.read + e.write + e.status + e.timeout
   io.write(string.format(
      "RESULT rps=%.1f p50=%.3f p99=%.3f n=%d errs=%d status_errs=%d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests, errs, e.status))
end
