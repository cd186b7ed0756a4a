/*
 * aggregate.c -- GROUP BY the record tuple, in SQL both backends read alike (see aggregate.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"

static const char records_sql[] =
	"SELECT source_ip, header_from, envelope_from, envelope_to, spf_domain, spf_scope,"
	" spf_result, dkim, disposition, dkim_aligned, spf_aligned, reason, reason_comment,"
	" count(*) FROM evaluation WHERE policy_domain = $1 AND day = $2"
	" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 ORDER BY 14 DESC, 1, 2";

static const char policy_sql[] =
	"SELECT p, sp, np, adkim, aspf, testing, fo, discovery, rua, ruf, psd FROM evaluation"
	" WHERE policy_domain = $1 AND day = $2 ORDER BY received DESC, msg_id DESC LIMIT 1";

typedef struct agg_state {
	report_agg	*a;
	int		failed;
} agg_state;

static int
add_record(void *arg, int ncols, const char *const *v)
{
	agg_state *st = arg;
	report_agg *a = st->a;
	report_record *r;
	size_t	i;

	if (ncols != RA_NFIELDS + 1)
		return st->failed = 1;
	if (a->nrec == a->cap) {
		size_t	cap = a->cap ? a->cap * 2 : 64;
		report_record *n = realloc(a->rec, cap * sizeof(*n));

		if (n == NULL)
			return st->failed = 1;
		a->rec = n;
		a->cap = cap;
	}
	r = &a->rec[a->nrec];
	memset(r, 0, sizeof(*r));
	for (i = 0; i < RA_NFIELDS; i++)
		if ((r->f[i] = strdup(v[i])) == NULL)
			st->failed = 1;
	r->count = atoll(v[RA_NFIELDS]);
	a->messages += r->count;
	a->nrec++;
	return st->failed;
}

static int
set_policy(void *arg, int ncols, const char *const *v)
{
	agg_state *st = arg;
	size_t	i;

	if (ncols != RP_NFIELDS)
		return st->failed = 1;
	for (i = 0; i < RP_NFIELDS; i++)
		if ((st->a->policy[i] = strdup(v[i])) == NULL)
			st->failed = 1;
	return 1;
}

int
report_aggregate(report_store *s, const char *domain, long long day, report_agg *out,
    char *err, size_t errlen)
{
	char	dbuf[32];
	const char *p[2] = { domain, dbuf };
	agg_state st = { out, 0 };

	memset(out, 0, sizeof(*out));
	snprintf(dbuf, sizeof(dbuf), "%lld", day);
	if (report_store_query(s, policy_sql, 2, p, set_policy, &st, err, errlen) < 0
	    || report_store_query(s, records_sql, 2, p, add_record, &st, err, errlen) < 0)
		return -1;
	if (st.failed) {
		snprintf(err, errlen, "out of memory (or a malformed row) aggregating %s", domain);
		return -1;
	}
	return 0;
}

void
report_agg_free(report_agg *a)
{
	size_t	i, k;

	for (i = 0; i < RP_NFIELDS; i++)
		free(a->policy[i]);
	for (i = 0; i < a->nrec; i++)
		for (k = 0; k < RA_NFIELDS; k++)
			free(a->rec[i].f[k]);
	free(a->rec);
	memset(a, 0, sizeof(*a));
}
