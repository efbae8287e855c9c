#!/usr/bin/env bash
# crash.sh: acknowledged writes survive kill -9 (issue #5, checks 1 and 2).
#
# Kill storm: 8 writers (tests/hammer) register unique runtimes with random
# fields while a random worker is SIGKILLed every 250 ms for 20 s.  Then
# every 204-acknowledged record must read back byte for byte, no name that
# was never sent may exist, no request may have taken 3 s or more, at least
# 30 % of the requests must be acknowledged, every pool that lost a worker
# must have been replaced by a recovery cycle, the service must answer a
# GET within 2 s of the last kill, lighttpd and the supervisor must still
# be the ones that started, and the databases must verify after a clean
# stop.
#
# Whole-tree kill: under the same write load, the front end, the supervisor
# and the workers are SIGKILLed at once, three times.  After each restart
# nothing acknowledged may be missing and the first 204 must come within
# 2 s of starting the restart; the databases must verify after a clean stop.
#
# Knobs: KILLSTORM_SECONDS (20), KILLSTORM_INTERVAL_MS (250),
# KILLSTORM_WRITERS (8), TREEKILL_ROUNDS (3), TREEKILL_WRITERS (8).
. "$(dirname "$0")/../lib.sh"

HAMMER=$CATALOGD_BUILDDIR/tests/hammer
STORM_SECONDS=${KILLSTORM_SECONDS:-20}
STORM_INTERVAL_MS=${KILLSTORM_INTERVAL_MS:-250}
STORM_WRITERS=${KILLSTORM_WRITERS:-8}
TREE_ROUNDS=${TREEKILL_ROUNDS:-3}
TREE_WRITERS=${TREEKILL_WRITERS:-8}
HAMMER_PID=

oneTimeTearDown() { lib_teardown; }
tearDown() {
	if [ -n "$HAMMER_PID" ]; then
		kill "$HAMMER_PID" 2>/dev/null
		wait "$HAMMER_PID" 2>/dev/null
		HAMMER_PID=
	fi
	server_stop
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# hstat NAME FILE: a number from a hammer summary line.
hstat() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2" | tail -n 1; }

# lt A B: is the decimal A below B?
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# front_pid: the front end (lighttpd or nginx's master) of the deployment.
front_pid() {
	local runner
	runner=$(pgrep -P "$SERVER_PID" | head -n 1)
	[ -n "$runner" ] && pgrep -P "$runner" -x "$FRONTEND" | head -n 1
}

# pool_scan: POOL_WORKERS gets the live workers (they hold the FastCGI
# socket), POOL_HK the housekeeper (it closed it), which identifies the
# pool: only a recovery cycle replaces it.  POOL_HK stays empty unless
# exactly one live child without a socket exists.
pool_scan() {
	local sup p state hks=()
	POOL_WORKERS=()
	POOL_HK=
	sup=$(supervisor_pid 2>/dev/null) || return 0
	[ -n "$sup" ] || return 0
	for p in $(pgrep -P "$sup"); do
		state=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null)
		case $state in
		''|Z|X|x) continue ;;
		esac
		if ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'socket:'; then
			POOL_WORKERS+=("$p")
		else
			hks+=("$p")
		fi
	done
	[ ${#hks[@]} = 1 ] && POOL_HK=${hks[0]}
	return 0
}

# ms_to_answer PATH START: milliseconds from START (now_ms) until a GET of
# PATH answers 200 (gives up 10 s after START).
ms_to_answer() {
	local code
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    -H "X-Vault-Token: $ROOT_TOKEN" "$BASE/$1")
		[ "$code" = 200 ] && break
		[ $(($(now_ms) - $2)) -gt 10000 ] && break
		sleep 0.01
	done
	echo $(($(now_ms) - $2))
}

# first_put NAME: PUTs NAME until a 204 (at most 10 s).
first_put() {
	local end code
	end=$(($(now_ms) + 10000))
	while [ "$(now_ms)" -lt "$end" ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    -X PUT -H "X-Vault-Token: $ROOT_TOKEN" \
		    --data '{"oci_runtime":"runc","cpu_nanos":1}' \
		    "$BASE/sys/plugins/runtimes/catalog/container/$1")
		[ "$code" = 204 ] && return 0
		sleep 0.01
	done
	return 1
}

# verify WHAT LOG...: hammer -V over the logs; sets VERIFY to its summary.
verify() {
	local what=$1 rc
	shift
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -V "$@" >"$TMPROOT/verify.out" \
	    2>"$TMPROOT/verify.err"
	rc=$?
	VERIFY=$(cat "$TMPROOT/verify.out")
	echo "$what: $VERIFY" >&2
	[ $rc = 0 ] || head -n 20 "$TMPROOT/verify.err" >&2
	assertEquals "$what: hammer -V ($VERIFY)" 0 "$rc"
	assertTrue "$what: something was acknowledged" \
	    "[ '$(hstat acked "$TMPROOT/verify.out")' -gt 0 ]"
}

test_kill_storm() {
	local log=$TMPROOT/storm.log out=$TMPROOT/storm.out
	local sup front start next victim answered restarts0 restarts
	local kills=0 missed=0 tick=0 i sent acked maxms pct settle last
	local -A gens=()

	server_start || { fail "start"; return; }
	put_runtime storm-known '{"oci_runtime":"runc","cpu_nanos":5}'
	sup=$(supervisor_pid)
	front=$(front_pid)
	restarts0=$(grep -c 'restarting the pool with recovery' "$TMPROOT/stderr")

	# The writers run for the whole storm and one second before it.
	"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c "$STORM_WRITERS" \
	    -s $((STORM_SECONDS + 1)) -P rt- -l "$log" >"$out" &
	HAMMER_PID=$!
	sleep 1
	start=$(now_ms)
	while [ $((tick * STORM_INTERVAL_MS)) -lt $((STORM_SECONDS * 1000)) ]; do
		pool_scan
		if [ ${#POOL_WORKERS[@]} -gt 0 ]; then
			victim=${POOL_WORKERS[RANDOM % ${#POOL_WORKERS[@]}]}
		else
			victim=$(worker_pids 2>/dev/null | shuf -n 1)
		fi
		if [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null; then
			last=$(now_ms)
			kills=$((kills + 1))
			# This pool lost a worker: a recovery cycle must end it.
			[ -n "$POOL_HK" ] && gens[$POOL_HK]=1
		else
			missed=$((missed + 1))
		fi
		tick=$((tick + 1))
		[ $((tick * STORM_INTERVAL_MS)) -lt $((STORM_SECONDS * 1000)) ] ||
		    break
		next=$((start + tick * STORM_INTERVAL_MS - $(now_ms)))
		[ $next -gt 0 ] && sleep "$(printf '%d.%03d' $((next / 1000)) \
		    $((next % 1000)))"
	done
	answered=$(ms_to_answer sys/plugins/runtimes/catalog/container/storm-known \
	    "${last:-$(now_ms)}")
	wait "$HAMMER_PID"
	HAMMER_PID=
	cat "$out" >&2

	sent=$(hstat sent "$out")
	acked=$(hstat acked "$out")
	maxms=$(hstat max_ms "$out")
	assertTrue "writers ran ($(cat "$out"))" "[ -n '$sent' ]"
	[ -n "$sent" ] || return
	pct=$((sent > 0 ? acked * 100 / sent : 0))

	verify killstorm "$log"
	assertTrue "600 or more registrations sent (sent $sent)" "[ $sent -ge 600 ]"
	assertTrue "at least 30 % acknowledged ($acked of $sent, $pct %)" \
	    "[ $((acked * 100)) -ge $((sent * 30)) ]"
	assertTrue "no request took 3 s or more (max ${maxms} ms)" \
	    "lt '$maxms' 3000"
	assertTrue "a GET answered within 2 s of the last kill (${answered} ms)" \
	    "[ $answered -lt 2000 ]"
	assertTrue "some kills hit a worker ($kills kills, $missed missed)" \
	    "[ $kills -gt 0 ]"

	# Every pool that lost a worker ended in a logged recovery cycle.
	for i in $(seq 1 50); do
		pool_scan
		[ -n "$POOL_HK" ] && [ -z "${gens[$POOL_HK]:-}" ] && break
		sleep 0.1
	done
	settle=$POOL_HK
	restarts=$(($(grep -c 'restarting the pool with recovery' \
	    "$TMPROOT/stderr") - restarts0))
	assertTrue "recovery cycles logged ($restarts)" "[ $restarts -gt 0 ]"
	assertTrue "a recovery cycle for every pool that lost a worker" \
	    "[ $restarts -ge ${#gens[@]} ]"
	assertTrue "the pool after the storm is a new one" \
	    "[ -n '$settle' ] && [ -z '${gens[$settle]:-}' ]"
	assertEquals "the supervisor is the one that started" "$sup" \
	    "$(supervisor_pid)"
	assertTrue "the supervisor is alive" "kill -0 $sup"
	assertTrue "the front end is alive ($front)" \
	    "[ -n '$front' ] && kill -0 $front && [ '$(front_pid)' = '$front' ]"
	server_stop
	dbverify

	echo "killstorm: sent=$sent acked=$acked(${pct}%)" \
	    "lost=$(hstat lost "$TMPROOT/verify.out") max_ms=$maxms" \
	    "kills=$kills missed=$missed pools_hit=${#gens[@]}" \
	    "recoveries=$restarts answer_after_last_kill_ms=$answered"
}

test_whole_tree_kill() {
	local round log logs=() t0 ms worst=0 times=() pids out f
	local sent acked total_acked=0

	for round in $(seq 0 "$TREE_ROUNDS"); do
		t0=$(now_ms)
		server_start || { fail "start $round"; return; }
		first_put "first-$round" || fail "no 204 after start $round"
		ms=$(($(now_ms) - t0))
		if [ "$round" -gt 0 ]; then
			times+=("$ms")
			[ "$ms" -gt "$worst" ] && worst=$ms
			assertTrue "restart $round: first 204 within 2 s (${ms} ms)" \
			    "[ $ms -lt 2000 ]"
			verify "restart $round" "${logs[@]}"
		fi
		[ "$round" = "$TREE_ROUNDS" ] && break

		log=$TMPROOT/tree.$((round + 1)).log
		out=$TMPROOT/tree.$((round + 1)).out
		logs+=("$log")
		"$HAMMER" -p "$PORT" -t "$ROOT_TOKEN" -c "$TREE_WRITERS" -s 10 \
		    -P "tk$((round + 1))-" -l "$log" >"$out" &
		HAMMER_PID=$!
		sleep "1.$((RANDOM % 10))"
		# SIGKILL the front end, the supervisor and every worker at
		# once: every process below the reaper that server_start used.
		pids=$(descendants "$SERVER_PID" | tr '\n' ' ')
		kill -9 $pids 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
		kill -TERM "$HAMMER_PID"
		wait "$HAMMER_PID"
		HAMMER_PID=
		cat "$out" >&2
		sent=$(hstat sent "$out")
		acked=$(hstat acked "$out")
		assertTrue "round $((round + 1)): writes were acknowledged" \
		    "[ '${acked:-0}' -gt 0 ]"
		total_acked=$((total_acked + ${acked:-0}))
	done

	server_stop
	dbverify
	echo "treekill: rounds=$TREE_ROUNDS acked=$total_acked" \
	    "lost=$(hstat lost "$TMPROOT/verify.out")" \
	    "first_204_ms=${times[*]} worst_ms=$worst"
}

. "$SHUNIT2"
