/*
 * audit_test.c: lib/audit.c alone.  The HMAC against Vault's golden
 * vectors (salt "foo"), the device options and their messages, Go's
 * RFC3339Nano, and whole entries: key order, empty members left out,
 * what is hashed and what is not, log_raw, hmac_accessor and prefix.
 * test_oracle formats a table of entries with the current code and with
 * the old one (audit_ref.c) and wants the same bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/lib.h"
#include "tests/unit/audit_ref.h"
#include "tests/unit/check.h"

static void
test_golden(void)
{
	static const struct { const char *salt, *in, *want; } cases[] = {
		{ "foo", "foo", "hmac-sha256:08ba357e274f528065766c770a639abf"
		    "6809b39ccfd37c2a3157c7f51954da0a" },
		{ "foo", "bar", "hmac-sha256:f9320baf0249169e73850cd6156ded01"
		    "06e2bb6ad8cab01b7bbbebe6d1065317" },
	};
	struct audit_mac	*m;
	char			 h[AUDIT_HMAC_LEN + 1];
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m = audit_mac_new(cases[i].salt);
		audit_hmac(m, cases[i].in, strlen(cases[i].in), h);
		CHECK_STR(h, cases[i].want, cases[i].in);
		/* Keyed once, used many times: the same answer again. */
		audit_hmac(m, cases[i].in, strlen(cases[i].in), h);
		CHECK_STR(h, cases[i].want, "second use of the keyed MAC");
		audit_mac_free(m);
	}
	m = audit_mac_new("bar");
	audit_hmac(m, "foo", 3, h);
	CHECK(strcmp(h, cases[0].want) != 0, "another salt, another hash");
	audit_mac_free(m);
}

static void
test_options(void)
{
	static const struct {
		const char	*kv[8];
		int		 status;
		const char	*err;
		bool		 raw, acc;
		int		 mode;
	} cases[] = {
		{ { "file_path", "/tmp/a.log" }, 0, "", false, true, 0600 },
		{ { "file_path", "discard" }, 0, "", false, true, 0600 },
		{ { "file_path", "/a", "hmac_accessor", "false", "log_raw",
		    "true", "mode", "0640" }, 0, "", true, false, 0640 },
		{ { "file_path", "/a", "mode", "0000" }, 0, "", false, true, 0 },
		{ { "file_path", "/a", "format", "json" }, 0, "", false, true,
		    0600 },
		{ { "log_raw", "true" }, 400, "file_path is required", false,
		    false, 0 },
		{ { "file_path", "" }, 400, "file_path is required", false,
		    false, 0 },
		{ { "file_path", "rel.log" }, 400, "file_path must be an "
		    "absolute path or \"discard\"", false, false, 0 },
		{ { "file_path", "/a", "log_raw", "yes" }, 400, "unable to "
		    "parse 'log_raw': strconv.ParseBool: parsing \"yes\": "
		    "invalid syntax", false, false, 0 },
		{ { "file_path", "/a", "mode", "0999" }, 400, "unable to parse "
		    "'mode': \"0999\" is not an octal file mode", false, false, 0 },
		{ { "file_path", "/a", "mode", "" }, 400, "unable to parse "
		    "'mode': \"\" is not an octal file mode", false, false, 0 },
		{ { "file_path", "/a", "format", "jsonx" }, 400, "unsupported "
		    "format \"jsonx\": catalogd writes json", false, false, 0 },
		{ { "file_path", "/a", "path", "x" }, 400, "unsupported option "
		    "\"path\" for the file audit device", false, false, 0 },
	};
	struct audit_opts	 o;
	struct apierr		 err;
	size_t			 i, n;
	int			 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (n = 0; n < 8 && cases[i].kv[n] != NULL; n++)
			;
		memset(&err, 0, sizeof err);
		rc = audit_options((char **)cases[i].kv, n, &o, &err);
		CHECK(rc == cases[i].status, "case %zu: got %d, want %d", i, rc,
		    cases[i].status);
		CHECK_STR(err.text, cases[i].err, "options message");
		if (rc != 0)
			continue;
		CHECK(o.log_raw == cases[i].raw && o.hmac_accessor ==
		    cases[i].acc && o.mode == cases[i].mode,
		    "case %zu: got raw %d acc %d mode %o", i, o.log_raw,
		    o.hmac_accessor, (unsigned)o.mode);
	}
}

static void
test_time(void)
{
	static const struct { int64_t sec; long nsec; const char *want; }
	    cases[] = {
		{ 0, 0, "1970-01-01T00:00:00Z" },
		{ 1700000000, 123456789, "2023-11-14T22:13:20.123456789Z" },
		{ 1700000000, 120000000, "2023-11-14T22:13:20.12Z" },
		{ 1700000000, 1000, "2023-11-14T22:13:20.000001Z" },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_init(&b);
		audit_time(&b, cases[i].sec, cases[i].nsec);
		CHECK_STR(b.data, cases[i].want, "RFC3339Nano");
		buf_free(&b);
	}
}

static char *
entry(const char **kv, size_t n, const struct audit_in *in)
{
	struct audit_opts	 o;
	struct apierr		 err;
	struct audit_mac	*m = audit_mac_new("foo");
	struct buf		 b;

	if (audit_options((char **)kv, n, &o, &err) != 0)
		abort();
	buf_init(&b);
	audit_format(&b, &o, m, in);
	audit_mac_free(m);
	return b.data;
}

#define FOO "hmac-sha256:08ba357e274f528065766c770a639abf6809b39ccfd37c2a3157c7f51954da0a"
#define BAR "hmac-sha256:f9320baf0249169e73850cd6156ded0106e2bb6ad8cab01b7bbbebe6d1065317"

static void
test_entries(void)
{
	const char		*hashed[] = { "file_path", "/a" };
	const char		*raw[] = { "file_path", "/a", "log_raw", "true",
				    "prefix", "@cee: " };
	const char		*noacc[] = { "file_path", "/a",
				    "hmac_accessor", "false" };
	char			*pols[] = { "default", "ops" };
	struct token_rec	 tok = { .policies = pols, .npolicies = 2,
				    .accessor = (char *)"bar",
				    .display_name = (char *)"token-ci",
				    .created = 1700000000, .ttl = 3600 };
	struct audit_in		 in;
	json_t			*data, *resp;
	char			*got;

	json_parse_object("{\"oci_runtime\":\"foo\",\"cpu_nanos\":5,"
	    "\"rootless\":true,\"args\":[\"bar\"]}", 66, &data);
	memset(&in, 0, sizeof in);
	in.sec = 1700000000;
	in.id = "a-b";
	in.operation = "update";
	in.mount_point = "sys/";
	in.mount_type = "system";
	in.path = "sys/x";
	in.client_token = "foo";
	in.tok = &tok;
	in.data = data;
	in.remote_addr = "127.0.0.1";
	in.remote_port = 4242;

	got = entry(hashed, 2, &in);
	CHECK_STR(got, "{\"time\":\"2023-11-14T22:13:20Z\",\"type\":\"request\","
	    "\"auth\":{\"client_token\":\"" FOO "\",\"accessor\":\"" BAR "\","
	    "\"display_name\":\"token-ci\",\"policies\":[\"default\",\"ops\"],"
	    "\"token_policies\":[\"default\",\"ops\"],\"token_type\":"
	    "\"service\",\"token_ttl\":3600,\"token_issue_time\":"
	    "\"2023-11-14T22:13:20Z\"},"
	    "\"request\":{\"id\":\"a-b\",\"operation\":\"update\","
	    "\"mount_point\":\"sys/\",\"mount_type\":\"system\","
	    "\"client_token\":\"" FOO "\",\"client_token_accessor\":\"" BAR
	    "\",\"namespace\":{\"id\":\"root\"},\"path\":\"sys/x\","
	    "\"data\":{\"args\":[\"" BAR "\"],\"cpu_nanos\":\"hmac-sha256:"
	    "3c182658f0b8d5535d83985926223818432b81a210c31cc32003c5787105c624"
	    "\",\"oci_runtime\":\"" FOO "\",\"rootless\":true},"
	    "\"remote_address\":\"127.0.0.1\",\"remote_port\":4242}}\n",
	    "hashed request entry");
	free(got);

	got = entry(raw, 6, &in);
	CHECK(strncmp(got, "@cee: {\"time\"", 13) == 0, "prefix: got %s", got);
	CHECK(strstr(got, "\"client_token\":\"foo\",\"accessor\":\"bar\"") !=
	    NULL, "log_raw keeps tokens: got %s", got);
	CHECK(strstr(got, "\"data\":{\"args\":[\"bar\"],\"cpu_nanos\":5,"
	    "\"oci_runtime\":\"foo\",\"rootless\":true}") != NULL,
	    "log_raw keeps data, numbers as numbers: got %s", got);
	CHECK(strstr(got, "hmac-sha256") == NULL, "log_raw hashes nothing");
	free(got);

	got = entry(noacc, 4, &in);
	CHECK(strstr(got, "\"client_token\":\"" FOO "\",\"accessor\":\"bar\"")
	    != NULL, "hmac_accessor=false: raw accessor, hashed token");
	CHECK(strstr(got, "\"client_token_accessor\":\"bar\"") != NULL,
	    "hmac_accessor=false: raw request accessor");
	free(got);

	/* A response: answer data hashed (ints kept), warnings, an error. */
	resp = json_pack("{s:s, s:I, s:[s]}", "name", "foo", "memory_bytes",
	    (json_int_t)7, "keys", "bar");
	in.response = true;
	in.tok = NULL;
	in.data = NULL;
	in.client_token = NULL;
	in.resp_data = resp;
	in.warnings = json_pack("[s]", "careful");
	in.remote_port = 0;
	in.remote_addr = NULL;
	got = entry(hashed, 2, &in);
	CHECK_STR(got, "{\"time\":\"2023-11-14T22:13:20Z\",\"type\":\"response\","
	    "\"request\":{\"id\":\"a-b\",\"operation\":\"update\","
	    "\"mount_point\":\"sys/\",\"mount_type\":\"system\","
	    "\"namespace\":{\"id\":\"root\"},\"path\":\"sys/x\"},"
	    "\"response\":{\"mount_point\":\"sys/\",\"mount_type\":\"system\","
	    "\"data\":{\"keys\":[\"" BAR "\"],\"memory_bytes\":7,\"name\":\""
	    FOO "\"},\"warnings\":[\"careful\"]}}\n", "response entry");
	free(got);
	json_decref((json_t *)in.warnings);
	in.warnings = NULL;
	in.resp_data = NULL;
	in.error = "permission denied";
	got = entry(hashed, 2, &in);
	CHECK(strstr(got, "\"response\":{\"mount_point\":\"sys/\","
	    "\"mount_type\":\"system\"},\"error\":\"permission denied\"}\n") !=
	    NULL, "error last: got %s", got);
	free(got);

	/* An issued token's auth block: its token and accessor hashed. */
	in.error = NULL;
	in.resp_auth = json_pack("{s:s, s:s, s:[s], s:[s], s:I, s:s}",
	    "client_token", "foo", "accessor", "bar", "policies", "default",
	    "token_policies", "default", "lease_duration", (json_int_t)60,
	    "token_type", "service");
	got = entry(hashed, 2, &in);
	CHECK(strstr(got, "\"response\":{\"mount_point\":\"sys/\","
	    "\"mount_type\":\"system\",\"auth\":{\"client_token\":\"" FOO
	    "\",\"accessor\":\"" BAR "\",\"policies\":[\"default\"],"
	    "\"token_policies\":[\"default\"],\"token_type\":\"service\","
	    "\"token_ttl\":60}}}\n") != NULL, "issued auth: got %s", got);
	free(got);
	json_decref((json_t *)in.resp_auth);
	json_decref(resp);
	json_decref(data);
}

/* The time: the old strftime path against the current one. */
static void
test_time_oracle(void)
{
	static const int64_t secs[] = { 0, 1, 59, 86399, 86400, 951782400,
	    951868799, 951868800, 1700000000, 1709251199, 1709251200,
	    2147483647, 2147483648LL, 4102444800LL, 253402300799LL,
	    253402300800LL, -1, -86401 };
	static const long nsecs[] = { 0, 1, 10, 999999999, 500000000,
	    123456000 };
	struct buf	 got, want;
	size_t		 i, k;

	for (i = 0; i < sizeof secs / sizeof secs[0]; i++)
		for (k = 0; k < sizeof nsecs / sizeof nsecs[0]; k++) {
			buf_init(&got);
			buf_init(&want);
			audit_time(&got, secs[i], nsecs[k]);
			ref_time(&want, secs[i], nsecs[k]);
			CHECK_STR(got.data, want.data, "time against the old");
			buf_free(&got);
			buf_free(&want);
		}
}

/*
 * One entry both ways: audit_format, and the request entry then the
 * response entry sharing their middle part, as fcgi/audit.c writes
 * them, against ref_format.
 */
static void
oracle_one(const char *what, const char *const *kv, size_t n,
    struct audit_in *in)
{
	struct audit_opts	 o;
	struct apierr		 err;
	struct audit_mac	*m;
	struct buf		 got, want, mid;
	bool			 resp = in->response;

	if (audit_options((char **)kv, n, &o, &err) != 0)
		abort();
	m = audit_mac_new("foo");
	buf_init(&got);
	buf_init(&want);
	buf_init(&mid);
	audit_format(&got, &o, m, in);
	ref_format(&want, &o, "foo", in);
	CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "%s: got %s, want %s", what, got.data, want.data);

	/* The request entry keeps its middle; the answer's reuses it. */
	in->response = false;
	got.len = 0;
	want.len = 0;
	audit_format_shared(&got, &o, m, in, &mid, false);
	ref_format(&want, &o, "foo", in);
	CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "%s (request, kept): got %s, want %s", what, got.data, want.data);
	in->response = true;
	got.len = 0;
	want.len = 0;
	audit_format_shared(&got, &o, m, in, &mid, true);
	ref_format(&want, &o, "foo", in);
	CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "%s (response, reused): got %s, want %s", what, got.data,
	    want.data);
	in->response = resp;
	buf_free(&got);
	buf_free(&want);
	buf_free(&mid);
	audit_mac_free(m);
}

static void
test_oracle(void)
{
	static const char *const body =
	    "{\"oci_runtime\":\"runc\",\"cgroup_parent\":\"/a<b>&c\","
	    "\"cpu_nanos\":1000,\"memory_bytes\":10000000,\"rootless\":true,"
	    "\"args\":[\"x\\\"y\",\"t\\tab\\n\",\"\\u0001\\u001f\","
	    "\"\\u2028\\u2029\",\"\\u00e9\\u4e2d\"],\"nested\":{\"z\":null,"
	    "\"a\":[1,2.5,false,{\"k\":\"v\"}],\"\\\\key\":\"\"},"
	    "\"empty\":{},\"list\":[]}";
	static const struct { const char *name; const char *kv[8]; size_t n; }
	    optsets[] = {
		{ "hashed", { "file_path", "/a" }, 2 },
		{ "log_raw", { "file_path", "/a", "log_raw", "true", "prefix",
		    "@cee: " }, 6 },
		{ "hmac_accessor=false", { "file_path", "/a", "hmac_accessor",
		    "false" }, 4 },
	};
	char			*pols[] = { "default", "ops\"<x>", "root" };
	char			*onepol[] = { "root" };
	struct token_rec	 tok = { .policies = pols, .npolicies = 3,
				    .accessor = (char *)"acc-1\xe2\x80\xa8",
				    .display_name = (char *)"token-<ci>",
				    .created = 1700000000, .ttl = 3600,
				    .num_uses = 3 };
	struct token_rec	 root = { .policies = onepol, .npolicies = 1,
				    .accessor = (char *)"root-acc",
				    .display_name = (char *)"root" };
	struct audit_in		 base, in;
	json_t			*data, *small, *keys, *raw, *issued, *warn;
	char			 what[128];
	size_t			 i, c;

	json_parse_object(body, strlen(body), &data);
	json_parse_object("{\"n\":\"010\",\"s\":\"x\"}", 19, &small);
	CHECK(data != NULL && small != NULL, "oracle bodies parse");
	keys = json_pack("{s:[s,s,s]}", "keys", "a", "b<", "c\xe2\x80\xa9");
	raw = json_pack("{s:s, s:I, s:I, s:s, s:s, s:b, s:s}",
	    "cgroup_parent", "/examplelimit/", "cpu_nanos", (json_int_t)1000,
	    "memory_bytes", (json_int_t)10000000, "name", "bench-runtime",
	    "oci_runtime", "example-oci-runtime", "rootless", 0,
	    "type", "container");
	issued = json_pack("{s:s, s:s, s:[s,s], s:[s], s:I, s:s}",
	    "client_token", "hvs.new", "accessor", "acc-new", "policies",
	    "default", "ops", "token_policies", "ops", "lease_duration",
	    (json_int_t)60, "token_type", "service");
	warn = json_pack("[s,s]", "careful", "<again>");

	memset(&base, 0, sizeof base);
	base.sec = 1700000000;
	base.nsec = 86447918;
	base.id = "7cad9f6f-4f92-4410-9952-2d098d7194b5";
	base.operation = "read";
	base.mount_point = "sys/";
	base.mount_type = "system";
	base.path = "sys/plugins/runtimes/catalog/container/bench-runtime";
	base.client_token = "hvs.CAESIJ-token\"x";
	base.tok = &tok;
	base.remote_addr = "127.0.0.1";
	base.remote_port = 35940;

	for (c = 0; c < 9; c++) {
		in = base;
		switch (c) {
		case 0:		/* a read and its answer */
			in.resp_data = raw;
			in.response = true;
			break;
		case 1:		/* an error answer */
			in.response = true;
			in.error = "1 error occurred:\n\t* <bad>\n\n";
			break;
		case 2:		/* denied: the request entry with its error */
			in.error = "permission denied";
			in.tok = NULL;
			break;
		case 3:		/* a list */
			in.operation = "list";
			in.path = "sys/plugins/runtimes/catalog";
			in.resp_data = keys;
			in.response = true;
			in.nsec = 100;
			break;
		case 4:		/* a write with data */
			in.operation = "update";
			in.data = data;
			in.response = true;
			in.warnings = warn;
			in.sec = 2147483648LL;
			break;
		case 5:		/* numbers as text, a root token */
			in.operation = "update";
			in.data = small;
			in.resp_data = small;
			in.tok = &root;
			in.response = true;
			in.nsec = 999999999;
			break;
		case 6:		/* a token issued */
			in.operation = "update";
			in.mount_point = "auth/token/";
			in.mount_type = "token";
			in.path = "auth/token/create";
			in.resp_auth = issued;
			in.response = true;
			break;
		case 7:		/* no token at all, no address */
			in.tok = NULL;
			in.client_token = NULL;
			in.remote_addr = NULL;
			in.remote_port = 0;
			in.response = true;
			in.error = "missing client token";
			break;
		case 8:		/* a 204: an answer without data */
			in.operation = "delete";
			in.response = true;
			in.nsec = 0;
			break;
		}
		for (i = 0; i < sizeof optsets / sizeof optsets[0]; i++) {
			snprintf(what, sizeof what, "case %zu, %s", c,
			    optsets[i].name);
			oracle_one(what, optsets[i].kv, optsets[i].n, &in);
		}
	}
	json_decref(data);
	json_decref(small);
	json_decref(keys);
	json_decref(raw);
	json_decref(issued);
	json_decref(warn);
}

int
main(void)
{
	test_golden();
	test_options();
	test_time();
	test_entries();
	test_time_oracle();
	test_oracle();
	return check_done("audit_test");
}
