/*
 * audit_ref.h: the old construction of audit entries (audit_ref.c), the
 * oracle for audit_test.c.
 */
#ifndef CATALOGD_AUDIT_REF_H
#define CATALOGD_AUDIT_REF_H

void	 ref_hmac(const char *, const char *, size_t, char[AUDIT_HMAC_LEN + 1]);
void	 ref_time(struct buf *, int64_t, long);
void	 ref_format(struct buf *, const struct audit_opts *, const char *,
	    const struct audit_in *);

#endif
