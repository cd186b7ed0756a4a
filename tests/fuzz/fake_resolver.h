/*
 * fake_resolver.h -- the whole dns.h interface, answered from a text table.
 *
 * SYNOPSIS
 *	void fake_resolver_load(const char *text, size_t len);
 *	void fake_resolver_clear(void);
 *	(and every function of dns.h)
 *
 * DESCRIPTION
 *	Linked instead of util/dns.c (a program that defines these symbols
 *	never pulls dns.o out of libdtutil.a), so that the real SPF, DKIM and
 *	DMARC code above it runs on answers a test or a fuzzer chose. The
 *	table is one record a line:
 *
 *	    NAME TYPE STATUS [DATA]
 *
 *	TYPE is TXT, A, AAAA, MX or a number; STATUS is ok, secure, nodata,
 *	nx, fail or bogus. DATA is, for TXT, the text (cut into character-
 *	strings of 255 bytes); for A and AAAA an address; for MX
 *	"PREFERENCE HOST"; otherwise the bytes as they stand. Several lines
 *	with the same NAME and TYPE make an RRset. A name not in the table
 *	is NXDOMAIN. Lines that do not parse are ignored: the fuzzer writes
 *	them. Names compare without case and without a final dot.
 *
 *	Not thread-safe (one table per process); no time passes.
 */
#ifndef DMARCTLS_FAKE_RESOLVER_H
#define DMARCTLS_FAKE_RESOLVER_H

#include <stddef.h>

#include "dns.h"

#define FAKE_RESOLVER_MAX	64	/* records in the table */

void	fake_resolver_load(const char *text, size_t len);
void	fake_resolver_clear(void);

#endif
