-- etcd_put.lua: etcd v3 JSON gateway put of a distinct key per request,
-- with the ~300-byte BENCH_VALUE (keys and values are base64 there).
local headers = { ["Content-Type"] = "application/json" }
local value = b64(os.getenv("BENCH_VALUE"))

function request()
   return wrk.format("POST", "/v3/kv/put", headers,
      '{"key":"' .. b64(next_name()) .. '","value":"' .. value .. '"}')
end
