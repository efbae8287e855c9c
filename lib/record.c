/*
 * record.c: the storage format, the only code that knows the msgpack layout.
 * A record is a msgpack map with a format version under "v"; db/ stores the
 * bytes without looking inside.  Decoding trusts nothing: every key must be
 * known and present once, every value of its type, every integer inside
 * int64, every string free of NUL, and no byte may follow the map.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "lib.h"

static void
pack_str(msgpack_packer *pk, const char *s)
{
	size_t	 n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static int
sbuf_write(void *data, const char *p, size_t n)
{
	buf_add(data, p, n);
	return 0;
}

/* Starts a record: a map of nfields entries plus the version. */
static void
pack_head(msgpack_packer *pk, struct buf *out, size_t nfields)
{
	msgpack_packer_init(pk, out, sbuf_write);
	msgpack_pack_map(pk, nfields + 1);
	pack_str(pk, "v");
	msgpack_pack_int64(pk, RECORD_VERSION);
}

static void
pack_strlist(msgpack_packer *pk, char **list, size_t n)
{
	size_t	 i;

	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++)
		pack_str(pk, list[i]);
}

void
record_runtime_encode(const struct runtime *r, struct buf *out)
{
	msgpack_packer	 pk;

	pack_head(&pk, out, 6);
	pack_str(&pk, "name");
	pack_str(&pk, r->name);
	pack_str(&pk, "oci_runtime");
	pack_str(&pk, r->oci_runtime);
	pack_str(&pk, "cgroup_parent");
	pack_str(&pk, r->cgroup_parent);
	pack_str(&pk, "cpu");
	msgpack_pack_int64(&pk, r->cpu_nanos);
	pack_str(&pk, "memory");
	msgpack_pack_int64(&pk, r->memory_bytes);
	pack_str(&pk, "rootless");
	if (r->rootless)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

void
record_token_encode(const struct token_rec *t, struct buf *out)
{
	msgpack_packer	 pk;

	pack_head(&pk, out, 10);
	pack_str(&pk, "policies");
	pack_strlist(&pk, t->policies, t->npolicies);
	pack_str(&pk, "accessor");
	pack_str(&pk, t->accessor);
	pack_str(&pk, "display_name");
	pack_str(&pk, t->display_name);
	pack_str(&pk, "path");
	pack_str(&pk, t->path);
	pack_str(&pk, "parent");
	msgpack_pack_bin(&pk, t->has_parent ? sizeof t->parent : 0);
	msgpack_pack_bin_body(&pk, t->parent, t->has_parent ?
	    sizeof t->parent : 0);
	pack_str(&pk, "created");
	msgpack_pack_int64(&pk, t->created);
	pack_str(&pk, "ttl");
	msgpack_pack_int64(&pk, t->ttl);
	pack_str(&pk, "expire");
	msgpack_pack_int64(&pk, t->expire);
	pack_str(&pk, "num_uses");
	msgpack_pack_int64(&pk, t->num_uses);
	pack_str(&pk, "renewed");
	msgpack_pack_int64(&pk, t->renewed);
}

void
record_plugin_encode(const struct plugin *p, struct buf *out)
{
	msgpack_packer	 pk;

	pack_head(&pk, out, 9);
	pack_str(&pk, "type");
	pack_str(&pk, p->type);
	pack_str(&pk, "name");
	pack_str(&pk, p->name);
	pack_str(&pk, "version");
	pack_str(&pk, p->version);
	pack_str(&pk, "command");
	pack_str(&pk, p->command);
	pack_str(&pk, "args");
	pack_strlist(&pk, p->args, p->nargs);
	pack_str(&pk, "env");
	pack_strlist(&pk, p->env, p->nenv);
	pack_str(&pk, "sha256");
	msgpack_pack_bin(&pk, p->sha256_len);
	msgpack_pack_bin_body(&pk, p->sha256, p->sha256_len);
	pack_str(&pk, "oci_image");
	pack_str(&pk, p->oci_image);
	pack_str(&pk, "runtime");
	pack_str(&pk, p->runtime);
}

void
record_policy_encode(const struct policy_rec *p, struct buf *out)
{
	msgpack_packer	 pk;

	pack_head(&pk, out, 2);
	pack_str(&pk, "name");
	pack_str(&pk, p->name);
	pack_str(&pk, "text");
	pack_str(&pk, p->text);
}

void
record_audit_encode(const struct audit_rec *a, struct buf *out)
{
	msgpack_packer	 pk;

	pack_head(&pk, out, 6);
	pack_str(&pk, "path");
	pack_str(&pk, a->path);
	pack_str(&pk, "type");
	pack_str(&pk, a->type);
	pack_str(&pk, "description");
	pack_str(&pk, a->description);
	pack_str(&pk, "options");
	pack_strlist(&pk, a->options, a->noptions);
	pack_str(&pk, "salt");
	pack_str(&pk, a->salt);
	pack_str(&pk, "local");
	if (a->local)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

/* One expected key of a record map and where its value goes. */
enum slot_kind { SLOT_STR, SLOT_INT, SLOT_BOOL, SLOT_STRLIST, SLOT_HASH,
	SLOT_BIN };
struct slot {
	const char	*key;
	enum slot_kind	 kind;
	void		*dst;
	bool		 seen;
	void		*aux;	/* STRLIST, BIN: size_t count; HASH: bool */
};

static bool
str_ok(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_STR &&
	    memchr(o->via.str.ptr, '\0', o->via.str.size) == NULL;
}

static int
fill_strlist(char ***list, size_t *n, const msgpack_object *o)
{
	uint32_t	 i;

	if (o->type != MSGPACK_OBJECT_ARRAY)
		return -1;
	for (i = 0; i < o->via.array.size; i++)
		if (!str_ok(&o->via.array.ptr[i]))
			return -1;
	*list = xcalloc(o->via.array.size, sizeof **list);
	for (i = 0; i < o->via.array.size; i++)
		(*list)[i] = xstrndup(o->via.array.ptr[i].via.str.ptr,
		    o->via.array.ptr[i].via.str.size);
	*n = o->via.array.size;
	return 0;
}

static int
get_int(const msgpack_object *o, int64_t *out)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 > INT64_MAX)
			return -1;
		*out = (int64_t)o->via.u64;
		return 0;
	}
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*out = o->via.i64;
		return 0;
	}
	return -1;
}

static int
fill_slot(struct slot *s, const msgpack_object *o)
{
	switch (s->kind) {
	case SLOT_STR:
		if (!str_ok(o))
			return -1;
		*(char **)s->dst = xstrndup(o->via.str.ptr, o->via.str.size);
		return 0;
	case SLOT_INT:
		return get_int(o, s->dst);
	case SLOT_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return -1;
		*(bool *)s->dst = o->via.boolean;
		return 0;
	case SLOT_STRLIST:
		return fill_strlist(s->dst, s->aux, o);
	case SLOT_BIN:
		if (o->type != MSGPACK_OBJECT_BIN)
			return -1;
		*(unsigned char **)s->dst = xmalloc(o->via.bin.size);
		memcpy(*(unsigned char **)s->dst, o->via.bin.ptr,
		    o->via.bin.size);
		*(size_t *)s->aux = o->via.bin.size;
		return 0;
	case SLOT_HASH:
		/* An empty bin is "none"; otherwise exactly 32 bytes. */
		if (o->type != MSGPACK_OBJECT_BIN || (o->via.bin.size != 0 &&
		    o->via.bin.size != 32))
			return -1;
		memcpy(s->dst, o->via.bin.ptr, o->via.bin.size);
		*(bool *)s->aux = o->via.bin.size == 32;
		return 0;
	}
	return -1;
}

/* The k-byte big-endian number at p. */
static uint64_t
be(const unsigned char *p, size_t k)
{
	uint64_t	 v = 0;

	while (k-- > 0)
		v = v << 8 | *p++;
	return v;
}

/*
 * Whether every array and map in the bytes declares no more elements than
 * there are bytes left to hold them (one byte at least each).
 * msgpack_unpack allocates room for the declared count before it reads a
 * single element, so a 5-byte record could otherwise ask for 128 GiB.
 */
static bool
counts_fit(const unsigned char *p, size_t len)
{
	size_t		 i = 0, need = 1, k, per;
	uint64_t	 n, skip, v;
	unsigned char	 c;

	while (need > 0) {
		if (i >= len)
			return false;
		c = p[i++];
		need--;
		n = skip = 0;
		k = per = 0;	/* a k-byte length field: elements (per) or bytes */
		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 ||
		    c == 0xc3)
			;				/* no payload */
		else if (c <= 0x8f)
			n = 2 * (uint64_t)(c & 0x0f);	/* fixmap */
		else if (c <= 0x9f)
			n = c & 0x0f;			/* fixarray */
		else if (c <= 0xbf)
			skip = c & 0x1f;		/* fixstr */
		else if (c == 0xc4 || c == 0xd9)
			k = 1;				/* bin8, str8 */
		else if (c == 0xc5 || c == 0xda)
			k = 2;
		else if (c == 0xc6 || c == 0xdb)
			k = 4;
		else if (c >= 0xc7 && c <= 0xc9) {	/* ext8/16/32 */
			k = (size_t)1 << (c - 0xc7);
			skip = 1;
		} else if (c == 0xca || c == 0xcb)
			skip = c == 0xca ? 4 : 8;	/* float32, float64 */
		else if (c >= 0xcc && c <= 0xd3)	/* uint, int */
			skip = (uint64_t)1 << ((c - 0xcc) & 3);
		else if (c >= 0xd4 && c <= 0xd8)	/* fixext */
			skip = 1 + ((uint64_t)1 << (c - 0xd4));
		else if (c >= 0xdc && c <= 0xdf) {	/* array16/32, map16/32 */
			k = c & 1 ? 4 : 2;
			per = c <= 0xdd ? 1 : 2;
		} else
			return false;			/* 0xc1: never used */
		if (k > 0) {
			if (k > len - i)
				return false;
			v = be(p + i, k);
			i += k;
			if (per > 0)
				n = per * v;
			else
				skip += v;
		}
		if (skip > len - i)
			return false;
		i += (size_t)skip;
		/* Each element still to come needs one byte at least. */
		if (need + n > len - i)
			return false;
		need += (size_t)n;
	}
	return true;
}

/* Decodes a record map into the slots; 0, or -1 for any defect. */
static int
decode(const void *data, size_t len, struct slot *slots, size_t nslots)
{
	msgpack_zone		 zone;
	msgpack_object		 obj;
	msgpack_object_kv	*kv;
	int64_t			 version = 0;
	bool			 vseen = false;
	size_t			 off = 0, i, j;
	int			 rc = -1;

	msgpack_zone_init(&zone, 1024);
	if (!counts_fit(data, len) ||
	    msgpack_unpack(data, len, &off, &zone, &obj) != MSGPACK_UNPACK_SUCCESS
	    || off != len || obj.type != MSGPACK_OBJECT_MAP ||
	    obj.via.map.size != nslots + 1)
		goto out;
	for (i = 0; i < obj.via.map.size; i++) {
		kv = &obj.via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR)
			goto out;
		if (kv->key.via.str.size == 1 && kv->key.via.str.ptr[0] == 'v') {
			if (vseen || get_int(&kv->val, &version) == -1)
				goto out;
			vseen = true;
			continue;
		}
		for (j = 0; j < nslots; j++)
			if (strlen(slots[j].key) == kv->key.via.str.size &&
			    memcmp(slots[j].key, kv->key.via.str.ptr,
			    kv->key.via.str.size) == 0)
				break;
		if (j == nslots || slots[j].seen ||
		    fill_slot(&slots[j], &kv->val) == -1)
			goto out;
		slots[j].seen = true;
	}
	for (j = 0; j < nslots; j++)
		if (!slots[j].seen)
			goto out;
	if (vseen && version == RECORD_VERSION)
		rc = 0;
out:
	msgpack_zone_destroy(&zone);
	return rc;
}

int
record_runtime_decode(const void *data, size_t len, struct runtime *r)
{
	struct slot slots[] = {
		{ "name", SLOT_STR, &r->name, false, NULL },
		{ "oci_runtime", SLOT_STR, &r->oci_runtime, false, NULL },
		{ "cgroup_parent", SLOT_STR, &r->cgroup_parent, false, NULL },
		{ "cpu", SLOT_INT, &r->cpu_nanos, false, NULL },
		{ "memory", SLOT_INT, &r->memory_bytes, false, NULL },
		{ "rootless", SLOT_BOOL, &r->rootless, false, NULL },
	};

	memset(r, 0, sizeof *r);
	if (decode(data, len, slots, sizeof slots / sizeof slots[0]) == -1) {
		runtime_free(r);
		return -1;
	}
	return 0;
}

int
record_token_decode(const void *data, size_t len, struct token_rec *t)
{
	struct slot slots[] = {
		{ "policies", SLOT_STRLIST, &t->policies, false, &t->npolicies },
		{ "accessor", SLOT_STR, &t->accessor, false, NULL },
		{ "display_name", SLOT_STR, &t->display_name, false, NULL },
		{ "path", SLOT_STR, &t->path, false, NULL },
		{ "parent", SLOT_HASH, t->parent, false, &t->has_parent },
		{ "created", SLOT_INT, &t->created, false, NULL },
		{ "ttl", SLOT_INT, &t->ttl, false, NULL },
		{ "expire", SLOT_INT, &t->expire, false, NULL },
		{ "num_uses", SLOT_INT, &t->num_uses, false, NULL },
		{ "renewed", SLOT_INT, &t->renewed, false, NULL },
	};

	memset(t, 0, sizeof *t);
	if (decode(data, len, slots, sizeof slots / sizeof slots[0]) == -1) {
		token_rec_free(t);
		return -1;
	}
	return 0;
}

int
record_audit_decode(const void *data, size_t len, struct audit_rec *a)
{
	struct slot slots[] = {
		{ "path", SLOT_STR, &a->path, false, NULL },
		{ "type", SLOT_STR, &a->type, false, NULL },
		{ "description", SLOT_STR, &a->description, false, NULL },
		{ "options", SLOT_STRLIST, &a->options, false, &a->noptions },
		{ "salt", SLOT_STR, &a->salt, false, NULL },
		{ "local", SLOT_BOOL, &a->local, false, NULL },
	};

	memset(a, 0, sizeof *a);
	if (decode(data, len, slots, sizeof slots / sizeof slots[0]) == -1 ||
	    a->noptions % 2 != 0) {
		audit_rec_free(a);
		return -1;
	}
	return 0;
}

void
audit_rec_free(struct audit_rec *a)
{
	free(a->path);
	free(a->type);
	free(a->description);
	strlist_free(a->options, a->noptions);
	free(a->salt);
	memset(a, 0, sizeof *a);
}

void
runtime_free(struct runtime *r)
{
	free(r->name);
	free(r->oci_runtime);
	free(r->cgroup_parent);
	memset(r, 0, sizeof *r);
}

void
token_rec_free(struct token_rec *t)
{
	strlist_free(t->policies, t->npolicies);
	free(t->accessor);
	free(t->display_name);
	free(t->path);
	memset(t, 0, sizeof *t);
}

int
record_policy_decode(const void *data, size_t len, struct policy_rec *p)
{
	struct slot slots[] = {
		{ "name", SLOT_STR, &p->name, false, NULL },
		{ "text", SLOT_STR, &p->text, false, NULL },
	};

	memset(p, 0, sizeof *p);
	if (decode(data, len, slots, sizeof slots / sizeof slots[0]) == -1) {
		policy_rec_free(p);
		return -1;
	}
	return 0;
}

void
policy_rec_free(struct policy_rec *p)
{
	free(p->name);
	free(p->text);
	memset(p, 0, sizeof *p);
}

int
record_plugin_decode(const void *data, size_t len, struct plugin *p)
{
	struct slot slots[] = {
		{ "type", SLOT_STR, &p->type, false, NULL },
		{ "name", SLOT_STR, &p->name, false, NULL },
		{ "version", SLOT_STR, &p->version, false, NULL },
		{ "command", SLOT_STR, &p->command, false, NULL },
		{ "args", SLOT_STRLIST, &p->args, false, &p->nargs },
		{ "env", SLOT_STRLIST, &p->env, false, &p->nenv },
		{ "sha256", SLOT_BIN, &p->sha256, false, &p->sha256_len },
		{ "oci_image", SLOT_STR, &p->oci_image, false, NULL },
		{ "runtime", SLOT_STR, &p->runtime, false, NULL },
	};

	memset(p, 0, sizeof *p);
	if (decode(data, len, slots, sizeof slots / sizeof slots[0]) == -1) {
		plugin_free(p);
		return -1;
	}
	return 0;
}

void
plugin_free(struct plugin *p)
{
	free(p->type);
	free(p->name);
	free(p->version);
	free(p->command);
	strlist_free(p->args, p->nargs);
	strlist_free(p->env, p->nenv);
	free(p->sha256);
	free(p->oci_image);
	free(p->runtime);
	memset(p, 0, sizeof *p);
}
