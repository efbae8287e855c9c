#!/usr/bin/env bash
# audit.sh: Vault's file audit device end to end.  Enabling, listing and
# disabling (sudo, every refusal), one request and one response line per
# request sharing the request id, secrets hashed with the device's salt
# (sys/audit-hash answers the same hash), log_raw, hmac_accessor, prefix,
# denied requests, fail closed (a device that cannot write refuses the
# request before it runs), concurrent writers and rotation by SIGHUP.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	server_start || fail "start"
	AUD=$TMPROOT/audit
	mkdir -p "$AUD"
}
oneTimeTearDown() { suite_teardown; }
tearDown() {
	local p
	TOKEN=$ROOT_TOKEN
	api GET sys/audit
	for p in $(jq -r '.data | keys[]' "$RAW" 2>/dev/null); do
		api DELETE "sys/audit/${p%/}"
	done
}

# enable NAME JSON-OPTIONS: expects 204.
enable() {
	api PUT "sys/audit/$1" --data "{\"type\":\"file\",\"options\":$2}"
	assertEquals "enable $1: $BODY" 204 "$STATUS"
}

# lines FILE: the number of lines.
lines() { wc -l <"$1" | tr -d ' '; }

test_enable_list_disable() {
	enable file "{\"file_path\":\"$AUD/a.log\"}"
	api GET sys/audit
	assertEquals 200 "$STATUS"
	assertEquals "{\"file/\":{\"description\":\"\",\"local\":false,\"options\":{\"file_path\":\"$AUD/a.log\"},\"path\":\"file/\",\"type\":\"file\"}}" \
	    "$(jq -c .data "$RAW")"
	api PUT sys/audit/file --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/b.log\"}}"
	expect 400 "$(errjson "path already in use")"
	api DELETE sys/audit/file
	expect 204 ""
	api DELETE sys/audit/file
	expect 204 "" "DELETE of a device that is not there"
	api GET sys/audit
	assertEquals "{}" "$(jq -c .data "$RAW")"
	# The CLI's shape: description, local, and string-valued options.
	api POST sys/audit/cli --data "{\"type\":\"file\",\"description\":\"ops\",\"local\":false,\"options\":{\"file_path\":\"$AUD/cli.log\",\"log_raw\":\"false\",\"mode\":\"0640\"}}"
	expect 204 ""
	api GET sys/audit
	assertEquals "ops 0640" "$(jq -r '.data["cli/"] | "\(.description) \(.options.mode)"' "$RAW")"
	assertEquals "mode applied" 640 "$(stat -c %a "$AUD/cli.log")"
}

test_enable_refusals() {
	local LAST
	LAST="no type"; api PUT sys/audit/x --data '{"options":{"file_path":"/tmp/x"}}'
	expect 400 "$(errjson "audit type must be specified")"
	LAST="syslog"; api PUT sys/audit/x --data '{"type":"syslog"}'
	expect 400 "$(errjson 'unknown backend type: "syslog"')"
	LAST="no file_path"; api PUT sys/audit/x --data '{"type":"file"}'
	expect 400 "$(errjson "file_path is required")"
	LAST="relative"; api PUT sys/audit/x --data '{"type":"file","options":{"file_path":"rel.log"}}'
	expect 400 "$(errjson 'file_path must be an absolute path or "discard"')"
	LAST="log_raw=maybe"; api PUT sys/audit/x --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/x\",\"log_raw\":\"maybe\"}}"
	expect 400 "$(errjson "unable to parse 'log_raw': strconv.ParseBool: parsing \"maybe\": invalid syntax")"
	LAST="mode"; api PUT sys/audit/x --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/x\",\"mode\":\"rw\"}}"
	expect 400 "$(errjson "unable to parse 'mode': \"rw\" is not an octal file mode")"
	LAST="jsonx"; api PUT sys/audit/x --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/x\",\"format\":\"jsonx\"}}"
	expect 400 "$(errjson 'unsupported format "jsonx": catalogd writes json')"
	LAST="unknown option"; api PUT sys/audit/x --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/x\",\"bogus\":\"1\"}}"
	expect 400 "$(errjson 'unsupported option "bogus" for the file audit device')"
	LAST="options not a map"; api PUT sys/audit/x --data '{"type":"file","options":"file_path=/tmp/x"}'
	assertEquals "$LAST" 400 "$STATUS"
	assertEquals "$LAST: $BODY" 1 "$(jq '.errors | length' "$RAW")"
	LAST="a directory"; api PUT sys/audit/x --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD\"}}"
	expect 400 "$(errjson "sanity check failed; unable to open \"$AUD\" for writing: Is a directory")"
	LAST="bad name"; api PUT 'sys/audit/a%20b' --data '{"type":"file"}'
	assertEquals "$LAST" 404 "$STATUS"
	api GET sys/audit
	assertEquals "nothing was enabled" "{}" "$(jq -c .data "$RAW")"
}

test_sudo_required() {
	local tok LAST
	api PUT sys/policies/acl/auditnosudo --data '{"policy":"path \"sys/audit*\" { capabilities = [\"create\",\"read\",\"update\",\"delete\",\"list\"] }\npath \"sys/audit-hash/*\" { capabilities = [\"update\"] }"}'
	assertEquals 204 "$STATUS"
	api POST auth/token/create --data '{"policies":["auditnosudo"]}'
	tok=$(jq -r .auth.client_token "$RAW")
	enable file "{\"file_path\":\"$AUD/sudo.log\"}"
	TOKEN=$tok
	LAST="enable without sudo"; api PUT sys/audit/y --data "{\"type\":\"file\",\"options\":{\"file_path\":\"$AUD/y\"}}"
	expect 403 "$(errjson $'1 error occurred:\n\t* permission denied\n\n')"
	LAST="list without sudo"; api GET sys/audit
	assertEquals "$LAST" 403 "$STATUS"
	LAST="disable without sudo"; api DELETE sys/audit/file
	assertEquals "$LAST" 403 "$STATUS"
	LAST="audit-hash needs no sudo"; api POST sys/audit-hash/file --data '{"input":"x"}'
	assertEquals "$LAST: $BODY" 200 "$STATUS"
	TOKEN=$ROOT_TOKEN
	api GET sys/audit
	assertEquals "the device is still there" '["file/"]' "$(jq -c '.data | keys' "$RAW")"
}

test_entries_hashed_and_paired() {
	local f=$AUD/pairs.log id rid n hash LAST
	enable file "{\"file_path\":\"$f\"}"
	assertEquals "file mode" 600 "$(stat -c %a "$f")"
	: >"$f"
	put_runtime audited '{"oci_runtime":"secret-runtime","cpu_nanos":5}'
	api GET sys/plugins/runtimes/catalog/container/audited
	rid=$(jq -r .request_id "$RAW")
	assertEquals "4 lines for 2 requests" 4 "$(lines "$f")"
	assertTrue "every line is JSON" "jq -e . '$f' >/dev/null"
	assertEquals "types in order" "request response request response" \
	    "$(jq -r .type "$f" | tr '\n' ' ' | sed 's/ $//')"
	assertEquals "ids pair up" 2 "$(jq -r .request.id "$f" | uniq | wc -l | tr -d ' ')"
	id=$(jq -r 'select(.type=="response") | .request.id' "$f" | tail -n 1)
	assertEquals "request_id of the answer is the audit id" "$rid" "$id"
	assertEquals "key order" '["time","type","auth","request","response"]' \
	    "$(tail -n 1 "$f" | jq -c keys_unsorted)"
	assertEquals "request key order" '["id","operation","mount_point","mount_type","client_token","client_token_accessor","namespace","path","data","remote_address","remote_port"]' \
	    "$(head -n 1 "$f" | jq -c '.request | keys_unsorted')"
	assertEquals "a GET has no data (path captures are not request data)" null \
	    "$(tail -n 1 "$f" | jq -c .request.data)"
	n=$(jq -r '[.auth.client_token, .auth.accessor, .request.client_token, .request.client_token_accessor] | .[]' "$f" | grep -cv '^hmac-sha256:[0-9a-f]\{64\}$')
	assertEquals "every token and accessor hashed" 0 "$n"
	assertFalse "the raw root token is not in the file" "grep -qF '$ROOT_TOKEN' '$f'"
	assertFalse "request data is hashed" "grep -qF secret-runtime '$f'"
	assertEquals "the request's data: strings hashed, keys kept" \
	    '["cpu_nanos","oci_runtime"]' \
	    "$(head -n 1 "$f" | jq -c '.request.data | keys')"
	assertEquals "answer ints stay, strings hashed" '5 true' \
	    "$(tail -n 1 "$f" | jq -r '.response.data | "\(.cpu_nanos) \(.name | startswith("hmac-sha256:"))"')"
	api POST sys/audit-hash/file --data "{\"input\":\"$ROOT_TOKEN\"}"
	hash=$(jq -r .data.hash "$RAW")
	assertEquals "audit-hash of the root token is the logged client_token" \
	    "$(head -n 1 "$f" | jq -r .request.client_token)" "$hash"
	api POST sys/audit-hash/file --data '{"input":"secret-runtime"}'
	assertEquals "audit-hash of a data string" \
	    "$(head -n 1 "$f" | jq -r .request.data.oci_runtime)" "$(jq -r .data.hash "$RAW")"
	LAST="empty input"; api POST sys/audit-hash/file --data '{"input":""}'
	expect 400 "$(errjson 'the "input" parameter is empty')"
	LAST="unknown device"; api POST sys/audit-hash/nothere --data '{"input":"x"}'
	expect 400 "$(errjson 'unknown audit backend nothere/')"
	# A salt of its own: another device hashes differently.
	enable other "{\"file_path\":\"$AUD/other.log\"}"
	api POST sys/audit-hash/other --data "{\"input\":\"$ROOT_TOKEN\"}"
	assertNotEquals "each device has its own salt" "$hash" "$(jq -r .data.hash "$RAW")"
}

test_issued_token_hashed() {
	local f=$AUD/issued.log tok acc line
	enable file "{\"file_path\":\"$f\"}"
	api POST auth/token/create --data '{"policies":["default"],"ttl":"1h"}'
	tok=$(jq -r .auth.client_token "$RAW")
	acc=$(jq -r .auth.accessor "$RAW")
	line=$(tail -n 1 "$f")
	assertFalse "issued token not in the file" "grep -qF '$tok' '$f'"
	assertFalse "issued accessor not in the file" "grep -qF '$acc' '$f'"
	api POST sys/audit-hash/file --data "{\"input\":\"$tok\"}"
	assertEquals "response.auth.client_token is the issued token's hash" \
	    "$(jq -r .data.hash "$RAW")" "$(jq -r .response.auth.client_token <<<"$line")"
	assertEquals "token_ttl" 3600 "$(jq -r .response.auth.token_ttl <<<"$line")"
}

test_log_raw_accessor_prefix() {
	local raw=$AUD/raw.log noacc=$AUD/noacc.log pre=$AUD/pre.log acc
	enable raw "{\"file_path\":\"$raw\",\"log_raw\":true}"
	enable noacc "{\"file_path\":\"$noacc\",\"hmac_accessor\":\"false\"}"
	enable pre "{\"file_path\":\"$pre\",\"prefix\":\"@cee: \"}"
	: >"$raw"; : >"$noacc"; : >"$pre"
	api GET auth/token/lookup-self
	acc=$(jq -r .data.accessor "$RAW")
	assertEquals "log_raw writes the token" "$ROOT_TOKEN" "$(head -n 1 "$raw" | jq -r .request.client_token)"
	assertEquals "hmac_accessor=false writes the accessor" "$acc" "$(head -n 1 "$noacc" | jq -r .auth.accessor)"
	assertEquals "... but hashes the token" hmac-sha256 "$(head -n 1 "$noacc" | jq -r .request.client_token | cut -d: -f1)"
	assertEquals "prefix before every line" 2 "$(grep -c '^@cee: {"time":' "$pre")"
	assertTrue "the rest of the line is JSON" "sed 's/^@cee: //' '$pre' | jq -e . >/dev/null"
}

test_denied_requests_audited() {
	local f=$AUD/denied.log
	enable file "{\"file_path\":\"$f\"}"
	: >"$f"
	TOKEN=not-a-token api GET sys/plugins/runtimes/catalog/container/x
	assertEquals 403 "$STATUS"
	api PUT sys/policies/acl/nothing --data '{"policy":"path \"x\" { capabilities = [\"read\"] }"}'
	api POST auth/token/create --data '{"policies":["nothing"]}'
	TOKEN=$(jq -r .auth.client_token "$RAW") api GET sys/plugins/runtimes/catalog/container/x
	assertEquals 403 "$STATUS"
	assertEquals "the unknown token's request" "permission denied" \
	    "$(jq -r 'select(.request.path=="sys/plugins/runtimes/catalog/container/x") | .error' "$f" | head -n 1)"
	assertEquals "denied requests: request entries only" \
	    "request request" "$(jq -r 'select(.request.path=="sys/plugins/runtimes/catalog/container/x") | .type' "$f" | tr '\n' ' ' | sed 's/ $//')"
	assertEquals "the known token's entry names its policies" '["default","nothing"]' \
	    "$(jq -c 'select(.request.path=="sys/plugins/runtimes/catalog/container/x") | .auth.policies' "$f" | tail -n 1)"
	assertEquals "no auth for an unknown token" null \
	    "$(jq -c 'select(.request.path=="sys/plugins/runtimes/catalog/container/x") | .auth' "$f" | head -n 1)"
	# Errors after authentication: the response entry carries them.
	api GET sys/plugins/runtimes/catalog/container/absent
	assertEquals 404 "$STATUS"
	api PUT sys/plugins/runtimes/catalog/container/neg --data '{"cpu_nanos":-1}'
	assertEquals "runtime cpu in nanos cannot be negative" \
	    "$(tail -n 1 "$f" | jq -r .error)"
}

test_fail_closed() {
	local link=$AUD/link.log real=$AUD/real.log LAST
	: >"$real"
	ln -sfn "$real" "$link"
	enable file "{\"file_path\":\"$link\"}"
	ln -sfn /dev/full "$link"
	sleep 1.2	# the inode check runs at most once a second
	LAST="write while no device can write"
	api PUT sys/plugins/runtimes/catalog/container/failclosed --data '{}'
	expect 500 "$(errjson "internal error")"
	LAST="read while no device can write"
	api GET sys/plugins/runtimes/catalog/container/failclosed
	expect 500 "$(errjson "internal error")"
	LAST="denied while no device can write"
	TOKEN=not-a-token api GET sys/plugins/runtimes/catalog/container/failclosed
	assertEquals "$LAST: denied requests are still answered" 403 "$STATUS"
	ln -sfn "$real" "$link"
	LAST="read after the file came back"
	api GET sys/plugins/runtimes/catalog/container/failclosed
	expect 404 '{"errors":[]}'
	assertEquals "the refused requests left no entry" 0 \
	    "$(jq -r 'select(.request.operation=="update" and .request.path=="sys/plugins/runtimes/catalog/container/failclosed") | .type' "$real" | wc -l | tr -d ' ')"
	# A second device that works is enough (one success, as Vault's broker).
	enable good "{\"file_path\":\"$AUD/good.log\"}"
	ln -sfn /dev/full "$link"
	sleep 1.2
	put_runtime failclosed2 '{}'
	assertEquals "the working device has it" 2 \
	    "$(grep -c 'container/failclosed2' "$AUD/good.log")"
	ln -sfn "$real" "$link"
}

test_concurrent_writers_and_rotation() {
	local f=$AUD/busy.log n=60 w pids=() total old new
	enable file "{\"file_path\":\"$f\"}"
	: >"$f"
	for w in 1 2 3 4; do
		(
			for i in $(seq 1 $n); do
				curl -s -o /dev/null --max-time 10 -H "X-Vault-Token: $ROOT_TOKEN" \
				    -X PUT --data "{\"oci_runtime\":\"w$w-$i\"}" \
				    "$BASE/sys/plugins/runtimes/catalog/container/busy$w-$i"
			done
		) &
		pids+=($!)
	done
	sleep 0.5
	mv "$f" "$f.1"
	kill -HUP "$(supervisor_pid)"
	for w in "${pids[@]}"; do wait "$w"; done
	sleep 0.2
	total=$((4 * n * 2))
	old=$(lines "$f.1")
	new=$(lines "$f")
	assertEquals "lines in both files = 2 x requests (old $old, new $new)" "$total" "$((old + new))"
	assertTrue "the new file has lines" "[ $new -gt 0 ]"
	assertTrue "no split or interleaved line" "cat '$f.1' '$f' | jq -e . >/dev/null"
	assertEquals "new file mode" 600 "$(stat -c %a "$f")"
	assertEquals "every request has its pair" 0 \
	    "$(cat "$f.1" "$f" | jq -r .request.id | sort | uniq -c | awk '$1 != 2' | wc -l | tr -d ' ')"
}

test_devices_survive_restart() {
	local f=$AUD/restart.log before
	enable file "{\"file_path\":\"$f\"}"
	api POST sys/audit-hash/file --data '{"input":"same"}'
	before=$(jq -r .data.hash "$RAW")
	server_stop
	server_start || fail "restart"
	: >"$f"
	api POST sys/audit-hash/file --data '{"input":"same"}'
	assertEquals "the salt is stored" "$before" "$(jq -r .data.hash "$RAW")"
	assertEquals "a worker of the new pool writes" 2 "$(lines "$f")"
}

test_declared_in_conf() {
	local f=$AUD/declared.log
	server_stop
	server_start CATALOGD_AUDIT_FILE_PATH="$f" || fail "restart"
	api GET sys/audit
	assertEquals "audit_file_path makes sys/audit/file" "$f" \
	    "$(jq -r '.data["file/"].options.file_path' "$RAW")"
	assertEquals "its entries" 2 "$(lines "$f")"
	assertEquals "mode" 600 "$(stat -c %a "$f")"
	server_stop
	server_start CATALOGD_AUDIT_FILE_PATH=relative.log
	assertNotEquals "a bad audit_file_path stops the start" 0 $?
	assertTrue "with its message" \
	    "grep -q 'audit_file_path: file_path must be an absolute path' '$TMPROOT/stderr'"
	server_start || fail "restart"
}

. "$SHUNIT2"
