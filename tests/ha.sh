#!/usr/bin/env bash
# ha.sh: a replicated group of three nodes on loopback, each one a whole
# deployment in its own process group (scripts/catalogd-run: front end,
# supervisor, replication process, workers), with its own data directory,
# HTTP port and replication port.  The group is formed once (node 1
# bootstraps it); every test leaves all three running and agreeing on the
# active node.  Failover cycles SIGKILL the active node's whole process
# group under the load of 8 writers spread over the nodes; after them every
# acknowledged write must read back, nothing never sent may exist, and the
# three copies must be identical (db5.3_dump of every database).
# HA_CYCLES (5) sets the number of kill cycles.
. "$(dirname "$0")/lib.sh"

HA_CYCLES=${HA_CYCLES:-5}
# Each node behind catalogd-run's own lighttpd or nginx (the stock
# configurations are for one deployment per machine).
case $FRONTEND in
nginx) HA_FRONTEND=nginx ;;
*) HA_FRONTEND=lighttpd ;;
esac
HA=$TMPROOT/ha
NODES="1 2 3"
declare -a HPORT RPORT HPID
TOKEN=$ROOT_TOKEN
RT=sys/plugins/runtimes/catalog/container
NOT_ACTIVE='local node not active but active cluster node not found'
FIGURES=$TMPROOT/figures

now_ms() { date +%s%3N; }

api_of() { echo "http://127.0.0.1:${HPORT[$1]}"; }

# ha_start I [VAR=value...]: starts node I in a process group of its own.
ha_start() {
	local i=$1 peers="" j
	shift
	for j in $NODES; do
		[ "$j" = "$i" ] || peers="$peers${peers:+,}127.0.0.1:${RPORT[$j]}"
	done
	mkdir -p "$HA/n$i"
	env CATALOGD_LISTEN="127.0.0.1:${HPORT[$i]}" CATALOGD_DATA="$HA/n$i" \
	    CATALOGD_ROOT_TOKEN="$ROOT_TOKEN" CATALOGD_FRONTEND="$HA_FRONTEND" \
	    CATALOGD_WORKERS=4 CATALOGD_API_ADDR="$(api_of "$i")" \
	    CATALOGD_REPL_ADDR="127.0.0.1:${RPORT[$i]}" \
	    CATALOGD_REPL_PEERS="$peers" "$@" \
	    setsid "$REAPER" "$RUNNER" >>"$HA/n$i.out" 2>>"$HA/n$i.err" &
	HPID[$i]=$!
	# Killed on purpose: no job notice from bash.
	disown "$!"
}

# ha_kill I [SIG]: signals node I's whole process group (SIGKILL and
# SIGTERM: waits until every process of it is gone).
ha_kill() {
	local i=$1 sig=${2:-KILL} t
	[ -n "${HPID[$i]}" ] || return 0
	kill "-$sig" -- "-${HPID[$i]}" 2>/dev/null
	if [ "$sig" = KILL ] || [ "$sig" = TERM ]; then
		for t in $(seq 1 300); do
			pgrep -g "${HPID[$i]}" >/dev/null || break
			sleep 0.05
		done
		HPID[$i]=
	fi
}


# leader I: node I's sys/leader as "is_self leader_address" (or "down").
leader() {
	curl -s --max-time 1 "$(api_of "$1")/v1/sys/leader" |
	    jq -r '"\(.is_self) \(.leader_address)"' 2>/dev/null || echo down
}

# active: the node that says it is active, if exactly one does.
active() {
	local i n=0 a=
	for i in $NODES; do
		[ -n "${HPID[$i]}" ] || continue
		case $(leader "$i") in
		"true "*) a=$i; n=$((n + 1)) ;;
		esac
	done
	[ "$n" = 1 ] && echo "$a"
}

# probe I: one write through node I; prints its status.
probe() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 3 -X PUT \
	    -H "X-Vault-Token: $TOKEN" --data '{"oci_runtime":"probe"}' \
	    "$(api_of "$1")/v1/$RT/probe-$1"
}

# agree [SECONDS]: every running node names the same active node, which
# says it is active, and a write through each running node answers 204.
agree() {
	local limit=${1:-60} t a i ok
	for t in $(seq 1 $((limit * 10))); do
		a=$(active)
		ok=${a:+yes}
		for i in $NODES; do
			[ -n "$ok" ] || break
			[ -n "${HPID[$i]}" ] || continue
			[ "$(leader "$i")" = "$([ "$i" = "$a" ] && echo true ||
			    echo false) $(api_of "$a")" ] || ok=
			[ -n "$ok" ] && [ "$(probe "$i")" = 204 ] || ok=
		done
		[ -n "$ok" ] && { ACTIVE=$a; return 0; }
		sleep 0.1
	done
	ha_logs
	return 1
}

ha_logs() {
	local i
	for i in $NODES; do
		echo "--- node $i ($(leader "$i"))" >&2
		tail -n 25 "$HA/n$i.err" >&2
	done
}

oneTimeSetUp() {
	local i
	mkdir -p "$HA"
	for i in $NODES; do
		HPORT[$i]=$("$FREEPORT") && RPORT[$i]=$("$FREEPORT") || return 1
	done
	ha_start 1 CATALOGD_REPL_BOOTSTRAP=1
	for i in $(seq 1 300); do
		[ "$(leader 1)" = "true $(api_of 1)" ] && break
		sleep 0.05
	done
	ha_start 2
	ha_start 3
	agree 60 || { echo "the group did not form" >&2; return 1; }
}

oneTimeTearDown() {
	local i
	for i in $NODES; do
		ha_kill "$i"
	done
	[ -f "$FIGURES" ] && cat "$FIGURES"
	lib_teardown
}

# lib_teardown shows these when a test failed.
server_logs() { ha_logs; }

# on I METHOD PATH [curl args...]: api through node I.
on() {
	local saved=$BASE
	BASE=$(api_of "$1")/v1
	shift
	api "$@"
	BASE=$saved
}

test_formation_and_leader() {
	local i a=$ACTIVE
	assertEquals "node 1 bootstrapped the group and is active" 1 "$a"
	for i in $NODES; do
		on "$i" GET sys/leader
		assertEquals "sys/leader on $i" 200 "$STATUS"
		assertEquals "ha_enabled on $i" true "$(jq .ha_enabled "$RAW")"
		assertEquals "leader_address on $i" "$(api_of "$a")" \
		    "$(jq -r .leader_address "$RAW")"
		assertEquals "leader_cluster_address on $i" \
		    "tcp://127.0.0.1:${RPORT[$a]}" \
		    "$(jq -r .leader_cluster_address "$RAW")"
		if [ "$i" = "$a" ]; then
			assertEquals "is_self on the active node" true "$(jq .is_self "$RAW")"
			assertNotEquals "active_time on the active node" \
			    '"0001-01-01T00:00:00Z"' "$(jq .active_time "$RAW")"
		else
			assertEquals "is_self on standby $i" false "$(jq .is_self "$RAW")"
			assertEquals "active_time on standby $i" \
			    '"0001-01-01T00:00:00Z"' "$(jq .active_time "$RAW")"
		fi
	done
}

test_health() {
	local a=$ACTIVE s i
	for i in $NODES; do [ "$i" = "$a" ] || s=$i; done
	TOKEN= on "$a" GET sys/health
	assertEquals "health on the active node ($BODY)" 200 "$STATUS"
	assertEquals false "$(jq .standby "$RAW")"
	TOKEN= on "$s" GET sys/health
	assertEquals "health on a standby ($BODY)" 429 "$STATUS"
	assertEquals true "$(jq .standby "$RAW")"
	assertEquals "a standby still names the cluster" \
	    "$(TOKEN= on "$a" GET sys/health; jq -r .cluster_id "$RAW")" \
	    "$(jq -r .cluster_id "$RAW")"
	TOKEN= on "$s" GET "sys/health?standbyok=true"
	assertEquals "standbyok" 200 "$STATUS"
	TOKEN= on "$s" GET "sys/health?standbycode=299"
	assertEquals "standbycode" 299 "$STATUS"
	TOKEN= on "$s" GET "sys/health?standbyok=true&activecode=202"
	assertEquals "standbyok uses activecode" 202 "$STATUS"
	TOKEN= on "$a" GET "sys/health?activecode=203&standbycode=299"
	assertEquals "activecode on the active node" 203 "$STATUS"
	TOKEN= on "$s" GET "sys/health?standbycode=abc"
	expect 400 '{"errors":[]}' "a standbycode that is no number"
	TOKEN= on "$s" GET "sys/health?standbyok=maybe"
	expect 400 '{"errors":[]}' "a standbyok that is no bool"
	TOKEN= on "$a" GET "sys/health?activecode=1000"
	expect 400 '{"errors":[]}' "a code HTTP cannot carry"
	# sys/metrics is each node's own.
	on "$a" GET "sys/metrics?format=prometheus"
	assertEquals "the active node's metrics" "vault_core_active 1" \
	    "$(grep '^vault_core_active ' "$RAW")"
	on "$s" GET "sys/metrics?format=prometheus"
	assertEquals "a standby's metrics, served there" "vault_core_active 0" \
	    "$(grep '^vault_core_active ' "$RAW")"
}

test_writes_and_reads_through_every_node() {
	local i j list=()
	for i in $NODES; do
		on "$i" PUT "$RT/via-$i" --data "{\"oci_runtime\":\"rt-$i\"}"
		assertEquals "PUT through node $i ($BODY)" 204 "$STATUS"
	done
	for i in $NODES; do
		for j in $NODES; do
			on "$i" GET "$RT/via-$j"
			assertEquals "GET via-$j through $i" "rt-$j" \
			    "$(jq -r .data.oci_runtime "$RAW")"
		done
		on "$i" GET "sys/plugins/runtimes/catalog?list=true"
		list[$i]=$(jq -c '[.data.runtimes[].name]' "$RAW")
	done
	assertEquals "the same list through 1 and 2" "${list[1]}" "${list[2]}"
	assertEquals "the same list through 1 and 3" "${list[1]}" "${list[3]}"
	# An error is the active node's, unchanged.
	on 1 GET "$RT/absent"
	local want=$BODY wstatus=$STATUS
	for i in 2 3; do
		on "$i" GET "$RT/absent"
		assertEquals "404 through $i" "$wstatus" "$STATUS"
		assertEquals "404 body through $i" "$want" "$BODY"
	done
}

test_tokens_and_policies_group_wide() {
	local a=$ACTIVE s1 s2 i tok
	for i in $NODES; do
		[ "$i" = "$a" ] && continue
		[ -z "$s1" ] && s1=$i || s2=$i
	done
	on "$s1" PUT sys/policies/acl/reader --data \
	    '{"policy":"path \"sys/plugins/runtimes/catalog/*\" { capabilities = [\"read\", \"sudo\"] }"}'
	assertEquals "policy through a standby ($BODY)" 204 "$STATUS"
	on "$s2" POST auth/token/create --data '{"policies":["reader"],"num_uses":2}'
	assertEquals "token through a standby ($BODY)" 200 "$STATUS"
	tok=$(jq -r .auth.client_token "$RAW")
	TOKEN=$tok on "$s1" GET "$RT/via-1"
	assertEquals "first use, on another standby" 200 "$STATUS"
	TOKEN=$tok on "$a" GET "$RT/via-1"
	assertEquals "second use, on the active node" 200 "$STATUS"
	TOKEN=$tok on "$s2" GET "$RT/via-1"
	assertEquals "a third use is refused on any node" 403 "$STATUS"
	on "$s1" POST auth/token/create --data '{"policies":["reader"]}'
	tok=$(jq -r .auth.client_token "$RAW")
	TOKEN=$tok on "$s2" PUT auth/token/revoke-self
	assertEquals "revoked through a standby" 204 "$STATUS"
	for i in $NODES; do
		TOKEN=$tok on "$i" GET "$RT/via-1"
		assertEquals "a revoked token on $i" 403 "$STATUS"
	done
}

test_redirect_and_refusals() {
	local a=$ACTIVE s i loc
	for i in $NODES; do [ "$i" = "$a" ] || s=$i; done
	loc=$(curl -s -o "$RAW" -D - --max-time 3 -X PUT -H "X-Vault-Token: $TOKEN" \
	    -H 'X-Vault-No-Request-Forwarding: true' --data '{"oci_runtime":"x"}' \
	    "$(api_of "$s")/v1/$RT/redirected?a=1&b=2" | tr -d '\r')
	assertEquals "307 with X-Vault-No-Request-Forwarding" 307 \
	    "$(echo "$loc" | sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p')"
	assertEquals "Location: the active node, same path and query" \
	    "$(api_of "$a")/v1/$RT/redirected?a=1&b=2" \
	    "$(echo "$loc" | sed -n 's/^Location: //p')"
	on "$a" GET "$RT/redirected"
	assertEquals "a redirected write is not applied" 404 "$STATUS"
	on "$s" GET "$RT/via-1" -H 'X-Vault-Forward: active-node'
	expect 400 "$(errjson 'forwarding via header X-Vault-Forward disabled in configuration')"
	on "$a" GET "$RT/via-1" -H 'X-Vault-Forward: active-node'
	expect 400 "$(errjson 'forwarding via header X-Vault-Forward disabled in configuration')" \
	    "X-Vault-Forward on the active node"
	# A request some node already forwarded is never forwarded again.
	on "$s" GET "$RT/via-1" -H 'X-Catalogd-Forwarded: 127.0.0.1:1'
	expect 500 "$(errjson "$NOT_ACTIVE")" "a forwarded request at a standby"
	{ printf '{"oci_runtime":"'; head -c 1100000 /dev/zero | tr '\0' a
	  printf '"}'; } >"$TMPROOT/big.json"
	on "$s" PUT "$RT/big" --data-binary @"$TMPROOT/big.json"
	assertEquals "a body over the limit at a standby" 413 "$STATUS"
	# Members are listed once connected to the active node.
	for i in $(seq 1 50); do
		on "$s" GET sys/ha-status
		[ "$(jq '.data.nodes | length' "$RAW")" = 3 ] && break
		sleep 0.1
	done
	assertEquals "sys/ha-status through a standby ($BODY)" 200 "$STATUS"
	assertEquals "three nodes ($BODY)" 3 "$(jq '.data.nodes | length' "$RAW")"
	assertEquals "one active node" "$(api_of "$a")" \
	    "$(jq -r '.data.nodes[] | select(.active_node) | .api_address' "$RAW")"
	assertEquals "every node's api_address" "$(for i in $NODES; do api_of "$i"; done | sort)" \
	    "$(jq -r '.data.nodes[].api_address' "$RAW" | sort)"
	assertEquals "injected at the top level too" 3 "$(jq '.nodes | length' "$RAW")"
	TOKEN= on "$s" GET sys/ha-status
	assertEquals "sys/ha-status needs a token" 403 "$STATUS"
}

test_snapshot_and_restore_through_standbys() {
	local a=$ACTIVE s1= s2= i tok before
	for i in $NODES; do
		[ "$i" = "$a" ] && continue
		[ -z "$s1" ] && s1=$i || s2=$i
	done
	on "$s1" PUT "$RT/snap-kept" --data '{"oci_runtime":"before"}'
	assertEquals 204 "$STATUS"
	curl -s -o "$TMPROOT/group.snap" -w '%{http_code}' --max-time 30 \
	    -H "X-Vault-Token: $TOKEN" "$(api_of "$s1")/v1/sys/storage/raft/snapshot" \
	    >"$TMPROOT/snap.status"
	assertEquals "a snapshot through a standby" 200 "$(cat "$TMPROOT/snap.status")"
	assertTrue "it is the archive Vault's client checks" \
	    "tar tzf '$TMPROOT/group.snap' | grep -qx SHA256SUMS.sealed"
	on "$a" GET "sys/plugins/runtimes/catalog?list=true"
	before=$(jq -c .data "$RAW")
	on "$s2" PUT "$RT/snap-kept" --data '{"oci_runtime":"after"}'
	on "$s2" PUT "$RT/snap-later" --data '{"oci_runtime":"after"}'
	on "$s2" POST auth/token/create --data '{"ttl":"1h"}'
	tok=$(jq -r .auth.client_token "$RAW")
	on "$s2" POST sys/storage/raft/snapshot -H 'Content-Type: application/octet-stream' \
	    --data-binary @"$TMPROOT/group.snap"
	expect 204 "" "a restore through a standby"
	for i in $NODES; do
		on "$i" GET "sys/plugins/runtimes/catalog?list=true"
		assertEquals "the snapshot's catalog through node $i" "$before" \
		    "$(jq -c .data "$RAW")"
		TOKEN=$tok on "$i" GET auth/token/lookup-self
		assertEquals "a token made after the snapshot, on node $i" 403 "$STATUS"
	done
	printf 'not a snapshot' >"$TMPROOT/bad.snap"
	on "$s1" POST sys/storage/raft/snapshot --data-binary @"$TMPROOT/bad.snap"
	assertEquals "a bad archive, through a standby" 400 "$STATUS"
	same_copies
}

# --- load: 8 writers, each its own key sequence, spread over the nodes.
STOP=$TMPROOT/stop-writers
writer() {
	local w=$1 n=0 node key code
	while [ ! -e "$STOP" ] && [ $n -lt 20000 ]; do
		node=$(( (w + n) % 3 + 1 ))
		key=w$w-$n
		echo "$key" >>"$TMPROOT/sent"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
		    -X PUT -H "X-Vault-Token: $ROOT_TOKEN" \
		    --data "{\"oci_runtime\":\"v-$key\"}" \
		    "http://127.0.0.1:${HPORT[$node]}/v1/$RT/$key")
		echo "$(now_ms) $key $code" >>"$TMPROOT/acks.$w"
		n=$((n + 1))
	done
}

WRITERS=
writers_start() {
	local w
	rm -f "$STOP"
	for w in 1 2 3 4 5 6 7 8; do
		writer "$w" &
		WRITERS="$WRITERS $!"
	done
}

writers_stop() {
	touch "$STOP"
	wait $WRITERS 2>/dev/null
	WRITERS=
}

# first_ack_after MS: the time of the first 204 any writer got after MS.
first_ack_after() {
	cat "$TMPROOT"/acks.* 2>/dev/null |
	    awk -v t="$1" '$3 == 204 && $1 > t { print $1 }' | sort -n | head -n 1
}

# failover: SIGKILLs the active node's process group; waits for another
# active node and its first acknowledged write; restarts the dead node and
# waits for the group to agree.  Appends "master_ms write_ms" to FIGURES.
failover() {
	local a=$ACTIVE t0 t1 t2 i n
	t0=$(now_ms)
	# The clock runs from the kill itself: the poll starts at once, and
	# only then does the harness wait for the dead node's processes.
	kill -KILL -- "-${HPID[$a]}"
	n=
	while [ -z "$n" ] && [ $(( $(now_ms) - t0 )) -lt 20000 ]; do
		for i in $NODES; do
			[ "$i" = "$a" ] && continue
			[ "$(leader "$i")" = "true $(api_of "$i")" ] && n=$i
		done
		[ -n "$n" ] || sleep 0.01
	done
	t1=$(now_ms)
	assertNotNull "a new active node after killing node $a" "$n"
	t2=
	while [ -z "$t2" ] && [ $(( $(now_ms) - t0 )) -lt 20000 ]; do
		t2=$(first_ack_after "$t1")
		[ -n "$t2" ] || sleep 0.05
	done
	assertNotNull "a write acknowledged after the failover" "$t2"
	ha_kill "$a"
	echo "failover: node $n active $((t1 - t0)) ms after the kill (its own log: $(sed -n 's/.*active node, \([0-9]*\) ms after.*/\1/p' "$HA/n$n.err" | tail -n 1) ms after it lost node $a), first write acknowledged after $(( ${t2:-$t0} - t0 )) ms" >>"$FIGURES"
	ha_start "$a"
	agree 60
	assertTrue "the group agrees again after node $a came back" $?
}

# Waits until the three logs end at the same place, twice in a row.
quiesce() {
	local t last= cur i
	for t in $(seq 1 200); do
		cur=
		for i in $NODES; do
			cur="$cur $(db5.3_stat -l -h "$HA/n$i/db" 2>/dev/null |
			    awk '/Current log file (number|offset)/ { printf "%s/", $1 }')"
		done
		if [ "$(echo "$cur" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" = 1 ]; then
			[ "$cur" = "$last" ] && return 0
			last=$cur
		fi
		sleep 0.5
	done
	return 1
}

# dumps: stops the group cleanly, dumps every database of each node (from
# a recovered copy) and prints one checksum per node; starts it again.
same_copies() {
	local i f sums=
	quiesce
	assertTrue "the three logs end at the same record" $?
	for i in $NODES; do ha_kill "$i" TERM; done
	for i in $NODES; do
		rm -rf "$HA/copy$i"
		cp -a "$HA/n$i/db" "$HA/copy$i"
		db5.3_recover -h "$HA/copy$i" 2>>"$TMPROOT/dump.err"
		# Replication's own scratch databases (__db.rep*.db) are local.
		for f in $(cd "$HA/copy$i" && ls ./[!_]*.db | sort); do
			db5.3_dump -p -h "$HA/copy$i" "$f"
		done >"$HA/dump$i" 2>>"$TMPROOT/dump.err"
		sums="$sums $(md5sum <"$HA/dump$i" | cut -c1-32)"
	done
	assertTrue "dumps are not empty" "[ -s '$HA/dump1' ]"
	assertEquals "the three copies are identical (db5.3_dump)" 1 \
	    "$(echo $sums | tr ' ' '\n' | sort -u | wc -l)"
	diff "$HA/dump1" "$HA/dump2" | head -n 5
	for i in $NODES; do ha_start "$i"; done
	agree 60
	assertTrue "the group came back" $?
}

# Every acknowledged write is there with its value; nothing never sent is.
verify_writes() {
	local acked listed lost extra
	cat "$TMPROOT"/acks.* | awk '$3 == 204 { print $2 }' | sort -u >"$TMPROOT/acked"
	sort -u "$TMPROOT/sent" >"$TMPROOT/sent.sorted"
	on "$ACTIVE" GET "sys/plugins/runtimes/catalog?list=true"
	jq -r '.data.runtimes[] | select(.name | test("^w[0-9]")) |
	    "\(.name) \(.oci_runtime)"' "$RAW" | sort >"$TMPROOT/listed"
	acked=$(wc -l <"$TMPROOT/acked")
	listed=$(wc -l <"$TMPROOT/listed")
	lost=$(cut -d' ' -f1 "$TMPROOT/listed" | comm -23 "$TMPROOT/acked" - | wc -l)
	extra=$(cut -d' ' -f1 "$TMPROOT/listed" | comm -13 "$TMPROOT/sent.sorted" - | wc -l)
	echo "writes: $(wc -l <"$TMPROOT/sent.sorted") sent, $acked acknowledged, $listed present, $lost acknowledged lost" >>"$FIGURES"
	assertTrue "some writes were acknowledged" "[ $acked -gt 0 ]"
	assertEquals "acknowledged writes lost" 0 "$lost"
	assertEquals "writes present that were never sent" 0 "$extra"
	assertEquals "every present write has its own value" 0 \
	    "$(awk '$2 != "v-" $1' "$TMPROOT/listed" | wc -l)"
}

test_failover_under_load() {
	local c
	writers_start
	for c in $(seq 1 "$HA_CYCLES"); do
		sleep "1.$((RANDOM % 10))"
		failover
	done
	sleep 1
	writers_stop
	verify_writes
	same_copies
}

test_standby_killed() {
	local a=$ACTIVE s i t0
	for i in $NODES; do [ "$i" = "$a" ] || s=$i; done
	writers_start
	sleep 1
	t0=$(now_ms)
	ha_kill "$s"
	sleep 2
	writers_stop
	# Writers whose turn was the dead standby fail to connect (000).
	assertEquals "writes through the live nodes all answered 204" 0 \
	    "$(cat "$TMPROOT"/acks.* | awk -v t="$t0" '$1 > t + 50 && $3 != 204 && $3 != "000"' | wc -l)"
	assertEquals "the active node did not change" "$a" "$(active)"
	ha_start "$s"
	agree 60
	assertTrue "the standby rejoined" $?
	verify_writes
}

test_two_nodes_down() {
	local a=$ACTIVE s1= s2= i code
	for i in $NODES; do
		[ "$i" = "$a" ] && continue
		[ -z "$s1" ] && s1=$i || s2=$i
	done
	# Both standbys down: the active node alone cannot get an ack.
	ha_kill "$s1"
	ha_kill "$s2"
	on "$a" PUT "$RT/alone" --data '{"oci_runtime":"alone"}'
	assertEquals "no write is acknowledged by a node alone" 503 "$STATUS"
	assertEquals "and it says why" \
	    "write not acknowledged by a quorum of the replicated group; it may or may not persist" \
	    "$(jq -r '.errors[0]' "$RAW")"
	ha_start "$s1"
	ha_start "$s2"
	agree 60
	assertTrue "both came back" $?
	# A standby and then the active node down: the survivor cannot elect.
	a=$ACTIVE
	for i in $NODES; do [ "$i" = "$a" ] || s1=$i; done
	for i in $NODES; do [ "$i" = "$a" ] || [ "$i" = "$s1" ] || s2=$i; done
	# The standby first: killed together, the survivor and the other
	# standby could still elect each other in the milliseconds between.
	ha_kill "$s1"
	ha_kill "$a"
	code=
	for i in $(seq 1 100); do
		on "$s2" GET "$RT/via-1"
		[ "$STATUS" = 500 ] && break
		sleep 0.1
	done
	expect 500 "$(errjson "$NOT_ACTIVE")" "a lone standby"
	TOKEN= on "$s2" GET sys/health
	assertEquals "a lone standby's health" 429 "$STATUS"
	on "$s2" GET sys/leader
	assertEquals "no leader known" '"" false' \
	    "$(jq -c .leader_address "$RAW") $(jq .is_self "$RAW")"
	ha_start "$a"
	ha_start "$s1"
	agree 60
	assertTrue "all three back" $?
	verify_writes
}

test_frozen_active_loses_its_role() {
	local a=$ACTIVE i n t
	writers_start
	sleep 1
	ha_kill "$a" STOP
	n=
	for t in $(seq 1 150); do
		for i in $NODES; do
			[ "$i" = "$a" ] && continue
			[ "$(leader "$i")" = "true $(api_of "$i")" ] && n=$i
		done
		[ -n "$n" ] && break
		sleep 0.1
	done
	assertNotNull "another node became active while node $a was frozen" "$n"
	ha_kill "$a" CONT
	agree 60
	assertTrue "the frozen node rejoined" $?
	assertNotEquals "the frozen node stands by" "$a" "$ACTIVE"
	sleep 1
	writers_stop
	verify_writes
}

test_worker_crash_on_active() {
	local a=$ACTIVE sup w t0
	writers_start
	sleep 1
	sup=$(cat "$HA/n$a/catalogd.pid")
	w=$(pgrep -P "$sup" | tail -n 1)
	t0=$(now_ms)
	kill -9 "$w"
	agree 60
	assertTrue "the group agrees after a worker crash on the active node" $?
	echo "worker crash on the active node: agreement after $(( $(now_ms) - t0 )) ms" >>"$FIGURES"
	sleep 1
	writers_stop
	verify_writes
}

test_all_three_restarted() {
	local i t0
	writers_start
	sleep 1
	writers_stop
	for i in $NODES; do ha_kill "$i"; done
	t0=$(now_ms)
	for i in $NODES; do ha_start "$i"; done
	agree 90
	assertTrue "the group formed again after all three were killed" $?
	echo "all three killed and restarted: agreement after $(( $(now_ms) - t0 )) ms" >>"$FIGURES"
	verify_writes
	same_copies
}

. "$SHUNIT2"
