/*
 * fuzz_from_header.c -- libFuzzer target for from_header_parse().
 *
 * Build:
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipolicy \
 *	    tests/fuzz/fuzz_from_header.c policy/from_header.c util/strbuf.c \
 *	    $(pkg-config --cflags --libs libidn2) -o fuzz_from_header
 *
 * Besides memory errors it checks the promises of from_header.h: on 0 at
 * least one domain, every domain unique, lowercase LDH without a trailing
 * dot and at most 253 octets; on -1 nothing added and a reason given.
 * The input is parsed twice into the same set, so the second call must
 * add no domain (dedup) and exactly as many mailboxes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "from_header.h"

static void
check_domain(const char *s)
{
	size_t	len = strlen(s), i;

	if (len == 0 || len > 253 || s[len - 1] == '.' || s[0] == '.')
		abort();
	for (i = 0; i < len; i++) {
		char	c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		      || c == '-' || c == '.'))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_domains d = { 0 };
	char	err[64];
	size_t	i, j, n1, naddr1;
	int	rc;

	rc = from_header_parse((const char *)data, size, &d, err, sizeof(err));
	if (rc == 0) {
		if (d.n == 0 || d.naddr < d.n || err[0] != '\0')
			abort();
	} else if (rc != -1 || d.n != 0 || d.naddr != 0 || err[0] == '\0') {
		abort();
	}
	for (i = 0; i < d.n; i++) {
		check_domain(d.domain[i]);
		for (j = 0; j < i; j++)
			if (strcmp(d.domain[i], d.domain[j]) == 0)
				abort();
	}
	n1 = d.n;
	naddr1 = d.naddr;
	if (rc == 0) {
		if (from_header_parse((const char *)data, size, &d, err, sizeof(err)) != 0
		    || d.n != n1 || d.naddr != 2 * naddr1)
			abort();
	}
	from_domains_free(&d);
	return 0;
}
