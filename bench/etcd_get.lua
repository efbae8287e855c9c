-- etcd_get.lua: etcd v3 JSON gateway range (a linearizable get) of one
-- key, BENCH_KEY.
wrk.method = "POST"
wrk.path = "/v3/kv/range"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"key":"' .. b64(os.getenv("BENCH_KEY")) .. '"}'
