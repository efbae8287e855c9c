/*
 * check.h: the smallest table-test harness.  CHECK records a failure with
 * "got X, want Y" and carries on; check_done prints the closing line
 * "N passed, N failed" and gives the exit status automake expects.
 */
#ifndef CATALOGD_CHECK_H
#define CATALOGD_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {						\
	if (cond)							\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_STR(got, want, what) CHECK(strcmp((got), (want)) == 0,	\
	"%s: got \"%s\", want \"%s\"", (what), (got), (want))

static inline int
check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed == 0 && check_passed > 0 ? 0 : 1;
}

#endif
