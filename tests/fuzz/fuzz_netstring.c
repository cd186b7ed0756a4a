/*
 * fuzz_netstring.c -- libFuzzer target: a socketmap client's byte stream.
 *
 * The input is parsed as the server does (tlspolicy/socketmap.c): netstring
 * after netstring until one is incomplete or malformed. Every payload is
 * split into NAME and KEY and the key put through nexthop_key() and the
 * profile lookup, the code that sees the hostile bytes before any DNS.
 * Checks: the data lies inside the input, progress is made, a domain that
 * comes out is a lower-case host name of at most NEXTHOP_MAX bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netstring.h"
#include "nexthop_key.h"
#include "profile.h"

static void
request(const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len), *why;
	char	domain[NEXTHOP_MAX + 1];
	pd_profile prof;
	size_t	i, n;

	if (sp == NULL)
		return;
	(void)profile_by_name(p, (size_t)(sp - p), &prof);
	sp++;
	if (nexthop_key(sp, len - (size_t)(sp - p), domain, &why) < 0) {
		if (why == NULL)
			abort();
		return;
	}
	n = strlen(domain);
	if (n == 0 || n > NEXTHOP_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (!((domain[i] >= 'a' && domain[i] <= 'z') || (domain[i] >= '0' && domain[i] <= '9')
		      || domain[i] == '-' || domain[i] == '.'))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t	off, len, used, left = size;

	while (ns_parse(p, left, 10100, &off, &len, &used) == 1) {
		if (used == 0 || used > left || off + len > left)
			abort();
		request(p + off, len);
		p += used;
		left -= used;
	}
	return 0;
}
