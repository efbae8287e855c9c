-- get.lua: one fixed GET (BENCH_PATH) with the token; wrk.path must be
-- set, or wrk would use the URL's path.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["X-Vault-Token"] = token
