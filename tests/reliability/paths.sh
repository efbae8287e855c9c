#!/usr/bin/env bash
# paths.sh: reliability check 9, the path table.  Request lines with
# encoded slashes and dots, empty and dot segments, trailing slashes, bad
# and overlong UTF-8, control bytes, edge names and lengths, wrong type
# segments, odd request targets and every method, each sent as written
# (curl --path-as-is, or --request-target) to one deployment; every row
# states the answer expected behind each front end and what Vault answers.
#
# The expected answer is Vault's unless the README says why catalogd
# differs.  Where a row's expected answer differs from Vault's, the row
# names the difference, and test_differences_are_documented fails for any
# named difference the README does not describe.  A row whose expected
# answer is Vault's but whose real answer is not is a server defect and
# fails where it stands.  Last,
# with the server stopped, the runtimes database may hold only keys
# "container\0<name>" with names that match Vault's name pattern.
. "$(dirname "$0")/../lib.sh"

RT=/v1/sys/plugins/runtimes/catalog
IT=$RT/container
HDRS=$TMPROOT/headers
README=$CATALOGD_SRCDIR/README.md
D=(--data '{"cpu_nanos":1}')
N256=$(printf 'n%.0s' $(seq 1 256))
N257=${N256}x
N4000=$(printf 'L%.0s' $(seq 1 4000))

E_PATH='{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}'
E_OP='{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}'

# The differences from Vault that rows name: the README must describe
# each one (an extended regular expression over its lines), and what
# Vault does is said in the failure message.
declare -A DIFF_RE DIFF_WHAT DIFF_ROWS
DIFF_RE[encslash]='%2F'
DIFF_WHAT[encslash]="Vault routes on the decoded path, so %2F is a '/' there (GET …/catalog%2Fcontainer%2Ffoo reads foo, a PUT writes it); catalogd keeps an encoded '/' inside its segment, which matches no route (404)"
DIFF_RE[clean]='301|[Rr]edirect'
DIFF_WHAT[clean]="Go's ServeMux in front of Vault answers 301 (Location: the cleaned path) to any path with '//', '/./', '/../' (also decoded from %2e%2e) or a trailing '/.', and /v1 gets 301 to /v1/; catalogd answers 404 unsupported path (lighttpd: /v1 gets 404 {\"errors\":[]})"
DIFF_RE[utf8path]='%C0|[Oo]verlong|UTF-8[^|]*in the path'
DIFF_WHAT[utf8path]="lighttpd answers 400 {\"errors\":[\"bad request\"]} to a path with invalid UTF-8 (overlong %C0%AE) before any module runs; Vault routes it and answers 404 unsupported path (U+FFFD counts as printable)"
DIFF_RE[namelen]='at most 256 bytes'
DIFF_WHAT[namelen]="Vault's name pattern has no length limit (a 4000-byte name registers); catalogd refuses names over 256 bytes with 404"
DIFF_RE[list501]='LIST.*501|501.*LIST'
DIFF_WHAT[list501]="lighttpd answers LIST with 501"
DIFF_RE[method501]='every method outside its fixed table'
DIFF_WHAT[method501]="lighttpd answers an unknown method with 501; Vault with 405 {\"errors\":[]}"
DIFF_RE[post411]='411'
DIFF_WHAT[post411]="lighttpd answers a POST without Content-Length with 411"
DIFF_RE[rtmissing]='delete of a missing runtime'
DIFF_WHAT[rtmissing]="Vault answers 500 to a DELETE of a missing runtime"
DIFF_RE[optionsstar]='OPTIONS \*'
DIFF_WHAT[optionsstar]="Go's server answers 'OPTIONS * HTTP/1.1' itself with 200 and no body; nginx refuses it with its plain 400 page"

# Behind the web servers as Debian configures them, with catalogd's
# installed drop-in (CATALOGD_FRONTEND=lighttpd-stock or nginx-stock): the
# rows whose answer changes there, and that answer.  The README lists each
# one ("Behind a stock web server"); test_stock_rows_are_documented checks.
# lighttpd: what it refuses before any module or conditional (control
# bytes and bad UTF-8 under Debian's http-parseopts, a target without '/',
# LIST and unknown methods, a POST without Content-Length) gets its own HTML
# page, since the drop-in's JSON error pages apply only under /v1/; outside
# /v1/ (also after Debian's dot-segment removal) the static site answers.
declare -A STOCK_LIGHTTPD=(
	[b17]=404:html [b18]=404:html [b19]=404:html [d1]=400:html
	[d2]=400:html [d6]=400:html [d7]=400:html [d8]=400:html [d9]=400:html
	[g3]=411:html [g6]=501:html [g15]=501:html [h3]=501:html [h4]=501:html
	[j3]=400:html [j5]=404:html [j6]=404:html
)
# nginx: outside /v1/ the static site answers; TRACE gets nginx's own 405
# page before any location is chosen.
declare -A STOCK_NGINX=(
	[b18]=404:html [b19]=404:html [g14]=405:html [j5]=404:html [j6]=404:html
)

ROWS=0
STOPPED=

oneTimeSetUp() {
	server_start || exit 1
}

oneTimeTearDown() {
	[ -n "$STOPPED" ] && return 0
	STOPPED=yes
	echo "paths: ${ROWS} rows sent behind $FRONTEND;" \
	    "assertions: ${__shunit_assertsTotal:-?} total," \
	    "${__shunit_assertsFailed:-?} failed"
	lib_teardown
}

# send METHOD TARGET [curl args...]: one request line exactly as written;
# a TARGET starting with '!' is sent with --request-target.  Sets STATUS
# and RAW (the body; empty for HEAD) and HDRS (the headers).
send() {
	local method=$1 target=$2 url how=(--path-as-is) auth=()
	shift 2
	[ -n "$TOKEN" ] && auth=(-H "X-Vault-Token: $TOKEN")
	case $target in
	!*) how=(--request-target "${target#!}")
	    url=http://127.0.0.1:$PORT/ ;;
	*) url=http://127.0.0.1:$PORT$target ;;
	esac
	case $method in
	HEAD) how+=(--head) ;;
	*) how+=(-X "$method") ;;
	esac
	STATUS=$(curl -s -o "$RAW" -D "$HDRS" -w '%{http_code}' \
	    --max-time 10 "${how[@]}" "${auth[@]}" "$@" "$url")
	[ "$method" = HEAD ] && : >"$RAW"
}

# body_is WHAT KEY: checks the last answer's body by KEY (see row).
body_is() {
	local what=$1 key=$2 want= got rc
	got=$(cat "$RAW"; echo .)
	got=${got%.}
	case $key in
	any) return 0 ;;
	none) assertEquals "$what: no body" 0 "$(wc -c <"$RAW")"; return 0 ;;
	path) want=$E_PATH ;;
	op) want=$E_OP ;;
	empty) want='{"errors":[]}' ;;
	slash) want=$(errjson "cannot write to a path ending in '/'") ;;
	badreq) want=$(errjson 'bad request') ;;
	invpath) want=$(errjson 'invalid request path') ;;
	notfound) want=$(errjson 'plugin runtime not found') ;;
	denied) want=$(errjson 'permission denied') ;;
	mime) want=$(errjson 'mime: no media type') ;;
	type=*) want=$(errjson "\"${key#type=}\" is not a supported plugin runtime type") ;;
	patch=*) want=$(errjson "PATCH requires Content-Type of application/merge-patch+json, provided ${key#patch=}") ;;
	read=*)
		jq -e --arg n "${key#read=}" '.data.name == $n and
		    .data.type == "container" and (.data | length) == 7' \
		    "$RAW" >/dev/null 2>&1
		rc=$?
		assertTrue "$what: a read of ${key#read=}: $(head -c 200 "$RAW")" $rc
		return 0 ;;
	list)
		jq -e '.data.runtimes | type == "array"' "$RAW" >/dev/null 2>&1
		rc=$?
		assertTrue "$what: a runtime list: $(head -c 200 "$RAW")" $rc
		return 0 ;;
	list501)
		jq -e '(.errors | length) == 1 and
		    (.errors[0] | contains("?list=true"))' "$RAW" >/dev/null 2>&1
		rc=$?
		assertTrue "$what: 501 naming ?list=true: $(head -c 200 "$RAW")" $rc
		return 0 ;;
	json)
		jq -e '(keys == ["errors"]) and (.errors | type == "array")' \
		    "$RAW" >/dev/null 2>&1
		rc=$?
		assertTrue "$what: an {\"errors\":[...]} body: $(head -c 200 "$RAW")" $rc
		return 0 ;;
	html)
		grep -qi '<html' "$RAW"
		rc=$?
		assertTrue "$what: the front end's own page: $(head -c 100 "$RAW")" $rc
		return 0 ;;
	*) fail "$what: table error: body key $key"; return 0 ;;
	esac
	assertEquals "$what: body" "$want"$'\n' "$got"
}

# row ID METHOD TARGET LIGHTTPD NGINX VAULT [curl args...]
#   LIGHTTPD, NGINX: the answer expected behind each front end, as
#     STATUS:BODY with BODY one of the keys of body_is; NGINX "=" means
#     the same as behind lighttpd.
#   VAULT: Vault's status at the reference, "=" for the expected one; when
#     it differs, STATUS@DIFF names the difference (DIFF_RE, DIFF_WHAT).
row() {
	local id=$1 method=$2 target=$3 want=$4 vault=$6 what vstatus diff=
	case $FRONTEND in nginx*) [ "$5" != = ] && want=$5 ;; esac
	case $FRONTEND in
	lighttpd-stock) want=${STOCK_LIGHTTPD[$id]:-$want} ;;
	nginx-stock) want=${STOCK_NGINX[$id]:-$want} ;;
	esac
	shift 6
	what="$id: $method ${target:0:90}"
	send "$method" "$target" "$@"
	ROWS=$((ROWS + 1))
	assertEquals "$what: status ($(head -c 160 "$RAW"))" "${want%%:*}" \
	    "$STATUS"
	body_is "$what" "${want#*:}"
	vstatus=${vault%%@*}
	[ "$vault" != "$vstatus" ] && diff=${vault#*@}
	[ "$vstatus" = = ] && vstatus=${want%%:*}
	if [ "$vstatus" != "${want%%:*}" ]; then
		if [ -z "$diff" ] || [ -z "${DIFF_RE[$diff]:-}" ]; then
			fail "$what: table error: Vault's $vstatus differs from ${want%%:*} and names no known difference"
		else
			DIFF_ROWS[$diff]+="$id "
		fi
	fi
	return 0
}

# anon ROW...: a row sent without a token.
anon() {
	local saved=$TOKEN
	TOKEN=
	row "$@"
	TOKEN=$saved
}

test_path_table() {
	api PUT "sys/plugins/runtimes/catalog/container/foo" \
	    --data '{"oci_runtime":"r","cpu_nanos":1}'
	assertEquals "set-up: PUT foo" 204 "$STATUS"
	api PUT "sys/plugins/runtimes/catalog/container/del-me" --data '{}'
	assertEquals "set-up: PUT del-me" 204 "$STATUS"

	# Plain reads, for reference.
	row a1 GET "$IT/foo"                     200:read=foo = =
	row a2 GET "$IT/nope"                    404:empty    = =

	# An encoded '/' stays inside its segment; dot and empty segments
	# are never resolved.
	row b1 GET "$RT%2Fcontainer%2Ffoo"       404:path = 200@encslash
	row b2 GET "$RT/container%2Ffoo"         404:path = 200@encslash
	row b3 GET "/v1/sys%2Fplugins/runtimes/catalog" 404:path = 200@encslash
	row b4 PUT "$RT/container%2Fevil"        404:path = 204@encslash "${D[@]}"
	row b5 PUT "$IT/a%2Fb"                   404:path = = "${D[@]}"
	row b6 PUT "$IT/foo%2F"                  400:slash = = "${D[@]}"
	row b7 GET "$IT/%2e%2e%2fcontainer%2ffoo" 404:path = 301@clean
	row b8 GET "$IT/%2e%2e/container/foo"    404:path = 301@clean
	row b9 PUT "$IT/%2e%2e%2f%2e%2e%2fpwn"   404:path = 301@clean "${D[@]}"
	row b10 GET "$RT/x/../container/foo"     404:path = 301@clean
	row b11 GET "$IT/./foo"                  404:path = 301@clean
	row b12 GET "$IT/foo/."                  404:path = 301@clean
	row b13 GET "$RT//container/foo"         404:path = 301@clean
	row b14 GET "/v1//sys/plugins/runtimes/catalog" 404:path = 301@clean
	row b15 GET "/v1/./sys/health"           404:path = 301@clean
	row b16 PUT "$IT//foo"                   404:path = 301@clean "${D[@]}"
	row b17 GET "/v1"                        404:empty 301:any 301@clean
	# Out of /v1/ by dot segments: nothing but a JSON 404 (lighttpd once
	# served its own error templates from its document root here).
	row b18 GET "/v1/%2e%2e/status-400.html" 404:json 404:empty 301@clean
	row b19 GET "/v1/../status-501.html"     404:json 404:empty 301@clean

	# Trailing slashes.
	row c1 GET "$IT/foo/"                    404:path  = =
	row c2 PUT "$IT/foo/"                    400:slash = = "${D[@]}"
	row c3 POST "$IT/foo/"                   400:slash = = "${D[@]}"
	row c4 DELETE "$IT/foo/"                 404:path  = =
	row c5 GET "$RT/"                        200:list  = =
	row c6 GET "$RT//"                       404:path  = 301@clean
	row c7 PUT "$RT/"                        400:slash = = "${D[@]}"

	# Bytes: bad UTF-8, other scripts, control bytes, bad escapes.
	row d1 GET "$IT/%C0%AE"                  400:badreq 404:path 404@utf8path
	row d2 PUT "$IT/%C0%AE%C0%AE%2Fx"        400:badreq 404:path 404@utf8path "${D[@]}"
	row d3 GET "$IT/€"                       404:path = =
	row d4 GET "$IT/%E2%82%AC"               404:path = =
	row d5 PUT "$IT/%C3%A9"                  404:path = = "${D[@]}"
	row d6 GET "$IT/foo%00"                  400:none 400:html =
	row d7 PUT "$IT/foo%00"                  400:none 400:html = "${D[@]}"
	row d8 GET "$IT/foo%0A"                  400:none = =
	row d9 GET "$IT/foo%7F"                  400:none = =
	row d15 GET "$IT/a%C2%A0b"               400:none = =
	row d10 GET "$IT/f%6F%6f"                200:read=foo = =
	row d11 GET "$IT/%zz"                    400:invpath 400:html =
	row d12 GET "$IT/foo%"                   400:invpath 400:html =
	row d13 GET "$IT/a%20b"                  404:path = =
	row d14 PUT "$IT/a+b"                    404:path = = "${D[@]}"

	# Names: Vault's ^\w(([\w.-]+)?\w)?$, at most 256 bytes here.
	row e1 PUT "$IT/.a"                      404:path = = "${D[@]}"
	row e2 PUT "$IT/a."                      404:path = = "${D[@]}"
	row e3 PUT "$IT/-a"                      404:path = = "${D[@]}"
	row e4 PUT "$IT/a-"                      404:path = = "${D[@]}"
	row e5 PUT "$IT/_a"                      204:none = = "${D[@]}"
	row e6 PUT "$IT/a_"                      204:none = = "${D[@]}"
	row e7 PUT "$IT/a..b"                    204:none = = "${D[@]}"
	row e8 PUT "$IT/a-b.c_d"                 204:none = = "${D[@]}"
	row e9 GET "$IT/a-b.c_d"                 200:read=a-b.c_d = =
	row e10 PUT "$IT/z"                      204:none = = "${D[@]}"
	row e11 PUT "$IT/_"                      204:none = = "${D[@]}"
	row e12 PUT "$IT/%61"                    204:none = = "${D[@]}"
	row e13 GET "$IT/a"                      200:read=a = =
	row e14 PUT "$IT/a%2Eb"                  204:none = = "${D[@]}"
	row e15 PUT "$IT/$N256"                  204:none = = "${D[@]}"
	row e16 GET "$IT/$N256"                  200:read=$N256 = =
	row e17 PUT "$IT/$N257"                  404:path = 204@namelen "${D[@]}"
	row e18 PUT "$IT/$N4000"                 404:path = 204@namelen "${D[@]}"
	row e19 GET "$IT/$N4000"                 404:path = =

	# The type segment: only "container", case-sensitively.
	row f1 PUT "$RT/CONTAINER/foo"           404:path = = "${D[@]}"
	row f2 GET "$RT/CONTAINER/foo"           404:path = =
	row f3 PUT "$RT/foo/foo"                 404:path = = "${D[@]}"
	row f4 GET "$RT/Container/foo"           404:path = =
	row f5 GET "$RT/container"               404:path = =
	row f6 GET "$RT?type=CONTAINER"          400:type=CONTAINER = =
	row f7 GET "$RT?type=foo"                400:type=foo = =
	row f8 GET "$RT?type=container"          200:list = =
	row f9 GET "$IT/foo?list=true"           404:path = =

	# Every method on a runtime.
	row g1 PUT "$IT/foo"                     204:none = = "${D[@]}"
	row g2 POST "$IT/foo"                    204:none = = "${D[@]}"
	row g3 POST "$IT/foo"                    411:json 204:none 204@post411
	row g4 DELETE "$IT/del-me"               204:none = =
	row g5 DELETE "$IT/del-me"               404:notfound = 500@rtmissing
	row g6 LIST "$IT/foo"                    501:list501 404:path 404@list501
	# Vault parses the Content-Type with mime.ParseMediaType: none at all
	# is 400 "mime: no media type", the media type must equal
	# application/merge-patch+json (not start with it), and the 415
	# message names the parsed type, lower case, without parameters.
	row g7 PATCH "$IT/foo"                   400:mime = =
	row g8 PATCH "$IT/foo"                   415:patch=application/json = = \
	    -H 'Content-Type: application/json' "${D[@]}"
	row g9 PATCH "$IT/foo"                   405:op = = \
	    -H 'Content-Type: application/merge-patch+json' "${D[@]}"
	row g10 PATCH "$IT/foo"                  415:patch=application/merge-patch+jsonx = = \
	    -H 'Content-Type: application/merge-patch+jsonx' "${D[@]}"
	row g11 PATCH "$IT/foo"                  415:patch=text/plain = = \
	    -H 'Content-Type: Text/Plain; charset=utf-8' "${D[@]}"
	row g12 HEAD "$IT/foo"                   405:none = =
	row g13 OPTIONS "$IT/foo"                405:json = =
	row g14 TRACE "$IT/foo"                  405:empty = =
	row g15 FOO "$IT/foo"                    501:json 405:empty 405@method501

	# Every method on the list.
	row h1 GET "$RT"                         200:list = =
	row h2 GET "$RT?list=true"               200:list = =
	row h3 LIST "$RT"                        501:list501 200:list 200@list501
	row h4 LIST "$RT/container"              501:list501 404:path 404@list501
	row h5 POST "$RT"                        405:op = = "${D[@]}"
	row h6 DELETE "$RT"                      405:op = =
	row h7 HEAD "$RT"                        405:none = =

	# Without a token: the checks before authentication, then 403
	# whatever the path (authorisation comes before routing).
	anon i1 GET "$IT/foo"                    403:denied = =
	anon i2 GET "$RT/CONTAINER/foo"          403:denied = =
	anon i3 PUT "$IT/foo/"                   400:slash = = "${D[@]}"
	anon i4 GET "$IT/%zz"                    400:invpath 400:html =
	anon i5 PUT "$RT%2Fcontainer%2Fevil"     403:denied = = "${D[@]}"

	# Request targets curl does not build by itself.
	row j1 GET "!http://127.0.0.1:$PORT$IT/foo" 200:read=foo = =
	row j2 OPTIONS '!*'                      200:none 400:html 200@optionsstar
	row j3 GET '!v1/sys/health'              400:badreq 400:html =
	row j4 GET "!$IT/foo#frag"               404:path = =
	row j5 GET '/status-400.html'            404:empty = =
	row j6 GET '/nothing'                    404:empty = =
}

test_differences_are_documented() {
	local d
	for d in "${!DIFF_ROWS[@]}"; do
		grep -Eq "${DIFF_RE[$d]}" "$README"
		assertTrue "undocumented difference from Vault ($d, rows ${DIFF_ROWS[$d]% }): ${DIFF_WHAT[$d]}; README.md has no line matching /${DIFF_RE[$d]}/" $?
	done
}

# Every row whose answer changes behind a stock web server is named in the
# README's table of them, in the row for that web server.
test_stock_rows_are_documented() {
	local id rows server
	local -n stock
	case $FRONTEND in
	lighttpd-stock) stock=STOCK_LIGHTTPD server=lighttpd ;;
	nginx-stock) stock=STOCK_NGINX server=nginx ;;
	*) return 0 ;;
	esac
	rows=$(grep -E "^\| $server as Debian ships it \|" "$README")
	for id in "${!stock[@]}"; do
		echo "$rows" | grep -Eq "(^|[ ,])$id([ ,]|$)"
		assertTrue "row $id: not in the README's rows for stock $server" $?
	done
}

# Runs last: no worker died on the way (the supervisor logs each abnormal
# exit, a sanitizer build its reports); then, with the server stopped, the
# database file itself.
test_zz_database_holds_only_valid_names() {
	local dump=$TMPROOT/runtimes.dump keys bad n name rc
	assertEquals "worker deaths or sanitizer reports in the log" "" \
	    "$(grep -E 'child [0-9]+ (was killed by signal|exited with status)|ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$TMPROOT/stderr" | head -n 3)"
	server_stop
	db5.3_dump -p -h "$DATA/db" runtimes.db >"$dump" 2>"$TMPROOT/dump.err"
	rc=$?
	assertEquals "db5.3_dump runtimes.db: $(cat "$TMPROOT/dump.err")" 0 $rc
	# With -p, keys and values alternate after HEADER=END, one per line.
	keys=$(awk '/^DATA=END/ { on = 0 } on && ++n % 2 == 1 { print }
	    /^HEADER=END/ { on = 1 }' "$dump")
	n=$(printf '%s\n' "$keys" | grep -c .)
	bad=$(printf '%s\n' "$keys" | grep -Ev '^ container\\00[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$')
	assertEquals "keys that are not container\\0<valid name>" "" "$bad"
	for name in $(printf '%s\n' "$keys" | sed -n 's/^ container\\00//p'); do
		[ ${#name} -le 256 ] || fail "stored name over 256 bytes: ${name:0:40}…"
	done
	for name in foo _a a_ a..b a-b.c_d z _ a a.b "$N256"; do
		printf '%s\n' "$keys" | grep -qxF " container\\00$name"
		assertTrue "stored: ${name:0:40}" $?
	done
	for name in evil del-me pwn "$N257" "$N4000"; do
		printf '%s\n' "$keys" | grep -qF "$name"
		assertFalse "not stored: ${name:0:40}" $?
	done
	echo "paths: runtimes.db holds $n keys, all container\\0<valid name>"
}

. "$SHUNIT2"
