-- mix.lua: catalogd 90/10 read/write mix.  Reads are GETs of the runtimes
-- BENCH_MIXPREFIX0 .. BENCH_MIXPREFIX<BENCH_MIXN - 1> (seeded beforehand),
-- writes are PUTs of distinct names.
local headers = { ["X-Vault-Token"] = token,
   ["Content-Type"] = "application/json" }
local base = "/v1/sys/plugins/runtimes/catalog/container/"
local mixprefix = os.getenv("BENCH_MIXPREFIX")
local mixn = tonumber(os.getenv("BENCH_MIXN"))
local rheaders = { ["X-Vault-Token"] = token }
local n = 0

function request()
   n = n + 1
   if n % 10 == 0 then
      return wrk.format("PUT", base .. next_name(), headers, runtime_body)
   end
   return wrk.format("GET", base .. mixprefix .. math.random(0, mixn - 1),
      rheaders)
end
