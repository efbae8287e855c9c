#!/usr/bin/env bash
# tls.sh: scripts/serve with CATALOGD_TLS_CERT and CATALOGD_TLS_KEY, behind
# either front end: Vault clients reach it over https:// with the CA
# certificate (VAULT_CACERT, curl --cacert), plain HTTP on that port gets no
# answer from catalogd, and TLS 1.1 and older are refused.  The certificate
# is made here, self-signed, for 127.0.0.1.
. "$(dirname "$0")/lib.sh"

CERT=$TMPROOT/cert.pem
KEY=$TMPROOT/key.pem

oneTimeSetUp() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$KEY" -out "$CERT" \
	    >/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
	server_start CATALOGD_TLS_CERT="$CERT" CATALOGD_TLS_KEY="$KEY" || exit 1
}

oneTimeTearDown() {
	suite_teardown
}

test_https_with_the_ca_certificate() {
	assertEquals "the base URL" "https://127.0.0.1:$PORT/v1" "$BASE"
	api PUT sys/plugins/runtimes/catalog/container/tls-rt \
	    --data '{"cpu_nanos":7}'
	assertEquals "PUT over https" 204 "$STATUS"
	api GET sys/plugins/runtimes/catalog/container/tls-rt
	assertEquals "GET over https" 200 "$STATUS"
	assertEquals "the runtime" 7 "$(jq .data.cpu_nanos "$RAW")"
}

test_unknown_ca_is_refused_by_the_client() {
	curl -s -o /dev/null --max-time 5 "$BASE/sys/health"
	assertEquals "curl without --cacert: certificate problem (60)" 60 $?
}

test_plain_http_gets_no_catalog_answer() {
	local code
	code=$(curl -s -o "$RAW" -w '%{http_code}' --max-time 5 \
	    "http://127.0.0.1:$PORT/v1/sys/health")
	assertNotEquals "plain HTTP is not served ($code)" 200 "$code"
	assertFalse "no health answer over plain HTTP" \
	    "grep -q initialized '$RAW'"
}

test_tls_1_1_is_refused() {
	local out
	# The client allows TLS 1.1 (security level 0); the server says no.
	out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 \
	    -cipher 'DEFAULT@SECLEVEL=0' 2>&1)
	assertContains "TLS 1.1: protocol version alert" "$out" \
	    "alert protocol version"
	out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
	    -CAfile "$CERT" 2>&1)
	assertContains "TLS 1.2 is accepted" "$out" "Verify return code: 0 (ok)"
}

. "$SHUNIT2"
