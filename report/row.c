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

/* A value that may go anywhere: control bytes (tabs, line ends) blanked. */
static char *
clean_dup(const char *s)
{
	char	*d, *p;

	if ((d = strdup(s != NULL ? s : "")) == NULL)
		return NULL;
	for (p = d; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return d;
}

static char *
num_dup(long long n)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%lld", n);
	return strdup(buf);
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
dkim_line(strbuf *sb, const dkim_sig_result *s, int with_identity)
{
	if (sb->len > 0)
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

static char *
dkim_list(const dt_verdict *v, const char *from, const char *org)
{
	strbuf	sb = STRBUF_INIT;
	int	rank;
	size_t	i;
	char	*out;

	for (rank = 0; rank <= 3; rank++) {
		for (i = 0; i < v->ndkim; i++) {
			const dkim_sig_result *s = &v->dkim[i];

			if (dkim_rank(s, from, org) != rank)
				continue;
			dkim_line(&sb, s, 0);
		}
	}
	out = strdup(sb.len ? strbuf_str(&sb) : "");
	strbuf_free(&sb);
	return out;
}

static char *
uri_list(char *const *uri, size_t n)
{
	strbuf	sb = STRBUF_INIT;
	size_t	i;
	char	*out;

	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_appendc(&sb, ',');
		dkim_field(&sb, uri[i]);
	}
	out = strdup(sb.len ? strbuf_str(&sb) : "");
	strbuf_free(&sb);
	return out;
}

static char *
fo_word(unsigned fo)
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
	return strdup(buf);
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
static char *
headers_dup(const char *h)
{
	const unsigned char *p = (const unsigned char *)h;
	size_t	n = strlen(h), i = 0, k;
	strbuf	sb = STRBUF_INIT;

	while (i < n) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			i++;
		} else if (p[i] == '\n' || p[i] == '\t' || (p[i] >= ' ' && p[i] < 0x7f)) {
			strbuf_appendc(&sb, (char)p[i++]);
		} else if ((k = utf8_len(p + i, n - i)) > 0) {
			strbuf_appendn(&sb, h + i, k);
			i += k;
		} else {
			strbuf_appendc(&sb, '?');
			i++;
		}
	}
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* Every signature for the failure sample: d, s, i, result, reason. */
static char *
dkim_detail(const dt_verdict *v)
{
	strbuf	sb = STRBUF_INIT;
	size_t	k;
	char	*out;

	for (k = 0; k < v->ndkim; k++)
		dkim_line(&sb, &v->dkim[k], 1);
	out = strdup(sb.len ? strbuf_str(&sb) : "");
	strbuf_free(&sb);
	return out;
}

static char *
kinds_word(unsigned kinds)
{
	char	buf[32] = "";

	if (kinds & FR_DMARC)
		strcat(buf, "dmarc");
	if (kinds & FR_DKIM)
		strcat(buf, buf[0] ? ",dkim" : "dkim");
	if (kinds & FR_SPF)
		strcat(buf, buf[0] ? ",spf" : "spf");
	return strdup(buf);
}

/* The failure sample of row r (author domain i), when one is due. */
static int
add_failure(const dt_verdict *v, const report_msg *m, size_t i, report_row *r)
{
	char	align[32];
	unsigned kinds;
	size_t	k;
	char	**f = r->fcol;

	if (m->headers == NULL || v->action == ACTION_TEMPFAIL
	    || (kinds = failure_due(v, i, align, sizeof(align))) == 0)
		return 0;
	f[FC_KINDS] = kinds_word(kinds);
	f[FC_ALIGNMENT] = strdup(align);
	f[FC_AUTHRES] = clean_dup(v->authres);
	f[FC_DKIM] = dkim_detail(v);
	f[FC_DELIVERY] = strdup(v->action == ACTION_REJECT ? "reject"
	    : v->action == ACTION_QUARANTINE ? "spam" : "delivered");
	f[FC_HEADERS] = headers_dup(m->headers);
	for (k = 0; k < REPORT_NFCOLS; k++)
		if (f[k] == NULL)
			return -1;
	return 0;
}

static int
build_one(const dt_verdict *v, const report_msg *m, size_t i, report_row *r)
{
	const dmarc_outcome *o = &v->dmarc[i];
	const char *from = v->author[i] != NULL ? v->author[i] : "";
	const char *rt, *rc;
	char	**c = r->col;
	size_t	k;
	time_t	day = m->received - m->received % 86400;

	memset(r, 0, sizeof(*r));
	reason(v, o, &rt, &rc);
	c[RC_REPORTER] = clean_dup(m->reporter);
	c[RC_MSG_ID] = clean_dup(m->msg_id);
	c[RC_AUTHOR_INDEX] = num_dup((long long)i);
	c[RC_RECEIVED] = num_dup((long long)m->received);
	c[RC_DAY] = num_dup((long long)day);
	c[RC_SOURCE_IP] = clean_dup(v->ip);
	c[RC_HEADER_FROM] = clean_dup(from);
	c[RC_ENVELOPE_FROM] = clean_dup(v->spf.null_sender ? "" : v->spf.domain);
	c[RC_ENVELOPE_TO] = clean_dup(m->envelope_to);
	/* RFC 9990 3.1.1.13: scope mfrom only; the HELO identity counts when
	 * MAIL FROM was null, and is then reported as the SPF domain. */
	c[RC_SPF_DOMAIN] = clean_dup(v->spf.null_sender ? v->spf.helo_domain : v->spf.domain);
	c[RC_SPF_SCOPE] = clean_dup("mfrom");
	c[RC_SPF_RESULT] = clean_dup(spf_res_name(v->spf.null_sender ? v->spf.helo
	    : v->spf.mailfrom));
	c[RC_DKIM] = dkim_list(v, from, o->org_domain);
	c[RC_POLICY_DOMAIN] = clean_dup(o->have_record ? o->policy_domain : "");
	c[RC_P] = clean_dup(o->have_record ? policy_word(o->p) : "");
	c[RC_SP] = clean_dup(o->have_record ? policy_word(o->sp) : "");
	c[RC_NP] = clean_dup(o->have_record ? policy_word(o->np) : "");
	c[RC_ADKIM] = clean_dup(!o->have_record ? "" : o->adkim == DMARC_ALIGN_STRICT ? "s" : "r");
	c[RC_ASPF] = clean_dup(!o->have_record ? "" : o->aspf == DMARC_ALIGN_STRICT ? "s" : "r");
	c[RC_TESTING] = clean_dup(!o->have_record ? "" : o->testing ? "y" : "n");
	c[RC_FO] = o->have_record ? fo_word(o->fo) : strdup("");
	c[RC_PSD] = clean_dup(!o->have_record ? "" : o->psd == DMARC_PSD_Y ? "y"
	    : o->psd == DMARC_PSD_N ? "n" : "u");
	c[RC_DISCOVERY] = clean_dup(o->discovery);
	c[RC_DMARC_RESULT] = clean_dup(dmarc_res_name(o->result));
	c[RC_DISPOSITION] = clean_dup(disposition(v, o));
	c[RC_DKIM_ALIGNED] = clean_dup(o->dkim_aligned ? "pass" : "fail");
	c[RC_SPF_ALIGNED] = clean_dup(o->spf_aligned ? "pass" : "fail");
	c[RC_REASON] = clean_dup(rt);
	c[RC_REASON_COMMENT] = clean_dup(rc);
	c[RC_RUA] = uri_list(o->rua, o->nrua);
	c[RC_RUF] = uri_list(o->ruf, o->nruf);
	c[RC_POLICY_ERROR] = clean_dup(o->policy_domain != NULL && !o->have_record
	    ? o->reason : "");
	for (k = 0; k < REPORT_NCOLS; k++) {
		if (c[k] == NULL) {
			report_row_free(r);
			return -1;
		}
	}
	if (add_failure(v, m, i, r) < 0) {
		report_row_free(r);
		return -1;
	}
	return 0;
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

	for (k = 0; k < REPORT_NCOLS; k++) {
		free(r->col[k]);
		r->col[k] = NULL;
	}
	for (k = 0; k < REPORT_NFCOLS; k++) {
		free(r->fcol[k]);
		r->fcol[k] = NULL;
	}
}
