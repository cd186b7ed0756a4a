/*
 * failure_take.c -- step 1 of the failures command: new samples into report rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "destination.h"
#include "failure_run.h"
#include "report_id.h"

/* columns of a taken sample */
enum { S_REPORTER, S_MSG_ID, S_RECEIVED, S_AUTHOR, S_KINDS, S_ALIGN, S_DOMAIN, S_IP, S_RUF,
	S_NCOLS };

#define SAMPLE_SQL "SELECT f.reporter, f.msg_id, f.received, f.author_index, f.kinds," \
	" f.alignment, e.policy_domain, e.source_ip, e.ruf FROM failure f JOIN evaluation e" \
	" ON e.reporter = f.reporter AND e.msg_id = f.msg_id AND e.received = f.received" \
	" AND e.author_index = f.author_index WHERE f.state = 'claimed' AND f.claimed_by = $1" \
	" ORDER BY f.received, f.msg_id, f.author_index"

#define REPORT_INSERT_SQL "INSERT INTO failure_report (report_id, destination," \
	" policy_domain, source_ip, kinds, incidents, state, created, reporter, msg_id," \
	" received, author_index) VALUES ($1, $2, $3, $4, $5, $6, 'verify', $7, $8, $9," \
	" $10, $11)"

/* Do samples i and j belong to one incident group (RFC 9991 section 8.1)? */
static int
same_group(const fr_rows *s, size_t i, size_t j)
{
	static const int cols[] = { S_DOMAIN, S_IP, S_KINDS, S_ALIGN };
	size_t	k;

	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		if (strcmp(FR_CELL(s, i, cols[k]), FR_CELL(s, j, cols[k])) != 0)
			return 0;
	return 1;
}

/* One report row per kind and destination for the group led by sample i. */
static int
group_reports(fr_run *r, const fr_rows *s, size_t i, long long incidents, char *err,
    size_t errlen)
{
	report_dest dest[DMARC_RECORD_MAX_URIS];
	char	id[REPORT_ID_LEN + 1], inc[32], now[32], kinds[64], *kind, *save;
	size_t	nd, ignored, d;
	long long day = (long long)(r->x->now - r->x->now % 86400);

	nd = report_dest_parse(FR_CELL(s, i, S_RUF), r->x->cfg->report_max_uris, dest, &ignored);
	fr_num(inc, sizeof(inc), incidents);
	fr_num(now, sizeof(now), (long long)r->x->now);
	snprintf(kinds, sizeof(kinds), "%s", FR_CELL(s, i, S_KINDS));
	for (kind = strtok_r(kinds, ",", &save); kind; kind = strtok_r(NULL, ",", &save)) {
		for (d = 0; d < nd; d++) {
			const char *p[11] = { id, dest[d].addr, FR_CELL(s, i, S_DOMAIN),
				FR_CELL(s, i, S_IP), kind, inc, now, FR_CELL(s, i, S_REPORTER),
				FR_CELL(s, i, S_MSG_ID), FR_CELL(s, i, S_RECEIVED),
				FR_CELL(s, i, S_AUTHOR) };

			if (report_id_new(day, id, sizeof(id)) < 0) {
				snprintf(err, errlen, "no random bytes for a report id");
				return -1;
			}
			if (report_store_exec(r->x->store, REPORT_INSERT_SQL, 11, p, err, errlen) < 0)
				return -1;
			r->st.made++;
		}
	}
	return 0;
}

/* Group the samples (in order of arrival) and mark each one done. */
static int
make_reports(fr_run *r, const fr_rows *s, char *err, size_t errlen)
{
	char	*used = calloc(s->n + 1, 1);
	size_t	i, j;
	long long n;
	int	rc = 0;

	if (used == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < s->n && rc == 0; i++) {
		if (used[i])
			continue;
		for (n = 0, j = i; j < s->n; j++)
			if (!used[j] && same_group(s, i, j) && (used[j] = 1))
				n++;
		rc = group_reports(r, s, i, n, err, errlen);
	}
	for (i = 0; i < s->n && rc == 0; i++) {
		const char *p[4] = { FR_CELL(s, i, S_REPORTER), FR_CELL(s, i, S_MSG_ID),
			FR_CELL(s, i, S_RECEIVED), FR_CELL(s, i, S_AUTHOR) };

		if (report_store_exec(r->x->store, "UPDATE failure SET state = 'done' WHERE"
		    " reporter = $1 AND msg_id = $2 AND received = $3 AND author_index = $4",
		    4, p, err, errlen) < 0)
			rc = -1;
	}
	free(used);
	return rc;
}

/* Step 1, in one transaction. 0, or -1 (store error, reported). */
int
fr_take(fr_run *r)
{
	fr_rows	s = { .ncols = S_NCOLS, .max = FAILURE_MAX_SAMPLES };
	char	err[512], now[32], old[32];
	const char *p[4] = { r->x->host, now, old, NULL };
	report_store *st = r->x->store;

	fr_num(now, sizeof(now), (long long)r->x->now);
	fr_num(old, sizeof(old), (long long)r->x->now - FAILURE_MAX_AGE);
	if (report_store_begin(st, err, sizeof(err)) < 0)
		goto fail;
	if (report_store_exec(st, "UPDATE failure SET state = 'stale' WHERE (state = 'new'"
	    " OR state = 'claimed') AND received < $1", 1, (const char *const[]){ old },
	    err, sizeof(err)) < 0
	    || report_store_exec(st, "UPDATE failure SET state = 'claimed', claimed_by = $1,"
	    " claimed_at = $2 WHERE state = 'new'", 2, p, err, sizeof(err)) < 0
	    || report_store_query(st, SAMPLE_SQL, 1, p, fr_rows_take, &s, err, sizeof(err)) < 0
	    || s.failed
	    || make_reports(r, &s, err, sizeof(err)) < 0
	    /* beyond FAILURE_MAX_SAMPLES: back for the next run */
	    || report_store_exec(st, "UPDATE failure SET state = 'new' WHERE state = 'claimed'"
	    " AND claimed_by = $1", 1, p, err, sizeof(err)) < 0
	    || report_store_commit(st, err, sizeof(err)) < 0) {
		report_store_rollback(st);
		goto fail;
	}
	r->st.samples += (unsigned)s.n;
	fr_rows_free(&s);
	return 0;
fail:
	fr_store_error(r, "taking failure samples", s.failed ? "out of memory" : err);
	fr_rows_free(&s);
	return -1;
}
