#!/usr/bin/env bash
# tests/vault_clients.sh: end-to-end checks of the calls Vault's CLI, client
# libraries and configuration tools make around the catalog (issue 12):
# sys/seal-status, sys/init and sys/leader (vault status, is_sealed(),
# is_initialized()), the legacy sys/policy path (Terraform, Salt, older
# clients), sys/capabilities* (vault token capabilities) and the token
# accessor endpoints (vault token lookup/revoke -accessor, create-orphan,
# revoke-orphan).  Every answer is checked by status and exact bytes, the
# error paths as carefully as the successes, behind either front end.
#
# Run: CATALOGD_SRCDIR=$PWD CATALOGD_BUILDDIR=$PWD bash tests/vault_clients.sh

. "$(dirname "$0")/lib.sh"

LAST=
E_NONE='{"errors":[]}'
E_DENIED='{"errors":["permission denied"]}'
E_DENIED_MULTI='{"errors":["1 error occurred:\n\t* permission denied\n\n"]}'
E_PATH='{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}'
E_OP='{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}'
E_JSON='{"errors":["error parsing JSON"]}'

# call METHOD PATH [curl args...]: api, remembering the request line.
call() {
	LAST="$1 /v1/$2"
	api "$@"
}

# expect_injected TOP DATA: a 200 whose body is Vault's injected form: the
# members TOP (a JSON object's inside, as the server writes them) then the
# envelope with DATA.
expect_injected() {
	local env
	env=$(envelope "$2")
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "{$1,${env#\{}"$'\n.' "$(strip_id <"$RAW"; echo .)"
	grep -q "\"request_id\":\"$UUID4\"" "$RAW"
	assertTrue "$LAST: request_id is a v4 uuid" $?
}

# body JQ-ARGS...: a compact JSON request body built by jq.
body() { jq -cn "$@"; }

# policy NAME TEXT: root writes the policy through sys/policies/acl.
policy() {
	as "$ROOT_TOKEN" PUT "sys/policies/acl/$1" --data "$(body --arg p "$2" '{policy:$p}')"
	expect 204 "" "write policy $1"
}

# mint JSON [PARENT [PATH]]: creates a token (auth/token/create by
# default), expecting 200; sets NEW_TOKEN and NEW_ACCESSOR.
mint() {
	as "${2:-$ROOT_TOKEN}" POST "${3:-auth/token/create}" --data "$1"
	assertEquals "create $1: status ($BODY)" 200 "$STATUS"
	NEW_TOKEN=$(jq -r '.auth.client_token // empty' "$RAW" 2>/dev/null)
	NEW_ACCESSOR=$(jq -r '.auth.accessor // empty' "$RAW" 2>/dev/null)
	return 0
}

oneTimeSetUp() {
	server_start || exit 1
}

oneTimeTearDown() { suite_teardown; }

# Back to the built-in policies only.
tearDown() {
	local n
	[ -n "$SERVER_PID" ] || return 0
	api GET "sys/policies/acl?list=true"
	for n in $(jq -r '.data.keys[]?' "$RAW" 2>/dev/null); do
		case $n in root|default) ;; *) api DELETE "sys/policies/acl/$n" ;; esac
	done
	TOKEN=$ROOT_TOKEN
}

# --------------------------------------------- seal-status, init, leader

SEAL_SHAPE='{"type":"shamir","initialized":true,"sealed":false,"t":1,"n":1,"progress":0,"nonce":"","version":"V","build_date":"D","migration":false,"cluster_name":"catalogd-cluster-C8","cluster_id":"C","recovery_seal":false,"storage_type":"berkeleydb"}'

# seal_shape: the last seal-status answer with the version, build date and
# cluster id replaced (each checked on its own).
seal_shape() {
	sed -e 's/"version":"[0-9][0-9.]*"/"version":"V"/' \
	    -e 's/"build_date":"[0-9]\{4\}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"/"build_date":"D"/' \
	    -e "s/\"cluster_name\":\"catalogd-cluster-\([0-9a-f]\{8\}\)\",\"cluster_id\":\"\1-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}\"/\"cluster_name\":\"catalogd-cluster-C8\",\"cluster_id\":\"C\"/" \
	    "$RAW"
}

# No token is needed, and none is looked at (a bad one changes nothing).
test_seal_status() {
	local t id
	for t in "" "$ROOT_TOKEN" nope 'a b'; do
		as "$t" GET sys/seal-status
		assertEquals "$LAST [$t]: status ($BODY)" 200 "$STATUS"
		assertEquals "$LAST [$t]: body" "$SEAL_SHAPE"$'\n.' "$(seal_shape; echo .)"
	done
	id=$(jq -r .cluster_id "$RAW")
	as "" GET sys/seal-status
	assertEquals "the cluster id is stable" "$id" "$(jq -r .cluster_id "$RAW")"
	as "" GET sys/health
	assertEquals "the same version as sys/health" "$(jq -r .version "$RAW")" \
	    "$(as "" GET sys/seal-status; jq -r .version "$RAW")"
	as "" GET sys/health
	assertEquals "the same cluster as sys/health" \
	    "$(jq -c '[.cluster_name, .cluster_id]' "$RAW")" \
	    "$(as "" GET sys/seal-status; jq -c '[.cluster_name, .cluster_id]' "$RAW")"
	# Vault's raw handler: any method but GET is a bare 405.
	for m in DELETE PUT POST; do
		as "" "$m" sys/seal-status --data '{}'
		expect 405 "$E_NONE"
	done
	# ... before and after authentication alike.
	as "$ROOT_TOKEN" DELETE sys/seal-status
	expect 405 "$E_NONE"
	as "" HEAD sys/seal-status
	assertEquals "$LAST: status" 405 "$STATUS"
	as "$ROOT_TOKEN" GET sys/seal-status/x
	expect 404 "$E_PATH"
}

test_init() {
	local t
	for t in "" nope "$ROOT_TOKEN"; do
		as "$t" GET sys/init
		expect 200 '{"initialized":true}'
	done
	# A second initialisation is refused as Vault refuses it.
	as "" PUT sys/init --data '{"secret_shares":5,"secret_threshold":3}'
	expect 400 '{"errors":["Vault is already initialized"]}'
	as "" POST sys/init --data '{}'
	expect 400 '{"errors":["Vault is already initialized"]}'
	as "" PUT sys/init --data '{"recovery_shares":1}'
	expect 400 '{"errors":["parameters specific to auto unseal seals present"]}'
	as "" PUT sys/init --data '{"recovery_pgp_keys":["k"]}'
	expect 400 '{"errors":["parameters specific to auto unseal seals present"]}'
	as "" PUT sys/init --data '{"recovery_shares":"x"}'
	expect 400 "$(errjson 'Field validation failed: error converting input x for field "recovery_shares": cannot parse '"''"' as int: strconv.ParseInt: parsing "x": invalid syntax')"
	as "" PUT sys/init --data '{'
	expect 400 "$E_JSON"
	as "" DELETE sys/init
	expect 405 "$E_NONE"
}

LEADER='{"ha_enabled":false,"is_self":false,"active_time":"0001-01-01T00:00:00Z","leader_address":"","leader_cluster_address":"","performance_standby":false,"performance_standby_last_remote_wal":0}'

test_leader() {
	local t
	for t in "" nope "$ROOT_TOKEN"; do
		as "$t" GET sys/leader
		expect 200 "$LEADER"
	done
	as "" PUT sys/leader --data '{}'
	expect 405 "$E_NONE"
	as "" DELETE sys/leader
	expect 405 "$E_NONE"
}

# The cluster id survives a restart (it is stored, not made per process).
test_cluster_id_persists() {
	local before
	as "" GET sys/seal-status
	before=$(jq -r .cluster_id "$RAW")
	assertNotNull "a cluster id" "$before"
	server_stop
	server_start || fail "restart"
	as "" GET sys/seal-status
	assertEquals "cluster id after a restart" "$before" "$(jq -r .cluster_id "$RAW")"
}

# ------------------------------------------------------ legacy sys/policy

TEXT_A='path "sys/policy/alpha" { capabilities = ["read"] }'

# keys_top NAMES-JSON: the injected members of a policy list.
keys_top() { printf '"keys":%s,"policies":%s' "$1" "$1"; }

test_legacy_policy_list() {
	local want='["default","root"]' p
	for p in sys/policy "sys/policy?list=true" "sys/policy/?list=true" \
	    sys/policy/; do
		call GET "$p"
		expect_injected "$(keys_top "$want")" "{$(keys_top "$want")}"
	done
	policy mid "$TEXT_A"
	policy alpha "$TEXT_A"
	policy zeta "$TEXT_A"
	# Stored names sorted, then root, as sys/policies/acl lists them.
	want='["alpha","default","mid","zeta","root"]'
	call GET sys/policy
	expect_injected "$(keys_top "$want")" "{$(keys_top "$want")}"
	call GET "sys/policies/acl?list=true"
	expect_ok "{\"keys\":$want}"
	call LIST sys/policy
	if [ "$FRONTEND" = nginx ]; then
		expect_injected "$(keys_top "$want")" "{$(keys_top "$want")}"
	else
		assertEquals "$LAST: lighttpd refuses LIST ($BODY)" 501 "$STATUS"
	fi
	# The list path takes no write or delete.
	call PUT sys/policy --data '{}'
	expect 405 "$E_OP"
	call DELETE sys/policy
	expect 405 "$E_OP"
	call GET "sys/policy?list=maybe"
	expect 400 "$E_NONE"
}

test_legacy_policy_write_read_delete() {
	local text='path "sys/plugins/*" { capabilities = ["read", "list"] }'
	# "rules" is the legacy field: stored, with Vault's deprecation warning.
	call PUT sys/policy/alpha --data "$(body --arg r "$text" '{rules:$r}')"
	expect_ok null '["'"'"'rules'"'"' is deprecated, please use '"'"'policy'"'"' instead"]'
	call GET sys/policy/alpha
	expect_injected "$(body --arg r "$text" '{name:"alpha",rules:$r}' | sed 's/^{//;s/}$//')" \
	    "$(body --arg r "$text" '{name:"alpha",rules:$r}')"
	# The same store as sys/policies/acl, which calls the text "policy".
	call GET sys/policies/acl/alpha
	assertEquals "$LAST: status" 200 "$STATUS"
	assertEquals "$LAST: policy" "$text" "$(jq -r .data.policy "$RAW")"
	assertEquals "$LAST: no top-level copy" null "$(jq -r .name "$RAW")"
	# "policy" wins over "rules", with no warning; POST is the same as PUT.
	call POST sys/policy/alpha --data "$(body --arg p "$TEXT_A" '{policy:$p,rules:"ignored"}')"
	expect 204 ""
	call GET sys/policy/alpha
	assertEquals "$LAST: rules" "$TEXT_A" "$(jq -r .rules "$RAW")"
	assertEquals "$LAST: data.rules" "$TEXT_A" "$(jq -r .data.rules "$RAW")"
	# Base64 as Vault takes it.
	call PUT sys/policy/beta --data "$(body --arg p "$(printf %s "$TEXT_A" | base64 -w0)" '{policy:$p}')"
	expect 204 ""
	call GET sys/policy/beta
	assertEquals "$LAST: decoded" "$TEXT_A" "$(jq -r .rules "$RAW")"
	# Names are lower-cased, with Vault's warning.
	call PUT sys/policy/GaMMa --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	expect_ok null '["policy name was converted to gamma"]'
	call PUT sys/policy/Delta --data "$(body --arg p "$TEXT_A" '{rules:$p}')"
	expect_ok null '["policy name was converted to delta","'"'"'rules'"'"' is deprecated, please use '"'"'policy'"'"' instead"]'
	call GET sys/policy/GAMMA
	assertEquals "$LAST: status" 200 "$STATUS"
	assertEquals "$LAST: name" gamma "$(jq -r .name "$RAW")"
	# root reads as an empty policy; default as shipped.
	call GET sys/policy/root
	expect_injected '"name":"root","rules":""' '{"name":"root","rules":""}'
	call GET sys/policy/default
	assertEquals "$LAST: status" 200 "$STATUS"
	assertEquals "$LAST: the default policy" "$(jq -r .data.rules "$RAW")" "$(jq -r .rules "$RAW")"
	call DELETE sys/policy/alpha
	expect 204 ""
	call GET sys/policy/alpha
	expect 404 "$E_NONE"
	call GET sys/policies/acl/alpha
	expect 404 "$E_NONE"
	call DELETE sys/policy/alpha
	expect 204 ""
}

test_legacy_policy_errors() {
	local bad='path "a" { capabilities = ["bogus"] }' p
	call PUT sys/policy/x --data '{}'
	expect 400 "$(errjson "'policy' parameter not supplied or empty")"
	call PUT sys/policy/x --data '{"policy":"","rules":""}'
	expect 400 "$(errjson "'policy' parameter not supplied or empty")"
	call PUT sys/policy/x --data "$(body --arg r "$bad" '{rules:$r}')"
	expect 400 "$(errjson 'failed to parse policy: line 1: unknown capability "bogus"')"
	# The same message sys/policies/acl gives for the same text.
	call PUT sys/policies/acl/x --data "$(body --arg r "$bad" '{policy:$r}')"
	expect 400 "$(errjson 'failed to parse policy: line 1: unknown capability "bogus"')"
	call PUT sys/policy/x --data '{"rules":[1]}'
	expect 400 "$(errjson "Field validation failed: error converting input [1] for field \"rules\": '' expected type 'string', got unconvertible type '[]interface {}', value: '[1]'")"
	call PUT sys/policy/x --data '{"rules":'
	expect 400 "$E_JSON"
	for p in root ROOT; do
		call PUT "sys/policy/$p" --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
		expect 400 "$(errjson 'cannot update "root" policy')"
		call DELETE "sys/policy/$p"
		expect 400 "$(errjson 'cannot delete "root" policy')"
	done
	call DELETE sys/policy/default
	expect 400 "$(errjson 'cannot delete default policy')"
	call PUT sys/policy/ --data '{}'
	expect 400 "$(errjson "cannot write to a path ending in '/'")"
	for p in sys/policy/-x sys/policy/a/b "sys/policy/a%2Fb"; do
		call GET "$p"
		expect 404 "$E_PATH"
	done
	# Nothing was stored by any of it.
	call GET sys/policy/x
	expect 404 "$E_NONE"
}

# The legacy path is a path like any other to the ACL: grants on
# sys/policies/acl do not reach it, and a policy written through it is
# enforced like any other.
test_legacy_policy_acl() {
	local t
	policy acl-admin 'path "sys/policies/acl/*" { capabilities = ["create", "read", "update", "delete", "list"] }'
	mint '{"policies":["acl-admin"]}'
	t=$NEW_TOKEN
	as "$t" GET sys/policies/acl/default
	assertEquals "$LAST: status" 200 "$STATUS"
	as "$t" GET sys/policy/default
	expect 403 "$E_DENIED_MULTI"
	as "$t" GET sys/policy
	expect 403 "$E_DENIED_MULTI"
	as "$t" PUT sys/policy/x --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	expect 403 "$E_DENIED_MULTI"
	as "$t" DELETE sys/policy/acl-admin
	expect 403 "$E_DENIED_MULTI"
	as "" GET sys/policy
	expect 403 "$E_DENIED"
	as nope GET sys/policy/default
	expect 403 "$E_DENIED"
	# Written through sys/policy: read alpha, nothing else.
	call PUT sys/policy/alpha --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	expect 204 ""
	mint '{"policies":["alpha"]}'
	t=$NEW_TOKEN
	as "$t" GET sys/policy/alpha
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	as "$t" PUT sys/policy/alpha --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	expect 403 "$E_DENIED_MULTI"
	as "$t" GET sys/policy/default
	expect 403 "$E_DENIED_MULTI"
	as "$t" GET sys/policy
	expect 403 "$E_DENIED_MULTI"
}

# ------------------------------------------------------ sys/capabilities*

CAPS='path "secret/*" { capabilities = ["read", "list"] }
path "secret/x" { capabilities = ["deny"] }
path "sys/policy/alpha" { capabilities = ["read", "update"] }'

# caps_top JSON-OBJECT: the injected members of a capabilities answer.
caps_top() { printf '%s' "$1" | sed 's/^{//;s/}$//'; }

# expect_caps DATA: a capabilities answer with DATA (sorted keys).
expect_caps() { expect_injected "$(caps_top "$1")" "$1"; }

E_NO_PATHS='{"errors":["paths must be supplied"]}'
E_MISSING_PATH='{"errors":["1 error occurred:\n\t* missing path\n\n"]}'
E_INVALID_TOKEN='{"errors":["1 error occurred:\n\t* invalid token\n\n"]}'
E_INVALID_ACCESSOR='{"errors":["1 error occurred:\n\t* invalid accessor\n\n"]}'
E_MISSING_ACCESSOR='{"errors":["1 error occurred:\n\t* missing accessor\n\n"]}'

test_capabilities_root() {
	call POST sys/capabilities-self --data '{"paths":["b/c","a"]}'
	expect_caps '{"a":["root"],"b/c":["root"]}'
	call POST sys/capabilities-self --data '{"paths":["anything"]}'
	expect_caps '{"anything":["root"],"capabilities":["root"]}'
	call PUT sys/capabilities --data "$(body --arg t "$ROOT_TOKEN" '{token:$t,path:"x"}')"
	expect_caps '{"capabilities":["root"],"x":["root"]}'
}

test_capabilities_of_a_token() {
	local t acc want
	policy caps "$CAPS"
	mint '{"policies":["caps"]}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	want='{"other":["deny"],"secret/a":["list","read"],"secret/x":["deny"],"sys/policy/alpha":["read","update"]}'
	as "$t" POST sys/capabilities-self --data '{"paths":["secret/a","secret/x","other","sys/policy/alpha"]}'
	expect_caps "$want"
	as "$ROOT_TOKEN" POST sys/capabilities --data "$(body --arg t "$t" '{token:$t,paths:["secret/a","secret/x","other","sys/policy/alpha"]}')"
	expect_caps "$want"
	as "$ROOT_TOKEN" POST sys/capabilities-accessor --data "$(body --arg a "$acc" '{accessor:$a,paths:["secret/a","secret/x","other","sys/policy/alpha"]}')"
	expect_caps "$want"
	# "path" (deprecated) and a comma-separated string, as Vault takes them.
	as "$t" POST sys/capabilities-self --data '{"path":"secret/a"}'
	expect_caps '{"capabilities":["list","read"],"secret/a":["list","read"]}'
	as "$t" POST sys/capabilities-self --data '{"paths":"secret/a,other"}'
	expect_caps '{"other":["deny"],"secret/a":["list","read"]}'
	as "$t" POST sys/capabilities-self -H 'Content-Type: application/x-www-form-urlencoded' --data 'paths=secret/b'
	expect_caps '{"capabilities":["list","read"],"secret/b":["list","read"]}'
	# The default policy's own grant.
	as "$t" POST sys/capabilities-self --data '{"paths":["sys/capabilities-self"]}'
	expect_caps '{"capabilities":["update"],"sys/capabilities-self":["update"]}'
	# A policy change applies at once.
	policy caps 'path "secret/*" { capabilities = ["create"] }'
	as "$t" POST sys/capabilities-self --data '{"paths":["secret/a"]}'
	expect_caps '{"capabilities":["create"],"secret/a":["create"]}'
}

# What the report says is what the token may do, request by request.
test_capabilities_match_enforcement() {
	local t
	policy caps "$CAPS"
	call PUT sys/policy/alpha --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	call PUT sys/policy/beta --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	mint '{"policies":["caps"]}'
	t=$NEW_TOKEN
	as "$t" POST sys/capabilities-self --data '{"paths":["sys/policy/alpha"]}'
	expect_caps '{"capabilities":["read","update"],"sys/policy/alpha":["read","update"]}'
	as "$t" GET sys/policy/alpha
	assertEquals "$LAST: reported read, allowed" 200 "$STATUS"
	as "$t" PUT sys/policy/alpha --data "$(body --arg p "$TEXT_A" '{policy:$p}')"
	assertEquals "$LAST: reported update, allowed" 204 "$STATUS"
	as "$t" DELETE sys/policy/alpha
	expect 403 "$E_DENIED_MULTI"
	as "$t" POST sys/capabilities-self --data '{"paths":["sys/policy/beta"]}'
	expect_caps '{"capabilities":["deny"],"sys/policy/beta":["deny"]}'
	as "$t" GET sys/policy/beta
	expect 403 "$E_DENIED_MULTI"
}

test_capabilities_errors() {
	local t acc
	for p in sys/capabilities-self sys/capabilities; do
		call POST "$p" --data "$(body --arg t "$ROOT_TOKEN" '{token:$t}')"
		expect 400 "$E_NO_PATHS"
		call POST "$p" --data "$(body --arg t "$ROOT_TOKEN" '{token:$t,paths:[]}')"
		expect 400 "$E_NO_PATHS"
		call POST "$p" --data "$(body --arg t "$ROOT_TOKEN" '{token:$t,paths:"a,"}')"
		expect 400 "$E_MISSING_PATH"
		call POST "$p" --data "$(body --arg t "$ROOT_TOKEN" '{token:$t,paths:["","a"]}')"
		expect 400 "$E_MISSING_PATH"
		call POST "$p" --data '{"paths":{"a":1}}'
		expect 400 "$(errjson "Field validation failed: error converting input map[a:1] for field \"paths\": 1 error(s) decoding:

* '[0]' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:1]'")"
		call POST "$p" --data '{"paths":'
		expect 400 "$E_JSON"
		call GET "$p"
		expect 405 "$E_OP"
	done
	call POST sys/capabilities --data '{"paths":["a"]}'
	expect 400 '{"errors":["1 error occurred:\n\t* no token found\n\n"]}'
	for t in nope 'bad token' hvs.AAAAAAAAAAAAAAAAAAAAAAAA; do
		call POST sys/capabilities --data "$(body --arg t "$t" '{token:$t,paths:["a"]}')"
		expect 400 "$E_INVALID_TOKEN"
	done
	# An empty path is reported before a bad token, as Vault checks.
	call POST sys/capabilities --data '{"token":"nope","paths":["",""]}'
	expect 400 "$E_MISSING_PATH"
	call POST sys/capabilities-accessor --data '{"paths":["a"]}'
	expect 400 '{"errors":["missing accessor"]}'
	call POST sys/capabilities-accessor --data '{"accessor":"nope","paths":["a"]}'
	expect 400 "$E_INVALID_ACCESSOR"
	mint '{"policies":["default"]}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	call POST sys/capabilities-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect 400 "$E_NO_PATHS"
	call POST auth/token/revoke --data "$(body --arg t "$t" '{token:$t}')"
	expect 204 ""
	call POST sys/capabilities --data "$(body --arg t "$t" '{token:$t,paths:["a"]}')"
	expect 400 "$E_INVALID_TOKEN"
	call POST sys/capabilities-accessor --data "$(body --arg a "$acc" '{accessor:$a,paths:["a"]}')"
	expect 400 "$E_INVALID_ACCESSOR"
}

test_capabilities_permissions() {
	local t bare
	mint '{"policies":["default"]}'
	t=$NEW_TOKEN
	# The default policy lets a token ask about itself, nothing more.
	as "$t" POST sys/capabilities-self --data '{"paths":["secret/a"]}'
	expect_caps '{"capabilities":["deny"],"secret/a":["deny"]}'
	as "$t" POST sys/capabilities --data "$(body --arg t "$ROOT_TOKEN" '{token:$t,paths:["a"]}')"
	expect 403 "$E_DENIED_MULTI"
	as "$t" POST sys/capabilities-accessor --data '{"accessor":"x","paths":["a"]}'
	expect 403 "$E_DENIED_MULTI"
	mint '{"policies":["caps"],"no_default_policy":true}'
	bare=$NEW_TOKEN
	as "$bare" POST sys/capabilities-self --data '{"paths":["secret/a"]}'
	expect 403 "$E_DENIED_MULTI"
	for p in sys/capabilities-self sys/capabilities sys/capabilities-accessor; do
		as "" POST "$p" --data '{"paths":["a"]}'
		expect 403 "$E_DENIED"
		as nope POST "$p" --data '{"paths":["a"]}'
		expect 403 "$E_DENIED"
	done
}

# ---------------------------------------------------- token accessors

# lookup_of TOKEN: the data of root's lookup of TOKEN, ttl aside.
lookup_of() {
	as "$ROOT_TOKEN" POST auth/token/lookup --data "$(body --arg t "$1" '{token:$t}')"
	jq -c '.data | del(.ttl)' "$RAW"
}

test_lookup_accessor() {
	local t acc want
	mint '{"policies":["default"],"display_name":"by accessor","ttl":"1h","num_uses":3}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	want=$(lookup_of "$t" | jq -c '.id = ""')
	call POST auth/token/lookup-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: the lookup with id empty" "$want" \
	    "$(jq -c '.data | del(.ttl)' "$RAW")"
	assertEquals "$LAST: the envelope" "$(envelope D null token)" \
	    "$(strip_id <"$RAW" | sed 's/"data":{[^}]*}/"data":D/')"
	assertFalse "$LAST: the token never appears" "grep -q -F -e '$t' '$RAW'"
	assertEquals "$LAST: no use was spent" 3 "$(jq .data.num_uses "$RAW")"
	call PUT auth/token/lookup-accessor -H 'Content-Type: application/x-www-form-urlencoded' --data "accessor=$acc"
	assertEquals "$LAST: a form body ($BODY)" 200 "$STATUS"
	# The root token by its accessor.
	call GET auth/token/lookup-self
	acc=$(jq -r .data.accessor "$RAW")
	call POST auth/token/lookup-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	assertEquals "$LAST: status" 200 "$STATUS"
	assertEquals "$LAST: root" '"" ["root"] "auth/token/root"' \
	    "$(jq -c '.data.id, .data.policies, .data.path' "$RAW" | tr '\n' ' ' | sed 's/ $//')"
	# Errors.
	call POST auth/token/lookup-accessor --data '{}'
	expect 400 "$E_MISSING_ACCESSOR"
	call POST auth/token/lookup-accessor --data '{"accessor":""}'
	expect 400 "$E_MISSING_ACCESSOR"
	call POST auth/token/lookup-accessor --data '{"accessor":"nope"}'
	expect 400 "$E_INVALID_ACCESSOR"
	call POST auth/token/lookup-accessor --data "$(body --arg t "$t" '{accessor:$t}')"
	expect 400 "$E_INVALID_ACCESSOR"
	call POST auth/token/lookup-accessor --data '{"accessor":["a"]}'
	expect 400 "$(errjson "Field validation failed: error converting input [a] for field \"accessor\": '' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'")"
	call GET "auth/token/lookup-accessor?accessor=$NEW_ACCESSOR"
	expect 405 "$E_OP"
	# Without update on the path: denied, and the default policy has none.
	as "$t" POST auth/token/lookup-accessor --data "$(body --arg a "$NEW_ACCESSOR" '{accessor:$a}')"
	expect 403 "$E_DENIED_MULTI"
	as "" POST auth/token/lookup-accessor --data '{"accessor":"x"}'
	expect 403 "$E_DENIED"
}

test_renew_accessor() {
	local t acc root_acc
	mint '{"policies":["default"],"ttl":"1h"}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	call POST auth/token/renew-accessor --data "$(body --arg a "$acc" '{accessor:$a,increment:"2h"}')"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: auth" "$(body --arg a "$acc" '{client_token:"",accessor:$a,policies:["default"],token_policies:["default"],metadata:null,lease_duration:7200,renewable:true,entity_id:"",token_type:"service",orphan:false,mfa_requirement:null,num_uses:0}')" \
	    "$(jq -c .auth "$RAW")"
	assertFalse "$LAST: the token never appears" "grep -q -F -e '$t' '$RAW'"
	as "$t" GET auth/token/lookup-self
	assertEquals "the renewal took: ttl" 7200 "$(jq '.data.ttl + 5 - (.data.ttl + 5) % 10' "$RAW")"
	call GET auth/token/lookup-self
	root_acc=$(jq -r .data.accessor "$RAW")
	call POST auth/token/renew-accessor --data "$(body --arg a "$root_acc" '{accessor:$a}')"
	expect 400 '{"errors":["invalid lease ID"]}'
	call POST auth/token/renew-accessor --data '{}'
	expect 400 "$E_MISSING_ACCESSOR"
	call POST auth/token/renew-accessor --data '{"accessor":"nope"}'
	expect 400 "$E_INVALID_ACCESSOR"
	call POST auth/token/renew-accessor --data "$(body --arg a "$acc" '{accessor:$a,increment:"soon"}')"
	assertEquals "$LAST: a bad increment ($BODY)" 400 "$STATUS"
	as "$t" POST auth/token/renew-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect 403 "$E_DENIED_MULTI"
}

test_revoke_accessor() {
	local p c acc
	policy minter 'path "auth/token/create" { capabilities = ["update"] }'
	mint '{"policies":["minter"]}'
	p=$NEW_TOKEN acc=$NEW_ACCESSOR
	mint '{"policies":["default"]}' "$p"
	c=$NEW_TOKEN
	call POST auth/token/revoke-accessor --data '{"accessor":"nope"}'
	expect_ok null '["No token found with this accessor"]' token
	as "$p" POST auth/token/revoke-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect 403 "$E_DENIED_MULTI"
	call POST auth/token/revoke-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect 204 ""
	# The token and its child are gone, and so is the accessor.
	as "$p" GET auth/token/lookup-self
	expect 403 "$E_DENIED"
	as "$c" GET auth/token/lookup-self
	expect 403 "$E_DENIED"
	call POST auth/token/lookup-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect 400 "$E_INVALID_ACCESSOR"
	call POST auth/token/revoke-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	expect_ok null '["No token found with this accessor"]' token
	call POST auth/token/revoke-accessor --data '{}'
	expect 400 "$E_MISSING_ACCESSOR"
	call POST auth/token/revoke-accessor --data '{"accessor":{}}'
	assertEquals "$LAST: an empty object is no accessor ($BODY)" 400 "$STATUS"
}

test_list_accessors() {
	local t acc root_acc want n
	call GET auth/token/lookup-self
	root_acc=$(jq -r .data.accessor "$RAW")
	mint '{"policies":["default"]}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	call GET "auth/token/accessors?list=true"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: sorted" "$(jq -c '.data.keys | sort' "$RAW")" "$(jq -c .data.keys "$RAW")"
	assertTrue "$LAST: has root's" "jq -e --arg a '$root_acc' '.data.keys | index(\$a)' '$RAW'"
	assertTrue "$LAST: has the new one" "jq -e --arg a '$acc' '.data.keys | index(\$a)' '$RAW'"
	n=$(jq '.data.keys | length' "$RAW")
	want=$(jq -c '{keys: .data.keys}' "$RAW")
	expect_ok "$want" null token
	call LIST auth/token/accessors
	if [ "$FRONTEND" = nginx ]; then
		expect_ok "$want" null token
	else
		assertEquals "$LAST: lighttpd refuses LIST" 501 "$STATUS"
	fi
	call POST auth/token/revoke --data "$(body --arg t "$t" '{token:$t}')"
	call GET "auth/token/accessors/?list=true"
	assertEquals "$LAST: one fewer" $((n - 1)) "$(jq '.data.keys | length' "$RAW")"
	assertFalse "$LAST: the revoked one is gone" "jq -e --arg a '$acc' '.data.keys | index(\$a)' '$RAW'"
	# sudo is needed, as in Vault.
	policy lister 'path "auth/token/accessors/" { capabilities = ["list"] }'
	mint '{"policies":["lister"]}'
	as "$NEW_TOKEN" GET "auth/token/accessors?list=true"
	expect 403 "$E_DENIED_MULTI"
	policy lister 'path "auth/token/accessors/" { capabilities = ["list", "sudo"] }'
	as "$NEW_TOKEN" GET "auth/token/accessors?list=true"
	assertEquals "$LAST: with sudo ($BODY)" 200 "$STATUS"
	as "" GET "auth/token/accessors?list=true"
	expect 403 "$E_DENIED"
	call GET auth/token/accessors
	expect 405 "$E_OP"
}

test_create_orphan() {
	local parent t
	policy orphans 'path "auth/token/create-orphan" { capabilities = ["update"] }'
	mint '{"policies":["orphans"]}'
	parent=$NEW_TOKEN
	# No sudo needed: the path's own ACL decides.
	mint '{"policies":["orphans"],"ttl":"1h"}' "$parent" auth/token/create-orphan
	t=$NEW_TOKEN
	assertEquals "create-orphan: orphan" true "$(jq .auth.orphan "$RAW")"
	assertEquals "create-orphan: policies" '["default","orphans"]' "$(jq -c .auth.policies "$RAW")"
	as "$t" GET auth/token/lookup-self
	assertEquals "$LAST: path" auth/token/create-orphan "$(jq -r .data.path "$RAW")"
	assertEquals "$LAST: orphan" true "$(jq .data.orphan "$RAW")"
	# Revoking the creator leaves the orphan.
	call POST auth/token/revoke --data "$(body --arg t "$parent" '{token:$t}')"
	expect 204 ""
	as "$t" GET auth/token/lookup-self
	assertEquals "$LAST: the orphan lives on ($BODY)" 200 "$STATUS"
	# Errors, as on auth/token/create.
	as "$t" POST auth/token/create-orphan --data '{"num_uses":-1}'
	expect 400 '{"errors":["number of uses cannot be negative"]}'
	as "$t" POST auth/token/create-orphan --data '{"no_parent":true}'
	expect 400 '{"errors":["root or sudo privileges required to create orphan token"]}'
	as "$t" POST auth/token/create-orphan --data '{"policies":["root"]}'
	expect 400 '{"errors":["child policies must be subset of parent"]}'
	as "$t" POST auth/token/create-orphan --data '{"ttl":"soon"}'
	assertEquals "$LAST: a bad ttl ($BODY)" 400 "$STATUS"
	mint '{"policies":["default"]}'
	as "$NEW_TOKEN" POST auth/token/create-orphan --data '{}'
	expect 403 "$E_DENIED_MULTI"
	as "" POST auth/token/create-orphan --data '{}'
	expect 403 "$E_DENIED"
}

test_revoke_orphan() {
	local p c g
	policy minter 'path "auth/token/create" { capabilities = ["update"] }'
	mint '{"policies":["minter"]}'
	p=$NEW_TOKEN
	mint '{"policies":["minter"]}' "$p"
	c=$NEW_TOKEN
	mint '{"policies":["default"]}' "$c"
	g=$NEW_TOKEN
	call POST auth/token/revoke-orphan --data "$(body --arg t "$p" '{token:$t}')"
	expect 204 ""
	as "$p" GET auth/token/lookup-self
	expect 403 "$E_DENIED"
	# The child is now an orphan, and its own child still hangs under it.
	as "$c" GET auth/token/lookup-self
	assertEquals "$LAST: the child lives ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: an orphan now" true "$(jq .data.orphan "$RAW")"
	as "$g" GET auth/token/lookup-self
	assertEquals "$LAST: the grandchild lives" 200 "$STATUS"
	assertEquals "$LAST: not an orphan" false "$(jq .data.orphan "$RAW")"
	call POST auth/token/revoke --data "$(body --arg t "$c" '{token:$t}')"
	as "$g" GET auth/token/lookup-self
	expect 403 "$E_DENIED"
	# Errors.
	call POST auth/token/revoke-orphan --data '{}'
	expect 400 '{"errors":["missing token ID"]}'
	for t in nope "$p" 'a b'; do
		call POST auth/token/revoke-orphan --data "$(body --arg t "$t" '{token:$t}')"
		expect 400 '{"errors":["token to revoke not found"]}'
	done
	# sudo is needed, as in Vault.
	policy orphaner 'path "auth/token/revoke-orphan" { capabilities = ["update"] }'
	mint '{"policies":["orphaner"]}'
	as "$NEW_TOKEN" POST auth/token/revoke-orphan --data "$(body --arg t "$NEW_TOKEN" '{token:$t}')"
	expect 403 "$E_DENIED_MULTI"
	policy orphaner 'path "auth/token/revoke-orphan" { capabilities = ["update", "sudo"] }'
	as "$NEW_TOKEN" POST auth/token/revoke-orphan --data "$(body --arg t "$NEW_TOKEN" '{token:$t}')"
	expect 204 ""
	as "" POST auth/token/revoke-orphan --data '{"token":"x"}'
	expect 403 "$E_DENIED"
}

# The accessor index is stored: it answers after a restart, also for
# tokens made before it.
test_accessors_persist() {
	local t acc
	mint '{"policies":["default"]}'
	t=$NEW_TOKEN acc=$NEW_ACCESSOR
	server_stop
	server_start || fail "restart"
	call POST auth/token/lookup-accessor --data "$(body --arg a "$acc" '{accessor:$a}')"
	assertEquals "$LAST: after a restart ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: the same token" "$acc" "$(jq -r .data.accessor "$RAW")"
	server_stop
	dbverify
	server_start || fail "restart"
}

. "$SHUNIT2"
