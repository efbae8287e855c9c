#!/usr/bin/env bash
# persist.sh: the run contract of SPEC §2.  Data and tokens survive a
# restart; the root token is created once (printed once, never stored raw);
# one supervisor per data directory; workers are the supervisor's children
# and are recycled after CATALOGD_MAX_REQUESTS without a recovery cycle;
# SIGHUP under load loses no request.
. "$(dirname "$0")/lib.sh"

oneTimeTearDown() { lib_teardown; }
tearDown() { server_stop; }

test_restart_keeps_data_and_tokens() {
	server_start || fail "start"
	put_runtime keep '{"oci_runtime":"runc","cgroup_parent":"/k/","cpu_nanos":7,"memory_bytes":8,"rootless":true}'
	api GET sys/plugins/runtimes/catalog/container/keep
	local before
	before=$(strip_id <"$RAW")
	server_stop
	server_start CATALOGD_ROOT_TOKEN=another.token || fail "restart"
	api GET sys/plugins/runtimes/catalog/container/keep
	assertEquals 200 "$STATUS"
	assertEquals "$before" "$(strip_id <"$RAW")"
	TOKEN=another.token api GET sys/plugins/runtimes/catalog/container/keep
	assertEquals "a root token given after initialisation is ignored" 403 "$STATUS"
	TOKEN=$ROOT_TOKEN
}

test_raw_root_token_never_written() {
	server_start || fail "start"
	put_runtime secretcheck '{}'
	server_stop
	assertFalse "a root token the operator chose is echoed on stdout" \
	    "grep -qF '$ROOT_TOKEN' '$TMPROOT/stdout'"
	assertTrue "initialisation is still announced" \
	    "grep -q '^Root Token: as given in CATALOGD_ROOT_TOKEN' '$TMPROOT/stdout'"
	assertFalse "the raw root token is in the data directory" \
	    "grep -rqF '$ROOT_TOKEN' '$DATA'"
	assertFalse "the raw root token is in a log" \
	    "grep -qF '$ROOT_TOKEN' '$TMPROOT/stderr'"
	assertTrue "token records exist" "[ -s '$DATA/db/tokens.db' ]"
}

test_random_root_token_printed_once() {
	local saved=$DATA tok
	DATA=$TMPROOT/fresh
	: >"$TMPROOT/stdout"
	server_start CATALOGD_ROOT_TOKEN= || fail "start"
	tok=$(sed -n 's/^Root Token: //p' "$TMPROOT/stdout")
	assertEquals "one root token line" 1 "$(grep -c '^Root Token: ' "$TMPROOT/stdout")"
	assertTrue "token looks like hvs.<24>: $tok" \
	    "echo '$tok' | grep -qE '^hvs\.[A-Za-z0-9]{24}$'"
	TOKEN=$tok api GET sys/plugins/runtimes/catalog
	assertEquals "the printed token is root" 200 "$STATUS"
	server_stop
	server_start CATALOGD_ROOT_TOKEN= || fail "restart"
	assertEquals "printed again after restart" 1 "$(grep -c '^Root Token: ' "$TMPROOT/stdout")"
	TOKEN=$tok api GET sys/plugins/runtimes/catalog
	assertEquals 200 "$STATUS"
	TOKEN=$ROOT_TOKEN
	server_stop
	DATA=$saved
}

test_one_supervisor_per_data_directory() {
	server_start || fail "start"
	local out rc
	out=$(CATALOGD_DATA=$DATA timeout 10 "$CATALOGD_BIN" 2>&1)
	rc=$?
	assertEquals "second supervisor exit status" 1 "$rc"
	assertContains "$out" "in use by another catalogd"
	api GET sys/health
	assertEquals "the first one still serves" 200 "$STATUS"
}

test_pidfile_and_worker_children() {
	server_start CATALOGD_WORKERS=3 || fail "start"
	local sup n
	sup=$(supervisor_pid)
	assertTrue "supervisor $sup is alive" "kill -0 $sup"
	assertEquals "catalogd" "$(ps -o comm= -p "$sup")"
	# Three workers and the housekeeper, all direct children.
	n=$(worker_pids | wc -l)
	assertEquals "children of the supervisor" 4 "$n"
	server_stop
	assertFalse "pid file removed on a clean stop" "[ -e '$DATA/catalogd.pid' ]"
}

test_workers_recycled_after_max_requests() {
	server_start CATALOGD_WORKERS=2 CATALOGD_MAX_REQUESTS=5 || fail "start"
	local before after i bad=0
	before=$(worker_pids | tr '\n' ' ')
	for i in $(seq 1 40); do
		api GET sys/plugins/runtimes/catalog
		[ "$STATUS" = 200 ] || bad=$((bad + 1))
	done
	after=$(worker_pids | tr '\n' ' ')
	assertEquals "requests that failed while workers were recycled" 0 "$bad"
	assertNotEquals "workers were replaced" "$before" "$after"
	assertFalse "no recovery cycle for a clean exit" \
	    "grep -q 'restarting the pool' '$TMPROOT/stderr'"
}

# SIGHUP (logrotate's reopen) while clients write: it may arrive while a
# worker has just accepted a connection and reads the request; that
# request is still answered.  Every answer is a 204, every write there.
test_sighup_under_load_drops_nothing() {
	server_start || fail "start"
	local w pids=() sup hups=0 end bad
	sup=$(supervisor_pid)
	for w in 1 2 3 4; do
		(
			for i in $(seq 1 150); do
				curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 \
				    -X PUT -H "X-Vault-Token: $ROOT_TOKEN" \
				    --data '{"oci_runtime":"runsc"}' \
				    "$BASE/sys/plugins/runtimes/catalog/container/hup$w-$i"
			done >"$TMPROOT/hup.$w"
		) &
		pids+=($!)
	done
	end=$((SECONDS + 60))
	while kill -0 "${pids[0]}" 2>/dev/null && [ $SECONDS -lt $end ]; do
		kill -HUP "$sup" && hups=$((hups + 1))
		sleep 0.01
	done
	for w in "${pids[@]}"; do wait "$w"; done
	bad=$(cat "$TMPROOT"/hup.* | grep -vx 204 | sort | uniq -c | tr '\n' ' ')
	assertEquals "answers other than 204 during $hups SIGHUPs" "" "$bad"
	assertEquals "answers" 600 "$(cat "$TMPROOT"/hup.* | wc -l)"
	api GET sys/plugins/runtimes/catalog
	assertEquals "runtimes written" 600 \
	    "$(jq '.data.runtimes | map(select(.name | startswith("hup"))) | length' "$RAW")"
	assertEquals "the supervisor is the same" "$sup" "$(supervisor_pid)"
}

test_bad_settings_are_refused() {
	local out rc
	out=$(CATALOGD_DATA=$TMPROOT/bad CATALOGD_WORKERS=lots timeout 10 "$CATALOGD_BIN" 2>&1)
	rc=$?
	assertEquals 1 "$rc"
	assertContains "$out" "CATALOGD_WORKERS must be a number"
	out=$(CATALOGD_DATA=$TMPROOT/bad CATALOGD_REQUEST_TIMEOUT=0 timeout 10 "$CATALOGD_BIN" 2>&1)
	assertContains "$out" "CATALOGD_REQUEST_TIMEOUT must be a number from 1 to 86400"
	out=$(CATALOGD_DATA=$TMPROOT/bad CATALOGD_ROOT_TOKEN='has space' timeout 10 "$CATALOGD_BIN" 2>&1)
	assertContains "$out" "CATALOGD_ROOT_TOKEN must match"
	out=$(CATALOGD_DATA=$TMPROOT/bad CATALOGD_LISTEN=nonsense timeout 10 "$RUNNER" 2>&1)
	assertContains "$out" "CATALOGD_LISTEN must be host:port"
	out=$(CATALOGD_DATA=$TMPROOT/bad CATALOGD_FRONTEND=apache timeout 10 "$RUNNER" 2>&1)
	assertContains "$out" "is not supported"
}

test_databases_verify_after_stop() {
	server_start || fail "start"
	put_runtime v1 '{"cpu_nanos":1}'
	server_stop
	dbverify
}

# The housekeeper checkpoints every few seconds and removes log files that
# recovery no longer needs (log files are 1 MiB).
test_checkpoints_remove_old_logs() {
	server_start || fail "start"
	local big w i n=0 pids=()
	big=$(head -c 3000 /dev/zero | tr '\0' 'x')
	assertTrue "first log file exists" "[ -f '$DATA/db/log.0000000001' ]"
	for w in 1 2 3 4; do
		for i in $(seq 1 150); do
			curl -s -o /dev/null --max-time 10 -X PUT \
			    -H "X-Vault-Token: $ROOT_TOKEN" \
			    --data "{\"cgroup_parent\":\"$big\"}" \
			    "$BASE/sys/plugins/runtimes/catalog/container/log$w-$i"
		done &
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in $(seq 1 60); do
		[ -f "$DATA/db/log.0000000001" ] || break
		sleep 0.25
	done
	n=$(ls "$DATA/db" | grep -c '^log\.')
	assertFalse "log.0000000001 still present after 15 s" \
	    "[ -f '$DATA/db/log.0000000001' ]"
	assertTrue "a current log file remains ($n)" "[ $n -ge 1 ]"
	api GET sys/plugins/runtimes/catalog/container/log4-150
	assertEquals "data written before the trim reads back" 200 "$STATUS"
}

. "$SHUNIT2"
