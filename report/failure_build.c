/*
 * failure_build.c -- step 2 of the failures command: verify, rate-limit, build the mail.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "afrf.h"
#include "destination.h"
#include "dt_build.h"
#include "failure_run.h"
#include "redact.h"

/* the sample a report shows, with its evaluation row */
enum { B_FROM, B_IP, B_QID, B_RECEIVED, B_AUTHRES, B_ALIGN, B_DKIM, B_DELIVERY, B_HEADERS,
	B_SPF_DOMAIN, B_KIND, B_INCIDENTS, B_NCOLS };

#define BUILD_SQL "SELECT e.header_from, e.source_ip, e.msg_id, e.received, f.authres," \
	" f.alignment, f.dkim, f.delivery, f.headers, e.spf_domain, r.kinds, r.incidents" \
	" FROM failure_report r JOIN failure f ON f.reporter = r.reporter" \
	" AND f.msg_id = r.msg_id AND f.received = r.received AND f.author_index = r.author_index" \
	" JOIN evaluation e ON e.reporter = f.reporter AND e.msg_id = f.msg_id" \
	" AND e.received = f.received AND e.author_index = f.author_index" \
	" WHERE r.report_id = $1"

#define COUNTED	"state IN ('pending', 'sending', 'sent', 'failed')"

static void
set_state(fr_run *r, const char *id, const char *state, const char *why)
{
	char	err[512];
	const char *p[3] = { id, state, why != NULL ? why : "" };

	if (report_store_exec(r->x->store, "UPDATE failure_report SET state = $2,"
	    " last_error = $3 WHERE report_id = $1", 3, p, err, sizeof(err)) < 0)
		fr_store_error(r, "updating a failure report", err);
}

static int
take_count(void *arg, int ncols, const char *const *v)
{
	*(long long *)arg = ncols > 0 ? atoll(v[0]) : 0;
	return 1;
}

/* Over FailureReportRate for dest, or FailureReportRateTotal? 1 yes, -1 error */
static int
over_rate(fr_run *r, const char *dest)
{
	char	since[32], err[512];
	const char *p[2] = { since, dest };
	long long n_dest = 0, n_all = 0;

	fr_num(since, sizeof(since), (long long)r->x->now - 3600);
	if (report_store_query(r->x->store, "SELECT count(*) FROM failure_report WHERE created"
	    " >= $1 AND destination = $2 AND " COUNTED, 2, p, take_count, &n_dest,
	    err, sizeof(err)) < 0
	    || report_store_query(r->x->store, "SELECT count(*) FROM failure_report WHERE"
	    " created >= $1 AND " COUNTED, 1, p, take_count, &n_all, err, sizeof(err)) < 0) {
		fr_store_error(r, "counting failure reports", err);
		return -1;
	}
	return n_dest >= r->x->cfg->failure_rate || n_all >= r->x->cfg->failure_rate_total;
}

/* The v=spf1 record of domain (one line of printable ASCII, no quotes), or NULL. */
static char *
spf_record(fr_run *r, const char *domain)
{
	dns_txt	t;
	char	*out = NULL, *q;
	size_t	i;

	if (domain[0] == '\0' || !dns_name_valid(domain))
		return NULL;
	memset(&t, 0, sizeof(t));
	r->x->chk.lookup(r->x->chk.lookup_ctx, domain, &t);
	for (i = 0; i < t.n && out == NULL; i++)
		if (strlen(t.txt[i]) == t.len[i] && strncasecmp(t.txt[i], "v=spf1", 6) == 0
		    && (t.txt[i][6] == ' ' || t.txt[i][6] == '\0') && t.len[i] <= 4096)
			out = strdup(t.txt[i]);
	dns_txt_free(&t);
	for (q = out; q != NULL && *q; q++)
		if (!isprint((unsigned char)*q) || *q == '"' || *q == '\\')
			*q = '?';
	return out;
}

static int
take_secret(void *arg, int ncols, const char *const *v)
{
	char	**out = arg;

	if (ncols > 0 && *out == NULL)
		*out = strdup(v[0]);
	return 1;
}

/* The store's redaction key, made once (redact.h); NULL on failure. */
static char *
redact_key(fr_run *r)
{
	unsigned char rnd[32];
	char	hex[65], err[512], *key = NULL;
	const char *p[1] = { hex };
	size_t	i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return NULL;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (report_store_exec(r->x->store, "INSERT INTO dt_secret (name, value) VALUES"
	    " ('redact', $1) ON CONFLICT DO NOTHING", 1, p, err, sizeof(err)) < 0
	    || report_store_query(r->x->store, "SELECT value FROM dt_secret WHERE name = 'redact'",
	    0, NULL, take_secret, &key, err, sizeof(err)) < 0) {
		fr_store_error(r, "reading the redaction key", err);
		free(key);
		return NULL;
	}
	return key;
}

/* The mail of report id to dest from its sample b (one row of BUILD_SQL). */
static char *
mail_of(fr_run *r, const char *id, const char *dest, const fr_rows *b, char *err,
    size_t errlen)
{
	const dt_config *cfg = r->x->cfg;
	afrf_in	in;
	char	ua[64], *key = NULL, *hdrs = NULL, *spf = NULL, *mail = NULL;

	memset(&in, 0, sizeof(in));
	snprintf(ua, sizeof(ua), "dmarctls/%s", PACKAGE_VERSION);
	in.from = cfg->report_from != NULL ? cfg->report_from : "";
	in.to = dest;
	in.submitter = r->x->receiver;
	in.report_id = id;
	in.user_agent = ua;
	in.kind = FR_CELL(b, 0, B_KIND);
	in.header_from = FR_CELL(b, 0, B_FROM);
	in.source_ip = FR_CELL(b, 0, B_IP);
	in.qid = FR_CELL(b, 0, B_QID);
	in.received = (time_t)atoll(FR_CELL(b, 0, B_RECEIVED));
	in.authres = FR_CELL(b, 0, B_AUTHRES);
	in.alignment = FR_CELL(b, 0, B_ALIGN);
	in.dkim = FR_CELL(b, 0, B_DKIM);
	in.delivery = FR_CELL(b, 0, B_DELIVERY);
	in.spf_domain = FR_CELL(b, 0, B_SPF_DOMAIN);
	in.incidents = atoll(FR_CELL(b, 0, B_INCIDENTS));
	in.now = r->x->now;
	in.headers = FR_CELL(b, 0, B_HEADERS);
	if (cfg->failure_redact) {
		if ((key = redact_key(r)) == NULL
		    || (hdrs = failure_redact(in.headers, (unsigned char *)key, strlen(key))) == NULL) {
			snprintf(err, errlen, "cannot redact the header section");
			goto out;
		}
		in.headers = hdrs;
		in.redacted = 1;
	}
	if (strcmp(in.kind, "spf") == 0 || strstr(in.alignment, "spf") != NULL)
		in.spf_record = spf = spf_record(r, in.spf_domain);
	mail = afrf_mail(&in, err, errlen);
out:
	free(key);
	free(hdrs);
	free(spf);
	return mail;
}

/* Build and store the mail; the report becomes pending. */
static void
build_mail(fr_run *r, const char *id, const char *dest)
{
	fr_rows	b = { .ncols = B_NCOLS };
	char	err[512] = "", *mail = NULL;
	const char *p[2] = { id, NULL };

	if (report_store_query(r->x->store, BUILD_SQL, 1, p, fr_rows_take, &b, err,
	    sizeof(err)) < 0 || b.failed) {
		fr_store_error(r, "reading a failure sample", b.failed ? "out of memory" : err);
	} else if (b.n == 0) {
		set_state(r, id, "expired", "its sample is gone (expired)");
	} else if ((mail = mail_of(r, id, dest, &b, err, sizeof(err))) == NULL) {
		set_state(r, id, "verify", err);
		r->st.failed++;
	} else {
		p[1] = mail;
		if (report_store_exec(r->x->store, "UPDATE failure_report SET message = $2,"
		    " state = 'pending', last_error = '' WHERE report_id = $1", 2, p,
		    err, sizeof(err)) < 0)
			fr_store_error(r, "storing a failure report", err);
	}
	free(mail);
	fr_rows_free(&b);
}

/* Step 2 for one report row in state verify, claimed by this run. */
void
fr_build(fr_run *r, const char *id, const char *dest, const char *domain, long long created)
{
	report_dest d;
	char	why[512];
	const char *at = strrchr(dest, '@');
	dest_verdict v;
	int	over;

	memset(&d, 0, sizeof(d));
	snprintf(d.addr, sizeof(d.addr), "%s", dest);
	snprintf(d.host, sizeof(d.host), "%s", at != NULL ? at + 1 : "");
	v = report_dest_verify(&r->x->chk, domain, &d, why, sizeof(why));
	if (v == DEST_DEFER) {
		r->st.deferred++;
		set_state(r, id, created < (long long)r->x->now - FAILURE_MAX_AGE ? "expired"
		    : "verify", why);
		return;
	}
	if (v == DEST_REFUSED) {
		r->st.refused++;
		set_state(r, id, "refused", why);
		return;
	}
	if ((over = over_rate(r, d.addr)) != 0) {
		if (over > 0) {
			r->st.suppressed++;
			set_state(r, id, "suppressed", "rate limit");
		}
		return;
	}
	build_mail(r, id, d.addr);
}
