-- etcd_mix.lua: etcd's 90/10 mix: ranges of the keys BENCH_MIXPREFIX0 ..
-- (seeded beforehand), puts of distinct keys with the ~300-byte value.
local headers = { ["Content-Type"] = "application/json" }
local value = b64(os.getenv("BENCH_VALUE"))
local mixprefix = os.getenv("BENCH_MIXPREFIX")
local mixn = tonumber(os.getenv("BENCH_MIXN"))
local n = 0

function request()
   n = n + 1
   if n % 10 == 0 then
      return wrk.format("POST", "/v3/kv/put", headers,
         '{"key":"' .. b64(next_name()) .. '","value":"' .. value .. '"}')
   end
   return wrk.format("POST", "/v3/kv/range", headers,
      '{"key":"' .. b64(mixprefix .. math.random(0, mixn - 1)) .. '"}')
end
