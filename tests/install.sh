#!/usr/bin/env bash
# install.sh: catalogd as a hosting admin installs it (issue #11).  It
# builds the distribution tarball's tree with Debian's layout
# (./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var
# --runstatedir=/run), installs it into a DESTDIR and checks the file list,
# the units (systemd-analyze, which needs no running systemd), the man
# pages, the logrotate and sysusers entries; then it runs the installed
# catalogd -f with a configuration the test writes (data and socket in a
# temporary directory) behind lighttpd and nginx configured as Debian ships
# them, with the installed drop-ins: the static site keeps serving and the
# catalog answers through it.  Last, the daemon contract: readiness on
# NOTIFY_SOCKET, SIGTERM while clients write, SIGHUP and the log file, the
# root token file, configuration errors, and catalogd -t on a replicated
# group's settings (each cross-check's refusal, and three valid nodes).
. "$(dirname "$0")/lib.sh"
. "$CATALOGD_SRCDIR/tests/stock.sh"

DEST=$TMPROOT/root
SBIN=$DEST/usr/sbin/catalogd
RUN=$TMPROOT/run
CONF=$TMPROOT/catalogd.conf
CD_PID=
WEB_PID=
AS_ROOT=no
[ "$(id -u)" = 0 ] && AS_ROOT=yes

oneTimeSetUp() {
	local src=$TMPROOT/src
	# The web servers run as www-data and must reach the socket.
	chmod 0711 "$TMPROOT"
	mkdir -p "$RUN" && chmod 0755 "$RUN"
	make -s -C "$CATALOGD_BUILDDIR" distdir distdir="$src" \
	    top_distdir="$src" >"$TMPROOT/build.log" 2>&1 &&
	    (cd "$src" && ./configure --prefix=/usr --sysconfdir=/etc \
	    --localstatedir=/var --runstatedir=/run &&
	    make -j"$(nproc)" && make install DESTDIR="$DEST") \
	    >>"$TMPROOT/build.log" 2>&1
	INSTALL_RC=$?
}

oneTimeTearDown() {
	stop_catalogd
	stop_web
	lib_teardown
}

setUp() {
	[ "$INSTALL_RC" = 0 ] || { tail -n 30 "$TMPROOT/build.log"; fail "install"; startSkipping; }
}

tearDown() {
	stop_catalogd
	stop_web
}

# write_conf [key = value lines]: the test's catalogd.conf, in the syntax
# of the installed one, with the data and the socket in the test's tree.
write_conf() {
	local group=www-data
	[ "$AS_ROOT" = yes ] || group=$(id -gn)
	{
		echo "# written by tests/install.sh"
		echo "data_dir = \"$DATA\""
		echo "socket = \"$RUN/catalogd.sock\""
		echo "pid_file = \"$RUN/catalogd.pid\""
		echo "socket_group = \"$group\""
		printf '%s\n' "$@"
	} >"$CONF"
}

# start_catalogd [VAR=value...]: the installed catalogd -f $CONF in the
# foreground of a background job; waits for its pid file.
start_catalogd() {
	local i
	env CATALOGD_ROOT_TOKEN="$ROOT_TOKEN" "$@" "$SBIN" -f "$CONF" \
	    >>"$TMPROOT/stdout" 2>>"$TMPROOT/stderr" &
	CD_PID=$!
	for i in $(seq 1 200); do
		[ "$(cat "$RUN/catalogd.pid" 2>/dev/null)" = "$CD_PID" ] && return 0
		kill -0 "$CD_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "catalogd did not start"
	tail -n 20 "$TMPROOT/stderr"
	return 1
}

stop_catalogd() {
	[ -n "$CD_PID" ] || return 0
	kill "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	CD_RC=$?
	CD_PID=
}

# start_web lighttpd|nginx: the stock web server with the installed drop-in,
# its socket path moved to the test's; sets PORT and BASE.
start_web() {
	local web=$TMPROOT/web-$1 snip=$TMPROOT/snippet-$1 i
	rm -rf "$web"
	PORT=$("$FREEPORT") || return 1
	BASE=http://127.0.0.1:$PORT/v1
	case $1 in
	lighttpd)
		sed -e "s|/run/catalogd.sock|$RUN/catalogd.sock|" \
		    -e "s|/usr/share/catalogd/|$DEST/usr/share/catalogd/|" \
		    "$DEST/etc/lighttpd/conf-available/50-catalogd.conf" >"$snip" &&
		    stock_lighttpd "$web" "$PORT" "$snip" ;;
	nginx)
		sed -e "s|/run/catalogd.sock|$RUN/catalogd.sock|" \
		    "$DEST/etc/nginx/snippets/catalogd.conf" >"$snip" &&
		    stock_nginx "$web" "$PORT" "$snip" ;;
	esac || { fail "stock $1 layout"; return 1; }
	chmod -R a+rX "$web" "$DEST"
	stock_start "$1" "$web"
	WEB_PID=$STOCK_PID
	for i in $(seq 1 100); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && return 0
		sleep 0.05
	done
	fail "$1 did not start"
	cat "$web/web.out" "$web"/*.log 2>/dev/null | tail -n 20
	return 1
}

stop_web() {
	[ -n "$WEB_PID" ] || return 0
	kill "$WEB_PID" 2>/dev/null
	wait "$WEB_PID" 2>/dev/null
	WEB_PID=
}

# ---- the installed tree ----

test_installed_files_match_the_manifest() {
	local got=$TMPROOT/manifest.got
	(cd "$DEST" && find . ! -type d | LC_ALL=C sort) >"$got"
	diff -u "$CATALOGD_SRCDIR/tests/install-manifest" "$got"
	assertTrue "installed files = tests/install-manifest" $?
	assertFalse "nothing under var/" "[ -e '$DEST/var' ]"
	assertFalse "nothing under run/" "[ -e '$DEST/run' ]"
	assertEquals "every file belongs to the installing user" "" \
	    "$(find "$DEST" ! -user "$(id -u)" -o ! -group "$(id -g)")"
	assertTrue "the daemon is executable" "[ -x '$SBIN' ]"
	assertEquals "catalogd -V" "catalogd 0.1.0" "$("$SBIN" -V)"
}

test_installed_configuration() {
	local c=$DEST/etc/catalogd/catalogd.conf out key var m
	out=$("$SBIN" -t -f "$c" 2>&1)
	assertEquals "catalogd -t of the installed file ($out)" 0 $?
	# Every setting is there, commented, with the default the daemon has.
	for key in $("$SBIN" -p | sed -n 's/^#\([a-z_]*\) = .*/\1/p'); do
		assertEquals "$key in catalogd.conf" 1 \
		    "$(grep -c "^#$key = " "$c")"
		grep -q "^\.It Ic $key No = " "$DEST/usr/share/man/man5/catalogd.conf.5"
		assertTrue "$key in catalogd.conf(5)" $?
	done
	# Every variable beside its key in both pages' ENVIRONMENT.
	"$SBIN" -p | sed -n -e 's/^# (\(CATALOGD_[A-Z_]*\))$/\1/p' \
	    -e 's/^#\([a-z_]*\) = .*/\1/p' | paste - - >"$TMPROOT/vars"
	assertEquals "a variable for every key" \
	    "$("$SBIN" -p | grep -c '^#[a-z_]* = ')" \
	    "$(grep -c '^CATALOGD_[A-Z_]*	[a-z_]*$' "$TMPROOT/vars")"
	while read -r var key; do
		for m in man5/catalogd.conf.5 man8/catalogd.8; do
			grep -qx "\.It Ev $var Ta Ic $key" "$DEST/usr/share/man/$m"
			assertTrue "$var beside $key in ${m#*/}" $?
		done
	done <"$TMPROOT/vars"
	assertEquals "the Debian paths" \
	    '#data_dir = "/var/lib/catalogd" #socket = "/run/catalogd.sock" #pid_file = "/run/catalogd/catalogd.pid"' \
	    "$(grep -E '^#(data_dir|socket|pid_file) = ' "$c" | tr '\n' ' ' | sed 's/ $//')"
	assertEquals "the one active setting" \
	    'root_token_file = "/var/lib/catalogd/root-token"' \
	    "$(grep -v '^#' "$c" | grep -v '^$')"
}

# The socket path is the same in the socket unit, both drop-ins and the
# daemon's default.
test_one_socket_path_everywhere() {
	local unit lt ng def
	unit=$(sed -n 's/^ListenStream=//p' "$DEST/lib/systemd/system/catalogd.socket")
	lt=$(sed -n 's/.*"socket" *=> *"\([^"]*\)".*/\1/p' \
	    "$DEST/etc/lighttpd/conf-available/50-catalogd.conf")
	ng=$(sed -n 's/.*fastcgi_pass unix:\([^;]*\);.*/\1/p' \
	    "$DEST/etc/nginx/snippets/catalogd.conf")
	def=$("$SBIN" -p | sed -n 's/^#socket = "\(.*\)"$/\1/p')
	assertEquals "socket unit" /run/catalogd.sock "$unit"
	assertEquals "lighttpd drop-in" "$unit" "$lt"
	assertEquals "nginx snippet" "$unit" "$ng"
	assertEquals "catalogd's default" "$unit" "$def"
	assertEquals "the lighttpd drop-in's first line" \
	    "# -*- depends: fastcgi -*-" \
	    "$(head -n 1 "$DEST/etc/lighttpd/conf-available/50-catalogd.conf")"
	assertFalse "no bin-path: lighttpd only connects" \
	    "grep -q bin-path '$DEST/etc/lighttpd/conf-available/50-catalogd.conf'"
	grep -q '"check-local" *=> *"disable"' \
	    "$DEST/etc/lighttpd/conf-available/50-catalogd.conf"
	assertTrue "check-local disabled" $?
}

# make_vroot DIR: the installed tree as a root for systemd-analyze, which
# resolves the units' dependencies and commands inside --root: with
# systemd's own targets and kill.
make_vroot() {
	mkdir -p "$1" && cp -a "$DEST/." "$1/" &&
	    cp /lib/systemd/system/*.target /lib/systemd/system/*.slice \
	    "$1/lib/systemd/system/" &&
	    mkdir -p "$1/bin" && cp /bin/kill "$1/bin/"
}

# verify_units ROOT: systemd-analyze verify of both units in ROOT, with
# whatever drop-ins ROOT's /etc holds; sets OUT and RC.
verify_units() {
	OUT=$(systemd-analyze verify --man=no --root="$1" \
	    --recursive-errors=yes "$1/lib/systemd/system/catalogd.socket" \
	    "$1/lib/systemd/system/catalogd.service" 2>&1)
	RC=$?
}

# security_of ROOT THRESHOLD: systemd-analyze security of catalogd.service
# in ROOT; sets OUT, RC (0: exposure at most THRESHOLD/10) and SCORE.
security_of() {
	OUT=$(systemd-analyze security --offline=true --threshold="$2" \
	    --root="$1" "$1/lib/systemd/system/catalogd.service" 2>&1)
	RC=$?
	SCORE=$(echo "$OUT" | sed -n 's/.*Overall exposure level for catalogd.service: \([0-9.]*\).*/\1/p')
}

test_units_verify_and_score() {
	local u=$DEST/lib/systemd/system
	make_vroot "$TMPROOT/vroot"
	verify_units "$TMPROOT/vroot"
	assertEquals "systemd-analyze verify ($OUT)" 0 "$RC"
	assertEquals "systemd-analyze verify says nothing" "" "$OUT"
	security_of "$TMPROOT/vroot" 10
	echo "install: systemd-analyze security score $SCORE"
	assertEquals "security exposure at most 1.0 (got $SCORE)" 0 "$RC"
	for d in Type=notify User=catalogd StateDirectory=catalogd \
	    KillMode=mixed Restart=on-failure Requires=catalogd.socket; do
		grep -qx "$d" "$u/catalogd.service"
		assertTrue "catalogd.service has $d" $?
	done
	for d in SocketGroup=www-data SocketMode=0660 \
	    WantedBy=sockets.target; do
		grep -qx "$d" "$u/catalogd.socket"
		assertTrue "catalogd.socket has $d" $?
	done
}

# The replication drop-in, copied where the manual says: the units still
# verify, and it opens the network (the host's, IPv4 and IPv6 sockets, IP
# traffic) and nothing else of the hardening.
test_replication_drop_in() {
	local v=$TMPROOT/vroot-repl src base opened closed
	src=$DEST/usr/share/catalogd/catalogd.service.d/replication.conf
	cmp -s "$CATALOGD_SRCDIR/conf/replication.conf" "$src"
	assertTrue "the drop-in is installed as written" $?
	make_vroot "$v"
	security_of "$v" 10
	base=$(echo "$OUT" | sed -n 's/^✗ \([^ ]*\) .*/\1/p' | LC_ALL=C sort)
	mkdir -p "$v/etc/systemd/system/catalogd.service.d" &&
	    cp "$src" "$v/etc/systemd/system/catalogd.service.d/"
	verify_units "$v"
	assertEquals "systemd-analyze verify with the drop-in ($OUT)" 0 "$RC"
	assertEquals "systemd-analyze verify with the drop-in says nothing" \
	    "" "$OUT"
	security_of "$v" 20
	echo "install: systemd-analyze security score with the drop-in $SCORE"
	assertEquals "exposure with the drop-in at most 2.0 (got $SCORE)" 0 "$RC"
	opened=$(echo "$OUT" | sed -n 's/^✗ \([^ ]*\) .*/\1/p' | LC_ALL=C sort |
	    LC_ALL=C comm -13 <(echo "$base") - | tr '\n' ' ')
	closed=$(echo "$OUT" | sed -n 's/^✗ \([^ ]*\) .*/\1/p' | LC_ALL=C sort |
	    LC_ALL=C comm -23 <(echo "$base") - | tr '\n' ' ')
	assertEquals "what the drop-in opens" \
	    "IPAddressDeny= PrivateNetwork= RestrictAddressFamilies=~AF_(INET|INET6) " \
	    "$opened"
	assertEquals "what the drop-in closes" "" "$closed"
}

test_man_pages_lint() {
	local m out
	for m in "$DEST/usr/share/man/man8/catalogd.8" \
	    "$DEST/usr/share/man/man5/catalogd.conf.5"; do
		out=$(mandoc -Tlint -W warning "$m" 2>&1)
		assertEquals "mandoc -Tlint -W warning ${m##*/}: $out" "" "$out"
		# Below warnings, only cross-references to pages this machine
		# does not have indexed may remain.
		out=$(mandoc -Tlint "$m" 2>&1 | grep -v \
		    -e 'STYLE: referenced manual not found' \
		    -e 'outdated mandoc.db')
		assertEquals "mandoc -Tlint ${m##*/}: $out" "" "$out"
		man -l "$m" >/dev/null 2>"$TMPROOT/man.err"
		assertEquals "man -l ${m##*/}" "" "$(cat "$TMPROOT/man.err")"
	done
}

test_logrotate_and_sysusers() {
	local out rc sys=$TMPROOT/sysroot
	if command -v logrotate >/dev/null; then
		out=$(logrotate -d -s "$TMPROOT/logrotate.state" \
		    "$DEST/etc/logrotate.d/catalogd" 2>&1)
		assertEquals "logrotate -d ($out)" 0 $?
		echo "$out" | grep -q 'rotating pattern: /var/log/catalogd/\*.log'
		assertTrue "logrotate reads the pattern: $out" $?
	fi
	# systemd-sysusers into an empty root: the user it would create.
	mkdir -p "$sys/etc" "$sys/usr/lib/sysusers.d" &&
	    : >"$sys/etc/passwd" && : >"$sys/etc/group" &&
	    cp "$DEST/usr/lib/sysusers.d/catalogd.conf" "$sys/usr/lib/sysusers.d/"
	out=$(systemd-sysusers --root="$sys" 2>&1)
	assertEquals "systemd-sysusers ($out)" 0 $?
	grep -Eq '^catalogd:x:[0-9]+:[0-9]+:catalogd:/var/lib/catalogd:/(usr/)?s?bin/nologin$' \
	    "$sys/etc/passwd"
	rc=$?
	assertTrue "a catalogd system user: $(cat "$sys/etc/passwd")" $rc
	grep -q '^catalogd:' "$sys/etc/group"
	assertTrue "a catalogd group" $?
}

# ---- configuration ----

test_configuration_errors() {
	local out rc f=$TMPROOT/bad.conf
	printf 'workers = 2\nworkrs = 3\n' >"$f"
	out=$("$SBIN" -t -f "$f" 2>&1)
	rc=$?
	assertEquals "unknown key: exit status" 1 "$rc"
	assertEquals "unknown key" "$f:2: unknown key \"workrs\"" "$out"
	printf '# x\n\nsocket_mode = 660\nbody_limit = 0\n' >"$f"
	out=$("$SBIN" -t -f "$f" 2>&1)
	rc=$?
	assertEquals "two errors: exit status" 1 "$rc"
	assertEquals "two errors, each with its line" \
	    "$f:3: socket_mode must be a quoted octal string such as \"0660\"
$f:4: body_limit must be a number from 1 to 268435456, not \"0\"" "$out"
	printf 'data_dir = 7\n' >"$f"
	out=$("$SBIN" -f "$f" 2>&1)
	assertEquals "a bad file stops the daemon too" 1 $?
	assertEquals "wrong type" "$f:1: data_dir must be a quoted string" "$out"
	out=$("$SBIN" -t -f "$TMPROOT/missing.conf" 2>&1)
	assertEquals "missing file: exit status" 1 $?
	assertContains "missing file" "$out" "missing.conf: No such file"
	printf 'socket_group = "no-such-group-here"\n' >"$f"
	out=$("$SBIN" -t -f "$f" 2>&1)
	assertEquals "unknown group: exit status" 1 $?
	assertContains "unknown group" "$out" "\"no-such-group-here\" is not a group"
	out=$("$SBIN" -x 2>&1)
	assertEquals "unknown option: exit status" 2 $?
	assertContains "usage" "$out" "usage: catalogd"
}

test_environment_overrides_the_file() {
	local n out
	write_conf "workers = 3"
	out=$(CATALOGD_WORKERS=0 "$SBIN" -t -f "$CONF" 2>&1)
	assertEquals "a bad variable fails -t" 1 $?
	assertEquals "its message" \
	    'catalogd: CATALOGD_WORKERS must be a number from 1 to 256, not "0"' "$out"
	start_catalogd CATALOGD_WORKERS=2 || return
	n=$(pgrep -P "$CD_PID" | wc -l)
	assertEquals "2 workers and the housekeeper, not 3 workers" 3 "$n"
	if [ "$AS_ROOT" = yes ]; then
		assertEquals "socket mode and group" "660 www-data" \
		    "$(stat -c '%a %G' "$RUN/catalogd.sock")"
	fi
	stop_catalogd
	assertEquals "clean stop" 0 "$CD_RC"
	assertFalse "pid file removed" "[ -e '$RUN/catalogd.pid' ]"
	assertFalse "socket removed" "[ -e '$RUN/catalogd.sock' ]"
}

# ---- a replicated group's settings ----

# repl_t FILE|- [VAR=value...]: catalogd -t with FILE (- for none) and, of
# the replication variables, only those given; sets OUT and RC.
repl_t() {
	local args=(-t)
	[ "$1" = - ] || args+=(-f "$1")
	shift
	OUT=$(env -u CATALOGD_API_ADDR -u CATALOGD_REPL_ADDR \
	    -u CATALOGD_REPL_PEERS -u CATALOGD_REPL_BOOTSTRAP "$@" \
	    "$SBIN" "${args[@]}" 2>&1)
	RC=$?
}

# repl_file FILE [key = value lines]: a file whose other settings pass -t.
repl_file() {
	local f=$1
	shift
	{
		echo "data_dir = \"$DATA\""
		echo "socket_group = \"$(id -gn)\""
		printf '%s\n' "$@"
	} >"$f"
}

NEED_ADDR='catalogd: repl_peers and repl_bootstrap need repl_addr'
NEED_API='catalogd: repl_addr needs api_addr, the URL the other nodes send clients to'
NEED_THREE='catalogd: a replicated group needs at least three nodes: repl_peers must name at least two others (with two nodes there is no automatic failover)'

# Each refusal of fcgi/main.c's repl_check, from the file and from the
# environment: exit status 1 and exactly its message.  -t binds nothing, so
# the addresses need no free port.
test_replication_refusals() {
	local f=$TMPROOT/repl.conf
	repl_file "$f" 'repl_peers = "127.0.0.1:8202,127.0.0.1:8203"'
	repl_t "$f"
	assertEquals "repl_peers without repl_addr: exit status" 1 "$RC"
	assertEquals "repl_peers without repl_addr" "$NEED_ADDR" "$OUT"
	repl_file "$f" 'repl_bootstrap = true'
	repl_t "$f"
	assertEquals "repl_bootstrap without repl_addr: exit status" 1 "$RC"
	assertEquals "repl_bootstrap without repl_addr" "$NEED_ADDR" "$OUT"
	repl_file "$f"
	repl_t "$f" CATALOGD_REPL_BOOTSTRAP=1
	assertEquals "CATALOGD_REPL_BOOTSTRAP=1 alone: exit status" 1 "$RC"
	assertEquals "CATALOGD_REPL_BOOTSTRAP=1 alone" "$NEED_ADDR" "$OUT"
	repl_t "$f" CATALOGD_REPL_BOOTSTRAP=0
	assertEquals "CATALOGD_REPL_BOOTSTRAP=0 alone is a single node ($OUT)" \
	    0 "$RC"
	repl_t "$f" CATALOGD_API_ADDR=http://127.0.0.1:8200
	assertEquals "api_addr alone is a single node ($OUT)" 0 "$RC"

	repl_file "$f" 'repl_addr = "127.0.0.1:8201"' \
	    'repl_peers = "127.0.0.1:8202,127.0.0.1:8203"'
	repl_t "$f"
	assertEquals "repl_addr without api_addr: exit status" 1 "$RC"
	assertEquals "repl_addr without api_addr" "$NEED_API" "$OUT"
	repl_t "$f" CATALOGD_API_ADDR=http://127.0.0.1:8200
	assertEquals "api_addr from the environment completes the file" \
	    "catalogd: $f: the configuration is valid" "$OUT"

	repl_file "$f" 'api_addr = "http://127.0.0.1:8200"' \
	    'repl_addr = "127.0.0.1:8201"'
	repl_t "$f"
	assertEquals "no peers: exit status" 1 "$RC"
	assertEquals "no peers" "$NEED_THREE" "$OUT"
	repl_t "$f" CATALOGD_REPL_PEERS=127.0.0.1:8202
	assertEquals "one peer: exit status" 1 "$RC"
	assertEquals "one peer" "$NEED_THREE" "$OUT"
	repl_t "$f" CATALOGD_REPL_PEERS=127.0.0.1:8201,127.0.0.1:8202
	assertEquals "a peer that is this node: exit status" 1 "$RC"
	assertEquals "a peer that is this node" \
	    "catalogd: repl_peers names this node's own repl_addr 127.0.0.1:8201" \
	    "$OUT"
	repl_t "$f" CATALOGD_REPL_PEERS=127.0.0.1:8202,127.0.0.1:8202
	assertEquals "a peer named twice: exit status" 1 "$RC"
	assertEquals "a peer named twice" \
	    "catalogd: repl_peers names 127.0.0.1:8202 twice" "$OUT"
	# The same host on another port is another node.
	repl_t "$f" CATALOGD_REPL_PEERS=127.0.0.1:8202,127.0.0.1:8203
	assertEquals "peers on one host, two ports ($OUT)" 0 "$RC"

	# Every refusal at once, each on a line of its own.
	repl_file "$f" 'repl_addr = "127.0.0.1:8201"' \
	    'repl_peers = "127.0.0.1:8201"'
	repl_t "$f"
	assertEquals "three refusals: exit status" 1 "$RC"
	assertEquals "three refusals" "$NEED_API
catalogd: repl_peers names this node's own repl_addr 127.0.0.1:8201
$NEED_THREE" "$OUT"

	# A repl_addr the file gets wrong is unset: its peers are refused too.
	repl_file "$f" 'api_addr = "http://127.0.0.1:8200"' \
	    'repl_addr = "127.0.0.1"' \
	    'repl_peers = "127.0.0.1:8202,127.0.0.1:8203"'
	repl_t "$f"
	assertEquals "a bad repl_addr: exit status" 1 "$RC"
	assertEquals "a bad repl_addr" \
	    "$f:4: repl_addr must be one host:port (a port from 1 to 65535), not \"127.0.0.1\"
$NEED_ADDR" "$OUT"
	repl_file "$f"
	repl_t "$f" CATALOGD_API_ADDR=https://127.0.0.1:8200/v1
	assertEquals "a path in CATALOGD_API_ADDR: exit status" 1 "$RC"
	assertEquals "a path in CATALOGD_API_ADDR" \
	    'catalogd: CATALOGD_API_ADDR must be a URL such as "http://10.0.0.2:8200" (http or https, no path), not "https://127.0.0.1:8200/v1"' \
	    "$OUT"
}

# The daemon refuses what -t refuses, before it creates anything.  Should
# it ever start, it listens on a free port and only calls on the peers.
test_replication_refusal_stops_the_daemon() {
	local f=$TMPROOT/repl.conf out p
	p=$("$FREEPORT") || { fail "freeport"; return; }
	rm -rf "$DATA"
	repl_file "$f" "socket = \"$RUN/catalogd.sock\"" \
	    "pid_file = \"$RUN/catalogd.pid\"" \
	    "repl_addr = \"127.0.0.1:$p\"" \
	    "repl_peers = \"127.0.0.2:$p,127.0.0.3:$p\""
	out=$(env -u CATALOGD_API_ADDR -u CATALOGD_REPL_ADDR \
	    -u CATALOGD_REPL_PEERS -u CATALOGD_REPL_BOOTSTRAP \
	    timeout -k 5 20 "$SBIN" -f "$f" 2>&1)
	assertEquals "repl_addr without api_addr stops the daemon ($out)" 1 $?
	assertEquals "its message" "$NEED_API" "$out"
	assertFalse "no data directory" "[ -e '$DATA' ]"
	assertFalse "no socket" "[ -e '$RUN/catalogd.sock' ]"
}

# A group of three as the manual shows it: each node names itself in
# repl_addr and the other two in repl_peers, one bootstraps; from the file,
# from the environment alone, and from both.
test_replication_three_nodes_valid() {
	local f=$TMPROOT/repl.conf
	repl_file "$f" 'api_addr = "https://node-1.example.com:8200"' \
	    'repl_addr = "node-1.example.com:8201"' \
	    'repl_peers = "node-2.example.com:8201,node-3.example.com:8201"' \
	    'repl_bootstrap = true'
	repl_t "$f"
	assertEquals "node 1 from the file: exit status ($OUT)" 0 "$RC"
	assertEquals "node 1 from the file" \
	    "catalogd: $f: the configuration is valid" "$OUT"
	repl_t - CATALOGD_SOCKET_GROUP="$(id -gn)" \
	    CATALOGD_API_ADDR=https://node-2.example.com:8200/ \
	    CATALOGD_REPL_ADDR=node-2.example.com:8201 \
	    CATALOGD_REPL_PEERS=node-1.example.com:8201,node-3.example.com:8201
	assertEquals "node 2 from the environment: exit status ($OUT)" 0 "$RC"
	assertEquals "node 2 from the environment" \
	    "catalogd: (environment): the configuration is valid" "$OUT"
	repl_file "$f" 'api_addr = "http://10.0.0.3"' \
	    'repl_addr = "10.0.0.3:8201"'
	repl_t "$f" CATALOGD_REPL_PEERS=10.0.0.1:8201,10.0.0.2:8201 \
	    CATALOGD_REPL_BOOTSTRAP=0
	assertEquals "node 3 from both: exit status ($OUT)" 0 "$RC"
	assertEquals "node 3 from both" \
	    "catalogd: $f: the configuration is valid" "$OUT"
	# The environment overrides the file here as everywhere.
	repl_t "$f" CATALOGD_REPL_PEERS=10.0.0.1:8201
	assertEquals "the environment's one peer wins: exit status" 1 "$RC"
	assertEquals "the environment's one peer wins" "$NEED_THREE" "$OUT"
}

# ---- behind the host's web server ----

# catalog_smoke: register, read, list and delete through $BASE.
catalog_smoke() {
	local what=$1
	api PUT sys/plugins/runtimes/catalog/container/smoke-rt \
	    --data '{"oci_runtime":"runsc","cpu_nanos":5}'
	assertEquals "$what: register ($BODY)" 204 "$STATUS"
	api GET sys/plugins/runtimes/catalog/container/smoke-rt
	assertEquals "$what: read" 200 "$STATUS"
	assertEquals "$what: read body" \
	    '{"cgroup_parent":"","cpu_nanos":5,"memory_bytes":0,"name":"smoke-rt","oci_runtime":"runsc","rootless":false,"type":"container"}' \
	    "$(jq -c .data "$RAW")"
	api GET "sys/plugins/runtimes/catalog?list=true"
	assertEquals "$what: list" '["smoke-rt"]' \
	    "$(jq -c '[.data.runtimes[].name]' "$RAW")"
	api DELETE sys/plugins/runtimes/catalog/container/smoke-rt
	assertEquals "$what: delete" 204 "$STATUS"
	api GET sys/plugins/runtimes/catalog/container/smoke-rt
	assertEquals "$what: gone" 404 "$STATUS"
}

static_page() {
	curl -s --max-time 5 "http://127.0.0.1:$PORT/"
}

test_behind_stock_lighttpd() {
	write_conf
	start_catalogd || return
	start_web lighttpd || return
	assertEquals "the static site still serves" \
	    "<html><body>static site</body></html>" "$(static_page)"
	if [ "$AS_ROOT" = yes ]; then
		assertEquals "lighttpd runs as www-data" www-data \
		    "$(ps -o user= -p "$WEB_PID" | tr -d ' ')"
	fi
	catalog_smoke "stock lighttpd"
	api LIST sys/plugins/runtimes/catalog
	assertEquals "LIST: lighttpd's 501 (before any module)" 501 "$STATUS"
	api GET "sys/plugins/runtimes/catalog?list=true"
	assertEquals "the ?list=true form" 200 "$STATUS"
	stop_catalogd
	api GET sys/plugins/runtimes/catalog
	assertEquals "catalogd stopped: 503" 503 "$STATUS"
	assertEquals "catalogd stopped: JSON body" \
	    '{"errors":["server busy, retry"]}' "$BODY"
	assertEquals "the static site still serves without catalogd" \
	    "<html><body>static site</body></html>" "$(static_page)"
}

test_behind_stock_nginx() {
	local child big=$TMPROOT/big.json
	write_conf
	start_catalogd || return
	start_web nginx || return
	assertEquals "the static site still serves" \
	    "<html><body>static site</body></html>" "$(static_page)"
	catalog_smoke "stock nginx"
	api PUT sys/plugins/runtimes/catalog/container/l1 --data '{}'
	api LIST sys/plugins/runtimes/catalog
	assertEquals "LIST passes through" 200 "$STATUS"
	assertEquals "LIST answer" '["l1"]' "$(jq -c '[.data.runtimes[].name]' "$RAW")"
	api POST auth/token/create --data '{"policies":["default"]}'
	child=$(jq -r .auth.client_token "$RAW")
	TOKEN=$child api POST auth/token/revoke-self
	assertEquals "a POST without a body" 204 "$STATUS"
	TOKEN=$child api GET auth/token/lookup-self
	assertEquals "the token is gone" 403 "$STATUS"
	head -c 3000000 /dev/zero | tr '\0' 'a' | sed 's/^/{"oci_runtime":"/; s/$/"}/' >"$big"
	api PUT sys/plugins/runtimes/catalog/container/big --data-binary "@$big"
	assertEquals "3 MB body: nginx's 413" 413 "$STATUS"
	assertEquals "413 with the JSON body" \
	    '{"errors":["request body too large"]}' "$BODY"
	stop_catalogd
	api GET sys/plugins/runtimes/catalog
	assertEquals "catalogd stopped: 502" 502 "$STATUS"
	assertEquals "catalogd stopped: JSON body" '{"errors":["internal error"]}' "$BODY"
	assertEquals "the static site still serves without catalogd" \
	    "<html><body>static site</body></html>" "$(static_page)"
}

# ---- the daemon contract ----

# The notify listener: one datagram per line of $TMPROOT/notify.log,
# each with the time it arrived.
notify_listen() {
	rm -f "$TMPROOT/notify.sock" "$TMPROOT/notify.log"
	python3 -u -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "a") as log:
    while True:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        for line in m.split("\n"):
            log.write("%.3f %s\n" % (time.time(), line))
        log.flush()
        if "STOPPING=1" in m:
            break
' "$TMPROOT/notify.sock" "$TMPROOT/notify.log" &
	NOTIFY_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$TMPROOT/notify.sock" ] && return 0
		sleep 0.02
	done
	fail "notify listener"
}

test_readiness_and_stopping() {
	local i ready=no code
	write_conf "workers = 16"
	start_web lighttpd || return
	notify_listen
	rm -rf "$DATA"
	env CATALOGD_ROOT_TOKEN="$ROOT_TOKEN" NOTIFY_SOCKET="$TMPROOT/notify.sock" \
	    "$SBIN" -f "$CONF" >>"$TMPROOT/stdout" 2>>"$TMPROOT/stderr" &
	CD_PID=$!
	for i in $(seq 1 400); do
		grep -q ' READY=1$' "$TMPROOT/notify.log" 2>/dev/null && { ready=yes; break; }
		sleep 0.01
	done
	assertEquals "READY=1 arrived" yes "$ready"
	# The moment it says ready, a request through the socket succeeds.
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/sys/health")
	assertEquals "a request right after READY=1" 200 "$code"
	assertEquals "the pid file is written by then" "$CD_PID" \
	    "$(cat "$RUN/catalogd.pid" 2>/dev/null)"
	assertEquals "READY=1 once" 1 "$(grep -c ' READY=1$' "$TMPROOT/notify.log")"
	grep -q ' STATUS=serving with 16 workers$' "$TMPROOT/notify.log"
	assertTrue "a STATUS line" $?
	kill "$CD_PID"
	wait "$CD_PID"
	assertEquals "SIGTERM: exit 0" 0 $?
	CD_PID=
	wait "$NOTIFY_PID"
	assertEquals "STOPPING=1 after READY=1" "READY=1 STOPPING=1" \
	    "$(sed -n 's/^[0-9.]* \(READY=1\|STOPPING=1\)$/\1/p' "$TMPROOT/notify.log" | tr '\n' ' ' | sed 's/ $//')"

	# A start that fails never says READY=1.
	notify_listen
	printf 'data_dir = "%s"\nsocket = "%s"\npid_file = "%s"\nsocket_group = "%s"\n' \
	    "$TMPROOT/notadir/x" "$RUN/catalogd.sock" "$RUN/catalogd.pid" \
	    "$(id -gn)" >"$TMPROOT/fail.conf"
	NOTIFY_SOCKET="$TMPROOT/notify.sock" "$SBIN" -f "$TMPROOT/fail.conf" \
	    >/dev/null 2>&1
	assertEquals "a failed start exits 1" 1 $?
	kill "$NOTIFY_PID" 2>/dev/null
	wait "$NOTIFY_PID" 2>/dev/null
	assertFalse "no READY=1 from a failed start" \
	    "grep -q READY=1 '$TMPROOT/notify.log'"
}

# writer N: PUTs c<N>-1, c<N>-2, ... until $TMPROOT/stop exists, logging
# "name status" for each.
writer() {
	local i=0 code
	while [ ! -e "$TMPROOT/stop" ] && [ "$i" -lt 5000 ]; do
		i=$((i + 1))
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		    -X PUT -H "X-Vault-Token: $ROOT_TOKEN" \
		    --data "{\"oci_runtime\":\"w$1\",\"cpu_nanos\":$i}" \
		    "$BASE/sys/plugins/runtimes/catalog/container/c$1-$i")
		echo "c$1-$i $code" >>"$TMPROOT/writes.$1"
	done
}

test_sigterm_while_clients_write() {
	local w pids=() acked other bad n rc
	write_conf "workers = 4" "request_timeout = 5"
	start_catalogd || return
	start_web lighttpd || return
	rm -f "$TMPROOT"/writes.* "$TMPROOT/stop"
	for w in 1 2 3 4 5 6 7 8; do
		writer "$w" &
		pids+=($!)
	done
	sleep 1.5
	kill -TERM "$CD_PID"
	wait "$CD_PID"
	rc=$?
	CD_PID=
	sleep 0.5
	touch "$TMPROOT/stop"
	wait "${pids[@]}"
	assertEquals "SIGTERM under load: exit status" 0 "$rc"
	assertFalse "pid file removed" "[ -e '$RUN/catalogd.pid' ]"
	cat "$TMPROOT"/writes.* >"$TMPROOT/writes"
	acked=$(grep -c ' 204$' "$TMPROOT/writes")
	other=$(grep -v ' 204$' "$TMPROOT/writes" | awk '{print $2}' | sort | uniq -c | tr '\n' ' ')
	echo "install: SIGTERM under load: $acked acknowledged, others: $other"
	assertTrue "writes were acknowledged before the stop ($acked)" "[ $acked -gt 50 ]"
	# A request a worker had taken is answered; after the stop the web
	# server says catalogd is unavailable (503).  Never a cut answer.
	bad=$(grep -v -E ' (204|503)$' "$TMPROOT/writes" | head -n 5)
	assertEquals "only 204 and, after the stop, 503" "" "$bad"
	# Everything acknowledged is there after a restart (once lighttpd
	# tries the socket again: it waits disable-time, 1 s, after a failure).
	start_catalogd || return
	for _ in $(seq 1 100); do
		api GET sys/health
		[ "$STATUS" = 200 ] && break
		sleep 0.05
	done
	n=0
	while read -r name code; do
		[ "$code" = 204 ] || continue
		api GET "sys/plugins/runtimes/catalog/container/$name"
		[ "$STATUS" = 200 ] || n=$((n + 1))
	done <"$TMPROOT/writes"
	assertEquals "acknowledged writes missing after the restart" 0 "$n"
}

test_root_token_file() {
	local f=$TMPROOT/secret/root-token tok sum out
	mkdir -p "$TMPROOT/secret"
	rm -rf "$DATA"
	write_conf "root_token_file = \"$f\""
	: >"$TMPROOT/stdout"
	env -u CATALOGD_ROOT_TOKEN "$SBIN" -f "$CONF" >>"$TMPROOT/stdout" \
	    2>>"$TMPROOT/stderr" &
	CD_PID=$!
	for _ in $(seq 1 200); do
		[ -s "$RUN/catalogd.pid" ] && break
		sleep 0.05
	done
	assertEquals "the file is 0600" 600 "$(stat -c %a "$f")"
	tok=$(cat "$f")
	assertTrue "a generated token ($tok)" "[[ '$tok' == hvs.* ]]"
	assertEquals "nothing on stdout" "" "$(cat "$TMPROOT/stdout")"
	assertFalse "the token is in no log" "grep -qF '$tok' '$TMPROOT/stderr'"
	start_web lighttpd || return
	TOKEN=$tok api GET "sys/plugins/runtimes/catalog?list=true"
	assertEquals "the file's token is the root token" 200 "$STATUS"
	kill "$CD_PID"; wait "$CD_PID"; CD_PID=
	sum=$(stat -c '%Y %s' "$f"; md5sum <"$f")
	start_catalogd || return
	assertEquals "a restart leaves the file alone" "$sum" \
	    "$(stat -c '%Y %s' "$f"; md5sum <"$f")"
	stop_catalogd
	# A fresh data directory with the file already there: refused.
	rm -rf "$DATA"
	out=$("$SBIN" -f "$CONF" 2>&1)
	assertEquals "an existing file is never overwritten: exit 1" 1 $?
	assertContains "$out" "already exists and catalogd never overwrites it"
	assertEquals "the old file is intact" "$tok" "$(cat "$f")"
}

test_sighup_reopens_the_log() {
	local log=$TMPROOT/logs/catalogd.log pids p missing=
	mkdir -p "$TMPROOT/logs"
	write_conf "log_file = \"$log\"" "workers = 2"
	start_catalogd || return
	assertTrue "the log file has the start" "grep -q 'recovery finished' '$log'"
	mv "$log" "$log.1"
	kill -HUP "$CD_PID"
	for _ in $(seq 1 100); do
		[ "$(grep -c 'log reopened' "$log" 2>/dev/null)" -ge 4 ] && break
		sleep 0.05
	done
	pids="$CD_PID $(pgrep -P "$CD_PID" | tr '\n' ' ')"
	for p in $pids; do
		grep -q "\[$p\] info .*log reopened" "$log" || missing="$missing $p"
	done
	assertEquals "every process reopened the new file" "" "$missing"
	assertFalse "none wrote to the rotated one after SIGHUP" \
	    "grep -q 'log reopened' '$log.1'"
	assertEquals "SIGHUP stopped nothing" "$CD_PID" "$(cat "$RUN/catalogd.pid")"
	assertEquals "and restarted nothing" "$(echo "$pids" | wc -w)" \
	    "$(($(pgrep -P "$CD_PID" | wc -l) + 1))"
	assertFalse "no recovery cycle" "grep -q 'restarting the pool' '$log'"
}

. "$SHUNIT2"
