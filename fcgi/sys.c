/*
 * sys.c: the unauthenticated sys/ answers Vault gives outside the envelope,
 * to load balancers, `vault status` and client libraries' is_sealed() and
 * is_initialized(): sys/health, sys/seal-status, sys/init and sys/leader.
 * catalogd has no seal: it is initialised when its data directory is, and
 * from then on always unsealed, so these answers are those of an unsealed
 * Shamir-sealed Vault with one key share, as a development server gives.
 * The leader answer is built in one place from a struct ha_state, which a
 * replicated group fills in; a single node is Vault's non-HA answer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"

#define STORAGE_TYPE	"berkeleydb"

/* The cluster's name: fixed by its id. */
static void
cluster_name(char *out, size_t len, const char *id)
{
	snprintf(out, len, "catalogd-cluster-%.8s", id);
}

static int
health_txn(struct txn *t, void *arg)
{
	unsigned char	 salt[SALT_LEN];
	int		 rc;

	if ((rc = salt_get(t, salt)) == 1)
		return 500;
	if (rc == -1)
		return -1;
	return cluster_identity(t, arg);
}

/*
 * The salt's presence and the cluster id, read once per data generation
 * (and every 5 s): they change only with a restore, and a health check
 * must not wait for a transaction while a replicated node changes role.
 * 0 or -1.
 */
static int
health_identity(struct store *st, char id[CLUSTER_ID_LEN + 1])
{
	static char	 cached[CLUSTER_ID_LEN + 1];
	static uint64_t	 gen;
	static int64_t	 at;
	uint64_t	 now = shared == NULL ? 0 :
			    __atomic_load_n(&shared->data_gen, __ATOMIC_SEQ_CST);

	/*
	 * A standby hears of a restore on the active node only through the
	 * data: it reads again every few seconds.
	 */
	if (cached[0] == '\0' || gen != now || now_ms() - at > 5000) {
		if (txn_run(st, health_txn, id) != 0)
			return -1;
		memcpy(cached, id, sizeof cached);
		gen = now;
		at = now_ms();
	}
	memcpy(id, cached, sizeof cached);
	return 0;
}

/*
 * A query parameter as Vault's health handler reads it: the first value,
 * or NULL when absent.
 */
static const char *
query_first(const struct request *req, const char *name)
{
	json_t	*v = json_object_get(req->data, name);

	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * The status codes the caller chose: 0, or -1 when a value does not parse
 * (Vault answers 400 with an empty error list).  A code outside 100-599
 * is refused too: Go's server cannot write one, FastCGI cannot carry it.
 */
static int
health_codes(const struct request *req, bool *standbyok, int *standby,
    int *active)
{
	static const char *const names[] = { "uninitcode", "sealedcode",
	    "standbycode", "activecode", "drsecondarycode",
	    "performancestandbycode" };
	const char	*v;
	int64_t		 code;
	bool		 ok;
	size_t		 i;

	*standbyok = false;
	if ((v = query_first(req, "standbyok")) != NULL &&
	    go_parse_bool(v, standbyok) == -1)
		return -1;
	if ((v = query_first(req, "perfstandbyok")) != NULL &&
	    go_parse_bool(v, &ok) == -1)
		return -1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((v = query_first(req, names[i])) == NULL)
			continue;
		if (go_parse_int64(v, &code) == -1 || code < 100 || code > 599)
			return -1;
		if (i == 2)
			*standby = (int)code;
		else if (i == 3)
			*active = (int)code;
	}
	return 0;
}

void
health_respond(struct request *req)
{
	char		 id[CLUSTER_ID_LEN + 1] = "", name[64];
	json_t		*h;
	struct repl_view v;
	int		 status, standby_code = 429, active_code = 200;
	bool		 standby = false, standbyok, readable;

	if (health_codes(req, &standbyok, &standby_code, &active_code) == -1) {
		write_error(req, 400, "");
		return;
	}
	if (req->cfg->repl != NULL) {
		ha_read(&v, NULL);
		standby = v.role != REPL_MASTER;
	}
	readable = health_identity(req->store, id) == 0;
	if (standby)
		status = standbyok ? active_code : standby_code;
	else
		status = readable ? active_code : 500;
	h = json_pack("{s:b, s:b, s:b, s:b, s:s, s:s, s:I, s:s}",
	    "initialized", 1, "sealed", 0, "standby", standby,
	    "performance_standby", 0,
	    "replication_performance_mode", "disabled",
	    "replication_dr_mode", "disabled",
	    "server_time_utc", (json_int_t)time(NULL),
	    "version", PACKAGE_VERSION);
	/* Vault's omitempty: only when the storage could be read. */
	if (readable) {
		cluster_name(name, sizeof name, id);
		json_object_set_new(h, "cluster_name", json_string(name));
		json_object_set_new(h, "cluster_id", json_string(id));
	}
	respond_json(req, status, h);
	json_decref(h);
}

/*
 * The cluster id, created with the root token, or by the supervisor's
 * first recovery for a data directory that predates it (the creation on
 * use here is only a fallback).  0, or -1 after txn_fail.  Concurrent
 * first uses serialise on the meta page: one of them deadlocks, is retried
 * and reads the winner's id.
 */
int
cluster_identity(struct txn *t, char id[CLUSTER_ID_LEN + 1])
{
	int	 rc;

	if ((rc = cluster_id_get(t, id)) != 1)
		return rc;
	uuid_v4(id);
	return cluster_id_put(t, id);
}

/*
 * The build date as Vault's version.BuildDate gives it (RFC 3339), from
 * the compiler's __DATE__ ("Mmm dd yyyy") and __TIME__.
 */
static const char *
build_date(void)
{
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static char		 out[32];
	const char		*d = __DATE__, *m;
	int			 mon;

	if (out[0] != '\0')
		return out;
	m = strstr(months, (char[]){ d[0], d[1], d[2], '\0' });
	mon = m == NULL ? 1 : (int)(m - months) / 3 + 1;
	snprintf(out, sizeof out, "%.4s-%02d-%02dT%.8sZ", d + 7, mon,
	    atoi(d + 4), __TIME__);
	return out;
}

/* GET sys/seal-status: Vault's SealStatusResponse, in its field order. */
int
sys_seal_status(struct request *req, struct txn *t)
{
	char	 id[CLUSTER_ID_LEN + 1], name[64];

	if (cluster_identity(t, id) == -1)
		return -1;
	cluster_name(name, sizeof name, id);
	set_raw(req, json_pack("{s:s, s:b, s:b, s:i, s:i, s:i, s:s, s:s, s:s,"
	    " s:b, s:s, s:s, s:b, s:s}",
	    "type", "shamir",
	    "initialized", 1,
	    "sealed", 0,
	    "t", 1,
	    "n", 1,
	    "progress", 0,
	    "nonce", "",
	    "version", PACKAGE_VERSION,
	    "build_date", build_date(),
	    "migration", 0,
	    "cluster_name", name,
	    "cluster_id", id,
	    "recovery_seal", 0,
	    "storage_type", STORAGE_TYPE));
	return 0;
}

/* GET sys/init: initialised once the data directory has its salt. */
int
sys_init_read(struct request *req, struct txn *t)
{
	unsigned char	 salt[SALT_LEN];
	int		 rc;

	if ((rc = salt_get(t, salt)) == -1)
		return -1;
	set_raw(req, json_pack("{s:b}", "initialized", rc == 0));
	return 0;
}

enum { I_RSHARES, I_RTHRESHOLD, I_RPGP };

const struct field init_fields[] = {
	[I_RSHARES] = { "recovery_shares", FIELD_INT64 },
	[I_RTHRESHOLD] = { "recovery_threshold", FIELD_INT64 },
	[I_RPGP] = { "recovery_pgp_keys", FIELD_STRSLICE },
	{ NULL, FIELD_STRING },
};

/*
 * PUT sys/init: the data directory initialised itself when it was made,
 * so this is Vault's answer to a second initialisation, after its check
 * that a Shamir seal gets no recovery-key parameters.
 */
int
sys_init_update(struct request *req, struct txn *t)
{
	const struct fieldval	*v = req->vals;

	if (v[I_RSHARES].i != 0 || v[I_RTHRESHOLD].i != 0 ||
	    v[I_RPGP].nlist != 0)
		return respond_error(req, 400,
		    "parameters specific to auto unseal seals present");
	return respond_error(req, 400, "Vault is already initialized");
}

/* A single node: Vault's answer when HA is not enabled. */
void
ha_state_get(struct ha_state *ha)
{
	memset(ha, 0, sizeof *ha);
	ha->leader_address = "";
	ha->leader_cluster_address = "";
}

/*
 * Vault's LeaderResponse in its field order.  active_time is a Go
 * time.Time, which omitempty never drops: the zero time when this node is
 * not the active one.
 */
json_t *
leader_answer(const struct ha_state *ha)
{
	char		 at[32] = "0001-01-01T00:00:00Z";
	time_t		 tt = (time_t)ha->active_since;
	struct tm	 tm;

	if (ha->is_self && ha->active_since != 0) {
		gmtime_r(&tt, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return json_pack("{s:b, s:b, s:s, s:s, s:s, s:b, s:i}",
	    "ha_enabled", ha->enabled,
	    "is_self", ha->is_self,
	    "active_time", at,
	    "leader_address", ha->leader_address,
	    "leader_cluster_address", ha->leader_cluster_address,
	    "performance_standby", 0,
	    "performance_standby_last_remote_wal", 0);
}

/*
 * A replicated node's sys/leader, answered outside any transaction (the
 * node may be changing role): the active node is this one, or the one
 * whose replication address the group names, at the api_addr it announced
 * (forward.c keeps it).
 */
void
leader_respond(struct request *req)
{
	struct ha_state	 ha;
	struct repl_view v;
	const char	*api = NULL;
	char		*cluster;
	json_t		*j;

	memset(&ha, 0, sizeof ha);
	ha_read(&v, &ha.active_since);
	ha.enabled = true;
	ha.is_self = v.role == REPL_MASTER;
	if (ha.is_self)
		api = req->cfg->api_addr;
	else if (v.master[0] != '\0')
		api = ha_master_api(req->store, v.master);
	cluster = api == NULL ? xstrdup("") : xasprintf("tcp://%s", v.master);
	ha.leader_address = api == NULL ? "" : api;
	ha.leader_cluster_address = cluster;
	j = leader_answer(&ha);
	respond_json(req, 200, j);
	json_decref(j);
	free(cluster);
}

/* GET sys/leader of a single node. */
int
sys_leader(struct request *req, struct txn *t)
{
	struct ha_state	 ha;

	ha_state_get(&ha);
	set_raw(req, leader_answer(&ha));
	return 0;
}

static void
rfc3339_now(char *out, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%09ldZ", ts.tv_nsec);
}

/* One entry of sys/ha-status, in Vault's field order. */
static json_t *
ha_node(const char *host, const char *api, const char *cluster, bool active,
    const char *version)
{
	char	 echo[48];

	rfc3339_now(echo, sizeof echo);
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}",
	    "hostname", host,
	    "api_address", api,
	    "cluster_address", cluster,
	    "active_node", active,
	    "last_echo", active ? json_null() : json_string(echo),
	    "version", version);
}

/*
 * GET sys/ha-status (on the active node: standbys forward it): this node,
 * then every member it is connected to, each as it announced itself.  A
 * member that is down is left out, as Vault lists only the standbys it
 * heard from.
 */
int
sys_ha_status(struct request *req, struct txn *t)
{
	struct repl_view v;
	struct node_rec	 n;
	json_t		*nodes = json_array();
	char		 host[256], *cluster;
	int		 i, rc;

	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	if (req->cfg->repl == NULL) {
		json_array_append_new(nodes, ha_node(host, "", "", true,
		    PACKAGE_VERSION));
		set_data(req, json_pack("{s:o}", "nodes", nodes));
		return 0;
	}
	ha_read(&v, NULL);
	cluster = xasprintf("tcp://%s", req->cfg->repl_addr);
	json_array_append_new(nodes, ha_node(host, req->cfg->api_addr,
	    cluster, v.role == REPL_MASTER, PACKAGE_VERSION));
	free(cluster);
	for (i = 0; i < v.nsites; i++) {
		if (!v.sites[i].connected)
			continue;
		if ((rc = node_get(t, v.sites[i].addr, &n)) == -1) {
			json_decref(nodes);
			return -1;
		}
		cluster = xasprintf("tcp://%s", v.sites[i].addr);
		json_array_append_new(nodes, ha_node(rc == 0 ? n.hostname : "",
		    rc == 0 ? n.api_addr : "", cluster, false, rc == 0 ?
		    n.version : ""));
		free(cluster);
		if (rc == 0)
			node_rec_free(&n);
	}
	set_data(req, json_pack("{s:o}", "nodes", nodes));
	return 0;
}
