#!/usr/bin/env bash
# bounded.sh SUITE [ARG...]: runs one test suite in a process group of its
# own for at most CATALOGD_SUITE_TIMEOUT seconds (1200 by default), and
# never past CATALOGD_CHECK_DEADLINE (seconds since the epoch: scripts/check
# sets it, so that the whole run ends inside its time budget).  A suite
# that overruns fails: first the processes still running (their state and
# what they wait in), the free disk space and the suite's newest server
# logs are printed into its log, then its process group and every process
# below it get SIGTERM (its own tear-down runs) and, 15 s later, SIGKILL.
# The Makefile runs every shell suite through it.
set -u
start=$(date +%s)
limit=${CATALOGD_SUITE_TIMEOUT:-1200}
if [ -n "${CATALOGD_CHECK_DEADLINE:-}" ]; then
	left=$((CATALOGD_CHECK_DEADLINE - start))
	if [ "$left" -lt 60 ]; then
		echo "bounded: $1 not run: the check's time budget is spent" >&2
		exit 1
	fi
	[ "$left" -lt "$limit" ] && limit=$left
fi

# tree PID: PID and every process below it (a multi-node suite starts each
# node in a session of its own, out of reach of the group's signal).
tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1"); do tree "$c"; done
}

# report SUITE PID: what the suite's processes are doing, for its log.
report() {
	local tmp f
	echo "bounded: $1 still running after $limit s; its processes:"
	# shellcheck disable=SC2046
	ps -o pid,ppid,pgid,stat,etimes,wchan:24,args --forest \
	    -p "$(tree "$2" | paste -sd, -)" 2>/dev/null | cut -c 1-200
	df -h "${TMPDIR:-/tmp}" 2>/dev/null | tail -n 1
	# The scratch directories made since the suite started: the newest
	# lines of its server logs.
	find "${TMPDIR:-/tmp}" -maxdepth 1 -type d -name 'catalogd-test.*' \
	    -newermt "@$start" 2>/dev/null | while read -r tmp; do
		find "$tmp" -maxdepth 3 -type f \( -name stderr -o \
		    -name '*.err' -o -name '*error*.log' \) 2>/dev/null |
		    head -n 6 | while read -r f; do
			echo "--- $f"
			tail -n 15 "$f"
		done
	done
}

# alive PID...: whether any of them (or a group, as -PGID) still runs.
alive() {
	local p
	for p in "$@"; do kill -0 -- "$p" 2>/dev/null && return 0; done
	return 1
}

fired=$(mktemp "${TMPDIR:-/tmp}/bounded.XXXXXX") || exit 1
trap 'rm -f "$fired"' EXIT
setsid "$@" &
pid=$!
(
	trap 'exit 0' TERM
	t=0
	while [ "$t" -lt "$limit" ]; do
		sleep 1 & wait $!
		t=$((t + 1))
	done
	echo fired >"$fired"
	report "$1" "$pid"
	pids=$(tree "$pid")
	# shellcheck disable=SC2086
	kill -TERM -- "-$pid" $pids 2>/dev/null
	for t in $(seq 1 15); do
		# shellcheck disable=SC2086
		alive "-$pid" $pids || exit 0
		sleep 1
	done
	# shellcheck disable=SC2086
	kill -KILL -- "-$pid" $pids 2>/dev/null
) &
timer=$!
# Interrupted (make stopped, ^C): the suite, in a session of its own, is
# told too, and its tear-down runs before this ends.
trap 'kill -TERM -- "-$pid" 2>/dev/null' INT TERM HUP
wait "$pid"
rc=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; rc=$?; done
if [ -s "$fired" ]; then
	wait "$timer"
	echo "bounded: $1 stopped after $limit s" >&2
	rc=1
else
	kill "$timer" 2>/dev/null
	wait "$timer" 2>/dev/null
	echo "bounded: $1 took $(($(date +%s) - start)) s"
fi
exit "$rc"
