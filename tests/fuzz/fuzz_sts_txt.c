/*
 * fuzz_sts_txt.c -- libFuzzer target for the _mta-sts TXT record parser.
 *
 * The input is parsed as one record, then split at newlines into up to
 * four records for sts_txt_select(). Checks: no crash, no undefined
 * behaviour, and an accepted id is 1-32 letters and digits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_txt.h"

#define FUZZ_MAX_TXT	4

static void
check_id(const char *id)
{
	size_t	i, n = strlen(id);

	if (n == 0 || n > STS_ID_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')
		    || (id[i] >= '0' && id[i] <= '9')))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	id[STS_ID_MAX + 1], why[128];
	const char *rec[FUZZ_MAX_TXT];
	size_t	len[FUZZ_MAX_TXT], n = 0, start = 0, i;

	if (sts_txt_parse((const char *)data, size, id, why, sizeof(why)) == 0)
		check_id(id);
	for (i = 0; i <= size && n < FUZZ_MAX_TXT; i++) {
		if (i < size && data[i] != '\n')
			continue;
		rec[n] = (const char *)data + start;
		len[n++] = i - start;
		start = i + 1;
	}
	if (sts_txt_select(rec, len, n, id, why, sizeof(why)) == STS_TXT_OK)
		check_id(id);
	return 0;
}
