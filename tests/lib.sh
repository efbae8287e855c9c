# tests/lib.sh: sourced by every end-to-end suite.  Each suite starts its
# own real deployment (scripts/catalogd-run: lighttpd + supervisor +
# workers) on an ephemeral loopback port with a fresh data directory, and
# keeps the logs only when something failed.

: "${CATALOGD_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${CATALOGD_BUILDDIR:=$CATALOGD_SRCDIR}"
: "${CATALOGD_BIN:=$CATALOGD_BUILDDIR/catalogd}"
export CATALOGD_BIN
FREEPORT=$CATALOGD_BUILDDIR/tests/freeport
REAPER=$CATALOGD_BUILDDIR/tests/reaper
RUNNER=$CATALOGD_SRCDIR/scripts/catalogd-run
SHUNIT2=$(command -v shunit2 || echo /usr/share/shunit2/shunit2)
export SHUNIT_COLOR=none

# The front end under test (scripts/check runs the suites behind both):
# catalogd-run's own lighttpd or nginx, or lighttpd-stock / nginx-stock,
# the web server as Debian configures it with catalogd's installed drop-in
# (tests/stock.sh).
FRONTEND=${CATALOGD_FRONTEND:-lighttpd}
export CATALOGD_FRONTEND=$FRONTEND
# The front end's own log, where a leaked secret could also land.
case $FRONTEND in
nginx) FRONTEND_LOG=nginx-error.log ;;
lighttpd-stock) FRONTEND_LOG=../web/lighttpd-error.log ;;
nginx-stock) FRONTEND_LOG=../web/error.log ;;
*) FRONTEND_LOG=lighttpd.log ;;
esac

ROOT_TOKEN=root.test-token_$$
TOKEN=$ROOT_TOKEN
TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/catalogd-test.XXXXXX")
DATA=$TMPROOT/data
SERVER_PID=
PORT=
BASE=
CURL_TLS=()

# stock_web: for the *-stock front ends, the Debian-configured web server
# in $TMPROOT/web on $PORT, with catalogd's drop-in on $TMPROOT/run's
# socket; as root the web server runs as www-data, as Debian runs it.
STOCK_PID=
stock_web() {
	local web=$TMPROOT/web snippet=$TMPROOT/web/snippet.conf
	. "$CATALOGD_SRCDIR/tests/stock.sh"
	rm -rf "$web"
	mkdir -p "$web/errors" || return 1
	cp "$CATALOGD_SRCDIR"/errors/*.html "$web/errors/" || return 1
	chmod 0711 "$TMPROOT"
	chmod -R a+rX "$web"
	case $FRONTEND in
	lighttpd-stock)
		sed -e "s|@SOCKET@|$TMPROOT/run/catalogd.sock|" \
		    -e "s|@PKGDATADIR@|$web|" \
		    "$CATALOGD_SRCDIR/conf/50-catalogd.conf.in" >"$snippet" &&
		    stock_lighttpd "$web" "$PORT" "$snippet" ;;
	nginx-stock)
		sed -e "s|@SOCKET@|$TMPROOT/run/catalogd.sock|" \
		    -e "s|@MAX_BODY@|2m|" \
		    "$CATALOGD_SRCDIR/conf/nginx-catalogd.conf.in" >"$snippet" &&
		    stock_nginx "$web" "$PORT" "$snippet" ;;
	esac || return 1
	chmod -R a+rX "$web"
	stock_start "${FRONTEND%-stock}" "$web"
}

# server_start [VAR=value ...]: starts a deployment on DATA and waits until
# it answers; extra assignments go into its environment.
server_start() {
	local try i code fe=$FRONTEND stock=()
	case $FRONTEND in
	*-stock)
		fe=none
		mkdir -p "$TMPROOT/run" && chmod 0755 "$TMPROOT/run"
		stock=(CATALOGD_SOCKET="$TMPROOT/run/catalogd.sock")
		[ "$(id -u)" = 0 ] && stock+=(CATALOGD_SOCKET_GROUP=www-data)
		;;
	esac
	# Over TLS (scripts/serve's CATALOGD_TLS_CERT), every request trusts
	# that certificate.
	local scheme=http a
	CURL_TLS=()
	for a in "$@"; do
		case $a in
		CATALOGD_TLS_CERT=*) scheme=https; CURL_TLS=(--cacert "${a#*=}") ;;
		esac
	done
	for try in 1 2 3; do
		PORT=$("$FREEPORT") || return 1
		BASE=$scheme://127.0.0.1:$PORT/v1
		# Under the reaper, whatever a crash test orphans is reaped.
		env CATALOGD_LISTEN="127.0.0.1:$PORT" CATALOGD_DATA="$DATA" \
		    CATALOGD_ROOT_TOKEN="$ROOT_TOKEN" CATALOGD_FRONTEND=$fe \
		    "${stock[@]}" "$@" "$REAPER" "$RUNNER" \
		    >>"$TMPROOT/stdout" 2>>"$TMPROOT/stderr" &
		SERVER_PID=$!
		if [ "$fe" = none ]; then
			for i in $(seq 1 200); do
				[ -s "$DATA/catalogd.pid" ] && break
				sleep 0.05
			done
			stock_web || { server_stop; return 1; }
		fi
		for i in $(seq 1 200); do
			code=$(curl -s -o /dev/null -w '%{http_code}' \
			    "${CURL_TLS[@]}" --max-time 2 "$BASE/sys/health")
			[ "$code" = 200 ] && return 0
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.05
		done
		server_stop
	done
	echo "server did not start" >&2
	server_logs
	return 1
}

# server_stop: stops the deployment this suite started, by its PID.
server_stop() {
	if [ -n "$STOCK_PID" ]; then
		kill "$STOCK_PID" 2>/dev/null
		wait "$STOCK_PID" 2>/dev/null
		STOCK_PID=
	fi
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

server_logs() {
	local f
	for f in "$TMPROOT/stderr" "$DATA/$FRONTEND_LOG"; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 60 "$f"; } >&2
	done
}

# supervisor_pid / worker_pids: the processes of the running deployment.
supervisor_pid() { cat "$DATA/catalogd.pid"; }
worker_pids() { pgrep -P "$(supervisor_pid)" | sort -n; }

# descendants PID: every process below PID (children first level down).
descendants() {
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		descendants "$p"
	done
}

# dbverify: db5.3_verify on every database of the stopped deployment, in a
# copy of its files (without the environment's regions) that db5.3_recover
# has brought to what the next start recovers.  Never in place: the tool
# joins an environment it finds, and one that kill -9 left behind may be
# half made (it retries for seconds on every database) or hold a dead
# process's mutex (it would wait for ever).
dbverify() {
	local f ok n=0 v=$TMPROOT/dbverify.d
	rm -rf "$v" && mkdir -p "$v" || return 1
	for f in "$DATA"/db/*; do
		case ${f##*/} in __db.*) continue ;; esac
		[ -f "$f" ] && cp -p "$f" "$v/"
	done
	db5.3_recover -h "$v" >"$TMPROOT/dbverify.out" 2>&1 ||
	    fail "db5.3_recover of a copy: $(cat "$TMPROOT/dbverify.out")"
	for f in "$v"/*.db; do
		f=${f##*/}
		ok=yes
		db5.3_verify -h "$v" "$f" >"$TMPROOT/dbverify.out" 2>&1 ||
		    { ok=no; cat "$TMPROOT/dbverify.out" >&2; }
		assertEquals "db5.3_verify $f" yes "$ok"
		n=$((n + 1))
	done
	assertTrue "databases verified ($n)" "[ $n -gt 0 ]"
}

# api METHOD PATH [curl args...]: one request with $TOKEN (none if empty);
# sets STATUS, BODY (without the final newline) and RAW (exact bytes file).
RAW=$TMPROOT/body
api() {
	local method=$1 path=$2
	shift 2
	local auth=()
	[ -n "$TOKEN" ] && auth=(-H "X-Vault-Token: $TOKEN")
	STATUS=$(curl -s -o "$RAW" -w '%{http_code}' --max-time 10 \
	    "${CURL_TLS[@]}" -X "$method" "${auth[@]}" "$@" "$BASE/$path")
	BODY=$(cat "$RAW")
}

# expect STATUS BODY [WHAT]: exact status and exact body bytes of the last
# api call (BODY plus Go's trailing newline; an empty BODY means no body at
# all).  WHAT defaults to $LAST, which the suites set to the request line.
expect() {
	local what=${3:-$LAST}
	assertEquals "$what: status ($BODY)" "$1" "$STATUS"
	if [ -z "$2" ]; then
		assertEquals "$what: no body" 0 "$(wc -c <"$RAW")"
	else
		assertEquals "$what: body" "$2"$'\n.' "$(cat "$RAW"; echo .)"
	fi
	return 0
}

# errjson MESSAGE: {"errors":[MESSAGE]} (only for messages without <>&,
# which Go would escape and jq does not).
errjson() {
	jq -cn --arg m "$1" '{errors:[$m]}'
}

# put_runtime NAME JSON: registers a runtime, expecting 204.
put_runtime() {
	api PUT "sys/plugins/runtimes/catalog/container/$1" --data "$2"
	assertEquals "PUT $1: $BODY" 204 "$STATUS"
}

# envelope DATA [WARNINGS [MOUNT_TYPE]]: a success body as strip_id
# leaves it (warnings null and mount type "system" unless given).
envelope() {
	printf '{"request_id":"ID","lease_id":"","renewable":false,"lease_duration":0,"data":%s,"wrap_info":null,"warnings":%s,"auth":null,"mount_type":"%s"}' \
	    "$1" "${2:-null}" "${3:-system}"
}

# as TOKEN METHOD PATH [curl args...]: one request with that token ("" =
# none) through the suite's own call; TOKEN is dynamically scoped, so api
# sees the local one.
as() {
	local TOKEN=$1
	shift
	call "$@"
}

# expect_ok ARGS...: a 200 answer whose body, request_id aside, is the
# suite's own "envelope ARGS..." byte for byte, and whose request_id is a
# v4 uuid.
UUID4='[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}'
expect_ok() {
	local rc
	assertEquals "$LAST: status ($BODY)" 200 "$STATUS"
	assertEquals "$LAST: body" "$(envelope "$@")"$'\n.' \
	    "$(strip_id <"$RAW"; echo .)"
	head -c 53 "$RAW" | grep -q "^{\"request_id\":\"$UUID4\",\$"
	rc=$?
	assertTrue "$LAST: request_id is a v4 uuid: $(head -c 60 "$RAW")" $rc
	return 0
}

# delete_runtimes: deletes every runtime the catalog lists.
delete_runtimes() {
	local n
	api GET "sys/plugins/runtimes/catalog?list=true"
	for n in $(jq -r '.data.runtimes[]?.name' "$RAW" 2>/dev/null); do
		api DELETE "sys/plugins/runtimes/catalog/container/$n"
	done
}

# The body of a 200 answer without the per-request uuid.
strip_id() {
	sed 's/"request_id":"[0-9a-f-]\{36\}"/"request_id":"ID"/'
}

lib_teardown() {
	server_stop
	if [ "${__shunit_testsFailed:-0}" != 0 ]; then
		server_logs
		echo "logs kept in $TMPROOT" >&2
	else
		rm -rf "$TMPROOT"
	fi
}

# suite_teardown: for suites with one server for all tests; prints the
# assertion counts.  shunit2 2.1.8 runs the tear-downs again from its EXIT
# trap, so only the first call does anything.
suite_teardown() {
	[ -n "$SERVER_PID" ] || return 0
	echo "assertions: ${__shunit_assertsTotal:-?} total," \
	    "${__shunit_assertsPassed:-?} passed," \
	    "${__shunit_assertsFailed:-?} failed," \
	    "${__shunit_assertsSkipped:-?} skipped"
	lib_teardown
}
