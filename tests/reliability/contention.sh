#!/usr/bin/env bash
# contention.sh: contention and deadlock (issue #5, check 4).  8 writers
# (tests/hammer -k) overwrite the same 3 names with random fields for 15 s.
# Every answer must be 204 or 503 (Berkeley DB deadlocks retried, then
# "server busy"), 503 at most 2 % of them, p99 under 500 ms and no request
# 2 s or longer; no record may be torn, each name's final value must be
# one of its acknowledged ones, no worker may die, and the databases must
# verify after a clean stop.
#
# Knobs: CONTENTION_SECONDS (15), CONTENTION_WRITERS (8).
. "$(dirname "$0")/../lib.sh"

HAMMER=$CATALOGD_BUILDDIR/tests/hammer
SECS=${CONTENTION_SECONDS:-15}
WRITERS=${CONTENTION_WRITERS:-8}
NAMES="hot-a hot-b hot-c"

oneTimeTearDown() { lib_teardown; }
tearDown() { server_stop; }

# hstat NAME FILE: a number from a hammer summary line.
hstat() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2" | tail -n 1; }

# lt A B: is the decimal A below B?
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

test_contention() {
	local log=$TMPROOT/hot.log out=$TMPROOT/hot.out sup name f rc
	local sent acked s503 s5xx s4xx tmo p99 maxms final found deaths pct

	server_start || { fail "start"; return; }
	sup=$(supervisor_pid)
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c "$WRITERS" -s "$SECS" \
	    -k "${NAMES// /,}" -l "$log" >"$out"
	cat "$out" >&2
	sent=$(hstat sent "$out")
	acked=$(hstat acked "$out")
	s503=$(hstat s503 "$out")
	s5xx=$(hstat s5xx "$out")
	s4xx=$(hstat s4xx "$out")
	tmo=$(hstat timeouts "$out")
	p99=$(hstat p99_ms "$out")
	maxms=$(hstat max_ms "$out")
	assertTrue "writers ran ($(cat "$out"))" "[ -n '$sent' ] && [ $sent -gt 0 ]"
	[ -n "$sent" ] && [ "$sent" -gt 0 ] || return

	assertEquals "only 204 or 503 (other 5xx $s5xx, 4xx $s4xx, no answer $tmo)" \
	    "$sent" "$((acked + s503))"
	assertTrue "503 at most 2 % ($s503 of $sent)" \
	    "[ $((s503 * 100)) -le $((sent * 2)) ]"
	assertTrue "p99 under 500 ms (${p99} ms)" "lt '$p99' 500"
	assertTrue "no request 2 s or longer (max ${maxms} ms)" "lt '$maxms' 2000"

	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$log" >"$TMPROOT/verify.out" \
	    2>"$TMPROOT/verify.err"
	rc=$?
	cat "$TMPROOT/verify.out" >&2
	[ $rc = 0 ] || head -n 20 "$TMPROOT/verify.err" >&2
	assertEquals "hammer -V: no lost, changed or torn record" 0 "$rc"

	# Stricter than hammer -V, which also accepts a value whose write got
	# no answer: here every write was answered, and a 503 is a rollback.
	for name in $NAMES; do
		api GET "sys/plugins/runtimes/catalog/container/$name"
		assertEquals "GET $name" 200 "$STATUS"
		# The "data" member byte for byte: no '"' is unescaped in it.
		final=$(sed -n 's/.*"data":\(.*\),"wrap_info":.*/\1/p' "$RAW")
		found=no
		awk -v n="$name" '$1 == n && $2 == 204 { print $4 }' "$log" |
		    grep -qxF -- "$final" && found=yes
		assertEquals "$name: final value $final is one of its acknowledged ones" \
		    yes "$found"
	done

	deaths=$(grep -c 'was killed by signal\|exited with status' \
	    "$TMPROOT/stderr")
	assertEquals "no worker died" 0 "$deaths"
	assertEquals "the supervisor is the one that started" "$sup" \
	    "$(supervisor_pid)"
	server_stop
	dbverify
	pct=$(awk -v a="$s503" -v b="$sent" 'BEGIN { printf "%.2f", a * 100 / b }')
	echo "contention: sent=$sent acked=$acked s503=$s503 (${pct}%)" \
	    "other=$((s5xx + s4xx + tmo)) p99_ms=$p99 max_ms=$maxms" \
	    "torn=$(hstat torn "$TMPROOT/verify.out")"
}

. "$SHUNIT2"
