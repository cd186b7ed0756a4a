/*
 * report_id.c -- make and check report identifiers (see report_id.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "report_id.h"

int
report_id_new(long long day, char *id, size_t size)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[16];
	struct tm tm;
	time_t	t = (time_t)day;
	size_t	i;

	if (size < REPORT_ID_LEN + 1 || gmtime_r(&t, &tm) == NULL
	    || getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	strftime(id, size, "%Y%m%d", &tm);
	for (i = 0; i < sizeof(rnd); i++)
		id[8 + i] = alpha[rnd[i] % 36];
	id[8 + sizeof(rnd)] = '\0';
	return 0;
}

int
report_id_valid(const char *id)
{
	size_t	i;

	for (i = 0; id[i]; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')))
			return 0;
	return i == REPORT_ID_LEN;
}
