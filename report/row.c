/*
 * row.c -- build report rows from a verdict (see row.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "failure_due.h"
#include "row.h"
#include "strbuf.h"

static const char *const col_names[REPORT_NCOLS] = {
	"reporter", "msg_id", "author_index", "received", "day",
	"source_ip", "header_from", "envelope_from", "envelope_to",
	"spf_domain", "spf_scope", "spf_result", "dkim",
	"policy_domain", "p", "sp", "np", "adkim", "aspf", "testing",
	"fo", "psd", "discovery", "dmarc_result", "disposition",
	"dkim_aligned", "spf_aligned", "reason", "reason_comment",
	"rua", "ruf", "policy_error",
};

static const char *const fcol_names[REPORT_NFCOLS] = {
	"kinds", "alignment", "authres", "dkim", "delivery", "headers",
};

const char *
report_col_name(size_t i)
{
	return i < REPORT_NCOLS ? col_names[i] : "?";
}

const char *
report_fcol_name(size_t i)
{
	return i < REPORT_NFCOLS ? fcol_names[i] : "?";
}

/*
 * A row's columns are built into one buffer and handed over as one
 * allocation (report_row.block): the offsets are kept while it grows,
 * and each column's end gets its NUL at the end.
 */
typedef struct row_arena {
	strbuf	sb;
	size_t	off[REPORT_NCOLS + REPORT_NFCOLS];
	size_t	end[REPORT_NCOLS + REPORT_NFCOLS];
	size_t	n;		/* columns begun */
} row_arena;

#define FCOL(k)	(REPORT_NCOLS + (k))	/* arena index of failure column k */

static void
col_begin(row_arena *a, size_t k)
{
	a->off[k] = a->sb.len;
	if (k + 1 > a->n)
		a->n = k + 1;
}

/* the column ends here; the byte after it becomes its NUL */
static void
col_end(row_arena *a, size_t k)
{
	a->end[k] = a->sb.len;
	strbuf_appendc(&a->sb, '.');
}

/* A value that may go anywhere: control bytes (tabs, line ends) blanked. */
static void
put_clean(row_arena *a, size_t k, const char *s)
{
	size_t	i;

	col_begin(a, k);
	strbuf_append(&a->sb, s != NULL ? s : "");
	for (i = a->off[k]; !a->sb.failed && i < a->sb.len; i++)
		if ((unsigned char)a->sb.s[i] < ' ' || a->sb.s[i] == 0x7f)
			a->sb.s[i] = ' ';
	col_end(a, k);
}

static void
put_num(row_arena *a, size_t k, long long n)
{
	char	buf[24], *p = buf + sizeof(buf);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (n < 0)
		*--p = '-';
	put_clean(a, k, p);
}

/* The row from the arena: columns 0 .. a->n - 1 point into one block. */
static int
arena_finish(row_arena *a, report_row *r)
{
	char	*block;
	size_t	k;

	if (a->sb.failed || (block = strbuf_detach(&a->sb)) == NULL) {
		strbuf_free(&a->sb);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->block = block;
	for (k = 0; k < a->n; k++) {
		block[a->end[k]] = '\0';
		if (k < REPORT_NCOLS)
			r->col[k] = block + a->off[k];
		else
			r->fcol[k - REPORT_NCOLS] = block + a->off[k];
	}
	return 0;
}

static const char *
policy_word(dmarc_policy p)
{
	return p == DMARC_POLICY_UNSET ? "" : dmarc_policy_name(p);
}

/* 0 strict, 1 relaxed, 2 unaligned pass, 3 not a pass (RFC 9990 3.1.3) */
static int
dkim_rank(const dkim_sig_result *s, const char *from, const char *org)
{
	size_t	ld = strlen(s->d), lo;

	if (s->result != DKIM_RES_PASS)
		return 3;
	if (strcasecmp(s->d, from) == 0)
		return 0;
	if (org != NULL && (lo = strlen(org)) > 0 && (strcasecmp(s->d, org) == 0
	    || (ld > lo && s->d[ld - lo - 1] == '.' && strcasecmp(s->d + ld - lo, org) == 0)))
		return 1;
	return 2;
}

static void
dkim_field(strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_appendc(sb, (unsigned char)*s < ' ' || *s == 0x7f ? ' ' : *s);
}

/* One signature as a line of the list: d, s, [i,] result, human_result. */
static void
dkim_line(strbuf *sb, size_t start, const dkim_sig_result *s, int with_identity)
{
	if (sb->len > start)
		strbuf_appendc(sb, '\n');
	dkim_field(sb, s->d);
	strbuf_appendc(sb, '\t');
	dkim_field(sb, s->s);
	if (with_identity) {
		strbuf_appendc(sb, '\t');
		dkim_field(sb, s->i);
	}
	strbuf_appendc(sb, '\t');
	strbuf_append(sb, dkim_res_name(s->result));
	strbuf_appendc(sb, '\t');
	dkim_field(sb, s->reason);
}

static void
put_dkim_list(row_arena *a, size_t k, const dt_verdict *v, const char *from, const char *org)
{
	int	rank;
	size_t	i;

	col_begin(a, k);
	for (rank = 0; rank <= 3; rank++) {
		for (i = 0; i < v->ndkim; i++) {
			const dkim_sig_result *s = &v->dkim[i];

			if (dkim_rank(s, from, org) != rank)
				continue;
			dkim_line(&a->sb, a->off[k], s, 0);
		}
	}
	col_end(a, k);
}

static void
put_uri_list(row_arena *a, size_t k, char *const *uri, size_t n)
{
	size_t	i;

	col_begin(a, k);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_appendc(&a->sb, ',');
		dkim_field(&a->sb, uri[i]);
	}
	col_end(a, k);
}

static void
put_fo(row_arena *a, size_t k, unsigned fo)
{
	char	buf[16] = "";

	if (fo & DMARC_FO_0)
		strcat(buf, "0");
	if (fo & DMARC_FO_1)
		strcat(buf, buf[0] ? ":1" : "1");
	if (fo & DMARC_FO_D)
		strcat(buf, buf[0] ? ":d" : "d");
	if (fo & DMARC_FO_S)
		strcat(buf, buf[0] ? ":s" : "s");
	put_clean(a, k, buf);
}

/* RFC 9990 3.1.1.9: none, pass (no action, DMARC pass under an enforcing
 * policy), quarantine, reject -- what was applied to this message. */
static const char *
disposition(const dt_verdict *v, const dmarc_outcome *o)
{
	if (o->result == DMARC_RES_PASS)
		return o->policy == DMARC_POLICY_QUARANTINE || o->policy == DMARC_POLICY_REJECT
		    ? "pass" : "none";
	if (o->result != DMARC_RES_FAIL || v->action == ACTION_ACCEPT)
		return "none";
	if (o->disposition == DMARC_POLICY_REJECT && v->action == ACTION_REJECT)
		return "reject";
	if (o->disposition == DMARC_POLICY_QUARANTINE
	    || (o->disposition == DMARC_POLICY_REJECT && v->action == ACTION_QUARANTINE))
		return "quarantine";
	return "none";
}

/* The override reason, when the applied disposition is not the policy. */
static void
reason(const dt_verdict *v, const dmarc_outcome *o, const char **type,
    const char **comment)
{
	*type = "";
	*comment = "";
	if (o->result != DMARC_RES_FAIL)
		return;
	if (o->disposition != DMARC_POLICY_NONE && v->action == ACTION_ACCEPT
	    && v->policy_action != ACTION_ACCEPT) {
		*type = "local_policy";
		*comment = "DryRun";
	} else if (o->disposition == DMARC_POLICY_REJECT && v->action != ACTION_REJECT) {
		*type = "local_policy";
		*comment = "RejectFailures off";
	} else if (o->lowered) {
		*type = "policy_test_mode";
	}
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t	len, k;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f)
	    || (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;	/* overlong, surrogate, beyond U+10FFFF */
	return len;
}

/* The header section kept: LF line ends, tabs kept, other control bytes
 * and bytes that are not valid UTF-8 as '?'. */
static void
put_headers(row_arena *a, size_t col, const char *h)
{
	const unsigned char *p = (const unsigned char *)h;
	size_t	n = strlen(h), i = 0, k;
	strbuf	*sb = &a->sb;

	col_begin(a, col);
	while (i < n) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			i++;
		} else if (p[i] == '\n' || p[i] == '\t' || (p[i] >= ' ' && p[i] < 0x7f)) {
			strbuf_appendc(sb, (char)p[i++]);
		} else if ((k = utf8_len(p + i, n - i)) > 0) {
			strbuf_appendn(sb, h + i, k);
			i += k;
		} else {
			strbuf_appendc(sb, '?');
			i++;
		}
	}
	col_end(a, col);
}

/* Every signature for the failure sample: d, s, i, result, reason. */
static void
put_dkim_detail(row_arena *a, size_t col, const dt_verdict *v)
{
	size_t	k;

	col_begin(a, col);
	for (k = 0; k < v->ndkim; k++)
		dkim_line(&a->sb, a->off[col], &v->dkim[k], 1);
	col_end(a, col);
}

static void
put_kinds(row_arena *a, size_t k, unsigned kinds)
{
	char	buf[32] = "";

	if (kinds & FR_DMARC)
		strcat(buf, "dmarc");
	if (kinds & FR_DKIM)
		strcat(buf, buf[0] ? ",dkim" : "dkim");
	if (kinds & FR_SPF)
		strcat(buf, buf[0] ? ",spf" : "spf");
	put_clean(a, k, buf);
}

/* The failure sample of author domain i, when one is due. */
static void
add_failure(row_arena *a, const dt_verdict *v, const report_msg *m, size_t i)
{
	char	align[32];
	unsigned kinds;

	if (m->headers == NULL || v->action == ACTION_TEMPFAIL
	    || (kinds = failure_due(v, i, align, sizeof(align))) == 0)
		return;
	put_kinds(a, FCOL(FC_KINDS), kinds);
	put_clean(a, FCOL(FC_ALIGNMENT), align);
	put_clean(a, FCOL(FC_AUTHRES), v->authres);
	put_dkim_detail(a, FCOL(FC_DKIM), v);
	put_clean(a, FCOL(FC_DELIVERY), v->action == ACTION_REJECT ? "reject"
	    : v->action == ACTION_QUARANTINE ? "spam" : "delivered");
	put_headers(a, FCOL(FC_HEADERS), m->headers);
}

static int
build_one(const dt_verdict *v, const report_msg *m, size_t i, report_row *r)
{
	const dmarc_outcome *o = &v->dmarc[i];
	const char *from = v->author[i] != NULL ? v->author[i] : "";
	const char *rt, *rc;
	time_t	day = m->received - m->received % 86400;
	int	rec = o->have_record;
	row_arena a;

	memset(&a, 0, sizeof(a));
	strbuf_reserve(&a.sb, 1024);	/* most rows: one allocation */
	reason(v, o, &rt, &rc);
	put_clean(&a, RC_REPORTER, m->reporter);
	put_clean(&a, RC_MSG_ID, m->msg_id);
	put_num(&a, RC_AUTHOR_INDEX, (long long)i);
	put_num(&a, RC_RECEIVED, (long long)m->received);
	put_num(&a, RC_DAY, (long long)day);
	put_clean(&a, RC_SOURCE_IP, v->ip);
	put_clean(&a, RC_HEADER_FROM, from);
	put_clean(&a, RC_ENVELOPE_FROM, v->spf.null_sender ? "" : v->spf.domain);
	put_clean(&a, RC_ENVELOPE_TO, m->envelope_to);
	/* RFC 9990 3.1.1.13: scope mfrom only; the HELO identity counts when
	 * MAIL FROM was null, and is then reported as the SPF domain. */
	put_clean(&a, RC_SPF_DOMAIN, v->spf.null_sender ? v->spf.helo_domain : v->spf.domain);
	put_clean(&a, RC_SPF_SCOPE, "mfrom");
	put_clean(&a, RC_SPF_RESULT, spf_res_name(v->spf.null_sender ? v->spf.helo
	    : v->spf.mailfrom));
	put_dkim_list(&a, RC_DKIM, v, from, o->org_domain);
	put_clean(&a, RC_POLICY_DOMAIN, rec ? o->policy_domain : "");
	put_clean(&a, RC_P, rec ? policy_word(o->p) : "");
	put_clean(&a, RC_SP, rec ? policy_word(o->sp) : "");
	put_clean(&a, RC_NP, rec ? policy_word(o->np) : "");
	put_clean(&a, RC_ADKIM, !rec ? "" : o->adkim == DMARC_ALIGN_STRICT ? "s" : "r");
	put_clean(&a, RC_ASPF, !rec ? "" : o->aspf == DMARC_ALIGN_STRICT ? "s" : "r");
	put_clean(&a, RC_TESTING, !rec ? "" : o->testing ? "y" : "n");
	put_fo(&a, RC_FO, rec ? o->fo : 0);
	put_clean(&a, RC_PSD, !rec ? "" : o->psd == DMARC_PSD_Y ? "y"
	    : o->psd == DMARC_PSD_N ? "n" : "u");
	put_clean(&a, RC_DISCOVERY, o->discovery);
	put_clean(&a, RC_DMARC_RESULT, dmarc_res_name(o->result));
	put_clean(&a, RC_DISPOSITION, disposition(v, o));
	put_clean(&a, RC_DKIM_ALIGNED, o->dkim_aligned ? "pass" : "fail");
	put_clean(&a, RC_SPF_ALIGNED, o->spf_aligned ? "pass" : "fail");
	put_clean(&a, RC_REASON, rt);
	put_clean(&a, RC_REASON_COMMENT, rc);
	put_uri_list(&a, RC_RUA, o->rua, o->nrua);
	put_uri_list(&a, RC_RUF, o->ruf, o->nruf);
	put_clean(&a, RC_POLICY_ERROR, o->policy_domain != NULL && !rec ? o->reason : "");
	add_failure(&a, v, m, i);
	return arena_finish(&a, r);
}

size_t
report_rows_from_verdict(const dt_verdict *v, const report_msg *m,
    report_row *rows, size_t max)
{
	size_t	i, n = 0;

	for (i = 0; i < v->nauthors && n < max; i++)
		if (build_one(v, m, i, &rows[n]) == 0)
			n++;
	return n;
}

void
report_row_free(report_row *r)
{
	size_t	k;

	if (r->block != NULL) {
		free(r->block);
		memset(r, 0, sizeof(*r));
		return;
	}
	for (k = 0; k < REPORT_NCOLS; k++) {
		free(r->col[k]);
		r->col[k] = NULL;
	}
	for (k = 0; k < REPORT_NFCOLS; k++) {
		free(r->fcol[k]);
		r->fcol[k] = NULL;
	}
}
