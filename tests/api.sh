#!/usr/bin/env bash
# tests/api.sh: end-to-end checks of the HTTP API (SPEC sections 3 and 4,
# the sample requests of section 8, the lighttpd rows of section 7) against
# one real deployment: lighttpd -> supervisor -> workers -> Berkeley DB.
# Every answer is checked by status code and exact bytes; every test
# removes the runtimes it registered (tearDown deletes whatever is listed).
#
# Run: CATALOGD_SRCDIR=$PWD CATALOGD_BUILDDIR=$PWD bash tests/api.sh

. "$(dirname "$0")/lib.sh"

RT=sys/plugins/runtimes/catalog
IT=$RT/container
HDRS=$TMPROOT/headers
LAST=

E_PATH='{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}'
E_OP='{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}'
E_NONE='{"errors":[]}'
E_DENIED='{"errors":["permission denied"]}'
E_DENIED_MULTI='{"errors":["1 error occurred:\n\t* permission denied\n\n"]}'
E_JSON='{"errors":["error parsing JSON"]}'
E_FORM='{"errors":["error parsing form data"]}'
E_SLASH='{"errors":["cannot write to a path ending in '\''/'\''"]}'
E_BIG='{"errors":["request body too large"]}'
E_CPU='{"errors":["runtime cpu in nanos cannot be negative"]}'
E_MEM='{"errors":["runtime memory in bytes cannot be negative"]}'
E_NOTFOUND='{"errors":["plugin runtime not found"]}'
IGNORED='Endpoint ignored these unrecognized parameters'
REPLACED="Endpoint replaced the value of these parameters with the values captured from the endpoint's path"

# ---------------------------------------------------------------- helpers

# call METHOD PATH [curl args...]: api, plus the answer's headers in $HDRS.
call() {
	LAST="$1 /v1/$2"
	api "$@" -D "$HDRS"
}

# jput NAME JSON [curl args...]: PUT a JSON body (Content-Type set).
jput() {
	local name=$1 body=$2
	shift 2
	call PUT "$IT/$name" -H 'Content-Type: application/json' \
	    --data-binary "$body" "$@"
}

# fput NAME FORM [curl args...]: PUT a form body.
fput() {
	local name=$1 body=$2
	shift 2
	call PUT "$IT/$name" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$body" "$@"
}

# fverr INPUT FIELD REASON: a 400 body for a failed field conversion.
fverr() {
	errjson "Field validation failed: error converting input $1 for field \"$2\": $3"
}
int_syntax() { echo "cannot parse '' as int: strconv.ParseInt: parsing \"$1\": invalid syntax"; }
int_range() { echo "cannot parse '' as int: strconv.ParseInt: parsing \"$1\": value out of range"; }
bool_syntax() { echo "cannot parse '' as bool: strconv.ParseBool: parsing \"$1\": invalid syntax"; }

# warn TEXT [NAMES]: a warnings array with one warning.
warn() { printf '["%s: [%s]"]' "$1" "$2"; }

# rt NAME [OCI CGROUP CPU MEMORY ROOTLESS]: a runtime as Go encodes it.
rt() {
	printf '{"cgroup_parent":"%s","cpu_nanos":%s,"memory_bytes":%s,"name":"%s","oci_runtime":"%s","rootless":%s,"type":"container"}' \
	    "${3:-}" "${4:-0}" "${5:-0}" "$1" "${2:-}" "${6:-false}"
}

# expect_read NAME [OCI CGROUP CPU MEMORY ROOTLESS]: GET shows exactly that.
expect_read() {
	call GET "$IT/$1"
	expect_ok "$(rt "$@")"
}

# runtimes OBJ...: the data of a list answer.
runtimes() {
	local IFS=,
	printf '{"runtimes":[%s]}' "$*"
}

# has_header LINE: the answer has that header line (name and value
# compared without case, the value exactly).
has_header() { tr -d '\r' <"$HDRS" | grep -qix "$1"; }

# expect_headers [nocache]: Content-Type: application/json, and
# Cache-Control: no-store unless "nocache" (lighttpd's own answers).
expect_headers() {
	local rc seen
	seen=$(tr -d '\r' <"$HDRS" | tr '\n' '|')
	has_header 'Content-Type: application/json'
	rc=$?
	assertTrue "$LAST: Content-Type: application/json ($seen)" $rc
	if [ "${1:-}" != nocache ]; then
		has_header 'Cache-Control: no-store'
		rc=$?
		assertTrue "$LAST: Cache-Control: no-store ($seen)" $rc
	fi
	return 0
}

# bytes N CHAR: N copies of CHAR.
bytes() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# ------------------------------------------------------------ fixtures

oneTimeSetUp() {
	server_start || exit 1
}

oneTimeTearDown() { suite_teardown; }

setUp() {
	TOKEN=$ROOT_TOKEN
	rm -f "$HDRS"
}

# Deletes every runtime still listed, so each test starts empty.
tearDown() {
	TOKEN=$ROOT_TOKEN
	[ -n "$SERVER_PID" ] || return 0
	delete_runtimes
	return 0
}

# ------------------------------------------------ SPEC section 8 samples

# sample METHOD URL [curl args...]: the documentation's curl line, verbatim
# (run in $TMPROOT so that --data @payload.json finds its file).
sample() {
	local method=$1 url=$2
	shift 2
	LAST="sample $method $url"
	STATUS=$(cd "$TMPROOT" && curl -s -o "$RAW" -D "$HDRS" \
	    -w '%{http_code}' --max-time 10 \
	    --header "X-Vault-Token: $TOKEN" --request "$method" "$@" "$url")
	BODY=$(cat "$RAW")
}

test_sample_requests_verbatim() {
	local url=http://127.0.0.1:$PORT/v1/sys/plugins/runtimes/catalog
	local name=example-plugin-runtime obj

	printf '%s' '{"oci_runtime":"example-oci-runtime","cgroup_parent":"/examplelimit/","cpu_nanos":1000,"memory_bytes":10000000}' \
	    >"$TMPROOT/payload.json"
	sample POST "$url/container/$name" --data @payload.json
	expect 204 ""
	expect_headers

	obj=$(rt "$name" example-oci-runtime /examplelimit/ 1000 10000000 false)
	sample GET "$url/container/$name"
	expect_ok "$obj"
	expect_headers

	# LIST through lighttpd: 501 with a JSON body pointing at ?list=true;
	# through nginx: the list itself.
	sample LIST "$url"
	if [ "$FRONTEND" = nginx ]; then
		expect_ok "$(runtimes "$obj")"
	else
		assertEquals "LIST status ($BODY)" 501 "$STATUS"
		expect_headers nocache
		jq -e '(.errors|length) == 1 and (.errors[0]|type) == "string" and
		    (.errors[0]|contains("?list=true"))' "$RAW" >/dev/null
		assertTrue "LIST body names ?list=true: $BODY" $?
	fi

	sample GET "$url?list=true"
	expect_ok "$(runtimes "$obj")"
	sample GET "$url"
	expect_ok "$(runtimes "$obj")"

	sample DELETE "$url/container/$name"
	expect 204 ""
	expect_headers
	sample GET "$url/container/$name"
	expect 404 "$E_NONE"

	# The optional "rootless": true.
	printf '%s' '{"oci_runtime":"example-oci-runtime","cgroup_parent":"/examplelimit/","cpu_nanos":1000,"memory_bytes":10000000,"rootless":true}' \
	    >"$TMPROOT/payload.json"
	sample POST "$url/container/$name" --data @payload.json
	expect 204 ""
	sample GET "$url/container/$name"
	expect_ok "$(rt "$name" example-oci-runtime /examplelimit/ 1000 10000000 true)"
	sample DELETE "$url/container/$name"
	expect 204 ""
}

# Vault's own TestSystemBackend_pluginRuntimeCRUD, over HTTP.
test_vault_crud_sequence() {
	local obj

	jput foo '{"oci_runtime":"some-oci-runtime","cgroup_parent":"/cpulimit/","cpu_nanos":1,"memory_bytes":10000,"rootless":true}'
	expect 204 ""
	call GET "$IT/foo"
	assertEquals "exact read body" \
	    '{"request_id":"ID","lease_id":"","renewable":false,"lease_duration":0,"data":{"cgroup_parent":"/cpulimit/","cpu_nanos":1,"memory_bytes":10000,"name":"foo","oci_runtime":"some-oci-runtime","rootless":true,"type":"container"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}'$'\n.' \
	    "$(strip_id <"$RAW"; echo .)"
	obj=$(rt foo some-oci-runtime /cpulimit/ 1 10000 true)
	call GET "$RT"
	expect_ok "$(runtimes "$obj")"
	call GET "$RT?list=true"
	expect_ok "$(runtimes "$obj")"
	call GET "$RT?type=container"
	expect_ok "$(runtimes "$obj")"
	call GET "$RT?list=true&type=container"
	expect_ok "$(runtimes "$obj")"
	call DELETE "$IT/foo"
	expect 204 ""
	call GET "$IT/foo"
	expect 404 "$E_NONE"
	call GET "$RT?list=true"
	expect_ok '{"runtimes":[]}'
	call GET "$RT?list=true&type=container"
	expect_ok '{"runtimes":[]}'
}

# ------------------------------------------------------- writes (SPEC §4)

test_put_and_post_both_write() {
	call PUT "$IT/w" --data '{"cpu_nanos":1}'
	expect 204 ""
	expect_read w "" "" 1
	call POST "$IT/w" --data '{"cpu_nanos":2}'
	expect 204 ""
	expect_read w "" "" 2
	call POST "$IT/w2" --data '{"memory_bytes":3}'
	expect 204 ""
	expect_read w2 "" "" 0 3
}

test_full_replacement_no_merge() {
	jput r '{"oci_runtime":"runc","cgroup_parent":"/a/","cpu_nanos":10,"memory_bytes":20,"rootless":true}'
	expect 204 ""
	expect_read r runc /a/ 10 20 true
	jput r '{"cpu_nanos":5}'
	expect 204 ""
	expect_read r "" "" 5 0 false
	jput r '{"oci_runtime":"crun","rootless":true}'
	expect 204 ""
	expect_read r crun "" 0 0 true
	call GET "$RT"
	expect_ok "$(runtimes "$(rt r crun "" 0 0 true)")"
	jput r '{}'
	expect 204 ""
	expect_read r
}

# No "runsc" default is stored; an empty or null body means no fields.
test_empty_and_null_bodies_store_zero_values() {
	local body ct
	for ct in application/json application/x-www-form-urlencoded text/plain; do
		for body in '' ' ' $' \n\t\r ' 'null' ' null '; do
			jput z '{"oci_runtime":"x","cpu_nanos":1,"rootless":true}'
			expect 204 ""
			call PUT "$IT/z" -H "Content-Type: $ct" --data-binary "$body"
			expect 204 "" "PUT [$ct] '$body'"
			expect_read z
		done
	done
	# No Content-Type at all.
	call PUT "$IT/z" -H 'Content-Type:' --data-binary 'null'
	expect 204 ""
	expect_read z
}

test_negative_values_cpu_checked_first() {
	jput n '{"cpu_nanos":-1}'
	expect 400 "$E_CPU"
	expect_headers
	jput n '{"memory_bytes":-1}'
	expect 400 "$E_MEM"
	jput n '{"cpu_nanos":-1,"memory_bytes":-1}'
	expect 400 "$E_CPU"
	jput n '{"memory_bytes":-5,"cpu_nanos":-7}'
	expect 400 "$E_CPU"
	jput n '{"cpu_nanos":"-1"}'
	expect 400 "$E_CPU"
	jput n '{"cpu_nanos":-9223372036854775808}'
	expect 400 "$E_CPU"
	jput n '{"memory_bytes":"-0x1"}'
	expect 400 "$E_MEM"
	fput n 'cpu_nanos=-5&memory_bytes=-5'
	expect 400 "$E_CPU"
	call GET "$IT/n"
	expect 404 "$E_NONE"

	# A rejected write leaves the stored record alone.
	jput n '{"cpu_nanos":3,"memory_bytes":4}'
	expect 204 ""
	jput n '{"cpu_nanos":9,"memory_bytes":-1}'
	expect 400 "$E_MEM"
	expect_read n "" "" 3 4
	jput n '{"cpu_nanos":0,"memory_bytes":0}'
	expect 204 ""
	expect_read n
}

# ---------------------------------------------- weak typing (SPEC §3)

test_weak_int64_conversions() {
	local pair in want
	for pair in '"010"|8' '"0x10"|16' '"0X10"|16' '"0b101"|5' '"0B11"|3' \
	    '"0o17"|15' '"0O17"|15' '"017"|15' '"1_000"|1000' '"0x_1_0"|16' \
	    '"0_10"|8' '"+5"|5' '""|0' 'true|1' 'false|0' 'null|0' \
	    '1000|1000' '"1000"|1000' '0|0' '-0|0' '"-0"|0' '"+0"|0' \
	    '9223372036854775807|9223372036854775807' \
	    '"9223372036854775807"|9223372036854775807' \
	    '"0x7fffffffffffffff"|9223372036854775807'; do
		in=${pair%|*} want=${pair#*|}
		jput i "{\"cpu_nanos\":$in,\"memory_bytes\":$in}"
		expect 204 "" "int64 $in"
		expect_read i "" "" "$want" "$want"
	done
}

test_weak_int64_failures() {
	local pair in shown s
	for pair in '"abc"|abc|abc' '1.5|1.5|1.5' '1e3|1e3|1e3' '1E3|1E3|1E3' \
	    '"1e3"|1e3|1e3' '1.0|1.0|1.0' '" 1"| 1| 1' '"1 "|1 |1 ' \
	    '"1__000"|1__000|1__000' '"_1"|_1|_1' '"1_"|1_|1_' '"08"|08|08' \
	    '"0x"|0x|0x' '"--1"|--1|--1' '"0x1g"|0x1g|0x1g'; do
		in=${pair%%|*} s=${pair##*|} shown=${pair#*|} shown=${shown%|*}
		jput bad "{\"cpu_nanos\":$in}"
		expect 400 "$(fverr "$shown" cpu_nanos "$(int_syntax "$s")")" \
		    "cpu_nanos $in"
	done
	for in in 9223372036854775808 '"9223372036854775808"' \
	    '"-9223372036854775809"' 99999999999999999999; do
		s=${in//\"/}
		jput bad "{\"memory_bytes\":$in}"
		expect 400 "$(fverr "$s" memory_bytes "$(int_range "$s")")" \
		    "memory_bytes $in"
	done
	jput bad '{"cpu_nanos":[1]}'
	expect 400 "$(fverr '[1]' cpu_nanos "'' expected type 'int64', got unconvertible type '[]interface {}', value: '[1]'")"
	jput bad '{"memory_bytes":{}}'
	expect 400 "$(fverr 'map[]' memory_bytes "'' expected type 'int64', got unconvertible type 'map[string]interface {}', value: 'map[]'")"
	jput bad '{"memory_bytes":"x"}'
	expect 400 "$(fverr x memory_bytes "$(int_syntax x)")"
	# A JSON number with a leading zero is not JSON at all.
	jput bad '{"cpu_nanos":010}'
	expect 400 "$E_JSON"
	call GET "$IT/bad"
	expect 404 "$E_NONE"
}

test_weak_bool_conversions() {
	local in
	for in in true '"true"' '"1"' '"t"' '"T"' '"TRUE"' '"True"' 1; do
		jput b "{\"rootless\":$in}"
		expect 204 "" "rootless $in"
		expect_read b "" "" 0 0 true
	done
	for in in false '"false"' '"0"' '"f"' '"F"' '"FALSE"' '"False"' 0 \
	    '""' null; do
		jput b '{"rootless":true}'
		expect 204 ""
		jput b "{\"rootless\":$in}"
		expect 204 "" "rootless $in"
		expect_read b "" "" 0 0 false
	done
	for in in '"yes"' 2 '"tRuE"' '"no"' 1.0 '" true"' -1; do
		jput bb "{\"rootless\":$in}"
		expect 400 "$(fverr "${in//\"/}" rootless "$(bool_syntax "${in//\"/}")")" \
		    "rootless $in"
	done
	jput bb '{"rootless":[true]}'
	expect 400 "$(fverr '[true]' rootless "'' expected type 'bool', got unconvertible type '[]interface {}', value: '[true]'")"
	jput bb '{"rootless":{}}'
	expect 400 "$(fverr 'map[]' rootless "'' expected type 'bool', got unconvertible type 'map[string]interface {}', value: 'map[]'")"
	call GET "$IT/bb"
	expect 404 "$E_NONE"
}

test_weak_string_conversions() {
	local pair in want
	for pair in '5|5' '-12|-12' '1.50|1.50' '1e3|1e3' '-0|-0' \
	    '123456789012345678901234567890|123456789012345678901234567890' \
	    'true|1' 'false|0' 'null|' '""|' '"x y"|x y'; do
		in=${pair%|*} want=${pair#*|}
		jput s "{\"oci_runtime\":$in,\"cgroup_parent\":$in}"
		expect 204 "" "string $in"
		expect_read s "$want" "$want"
	done
	jput sb '{"oci_runtime":["a"]}'
	expect 400 "$(fverr '[a]' oci_runtime "'' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'")"
	jput sb '{"cgroup_parent":[]}'
	expect 400 "$(fverr '[]' cgroup_parent "'' expected type 'string', got unconvertible type '[]interface {}', value: '[]'")"
	jput sb '{"oci_runtime":{"a":1}}'
	expect 400 "$(fverr 'map[a:1]' oci_runtime "'' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:1]'")"
	jput sb '{"oci_runtime":{"b":1,"a":"x"}}'
	expect 400 "$(fverr 'map[a:x b:1]' oci_runtime "'' expected type 'string', got unconvertible type 'map[string]interface {}', value: 'map[a:x b:1]'")"
	# Go prints a nil element as <nil>, and its encoder escapes < and >.
	jput sb '{"oci_runtime":[1,"a",true,null]}'
	expect 400 '{"errors":["Field validation failed: error converting input [1 a true \u003cnil\u003e] for field \"oci_runtime\": '\'''\'' expected type '\''string'\'', got unconvertible type '\''[]interface {}'\'', value: '\''[1 a true \u003cnil\u003e]'\''"]}'
	call GET "$IT/sb"
	expect 404 "$E_NONE"
}

# Query fields are converted too, on reads and deletes alike.
test_weak_typing_of_query_fields() {
	jput q '{"cpu_nanos":1}'
	expect 204 ""
	call GET "$IT/q?cpu_nanos=abc"
	expect 400 "$(fverr abc cpu_nanos "$(int_syntax abc)")"
	call GET "$IT/q?rootless=yes"
	expect 400 "$(fverr yes rootless "$(bool_syntax yes)")"
	call GET "$IT/q?oci_runtime=a&oci_runtime=b"
	expect 400 "$(fverr '[a b]' oci_runtime "'' expected type 'string', got unconvertible type '[]string', value: '[a b]'")"
	# Known fields are accepted (and change nothing) on a read.
	call GET "$IT/q?cpu_nanos=0x10&rootless=T&oci_runtime=z"
	expect_ok "$(rt q "" "" 1)"
	call DELETE "$IT/q?cpu_nanos=abc"
	expect 400 "$(fverr abc cpu_nanos "$(int_syntax abc)")"
	expect_read q "" "" 1
	call DELETE "$IT/q?cpu_nanos=5&bogus=1"
	expect 204 ""
	call GET "$IT/q"
	expect 404 "$E_NONE"
}

# The api client and the CLI send "type":1 in the body; captures win.
test_url_captures_win_over_body() {
	jput foo '{"type":1}'
	expect 204 ""
	expect_read foo
	jput foo '{"type":"bogus","name":"x","cpu_nanos":2}'
	expect 204 ""
	expect_read foo "" "" 2
	call GET "$IT/x"
	expect 404 "$E_NONE"
	jput foo '{"name":["a"],"type":{"a":1}}'
	expect 204 ""
	expect_read foo
	jput foo '{"type":1,"cgroup_parent":"/cpulimit/","memory_bytes":1234,"cpu_nanos":5678,"oci_runtime":"runtime","rootless":true}'
	expect 204 ""
	expect_read foo runtime /cpulimit/ 5678 1234 true
	call GET "$RT"
	expect_ok "$(runtimes "$(rt foo runtime /cpulimit/ 5678 1234 true)")"
	fput foo 'type=1&name=y&cpu_nanos=3'
	expect 204 ""
	expect_read foo "" "" 3
}

test_unknown_body_fields_and_query_on_writes() {
	jput u '{"bogus":1,"cpu_nanos":2,"also":[1,{}]}'
	expect 204 ""
	expect_read u "" "" 2
	# A write takes its fields from the body, never from the query.
	call PUT "$IT/u?cpu_nanos=5&bogus=1" --data '{}'
	expect 204 ""
	expect_read u
}

# ------------------------------------------------- request bodies (§3)

test_form_bodies() {
	fput f 'cpu_nanos=1000&rootless=true'
	expect 204 ""
	expect_read f "" "" 1000 0 true
	call PUT "$IT/f" \
	    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
	    --data-binary 'oci_runtime=a+b&cgroup_parent=%2Fx%2F&memory_bytes=0x10'
	expect 204 ""
	expect_read f "a b" /x/ 0 16
	call PUT "$IT/f" -H 'Content-Type: Application/X-WWW-Form-URLEncoded' \
	    --data-binary 'memory_bytes=7'
	expect 204 ""
	expect_read f "" "" 0 7
	# curl's default Content-Type for --data is the form type.
	call PUT "$IT/f" --data 'cpu_nanos=3&rootless'
	expect 204 ""
	expect_read f "" "" 3
	fput f 'oci_runtime=a&oci_runtime=b&oci_runtime=c&bogus=1'
	expect 204 ""
	expect_read f a,b,c
	fput f 'cpu_nanos=1&cpu_nanos=2'
	expect 400 "$(fverr 1,2 cpu_nanos "$(int_syntax 1,2)")"
	fput f 'rootless=yes'
	expect 400 "$(fverr yes rootless "$(bool_syntax yes)")"
	fput f ''
	expect 204 ""
	expect_read f
}

# A form-typed body whose first non-blank byte (within 512) is { or [ is JSON.
test_form_type_with_json_body() {
	fput j '{"cpu_nanos":7}'
	expect 204 ""
	expect_read j "" "" 7
	fput j $' \n\t\r{"cpu_nanos":8}'
	expect 204 ""
	expect_read j "" "" 8
	fput j "$(bytes 511 ' '){\"cpu_nanos\":9}"
	expect 204 ""
	expect_read j "" "" 9
	# Beyond the 512-byte peek it is a form: one unknown key, no fields.
	fput j "$(bytes 512 ' '){\"cpu_nanos\":9}"
	expect 204 ""
	expect_read j
	fput j '[{"cpu_nanos":1}]'
	expect 400 "$E_JSON"
	fput j '{"cpu_nanos":'
	expect 400 "$E_JSON"
	# Not the form type: JSON, whatever it looks like.
	call PUT "$IT/j" -H 'Content-Type: text/plain' --data-binary 'cpu_nanos=1'
	expect 400 "$E_JSON"
	call PUT "$IT/j" -H 'Content-Type: application/x-www-form-urlencodedx' \
	    --data-binary 'cpu_nanos=1'
	expect 400 "$E_JSON"
	call PUT "$IT/j" -H 'Content-Type: multipart/form-data; boundary=x' \
	    --data-binary 'cpu_nanos=1'
	expect 400 "$E_JSON"
}

test_bad_form_bodies() {
	local body
	for body in 'a=%zz' '%zz=1' 'cpu_nanos=1%' 'a=1;b=2' 'cpu_nanos=%G1'; do
		fput bf "$body"
		expect 400 "$E_FORM" "form '$body'"
		expect_headers
	done
	TOKEN=
	fput bf 'a=%zz'
	expect 400 "$E_FORM" "bad form without a token"
	TOKEN=$ROOT_TOKEN
	call GET "$IT/bf"
	expect 404 "$E_NONE"
}

test_json_body_errors() {
	local body
	for body in '[]' '[{"cpu_nanos":1}]' '"x"' '1' 'true' 'false' '{' \
	    '{"cpu_nanos":1' '{"cpu_nanos":}' 'nul' "{'a':1}" '{"a":1,}' \
	    '{"a" 1}' '{"a":1,"a":2}' '{"cpu_nanos":1,"cpu_nanos":1}' \
	    '{"oci_runtime":{"k":1,"k":2}}' $'{"oci_runtime":"\xff"}' \
	    $'{"\xc3":1}' $'{"oci_runtime":"\xc0\xaf"}' \
	    $'{"oci_runtime":"\xed\xa0\x80"}' '{"oci_runtime":"a\u0000b"}' \
	    '{"a\u0000":1}' '{"oci_runtime":"\x"}' $'{"oci_runtime":"a\nb"}'; do
		jput je "$body"
		expect 400 "$E_JSON" "JSON body '$body'"
	done
	expect_headers
	# Whatever the Content-Type (none, other), and before authentication.
	call PUT "$IT/je" -H 'Content-Type:' --data-binary '[]'
	expect 400 "$E_JSON"
	call PUT "$IT/je" -H 'Content-Type: text/plain' --data-binary '{'
	expect 400 "$E_JSON"
	TOKEN=
	jput je '{"a":1,"a":2}'
	expect 400 "$E_JSON" "bad JSON without a token"
	TOKEN=bogus
	jput je '{'
	expect 400 "$E_JSON" "bad JSON with an unknown token"
	TOKEN=$ROOT_TOKEN
	call GET "$IT/je"
	expect 404 "$E_NONE"
}

# What a body after the JSON object gets is not settled: Vault reads only
# the first value (204, cpu 1); SPEC §3 says anything that is not an object
# is rejected (400).  Either is accepted here, nothing else.
test_json_trailing_bytes() {
	local body
	for body in '{"cpu_nanos":1}x' '{"cpu_nanos":1}{"cpu_nanos":2}'; do
		jput tb "$body"
		if [ "$STATUS" = 204 ]; then
			expect 204 ""
			expect_read tb "" "" 1
		else
			expect 400 "$E_JSON" "JSON with trailing bytes '$body'"
		fi
	done
	jput tb $'{"cpu_nanos":4} \n\t '
	expect 204 ""
	expect_read tb "" "" 4
}

test_json_strings_and_utf8() {
	jput utf '{"oci_runtime":"é€😀","cgroup_parent":"\u00e9\ud83d\ude00\/x"}'
	expect 204 ""
	expect_read utf "é€😀" "é😀/x"
}

# Go escapes <, > and & (and U+2028/2029) in every string it encodes.
test_go_style_escaping() {
	jput esc '{"oci_runtime":"<a&b>"}'
	expect 204 ""
	expect_read esc '\u003ca\u0026b\u003e'
	call GET "$RT?list=true"
	expect_ok "$(runtimes "$(rt esc '\u003ca\u0026b\u003e')")"
	jput esc '{"cgroup_parent":"q\"b\\s/\n\t\r\u0001é\u2028\u2029"}'
	expect 204 ""
	expect_read esc "" 'q\"b\\s/\n\t\r\u0001é\u2028\u2029'
	call GET "$RT?type=%3Cx%3E"
	expect 400 '{"errors":["\"\u003cx\u003e\" is not a supported plugin runtime type"]}'
}

test_body_size_limit() {
	local f1=$TMPROOT/limit-ok f2=$TMPROOT/limit-over f3=$TMPROOT/limit-3m

	{ printf '{"oci_runtime":"'; bytes 1048558 x; printf '"}'; } >"$f1"
	{ printf '{"oci_runtime":"'; bytes 1048559 x; printf '"}'; } >"$f2"
	assertEquals "limit file" 1048576 "$(wc -c <"$f1")"
	assertEquals "over-limit file" 1048577 "$(wc -c <"$f2")"

	call PUT "$IT/big" -H 'Content-Type: application/json' --data-binary @"$f1"
	expect 204 "" "PUT of exactly 1048576 bytes"
	call GET "$IT/big"
	assertEquals "read back the big runtime" 200 "$STATUS"
	assertEquals "big oci_runtime length" 1048558 \
	    "$(jq -r '.data.oci_runtime|length' "$RAW")"

	call PUT "$IT/big2" -H 'Content-Type: application/json' --data-binary @"$f2"
	expect 413 "$E_BIG" "PUT of 1048577 bytes"
	expect_headers
	call PUT "$IT/big2" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary @"$f2"
	expect 413 "$E_BIG" "chunked PUT of 1048577 bytes"
	call PUT "$IT/big2" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary @"$f1"
	expect 204 "" "chunked PUT of exactly 1048576 bytes"
	TOKEN=
	call POST "$IT/big3" --data-binary @"$f2"
	expect 413 "$E_BIG" "over the limit without a token"
	TOKEN=$ROOT_TOKEN
	# Above lighttpd's own cap the answer is the same JSON.
	{ printf '{"oci_runtime":"'; bytes $((3 * 1048576)) x; printf '"}'; } >"$f3"
	call PUT "$IT/big3" -H 'Content-Type: application/json' --data-binary @"$f3"
	expect 413 "$E_BIG" "PUT of 3 MiB"
	expect_headers nocache
	call GET "$IT/big3"
	expect 404 "$E_NONE"
	rm -f "$f1" "$f2" "$f3"
}

# Bodies of GET and DELETE are ignored (SPEC §3).
test_bodies_of_other_methods_ignored() {
	jput ig '{"cpu_nanos":1}'
	expect 204 ""
	call DELETE "$IT/ig" -H 'Content-Type: application/json' --data-binary '{'
	expect 204 "" "DELETE with a bad body"
	# lighttpd 1.4 itself refuses GET with a body (400) before catalogd
	# sees it (README, differences from Vault); the answer is still JSON.
	# nginx passes it on, and catalogd ignores the body as Vault does.
	jput ig '{"cpu_nanos":1}'
	call GET "$IT/ig" -H 'Content-Type: application/json' --data-binary '{'
	if [ "$FRONTEND" = nginx ]; then
		expect_ok "$(rt ig "" "" 1)"
	else
		assertEquals "GET with a body: status ($BODY)" 400 "$STATUS"
		assertEquals '{"errors":["bad request"]}' "$BODY"
	fi
	call GET "$IT/ig"
	expect_ok "$(rt ig "" "" 1)"
}

# lighttpd answers a POST without Content-Length itself (SPEC §7); nginx
# passes it on and it is a write with no fields, as in Vault.
test_post_without_body() {
	call POST "$IT/nobody"
	if [ "$FRONTEND" = nginx ]; then
		expect 204 ""
		call GET "$IT/nobody"
		expect_ok "$(rt nobody)"
		return 0
	fi
	assertEquals "POST without a body: status ($BODY)" 411 "$STATUS"
	expect_headers nocache
	jq -e '(.errors|length) == 1 and (.errors[0]|contains("--data"))' \
	    "$RAW" >/dev/null
	assertTrue "411 body tells to send --data: $BODY" $?
}

# ----------------------------------------------------------- methods (§3)

test_list_parameter_spellings() {
	local v obj
	jput l '{"cpu_nanos":1}'
	expect 204 ""
	obj=$(runtimes "$(rt l "" "" 1)")
	# A list drops "list"; a plain read keeps it as an unknown parameter.
	for v in 1 t T TRUE true True; do
		call GET "$RT?list=$v"
		expect_ok "$obj"
	done
	for v in 0 f F FALSE false False ''; do
		call GET "$RT?list=$v"
		expect_ok "$obj" "$(warn "$IGNORED" list)"
	done
	call GET "$IT/l?list=false"
	expect_ok "$(rt l "" "" 1)" "$(warn "$IGNORED" list)"
	# The first value decides.
	call GET "$RT?list=true&list=maybe"
	expect_ok "$obj"
	call GET "$RT?list=false&list=true"
	expect_ok "$obj" "$(warn "$IGNORED" list)"
	for v in maybe yes TRue 2 -1 on; do
		call GET "$RT?list=$v"
		expect 400 "$E_NONE"
		expect_headers
	done
	call GET "$IT/l?list=maybe"
	expect 400 "$E_NONE"
	TOKEN=
	call GET "$RT?list=maybe"
	expect 400 "$E_NONE" "bad list without a token"
}

test_unknown_methods() {
	local m list_body
	if [ "$FRONTEND" = nginx ]; then
		# nginx passes every method on: LIST lists, others get 405.
		call LIST "$RT"
		expect_ok '{"runtimes":[]}'
		call FOO "$RT"
		expect 405 "$E_NONE"
		expect_headers
	else
		call LIST "$RT"
		list_body=$(cat "$RAW"; echo .)
		assertEquals "LIST status" 501 "$STATUS"
		# A method lighttpd does not know gets its 501 (SPEC §7).
		call FOO "$RT"
		assertEquals "FOO status ($BODY)" 501 "$STATUS"
		expect_headers nocache
		assertEquals "FOO gets the same JSON body as LIST" \
		    "$list_body" "$(cat "$RAW"; echo .)"
	fi
	# Methods the front end passes on get Vault's 405 {"errors":[]}.
	for m in PROPFIND MKCOL COPY MOVE TRACE OPTIONS; do
		call $m "$RT"
		expect 405 "$E_NONE"
		expect_headers
		call $m "$IT/foo"
		expect 405 "$E_NONE"
		TOKEN=
		call $m "$IT/foo"
		expect 405 "$E_NONE" "$m without a token"
		TOKEN=$ROOT_TOKEN
	done
	LAST="HEAD /v1/$IT/foo"
	STATUS=$(curl -s -o "$RAW" -D "$HDRS" -w '%{http_code}' --max-time 10 \
	    --head -H "X-Vault-Token: $TOKEN" "$BASE/$IT/foo")
	assertEquals "HEAD status" 405 "$STATUS"
	expect_headers
}

# PATCH: Vault parses the Content-Type with Go's mime.ParseMediaType: its
# error is a 400, a type other than application/merge-patch+json a 415
# naming the parsed (lowercased, parameter-free) type, and with that type
# the route has no patch handler (405).  A PATCH never changes anything.
test_patch_changes_nothing() {
	jput p '{"cpu_nanos":1}'
	expect 204 ""
	call PATCH "$IT/p" -H 'Content-Type: application/json' \
	    --data '{"cpu_nanos":2}'
	expect 415 "$(errjson 'PATCH requires Content-Type of application/merge-patch+json, provided application/json')"
	call PATCH "$IT/p" -H 'Content-Type: Text/Plain; charset=utf-8' \
	    --data '{"cpu_nanos":2}'
	expect 415 "$(errjson 'PATCH requires Content-Type of application/merge-patch+json, provided text/plain')"
	call PATCH "$IT/p" -H 'Content-Type: application/merge-patch+jsonx' \
	    --data '{"cpu_nanos":2}'
	expect 415 "$(errjson 'PATCH requires Content-Type of application/merge-patch+json, provided application/merge-patch+jsonx')"
	call PATCH "$IT/p"
	expect 400 "$(errjson 'mime: no media type')"
	call PATCH "$IT/p" -H 'Content-Type: text/plain; charset' --data '{}'
	expect 400 "$(errjson 'mime: invalid media parameter')"
	call PATCH "$IT/p" -H 'Content-Type: application/merge-patch+json' \
	    --data '{"cpu_nanos":2}'
	expect 405 "$E_OP"
	call PATCH "$IT/p" -H 'Content-Type: application/Merge-Patch+JSON; charset=utf-8' \
	    --data '{"cpu_nanos":2}'
	expect 405 "$E_OP"
	expect_read p "" "" 1
}

test_trailing_slash_write() {
	local p m
	jput foo '{"cpu_nanos":1}'
	expect 204 ""
	for p in "$IT/foo/" "$IT/new/" "$RT/" "$IT/" "$RT/docker/x/"; do
		for m in PUT POST; do
			call $m "$p" --data '{"cpu_nanos":2}'
			expect 400 "$E_SLASH"
			expect_headers
			TOKEN=
			call $m "$p" --data '{"cpu_nanos":2}'
			expect 400 "$E_SLASH" "$m $p without a token"
			TOKEN=bad,token
			call $m "$p" --data '{"cpu_nanos":2}'
			expect 400 "$E_SLASH" "$m $p with a malformed token"
			TOKEN=$ROOT_TOKEN
		done
	done
	expect_read foo "" "" 1
	call GET "$IT/new"
	expect 404 "$E_NONE"
}

# ------------------------------------------------------------ routing (§4)

test_no_route_is_unsupported_path() {
	local p
	jput foo '{"cpu_nanos":1}'
	expect 204 ""
	for p in "$RT/docker/foo" "$RT/CONTAINER/foo" "$RT/Container/foo" \
	    "$IT/-bad" "$IT/bad-" "$IT/.bad" "$IT/bad." "$IT/-" "$IT/." \
	    "$IT/a%20b" "$IT/a+b" "$IT/a@b" "$IT/a:b" "$IT/%C3%A9" \
	    "$IT/a%2Fb" "$IT/f%2566oo"; do
		call PUT "$p" --path-as-is --data '{"cpu_nanos":2}'
		expect 404 "$E_PATH"
		call GET "$p" --path-as-is
		expect 404 "$E_PATH"
		call DELETE "$p" --path-as-is
		expect 404 "$E_PATH"
	done
	expect_headers
	# A %2F is decoded before the trailing-slash check, as Go does.
	call GET "$IT/foo%2F"
	expect 404 "$E_PATH"
	call DELETE "$IT/foo%2F"
	expect 404 "$E_PATH"
	call PUT "$IT/foo%2F" --data '{}'
	expect 400 "$E_SLASH"
	for p in "$IT/foo/" "$IT" "$IT/" "$IT/foo/bar" "$RT/container/foo/x" \
	    sys/plugins/runtimes sys/plugins/runtimes/ sys/plugins/runtimes/catalogx \
	    sys/plugins sys/bogus bogus "" "$RT/docker" "$RT/container/"; do
		call GET "$p"
		expect 404 "$E_PATH"
	done
	call DELETE "$IT/foo/"
	expect 404 "$E_PATH"
	expect_read foo "" "" 1
}

# Routing uses the raw path decoded once, never a normalised one: none of
# these reach container/foo even though it exists.
test_no_path_normalisation() {
	local p
	jput foo '{"cpu_nanos":1}'
	expect 204 ""
	for p in "$IT/x/%2e%2e/foo" "$IT/%2e%2e/container/foo" \
	    "$IT/x%2F%2e%2e%2Ffoo" "$IT/x/%2E%2E/foo" "$IT/x/../foo" \
	    "$IT/./foo" "$IT/%2e/foo" "$IT//foo" "sys//plugins/runtimes/catalog/container/foo" \
	    "/$IT/foo" "$RT/container/x/..%2Ffoo"; do
		call GET "$p" --path-as-is
		expect 404 "$E_PATH"
		call PUT "$p" --path-as-is --data '{"cpu_nanos":9}'
		expect 404 "$E_PATH"
		call DELETE "$p" --path-as-is
		expect 404 "$E_PATH"
	done
	expect_read foo "" "" 1
	# Decoding happens exactly once, so an escaped valid name is that name.
	call GET "$IT/f%6Fo" --path-as-is
	expect_ok "$(rt foo "" "" 1)"
	call PUT "$IT/a%2Eb" --path-as-is --data '{}'
	expect 204 ""
	expect_read a.b
}

# A path with a control byte or another rune Go's unicode.IsPrint refuses:
# Vault's outermost handler (cleanhttp.PrintablePathCheckHandler) answers
# 400 with no body before anything else; SPEC §3 said 404, reality wins.
# Invalid UTF-8 decodes to U+FFFD, which is printable: that one is routed.
test_control_bytes_in_path() {
	local p
	for p in "$IT/f%00oo" "$IT/f%01oo" "$IT/f%0Aoo" "$IT/foo%7F" "$IT/%1F" \
	    "$IT/a%C2%A0b" "$IT/a%E2%80%8Bb" "sys/health%0A"; do
		call GET "$p" --path-as-is
		# nginx refuses a %00 in the request line itself (README).
		if [ "$FRONTEND" = nginx ] && [ "$p" = "$IT/f%00oo" ]; then
			assertEquals "$LAST: status" 400 "$STATUS"
			continue
		fi
		expect 400 ""
		call PUT "$p" --path-as-is --data '{}'
		expect 400 ""
		TOKEN='' call GET "$p" --path-as-is
		expect 400 ""
	done
	# lighttpd itself refuses a path that is not valid UTF-8 (README).
	call GET "$IT/a%FFb" --path-as-is
	if [ "$FRONTEND" = lighttpd ]; then
		expect 400 "$(errjson 'bad request')"
	else
		expect 404 "$E_PATH"
	fi
}

test_route_exists_operation_unsupported() {
	local p
	call POST "$RT" --data '{}'
	expect 405 "$E_OP"
	expect_headers
	call PUT "$RT" --data '{"type":"container"}'
	expect 405 "$E_OP"
	# The operation is checked before the fields are converted.
	call POST "$RT" --data '{"type":["x"]}'
	expect 405 "$E_OP"
	call DELETE "$RT?type=a&type=b"
	expect 405 "$E_OP"
	for p in "$RT" "$RT/"; do
		call DELETE "$p"
		expect 405 "$E_OP"
	done
	# A list of an item is a path with '/' appended: no route (Vault).
	jput foo '{}'
	call GET "$IT/foo?list=true"
	expect 404 "$E_PATH"
	# Without a token it is 403 first: authorisation precedes routing.
	TOKEN=
	call POST "$RT" --data '{}'
	expect 403 "$E_DENIED"
	call DELETE "$RT"
	expect 403 "$E_DENIED"
}

test_names() {
	local n n256 n257
	n256=a$(bytes 254 b)c
	n257=a$(bytes 255 b)c
	assertEquals 256 "${#n256}"
	for n in a Z 9 _ a.b a-b a..b a--b a_b a.-_b x.y-z_1 1.2.3 _x_ A-Z.0 "$n256"; do
		jput "$n" '{"cpu_nanos":1}'
		expect 204 "" "PUT name $n"
		expect_read "$n" "" "" 1
	done
	call DELETE "$IT/$n256"
	expect 204 ""
	call GET "$IT/$n256"
	expect 404 "$E_NONE"
	jput "$n256" '{}'
	expect 204 ""
	call GET "$RT?list=true"
	jq -e --arg n "$n256" '[.data.runtimes[].name] | index($n) != null' \
	    "$RAW" >/dev/null
	assertTrue "the 256-byte name is listed" $?
	for n in "$n257" "${n256}d"; do
		jput "$n" '{}'
		expect 404 "$E_PATH" "PUT 257-byte name"
		call GET "$IT/$n"
		expect 404 "$E_PATH" "GET 257-byte name"
		call DELETE "$IT/$n"
		expect 404 "$E_PATH" "DELETE 257-byte name"
	done
}

# --------------------------------------------------------- read / delete

test_read_absent() {
	call GET "$IT/absent"
	expect 404 "$E_NONE"
	expect_headers
	call GET "$IT/absent?foo=1"
	expect 404 "$E_NONE"
}

test_delete() {
	jput d '{"cpu_nanos":1}'
	expect 204 ""
	call DELETE "$IT/d"
	expect 204 ""
	expect_headers
	call GET "$IT/d"
	expect 404 "$E_NONE"
	call DELETE "$IT/d"
	expect 404 "$E_NOTFOUND"
	expect_headers
	call DELETE "$IT/never-registered"
	expect 404 "$E_NOTFOUND"
	# Deleting one runtime leaves the others.
	jput d1 '{"cpu_nanos":1}'
	jput d2 '{"cpu_nanos":2}'
	call DELETE "$IT/d1"
	expect 204 ""
	call GET "$RT"
	expect_ok "$(runtimes "$(rt d2 "" "" 2)")"
}

# ----------------------------------------------------------------- lists

test_list_empty() {
	local p
	for p in "$RT" "$RT/" "$RT?list=true" "$RT/?list=true" \
	    "$RT?type=container" "$RT?type=" "$RT?list=true&type=container"; do
		call GET "$p"
		expect_ok '{"runtimes":[]}'
		expect_headers
	done
	call GET "$RT?list=true&foo=1"
	expect_ok '{"runtimes":[]}' "$(warn "$IGNORED" foo)"
}

test_list_sorted_bytewise() {
	local obj
	jput b '{"cpu_nanos":2}'
	jput a '{"cpu_nanos":1}'
	jput C '{"cpu_nanos":3}'
	obj=$(runtimes "$(rt C "" "" 3)" "$(rt a "" "" 1)" "$(rt b "" "" 2)")
	call GET "$RT"
	expect_ok "$obj"
	call GET "$RT?list=true"
	expect_ok "$obj"
	call GET "$RT/"
	expect_ok "$obj"
	call GET "$RT/?list=true"
	expect_ok "$obj"
}

test_list_names_with_dots_and_dashes() {
	local n obj=
	for n in b a_b a.b a-b 9z a A_ A-B.c ab aa; do
		jput "$n" '{}'
		expect 204 ""
	done
	for n in 9z A-B.c A_ a a-b a.b a_b aa ab b; do
		obj=$obj${obj:+,}$(rt "$n")
	done
	call GET "$RT?list=true"
	expect_ok "{\"runtimes\":[$obj]}"
}

# A list larger than a worker holds at once (it reads 512 runtimes per
# transaction) is one JSON answer, sorted bytewise, with every runtime once;
# runtimes written while it is read never tear it, and those that stay
# throughout are all in it.
test_list_in_parts() {
	local n=1300 got want names churn i head tail
	seq -f '%04g' 1 "$n" | xargs -P 8 -I{} curl -s -o /dev/null \
	    --max-time 10 -X PUT -H "X-Vault-Token: $ROOT_TOKEN" \
	    --data '{"cpu_nanos":1{}}' "$BASE/$RT/container/p{}"
	call GET "$RT?list=true"
	assertEquals "status" 200 "$STATUS"
	names=$(jq -r '.data.runtimes[].name' "$RAW")
	want=$(seq -f 'p%04g' 1 "$n")
	assertEquals "every runtime once, in order" "$want" "$names"
	got=$(jq -r '.data.runtimes[] | select(.cpu_nanos != ((.name[1:] | tonumber) + 10000)) | .name' "$RAW")
	assertEquals "every record whole" "" "$got"
	head='{"request_id":"ID","lease_id":"","renewable":false,"lease_duration":0,"data":{"runtimes":[{'
	tail='}]},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"system"}'
	assertEquals "the envelope" "$head" "$(strip_id <"$RAW" | head -c ${#head})"
	assertEquals "the envelope's end, and Go's newline" "$tail"$'\n.' \
	    "$(tail -c $((${#tail} + 1)) "$RAW"; echo .)"
	# Writers of other names while lists are read: each list is sorted,
	# has no duplicate, and holds every p-name.
	( for i in $(seq 1 150); do
		curl -s -o /dev/null --max-time 10 -X PUT \
		    -H "X-Vault-Token: $ROOT_TOKEN" --data '{}' \
		    "$BASE/$RT/container/q$((i % 40))"
		curl -s -o /dev/null --max-time 10 -X DELETE \
		    -H "X-Vault-Token: $ROOT_TOKEN" \
		    "$BASE/$RT/container/q$(((i + 20) % 40))"
	  done ) &
	churn=$!
	for i in 1 2 3 4 5; do
		call GET "$RT?list=true"
		assertEquals "list $i under writes: status" 200 "$STATUS"
		names=$(jq -r '.data.runtimes[].name' "$RAW")
		assertEquals "list $i: sorted, no duplicate" \
		    "$(echo "$names" | LC_ALL=C sort -u)" "$names"
		assertEquals "list $i: every p-name" "$want" \
		    "$(echo "$names" | grep '^p')"
	done
	wait "$churn"
}

test_list_type_filter() {
	local obj v
	jput t '{"cpu_nanos":1}'
	obj=$(runtimes "$(rt t "" "" 1)")
	for v in '?type=container' '?type=' '?list=true&type=container' \
	    '?list=true&type='; do
		call GET "$RT$v"
		expect_ok "$obj"
	done
	for v in foo CONTAINER Container unsupported docker ' container'; do
		call GET "$RT?type=${v// /%20}"
		expect 400 "$(errjson "\"$v\" is not a supported plugin runtime type")"
		call GET "$RT?list=true&type=${v// /%20}"
		expect 400 "$(errjson "\"$v\" is not a supported plugin runtime type")"
	done
	expect_headers
	# Go's %q quoting of the value.
	call GET "$RT?type=%22q%22"
	expect 400 '{"errors":["\"\\\"q\\\"\" is not a supported plugin runtime type"]}'
	call GET "$RT?type=a%09b"
	expect 400 '{"errors":["\"a\\tb\" is not a supported plugin runtime type"]}'
	call GET "$RT?type=a&type=b"
	expect 400 "$(fverr '[a b]' type "'' expected type 'string', got unconvertible type '[]string', value: '[a b]'")"
	call GET "$RT?list=true&type=container&type=container"
	expect 400 "$(fverr '[container container]' type "'' expected type 'string', got unconvertible type '[]string', value: '[container container]'")"
	# Validation runs after authentication.
	TOKEN=
	call GET "$RT?type=foo"
	expect 403 "$E_DENIED"
}

# ------------------------------------------------------ envelope (§3)

test_warnings_for_unknown_query_parameters() {
	jput w '{"cpu_nanos":1}'
	call GET "$IT/w?foo=1&bar=2"
	expect_ok "$(rt w "" "" 1)" "$(warn "$IGNORED" 'bar foo')"
	call GET "$IT/w?foo=1&foo=2"
	expect_ok "$(rt w "" "" 1)" "$(warn "$IGNORED" foo)"
	call GET "$IT/w?b=1&B=1&a=1&_=1"
	expect_ok "$(rt w "" "" 1)" "$(warn "$IGNORED" 'B _ a b')"
	call GET "$RT?zeta=1&alpha=2"
	expect_ok "$(runtimes "$(rt w "" "" 1)")" "$(warn "$IGNORED" 'alpha zeta')"
	call GET "$RT?list=true&zeta=1&alpha=2"
	expect_ok "$(runtimes "$(rt w "" "" 1)")" "$(warn "$IGNORED" 'alpha zeta')"
	# Known fields give no warning; URL captures overwrite query fields.
	call GET "$IT/w?cpu_nanos=5&memory_bytes=1&rootless=true&oci_runtime=x&cgroup_parent=y"
	expect_ok "$(rt w "" "" 1)"
	call GET "$IT/w?name=other"
	expect_ok "$(rt w "" "" 1)" "$(warn "$REPLACED" name)"
	call GET "$IT/w?type=docker&foo=1"
	expect_ok "$(rt w "" "" 1)" \
	    "[\"$IGNORED: [foo]\",\"$REPLACED: [type]\"]"
	# Writes and deletes answer 204 without a body, so without warnings.
	call PUT "$IT/w" --data '{"foo":1,"cpu_nanos":2}'
	expect 204 ""
	call DELETE "$IT/w?foo=1"
	expect 204 ""
}

test_envelope_request_ids_and_headers() {
	local id1 id2 id3
	jput e '{"cpu_nanos":1}'
	expect 204 ""
	expect_headers
	call GET "$IT/e"
	expect_ok "$(rt e "" "" 1)"
	expect_headers
	assertEquals "one line" 1 "$(wc -l <"$RAW")"
	id1=$(jq -r .request_id "$RAW")
	call GET "$IT/e"
	id2=$(jq -r .request_id "$RAW")
	call GET "$RT?list=true"
	expect_ok "$(runtimes "$(rt e "" "" 1)")"
	expect_headers
	id3=$(jq -r .request_id "$RAW")
	assertNotEquals "request ids differ" "$id1" "$id2"
	assertNotEquals "request ids differ" "$id2" "$id3"
	assertNotEquals "request ids differ" "$id1" "$id3"
	# Error answers: the envelope is only {"errors":[...]}.
	call GET "$IT/nope"
	expect 404 "$E_NONE"
	expect_headers
	call GET "$RT/docker/x"
	expect 404 "$E_PATH"
	expect_headers
	call POST "$RT" --data '{}'
	expect 405 "$E_OP"
	expect_headers
	jput e '{'
	expect 400 "$E_JSON"
	expect_headers
	TOKEN=
	call GET "$IT/e"
	expect 403 "$E_DENIED"
	expect_headers
}

# ------------------------------------------------------ authentication

# tcall METHOD PATH [curl args]: call with no X-Vault-Token of our own.
tcall() {
	local saved=$TOKEN
	TOKEN=
	call "$@"
	TOKEN=$saved
}

test_missing_unknown_and_malformed_tokens() {
	local t p
	jput foo '{"cpu_nanos":1}'
	expect 204 ""
	for p in "$IT/foo" "$IT/absent" "$RT" "$RT?list=true" "$RT/docker/x" "$RT?type=foo"; do
		tcall GET "$p"
		expect 403 "$E_DENIED" "GET $p without a token"
	done
	expect_headers
	tcall PUT "$IT/foo" --data '{"cpu_nanos":5}'
	expect 403 "$E_DENIED"
	tcall PUT "$IT/foo" --data '{"cpu_nanos":"abc"}'
	expect 403 "$E_DENIED"
	tcall PUT "$IT/foo" --data '{"cpu_nanos":-1}'
	expect 403 "$E_DENIED"
	tcall DELETE "$IT/foo"
	expect 403 "$E_DENIED"
	tcall POST "$RT" --data '{}'
	expect 403 "$E_DENIED"
	for t in nope root "${ROOT_TOKEN}x" "${ROOT_TOKEN^^}" "$(bytes 256 a)" \
	    'a b' 'a,b' 'a;b' 'a/b' 'a+b' $'t\xc3\xb6k' "$(bytes 257 a)" \
	    "$ROOT_TOKEN,$ROOT_TOKEN" "\"$ROOT_TOKEN\""; do
		tcall GET "$IT/foo" -H "X-Vault-Token: $t"
		expect 403 "$E_DENIED" "token '$t'"
		tcall PUT "$IT/foo" -H "X-Vault-Token: $t" --data '{"cpu_nanos":5}'
		expect 403 "$E_DENIED" "PUT with token '$t'"
		tcall GET "$RT/docker/x" -H "X-Vault-Token: $t"
		expect 403 "$E_DENIED" "no route with token '$t'"
	done
	expect_read foo "" "" 1
}

test_bearer_tokens() {
	local a
	jput foo '{"cpu_nanos":1}'
	tcall GET "$IT/foo" -H "Authorization: Bearer $ROOT_TOKEN"
	expect_ok "$(rt foo "" "" 1)"
	tcall GET "$IT/foo" -H "Authorization: Bearer    $ROOT_TOKEN"
	expect_ok "$(rt foo "" "" 1)"
	tcall PUT "$IT/foo" -H "Authorization: Bearer $ROOT_TOKEN" \
	    --data '{"cpu_nanos":2}'
	expect 204 ""
	tcall DELETE "$IT/foo" -H "Authorization: Bearer $ROOT_TOKEN"
	expect 204 ""
	for a in "bearer $ROOT_TOKEN" "BEARER $ROOT_TOKEN" "Bearer" \
	    "Bearer$ROOT_TOKEN" "Token $ROOT_TOKEN" "Basic $ROOT_TOKEN" \
	    "$ROOT_TOKEN" "Bearer nope"; do
		tcall GET "$RT" -H "Authorization: $a"
		expect 403 "$E_DENIED" "Authorization: $a"
	done
	# X-Vault-Token takes precedence over Authorization.
	tcall GET "$RT" -H "X-Vault-Token: nope" \
	    -H "Authorization: Bearer $ROOT_TOKEN"
	expect 403 "$E_DENIED" "bad X-Vault-Token, good Bearer"
	tcall GET "$RT" -H "X-Vault-Token: $ROOT_TOKEN" \
	    -H "Authorization: Bearer nope"
	expect_ok '{"runtimes":[]}'
	# An empty X-Vault-Token is absent.
	tcall GET "$RT" -H "X-Vault-Token;" -H "Authorization: Bearer $ROOT_TOKEN"
	expect_ok '{"runtimes":[]}'
}

# Go reads the first of repeated headers (lighttpd joins them with ", ").
test_repeated_auth_headers() {
	tcall GET "$RT" -H "Authorization: Basic eHg6eXk=" \
	    -H "Authorization: Bearer $ROOT_TOKEN"
	# nginx refuses a repeated Authorization header itself (README).
	if [ "$FRONTEND" = nginx ]; then
		assertEquals "$LAST: status" 400 "$STATUS"
	else
		expect_ok '{"runtimes":[]}'
	fi
	tcall GET "$RT" -H "X-Vault-Token: $ROOT_TOKEN" \
	    -H "X-Vault-Token: $ROOT_TOKEN"
	expect_ok '{"runtimes":[]}'
}

# ---------------------------------------------------------------- health

test_health() {
	local t now shape
	shape='{"initialized":true,"sealed":false,"standby":false,"performance_standby":false,"replication_performance_mode":"disabled","replication_dr_mode":"disabled","server_time_utc":N,"version":"V","cluster_name":"catalogd-cluster-C8","cluster_id":"C"}'
	for t in "" nope 'a b'; do
		TOKEN=$t
		call GET sys/health
		now=$(date +%s)
		assertEquals "health with token '$t': status ($BODY)" 200 "$STATUS"
		assertEquals "health body" "$shape"$'\n.' "$(sed -e \
		    's/"server_time_utc":[0-9]\{1,\}/"server_time_utc":N/' -e \
		    's/"version":"[^"\\]\{1,\}",/"version":"V",/' -e \
		    's/"cluster_name":"catalogd-cluster-\([0-9a-f]\{8\}\)","cluster_id":"\1-[0-9a-f-]\{27\}"}$/"cluster_name":"catalogd-cluster-C8","cluster_id":"C"}/' \
		    "$RAW"; echo .)"
		jq -e --argjson now "$now" '(.server_time_utc|type) == "number" and
		    (.server_time_utc - $now | fabs) < 300 and
		    (.version|type) == "string" and (.version|length) > 0' \
		    "$RAW" >/dev/null
		assertTrue "server_time_utc is now, version a string: $BODY" $?
		expect_headers
	done
}

. "$SHUNIT2"
