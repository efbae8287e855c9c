#!/usr/bin/env bash
# snapshot.sh: sys/storage/raft/snapshot and the offline backup and
# restore.  The archive's layout (tar tzf, sha256sum -c, db5.3_verify), a
# snapshot under 8 writers holding every write acknowledged before it was
# asked for, snapshots while the housekeeper trims logs, a restore that
# brings back runtimes, plugins, policies and tokens exactly (also under
# load: no answer from the old data after the restore's 204; killed at a
# random moment, the old catalog or the snapshot, whole), truncated,
# edited and foreign archives refused with nothing changed, snapshot-force,
# sudo, the body limit's 413, and "catalogd backup|restore" (refused while
# a supervisor runs).
. "$(dirname "$0")/lib.sh"

SNAP=$TMPROOT/snap
oneTimeSetUp() {
	mkdir -p "$SNAP"
	server_start || fail "start"
}
oneTimeTearDown() { suite_teardown; }
setUp() { TOKEN=$ROOT_TOKEN; }

# snapshot FILE: GET the snapshot into FILE; sets STATUS.
snapshot() {
	local auth=()
	[ -n "$TOKEN" ] && auth=(-H "X-Vault-Token: $TOKEN")
	STATUS=$(curl -s -o "$1" -w '%{http_code}' --max-time 30 \
	    "${CURL_TLS[@]}" "${auth[@]}" "$BASE/sys/storage/raft/snapshot")
}

# restore PATH FILE: POST FILE to PATH (snapshot or snapshot-force).
restore() {
	api POST "sys/storage/raft/$1" --max-time 30 \
	    -H 'Content-Type: application/octet-stream' --data-binary "@$2"
}

# wait_ready: until a read answers 200 again (a restore swaps the pool).
wait_ready() {
	local i code
	for i in $(seq 1 200); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		    "${CURL_TLS[@]}" -H "X-Vault-Token: ${1:-$ROOT_TOKEN}" \
		    "$BASE/sys/plugins/runtimes/catalog")
		[ "$code" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

# dump: the catalog, canonically: runtimes, plugins, policies (with their
# text) and tokens (by accessor, without the ttl that counts down).
dump() {
	local p a
	api GET sys/plugins/runtimes/catalog; jq -c .data "$RAW"
	api GET sys/plugins/catalog; jq -c .data "$RAW"
	api GET "sys/policies/acl?list=true"
	for p in $(jq -r '.data.keys[]' "$RAW"); do
		api GET "sys/policies/acl/$p"; jq -c .data "$RAW"
	done
	api GET "auth/token/accessors?list=true"
	for a in $(jq -r '.data.keys[]' "$RAW" | sort); do
		api POST auth/token/lookup-accessor --data "{\"accessor\":\"$a\"}"
		jq -c '.data | del(.ttl)' "$RAW"
	done
}

# unpack ARCHIVE DIR: the archive's files into DIR.
unpack() {
	rm -rf "$2" && mkdir -p "$2" && tar xzf "$1" -C "$2"
}

# verify_state DIR: db5.3_verify on every database of an unpacked state.
verify_state() {
	local f ok=yes n=0
	for f in "$1"/*.db; do
		db5.3_verify -h "$1" "${f##*/}" >"$TMPROOT/verify.out" 2>&1 ||
		    { ok=no; cat "$TMPROOT/verify.out" >&2; }
		n=$((n + 1))
	done
	assertEquals "db5.3_verify in $1 ($n databases)" yes "$ok"
	assertTrue "databases in $1" "[ $n -ge 9 ]"
}

# writers N SECONDS PREFIX: N background writers registering new runtimes
# <PREFIX><i>-<n>-z for at most SECONDS and 5000 requests each; each name
# acknowledged with 204 goes to $SNAP/ack.<i>, every status to
# $SNAP/status.<i>.  Their PIDs are in WRITERS.
WRITERS=()
writers() {
	local i
	WRITERS=()
	for i in $(seq 1 "$1"); do
		: >"$SNAP/ack.$i"
		: >"$SNAP/status.$i"
		(
			end=$((SECONDS + $2)); n=0
			while [ $SECONDS -lt $end ] && [ $n -lt 5000 ]; do
				name=$3$i-$n-z
				code=$(curl -s -o /dev/null -w '%{http_code}' \
				    --max-time 10 "${CURL_TLS[@]}" -X PUT \
				    -H "X-Vault-Token: $ROOT_TOKEN" \
				    --data '{"oci_runtime":"runsc"}' \
				    "$BASE/sys/plugins/runtimes/catalog/container/$name")
				echo "$code" >>"$SNAP/status.$i"
				[ "$code" = 204 ] && echo "$name" >>"$SNAP/ack.$i"
				n=$((n + 1))
			done
		) &
		WRITERS+=($!)
	done
}
writers_wait() {
	local p
	for p in "${WRITERS[@]}"; do wait "$p"; done
	WRITERS=()
}

test_layout_and_checksums() {
	local rc
	put_runtime layout-a '{"oci_runtime":"runsc","cpu_nanos":5}'
	snapshot "$SNAP/l.tgz"
	assertEquals "GET snapshot" 200 "$STATUS"
	tar tzf "$SNAP/l.tgz" >"$SNAP/l.list"
	assertEquals "members in order" "$(cat "$SNAP/l.list")" \
	    "$(printf 'meta.json\n'; grep '^state/' "$SNAP/l.list"; printf 'SHA256SUMS\nSHA256SUMS.sealed\n')"
	for f in runtimes tokens policies plugins meta accessors; do
		grep -qx "state/$f.db" "$SNAP/l.list"
		assertTrue "state/$f.db in the archive" $?
	done
	grep -q '^state/log\.[0-9]*$' "$SNAP/l.list"
	assertTrue "a log file in the archive" $?
	unpack "$SNAP/l.tgz" "$SNAP/l"
	(cd "$SNAP/l" && sha256sum -c --strict SHA256SUMS >"$SNAP/l.sums" 2>&1)
	rc=$?
	assertEquals "sha256sum -c: $(cat "$SNAP/l.sums")" 0 "$rc"
	assertEquals "every other member is summed" \
	    "$(grep -cv '^SHA256SUMS' "$SNAP/l.list")" "$(wc -l <"$SNAP/l/SHA256SUMS")"
	grep -qx '[0-9a-f]\{64\}' "$SNAP/l/SHA256SUMS.sealed"
	assertTrue "SHA256SUMS.sealed is a non-empty HMAC" $?
	assertEquals "meta.json" "1 1" \
	    "$(jq -r '"\(.Version) \(.catalogd_format)"' "$SNAP/l/meta.json")"
	verify_state "$SNAP/l/state"
}

test_sudo_needed() {
	local tok
	api PUT sys/policies/acl/snap-nosudo --data '{"policy":"path \"sys/storage/raft/*\" { capabilities = [\"read\",\"update\",\"create\"] }"}'
	assertEquals 204 "$STATUS"
	api POST auth/token/create --data '{"policies":["snap-nosudo"],"ttl":"1h"}'
	tok=$(jq -r .auth.client_token "$RAW")
	snapshot "$SNAP/root.tgz"
	TOKEN=$tok
	snapshot "$SNAP/nosudo.tgz"
	assertEquals "GET without sudo" 403 "$STATUS"
	restore snapshot "$SNAP/root.tgz"
	assertEquals "POST without sudo: $BODY" 403 "$STATUS"
	restore snapshot-force "$SNAP/root.tgz"
	assertEquals "force without sudo: $BODY" 403 "$STATUS"
	assertEquals "one error" "permission denied" \
	    "$(jq -r '.errors[0]' "$RAW" | grep -o 'permission denied')"
	TOKEN=
	snapshot "$SNAP/none.tgz"
	assertEquals "GET without a token" 403 "$STATUS"
	TOKEN=$ROOT_TOKEN
	api GET sys/storage/raft/snapshot-force
	assertEquals "GET snapshot-force" 405 "$STATUS"
}

# Every write acknowledged before the request started is in the snapshot,
# which verifies and restores offline into a fresh data directory.
test_snapshot_under_writers() {
	local i before=$SNAP/before missing=0 n=0 d2=$TMPROOT/d2
	writers 8 6 sw
	sleep 2
	cat "$SNAP"/ack.* >"$before"
	snapshot "$SNAP/w.tgz"
	assertEquals "GET snapshot under load" 200 "$STATUS"
	writers_wait
	assertTrue "writes acknowledged before the snapshot: $(wc -l <"$before")" \
	    "[ $(wc -l <"$before") -ge 8 ]"
	assertEquals "writers got only 204" "" \
	    "$(cat "$SNAP"/status.* | grep -vx 204 | sort | uniq -c)"
	rm -rf "$d2"
	CATALOGD_DATA=$d2 "$CATALOGD_BIN" restore "$SNAP/w.tgz" 2>"$SNAP/r.err"
	assertEquals "offline restore into a fresh directory: $(cat "$SNAP/r.err")" 0 $?
	verify_state "$d2/db"
	db5.3_dump -p -h "$d2/db" runtimes.db >"$SNAP/w.dump"
	while read -r i; do
		n=$((n + 1))
		grep -qxF " container\\00$i" "$SNAP/w.dump" ||
		    missing=$((missing + 1))
	done <"$before"
	assertEquals "of $n acknowledged writes, missing" 0 "$missing"
	grep -qF " container\\00sw" "$SNAP/w.dump"
	assertTrue "the dump names runtimes as container NUL NAME" $?
}


# state_a: a catalog with a runtime, a plugin, a policy and a token.
state_a() {
	put_runtime ra-one '{"oci_runtime":"runsc","cpu_nanos":7}'
	put_runtime ra-two '{"oci_runtime":"crun"}'
	api PUT sys/plugins/catalog/secret/pa --data '{"sha256":"0101010101010101010101010101010101010101010101010101010101010101","command":"pa","version":"v1.0.0"}'
	assertEquals "plugin: $BODY" 204 "$STATUS"
	api PUT sys/policies/acl/pol-a --data '{"policy":"path \"sys/*\" { capabilities = [\"read\"] }"}'
	assertEquals 204 "$STATUS"
	api POST auth/token/create --data '{"policies":["pol-a"],"ttl":"2h"}'
	TOK_A=$(jq -r .auth.client_token "$RAW")
}

test_restore_brings_back_exactly() {
	local tok_b
	state_a
	dump >"$SNAP/a.dump"
	snapshot "$SNAP/a.tgz"
	assertEquals 200 "$STATUS"
	# Change everything the snapshot holds.
	api DELETE sys/plugins/runtimes/catalog/container/ra-two
	put_runtime ra-three '{"oci_runtime":"kata"}'
	api DELETE sys/plugins/catalog/secret/pa
	api DELETE sys/policies/acl/pol-a
	TOKEN=$TOK_A; api POST auth/token/revoke-self --data '{}'; TOKEN=$ROOT_TOKEN
	api POST auth/token/create --data '{"ttl":"2h"}'
	tok_b=$(jq -r .auth.client_token "$RAW")
	dump >"$SNAP/b.dump"
	assertNotEquals "the catalog changed" "$(cat "$SNAP/a.dump")" "$(cat "$SNAP/b.dump")"
	restore snapshot "$SNAP/a.tgz"
	expect 204 "" "POST snapshot"
	wait_ready
	assertTrue "answers after the restore" $?
	assertEquals "the catalog equals the snapshot" "$(cat "$SNAP/a.dump")" "$(dump)"
	TOKEN=$TOK_A; api GET auth/token/lookup-self
	assertEquals "the snapshot's token works again" 200 "$STATUS"
	TOKEN=$tok_b; api GET auth/token/lookup-self
	assertEquals "a token made after the snapshot is gone" 403 "$STATUS"
	TOKEN=$ROOT_TOKEN
	assertFalse "no restore left in the data directory" \
	    "ls -d '$DATA'/db.new '$DATA'/db.old '$DATA'/restore.tmp 2>/dev/null | grep -q ."
}

# refused FILE PATH WHAT MESSAGE: POST FILE to PATH gets 400 MESSAGE.
refused() {
	restore "$2" "$1"
	assertEquals "$3: status ($BODY)" 400 "$STATUS"
	assertEquals "$3: message" "$4" "$(jq -r '.errors[0]' "$RAW" 2>/dev/null)"
}

test_bad_archives_refused_and_nothing_changes() {
	local d=$SNAP/e before size
	put_runtime bad-keep '{"oci_runtime":"runsc"}'
	snapshot "$SNAP/good.tgz"
	assertEquals 200 "$STATUS"
	before=$(dump)
	size=$(stat -c %s "$SNAP/good.tgz")
	head -c $((size / 2)) "$SNAP/good.tgz" >"$SNAP/trunc.tgz"
	refused "$SNAP/trunc.tgz" snapshot "truncated" "snapshot is truncated or corrupt"
	refused "$SNAP/trunc.tgz" snapshot-force "truncated, forced" "snapshot is truncated or corrupt"
	printf 'not gzip' >"$SNAP/junk"
	refused "$SNAP/junk" snapshot "not gzip" "snapshot is truncated or corrupt"
	: >"$SNAP/empty"
	refused "$SNAP/empty" snapshot "empty" "snapshot is truncated or corrupt"
	# One byte of a database changed, the sums left alone.
	unpack "$SNAP/good.tgz" "$d"
	printf 'X' | dd of="$d/state/runtimes.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
	tar --format=ustar -czf "$SNAP/edited.tgz" -C "$d" meta.json state SHA256SUMS SHA256SUMS.sealed
	refused "$SNAP/edited.tgz" snapshot "edited database" \
	    "snapshot is corrupt: the checksum of state/runtimes.db does not match SHA256SUMS"
	refused "$SNAP/edited.tgz" snapshot-force "edited, forced" \
	    "snapshot is corrupt: the checksum of state/runtimes.db does not match SHA256SUMS"
	# The sums made to match the edit: the seal no longer does.
	(cd "$d" && sha256sum meta.json state/* >SHA256SUMS)
	tar --format=ustar -czf "$SNAP/resummed.tgz" -C "$d" meta.json state SHA256SUMS SHA256SUMS.sealed
	refused "$SNAP/resummed.tgz" snapshot "edited and re-summed" \
	    "snapshot was not taken by this installation (its seal does not match); sys/storage/raft/snapshot-force restores it anyway"
	# Forced past the seal, the databases themselves must verify: a
	# broken meta page (its magic number), re-summed.
	unpack "$SNAP/good.tgz" "$d"
	printf 'XXXX' | dd of="$d/state/runtimes.db" bs=1 seek=12 conv=notrunc 2>/dev/null
	(cd "$d" && sha256sum meta.json state/* >SHA256SUMS)
	tar --format=ustar -czf "$SNAP/broken.tgz" -C "$d" meta.json state SHA256SUMS SHA256SUMS.sealed
	refused "$SNAP/broken.tgz" snapshot-force "damaged database, forced" \
	    "snapshot's databases do not verify"
	# An extra member, and a missing seal.
	unpack "$SNAP/good.tgz" "$d"
	echo hi >"$d/extra"
	tar --format=ustar -czf "$SNAP/extra.tgz" -C "$d" meta.json state SHA256SUMS SHA256SUMS.sealed extra
	refused "$SNAP/extra.tgz" snapshot "extra member" "snapshot holds an unexpected file: extra"
	: >"$d/SHA256SUMS.sealed"
	tar --format=ustar -czf "$SNAP/unsealed.tgz" -C "$d" meta.json state SHA256SUMS SHA256SUMS.sealed
	refused "$SNAP/unsealed.tgz" snapshot-force "empty seal" \
	    "incomplete snapshot: it needs meta.json, state/meta.db, a state/log file, SHA256SUMS and a non-empty SHA256SUMS.sealed"
	assertEquals "live data untouched" "$before" "$(dump)"
	assertFalse "nothing staged" \
	    "ls -d '$DATA'/db.new '$DATA'/restore.tmp 2>/dev/null | grep -q ."
}

test_body_limit_413() {
	head -c $((1048576 + 1)) /dev/urandom >"$SNAP/big"
	restore snapshot "$SNAP/big"
	expect 413 "$(errjson "snapshot larger than body_limit (1048576 bytes): raise body_limit in catalogd.conf (CATALOGD_BODY_LIMIT)")"
}

# A snapshot of another installation: refused, then forced.
test_foreign_snapshot() {
	local d3=$TMPROOT/d3 pid i mine
	mkdir -p "$d3"
	CATALOGD_DATA=$d3 CATALOGD_ROOT_TOKEN=foreign-root CATALOGD_WORKERS=1 \
	    "$CATALOGD_BIN" >"$SNAP/d3.out" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do
		[ -s "$d3/catalogd.pid" ] && break
		sleep 0.05
	done
	kill "$pid"; wait "$pid"
	CATALOGD_DATA=$d3 "$CATALOGD_BIN" backup "$SNAP/foreign.tgz" 2>"$SNAP/d3.err"
	assertEquals "offline backup of the other installation: $(cat "$SNAP/d3.err")" 0 $?
	snapshot "$SNAP/mine.tgz"
	mine=$(dump)
	refused "$SNAP/foreign.tgz" snapshot "foreign" \
	    "snapshot was not taken by this installation (its seal does not match); sys/storage/raft/snapshot-force restores it anyway"
	assertEquals "refused: nothing changed" "$mine" "$(dump)"
	restore snapshot-force "$SNAP/foreign.tgz"
	expect 204 "" "snapshot-force"
	wait_ready foreign-root
	assertTrue "the foreign root token works" $?
	api GET auth/token/lookup-self
	assertEquals "our root token is gone with our data" 403 "$STATUS"
	# Back to ours: ours is foreign now.
	TOKEN=foreign-root
	refused "$SNAP/mine.tgz" snapshot "ours, now foreign" \
	    "snapshot was not taken by this installation (its seal does not match); sys/storage/raft/snapshot-force restores it anyway"
	restore snapshot-force "$SNAP/mine.tgz"
	expect 204 "" "forced back"
	wait_ready
	TOKEN=$ROOT_TOKEN
	assertEquals "our catalog is back" "$mine" "$(dump)"
}

# Snapshots back to back while 8 writers fill the log and the housekeeper
# checkpoints and trims every 5 s: every one is whole and verifies.
test_trimming_during_snapshots() {
	local i n=0 bad=0 rc logs
	writers 8 12 tr
	for i in $(seq 1 40); do
		[ $i -gt 3 ] && ! kill -0 "${WRITERS[0]}" 2>/dev/null && break
		snapshot "$SNAP/t$i.tgz"
		[ "$STATUS" = 200 ] || { bad=$((bad + 1)); continue; }
		n=$((n + 1))
		unpack "$SNAP/t$i.tgz" "$SNAP/t"
		(cd "$SNAP/t" && sha256sum -c --quiet SHA256SUMS) >/dev/null 2>&1
		rc=$?
		[ $rc = 0 ] || bad=$((bad + 1))
		for f in "$SNAP"/t/state/*.db; do
			db5.3_verify -h "$SNAP/t/state" "${f##*/}" >/dev/null 2>&1 ||
			    bad=$((bad + 1))
		done
	done
	writers_wait
	assertEquals "of $n snapshots during trimming, broken" 0 "$bad"
	assertTrue "at least 5 snapshots ($n)" "[ $n -ge 5 ]"
	# The housekeeper still trims between snapshots.
	sleep 6
	logs=$(ls "$DATA"/db/log.* | wc -l)
	assertTrue "log files after trimming: $logs" "[ $logs -le 3 ]"
	# The last one restores offline and holds what was acknowledged first.
	rm -rf "$TMPROOT/d4"
	CATALOGD_DATA=$TMPROOT/d4 "$CATALOGD_BIN" restore "$SNAP/t$i.tgz" 2>/dev/null ||
	    CATALOGD_DATA=$TMPROOT/d4 "$CATALOGD_BIN" restore "$SNAP/t$((i - 1)).tgz" 2>/dev/null
	assertEquals "a snapshot taken while trimming restores" 0 $?
	verify_state "$TMPROOT/d4/db"
}

# A restore while writers and readers run: only 204 and 503 answers, and
# no read that began after the restore's 204 sees the replaced data.
test_restore_under_load() {
	local t0 t1 stale bad
	put_runtime live-marker '{"oci_runtime":"snapshot-value"}'
	snapshot "$SNAP/live.tgz"
	assertEquals 200 "$STATUS"
	put_runtime live-marker '{"oci_runtime":"replaced-value"}'
	writers 4 8 lw
	(
		end=$((SECONDS + 8))
		while [ $SECONDS -lt $end ]; do
			s=$(date +%s%N)
			out=$(curl -s -w ' %{http_code}' --max-time 10 "${CURL_TLS[@]}" \
			    -H "X-Vault-Token: $ROOT_TOKEN" \
			    "$BASE/sys/plugins/runtimes/catalog/container/live-marker")
			echo "$s ${out##* } $(echo "${out% *}" | jq -r .data.oci_runtime 2>/dev/null)"
		done >"$SNAP/reads"
	) &
	READER=$!
	sleep 2
	restore snapshot "$SNAP/live.tgz"
	t1=$(date +%s%N)
	expect 204 "" "POST snapshot under load"
	wait "$READER"
	writers_wait
	wait_ready
	stale=$(awk -v t="$t1" '$1 > t && $3 == "replaced-value"' "$SNAP/reads" | wc -l)
	assertEquals "reads after the 204 that saw the replaced data" 0 "$stale"
	assertTrue "reads after the restore saw the snapshot" \
	    "awk -v t=$t1 '\$1 > t && \$3 == \"snapshot-value\"' '$SNAP/reads' | grep -q ."
	bad=$(awk '$2 != 200 && $2 != 503' "$SNAP/reads" | wc -l)
	assertEquals "reads answered other than 200 or 503" 0 "$bad"
	bad=$(cat "$SNAP"/status.* | grep -vx '204\|503' | wc -l)
	assertEquals "writes answered other than 204 or 503" 0 "$bad"
	api GET sys/plugins/runtimes/catalog/container/live-marker
	assertEquals "after the restore" snapshot-value "$(jq -r .data.oci_runtime "$RAW")"
}

# kill_all: SIGKILL to the supervisor and all its children at once (the
# machine dies under them), then the rest of the deployment stops; the
# next start recovers.
kill_all() {
	local sup
	sup=$(supervisor_pid)
	# shellcheck disable=SC2046
	kill -9 $(pgrep -P "$sup") "$sup" 2>/dev/null
	server_stop
}

test_restore_killed_at_any_moment() {
	local i n=${SNAPSHOT_CRASHES:-10} got code olds=0 news=0 t0 span ms
	put_runtime crash-marker '{"oci_runtime":"a"}'
	dump >"$SNAP/ca.dump"
	snapshot "$SNAP/ca.tgz"
	assertEquals 200 "$STATUS"
	put_runtime crash-marker '{"oci_runtime":"b"}'
	put_runtime crash-only-b '{"oci_runtime":"b"}'
	dump >"$SNAP/cb.dump"
	snapshot "$SNAP/cb.tgz"
	assertEquals 200 "$STATUS"
	# How long a restore takes here, until the new pool answers.
	t0=$(date +%s%N)
	restore snapshot "$SNAP/cb.tgz"
	wait_ready
	span=$(( ($(date +%s%N) - t0) / 1000000 ))
	for i in $(seq 1 "$n"); do
		rm -f "$SNAP/crash.status"
		( restore snapshot "$SNAP/ca.tgz"
		  echo "$STATUS" >"$SNAP/crash.status" ) &
		# Anywhere from before the archive is checked to after the
		# new pool answers: spread over that time, denser at its
		# start, where the archive is checked and committed.
		ms=$(( span * (i - 1) * (i - 1) / ((n - 1) * (n - 1)) +
		    RANDOM % 10 ))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill_all
		wait $!
		code=$(cat "$SNAP/crash.status" 2>/dev/null)
		dbverify
		server_start || { fail "restart after crash $i"; return; }
		got=$(dump)
		if [ "$got" = "$(cat "$SNAP/ca.dump")" ]; then
			news=$((news + 1))
		elif [ "$got" = "$(cat "$SNAP/cb.dump")" ]; then
			olds=$((olds + 1))
			assertNotEquals "crash $i: a restore answered 204 is kept" \
			    204 "$code"
		else
			fail "crash $i: neither the old catalog nor the snapshot"
			echo "$got" | diff "$SNAP/cb.dump" - >&2
		fi
		assertFalse "crash $i: no restore left in the data directory" \
		    "ls -d '$DATA'/db.new '$DATA'/db.old '$DATA'/restore.tmp 2>/dev/null | grep -q ."
		# Back to the old catalog for the next round.
		restore snapshot "$SNAP/cb.tgz"
		wait_ready
		assertEquals "crash $i: reset" "$(cat "$SNAP/cb.dump")" "$(dump)"
	done
	echo "restore killed $n times over its $span ms: old catalog $olds, snapshot $news"
}

test_offline_backup_restore() {
	local out=$SNAP/off.tgz before rc
	put_runtime off-one '{"oci_runtime":"runsc"}'
	CATALOGD_DATA=$DATA "$CATALOGD_BIN" backup "$out" 2>"$SNAP/off.err"
	rc=$?
	assertEquals "backup refused while the supervisor runs" 1 "$rc"
	grep -q "in use by a running catalogd" "$SNAP/off.err"
	assertTrue "says why: $(cat "$SNAP/off.err")" $?
	snapshot "$SNAP/live-before.tgz"
	CATALOGD_DATA=$DATA "$CATALOGD_BIN" restore "$SNAP/live-before.tgz" 2>"$SNAP/off.err"
	assertEquals "restore refused while the supervisor runs" 1 $?
	before=$(dump)
	server_stop
	printf 'data_dir = "%s"\n' "$DATA" >"$SNAP/c.conf"
	"$CATALOGD_BIN" -f "$SNAP/c.conf" backup "$out" 2>"$SNAP/off.err"
	assertEquals "offline backup: $(cat "$SNAP/off.err")" 0 $?
	assertEquals "0600" 600 "$(stat -c %a "$out")"
	tar tzf "$out" | grep -qx state/runtimes.db
	assertTrue "offline backup's layout" $?
	unpack "$out" "$SNAP/o"
	(cd "$SNAP/o" && sha256sum -c --quiet SHA256SUMS)
	assertEquals "offline backup's sums" 0 $?
	# Change the data offline, then restore the backup.
	server_start || fail "restart"
	api DELETE sys/plugins/runtimes/catalog/container/off-one
	server_stop
	"$CATALOGD_BIN" -f "$SNAP/c.conf" restore "$SNAP/trunc.tgz" 2>"$SNAP/off.err"
	assertEquals "offline restore of a truncated archive" 1 $?
	grep -q "truncated or corrupt" "$SNAP/off.err"
	assertTrue "says why: $(cat "$SNAP/off.err")" $?
	"$CATALOGD_BIN" -f "$SNAP/c.conf" restore "$SNAP/foreign.tgz" 2>"$SNAP/off.err"
	assertEquals "offline restore of a foreign archive" 1 $?
	"$CATALOGD_BIN" -f "$SNAP/c.conf" restore "$out" 2>"$SNAP/off.err"
	assertEquals "offline restore: $(cat "$SNAP/off.err")" 0 $?
	dbverify
	server_start || fail "restart after restore"
	assertEquals "the catalog equals the backup" "$before" "$(dump)"
	"$CATALOGD_BIN" restore -force 2>/dev/null
	assertEquals "restore without a file: usage" 2 $?
}

. "$SHUNIT2"
