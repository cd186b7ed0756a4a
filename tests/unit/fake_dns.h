/*
 * fake_dns.h -- a table-driven stand-in for dns_lookup_txt() in unit tests.
 *
 * SYNOPSIS
 *	static const fake_rr table[] = {
 *		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
 *		{NULL, 0, {NULL}}
 *	};
 *	fake_dns f = { .table = table };
 *	fake_lookup(&f, name, &txt);		the dns_txt_fn
 *	assert_queries(&f, (const char *[]){"_dmarc.example.com", NULL});
 *
 * DESCRIPTION
 *	Names not in the table do not exist (NXDOMAIN), unless the table has
 *	a "*" entry, which answers every name not listed before it. Every
 *	query is recorded so a test can assert the exact sequence asked.
 *	Answers are allocated as dns.c allocates them: dns_txt_free() frees them.
 */
#ifndef DMARCTLS_FAKE_DNS_H
#define DMARCTLS_FAKE_DNS_H

#include <stddef.h>

#include "dmarc_discovery.h"
#include "dns.h"

#define FAKE_MAX_TXT	4
#define FAKE_MAX_LOG	128

typedef struct fake_rr {
	const char	*name;
	dns_status	status;
	const char	*txt[FAKE_MAX_TXT];	/* NULL-terminated */
} fake_rr;

typedef struct fake_dns {
	const fake_rr	*table;		/* ends with a NULL name */
	size_t		nq;
	char		q[FAKE_MAX_LOG][DMARC_QNAME_MAX + 1];
} fake_dns;

void	fake_lookup(void *ctx, const char *name, dns_txt *out);
void	assert_queries(const fake_dns *f, const char *const *want);

#endif
