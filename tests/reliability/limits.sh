#!/usr/bin/env bash
# limits.sh: body and header limits (issue #5, check 6; reliability.md
# §4.2 check 7).  One deployment with a small body limit (64 KiB) so that
# the bodies stay cheap:
#  * a valid registration padded with JSON whitespace to exactly the limit
#    is stored (Content-Length and chunked) and reads back;
#  * limit+1, 1 MiB (past catalogd's limit, under the front end's cap) and
#    10 MiB (past the front end's cap) are refused with the JSON 413 in
#    under 1 s, with Content-Length, chunked, with and without
#    "Expect: 100-continue", and nothing is stored;
#  * a lying Content-Length (100 declared, 10 bytes sent, then FIN) and a
#    truncated chunk never reach a handler: no 2xx, nothing stored;
#  * 50 half-sent bodies held open do not slow 200 normal requests
#    (p99 < 100 ms), get no answer, and store nothing once dropped;
#  * header limits: a header line, a token header, a request line and a
#    header block above the front end's field limit get a fast 4xx JSON
#    answer; a long token under that limit gets catalogd's 403;
#  * no worker's VmRSS grows by 2 MiB over 400 body-limit requests once
#    warm, no worker's private heap (RssAnon) by 2 MiB over the whole
#    suite, and no worker dies;
#  * the default limit (1 MiB): exactly it is stored, one byte more is 413.
# The last line gives the measured figures.
. "$(dirname "$0")/../lib.sh"

LIMIT=65536
RT=sys/plugins/runtimes/catalog
IT=$RT/container
E_BIG='{"errors":["request body too large"]}'
E_HDR='{"errors":["request headers too large"]}'
E_DENIED='{"errors":["permission denied"]}'
E_NONE='{"errors":[]}'
FAST_US=1000000		# every refusal within 1 s
P99_US=100000		# p99 of normal requests while bodies are held
RSS_KB=2048		# growth of each worker's VmRSS
HELD=50
NORMAL=200

# A valid registration; the test bodies are it padded with whitespace.
REG='{"oci_runtime":"limit-oci","cgroup_parent":"/limit/","cpu_nanos":1234,"memory_bytes":5678,"rootless":true}'
WANT='{"cgroup_parent":"/limit/","cpu_nanos":1234,"memory_bytes":5678,"name":"NAME","oci_runtime":"limit-oci","rootless":true,"type":"container"}'

# The front end's request-header limit: lighttpd's
# server.max-request-field-size (whole header block, 8 KiB unless set),
# nginx's large_client_header_buffers (8 KiB per line unless set).
HDR_LIMIT=8192

# Figures for the summary line.
WORST_413_US=0
N_413=0
P99_BASE=- P99_HELD=- RSS_GROWTH=- RSS_SUITE_GROWTH=- LIAR=- HDR_CODES=
MEM_LOAD=400

# ---------------------------------------------------------------- helpers

# bytes N CHAR: N copies of CHAR.
bytes() { head -c "$1" /dev/zero | tr '\0' "$2"; }

# padded FILE SIZE: the registration padded with JSON whitespace (after
# the value, where the parser must skip it) to exactly SIZE bytes.
padded() {
	{ printf '%s\n' "$REG"; bytes $(($2 - ${#REG} - 2)) ' '; printf '\t'; } >"$1"
}

# req METHOD PATH [curl args...]: like api (the token header only when
# TOKEN is set), plus US: curl's time_total in microseconds.
req() {
	local method=$1 path=$2 out t
	shift 2
	local auth=()
	[ -n "$TOKEN" ] && auth=(-H "X-Vault-Token: $TOKEN")
	LAST="$method /v1/$path"
	out=$(curl -s -o "$RAW" -w '%{http_code} %{time_total}' --max-time 10 \
	    -X "$method" "${auth[@]}" "$@" "$BASE/$path")
	STATUS=${out%% *}
	t=${out#* }
	US=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000000 }')
	BODY=$(cat "$RAW")
}

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

# refused WHAT: the last answer was the JSON 413, within FAST_US.
refused() {
	expect 413 "$E_BIG" "$1"
	assertTrue "$1: 413 in $(ms "$US") ms (limit 1000 ms)" \
	    "[ $US -lt $FAST_US ]"
	[ "$US" -gt "$WORST_413_US" ] && WORST_413_US=$US
	N_413=$((N_413 + 1))
	return 0
}

# absent NAME: the runtime NAME was not stored.
absent() {
	req GET "$IT/$1"
	expect 404 "$E_NONE" "GET $1 (must not exist)"
}

# stored NAME: the runtime NAME reads back as the padded registration.
stored() {
	req GET "$IT/$1"
	assertEquals "GET $1: status ($BODY)" 200 "$STATUS"
	assertEquals "GET $1: data" "${WANT/NAME/$1}" "$(jq -cS .data "$RAW")"
}

# raw_half_closed FILE: sends FILE's bytes on a fresh connection, shuts
# down the sending side (FIN) and waits up to 5 s for the answer.  Prints
# "<status or -> <closed|reset|timeout> <bytes> <body>".  perl-base is
# part of every Debian system; bash cannot half-close a socket.
raw_half_closed() {
	perl -e '
use strict; use IO::Socket::INET; use IO::Select;
my ($port, $file) = @ARGV;
open(my $fh, "<", $file) or die "$file: $!"; binmode $fh;
my $req = do { local $/; <$fh> };
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
    Proto => "tcp", Timeout => 5) or do { print "- connect-failed 0\n"; exit 0 };
binmode $s;
defined(syswrite($s, $req)) or do { print "- write-failed 0\n"; exit 0 };
shutdown($s, 1);
my $sel = IO::Select->new($s); my $resp = ""; my $end = time + 5;
my $how = "timeout";
while ((my $left = $end - time) > 0) {
	last unless $sel->can_read($left);
	my $n = sysread($s, my $b, 65536);
	if (!defined $n) { $how = "reset"; last }
	if ($n == 0) { $how = "closed"; last }
	$resp .= $b;
}
my ($st) = $resp =~ m{^HTTP/\d\.\d (\d{3})};
my ($body) = $resp =~ m{\r\n\r\n(.*)\z}s;
$body = "" unless defined $body; $body =~ s/\s+/ /g;
print defined $st ? $st : "-", " $how ", length($resp), " $body\n";
' "$PORT" "$1"
}

# rss_snapshot: "pid VmRSS RssAnon" (KiB) for every child of the
# supervisor (the workers and the housekeeper), sorted by pid.
rss_snapshot() {
	local p line
	for p in $(worker_pids); do
		line=$(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
		    END { if (r != "") print r, a }' "/proc/$p/status" 2>/dev/null)
		[ -n "$line" ] && echo "$p $line"
	done
}

# rss_growth BEFORE AFTER FIELD WHAT [info]: sets GROWTH to the largest
# growth in FIELD (2 VmRSS, 3 RssAnon) of a child in both snapshots;
# unless "info", asserts that the same children are running and that none
# grew by RSS_KB.
rss_growth() {
	local before=$1 after=$2 field=$3 what=$4 info=${5:-} p was now
	GROWTH=0
	[ -n "$info" ] || assertEquals "$what: children of the supervisor (a replaced one died)" \
	    "$(echo "$before" | cut -d' ' -f1 | xargs)" \
	    "$(echo "$after" | cut -d' ' -f1 | xargs)"
	while read -r p; do
		was=$(echo "$before" | awk -v p="$p" -v f="$field" '$1 == p { print $f }')
		now=$(echo "$after" | awk -v p="$p" -v f="$field" '$1 == p { print $f }')
		[ -n "$was" ] && [ -n "$now" ] || continue
		[ $((now - was)) -gt "$GROWTH" ] && GROWTH=$((now - was))
		[ -n "$info" ] || assertTrue "$what: pid $p grew by $((now - was)) KiB ($was -> $now, limit $RSS_KB)" \
		    "[ $((now - was)) -lt $RSS_KB ]"
	done < <(echo "$after" | cut -d' ' -f1)
}

# load N: N requests that reach the workers' body handling: exact-limit
# writes, limit+1 with Content-Length and chunked, 1 MiB (refused by the
# worker, not the front end).  Prints the status counts.
load() {
	local i
	for i in $(seq 1 "$1"); do
		case $((i % 4)) in
		0) req PUT "$IT/mem-$((i % 10))" --data-binary @"$F_EXACT" ;;
		1) req PUT "$IT/mem-over" --data-binary @"$F_OVER" ;;
		2) req PUT "$IT/mem-over" -H 'Transfer-Encoding: chunked' \
		    --data-binary @"$F_OVER" ;;
		3) req PUT "$IT/mem-over" --data-binary @"$F_MID" ;;
		esac
		echo "$STATUS"
	done | sort | uniq -c | awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1 }'
}

# ---------------------------------------------------------------- set-up

oneTimeSetUp() {
	F_EXACT=$TMPROOT/exact.json F_OVER=$TMPROOT/over.json
	F_MID=$TMPROOT/mid.json F_HUGE=$TMPROOT/huge.json
	padded "$F_EXACT" "$LIMIT"
	padded "$F_OVER" $((LIMIT + 1))
	padded "$F_MID" 1048576
	padded "$F_HUGE" $((10 * 1048576))
	server_start CATALOGD_BODY_LIMIT=$LIMIT || return 1
	# Warm every worker up (allocator arenas, database pages) before the
	# memory baseline is taken.
	load 40 >/dev/null
	RSS_SUITE=$(rss_snapshot)
}

SUMMARY_DONE=
oneTimeTearDown() {
	if [ -z "$SUMMARY_DONE" ]; then
		SUMMARY_DONE=1
		echo "limits ($FRONTEND, body limit $LIMIT): p99 of $NORMAL" \
		    "normal requests ${P99_BASE} ms idle, ${P99_HELD} ms with" \
		    "$HELD half-sent bodies held; worker VmRSS growth" \
		    "$RSS_GROWTH KiB over $MEM_LOAD requests ($RSS_SUITE_GROWTH);" \
		    "$N_413 refusals (413), slowest" \
		    "$(ms "$WORST_413_US") ms; lying Content-Length: $LIAR;" \
		    "header limits:$HDR_CODES"
	fi
	suite_teardown
}

# ---------------------------------------------------------------- tests

test_files_have_the_intended_sizes() {
	assertEquals "exact-limit body" "$LIMIT" "$(wc -c <"$F_EXACT")"
	assertEquals "limit+1 body" $((LIMIT + 1)) "$(wc -c <"$F_OVER")"
	assertEquals "10 MiB body" 10485760 "$(wc -c <"$F_HUGE")"
	assertTrue "the exact-limit body is valid JSON" \
	    "jq -e . '$F_EXACT' >/dev/null"
}

test_exactly_the_limit_is_accepted() {
	req PUT "$IT/exact-cl" -H 'Content-Type: application/json' \
	    --data-binary @"$F_EXACT"
	expect 204 "" "PUT of exactly $LIMIT bytes"
	stored exact-cl
	req PUT "$IT/exact-chunked" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary @"$F_EXACT"
	expect 204 "" "chunked PUT of exactly $LIMIT bytes"
	stored exact-chunked
}

test_limit_plus_one_is_refused_fast() {
	req PUT "$IT/over" -H 'Content-Type: application/json' \
	    --data-binary @"$F_OVER"
	refused "PUT of $((LIMIT + 1)) bytes"
	req PUT "$IT/over" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary @"$F_OVER"
	refused "chunked PUT of $((LIMIT + 1)) bytes"
	absent over
}

# 1 MiB is past catalogd's limit but under the front end's own cap, so
# the front end passes it on and the worker refuses it.
test_past_the_limit_under_the_front_end_cap_is_refused_fast() {
	refused_every_way mid "$F_MID" "1 MiB"
}

# refused_every_way NAME FILE WHAT: a PUT of FILE as NAME, with and
# without chunking and "Expect: 100-continue", is refused fast each time
# and stores nothing.
refused_every_way() {
	local name=$1 file=$2 what=$3 te
	for te in "" chunked; do
		req PUT "$IT/$name" ${te:+-H "Transfer-Encoding: $te"} \
		    --data-binary @"$file"
		refused "${te:+$te }PUT of $what"
		req PUT "$IT/$name" -H 'Expect:' \
		    ${te:+-H "Transfer-Encoding: $te"} --data-binary @"$file"
		refused "${te:+$te }PUT of $what without Expect"
	done
	absent "$name"
}

# 10 MiB is past the front end's cap: its own 413, with the same JSON.
# Without "Expect: 100-continue" the client sends the body at once.
test_ten_mib_is_refused_fast() {
	refused_every_way huge "$F_HUGE" "10 MiB"
}

# half_sent_answer WHAT OUT: OUT (from raw_half_closed) is no 2xx, not
# the worker's answer to a short body (which would mean the front end
# passed it on), and came within 5 s.
half_sent_answer() {
	case ${2%% *} in
	2??) fail "$1 answered: $2" ;;
	esac
	case $2 in
	*'error reading request body'*) fail "$1 reached a worker: $2" ;;
	esac
	assertNotEquals "$1: still open after 5 s ($2)" \
	    timeout "$(echo "$2" | cut -d' ' -f2)"
}

# lie NAME FRAMING PREFIX WHAT: a PUT of NAME whose head has the header
# line FRAMING and whose body is PREFIX and 10 bytes, then FIN; the answer
# must be no 2xx and NAME must not exist.  Sets LIE to what was seen.
lie() {
	local name=$1 framing=$2 prefix=$3 what=$4 f=$TMPROOT/liar.http
	local out start elapsed
	printf 'PUT /v1/%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: %s\r\nContent-Type: application/json\r\n%s\r\n\r\n%s{}        ' \
	    "$IT" "$name" "$TOKEN" "$framing" "$prefix" >"$f"
	start=$(date +%s%N)
	out=$(raw_half_closed "$f")
	elapsed=$((($(date +%s%N) - start) / 1000000))
	LIE="status ${out%% *}, $(echo "$out" | cut -d' ' -f2) after $elapsed ms"
	half_sent_answer "$what" "$out"
	absent "$name"
}

# Content-Length: 100 with 10 bytes that are a valid registration on their
# own ("{}" and spaces), then FIN.  Whatever the front end does (close, or
# an error), no handler may run: never a 2xx, and nothing stored.
test_lying_content_length_never_reaches_a_handler() {
	lie liar "Content-Length: 100" "" \
	    "Content-Length 100 with 10 bytes and FIN"
	LIAR=$LIE
	# The same with a chunk that declares 100 bytes and carries 10.
	lie liar-chunk "Transfer-Encoding: chunked" $'64\r\n' \
	    "a chunk of 100 bytes with 10 and FIN"
	LIAR="$LIAR (truncated chunk: $LIE)"

	# And the service is none the worse.
	req GET sys/health
	assertEquals "health after the lying bodies" 200 "$STATUS"
}

# p99 of NORMAL requests (every 4th a write, the others reads), each on a
# new connection, in microseconds; statuses other than 200/204 counted.
normal_p99() {
	local i out bad=0 f=$TMPROOT/latencies
	: >"$f"
	for i in $(seq 1 "$NORMAL"); do
		if [ $((i % 4)) = 0 ]; then
			req PUT "$IT/normal" --data "{\"cpu_nanos\":$i}"
			[ "$STATUS" = 204 ] || bad=$((bad + 1))
		else
			req GET "$IT/normal"
			[ "$STATUS" = 200 ] || bad=$((bad + 1))
		fi
		echo "$US" >>"$f"
	done
	BAD=$bad
	# Nearest rank: the ceil(0.99 * N)-th smallest.
	P99=$(sort -n "$f" | sed -n "$(((NORMAL * 99 + 99) / 100))p")
}

test_half_sent_bodies_do_not_slow_normal_requests() {
	local i fd fds=() open=0 closed=0 answered=0 line names
	req PUT "$IT/normal" --data '{"cpu_nanos":1}'
	assertEquals "first write of 'normal'" 204 "$STATUS"
	normal_p99
	P99_BASE=$(ms "$P99")
	assertEquals "failed normal requests without held bodies" 0 "$BAD"

	# Each held connection sends its head and 10 bytes of a 1000-byte
	# body that would be a valid registration, and then nothing.
	for i in $(seq 1 "$HELD"); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || {
			fail "connection $i for a half-sent body"
			break
		}
		fds+=("$fd")
		printf 'PUT /v1/%s/held-%d HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{}        ' \
		    "$IT" "$i" "$TOKEN" >&"$fd"
	done
	sleep 0.2
	normal_p99
	P99_HELD=$(ms "$P99")
	assertEquals "failed normal requests with $HELD held bodies" 0 "$BAD"
	assertTrue "p99 of $NORMAL normal requests with $HELD half-sent bodies held: $P99_HELD ms (limit 100 ms, $P99_BASE ms without)" \
	    "[ $P99 -lt $P99_US ]"

	# The held connections must still be waiting: neither answered (a
	# handler would have answered the short body) nor dropped, or the
	# measurement above did not hold anything.
	for fd in "${fds[@]}"; do
		if ! read -t 0 -u "$fd"; then
			open=$((open + 1))
		elif IFS= read -r -t 1 -u "$fd" line && [ -n "$line" ]; then
			answered=$((answered + 1))
			[ $answered = 1 ] && echo "held body answered: $line" >&2
		else
			closed=$((closed + 1))
		fi
	done
	assertEquals "half-sent bodies answered" 0 "$answered"
	assertEquals "half-sent bodies still held after the run ($closed closed)" \
	    "$HELD" "$open"
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done

	sleep 0.2
	req GET "$RT?list=true"
	assertEquals "list after dropping the held bodies" 200 "$STATUS"
	names=$(jq -r '[.data.runtimes[].name | select(startswith("held-"))] | join(" ")' "$RAW")
	assertEquals "runtimes stored from half-sent bodies" "" "$names"
	absent "held-1"
}

test_header_limits() {
	local pad what want_code n
	# Only the headers each request names (a second token header would
	# be joined to the first by lighttpd).
	TOKEN=

	# A long token under the front end's limit reaches catalogd: 403.
	for n in 4096 $((HDR_LIMIT - 200)); do
		req GET "$IT/exact-cl" -H "X-Vault-Token: $(bytes "$n" a)"
		expect 403 "$E_DENIED" "X-Vault-Token of $n bytes"
		assertTrue "X-Vault-Token of $n bytes: $(ms "$US") ms" \
		    "[ $US -lt $FAST_US ]"
		req GET "$IT/exact-cl" -H "Authorization: Bearer $(bytes "$n" b)"
		expect 403 "$E_DENIED" "Authorization: Bearer of $n bytes"
	done
	HDR_CODES=" long token 403"

	# Above the limit the front end answers itself, 431 with JSON.
	want_code=431
	pad=$(bytes $((HDR_LIMIT + 1)) p)
	for what in "X-Pad: $pad" "X-Vault-Token: $pad" \
	    "Authorization: Bearer $pad"; do
		req GET "$IT/exact-cl" -H "$what"
		expect "$want_code" "$E_HDR" "${what%%:*} of $((HDR_LIMIT + 1)) bytes"
		assertTrue "${what%%:*} of $((HDR_LIMIT + 1)) bytes: $(ms "$US") ms" \
		    "[ $US -lt $FAST_US ]"
	done
	HDR_CODES="$HDR_CODES, line > $HDR_LIMIT B $STATUS"

	# 40 lines of 1000 bytes: above lighttpd's 8 KiB block and nginx's
	# 4 x 8 KiB buffers.
	local hdrs=() i
	for i in $(seq 1 40); do
		hdrs+=(-H "X-Pad-$i: $(bytes 1000 q)")
	done
	req GET "$IT/exact-cl" "${hdrs[@]}"
	expect "$want_code" "$E_HDR" "40 KB of header lines"
	assertTrue "40 KB of header lines: $(ms "$US") ms" "[ $US -lt $FAST_US ]"
	HDR_CODES="$HDR_CODES, 40 KB block $STATUS"

	# A request line above the limit: a 4xx with a JSON error body.
	req GET "$IT/exact-cl?x=$(bytes $((HDR_LIMIT + 1)) u)"
	HDR_CODES="$HDR_CODES, request line > $HDR_LIMIT B $STATUS"
	assertTrue "request line above $HDR_LIMIT bytes: a 4xx, got $STATUS ($(echo "$BODY" | tr -d '\n' | cut -c1-80))" \
	    "[ '${STATUS:0:1}' = 4 ]"
	assertTrue "request line above $HDR_LIMIT bytes: a JSON errors body ($(echo "$BODY" | tr -d '\n' | cut -c1-80))" \
	    "jq -e '.errors | type == \"array\"' '$RAW' >/dev/null 2>&1"
	assertTrue "request line above $HDR_LIMIT bytes: $(ms "$US") ms" \
	    "[ $US -lt $FAST_US ]"
	expect 431 "$E_HDR" "request line above $HDR_LIMIT bytes"

	TOKEN=$ROOT_TOKEN
	req GET "$IT/exact-cl"
	assertEquals "a read after the header limits" 200 "$STATUS"
}

# VmRSS includes file-backed pages (libraries, the Berkeley DB region
# files) that a worker touches for the first time; the other tests have
# touched them, and a short warm-up repeats the load's own paths.  Then
# MEM_LOAD requests that reach the workers' body handling (half of them
# over the limit) may not grow any child's VmRSS by 2 MiB, and over the
# whole suite the private heap (RssAnon) may not grow by 2 MiB either.
# No child may have been replaced (it would have died).
test_worker_memory_does_not_grow() {
	local before after counts suite
	load 40 >/dev/null
	before=$(rss_snapshot)
	counts=$(load "$MEM_LOAD")
	after=$(rss_snapshot)
	assertEquals "statuses of $MEM_LOAD body-limit requests other than 204 and 413 ($counts)" \
	    "" "$(echo "$counts" | tr ' ' '\n' | grep -v '^204:\|^413:')"
	rss_growth "$before" "$after" 2 "VmRSS over $MEM_LOAD requests"
	RSS_GROWTH=$GROWTH
	rss_growth "$RSS_SUITE" "$after" 3 "RssAnon over the suite"
	suite=$GROWTH
	rss_growth "$RSS_SUITE" "$after" 2 "VmRSS over the suite" info
	RSS_SUITE_GROWTH="over the suite: RssAnon $suite KiB, VmRSS $GROWTH KiB"
	echo "pid VmRSS RssAnon (KiB) at the start: $(echo $RSS_SUITE | xargs);" \
	    "before the load: $(echo $before | xargs); after: $(echo $after | xargs)" >&2
}

# The default limit (1 MiB), on a restart of the same data directory.
test_default_limit() {
	local f1=$TMPROOT/default-exact.json f2=$TMPROOT/default-over.json
	padded "$f1" 1048576
	padded "$f2" 1048577
	server_stop
	server_start || { fail "restart with the default limit"; return; }
	req PUT "$IT/default-exact" --data-binary @"$f1"
	expect 204 "" "PUT of exactly 1048576 bytes (default limit)"
	stored default-exact
	req PUT "$IT/default-over" --data-binary @"$f2"
	refused "PUT of 1048577 bytes (default limit)"
	req PUT "$IT/default-over" -H 'Transfer-Encoding: chunked' \
	    --data-binary @"$f2"
	refused "chunked PUT of 1048577 bytes (default limit)"
	absent default-over
	rm -f "$f1" "$f2"
}

. "$SHUNIT2"
