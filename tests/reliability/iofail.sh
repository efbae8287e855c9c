#!/usr/bin/env bash
# iofail.sh (issue #5, check 5): the disk fails under write load.  The
# test-only fault hooks (--enable-test-faults) make Berkeley DB's fsync,
# pwrite and write fail with EIO in every process once $DATA/fault-io
# exists, after the number of calls it holds.  Pass: no 204 for a write
# whose commit could not reach the disk (none while every call fails, and
# everything acknowledged is present after a SIGKILL of the whole tree and
# a restart), the service keeps answering (503 while the disk fails, also
# while recovery itself fails), the pool is not restarted more often
# than once a second, and standbys handing over to workers under load leave
# no request waiting.
. "$(dirname "$0")/../lib.sh"

HAMMER=$CATALOGD_BUILDDIR/tests/hammer

oneTimeTearDown() { lib_teardown; }
tearDown() { server_stop; }

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# load SECONDS LOG: unique-name writers in the background; sets LOAD_PID.
load() {
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c 4 -s "$1" -n 50000 -T 5 \
	    -P "$3" -l "$2" >"$2.sum" 2>"$2.err" &
	LOAD_PID=$!
}

# restarts: how many recovery cycles and failed recoveries the log shows.
restarts() { grep -c 'restarting the pool with recovery' "$TMPROOT/stderr"; }
failed_recoveries() { grep -c 'store_open: opening the environment' "$TMPROOT/stderr"; }

requires_faults() {
	[ "$CATALOGD_FAULTS" = yes ] && return 0
	fail "needs a build configured with --enable-test-faults"
	return 1
}

# Every call fails from the 100th of each process on, for 4 s, under load;
# then the disk heals.  Nothing acknowledged may be lost, and whatever was
# sent while every call failed is refused.
test_failing_disk_under_load() {
	requires_faults || return
	server_start CATALOGD_WORKERS=4 || { fail "start"; return; }
	local t0 armed_ms
	load 10 "$TMPROOT/a.log" a-
	sleep 2
	local r0
	r0=$(restarts)
	t0=$(date +%s%N)
	echo 100 >"$DATA/fault-io"
	sleep 4
	rm -f "$DATA/fault-io"
	armed_ms=$(ms_since "$t0")
	wait "$LOAD_PID"
	local r1
	r1=$(restarts)
	sleep 1.5
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$TMPROOT/a.log" \
	    >"$TMPROOT/a.verify" 2>&1
	local vrc=$?
	local s503 timeouts other
	s503=$(awk '$2 == 503' "$TMPROOT/a.log" | wc -l)
	timeouts=$(awk '$2 == 0' "$TMPROOT/a.log" | wc -l)
	other=$(awk '$2 != 204 && $2 != 503 && $2 != 0' "$TMPROOT/a.log" | wc -l)
	echo "iofail (fail from call 100, ${armed_ms} ms): $(cat "$TMPROOT/a.log.sum"); 503s $s503, other $other, timeouts $timeouts; restarts $((r1 - r0)); $(cat "$TMPROOT/a.verify")"
	assertTrue "writes were refused with 503 while the disk failed" "[ $s503 -gt 0 ]"
	assertEquals "requests without an answer" 0 "$timeouts"
	assertTrue "at most one restart a second ($((r1 - r0)) in ${armed_ms} ms)" \
	    "[ $((r1 - r0)) -le $((armed_ms / 1000 + 1)) ]"
	assertEquals "acknowledged writes present: $(cat "$TMPROOT/a.verify")" 0 "$vrc"
	api PUT sys/plugins/runtimes/catalog/container/after-heal --data '{"cpu_nanos":1}'
	assertEquals "writes work again once the disk heals: $BODY" 204 "$STATUS"
}

# Every call fails (N = 0), a worker dies, and recovery itself cannot
# write: standby workers must answer 503 at once, and no write sent
# meanwhile may be acknowledged.  Then the whole tree is SIGKILLed with the
# fault still armed; after the disk heals and a restart, everything that
# was ever acknowledged is present and the databases verify.
test_recovery_failing_then_whole_tree_kill() {
	requires_faults || return
	server_start CATALOGD_WORKERS=4 || { fail "start"; return; }
	load 2 "$TMPROOT/b.log" b-
	wait "$LOAD_PID"
	local t0 f0
	f0=$(failed_recoveries)
	echo 0 >"$DATA/fault-io"
	t0=$(date +%s%N)
	sleep 0.2
	# Everything sent from now on meets a disk that fails every call.
	load 3 "$TMPROOT/c.log" c-
	local cload=$LOAD_PID
	sleep 0.5
	# A worker dies: recovery must run, and fails on this disk.
	local tk
	tk=$(date +%s%N)
	kill -9 "$(worker_pids | head -n 1)" 2>/dev/null
	wait "$cload"
	sleep 1
	local standby elapsed f1
	api PUT sys/plugins/runtimes/catalog/container/during-outage --data '{"cpu_nanos":1}'
	standby="$STATUS $BODY"
	f1=$(failed_recoveries)
	elapsed=$(ms_since "$tk")
	# The whole tree dies with the fault still armed.
	kill -9 $(descendants "$SERVER_PID") 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	rm -f "$DATA/fault-io"
	server_start CATALOGD_WORKERS=4 || { fail "restart"; return; }
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$TMPROOT/b.log" \
	    "$TMPROOT/c.log" >"$TMPROOT/b.verify" 2>&1
	local vrc=$?
	local acks timeouts
	acks=$(awk '$2 == 204' "$TMPROOT/c.log" | wc -l)
	timeouts=$(awk '$2 == 0' "$TMPROOT/c.log" | wc -l)
	echo "iofail (every call fails; recovery failing for ${elapsed} ms): writes sent meanwhile: $(cat "$TMPROOT/c.log.sum"); failed recoveries $((f1 - f0)); answer then: $standby; $(cat "$TMPROOT/b.verify")"
	assertEquals "writes acknowledged while every disk call failed" 0 "$acks"
	assertEquals "requests without an answer" 0 "$timeouts"
	assertEquals "503 from a standby worker while recovery fails" \
	    "503 $(errjson 'storage unavailable: recovery is failing, retry later')" "$standby"
	assertTrue "recovery was retried, at most once a second ($((f1 - f0)) in ${elapsed} ms)" \
	    "[ $((f1 - f0)) -ge 2 ] && [ $((f1 - f0)) -le $((elapsed / 1000 + 1)) ]"
	assertEquals "acknowledged writes present after the kill: $(cat "$TMPROOT/b.verify")" 0 "$vrc"
	api GET sys/plugins/runtimes/catalog/container/during-outage
	assertEquals "the write refused during the outage is absent" 404 "$STATUS"
	server_stop
	dbverify
}

# Recovery fails while writers run, so standby workers answer 503; then
# the disk heals and workers replace the standbys, three times over.  The
# supervisor stops a standby with SIGTERM whenever recovery succeeds, also
# right after the standby was woken for a connection: that connection must
# still be answered (no writer may wait out its 5 s), and everything
# acknowledged must be there.
test_standbys_hand_over_under_load() {
	requires_faults || return
	server_start CATALOGD_WORKERS=4 || { fail "start"; return; }
	local round f0 fs i timeouts answers
	fs=$(failed_recoveries)
	load 9 "$TMPROOT/d.log" d-
	sleep 1
	for round in 1 2 3; do
		f0=$(failed_recoveries)
		echo 0 >"$DATA/fault-io"
		kill -9 "$(worker_pids | tail -n 1)" 2>/dev/null
		for i in $(seq 1 50); do
			[ "$(failed_recoveries)" -gt "$f0" ] && break
			sleep 0.1
		done
		sleep 0.5
		rm -f "$DATA/fault-io"
		sleep 1.5
	done
	wait "$LOAD_PID"
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$TMPROOT/d.log" \
	    >"$TMPROOT/d.verify" 2>&1
	local vrc=$?
	timeouts=$(awk '$2 == 0' "$TMPROOT/d.log" | wc -l)
	answers=$(awk '{ print $2 }' "$TMPROOT/d.log" | sort | uniq -c | tr '\n' ' ')
	echo "iofail (standbys replaced 3 times under load): $(cat "$TMPROOT/d.log.sum"); statuses: $answers; failed recoveries $(($(failed_recoveries) - fs))"
	assertEquals "requests without an answer" 0 "$timeouts"
	assertEquals "acknowledged writes present: $(cat "$TMPROOT/d.verify")" 0 "$vrc"
	api PUT sys/plugins/runtimes/catalog/container/after-handover --data '{"cpu_nanos":1}'
	assertEquals "writes work after the last hand-over: $BODY" 204 "$STATUS"
}

. "$SHUNIT2"
