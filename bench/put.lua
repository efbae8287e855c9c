-- put.lua: catalogd PUT of a distinct runtime name per request.
local headers = { ["X-Vault-Token"] = token,
   ["Content-Type"] = "application/json" }
local base = "/v1/sys/plugins/runtimes/catalog/container/"

function request()
   return wrk.format("PUT", base .. next_name(), headers, runtime_body)
end
