/*
 * dane_check.c -- the DANE self-check of our own receiving endpoint.
 *
 * SYNOPSIS
 *	See dane_check.h: dane_check(), dane_report_free(), dane_res_name(),
 *	dane_owner_host().
 *
 * DESCRIPTION
 *	One TLSA lookup, then one tlsa_match() per record. The order of the
 *	decision follows RFC 7672 section 2.2: first whether the answer can be
 *	trusted at all (a bogus or failed lookup is temperror, an insecure one
 *	makes DANE not apply), then whether any usable record is left, then
 *	whether one of them authenticates the chain.
 *
 * HOSTILE INPUT
 *	The DNS answer: any number of records of any content. Each rdata is
 *	copied, parsed with bounds checks, and at most DANE_MAX_RECORDS are
 *	judged (matching a DANE-TA record runs a chain verification).
 */

/* System library. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */

#include "dane_check.h"
#include "strbuf.h"

const char *
dane_res_name(dane_res r)
{
	switch (r) {
	case DANE_RES_PASS: return "pass";
	case DANE_RES_FAIL: return "fail";
	case DANE_RES_TEMPERROR: return "temperror";
	default: return "none";
	}
}

/* service_label - "_" and 1..maxlen characters of the accepted class */
static size_t
service_label(const char *s, int digits_only)
{
	size_t	i = 1;

	if (s[0] != '_')
		return 0;
	while (s[i] && s[i] != '.' && i <= 16) {
		if (digits_only ? !isdigit((unsigned char)s[i])
		    : !isalnum((unsigned char)s[i]))
			return 0;
		i++;
	}
	return i > 1 && s[i] == '.' ? i : 0;
}

int
dane_owner_host(const char *owner, char *host, size_t hostlen)
{
	const char *p;
	size_t	n, len, i;

	if (owner == NULL || (n = service_label(owner, 1)) == 0)
		return -1;
	p = owner + n + 1;
	if ((n = service_label(p, 0)) == 0)
		return -1;
	p += n + 1;
	len = strlen(p);
	if (len > 0 && p[len - 1] == '.')
		len--;			/* the root label */
	if (len == 0 || len > DANE_HOST_MAX || len >= hostlen)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!(isalnum(c) || c == '-' || c == '_' || c == '.')
		    || (c == '.' && (i == 0 || p[i - 1] == '.')))
			return -1;	/* not LDH, or an empty label */
	}
	memcpy(host, p, len);
	host[len] = 0;
	return 0;
}

/* record_text - presentation form, or RFC 3597 "\# len hex" if malformed */
static char *
record_text(const dane_record *d)
{
	strbuf	sb = STRBUF_INIT;
	size_t	i;

	if (d->parsed) {
		tlsa_rr_format(&d->rr, &sb);
	} else {
		strbuf_printf(&sb, "\\# %zu", d->rdlen);
		if (d->rdlen)
			strbuf_appendc(&sb, ' ');
		for (i = 0; i < d->rdlen; i++)
			strbuf_printf(&sb, "%02x", d->rdata[i]);
	}
	if (sb.failed) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* judge_record - copy, parse and match one rdata; -1 on memory exhaustion */
static int
judge_record(dane_record *d, const unsigned char *rdata, size_t len,
    const tlsa_chain *chain, const char *host)
{
	if ((d->rdata = malloc(len ? len : 1)) == NULL)
		return -1;
	if (len)
		memcpy(d->rdata, rdata, len);
	d->rdlen = len;
	d->m.depth = TLSA_DEPTH_NONE;
	if (tlsa_rr_parse(d->rdata, len, &d->rr) == 0) {
		d->parsed = 1;
		d->usable = tlsa_rr_usable(&d->rr);
		tlsa_match(&d->rr, chain, host, &d->m);
	} else {
		snprintf(d->m.why, sizeof(d->m.why), "malformed TLSA rdata");
	}
	if ((d->text = record_text(d)) == NULL)
		return -1;
	return 0;
}

/* judge_rrset - every record of an OK answer; sets nusable, nmatch */
static int
judge_rrset(const dns_rrset *rs, const tlsa_chain *chain, dane_report *out)
{
	size_t	i;

	if ((out->rec = calloc(rs->n, sizeof(*out->rec))) == NULL)
		return -1;
	for (i = 0; i < rs->n; i++) {
		dane_record *d = &out->rec[i];

		out->n = i + 1;
		if (judge_record(d, rs->data[i], rs->len[i], chain, out->host) < 0)
			return -1;
		out->nusable += d->usable;
		out->nmatch += d->usable && d->m.match;
	}
	return 0;
}

/* decide - the result of a judged OK answer (RFC 7672 section 2.2) */
static void
decide(dane_report *out)
{
	if (out->sec == DNS_SEC_BOGUS) {
		out->result = DANE_RES_TEMPERROR;
		snprintf(out->reason, sizeof(out->reason), "the TLSA answer is DNSSEC-bogus");
	} else if (out->sec != DNS_SEC_SECURE) {
		out->result = DANE_RES_NONE;
		snprintf(out->reason, sizeof(out->reason),
		    "%zu TLSA record%s in a zone that is not DNSSEC-signed: senders ignore them",
		    out->n, out->n == 1 ? "" : "s");
	} else if (out->nusable == 0) {
		out->result = DANE_RES_NONE;
		snprintf(out->reason, sizeof(out->reason),
		    "no record usable for SMTP among %zu (RFC 7672 3.1.3)", out->n);
	} else if (out->nmatch > 0) {
		out->result = DANE_RES_PASS;
		snprintf(out->reason, sizeof(out->reason),
		    "%zu of %zu usable record%s match%s the served chain", out->nmatch,
		    out->nusable, out->nusable == 1 ? "" : "s", out->nmatch == 1 ? "es" : "");
	} else {
		out->result = DANE_RES_FAIL;
		snprintf(out->reason, sizeof(out->reason),
		    "none of the %zu usable record%s matches the served chain: "
		    "DANE senders will not deliver", out->nusable, out->nusable == 1 ? "" : "s");
	}
}

void
dane_check(dns_rrset_fn lookup, void *ctx, const char *owner,
    const tlsa_chain *chain, dane_report *out)
{
	dns_rrset rs;

	memset(out, 0, sizeof(*out));
	out->result = DANE_RES_TEMPERROR;
	out->status = DNS_STATUS_TEMPFAIL;
	if (dane_owner_host(owner, out->host, sizeof(out->host)) < 0) {
		snprintf(out->reason, sizeof(out->reason),
		    "the TLSA owner is not a _port._proto.host name");
		return;
	}
	if (lookup == NULL || chain == NULL || tlsa_chain_count(chain) == 0) {
		snprintf(out->reason, sizeof(out->reason), "no resolver or no certificate");
		return;
	}
	memset(&rs, 0, sizeof(rs));
	lookup(ctx, owner, DNS_T_TLSA, &rs);
	if (rs.status == DNS_STATUS_OK && rs.n == 0)
		rs.status = DNS_STATUS_NODATA;	/* an empty "answer" */
	out->status = rs.status;
	out->sec = rs.sec;
	out->ttl = rs.ttl;
	switch (rs.status) {
	case DNS_STATUS_NXDOMAIN:
	case DNS_STATUS_NODATA:
		out->result = DANE_RES_NONE;
		snprintf(out->reason, sizeof(out->reason), "no TLSA record (%s)",
		    dns_status_name(rs.status));
		break;
	case DNS_STATUS_OK:
		if (rs.n > DANE_MAX_RECORDS) {
			snprintf(out->reason, sizeof(out->reason),
			    "%zu TLSA records, more than the %d judged", rs.n, DANE_MAX_RECORDS);
			break;
		}
		if (judge_rrset(&rs, chain, out) < 0) {
			out->result = DANE_RES_TEMPERROR;
			snprintf(out->reason, sizeof(out->reason), "out of memory");
			break;
		}
		decide(out);
		break;
	default:
		snprintf(out->reason, sizeof(out->reason), "TLSA lookup failed (%s)",
		    rs.sec == DNS_SEC_BOGUS ? "DNSSEC-bogus" : "SERVFAIL or timeout");
		break;
	}
	dns_rrset_free(&rs);
}

void
dane_report_free(dane_report *r)
{
	size_t	i;

	for (i = 0; r->rec && i < r->n; i++) {
		free(r->rec[i].text);
		free(r->rec[i].rdata);
	}
	free(r->rec);
	r->rec = NULL;
	r->n = 0;
}
