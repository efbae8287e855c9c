#!/usr/bin/env bash
# stuck.sh (issue #5, check 3): a request that hangs inside a transaction
# holding the write lock on a hot key.  The test-only fault hook
# (--enable-test-faults) makes the next write with oci_runtime "stuck"
# sleep 30 s inside its transaction once $DATA/fault-stuck exists.  The supervisor's
# watchdog (CATALOGD_REQUEST_TIMEOUT, 3 s) must kill that worker; meanwhile
# four writers keep writing other names and the hot key.  Pass: the stuck
# request ends within 6 s, no other request waits more than 6 s, the hot
# key is writable again within 6 s of the fault, nothing acknowledged is
# lost.
. "$(dirname "$0")/../lib.sh"

HAMMER=$CATALOGD_BUILDDIR/tests/hammer
LOAD_SECONDS=${STUCK_SECONDS:-15}

oneTimeTearDown() { lib_teardown; }

# hot_write N [OCI]: writes the hot key with fields derived from N; logs
# the request in hammer's format; prints the status.
hot_write() {
	local n=$1 oci=${2:-probe-$1} code t
	local body="{\"oci_runtime\":\"$oci\",\"cgroup_parent\":\"/probe/$n/\",\"cpu_nanos\":$n,\"memory_bytes\":$n,\"rootless\":true}"
	local data="{\"cgroup_parent\":\"/probe/$n/\",\"cpu_nanos\":$n,\"memory_bytes\":$n,\"name\":\"stuck-hot\",\"oci_runtime\":\"$oci\",\"rootless\":true,\"type\":\"container\"}"
	read -r code t < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
	    --max-time 10 -X PUT -H "X-Vault-Token: $ROOT_TOKEN" --data "$body" \
	    "$BASE/sys/plugins/runtimes/catalog/container/stuck-hot")
	echo "stuck-hot ${code:-0} $(awk -v t="${t:-10}" 'BEGIN { printf "%.3f", t * 1000 }') $data" \
	    >>"$TMPROOT/probe.log"
	echo "${code:-0}"
}

test_watchdog_ends_a_stuck_request() {
	if [ "$CATALOGD_FAULTS" != yes ]; then
		fail "needs a build configured with --enable-test-faults"
		return
	fi
	server_start CATALOGD_WORKERS=4 || { fail "start"; return; }
	assertEquals "first write of the hot key" 204 "$(hot_write 1)"

	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c 3 -s "$LOAD_SECONDS" -n 100000 \
	    -P other- -l "$TMPROOT/other.log" >"$TMPROOT/other.sum" \
	    2>"$TMPROOT/other.err" &
	local h1=$!
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c 1 -s "$LOAD_SECONDS" -n 100000 \
	    -k stuck-hot -l "$TMPROOT/hot.log" >"$TMPROOT/hot.sum" \
	    2>"$TMPROOT/hot.err" &
	local h2=$!
	sleep 2

	# Arm the fault and send the request that will hang.
	touch "$DATA/fault-stuck"
	local t0 stuck_code stuck_ms
	t0=$(date +%s%N)
	hot_write 2 stuck >"$TMPROOT/stuck.code" &
	local sp=$!
	local i
	for i in $(seq 1 100); do
		[ -e "$DATA/fault-stuck" ] || break
		sleep 0.02
	done
	assertFalse "the stuck write took the fault" "[ -e '$DATA/fault-stuck' ]"

	# The hot key must be writable again within 6 s of the fault.
	local n=3 code writable_ms=-1
	while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 10000 ]; do
		code=$(hot_write $n)
		n=$((n + 1))
		if [ "$code" = 204 ]; then
			writable_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
			break
		fi
		sleep 0.05
	done
	wait "$sp"
	stuck_code=$(cat "$TMPROOT/stuck.code")
	stuck_ms=$(awk '/"oci_runtime":"stuck"/ { print int($3) }' "$TMPROOT/probe.log")
	wait "$h1" "$h2"

	local other_max hot_max
	other_max=$(sed -n 's/.* max_ms=\([0-9.]*\).*/\1/p' "$TMPROOT/other.sum")
	hot_max=$(sed -n 's/.* max_ms=\([0-9.]*\).*/\1/p' "$TMPROOT/hot.sum")
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$TMPROOT/other.log" \
	    "$TMPROOT/hot.log" "$TMPROOT/probe.log" >"$TMPROOT/verify.out" 2>&1
	local vrc=$?

	echo "stuck: stuck request ${stuck_ms} ms (status $stuck_code), hot key writable after ${writable_ms} ms, slowest other write ${other_max} ms, slowest hot-key write ${hot_max} ms; $(cat "$TMPROOT/other.sum"); $(cat "$TMPROOT/verify.out")"
	assertTrue "the watchdog killed the stuck worker" \
	    "grep -q 'in one request for' '$TMPROOT/stderr'"
	assertNotEquals "the stuck request was not acknowledged" 204 "$stuck_code"
	assertTrue "the stuck request ended within 6 s (${stuck_ms} ms)" \
	    "[ '${stuck_ms:-99999}' -le 6000 ]"
	assertTrue "hot key writable within 6 s (${writable_ms} ms)" \
	    "[ $writable_ms -ge 0 ] && [ $writable_ms -le 6000 ]"
	assertTrue "no other write waited more than 6 s (${other_max} ms)" \
	    "awk -v m='${other_max:-99999}' 'BEGIN { exit !(m <= 6000) }'"
	assertTrue "no hot-key write waited more than 6 s (${hot_max} ms)" \
	    "awk -v m='${hot_max:-99999}' 'BEGIN { exit !(m <= 6000) }'"
	assertEquals "nothing acknowledged lost: $(cat "$TMPROOT/verify.out")" 0 "$vrc"
	assertTrue "the service answers" \
	    "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 '$BASE/sys/health')\" = 200 ]"
}

. "$SHUNIT2"
