/*
 * failures.c -- the failures command: its steps in order, and the sending (see failures.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "failure_run.h"
#include "mail.h"
#include "mta.h"

void
fr_num(char *buf, size_t size, long long v)
{
	snprintf(buf, size, "%lld", v);
}

void
fr_store_error(fr_run *r, const char *what, const char *err)
{
	fprintf(stderr, "dmarctls-reports: store: %s: %s\n", what, err);
	r->store_failed = 1;
}

int
fr_rows_take(void *arg, int ncols, const char *const *v)
{
	fr_rows	*r = arg;
	char	**nv;
	size_t	k;

	if ((size_t)ncols != r->ncols)
		return r->failed = 1;
	if (r->max > 0 && r->n >= r->max)
		return 1;
	if ((nv = realloc(r->v, (r->n + 1) * r->ncols * sizeof(*nv))) == NULL)
		return r->failed = 1;
	r->v = nv;
	for (k = 0; k < r->ncols; k++)
		if ((FR_CELL(r, r->n, k) = strdup(v[k])) == NULL) {
			while (k > 0)
				free(FR_CELL(r, r->n, --k));
			return r->failed = 1;
		}
	r->n++;
	return 0;
}

void
fr_rows_free(fr_rows *r)
{
	size_t	i;

	for (i = 0; i < r->n * r->ncols; i++)
		free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* Move report id from one of states to "to" (a send attempt counts when it
 * is "sending"); 1 ours, 0 someone else's. */
static int
claim(fr_run *r, const char *id, const char *states, const char *to)
{
	char	now[32], stale[32], err[512], sql[512];
	const char *p[5] = { id, r->x->host, now, stale, to };
	long long n;

	fr_num(now, sizeof(now), (long long)r->x->now);
	fr_num(stale, sizeof(stale), (long long)r->x->now - REPORT_CLAIM_STALE);
	snprintf(sql, sizeof(sql), "UPDATE failure_report SET state = $5, claimed_by = $2,"
	    " claimed_at = $3, attempts = attempts + CASE WHEN $5 = 'sending' THEN 1 ELSE 0 END"
	    " WHERE report_id = $1 AND (state IN (%s)"
	    " OR (state = $5 AND claimed_at < $4))", states);
	if ((n = report_store_exec(r->x->store, sql, 5, p, err, sizeof(err))) < 0) {
		fr_store_error(r, "claiming a failure report", err);
		return 0;
	}
	return n == 1;
}

/* Step 2: every report waiting for verification (or left building by a run that died). */
static void
build_all(fr_run *r)
{
	fr_rows	v = { .ncols = 4 };
	char	err[512], stale[32];
	const char *p[1] = { stale };
	size_t	i;

	fr_num(stale, sizeof(stale), (long long)r->x->now - REPORT_CLAIM_STALE);
	if (report_store_query(r->x->store, "SELECT report_id, destination, policy_domain,"
	    " created FROM failure_report WHERE state = 'verify' OR (state = 'building'"
	    " AND claimed_at < $1) ORDER BY created, report_id", 1, p, fr_rows_take, &v,
	    err, sizeof(err)) < 0 || v.failed) {
		fr_store_error(r, "listing failure reports", v.failed ? "out of memory" : err);
		fr_rows_free(&v);
		return;
	}
	for (i = 0; i < v.n && !r->store_failed; i++)
		if (claim(r, FR_CELL(&v, i, 0), "'verify'", "building"))
			fr_build(r, FR_CELL(&v, i, 0), FR_CELL(&v, i, 1), FR_CELL(&v, i, 2),
			    atoll(FR_CELL(&v, i, 3)));
	fr_rows_free(&v);
}

static void
mark(fr_run *r, const char *id, const char *state, const char *why)
{
	char	err[512], now[32];
	const char *p[4] = { id, state, why, now };

	fr_num(now, sizeof(now), (long long)r->x->now);
	if (report_store_exec(r->x->store, "UPDATE failure_report SET state = $2,"
	    " last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN CAST($4 AS BIGINT)"
	    " ELSE sent_at END WHERE report_id = $1", 4, p, err, sizeof(err)) < 0)
		fr_store_error(r, "marking a failure report", err);
}

/* Step 3 for one claimed report: mail = message, created. */
static void
deliver(fr_run *r, const char *id, const char *mail, long long created)
{
	char	err[512];

	if (r->o->out_dir != NULL) {
		if (report_write_eml(r->o->out_dir, id, mail) < 0)
			r->out_failed = 1;
		mark(r, id, "pending", "");
	} else if (report_mta_send(r->x->cfg->report_sendmail, r->x->cfg->report_from, mail,
	    strlen(mail), err, sizeof(err)) == 0) {
		r->st.sent++;
		mark(r, id, "sent", "");
	} else {
		fprintf(stderr, "dmarctls-reports: failure report %s: %s\n", id, err);
		r->st.failed++;
		mark(r, id, created < (long long)r->x->now - FAILURE_MAX_AGE ? "expired" : "failed",
		    err);
	}
}

/* Step 3: send what is pending or failed (or left sending by a run that died). */
static void
send_all(fr_run *r)
{
	fr_rows	v = { .ncols = 3 };
	char	err[512], stale[32];
	const char *p[1] = { stale };
	size_t	i;

	fr_num(stale, sizeof(stale), (long long)r->x->now - REPORT_CLAIM_STALE);
	if (report_store_query(r->x->store, "SELECT report_id, message, created FROM"
	    " failure_report WHERE state IN ('pending', 'failed') OR (state = 'sending'"
	    " AND claimed_at < $1) ORDER BY created, report_id", 1, p, fr_rows_take, &v,
	    err, sizeof(err)) < 0 || v.failed) {
		fr_store_error(r, "listing failure reports", v.failed ? "out of memory" : err);
		fr_rows_free(&v);
		return;
	}
	for (i = 0; i < v.n && !r->store_failed && !r->out_failed; i++)
		if (claim(r, FR_CELL(&v, i, 0), "'pending', 'failed'", "sending"))
			deliver(r, FR_CELL(&v, i, 0), FR_CELL(&v, i, 1), atoll(FR_CELL(&v, i, 2)));
	fr_rows_free(&v);
}

static int
print_line(void *arg, int ncols, const char *const *v)
{
	int	k;

	(void)arg;
	for (k = 0; k < ncols; k++)
		printf("%s%s", k ? " " : "", v[k][0] ? v[k] : "-");
	putchar('\n');
	return 0;
}

/* --dry-run: what a run would take and send; nothing changes. */
static int
dry_run(fr_run *r)
{
	char	err[512];

	if (report_store_query(r->x->store, "SELECT 'sample', f.msg_id, e.policy_domain,"
	    " e.source_ip, f.kinds, e.ruf FROM failure f JOIN evaluation e ON e.reporter ="
	    " f.reporter AND e.msg_id = f.msg_id AND e.received = f.received AND"
	    " e.author_index = f.author_index WHERE f.state = 'new' ORDER BY f.received", 0, NULL,
	    print_line, NULL, err, sizeof(err)) < 0
	    || report_store_query(r->x->store, "SELECT 'report', report_id, state, policy_domain,"
	    " source_ip, kinds, destination FROM failure_report WHERE state IN ('verify',"
	    " 'pending', 'failed') ORDER BY created, report_id", 0, NULL, print_line, NULL,
	    err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: store: %s\n", err);
		return EX_UNAVAILABLE;
	}
	return 0;
}

int
report_failures(const report_ctx *x, const report_failure_opts *o, report_failure_stats *st)
{
	fr_run	r = { .x = x, .o = o };

	if (o->dry_run)
		return dry_run(&r);
	if (o->out_dir == NULL && x->cfg->report_from == NULL) {
		fprintf(stderr, "dmarctls-reports: ReportFrom is not set\n");
		return EX_CONFIG;
	}
	if (fr_take(&r) == 0) {
		build_all(&r);
		if (!r.store_failed)
			send_all(&r);
	}
	if (st != NULL)
		*st = r.st;
	if (r.store_failed)
		return EX_UNAVAILABLE;
	if (r.out_failed)
		return EX_CANTCREAT;
	return r.st.deferred || r.st.failed ? EX_TEMPFAIL : 0;
}
