#!/usr/bin/env bash
# metrics.sh: GET sys/metrics end to end.  Prometheus text that promtool
# parses (lint warnings only from the allow-list), Vault's JSON form, the
# format and Accept rules, read on sys/metrics (403 without it or without a
# token), requests spread over every worker counted exactly once, counters
# that survive a SIGKILLed worker (whose restart and recovery are counted),
# a cumulative histogram, and unauthenticated_metrics_access.
. "$(dirname "$0")/lib.sh"

PROM=$TMPROOT/scrape.prom
HEADERS=$TMPROOT/headers
# Lint warnings promtool may give, and why we keep them (see README):
# Vault's counter names have no _total suffix, and its token gauge ends
# in _count.
LINT_OK='^(vault_(core_response_status_code|audit_log_request_failure|audit_log_response_failure) counter metrics should have "_total" suffix|vault_token_count non-histogram and non-summary metrics should not have "_count" suffix)$'

oneTimeSetUp() {
	server_start || fail "start"
}
oneTimeTearDown() { suite_teardown; }
tearDown() { TOKEN=$ROOT_TOKEN; }

# scrape: the Prometheus form into $PROM, with its headers in $HEADERS.
scrape() {
	local auth=()
	[ -n "$TOKEN" ] && auth=(-H "X-Vault-Token: $TOKEN")
	STATUS=$(curl -s -D "$HEADERS" -o "$PROM" -w '%{http_code}' \
	    --max-time 10 "${CURL_TLS[@]}" "${auth[@]}" \
	    "$BASE/sys/metrics?format=prometheus")
}

# value SERIES: the sample of that exact series in $PROM, 0 if absent.
value() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v == "" ? 0 : v }' "$PROM"
}

POLICY_SERIES='catalogd_http_requests_total{route="sys/policies/acl/{name}",code="200"}'

test_prometheus_text_parses() {
	local rc
	scrape
	assertEquals "status" 200 "$STATUS"
	assertEquals "content type" \
	    "text/plain; version=0.0.4; charset=utf-8" \
	    "$(sed -n 's/^[Cc]ontent-[Tt]ype: \(.*\)\r$/\1/p' "$HEADERS")"
	promtool check metrics <"$PROM" >"$TMPROOT/lint" 2>&1
	rc=$?
	assertTrue "promtool: exit $rc (0 clean, 3 lint only): $(cat "$TMPROOT/lint")" \
	    "[ $rc = 0 ] || [ $rc = 3 ]"
	assertEquals "lint warnings outside the allow-list" "" \
	    "$(grep -v -E "$LINT_OK" "$TMPROOT/lint")"
	assertEquals "ends with a newline" "" "$(tail -c 1 "$PROM")"
	for s in vault_core_handle_request_count process_cpu_seconds_total \
	    process_resident_memory_bytes process_open_fds \
	    process_start_time_seconds vault_token_count catalogd_runtimes \
	    catalogd_plugins catalogd_policies catalogd_txn_commits_total \
	    catalogd_bdb_cache_hit_ratio catalogd_bdb_log_written_bytes_total \
	    catalogd_bdb_commits_per_log_flush \
	    catalogd_recovery_duration_seconds_count \
	    vault_audit_log_request_failure; do
		grep -q "^$s " "$PROM"
		assertTrue "series $s" $?
	done
	assertEquals "live tokens: the root token" 1 "$(value vault_token_count)"
	assertEquals "policies: default" 1 "$(value catalogd_policies)"
	# The supervisor and its 17 children (16 workers, a housekeeper).
	assertEquals "processes summed" 18 "$(value catalogd_processes)"
}

test_json_form() {
	local rc
	api GET sys/metrics
	assertEquals "status" 200 "$STATUS"
	jq -e '(.Gauges|type) == "array" and (.Counters|type) == "array" and
	    (.Samples|type) == "array" and (.Timestamp|type) == "string"' \
	    "$RAW" >/dev/null
	rc=$?
	assertTrue "JSON form: $(head -c 300 "$RAW")" $rc
	assertEquals "token gauge" 1 \
	    "$(jq '.Gauges[] | select(.Name == "vault_token_count") | .Value' "$RAW")"
	assertTrue "request samples" \
	    "[ $(jq '.Samples[] | select(.Name == "vault_core_handle_request") | .Count' "$RAW") -gt 0 ]"
	# Accept: Vault's prometheus media types choose the text form.
	curl -s -D "$HEADERS" -o "$PROM" --max-time 10 "${CURL_TLS[@]}" \
	    -H "X-Vault-Token: $TOKEN" \
	    -H "Accept: application/openmetrics-text; version=1.0.0" \
	    "$BASE/sys/metrics"
	grep -q '^# TYPE vault_token_count gauge$' "$PROM"
	assertTrue "openmetrics Accept gives text" $?
}

test_bad_format() {
	local LAST="format=xml"
	api GET "sys/metrics?format=xml"
	expect 400 "$(errjson 'metric response format "xml" unknown')"
	LAST="format=PROMETHEUS"
	api GET "sys/metrics?format=PROMETHEUS"
	expect 400 "$(errjson 'metric response format "PROMETHEUS" unknown')"
	LAST="POST"
	api POST sys/metrics --data '{}'
	assertEquals "$LAST: status ($BODY)" 405 "$STATUS"
}

test_needs_read() {
	local tok LAST="no token"
	TOKEN=
	api GET "sys/metrics?format=prometheus"
	expect 403 "$(errjson "permission denied")"
	TOKEN=$ROOT_TOKEN
	api PUT sys/policies/acl/metrics-reader \
	    --data '{"policy":"path \"sys/metrics\" { capabilities = [\"read\"] }"}'
	assertEquals "policy: $BODY" 204 "$STATUS"
	api POST auth/token/create --data '{"policies":["default"]}'
	tok=$(jq -r .auth.client_token "$RAW")
	TOKEN=$tok
	LAST="default policy only"
	api GET "sys/metrics?format=prometheus"
	expect 403 "$(errjson $'1 error occurred:\n\t* permission denied\n\n')"
	TOKEN=$ROOT_TOKEN
	api POST auth/token/create --data '{"policies":["metrics-reader"]}'
	TOKEN=$(jq -r .auth.client_token "$RAW")
	api GET "sys/metrics?format=prometheus"
	assertEquals "read on sys/metrics: $BODY" 200 "$STATUS"
	TOKEN=$ROOT_TOKEN
	api DELETE sys/policies/acl/metrics-reader
}

# N requests from 8 clients at once (spread over the workers) raise the
# route's counter by exactly N.
test_requests_counted_once() {
	local before after n=200 hist_count inf prev b v ok=0
	scrape
	before=$(value "$POLICY_SERIES")
	seq 1 $n | timeout 60 xargs -P 8 -I{} curl -s -o /dev/null \
	    --max-time 10 "${CURL_TLS[@]}" -H "X-Vault-Token: $TOKEN" \
	    "$BASE/sys/policies/acl/default"
	scrape
	after=$(value "$POLICY_SERIES")
	assertEquals "requests counted" $((before + n)) "$after"
	# The histogram: cumulative buckets, +Inf equal to _count.
	hist_count=$(value catalogd_request_duration_seconds_count)
	inf=$(value 'catalogd_request_duration_seconds_bucket{le="+Inf"}')
	assertEquals "+Inf = _count" "$hist_count" "$inf"
	assertEquals "summary count = histogram count" "$hist_count" \
	    "$(value vault_core_handle_request_count)"
	prev=0
	for v in $(grep '^catalogd_request_duration_seconds_bucket' "$PROM" |
	    awk '{print $2}'); do
		[ "$v" -ge "$prev" ] || ok=1
		prev=$v
	done
	assertEquals "buckets cumulative" 0 $ok
	assertTrue "at least the N requests in the histogram" \
	    "[ $hist_count -ge $n ]"
	b=$(grep -c '^catalogd_request_duration_seconds_bucket' "$PROM")
	assertEquals "14 buckets" 14 "$b"
}

# A SIGKILLed worker: the pool restarts with recovery; nothing counted is
# lost, and the crash and the recovery are counted.
test_counts_survive_a_killed_worker() {
	local before crashes recs pid i after
	scrape
	before=$(value "$POLICY_SERIES")
	crashes=$(value 'catalogd_worker_restarts_total{cause="crash"}')
	recs=$(value catalogd_recovery_duration_seconds_count)
	pid=$(worker_pids | head -n 1)
	assertNotNull "a worker" "$pid"
	kill -KILL "$pid"
	for i in $(seq 1 100); do
		scrape
		[ "$STATUS" = 200 ] &&
		    [ "$(value 'catalogd_worker_restarts_total{cause="crash"}')" -gt "$crashes" ] &&
		    [ "$(value catalogd_recovery_duration_seconds_count)" -gt "$recs" ] &&
		    break
		sleep 0.1
	done
	assertEquals "crash restarts" $((crashes + 1)) \
	    "$(value 'catalogd_worker_restarts_total{cause="crash"}')"
	assertTrue "recoveries rose" \
	    "[ $(value catalogd_recovery_duration_seconds_count) -gt $recs ]"
	after=$(value "$POLICY_SERIES")
	assertEquals "request counts kept" "$before" "$after"
	api GET sys/policies/acl/default
	scrape
	assertEquals "counting goes on" $((before + 1)) \
	    "$(value "$POLICY_SERIES")"
}

# Last: the same data directory, restarted with the setting on.
test_unauthenticated_access() {
	local LAST
	server_stop
	server_start CATALOGD_UNAUTHENTICATED_METRICS_ACCESS=true ||
	    fail "restart"
	TOKEN=
	scrape
	assertEquals "no token, setting on" 200 "$STATUS"
	grep -q '^# TYPE vault_core_handle_request summary$' "$PROM"
	assertTrue "text form" $?
	LAST="bad format, setting on"
	api GET "sys/metrics?format=json"
	expect 400 "$(errjson 'metric response format "json" unknown')"
	LAST="POST, setting on"
	api POST sys/metrics --data '{}'
	expect 405 '{"errors":[]}'
	TOKEN=$ROOT_TOKEN
}

. "$SHUNIT2"
