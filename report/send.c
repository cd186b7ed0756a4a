/*
 * send.c -- the send command (see send.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "aggregate.h"
#include "dt_build.h"
#include "gzip.h"
#include "mail.h"
#include "mta.h"
#include "report_id.h"
#include "send.h"
#include "strbuf.h"
#include "xml.h"

#define DAY	86400

typedef struct send_run {
	const report_ctx *x;
	const report_send_opts *o;
	int		store_failed, out_failed;
	unsigned	sent, written, skipped, deferred, failed;	/* reports */
} send_run;

/* a list of strings from a one-column query */
typedef struct str_list {
	char	**v;
	size_t	n;
	int	failed;
} str_list;

static int
collect(void *arg, int ncols, const char *const *v)
{
	str_list *l = arg;
	char	**n;

	if (ncols < 1 || (n = realloc(l->v, (l->n + 1) * sizeof(*n))) == NULL)
		return l->failed = 1;
	l->v = n;
	if ((l->v[l->n] = strdup(v[0])) == NULL)
		return l->failed = 1;
	l->n++;
	return 0;
}

static void
str_list_free(str_list *l)
{
	while (l->n > 0)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

/* the report row of (domain, day, destination): id, state, message */
typedef struct report_row_db {
	char	*id, *state, *message, *filename;
} report_row_db;

static int
take_report(void *arg, int ncols, const char *const *v)
{
	report_row_db *r = arg;

	if (ncols != 4)
		return 1;
	r->id = strdup(v[0]);
	r->state = strdup(v[1]);
	r->message = strdup(v[2]);
	r->filename = strdup(v[3]);
	return 1;
}

static void
report_row_db_free(report_row_db *r)
{
	free(r->id);
	free(r->state);
	free(r->message);
	free(r->filename);
	memset(r, 0, sizeof(*r));
}

static void
num(char *buf, size_t size, long long v)
{
	snprintf(buf, size, "%lld", v);
}

/* Find or make the report of (domain, day, dest); its id is fixed once. */
static int
report_for(send_run *r, const char *domain, long long day, const char *dest,
    report_row_db *out, char *err, size_t errlen)
{
	char	id[REPORT_ID_LEN + 1], d[32], now[32];
	const char *ins[6] = { id, domain, d, dest, "pending", now };
	const char *sel[3] = { domain, d, dest };

	memset(out, 0, sizeof(*out));
	num(d, sizeof(d), day);
	num(now, sizeof(now), (long long)r->x->now);
	if (report_id_new(day, id, sizeof(id)) < 0) {
		snprintf(err, errlen, "no random bytes for a report id");
		return -1;
	}
	if (report_store_exec(r->x->store, "INSERT INTO report (report_id, policy_domain, day,"
	    " destination, state, created) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
	    6, ins, err, errlen) < 0
	    || report_store_query(r->x->store, "SELECT report_id, state, message, filename"
	    " FROM report WHERE policy_domain = $1 AND day = $2 AND destination = $3",
	    3, sel, take_report, out, err, errlen) < 0)
		return -1;
	if (out->id == NULL || out->state == NULL || out->message == NULL || out->filename == NULL) {
		report_row_db_free(out);
		snprintf(err, errlen, "report row of %s vanished", domain);
		return -1;
	}
	return 0;
}

/* Move the report to "sending" if nobody else holds it. 1 ours, 0 not. */
static int
claim(send_run *r, const char *id, char *err, size_t errlen)
{
	char	now[32], stale[32];
	const char *p[4] = { id, r->x->host, now, stale };
	long long n;

	num(now, sizeof(now), (long long)r->x->now);
	num(stale, sizeof(stale), (long long)r->x->now - REPORT_CLAIM_STALE);
	n = report_store_exec(r->x->store, "UPDATE report SET state = 'sending', claimed_by = $2,"
	    " claimed_at = $3, attempts = attempts + 1 WHERE report_id = $1 AND (state = 'pending'"
	    " OR state = 'failed' OR (state = 'sending' AND claimed_at < $4))", 4, p, err, errlen);
	return n < 0 ? -1 : n == 1;
}

/* Aggregate, XML, gzip, MIME: the mail of one report, stored with it. */
static char *
build(send_run *r, const char *domain, long long day, const report_dest *dest,
    const char *id, char **fname, char *err, size_t errlen)
{
	const dt_config *cfg = r->x->cfg;
	report_agg a;
	report_meta m;
	report_mail_in mi;
	char	*xml = NULL, *mail = NULL, filename[1024], gen[64], nrec[32], nmsg[32];
	unsigned char *gz = NULL;
	size_t	xlen = 0, gzlen = 0;

	if (report_aggregate(r->x->store, domain, day, &a, err, errlen) < 0)
		return NULL;
	snprintf(gen, sizeof(gen), "dmarctls %s", PACKAGE_VERSION);
	m.org_name = cfg->report_org_name ? cfg->report_org_name : r->x->receiver;
	m.email = cfg->report_contact ? cfg->report_contact : cfg->report_from;
	m.report_id = id;
	m.begin = day;
	m.end = day + DAY - 1;
	m.generator = gen;
	m.domain = domain;
	if (report_filename(r->x->receiver, domain, m.begin, m.end, id, filename,
	    sizeof(filename)) < 0) {
		snprintf(err, errlen, "filename too long");
		goto out;
	}
	if ((xml = report_xml(&m, &a, &xlen, err, errlen)) == NULL)
		goto out;
	if ((gz = report_gzip(xml, xlen, &gzlen)) == NULL) {
		snprintf(err, errlen, "gzip failed");
		goto out;
	}
	memset(&mi, 0, sizeof(mi));
	mi.from = cfg->report_from;
	mi.to = dest->addr;
	mi.domain = domain;
	mi.submitter = r->x->receiver;
	mi.report_id = id;
	mi.filename = filename;
	mi.begin = m.begin;
	mi.end = m.end;
	mi.records = (long long)a.nrec;
	mi.messages = a.messages;
	mi.gz = gz;
	mi.gzlen = gzlen;
	mi.now = r->x->now;
	if ((mail = report_mail(&mi, err, errlen)) == NULL)
		goto out;
	num(nrec, sizeof(nrec), (long long)a.nrec);
	num(nmsg, sizeof(nmsg), a.messages);
	{
		const char *p[6] = { id, mail, xml, filename, nrec, nmsg };

		if (report_store_exec(r->x->store, "UPDATE report SET message = $2, xml = $3,"
		    " filename = $4, records = $5, messages = $6 WHERE report_id = $1",
		    6, p, err, errlen) < 0) {
			free(mail);
			mail = NULL;
		}
	}
	if (mail != NULL)
		*fname = strdup(filename);
out:
	free(xml);
	free(gz);
	report_agg_free(&a);
	return mail;
}

static int
mark(send_run *r, const char *id, const char *state, const char *why)
{
	char	now[32], err[512];
	const char *p[4] = { id, state, now, why };

	num(now, sizeof(now), (long long)r->x->now);
	if (report_store_exec(r->x->store, "UPDATE report SET state = $2, sent_at = $3,"
	    " last_error = $4 WHERE report_id = $1", 4, p, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s: cannot mark %s: %s\n", id, state, err);
		r->store_failed = 1;
		return -1;
	}
	return 0;
}

static void
write_out(send_run *r, const char *id, const char *mail)
{
	if (report_write_eml(r->o->out_dir, id, mail) < 0)
		r->out_failed = 1;
	else
		r->written++;
}

/* One report: find or make it, claim it, build or reuse its mail, deliver. */
static void
one_report(send_run *r, const char *domain, long long day, const report_dest *dest)
{
	report_row_db rep;
	char	err[512], *mail = NULL, *fname = NULL;
	int	c;

	if (report_for(r, domain, day, dest->addr, &rep, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s: %s\n", domain, err);
		r->store_failed = 1;
		return;
	}
	if (strcmp(rep.state, "sent") == 0) {
		r->skipped++;
		goto out;
	}
	if (r->o->out_dir == NULL && (c = claim(r, rep.id, err, sizeof(err))) <= 0) {
		if (c < 0) {
			fprintf(stderr, "dmarctls-reports: %s: %s\n", rep.id, err);
			r->store_failed = 1;
		} else {
			r->skipped++;	/* another host has it */
		}
		goto out;
	}
	if (rep.message[0] != '\0') {
		mail = strdup(rep.message);	/* a retry: the same bytes */
	} else if ((mail = build(r, domain, day, dest, rep.id, &fname, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dmarctls-reports: %s %s: %s\n", domain, rep.id, err);
		if (r->o->out_dir == NULL)
			mark(r, rep.id, "failed", err);
		r->failed++;
		goto out;
	}
	if (mail == NULL) {
		r->failed++;
		goto out;
	}
	if (r->o->out_dir != NULL) {
		write_out(r, rep.id, mail);
	} else if (report_mta_send(r->x->cfg->report_sendmail, r->x->cfg->report_from, mail,
	    strlen(mail), err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s to %s: not sent: %s\n", rep.id, dest->addr, err);
		mark(r, rep.id, "failed", err);
		r->failed++;
	} else if (mark(r, rep.id, "sent", "") == 0) {
		printf("sent %s %s %s\n", rep.id, domain, dest->addr);
		r->sent++;
	}
out:
	free(mail);
	free(fname);
	report_row_db_free(&rep);
}

/* The rua of the last row of the day: the final configuration (3.3). */
static void
domain_day(send_run *r, const char *domain, long long day)
{
	report_agg a;
	report_dest dest[DMARC_RECORD_MAX_URIS];
	char	err[512], why[512];
	size_t	n, i, ignored;

	if (report_aggregate(r->x->store, domain, day, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s: %s\n", domain, err);
		r->store_failed = 1;
		return;
	}
	n = a.policy[RP_RUA] ? report_dest_parse(a.policy[RP_RUA], r->x->cfg->report_max_uris,
	    dest, &ignored) : 0;
	if (n == 0 || a.nrec == 0)
		goto out;
	if (ignored)
		fprintf(stderr, "dmarctls-reports: %s: %zu rua URIs ignored (not mailto:, malformed,"
		    " or over ReportMaxURIs)\n", domain, ignored);
	for (i = 0; i < n; i++) {
		switch (report_dest_verify(&r->x->chk, domain, &dest[i], why, sizeof(why))) {
		case DEST_REFUSED:
			fprintf(stderr, "dmarctls-reports: %s: %s refused: %s\n", domain,
			    dest[i].addr, why);
			continue;
		case DEST_DEFER:
			fprintf(stderr, "dmarctls-reports: %s: %s deferred: %s\n", domain,
			    dest[i].addr, why);
			r->deferred++;
			continue;
		case DEST_OK:
			break;
		}
		if (r->o->dry_run)
			printf("would send %s %lld %s records=%zu messages=%lld\n", domain, day,
			    dest[i].addr, a.nrec, a.messages);
		else
			one_report(r, domain, day, &dest[i]);
	}
out:
	report_agg_free(&a);
}

int
report_send(const report_ctx *x, const report_send_opts *o, report_send_stats *st)
{
	send_run r = { .x = x, .o = o };
	str_list days = { 0 }, doms = { 0 };
	char	err[512], today[32], dbuf[32];
	size_t	i, k;
	int	rc;

	if (!o->dry_run && o->out_dir == NULL && x->cfg->report_from == NULL) {
		fprintf(stderr, "dmarctls-reports: ReportFrom is not set\n");
		return EX_CONFIG;
	}
	num(today, sizeof(today), (long long)(x->now - x->now % DAY));
	if (o->day >= 0) {
		num(dbuf, sizeof(dbuf), o->day);
		rc = collect(&days, 1, (const char *const[]){ dbuf });
	} else {
		const char *p[1] = { today };

		rc = report_store_query(x->store, "SELECT DISTINCT day FROM evaluation WHERE day < $1"
		    " AND policy_domain <> '' AND rua <> '' ORDER BY day", 1, p, collect, &days,
		    err, sizeof(err));
	}
	if (rc < 0 || days.failed)
		goto store_error;
	for (i = 0; i < days.n; i++) {
		const char *p[2] = { days.v[i], o->domain ? o->domain : "" };

		if (report_store_query(x->store, "SELECT DISTINCT policy_domain FROM evaluation"
		    " WHERE day = $1 AND policy_domain <> '' AND rua <> ''"
		    " AND ($2 = '' OR policy_domain = $2) ORDER BY policy_domain", 2, p,
		    collect, &doms, err, sizeof(err)) < 0 || doms.failed)
			goto store_error;
		for (k = 0; k < doms.n; k++)
			domain_day(&r, doms.v[k], atoll(days.v[i]));
		str_list_free(&doms);
	}
	str_list_free(&days);
	if (st != NULL) {
		st->sent = r.sent;
		st->failed = r.failed;
		st->deferred = r.deferred;
		st->skipped = r.skipped;
	}
	if (r.store_failed)
		return EX_UNAVAILABLE;
	if (r.out_failed)
		return EX_CANTCREAT;
	return r.deferred || r.failed ? EX_TEMPFAIL : 0;
store_error:
	fprintf(stderr, "dmarctls-reports: store: %s\n", days.failed || doms.failed
	    ? "out of memory" : err);
	str_list_free(&days);
	str_list_free(&doms);
	return EX_UNAVAILABLE;
}
