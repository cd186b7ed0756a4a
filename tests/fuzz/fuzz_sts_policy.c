/*
 * fuzz_sts_policy.c -- libFuzzer target for the MTA-STS policy parser.
 *
 * Checks: no crash, no leak, no undefined behaviour, and that an accepted
 * policy can never carry anything into a Postfix reply that would break
 * it: every mx pattern and every line is printable ASCII without space
 *, comma or brace, mx patterns are sorted and
 * unique and valid, max_age is in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_policy.h"

static void
check_safe(const char *s, int allow_space)
{
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e || *s == ',' || *s == '{' || *s == '}') {
			if (*s == ' ' && allow_space)
				continue;
			abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sts_policy p;
	char	why[128];
	size_t	i;

	if (sts_policy_parse((const char *)data, size, &p, why, sizeof(why)) != 0) {
		if (p.mx != NULL || p.lines != NULL)
			abort();
		return 0;
	}
	if (p.max_age > STS_MAX_AGE_MAX || (p.mode != STS_MODE_NONE && p.nmx == 0)
	    || p.nlines != p.nmx + 3)
		abort();
	for (i = 0; i < p.nmx; i++) {
		check_safe(p.mx[i], 0);
		if (!sts_mx_pattern_valid(p.mx[i], strlen(p.mx[i])))
			abort();
		if (i > 0 && strcmp(p.mx[i - 1], p.mx[i]) >= 0)
			abort();
	}
	for (i = 0; i < p.nlines; i++)
		check_safe(p.lines[i], 1);
	sts_policy_free(&p);
	return 0;
}
