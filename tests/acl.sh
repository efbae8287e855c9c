#!/usr/bin/env bash
# tests/acl.sh: end-to-end checks of tokens and ACL policies (SPEC sections
# 3 "Authentication", 4 "sudo per operation" and 6) against one real
# deployment: the policy store (sys/policies/acl), the token store
# (auth/token/*), a capability x method matrix over the catalog routes, and
# the promise that a raw token never reaches the data directory or a log.
# Every answer is checked by status code and exact bytes.  Each test starts
# with exactly two runtimes (foo: cpu_nanos 7, bar: cpu_nanos 8), the
# built-in policies only and the default policy as shipped.
#
# Run: CATALOGD_SRCDIR=$PWD CATALOGD_BUILDDIR=$PWD bash tests/acl.sh

. "$(dirname "$0")/lib.sh"

RT=sys/plugins/runtimes/catalog
IT=$RT/container
POL=sys/policies/acl
LAST=
WHO=

E_PATH='{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}'
E_OP='{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}'
E_NONE='{"errors":[]}'
E_DENIED='{"errors":["permission denied"]}'
E_DENIED_MULTI='{"errors":["1 error occurred:\n\t* permission denied\n\n"]}'
E_BAD_TOKEN='{"errors":["bad token"]}'
# Vault's token_store.go and expiration.go strings: revoke without a token,
# renewing a lease that never ends, renewing a token that has no lease.
E_MISSING_TOKEN='{"errors":["missing token ID"]}'
E_NOT_RENEWABLE='{"errors":["lease is not renewable"]}'
E_NO_LEASE='{"errors":["invalid lease ID"]}'
E_SUBSET='{"errors":["child policies must be subset of parent"]}'
E_NO_POLICY='{"errors":["'\''policy'\'' parameter not supplied or empty"]}'
E_ROOT_UPDATE='{"errors":["cannot update \"root\" policy"]}'
E_ROOT_DELETE='{"errors":["cannot delete \"root\" policy"]}'
E_DEFAULT_DELETE='{"errors":["cannot delete default policy"]}'

# The default policy as a new data directory has it.
DEFAULT_TEXT='# Allow tokens to look up their own properties
path "auth/token/lookup-self" {
    capabilities = ["read"]
}

# Allow tokens to renew themselves
path "auth/token/renew-self" {
    capabilities = ["update"]
}

# Allow tokens to revoke themselves
path "auth/token/revoke-self" {
    capabilities = ["update"]
}

# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" {
    capabilities = ["update"]
}
'

# Every raw token this suite saw, for the final leak check.
ALL_TOKENS=()

# ---------------------------------------------------------------- helpers

# call METHOD PATH [curl args...]: api with $TOKEN, remembering what for
# the assertion messages.
call() {
	LAST="${WHO:+[$WHO] }$1 /v1/$2"
	api "$@"
}

# rt NAME CPU: a runtime as the server encodes it.
rt() {
	printf '{"cgroup_parent":"","cpu_nanos":%s,"memory_bytes":0,"name":"%s","oci_runtime":"","rootless":false,"type":"container"}' \
	    "$2" "$1"
}

# The list data while foo and bar are registered as setUp leaves them.
LIST_DATA=$(printf '{"runtimes":[%s,%s]}' "$(rt bar 8)" "$(rt foo 7)")

orig_cpu() { if [ "$1" = foo ]; then echo 7; else echo 8; fi; }

# reset_runtime NAME: root registers NAME with its original cpu_nanos.
reset_runtime() {
	as "$ROOT_TOKEN" PUT "$IT/$1" --data "{\"cpu_nanos\":$(orig_cpu "$1")}"
	assertEquals "reset $1: $BODY" 204 "$STATUS"
}

# root_cpu NAME: the cpu_nanos root reads for NAME, or "absent".
root_cpu() {
	as "$ROOT_TOKEN" GET "$IT/$1"
	if [ "$STATUS" = 200 ]; then
		jq -r .data.cpu_nanos "$RAW"
	else
		echo "absent $STATUS"
	fi
}

# policy NAME TEXT: root writes the policy, expecting 204.
policy() {
	as "$ROOT_TOKEN" PUT "$POL/$1" --data "$(jq -cn --arg p "$2" '{policy:$p}')"
	expect 204 "" "write policy $1"
}

# policy_data NAME TEXT: the data of a policy read.
policy_data() {
	jq -cn --arg n "$1" --arg p "$2" '{name:$n,policy:$p}'
}

# mint JSON [PARENT]: creates a token as PARENT (root by default),
# expecting 200; sets NEW_TOKEN and NEW_ACCESSOR.
mint() {
	local body=$1 parent=${2:-$ROOT_TOKEN}
	as "$parent" POST auth/token/create --data "$body"
	assertEquals "create $body: status ($BODY)" 200 "$STATUS"
	NEW_TOKEN=$(jq -r '.auth.client_token // empty' "$RAW" 2>/dev/null)
	NEW_ACCESSOR=$(jq -r '.auth.accessor // empty' "$RAW" 2>/dev/null)
	[ -n "$NEW_TOKEN" ] && ALL_TOKENS+=("$NEW_TOKEN")
	return 0
}

# token_for POLICY...: a new token holding those policies (and default).
token_for() {
	mint "$(printf '%s\n' "$@" | jq -cRn '{policies:[inputs]}')"
}

# outcome WANT [DATA]: the last answer was "ok" (204 without DATA, else a
# 200 envelope with DATA), "multi" (403 multierror) or "plain" (403).
outcome() {
	case $1 in
	ok)
		if [ -z "${2:-}" ]; then expect 204 ""; else expect_ok "$2"; fi ;;
	multi)
		expect 403 "$E_DENIED_MULTI" ;;
	plain)
		expect 403 "$E_DENIED" ;;
	*)
		fail "outcome: unknown expectation $1" ;;
	esac
}

# matrix TOKEN PUT GET LIST QLIST DELETE [NAME]: the five catalog
# operations on runtime NAME (foo by default) as TOKEN, each expected to be
# ok, multi or plain; a refused write or delete must change nothing.
matrix() {
	local tok=$1 name=${7:-foo} cpu want
	cpu=$(orig_cpu "$name")

	as "$tok" PUT "$IT/$name" --data '{"cpu_nanos":1}'
	outcome "$2"
	want=$cpu
	[ "$2" = ok ] && want=1
	assertEquals "[$WHO] after PUT $name" "$want" "$(root_cpu "$name")"
	reset_runtime "$name"

	as "$tok" GET "$IT/$name"
	outcome "$3" "$(rt "$name" "$cpu")"
	as "$tok" GET "$RT"
	outcome "$4" "$LIST_DATA"
	as "$tok" GET "$RT?list=true"
	outcome "$5" "$LIST_DATA"

	as "$tok" DELETE "$IT/$name"
	outcome "$6"
	want=$cpu
	[ "$6" = ok ] && want="absent 404"
	assertEquals "[$WHO] after DELETE $name" "$want" "$(root_cpu "$name")"
	reset_runtime "$name"
}

# The auth block of a create or renew answer with the token and accessor
# replaced by TOKEN and ACCESSOR (which also checks their shape).
auth_shape() {
	strip_id <"$RAW" | sed \
	    -e 's/"client_token":"hvs\.[0-9A-Za-z]\{24\}",/"client_token":"TOKEN",/' \
	    -e 's/"accessor":"[0-9A-Za-z]\{24\}",/"accessor":"ACCESSOR",/'
}

# expect_auth POLICIES LEASE NUM_USES ORPHAN [RENEWABLE [WARNINGS]]: a 200
# with exactly that auth block (POLICIES a JSON array) and data null.
expect_auth() {
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" \
	    "$(printf '{"request_id":"ID","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":%s,"auth":{"client_token":"TOKEN","accessor":"ACCESSOR","policies":%s,"token_policies":%s,"metadata":null,"lease_duration":%s,"renewable":%s,"entity_id":"","token_type":"service","orphan":%s,"mfa_requirement":null,"num_uses":%s},"mount_type":"token"}' \
	    "${6:-null}" "$1" "$1" "$2" "${5:-true}" "$4" "$3")"$'\n.' "$(auth_shape; echo .)"
}

# lookup_shape: a lookup answer with the times, the accessor and the id
# replaced by placeholders (each checked by check_lookup_times).
lookup_shape() {
	strip_id <"$RAW" | sed \
	    -e 's/"accessor":"[0-9A-Za-z]\{24\}",/"accessor":"ACCESSOR",/' \
	    -e 's/"creation_time":[0-9]\{1,\},/"creation_time":CT,/' \
	    -e 's/"expire_time":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z",/"expire_time":"ET",/' \
	    -e 's/"issue_time":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z",/"issue_time":"IT",/' \
	    -e 's/"ttl":[0-9]\{1,\},"type"/"ttl":TTL,"type"/'
}

# check_lookup_times: creation_time is now, issue_time says the same,
# expire_time is creation_time + creation_ttl, and ttl is what remains.
check_lookup_times() {
	jq -e --argjson now "$(date +%s)" '.data |
	    (.creation_time - $now | fabs) < 30 and
	    (.issue_time | fromdateiso8601) == .creation_time and
	    (.expire_time | fromdateiso8601) == .creation_time + .creation_ttl and
	    .ttl <= .creation_ttl and .ttl >= .creation_ttl - 30' \
	    "$RAW" >/dev/null
	assertTrue "$LAST: times consistent: $BODY" $?
}

# ------------------------------------------------------------ fixtures

oneTimeSetUp() {
	server_start || exit 1
	ALL_TOKENS+=("$ROOT_TOKEN")
}

oneTimeTearDown() { suite_teardown; }

setUp() {
	TOKEN=$ROOT_TOKEN
	WHO=
	reset_runtime foo
	reset_runtime bar
}

# Back to foo and bar only, the built-in policies only, default as shipped.
tearDown() {
	local n
	TOKEN=$ROOT_TOKEN
	WHO=
	[ -n "$SERVER_PID" ] || return 0
	delete_runtimes
	api GET "$POL?list=true"
	for n in $(jq -r '.data.keys[]?' "$RAW" 2>/dev/null); do
		case $n in root|default) ;; *) api DELETE "$POL/$n" ;; esac
	done
	api PUT "$POL/default" --data "$(jq -cn --arg p "$DEFAULT_TEXT" '{policy:$p}')"
	return 0
}

# ------------------------------------------------------ policy store

test_policy_hcl_written_and_read_verbatim() {
	local text='# catalog operators
path "sys/plugins/runtimes/catalog/*" {
  capabilities = ["read", "list", "sudo"]   // no writes
}

/* a second block,
   spanning lines */
path "auth/token/lookup-self" { capabilities = ["read"] }
'
	policy ops "$text"
	call GET "$POL/ops"
	expect_ok "$(policy_data ops "$text")"
	# Bytes that need JSON escaping survive too.
	text=$'path "a/\\"q\\"/b" {\n\tcapabilities = ["read"]\r\n}\n'
	policy esc "$text"
	call GET "$POL/esc"
	expect_ok "$(policy_data esc "$text")"
}

test_policy_json_form_written_and_read_verbatim() {
	local text='{"path":{"sys/plugins/runtimes/catalog/container/*":{"capabilities":["read","sudo"]},"auth/token/lookup-self":{"capabilities":["read"]}}}'
	policy jsonform "$text"
	call GET "$POL/jsonform"
	expect_ok "$(policy_data jsonform "$text")"
	text=$'\n  {\n  "path": {\n    "secret/*": {\n      "capabilities": ["deny"]\n    }\n  }\n}\n'
	policy jsonpretty "$text"
	call GET "$POL/jsonpretty"
	expect_ok "$(policy_data jsonpretty "$text")"
}

test_policy_base64_text_is_decoded() {
	local hcl='path "sys/plugins/runtimes/catalog/container/foo" {
  capabilities = ["read", "sudo"]
}
' json='{"path":{"sys/plugins/runtimes/catalog/container/bar":{"capabilities":["read","sudo"]}}}'
	call PUT "$POL/b64" --data "{\"policy\":\"$(printf %s "$hcl" | base64 -w0)\"}"
	expect 204 ""
	call GET "$POL/b64"
	expect_ok "$(policy_data b64 "$hcl")"
	call PUT "$POL/b64json" --data "{\"policy\":\"$(printf %s "$json" | base64 -w0)\"}"
	expect 204 ""
	call GET "$POL/b64json"
	expect_ok "$(policy_data b64json "$json")"
	# The decoded text is what is enforced.
	token_for b64
	WHO=b64
	as "$NEW_TOKEN" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$NEW_TOKEN" GET "$IT/bar"
	outcome multi
}

test_policy_names_are_case_insensitive() {
	local text='path "x/*" { capabilities = ["read"] }' converted
	# Vault stores the lower-case name and says so in a warning.
	converted='{"request_id":"ID","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":["policy name was converted to mixedcase"],"auth":null,"mount_type":"system"}'
	call PUT "$POL/MixedCase" --data "$(jq -cn --arg p "$text" '{policy:$p}')"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$converted"$'\n.' "$(strip_id <"$RAW"; echo .)"
	for n in mixedcase MIXEDCASE MixedCase mIxEdCaSe; do
		call GET "$POL/$n"
		expect_ok "$(policy_data mixedcase "$text")"
	done
	call GET "$POL?list=true"
	expect_ok '{"keys":["default","mixedcase","root"]}'
	# Writing another spelling replaces the same policy.
	call PUT "$POL/MIXEDCASE" --data '{"policy":"path \"y/*\" { capabilities = [\"list\"] }"}'
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$converted"$'\n.' "$(strip_id <"$RAW"; echo .)"
	call GET "$POL/mixedcase"
	expect_ok "$(policy_data mixedcase 'path "y/*" { capabilities = ["list"] }')"
	call DELETE "$POL/MiXeDcAsE"
	expect 204 ""
	call GET "$POL/mixedcase"
	expect 404 "$E_NONE"
	# Token policies are lower-cased too.
	policy reader 'path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["read","sudo"] }'
	mint '{"policies":["READER"]}'
	expect_auth '["default","reader"]' 2764800 0 false
	WHO=READER
	as "$NEW_TOKEN" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
}

test_policy_list_sorted_with_root() {
	call GET "$POL?list=true"
	expect_ok '{"keys":["default","root"]}'
	policy mid 'path "a" { capabilities = ["read"] }'
	policy alpha 'path "a" { capabilities = ["read"] }'
	policy beta 'path "a" { capabilities = ["read"] }'
	call GET "$POL?list=true"
	expect_ok '{"keys":["alpha","beta","default","mid","root"]}'
	call GET "$POL/?list=true"
	expect_ok '{"keys":["alpha","beta","default","mid","root"]}'
	call GET "$POL?list=1"
	expect_ok '{"keys":["alpha","beta","default","mid","root"]}'
	# The policy list path has no read operation.
	call GET "$POL"
	expect 405 "$E_OP"
}

# Vault's handlePoliciesList lists the stored policies (sorted) and then
# appends "root": a policy sorting after "root" comes before it.
test_policy_list_root_appended_last_as_vault() {
	policy zeta 'path "a" { capabilities = ["read"] }'
	policy alpha 'path "a" { capabilities = ["read"] }'
	call GET "$POL?list=true"
	expect_ok '{"keys":["alpha","default","zeta","root"]}'
}

test_policy_delete() {
	policy gone 'path "a" { capabilities = ["read"] }'
	call DELETE "$POL/gone"
	expect 204 ""
	call GET "$POL/gone"
	expect 404 "$E_NONE"
	call DELETE "$POL/gone"
	expect 204 "" "DELETE of a deleted policy"
	call DELETE "$POL/neverwas"
	expect 204 "" "DELETE of an absent policy"
	call GET "$POL/neverwas"
	expect 404 "$E_NONE"
	call GET "$POL?list=true"
	expect_ok '{"keys":["default","root"]}'
}

test_root_policy_cannot_be_written_or_deleted() {
	local n
	for n in root ROOT Root; do
		call PUT "$POL/$n" --data '{"policy":"path \"a\" { capabilities = [\"read\"] }"}'
		expect 400 "$E_ROOT_UPDATE"
		call POST "$POL/$n" --data '{"policy":"path \"a\" { capabilities = [\"read\"] }"}'
		expect 400 "$E_ROOT_UPDATE"
		call DELETE "$POL/$n"
		expect 400 "$E_ROOT_DELETE"
	done
	call GET "$POL/root"
	expect_ok '{"name":"root","policy":""}'
	call GET "$POL?list=true"
	expect_ok '{"keys":["default","root"]}'
}

test_default_policy_edited_not_deleted() {
	local extra
	call GET "$POL/default"
	expect_ok "$(policy_data default "$DEFAULT_TEXT")"
	call DELETE "$POL/default"
	expect 400 "$E_DEFAULT_DELETE"
	call DELETE "$POL/DEFAULT"
	expect 400 "$E_DEFAULT_DELETE"
	call GET "$POL/default"
	expect_ok "$(policy_data default "$DEFAULT_TEXT")"

	# A token holding only default may look itself up, not the catalog...
	mint '{"policies":["default"]}'
	expect_auth '["default"]' 2764800 0 false
	WHO=default
	as "$NEW_TOKEN" GET auth/token/lookup-self
	assertEquals "$LAST ($BODY)" 200 "$STATUS"
	as "$NEW_TOKEN" GET "$IT/foo"
	outcome multi
	# ...until default is edited, on the very next request.
	extra=$DEFAULT_TEXT'
path "sys/plugins/runtimes/catalog/container/foo" {
    capabilities = ["read", "sudo"]
}
'
	policy default "$extra"
	call GET "$POL/default"
	expect_ok "$(policy_data default "$extra")"
	as "$NEW_TOKEN" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$NEW_TOKEN" GET auth/token/lookup-self
	assertEquals "$LAST ($BODY)" 200 "$STATUS"
	# An edit that drops lookup-self takes it away.
	policy default 'path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["read", "sudo"] }'
	as "$NEW_TOKEN" GET auth/token/lookup-self
	outcome multi
	as "$NEW_TOKEN" POST auth/token/revoke-self --data '{}'
	outcome multi
}

test_policy_missing_or_empty() {
	local b
	for b in '{}' '{"policy":""}' '{"policy":null}' '{"name":"x"}' \
	    '{"rules":"path \"a\" { capabilities = [\"read\"] }"}'; do
		call PUT "$POL/empty" --data "$b"
		expect 400 "$E_NO_POLICY" "PUT $POL/empty $b"
	done
	call PUT "$POL/empty" -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data 'policy='
	expect 400 "$E_NO_POLICY" "form policy="
	call GET "$POL/empty"
	expect 404 "$E_NONE"
	# A form-encoded policy is fine.
	call PUT "$POL/form" -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-urlencode 'policy=path "a/*" { capabilities = ["read"] }'
	expect 204 ""
	call GET "$POL/form"
	expect_ok "$(policy_data form 'path "a/*" { capabilities = ["read"] }')"
}

# bad_policy TEXT MESSAGE: writing TEXT fails with 400 "failed to parse
# policy: MESSAGE" and stores nothing.
bad_policy() {
	call PUT "$POL/broken" --data "$(jq -cn --arg p "$1" '{policy:$p}')"
	expect 400 "$(errjson "failed to parse policy: $2")" "policy $(printf %q "$1")"
	call GET "$POL/broken"
	expect 404 "$E_NONE" "nothing stored for $(printf %q "$1")"
}

test_policy_syntax_errors_name_the_line() {
	bad_policy $'path "a" {\n  capabilities = ["read"\n}\n' \
	    "line 3: expected ',' or ']', found '}'"
	bad_policy $'# comment\n\npath "a" {\n  capabilities = ["read"]\n' \
	    "line 5: expected capabilities or '}', found end of input"
	bad_policy $'path "a" {\n  capabilities = ["read"]\n}\npath "b {\n' \
	    "line 4: unterminated string"
	bad_policy $'path "a" {\n  capabilities = ["read"]\n}\n\nfoo "b" {}\n' \
	    'line 5: unsupported key "foo" (only path blocks are supported)'
	bad_policy $'path "a" {\n  capabilities = ["read"]\n  policy = "read"\n}\n' \
	    'line 3: unsupported key "policy" in path block (only capabilities is supported)'
	bad_policy $'/* a\n comment */ path a {}' \
	    "line 2: expected the path pattern string, found identifier"
	bad_policy $'path "a" {\n capabilities ["read"]\n}' \
	    "line 2: expected '=', found '['"
	bad_policy 'path "a" { capabilities = "read" }' \
	    "line 1: expected '[', found string"
	bad_policy $'path "a" {\n\n capabilities = [read]\n}' \
	    "line 3: expected a capability string or ']', found identifier"
	bad_policy '{"path":{"a":{"capabilities":["read"]}}' \
	    "line 1: '}' expected near end of file"
	bad_policy $'{\n "path": {\n  "a": {"capabilities": ["read"],}\n }\n}' \
	    "line 3: string or '}' expected near '}'"
	bad_policy '{"path":{"a":{"capabilities":"read"}}}' \
	    "line 1: capabilities must be a list"
	bad_policy '{"paths":{"a":{"capabilities":["read"]}}}' \
	    'line 1: unsupported key "paths" (only path is supported)'
}

test_policy_unknown_capability() {
	bad_policy $'path "a" {\n  capabilities = ["read",\n    "reed"]\n}\n' \
	    'line 3: unknown capability "reed"'
	bad_policy $'path "a" { capabilities = ["READ"] }' \
	    'line 1: unknown capability "READ"'
	bad_policy $'path "a" { capabilities = ["root"] }' \
	    'line 1: unknown capability "root"'
	bad_policy '{"path":{"a":{"capabilities":["read","write"]}}}' \
	    'line 1: unknown capability "write"'
	# Every real capability is accepted.
	policy allcaps 'path "a/*" { capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny"] }'
}

# A policy edit, deletion or re-creation applies to the very next request,
# whichever worker serves it (no cache anywhere).
test_policy_change_applies_to_next_request() {
	local i
	policy flip 'path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["read", "sudo"] }'
	token_for flip
	WHO=flip
	for i in 1 2 3 4 5 6; do
		as "$NEW_TOKEN" GET "$IT/foo"
		outcome ok "$(rt foo 7)"
	done
	policy flip 'path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["update", "sudo"] }'
	for i in 1 2 3 4 5 6; do
		as "$NEW_TOKEN" GET "$IT/foo"
		outcome multi
	done
	as "$NEW_TOKEN" PUT "$IT/foo" --data '{"cpu_nanos":7}'
	outcome ok
	policy flip 'path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["read", "sudo"] }'
	for i in 1 2 3 4 5 6; do
		as "$NEW_TOKEN" GET "$IT/foo"
		outcome ok "$(rt foo 7)"
	done
	call DELETE "$POL/flip"
	expect 204 ""
	for i in 1 2 3 4 5 6; do
		as "$NEW_TOKEN" GET "$IT/foo"
		outcome multi
	done
	policy flip 'path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }'
	for i in 1 2 3 4 5 6; do
		as "$NEW_TOKEN" GET "$IT/bar"
		outcome ok "$(rt bar 8)"
	done
}

# burst TOKEN PATH N: N GETs of PATH with TOKEN, 8 at a time, so that
# every worker serves some; prints the status codes, sorted and counted.
burst() {
	local tok=$1 path=$2 n=$3
	seq 1 "$n" | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	    --max-time 10 -H "X-Vault-Token: $tok" "$BASE/$path" |
	    sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ' | sed 's/ $//'
}

# Workers keep the last token and its ACL between requests (issue #13);
# with every worker warm, each kind of change still applies to the very
# next request in all of them.
test_kept_authentication_follows_every_change() {
	local tok child create='path "auth/token/create" { capabilities = ["update"] }'
	policy warm "$create"'
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }'
	token_for warm
	tok=$NEW_TOKEN
	assertEquals "warm: every worker reads" "200x40" "$(burst "$tok" "$IT/foo" 40)"
	policy warm "$create"'
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["update", "sudo"] }'
	assertEquals "policy changed: every worker refuses" "403x40" \
	    "$(burst "$tok" "$IT/foo" 40)"
	policy warm "$create"'
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }'
	assertEquals "policy changed back" "200x40" "$(burst "$tok" "$IT/foo" 40)"
	as "$ROOT_TOKEN" DELETE "$POL/warm"
	expect 204 ""
	assertEquals "policy deleted: every worker refuses" "403x40" \
	    "$(burst "$tok" "$IT/foo" 40)"
	policy warm "$create"'
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }'
	assertEquals "policy back" "200x40" "$(burst "$tok" "$IT/foo" 40)"
	# A child, kept warm too; revoking its parent ends both everywhere.
	mint '{"policies":["warm"]}' "$tok"
	child=$NEW_TOKEN
	assertEquals "child warm" "200x40" "$(burst "$child" "$IT/foo" 40)"
	as "$ROOT_TOKEN" POST auth/token/revoke --data "{\"token\":\"$tok\"}"
	expect 204 ""
	assertEquals "parent revoked: the parent nowhere" "403x40" \
	    "$(burst "$tok" "$IT/foo" 40)"
	assertEquals "parent revoked: the child nowhere" "403x40" \
	    "$(burst "$child" "$IT/foo" 40)"
	# Use limits are counted exactly, warm or not.
	mint '{"policies":["warm"],"num_uses":5}'
	assertEquals "5 uses: 5 answers, then refusals" "200x5 403x35" \
	    "$(burst "$NEW_TOKEN" "$IT/foo" 40)"
	# A short TTL renewed while warm: still accepted after the old expiry.
	mint '{"policies":["warm"],"ttl":"3s"}'
	tok=$NEW_TOKEN
	assertEquals "short ttl warm" "200x24" "$(burst "$tok" "$IT/foo" 24)"
	as "$tok" POST auth/token/renew-self --data '{"increment":"60s"}'
	assertEquals "renewed ($BODY)" 200 "$STATUS"
	sleep 3.2
	assertEquals "renewed: alive past the old expiry" "200x24" \
	    "$(burst "$tok" "$IT/foo" 24)"
	# And one that simply expires while kept (TTLs count whole seconds).
	mint '{"policies":["warm"],"ttl":"3s"}'
	tok=$NEW_TOKEN
	assertEquals "3s ttl warm" "200x16" "$(burst "$tok" "$IT/foo" 16)"
	sleep 3.2
	assertEquals "expired while kept: refused everywhere" "403x24" \
	    "$(burst "$tok" "$IT/foo" 24)"
	as "$ROOT_TOKEN" DELETE "$POL/warm"
}

# ------------------------------------------------------- token store

test_token_create_auth_block() {
	local k
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"]}'
	expect_auth '["default","foo"]' 2764800 0 false
	assertEquals "key order of auth" \
	    'client_token,accessor,policies,token_policies,metadata,lease_duration,renewable,entity_id,token_type,orphan,mfa_requirement,num_uses' \
	    "$(jq -r '.auth | keys_unsorted | join(",")' "$RAW")"
	assertEquals "top-level key order" \
	    'request_id,lease_id,renewable,lease_duration,data,wrap_info,warnings,auth,mount_type' \
	    "$(jq -r 'keys_unsorted | join(",")' "$RAW")"
	echo "$NEW_TOKEN" | grep -qx 'hvs\.[0-9A-Za-z]\{24\}'
	assertTrue "token shape: $NEW_TOKEN" $?
	echo "$NEW_ACCESSOR" | grep -qx '[0-9A-Za-z]\{24\}'
	assertTrue "accessor shape: $NEW_ACCESSOR" $?
	assertNotEquals "token and accessor differ" "hvs.$NEW_ACCESSOR" "$NEW_TOKEN"

	# TTLs, use limits, no_default_policy, several policies sorted.
	policy bar 'path "b" { capabilities = ["read"] }'
	mint '{"policies":["foo","bar"],"ttl":"1h","num_uses":3}'
	expect_auth '["bar","default","foo"]' 3600 3 false
	mint '{"policies":["foo"],"ttl":90,"no_default_policy":true}'
	expect_auth '["foo"]' 90 0 false
	mint '{"policies":["foo","foo","default"],"ttl":"1m30s"}'
	expect_auth '["default","foo"]' 90 0 false
	mint '{"policies":["foo"],"no_parent":true}'
	expect_auth '["default","foo"]' 2764800 0 true
	# A root child without a TTL never expires and cannot be renewed.
	mint '{"policies":["root"]}'
	expect_auth '["root"]' 0 0 false false
	mint '{}'
	expect_auth '["root"]' 0 0 false false

	# Two tokens are never the same.
	mint '{"policies":["foo"]}'
	k=$NEW_TOKEN
	mint '{"policies":["foo"]}'
	assertNotEquals "distinct tokens" "$k" "$NEW_TOKEN"
}

test_token_create_use_revoke() {
	local t
	policy cat 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["read", "list", "sudo"] }'
	token_for cat
	t=$NEW_TOKEN
	WHO=cat
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$t" GET "$RT?list=true"
	outcome ok "$LIST_DATA"
	as "" GET "$IT/foo" -H "Authorization: Bearer $t"
	outcome ok "$(rt foo 7)"
	WHO=
	call POST auth/token/revoke --data "{\"token\":\"$t\"}"
	expect 204 ""
	WHO=revoked
	as "$t" GET "$IT/foo"
	outcome plain
	as "$t" GET "$RT?list=true"
	outcome plain
	as "$t" GET auth/token/lookup-self
	outcome plain
	as "$t" POST auth/token/revoke-self --data '{}'
	outcome plain
	WHO=
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	expect 403 "$E_BAD_TOKEN"
	# Revoking it again is not an error.
	call POST auth/token/revoke --data "{\"token\":\"$t\"}"
	expect 204 ""
}

test_token_revoke_self() {
	local t
	policy cat 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["read", "sudo"] }'
	token_for cat
	t=$NEW_TOKEN
	WHO=self
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$t" POST auth/token/revoke-self --data '{}'
	expect 204 ""
	as "$t" GET "$IT/foo"
	outcome plain
	as "$t" POST auth/token/revoke-self --data '{}'
	outcome plain
	WHO=
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	expect 403 "$E_BAD_TOKEN"
	# PUT works like POST.
	token_for cat
	t=$NEW_TOKEN
	as "$t" PUT auth/token/revoke-self --data '{}'
	expect 204 ""
	as "$t" GET auth/token/lookup-self
	outcome plain
}

test_token_revoking_parent_revokes_children() {
	local parent child grandchild orphan sibling
	policy creator 'path "auth/token/create" { capabilities = ["update"] }'
	policy creator-sudo 'path "auth/token/create" { capabilities = ["update", "sudo"] }'
	policy cat 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["read", "sudo"] }'
	token_for creator creator-sudo cat
	parent=$NEW_TOKEN
	mint '{"policies":["creator","cat"],"ttl":"1h"}' "$parent"
	expect_auth '["cat","creator","default"]' 3600 0 false
	child=$NEW_TOKEN
	mint '{"policies":["cat"]}' "$child"
	grandchild=$NEW_TOKEN
	mint '{"policies":["cat"],"no_parent":true}' "$parent"
	expect_auth '["cat","default"]' 2764800 0 true
	orphan=$NEW_TOKEN
	token_for cat
	sibling=$NEW_TOKEN
	for t in "$parent" "$child" "$grandchild" "$orphan" "$sibling"; do
		as "$t" GET "$IT/foo"
		outcome ok "$(rt foo 7)"
	done
	call POST auth/token/revoke --data "{\"token\":\"$parent\"}"
	expect 204 ""
	WHO=revoked-tree
	for t in "$parent" "$child" "$grandchild"; do
		as "$t" GET "$IT/foo"
		outcome plain
		as "$ROOT_TOKEN" POST auth/token/lookup --data "{\"token\":\"$t\"}"
		expect 403 "$E_BAD_TOKEN"
	done
	WHO=survivor
	for t in "$orphan" "$sibling"; do
		as "$t" GET "$IT/foo"
		outcome ok "$(rt foo 7)"
	done

	# revoke-self takes the children along as well.
	token_for creator cat
	parent=$NEW_TOKEN
	mint '{"policies":["cat"]}' "$parent"
	child=$NEW_TOKEN
	as "$parent" POST auth/token/revoke-self --data '{}'
	expect 204 ""
	WHO=revoked-by-self
	as "$child" GET "$IT/foo"
	outcome plain
	# And revoking a child leaves its parent alone.
	token_for creator cat
	parent=$NEW_TOKEN
	mint '{"policies":["cat"]}' "$parent"
	child=$NEW_TOKEN
	as "$ROOT_TOKEN" POST auth/token/revoke --data "{\"token\":\"$child\"}"
	expect 204 ""
	WHO=parent-of-revoked
	as "$parent" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$child" GET "$IT/foo"
	outcome plain
}

test_token_lookup_self_fields() {
	local want
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"],"display_name":"my app.v2","ttl":"2h"}'
	WHO=lookup-self
	as "$NEW_TOKEN" GET auth/token/lookup-self
	want=$(jq -cn --arg id "$NEW_TOKEN" '{accessor:"ACCESSOR",creation_time:"CT",creation_ttl:7200,display_name:"token-my-app-v2",entity_id:"",expire_time:"ET",explicit_max_ttl:0,id:$id,issue_time:"IT",meta:null,num_uses:0,orphan:false,path:"auth/token/create",policies:["default","foo"],renewable:true,ttl:"TTL",type:"service"}' |
	    sed -e 's/"CT"/CT/' -e 's/"TTL"/TTL/')
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(lookup_shape; echo .)"
	assertEquals "$LAST: accessor" "$NEW_ACCESSOR" "$(jq -r .data.accessor "$RAW")"
	check_lookup_times

	# Without a display name it is "token"; an orphan says so.
	mint '{"policies":["foo"],"no_parent":true,"num_uses":5}'
	as "$NEW_TOKEN" GET auth/token/lookup-self
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	jq -e '.data | .display_name == "token" and .orphan == true and
	    .num_uses == 4 and .creation_ttl == 2764800 and .path == "auth/token/create"' \
	    "$RAW" >/dev/null
	assertTrue "$LAST: token, orphan, 4 uses left: $BODY" $?

	# A root-policy child without a TTL: a lease that never ends.
	mint '{"policies":["root"],"display_name":"break glass"}'
	as "$NEW_TOKEN" GET auth/token/lookup-self
	want=$(jq -cn --arg id "$NEW_TOKEN" '{accessor:"ACCESSOR",creation_time:"CT",creation_ttl:0,display_name:"token-break-glass",entity_id:"",expire_time:null,explicit_max_ttl:0,id:$id,issue_time:"IT",meta:null,num_uses:0,orphan:false,path:"auth/token/create",policies:["root"],renewable:false,ttl:0,type:"service"}' |
	    sed -e 's/"CT"/CT/')
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(strip_id <"$RAW" | sed \
	    -e 's/"accessor":"[0-9A-Za-z]\{24\}",/"accessor":"ACCESSOR",/' \
	    -e 's/"creation_time":[0-9]\{1,\},/"creation_time":CT,/' \
	    -e 's/"issue_time":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z",/"issue_time":"IT",/'; echo .)"
	return 0
}

# The installation's root token has no lease: Vault's lookup leaves out
# issue_time and renewable (FetchLeaseTimesByToken finds nothing).
test_token_lookup_self_of_root() {
	local want
	call GET auth/token/lookup-self
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	want=$(jq -cn --arg id "$ROOT_TOKEN" '{accessor:"ACCESSOR",creation_time:"CT",creation_ttl:0,display_name:"root",entity_id:"",expire_time:null,explicit_max_ttl:0,id:$id,meta:null,num_uses:0,orphan:true,path:"auth/token/root",policies:["root"],ttl:0,type:"service"}' |
	    sed -e 's/"CT"/CT/')
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(strip_id <"$RAW" | sed \
	    -e 's/"accessor":"[0-9A-Za-z]\{24\}",/"accessor":"ACCESSOR",/' \
	    -e 's/"creation_time":[0-9]\{1,\},/"creation_time":CT,/'; echo .)"
	jq -e --argjson now "$(date +%s)" '(.data.creation_time - $now | fabs) < 600' \
	    "$RAW" >/dev/null
	assertTrue "$LAST: creation_time is about now: $BODY" $?
}

test_token_lookup_other() {
	local t acc want
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"],"display_name":"other"}'
	t=$NEW_TOKEN
	acc=$NEW_ACCESSOR
	want=$(jq -cn --arg id "$t" '{accessor:"ACCESSOR",creation_time:"CT",creation_ttl:2764800,display_name:"token-other",entity_id:"",expire_time:"ET",explicit_max_ttl:0,id:$id,issue_time:"IT",meta:null,num_uses:0,orphan:false,path:"auth/token/create",policies:["default","foo"],renewable:true,ttl:"TTL",type:"service"}' |
	    sed -e 's/"CT"/CT/' -e 's/"TTL"/TTL/')
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(lookup_shape; echo .)"
	assertEquals "$LAST: accessor" "$acc" "$(jq -r .data.accessor "$RAW")"
	check_lookup_times
	call GET "auth/token/lookup?token=$t"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(lookup_shape; echo .)"
	# Unknown or malformed tokens.
	for b in '{"token":"nope"}' '{"token":"hvs.AAAAAAAAAAAAAAAAAAAAAAAA"}' \
	    '{"token":"bad token!"}' "{\"token\":\"${t}x\"}"; do
		call POST auth/token/lookup --data "$b"
		expect 403 "$E_BAD_TOKEN" "lookup $b"
	done
	# Looking up other tokens is not in the default policy.
	WHO=default
	as "$t" POST auth/token/lookup --data "{\"token\":\"$ROOT_TOKEN\"}"
	outcome multi
	as "$t" POST auth/token/lookup --data "{\"token\":\"$t\"}"
	outcome multi
	# Granted, a token may look up others.
	policy looker 'path "auth/token/lookup" { capabilities = ["update"] }'
	token_for looker
	WHO=looker
	as "$NEW_TOKEN" POST auth/token/lookup --data "{\"token\":\"$t\"}"
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$want" null token)"$'\n.' \
	    "$(lookup_shape; echo .)"
	as "$NEW_TOKEN" GET "auth/token/lookup?token=$t"
	outcome multi
}

test_token_revoke_needs_a_token() {
	local b
	for b in '{}' '{"token":""}' '{"token":null}' '{"tokne":"x"}'; do
		call POST auth/token/revoke --data "$b"
		expect 400 "$E_MISSING_TOKEN" "revoke $b"
	done
	# An unknown or malformed token is not an error, as in Vault.
	call POST auth/token/revoke --data '{"token":"hvs.AAAAAAAAAAAAAAAAAAAAAAAA"}'
	expect 204 ""
	call POST auth/token/revoke --data '{"token":"a b"}'
	expect 204 ""
	# Revoking other tokens is not in the default policy.
	mint '{"policies":["default"]}'
	WHO=default
	as "$NEW_TOKEN" POST auth/token/revoke --data "{\"token\":\"$NEW_TOKEN\"}"
	outcome multi
	as "$NEW_TOKEN" GET auth/token/lookup-self
	assertEquals "$LAST: still valid ($BODY)" 200 "$STATUS"
	# The root token still works.
	WHO=root
	call GET "$IT/foo"
	outcome ok "$(rt foo 7)"
}

test_token_expires_after_its_ttl() {
	local t child
	policy cat 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["read", "sudo"] }'
	policy creator 'path "auth/token/create" { capabilities = ["update"] }'
	mint '{"policies":["cat","creator"],"ttl":"2s"}'
	expect_auth '["cat","creator","default"]' 2 0 false
	t=$NEW_TOKEN
	WHO=ttl2s
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	# A child may not outlive its parent.
	mint '{"policies":["cat"],"ttl":"1h"}' "$t"
	child=$NEW_TOKEN
	as "$child" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	sleep 3
	as "$t" GET "$IT/foo"
	outcome plain
	as "$t" GET auth/token/lookup-self
	outcome plain
	as "$t" POST auth/token/renew-self --data '{}'
	outcome plain
	as "$child" GET "$IT/foo"
	outcome plain
	WHO=
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	expect 403 "$E_BAD_TOKEN"
}

test_token_use_limit() {
	local t
	policy cat 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["read", "sudo"] }'
	mint '{"policies":["cat"],"num_uses":2}'
	expect_auth '["cat","default"]' 2764800 2 false
	t=$NEW_TOKEN
	WHO=uses2
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$t" GET "$IT/bar"
	outcome ok "$(rt bar 8)"
	as "$t" GET "$IT/foo"
	outcome plain
	as "$t" GET auth/token/lookup-self
	outcome plain
	WHO=
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	expect 403 "$E_BAD_TOKEN"
	# A refused request spends a use too (Vault counts the token's use
	# before the ACL check).
	mint '{"policies":["cat"],"num_uses":2}'
	t=$NEW_TOKEN
	WHO=uses2b
	as "$t" PUT "$IT/foo" --data '{}'
	outcome multi
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$t" GET "$IT/foo"
	outcome plain
	# Lookups show the uses left.
	mint '{"policies":["cat"],"num_uses":3}'
	t=$NEW_TOKEN
	as "$t" GET auth/token/lookup-self
	assertEquals "$LAST ($BODY)" 2 "$(jq -r .data.num_uses "$RAW")"
	call POST auth/token/lookup --data "{\"token\":\"$t\"}"
	assertEquals "$LAST ($BODY)" 2 "$(jq -r .data.num_uses "$RAW")"
	call POST auth/token/create --data '{"policies":["cat"],"num_uses":-1}'
	expect 400 '{"errors":["number of uses cannot be negative"]}' "create num_uses -1"
}

test_token_renew_self() {
	local t
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"],"ttl":"1h"}'
	t=$NEW_TOKEN
	WHO=renew
	# Without an increment the token's TTL applies again.
	as "$t" POST auth/token/renew-self --data '{}'
	expect_auth '["default","foo"]' 3600 0 false
	assertEquals "renew returns the same token" "$t" "$(jq -r .auth.client_token "$RAW")"
	as "$t" POST auth/token/renew-self --data '{"increment":"2h"}'
	expect_auth '["default","foo"]' 7200 0 false
	as "$t" GET auth/token/lookup-self
	assertEquals "$LAST ($BODY)" 200 "$STATUS"
	jq -e '.data | .ttl <= 7200 and .ttl >= 7170 and .creation_ttl == 3600 and
	    ((.expire_time | fromdateiso8601) - now - 7200 | fabs) < 30' \
	    "$RAW" >/dev/null
	assertTrue "$LAST: ttl now about 2h: $BODY" $?
	as "$t" PUT auth/token/renew-self --data '{"increment":600}'
	expect_auth '["default","foo"]' 600 0 false
	as "$t" GET auth/token/lookup-self
	jq -e '.data.ttl <= 600 and .data.ttl >= 570' "$RAW" >/dev/null
	assertTrue "$LAST: ttl now about 10m: $BODY" $?
	# A renewal can rescue a short-lived token.
	mint '{"policies":["foo"],"ttl":"2s"}'
	t=$NEW_TOKEN
	as "$t" POST auth/token/renew-self --data '{"increment":"1h"}'
	expect_auth '["default","foo"]' 3600 0 false
	sleep 3
	as "$t" GET auth/token/lookup-self
	assertEquals "$LAST: renewed token outlives its first TTL ($BODY)" 200 "$STATUS"
	# A root-policy token without a TTL has a lease that never ends.
	mint '{"policies":["root"]}'
	WHO=root-child
	as "$NEW_TOKEN" POST auth/token/renew-self --data '{}'
	expect 400 "$E_NOT_RENEWABLE"
	as "$NEW_TOKEN" POST auth/token/renew-self --data '{"increment":"1h"}'
	expect 400 "$E_NOT_RENEWABLE"
	# The installation's root token has no lease at all (as the root
	# token of "vault operator init"): Vault says "invalid lease ID".
	WHO=root
	call POST auth/token/renew-self --data '{}'
	expect 400 "$E_NO_LEASE"
	call POST auth/token/renew-self --data '{"increment":"1h"}'
	expect 400 "$E_NO_LEASE"
}

# Vault's lookup reports when a token was last renewed.
test_token_lookup_after_renewal() {
	local t
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"],"ttl":"1h"}'
	t=$NEW_TOKEN
	WHO=renewed
	as "$t" GET auth/token/lookup-self
	jq -e '.data | has("last_renewal_time") | not' "$RAW" >/dev/null
	assertTrue "$LAST: no last_renewal_time before a renewal: $BODY" $?
	as "$t" POST auth/token/renew-self --data '{"increment":"2h"}'
	expect_auth '["default","foo"]' 7200 0 false
	as "$t" GET auth/token/lookup-self
	jq -e --argjson now "$(date +%s)" '.data.last_renewal_time |
	    type == "number" and (. - $now | fabs) < 30' "$RAW" >/dev/null
	assertTrue "$LAST: last_renewal_time is now: $BODY" $?
	return 0
}

# A child's TTL is its own: Vault does not cut it to what remains of the
# parent's (the child is revoked with its parent instead).
test_token_child_ttl_not_capped_by_parent() {
	local t
	policy creator 'path "auth/token/create" { capabilities = ["update"] }'
	mint '{"policies":["creator"],"ttl":"1h"}'
	t=$NEW_TOKEN
	WHO=parent-1h
	mint '{"policies":["creator"],"ttl":"2h"}' "$t"
	expect_auth '["creator","default"]' 7200 0 false
	mint '{"policies":["creator"]}' "$t"
	expect_auth '["creator","default"]' 2764800 0 false
	return 0
}

# Vault caps a TTL above the system maximum (768h) and says so.
test_token_ttl_capped_with_warning() {
	policy foo 'path "a" { capabilities = ["read"] }'
	mint '{"policies":["foo"],"ttl":"10000h"}'
	assertEquals "$LAST: lease_duration ($BODY)" 2764800 \
	    "$(jq -r .auth.lease_duration "$RAW")"
	assertEquals "$LAST: warnings" \
	    '["TTL of \"10000h0m0s\" exceeded the effective max_ttl of \"768h0m0s\"; TTL value is capped accordingly"]' \
	    "$(jq -c .warnings "$RAW")"
	return 0
}

test_token_child_policies_subset_of_parent() {
	local t
	policy creator 'path "auth/token/create" { capabilities = ["update"] }'
	policy foo 'path "a" { capabilities = ["read"] }'
	policy bar 'path "b" { capabilities = ["read"] }'
	token_for creator foo
	t=$NEW_TOKEN
	WHO=creator
	as "$t" POST auth/token/create --data '{"policies":["bar"]}'
	expect 400 "$E_SUBSET"
	as "$t" POST auth/token/create --data '{"policies":["foo","bar"]}'
	expect 400 "$E_SUBSET"
	as "$t" POST auth/token/create --data '{"policies":["root"]}'
	expect 400 "$E_SUBSET"
	mint '{"policies":["foo"],"ttl":"1h"}' "$t"
	expect_auth '["default","foo"]' 3600 0 false
	mint '{"policies":["FOO","default"],"ttl":"1h"}' "$t"
	expect_auth '["default","foo"]' 3600 0 false
	mint '{"policies":["default"],"ttl":"1h"}' "$t"
	expect_auth '["default"]' 3600 0 false
	# No policies: the parent's.
	mint '{"ttl":"1h"}' "$t"
	expect_auth '["creator","default","foo"]' 3600 0 false
	# Orphans need sudo.
	as "$t" POST auth/token/create --data '{"policies":["foo"],"no_parent":true}'
	expect 400 '{"errors":["root or sudo privileges required to create orphan token"]}'
	# sudo on auth/token/create lifts the subset rule.
	policy creator-sudo 'path "auth/token/create" { capabilities = ["update", "sudo"] }'
	token_for creator-sudo
	WHO=creator-sudo
	mint '{"policies":["bar"],"ttl":"1h"}' "$NEW_TOKEN"
	expect_auth '["bar","default"]' 3600 0 false
	# Without update on auth/token/create nothing can be created.
	token_for foo
	WHO=no-create
	as "$NEW_TOKEN" POST auth/token/create --data '{"policies":["foo"]}'
	outcome multi
	as "$NEW_TOKEN" POST auth/token/create --data '{}'
	outcome multi
	policy readcreate 'path "auth/token/create" { capabilities = ["read", "create", "sudo"] }'
	token_for readcreate
	as "$NEW_TOKEN" POST auth/token/create --data '{"policies":["readcreate"]}'
	outcome multi
}

# ------------------------------------------- capability x method matrix

test_matrix_without_a_token() {
	WHO=no-token
	matrix "" plain plain plain plain plain
	matrix "" plain plain plain plain plain bar
}

test_matrix_unknown_and_malformed_tokens() {
	local t
	policy cat 'path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }'
	token_for cat
	as "$NEW_TOKEN" POST auth/token/revoke-self --data '{}'
	expect 204 ""
	for t in nope hvs.AAAAAAAAAAAAAAAAAAAAAAAA "${ROOT_TOKEN}x" "$NEW_TOKEN" \
	    'a b' 'a,b' "$(head -c 257 /dev/zero | tr '\0' a)"; do
		WHO="token '$t'"
		matrix "$t" plain plain plain plain plain
	done
}

test_matrix_root() {
	WHO=root
	matrix "$ROOT_TOKEN" ok ok ok ok ok
	matrix "$ROOT_TOKEN" ok ok ok ok ok bar
	# A token created with the root policy is as good.
	mint '{"policies":["root"]}'
	WHO=root-child
	matrix "$NEW_TOKEN" ok ok ok ok ok
}

test_matrix_all_capabilities_without_sudo() {
	policy nosudo 'path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }'
	token_for nosudo
	WHO=nosudo
	matrix "$NEW_TOKEN" multi multi multi multi multi
	matrix "$NEW_TOKEN" multi multi multi multi multi bar
	# Explicit rules for both list spellings change nothing.
	policy nosudo2 '
path "sys/plugins/runtimes/catalog" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/plugins/runtimes/catalog/" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/plugins/runtimes/catalog/*" { capabilities = ["create", "read", "update", "delete", "list"] }
'
	token_for nosudo2
	WHO=nosudo2
	matrix "$NEW_TOKEN" multi multi multi multi multi
}

test_matrix_all_capabilities_with_sudo() {
	policy admin 'path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"] }'
	token_for admin
	WHO=admin
	matrix "$NEW_TOKEN" ok ok ok ok ok
	matrix "$NEW_TOKEN" ok ok ok ok ok bar
	# The same with exact rules for the list path.
	policy admin2 '
path "sys/plugins/runtimes/catalog" { capabilities = ["read", "list", "sudo"] }
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "update", "delete", "sudo"] }
'
	token_for admin2
	WHO=admin2
	matrix "$NEW_TOKEN" ok ok ok ok ok
}

test_matrix_read_only_with_sudo() {
	policy ro 'path "sys/plugins/runtimes/catalog*" { capabilities = ["read", "list", "sudo"] }'
	token_for ro
	WHO=read-only
	matrix "$NEW_TOKEN" multi ok ok ok multi
	# create alone does not allow a write: POST/PUT is always an update.
	policy createonly 'path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "sudo"] }'
	token_for createonly
	WHO=create-only
	matrix "$NEW_TOKEN" multi ok ok multi multi
	# Write-only.
	policy wo 'path "sys/plugins/runtimes/catalog/*" { capabilities = ["update", "delete", "sudo"] }'
	token_for wo
	WHO=write-only
	matrix "$NEW_TOKEN" ok multi multi multi ok
}

# read is what a plain GET of the list path needs, list what ?list=true
# needs; both need sudo (SPEC section 7).
test_matrix_read_versus_list() {
	policy readsudo 'path "sys/plugins/runtimes/catalog*" { capabilities = ["read", "sudo"] }'
	token_for readsudo
	WHO=read+sudo
	matrix "$NEW_TOKEN" multi ok ok multi multi
	policy listsudo 'path "sys/plugins/runtimes/catalog*" { capabilities = ["list", "sudo"] }'
	token_for listsudo
	WHO=list+sudo
	matrix "$NEW_TOKEN" multi multi multi ok multi
	# Sudo on the list path only.
	policy listonly '
path "sys/plugins/runtimes/catalog" { capabilities = ["read", "list", "sudo"] }
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "update", "delete"] }
'
	token_for listonly
	WHO=list-path-sudo-only
	matrix "$NEW_TOKEN" multi multi ok ok multi
}

test_matrix_deny_versus_union() {
	local t
	policy p-read 'path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }'
	policy p-write 'path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["update", "delete"] }'
	policy p-deny 'path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["deny"] }'
	policy p-list 'path "sys/plugins/runtimes/catalog*" { capabilities = ["read", "list", "sudo"] }'
	# Identical patterns in two policies: their capabilities add up.
	token_for p-read p-write
	WHO=read+write
	matrix "$NEW_TOKEN" ok ok multi multi ok
	t=$NEW_TOKEN
	# Either alone is not enough.
	token_for p-write
	WHO=write-without-sudo
	matrix "$NEW_TOKEN" multi multi multi multi multi
	# deny in one policy beats every grant for the identical pattern.
	token_for p-read p-write p-deny
	WHO=read+write+deny
	matrix "$NEW_TOKEN" multi multi multi multi multi
	# On the items the longer pattern (p-deny's) wins over p-list's
	# prefix; the list paths only match p-list.
	token_for p-list p-deny
	WHO=list+deny
	matrix "$NEW_TOKEN" multi multi ok ok multi
	# deny with other capabilities in one block is still deny.
	policy p-mixed 'path "sys/plugins/runtimes/catalog*" { capabilities = ["read", "list", "sudo", "deny"] }'
	token_for p-mixed
	WHO=mixed-deny
	matrix "$NEW_TOKEN" multi multi multi multi multi
	# An exact deny beats a prefix grant in the same policy.
	policy p-exact '
path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }
path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["deny"] }
'
	token_for p-exact
	WHO=exact-deny
	matrix "$NEW_TOKEN" multi multi ok ok multi foo
	matrix "$NEW_TOKEN" ok ok ok ok ok bar
	# Adding deny later applies to the earlier token at once.
	policy p-write 'path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["deny"] }'
	WHO=read+write-now-deny
	matrix "$t" multi multi multi multi multi
}

test_matrix_segment_and_prefix_wildcards() {
	policy plus 'path "sys/plugins/runtimes/catalog/+/foo" { capabilities = ["read", "update", "delete", "sudo"] }'
	token_for plus
	WHO=plus-foo
	matrix "$NEW_TOKEN" ok ok multi multi ok foo
	matrix "$NEW_TOKEN" multi multi multi multi multi bar
	# "+" is one whole segment: nothing deeper, nothing longer.
	as "$NEW_TOKEN" GET "$IT/foox"
	outcome multi
	# Allowed, but no such route: the router answers.
	as "$NEW_TOKEN" GET "$RT/docker/foo"
	expect 404 "$E_PATH"
	policy plus2 'path "sys/plugins/+/catalog/container/+" { capabilities = ["read", "sudo"] }'
	token_for plus2
	WHO=plus-two
	matrix "$NEW_TOKEN" multi ok multi multi multi foo
	matrix "$NEW_TOKEN" multi ok multi multi multi bar

	policy glob 'path "sys/plugins/runtimes/catalog/container/f*" { capabilities = ["read", "update", "delete", "sudo"] }'
	token_for glob
	WHO=glob-f
	matrix "$NEW_TOKEN" ok ok multi multi ok foo
	matrix "$NEW_TOKEN" multi multi multi multi multi bar
	as "$NEW_TOKEN" PUT "$IT/f" --data '{}'
	outcome ok
	as "$NEW_TOKEN" PUT "$IT/fa.b-c" --data '{}'
	outcome ok
	as "$NEW_TOKEN" PUT "$IT/Foo" --data '{}'
	outcome multi
	as "$ROOT_TOKEN" DELETE "$IT/f"
	expect 204 ""
	as "$ROOT_TOKEN" DELETE "$IT/fa.b-c"
	expect 204 ""
	# "*" alone in the last segment takes everything below.
	policy star 'path "sys/*" { capabilities = ["read", "list", "sudo"] }'
	token_for star
	WHO=sys-star
	matrix "$NEW_TOKEN" multi ok ok ok multi
	# The longer prefix wins over the shorter, even when it grants less.
	policy longer '
path "sys/*" { capabilities = ["read", "list", "sudo"] }
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["update"] }
'
	token_for longer
	WHO=longer-prefix
	matrix "$NEW_TOKEN" multi multi ok ok multi
	# An exact rule wins over every pattern.
	policy exact '
path "sys/plugins/runtimes/catalog/+/+" { capabilities = ["read", "sudo"] }
path "sys/plugins/runtimes/catalog/container/*" { capabilities = ["read", "sudo"] }
path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["update", "sudo"] }
'
	token_for exact
	WHO=exact
	matrix "$NEW_TOKEN" ok multi multi multi multi foo
	matrix "$NEW_TOKEN" multi ok multi multi multi bar
}

test_matrix_json_policy() {
	policy jsonpol '{"path":{"sys/plugins/runtimes/catalog":{"capabilities":["read","sudo"]},"sys/plugins/runtimes/catalog/container/*":{"capabilities":["read","update","sudo"]}}}'
	token_for jsonpol
	WHO=json
	matrix "$NEW_TOKEN" ok ok ok multi multi
	matrix "$NEW_TOKEN" ok ok ok multi multi bar
	# base64 of a JSON policy, with deny.
	call PUT "$POL/jsondeny" --data "{\"policy\":\"$(printf %s '{"path":{"sys/plugins/runtimes/catalog/container/bar":{"capabilities":["deny"]}}}' | base64 -w0)\"}"
	expect 204 ""
	token_for jsonpol jsondeny
	WHO=json+deny
	matrix "$NEW_TOKEN" ok ok ok multi multi foo
	matrix "$NEW_TOKEN" multi multi ok multi multi bar
}

test_matrix_missing_policies_grant_nothing() {
	# Vault warns about a policy that does not exist, and creates the token.
	mint '{"policies":["nosuchpolicy"]}'
	expect_auth '["default","nosuchpolicy"]' 2764800 0 false true \
	    '["Policy \"nosuchpolicy\" does not exist"]'
	WHO=nosuchpolicy
	matrix "$NEW_TOKEN" multi multi multi multi multi
	# It works as soon as the policy exists.
	policy nosuchpolicy 'path "sys/plugins/runtimes/catalog*" { capabilities = ["read", "list", "sudo"] }'
	matrix "$NEW_TOKEN" multi ok ok ok multi
	# default alone grants nothing on the catalog.
	mint '{"policies":["default"]}'
	WHO=default
	matrix "$NEW_TOKEN" multi multi multi multi multi
}

# Authorisation runs before routing: where root gets 404 or 405, a token
# without the capability gets 403, and one with it gets root's answer.
test_authorisation_before_routing() {
	local none sys admin
	policy none 'path "secret/*" { capabilities = ["read"] }'
	policy sysall 'path "sys/*" { capabilities = ["create", "read", "update", "delete", "list"] }'
	policy admin 'path "sys/plugins/runtimes/catalog*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }'
	token_for none
	none=$NEW_TOKEN
	token_for sysall
	sys=$NEW_TOKEN
	token_for admin
	admin=$NEW_TOKEN

	# method path body root-status root-body none sysall admin
	while IFS='|' read -r method path body rs rb n s a; do
		local args=()
		[ -n "$body" ] && args=(--data "$body")
		WHO=root
		as "$ROOT_TOKEN" "$method" "$path" "${args[@]}"
		expect "$rs" "$rb"
		for who in none:$n:$none sysall:$s:$sys admin:$a:$admin; do
			WHO=${who%%:*}
			local want=${who#*:}
			local tok=${want#*:}
			want=${want%%:*}
			as "$tok" "$method" "$path" "${args[@]}"
			if [ "$want" = same ]; then
				expect "$rs" "$rb"
			else
				outcome "$want"
			fi
		done
	done <<EOF
GET|$RT/docker/foo||404|$E_PATH|multi|multi|same
GET|$RT/CONTAINER/foo||404|$E_PATH|multi|multi|same
GET|$RT/container/foo/bar||404|$E_PATH|multi|multi|same
GET|$RT/container/-foo||404|$E_PATH|multi|multi|same
PUT|$RT/container/-foo|{}|404|$E_PATH|multi|multi|same
DELETE|$RT/docker/foo||404|$E_PATH|multi|multi|same
POST|$RT|{}|405|$E_OP|multi|multi|same
PUT|$RT|{}|405|$E_OP|multi|multi|same
DELETE|$RT||405|$E_OP|multi|multi|same
DELETE|$RT/||405|$E_OP|multi|multi|same
GET|$RT/container/absent||404|$E_NONE|multi|multi|same
GET|sys/nosuchthing||404|$E_PATH|multi|same|multi
DELETE|sys/nosuchthing||404|$E_PATH|multi|same|multi
GET|$POL||405|$E_OP|multi|same|multi
DELETE|$POL/nosuchpolicy||204||multi|same|multi
GET|$POL/nosuchpolicy||404|$E_NONE|multi|same|multi
GET|auth/token/nosuchthing||404|$E_PATH|multi|multi|multi
GET|auth/token/create||405|$E_OP|multi|multi|multi
EOF
	# Without any token it is the plain 403 everywhere.
	WHO=no-token
	as "" GET "$RT/docker/foo"
	outcome plain
	as "" POST "$RT" --data '{}'
	outcome plain
	as "" GET sys/nosuchthing
	outcome plain
}

# The policy store needs its own capabilities (no sudo).
test_policy_endpoints_need_capabilities() {
	local t
	policy pol-admin '
path "sys/policies/acl" { capabilities = ["list"] }
path "sys/policies/acl/*" { capabilities = ["read", "update", "delete"] }
'
	token_for pol-admin
	t=$NEW_TOKEN
	WHO=pol-admin
	as "$t" PUT "$POL/made" --data '{"policy":"path \"a\" { capabilities = [\"read\"] }"}'
	expect 204 ""
	as "$t" GET "$POL/made"
	expect_ok "$(policy_data made 'path "a" { capabilities = ["read"] }')"
	as "$t" GET "$POL?list=true"
	expect_ok '{"keys":["default","made","pol-admin","root"]}'
	as "$t" DELETE "$POL/made"
	expect 204 ""
	as "$t" PUT "$POL/root" --data '{"policy":"path \"a\" { capabilities = [\"read\"] }"}'
	expect 400 "$E_ROOT_UPDATE"
	# A token holding only default may do none of it.
	mint '{"policies":["default"]}'
	WHO=default
	as "$NEW_TOKEN" PUT "$POL/made" --data '{"policy":"path \"a\" { capabilities = [\"read\"] }"}'
	outcome multi
	as "$NEW_TOKEN" GET "$POL/default"
	outcome multi
	as "$NEW_TOKEN" GET "$POL?list=true"
	outcome multi
	as "$NEW_TOKEN" DELETE "$POL/pol-admin"
	outcome multi
	as "$NEW_TOKEN" PUT "$POL/root" --data '{"policy":"x"}'
	outcome multi
	# A token that may write policies can widen its own, at once.
	WHO=pol-admin
	as "$t" GET "$IT/foo"
	outcome multi
	as "$t" PUT "$POL/pol-admin" --data "$(jq -cn --arg p '
path "sys/policies/acl" { capabilities = ["list"] }
path "sys/policies/acl/*" { capabilities = ["read", "update", "delete"] }
path "sys/plugins/runtimes/catalog/container/foo" { capabilities = ["read", "sudo"] }
' '{policy:$p}')"
	expect 204 ""
	as "$t" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
}

# ------------------------------------------------ no raw token at rest

# Runs last: by then every test above has created, used and revoked
# tokens, and this one adds its own.  The policy marker proves the grep
# can see what the server stores.
test_zz_no_raw_token_on_disk_or_in_logs() {
	local marker=catalogd-acl-marker-$$ t1 t2 t3 hits
	policy cat "# $marker
path \"sys/plugins/runtimes/catalog/*\" { capabilities = [\"read\", \"update\", \"sudo\"] }
path \"auth/token/create\" { capabilities = [\"update\"] }"
	token_for cat
	t1=$NEW_TOKEN
	mint '{"policies":["cat"],"display_name":"leak check","num_uses":5}' "$t1"
	t2=$NEW_TOKEN
	mint '{"policies":["cat"],"ttl":"1h"}'
	t3=$NEW_TOKEN
	WHO=leak
	as "$t1" GET "$IT/foo"
	outcome ok "$(rt foo 7)"
	as "$t2" PUT "$IT/foo" --data '{"cpu_nanos":7}'
	outcome ok
	as "$t3" POST auth/token/renew-self --data '{"increment":"2h"}'
	assertEquals "$LAST ($BODY)" 200 "$STATUS"
	as "$t3" GET auth/token/lookup-self -H "Authorization: Bearer $t3"
	as "" GET auth/token/lookup-self -H "Authorization: Bearer $t3"
	as "$ROOT_TOKEN" POST auth/token/lookup --data "{\"token\":\"$t2\"}"
	as "$ROOT_TOKEN" GET "auth/token/lookup?token=$t1"
	as "$t1" DELETE "$IT/nosuch"
	as "$ROOT_TOKEN" POST auth/token/revoke --data "{\"token\":\"$t1\"}"
	expect 204 ""
	as "$t3" POST auth/token/revoke-self --data '{}'
	expect 204 ""
	as "$t2" GET "$IT/foo"
	outcome plain
	WHO=

	assertTrue "the data directory exists" "[ -d '$DATA/db' ]"
	hits=$(grep -r -a -l -F -e "$marker" "$DATA")
	assertNotNull "positive control: the policy text is found in $DATA" "$hits"
	assertTrue "positive control: the display name is found in $DATA" \
	    "grep -r -a -q -F -e token-leak-check '$DATA'"
	assertTrue "tokens to look for: ${#ALL_TOKENS[@]}" "[ ${#ALL_TOKENS[@]} -ge 4 ]"
	printf '%s\n' "${ALL_TOKENS[@]}" | sort -u >"$TMPROOT/tokens"
	hits=$(grep -r -a -o -F -f "$TMPROOT/tokens" "$DATA" "$TMPROOT/stderr" \
	    2>/dev/null | sort | uniq -c | head -20)
	assertEquals "raw tokens in $DATA or the logs" "" "$hits"
	assertTrue "the $FRONTEND log was searched" "[ -f '$DATA/$FRONTEND_LOG' ]"
}

. "$SHUNIT2"
