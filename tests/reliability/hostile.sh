#!/usr/bin/env bash
# hostile.sh: reliability check 7, hostile request bodies.  tests/hostile
# sends a deterministic corpus of 5,000 bodies (deep nesting, bad UTF-8 and
# escapes, duplicate keys, int64 edges, reals, numeric strings, huge
# strings, non-object tops, unknown fields, forms, byte mutations) to the
# write endpoints of one deployment and checks every answer: 204 without a
# body, or 400/413 with a JSON {"errors":[...]} body; nothing else.  Then:
# no worker died (the supervisor logs every abnormal exit), no sanitizer
# report reached the log (the workers' stderr), int64 edges read back with
# the very digits written, and the service still answers.  Meant for the
# --enable-debug build (AddressSanitizer + UBSan, CATALOGD_SANITIZE=yes);
# on another build it still runs and says what it cannot see.
#
# Knobs: HOSTILE_COUNT (5000), HOSTILE_SEED (the generator's fixed seed).
. "$(dirname "$0")/../lib.sh"

HOSTILE=$CATALOGD_BUILDDIR/tests/hostile
COUNT=${HOSTILE_COUNT:-5000}
LIMIT=${CATALOGD_BODY_LIMIT:-1048576}
IT=sys/plugins/runtimes/catalog/container
OUT=$TMPROOT/hostile.out
MAX=9223372036854775807
# One report starts with an ERROR line (ASan) or a "runtime error:" line
# (UBSan); any SUMMARY line counts too, in case the start was cut.
REPORT_RE='ERROR: (Address|Leak)Sanitizer|runtime error:'
SANITIZER_RE="$REPORT_RE|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer"
DEATH_RE='child [0-9]+ (was killed by signal|exited with status)'

SUMMARY=
DEATHS=?
REPORTS=?
EDGES=?
WORKERS_BEFORE=

oneTimeSetUp() {
	if [ "${CATALOGD_SANITIZE:-no}" != yes ]; then
		echo "hostile: NOTE: this build has no AddressSanitizer/UBSan" \
		    "(CATALOGD_SANITIZE=${CATALOGD_SANITIZE:-unset}): only" \
		    "crashes and wrong answers can be seen, not silent memory" \
		    "errors; configure --enable-debug for the full check" >&2
	fi
	if [ ! -x "$HOSTILE" ]; then
		echo "hostile: $HOSTILE is not built (make tests/hostile)" >&2
		exit 1
	fi
	server_start || exit 1
	WORKERS_BEFORE=$(worker_pids | tr '\n' ' ')
}

oneTimeTearDown() {
	[ -n "$SERVER_PID" ] && echo "hostile: result: ${SUMMARY:-no summary};" \
	    "worker deaths=$DEATHS; sanitizer reports=$REPORTS;" \
	    "int64 edges round-trip=$EDGES;" \
	    "sanitizer build=${CATALOGD_SANITIZE:-unset}"
	suite_teardown
}

# field NAME: a number from the generator's summary lines.
field() {
	sed -n "s/^hostile: .*\\b$1=\\([0-9]*\\).*/\\1/p" "$OUT" | head -n 1
}

test_hostile_corpus() {
	local rc sent other bad unexpected rt
	"$HOSTILE" -p "$PORT" -t "$ROOT_TOKEN" -n "$COUNT" -l "$LIMIT" \
	    ${HOSTILE_SEED:+-r "$HOSTILE_SEED"} >"$OUT" 2>&1
	rc=$?
	grep '^hostile: ' "$OUT" | grep -v ' FAIL ' >&2
	SUMMARY=$(grep '^hostile: sent=' "$OUT" | sed 's/^hostile: //')
	sent=$(field sent)
	other=$(field other)
	bad=$(field bad_body)
	unexpected=$(field unexpected)
	rt=$(sed -n 's/^hostile: .*roundtrip=\([0-9]*\/[0-9]*\).*/\1/p' "$OUT")
	SUMMARY="$SUMMARY unexpected=${unexpected:-?} roundtrip=${rt:-?}"
	if [ "$rc" != 0 ]; then
		echo "--- failures (first 30; all in $OUT):" >&2
		grep ' FAIL ' "$OUT" | head -n 30 | cut -c1-400 >&2
	fi
	assertEquals "tests/hostile exit status" 0 "$rc"
	assertEquals "bodies sent" "$COUNT" "${sent:-none}"
	assertEquals "answers outside 204/400/413 (5xx, resets, timeouts)" \
	    0 "${other:-none}"
	assertEquals "answers with a malformed body" 0 "${bad:-none}"
	assertEquals "answers other than the certain one" 0 \
	    "${unexpected:-none}"
	assertTrue "int64 edges written by the corpus read back (${rt:-none})" \
	    "[ -n '$rt' ] && [ '${rt%/*}' = '${rt#*/}' ] && [ '${rt#*/}' -gt 0 ]"
	# The corpus must have reached the handlers and the limit.
	assertTrue "some bodies were accepted" "[ '$(field s204)' -gt 0 ]"
	assertTrue "bodies over the limit got 413" "[ '$(field s413)' -gt 0 ]"
}

# rtdata NAME CPU MEMORY: the data object a read of NAME must show.
rtdata() {
	printf '{"cgroup_parent":"","cpu_nanos":%s,"memory_bytes":%s,"name":"%s","oci_runtime":"","rootless":false,"type":"container"}' \
	    "$2" "$3" "$1"
}

# edge_ok BODY CPU MEMORY [curl args...]: the body is accepted and reads
# back exactly, alone and in the list.
edge_ok() {
	local name=e$((++EDGE_N)) body=$1 cpu=$2 mem=$3
	shift 3
	api PUT "$IT/$name" --data-binary "$body" "$@"
	set -- "$body" "$cpu" "$mem"
	assertEquals "PUT $1: $BODY" 204 "$STATUS"
	api GET "$IT/$name"
	assertEquals "GET after PUT $1" 200 "$STATUS"
	assertContains "GET after PUT $1" "$BODY" \
	    "\"data\":$(rtdata "$name" "$2" "$3"),"
	api GET "sys/plugins/runtimes/catalog?list=true"
	assertContains "list after PUT $1" "$BODY" "$(rtdata "$name" "$2" "$3")"
}

# edge_refused BODY MESSAGE: 400 with exactly that message; nothing stored.
edge_refused() {
	local name=e$((++EDGE_N))
	api PUT "$IT/$name" --data-binary "$1"
	assertEquals "PUT $1: status" 400 "$STATUS"
	assertEquals "PUT $1: body" "$(errjson "$2")" "$BODY"
	api GET "$IT/$name"
	assertEquals "GET after refused PUT $1" 404 "$STATUS"
}

range_err() {
	echo "Field validation failed: error converting input $2 for field \"$1\": cannot parse '' as int: strconv.ParseInt: parsing \"$2\": value out of range"
}

test_int64_edges_round_trip() {
	local failed=${__shunit_assertsFailed:-0}
	EDGE_N=0
	edge_ok "{\"cpu_nanos\":$MAX,\"memory_bytes\":$MAX}" $MAX $MAX
	edge_ok "{\"cpu_nanos\":\"$MAX\",\"memory_bytes\":\"0x7fffffffffffffff\"}" \
	    $MAX $MAX
	edge_ok '{"cpu_nanos":9223372036854775806,"memory_bytes":-0}' \
	    9223372036854775806 0
	edge_ok 'cpu_nanos=9223372036854775807&memory_bytes=0x7FFFFFFFFFFFFFFF' \
	    $MAX $MAX -H 'Content-Type: application/x-www-form-urlencoded'
	edge_ok '{"cpu_nanos":0,"memory_bytes":"0"}' 0 0
	edge_refused '{"cpu_nanos":9223372036854775808}' \
	    "$(range_err cpu_nanos 9223372036854775808)"
	edge_refused '{"memory_bytes":9223372036854775808}' \
	    "$(range_err memory_bytes 9223372036854775808)"
	edge_refused '{"cpu_nanos":-9223372036854775809}' \
	    "$(range_err cpu_nanos -9223372036854775809)"
	edge_refused '{"cpu_nanos":"0x8000000000000000"}' \
	    "$(range_err cpu_nanos 0x8000000000000000)"
	edge_refused '{"cpu_nanos":-9223372036854775808}' \
	    'runtime cpu in nanos cannot be negative'
	edge_refused '{"cpu_nanos":1,"memory_bytes":-9223372036854775808}' \
	    'runtime memory in bytes cannot be negative'
	edge_refused '{"cpu_nanos":-1,"memory_bytes":-1}' \
	    'runtime cpu in nanos cannot be negative'
	# A refused write leaves the stored record as it was.
	api PUT "$IT/e1" --data-binary '{"cpu_nanos":9223372036854775808}'
	api GET "$IT/e1"
	assertContains "e1 unchanged after a refused write" "$BODY" \
	    "\"data\":$(rtdata e1 $MAX $MAX),"
	if [ "${__shunit_assertsFailed:-0}" = "$failed" ]; then
		EDGES=ok
	else
		EDGES=FAILED
	fi
}

# Runs last: what the corpus left behind.
test_zz_no_deaths_no_reports_still_answers() {
	local code t0 ms lines
	DEATHS=$(grep -Ec "$DEATH_RE" "$TMPROOT/stderr")
	REPORTS=$(grep -Ec "$REPORT_RE" "$TMPROOT/stderr")
	lines=$(grep -Ec "$SANITIZER_RE" "$TMPROOT/stderr")
	assertEquals "worker deaths logged by the supervisor: $(grep -E \
	    -m 3 "$DEATH_RE" "$TMPROOT/stderr")" 0 "$DEATHS"
	assertEquals "sanitizer report lines in the workers' stderr: $(grep \
	    -E -m 3 "$SANITIZER_RE" "$TMPROOT/stderr")" 0 "$lines"
	assertEquals "the same workers as at the start" "$WORKERS_BEFORE" \
	    "$(worker_pids | tr '\n' ' ')"
	t0=$(date +%s%N)
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
	    -H "X-Vault-Token: $ROOT_TOKEN" "$BASE/$IT/e1")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assertEquals "GET of a known runtime after the corpus (${ms} ms)" \
	    200 "$code"
	api GET sys/health
	assertEquals "health after the corpus" 200 "$STATUS"
}

. "$SHUNIT2"
