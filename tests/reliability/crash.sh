#!/usr/bin/env bash
# crash.sh: every acknowledged write survives kill -9.  Concurrent writers
# register unique runtimes with random fields while workers (and then the
# whole process tree) are SIGKILLed; afterwards every 204-acknowledged
# record must read back with identical fields, and the service must answer
# again within 2 s of each kill.
. "$(dirname "$0")/../lib.sh"

WRITERS=${CRASH_WRITERS:-4}
SECONDS_OF_LOAD=${CRASH_SECONDS:-8}

oneTimeTearDown() { lib_teardown; }
tearDown() { server_stop; }

# writer ID DEADLINE: writes unique names until DEADLINE (epoch seconds) or
# 2000 requests; each acknowledged write goes to acked.ID with the data
# object a read must return.
writer() {
	local id=$1 deadline=$2 n=0 name body want code rl
	while [ "$(date +%s)" -lt "$deadline" ] && [ $n -lt 2000 ]; do
		n=$((n + 1))
		name=w$id-$n
		rl=$([ $((RANDOM % 2)) = 0 ] && echo true || echo false)
		body="{\"oci_runtime\":\"oci-$RANDOM\",\"cgroup_parent\":\"/cg/$RANDOM/\",\"cpu_nanos\":$RANDOM$RANDOM,\"memory_bytes\":$RANDOM,\"rootless\":$rl}"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		    -X PUT -H "X-Vault-Token: $ROOT_TOKEN" --data "$body" \
		    "$BASE/sys/plugins/runtimes/catalog/container/$name")
		echo "$code" >>"$TMPROOT/codes.$id"
		[ "$code" = 204 ] || continue
		want=$(echo "$body" | sed -E 's/^\{"oci_runtime":("[^"]*"),"cgroup_parent":("[^"]*"),"cpu_nanos":([0-9]+),"memory_bytes":([0-9]+),"rootless":(true|false)\}$/{"cgroup_parent":\2,"cpu_nanos":\3,"memory_bytes":\4,"name":"NAME","oci_runtime":\1,"rootless":\5,"type":"container"}/')
		echo "$name ${want/NAME/$name}" >>"$TMPROOT/acked.$id"
	done
}

# Milliseconds until a read of an acknowledged record succeeds again.
time_to_answer() {
	local start=$(date +%s%N) code
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    -H "X-Vault-Token: $ROOT_TOKEN" "$BASE/sys/health")
		[ "$code" = 200 ] && break
		[ $(( ($(date +%s%N) - start) / 1000000 )) -gt 10000 ] && break
		sleep 0.01
	done
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}

start_writers() {
	local deadline=$(( $(date +%s) + SECONDS_OF_LOAD )) i
	rm -f "$TMPROOT"/acked.* "$TMPROOT"/codes.*
	WRITER_PIDS=()
	for i in $(seq 1 "$WRITERS"); do
		writer "$i" "$deadline" &
		WRITER_PIDS+=($!)
	done
}

# Every acknowledged record must be present with identical fields.
verify_acked() {
	local name want total=0 missing=0
	while read -r name want; do
		total=$((total + 1))
		api GET "sys/plugins/runtimes/catalog/container/$name"
		case $BODY in
		*"\"data\":$want,"*) ;;
		*) missing=$((missing + 1))
		   [ $missing -le 5 ] && echo "lost or changed: $name: $STATUS $BODY (want $want)" >&2 ;;
		esac
	done < <(cat "$TMPROOT"/acked.* 2>/dev/null)
	ACKED=$total
	LOST=$missing
}

test_worker_kills_lose_nothing() {
	server_start CATALOGD_WORKERS=4 || fail "start"
	start_writers
	local kills=0 worst=0 t victim
	sleep 1
	while [ $kills -lt 4 ]; do
		victim=$(worker_pids | shuf -n 1)
		[ -n "$victim" ] && kill -9 "$victim" && kills=$((kills + 1))
		t=$(time_to_answer)
		[ "$t" -gt "$worst" ] && worst=$t
		sleep 1.2
	done
	wait "${WRITER_PIDS[@]}"
	verify_acked
	local sent
	sent=$(cat "$TMPROOT"/codes.* | wc -l)
	echo "crash: $kills worker kills, $sent writes sent, $ACKED acknowledged, $LOST lost, slowest recovery ${worst} ms" >&2
	assertTrue "some writes were acknowledged" "[ $ACKED -gt 50 ]"
	assertEquals "acknowledged writes lost" 0 "$LOST"
	assertTrue "service answered again within 2 s (worst ${worst} ms)" "[ $worst -lt 2000 ]"
	assertTrue "recovery cycles logged" \
	    "grep -q 'restarting the pool with recovery' '$TMPROOT/stderr'"
}

test_whole_tree_kill_loses_nothing() {
	local round pids t worst=0
	rm -f "$TMPROOT"/acked.*
	for round in 1 2 3; do
		server_start CATALOGD_WORKERS=4 || fail "start $round"
		t=$(time_to_answer)
		[ "$t" -gt "$worst" ] && worst=$t
		local deadline=$(( $(date +%s) + 3 )) i
		for i in $(seq 1 "$WRITERS"); do
			writer "r$round-$i" "$deadline" &
		done
		sleep 1.5
		# SIGKILL the front end, the supervisor and every worker at
		# once: every process below the reaper that server_start used.
		pids=$(descendants "$SERVER_PID" | tr '\n' ' ')
		kill -9 $pids 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
		wait
	done
	server_start || fail "final start"
	verify_acked
	echo "whole-tree kills: 3 rounds, $ACKED acknowledged, $LOST lost" >&2
	assertTrue "some writes were acknowledged" "[ $ACKED -gt 20 ]"
	assertEquals "acknowledged writes lost" 0 "$LOST"
	local f
	server_stop
	for f in runtimes tokens children policies meta; do
		assertTrue "db5.3_verify $f.db" \
		    "db5.3_verify -h '$DATA/db' '$f.db' >/dev/null 2>&1"
	done
}

. "$SHUNIT2"
