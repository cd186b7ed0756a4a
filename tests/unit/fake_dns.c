/*
 * fake_dns.c -- the unit tests' table-driven DNS (see fake_dns.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_dns.h"

void
fake_lookup(void *ctx, const char *name, dns_txt *out)
{
	fake_dns *f = ctx;
	const fake_rr *rr;
	size_t	i, n = 0;

	if (f->nq < FAKE_MAX_LOG)
		snprintf(f->q[f->nq], sizeof(f->q[0]), "%s", name);
	f->nq++;
	memset(out, 0, sizeof(*out));
	out->status = DNS_STATUS_NXDOMAIN;
	for (rr = f->table; rr != NULL && rr->name != NULL; rr++)
		if (strcasecmp(rr->name, name) == 0 || strcmp(rr->name, "*") == 0)
			break;
	if (rr == NULL || rr->name == NULL)
		return;
	out->status = rr->status;
	while (n < FAKE_MAX_TXT && rr->txt[n] != NULL)
		n++;
	if (n == 0)
		return;
	out->txt = calloc(n, sizeof(char *));
	out->len = calloc(n, sizeof(size_t));
	assert_non_null(out->txt);
	assert_non_null(out->len);
	for (i = 0; i < n; i++) {
		out->txt[i] = strdup(rr->txt[i]);
		assert_non_null(out->txt[i]);
		out->len[i] = strlen(rr->txt[i]);
	}
	out->n = n;
}

void
assert_queries(const fake_dns *f, const char *const *want)
{
	size_t	n = 0, i;

	while (want[n] != NULL)
		n++;
	if (f->nq != n)
		for (i = 0; i < f->nq && i < FAKE_MAX_LOG; i++)
			print_message("query %zu: %s\n", i, f->q[i]);
	assert_int_equal(f->nq, n);
	for (n = 0; want[n] != NULL; n++)
		assert_string_equal(f->q[n], want[n]);
}
