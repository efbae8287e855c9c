# tests/stock.sh: sourced by the suites that put catalogd behind a web
# server configured the way Debian ships it.  It copies the stock
# configuration this machine's lighttpd or nginx package installed under
# /etc into a directory of the test's own, changes only what a test must
# (paths into that directory, a loopback address and an ephemeral port
# instead of port 80 on every address, no privilege drop when not root),
# adds a static site, and enables catalogd's drop-in the way an admin
# would: lighty-enable-mod's symlinks (with the module its "depends:" line
# names), or "include snippets/catalogd.conf;" in the default server block.

# stock_lighttpd DIR PORT SNIPPET: writes DIR/etc/lighttpd from
# /etc/lighttpd with SNIPPET as conf-available/50-catalogd.conf, enabled.
stock_lighttpd() {
	local dir=$1 port=$2 snippet=$3 etc=$1/etc/lighttpd dep f
	mkdir -p "$etc/conf-enabled" "$dir/www" "$dir/uploads" || return 1
	cp -r /etc/lighttpd/conf-available "$etc/" || return 1
	cp "$snippet" "$etc/conf-available/50-catalogd.conf" || return 1
	# What Debian enabled at install time stays enabled.
	for f in /etc/lighttpd/conf-enabled/*.conf; do
		[ -e "$f" ] || continue
		ln -s "../conf-available/${f##*/}" "$etc/conf-enabled/${f##*/}"
	done
	# lighty-enable-mod catalogd: the module and what it depends on.
	ln -s ../conf-available/50-catalogd.conf "$etc/conf-enabled/" || return 1
	dep=$(sed -n 's/^# -\*- depends: \([a-z_-]*\) -\*-$/\1/p' "$snippet")
	[ -n "$dep" ] || { echo "stock: $snippet has no depends line" >&2; return 1; }
	for f in "$etc"/conf-available/[0-9][0-9]-"$dep".conf; do
		[ -e "$etc/conf-enabled/${f##*/}" ] ||
		    ln -s "../conf-available/${f##*/}" "$etc/conf-enabled/"
	done
	sed -e "s|/etc/lighttpd/|$etc/|g" \
	    -e "s|\"/var/www/html\"|\"$dir/www\"|" \
	    -e "s|/var/cache/lighttpd/uploads|$dir/uploads|" \
	    -e "s|/var/log/lighttpd/error.log|$dir/lighttpd-error.log|" \
	    -e "s|/run/lighttpd.pid|$dir/lighttpd.pid|" \
	    -e "s|^server.port *= *80$|server.port = $port\nserver.bind = \"127.0.0.1\"|" \
	    -e '/use-ipv6.pl/d' \
	    /etc/lighttpd/lighttpd.conf >"$etc/lighttpd.conf" || return 1
	# Debian's /var/log/lighttpd and upload directory belong to www-data,
	# which lighttpd already runs as when it opens them.
	if [ "$(id -u)" = 0 ]; then
		touch "$dir/lighttpd-error.log" &&
		    chown www-data:www-data "$dir/lighttpd-error.log" \
		    "$dir/uploads" || return 1
	else
		sed -i -e '/^server.username/d' -e '/^server.groupname/d' \
		    "$etc/lighttpd.conf"
	fi
	grep -q "^server.port = $port\$" "$etc/lighttpd.conf" || {
		echo "stock: no 'server.port = 80' in /etc/lighttpd/lighttpd.conf" >&2
		return 1
	}
	echo "<html><body>static site</body></html>" >"$dir/www/index.html"
}

# stock_nginx DIR PORT SNIPPET: writes DIR/etc/nginx from /etc/nginx with
# SNIPPET as snippets/catalogd.conf, included in the default site.
stock_nginx() {
	local dir=$1 port=$2 snippet=$3 etc=$1/etc/nginx
	mkdir -p "$etc/snippets" "$etc/sites-enabled" "$dir/www" "$dir/tmp" ||
	    return 1
	cp -rL /etc/nginx/modules-enabled /etc/nginx/conf.d /etc/nginx/mime.types \
	    /etc/nginx/fastcgi_params "$etc/" || return 1
	cp "$snippet" "$etc/snippets/catalogd.conf" || return 1
	# The stock http block, with temporary files in DIR.
	sed -e "s|/etc/nginx/|$etc/|g" \
	    -e "s|/run/nginx.pid|$dir/nginx.pid|" \
	    -e "s|/var/log/nginx/|$dir/|g" \
	    -e "s|^http {|http {\n\tclient_body_temp_path $dir/tmp/body;\n\tfastcgi_temp_path $dir/tmp/fastcgi;\n\tproxy_temp_path $dir/tmp/proxy;\n\tuwsgi_temp_path $dir/tmp/uwsgi;\n\tscgi_temp_path $dir/tmp/scgi;|" \
	    /etc/nginx/nginx.conf >"$etc/nginx.conf" || return 1
	[ "$(id -u)" = 0 ] || sed -i '/^user /d' "$etc/nginx.conf"
	# The stock default site, on loopback, with the snippet included.
	sed -e "s|listen 80 default_server;|listen 127.0.0.1:$port default_server;|" \
	    -e '/listen \[::\]:80 default_server;/d' \
	    -e "s|root /var/www/html;|root $dir/www;|" \
	    -e "s|^\(\tserver_name _;\)|\1\n\n\tinclude $etc/snippets/catalogd.conf;|" \
	    /etc/nginx/sites-available/default >"$etc/sites-enabled/default" ||
	    return 1
	grep -q "include $etc/snippets/catalogd.conf;" \
	    "$etc/sites-enabled/default" || {
		echo "stock: no 'server_name _;' in the default site" >&2
		return 1
	}
	echo "<html><body>static site</body></html>" >"$dir/www/index.html"
}

# stock_start lighttpd|nginx DIR: runs the web server of DIR in the
# foreground (in the background of the caller); sets STOCK_PID.
stock_start() {
	case $1 in
	lighttpd) lighttpd -D -f "$2/etc/lighttpd/lighttpd.conf" \
	    >>"$2/web.out" 2>&1 & ;;
	nginx) nginx -c "$2/etc/nginx/nginx.conf" -e "$2/nginx-error.log" \
	    -g 'daemon off;' >>"$2/web.out" 2>&1 & ;;
	esac
	STOCK_PID=$!
}
