/*
 * dmarc_discovery.c -- DMARC policy discovery and Organizational Domains
 *	(RFC 9989 sections 4.10, 4.10.1, 4.10.2; RFC 7489 section 6.6.3).
 *
 * SYNOPSIS
 *	See dmarc_discovery.h.
 *
 * DESCRIPTION
 *	Everything goes through answer_for(), which looks in the memo first
 *	and asks the lookup callback only for a name it has not seen. The
 *	memo is a small array searched linearly: it never holds more than
 *	DMARC_MEMO_MAX names, because the query cap stops it growing.
 *
 *	tree_walk() collects the names that hold exactly one DMARC record,
 *	longest first; the policy choice and the Org Domain are computed
 *	from that list, so one walk serves both.
 *
 * HOSTILE INPUT
 *	Every name is validated before it is put into a query; the query
 *	name is built in a fixed buffer sized for the longest valid name.
 *	A walk is a loop of at most DMARC_WALK_MAX steps; no recursion.
 */

/* System library. */

#include <stdlib.h>
#include <string.h>

/* Application-specific. */

#include "dmarc_discovery.h"

int
dmarc_domain_valid(const char *domain)
{
	size_t	len, label = 0, i;

	if (domain == NULL || (len = strlen(domain)) == 0 || len > DMARC_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		int	c = (unsigned char)domain[i];

		if (c == '.') {
			if (label == 0)
				return 0;	/* empty label: "..", leading dot */
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;	/* RFC 1035 section 2.3.4 */
	}
	return label > 0;		/* no trailing dot */
}

/* ASCII-only case folding: a locale must not change what a name means
 * (strcasecmp() follows LC_CTYPE). */
static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

const char *
dmarc_domain_canon(const char *in, char *buf, size_t buflen)
{
	size_t	len = in != NULL ? strlen(in) : 0, i;

	if (buflen == 0)
		return "";
	if (len > 1 && in[len - 1] == '.' && in[len - 2] != '.')
		len--;			/* one final dot: the same name */
	if (len >= buflen)
		len = 0;		/* too long: "" is never valid */
	for (i = 0; i < len; i++)
		buf[i] = (char)ascii_lower((unsigned char)in[i]);
	buf[len] = '\0';
	return buf;
}

int
dmarc_domain_equal(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

size_t
dmarc_domain_labels(const char *domain)
{
	size_t	n = 1;

	for (; *domain; domain++)
		if (*domain == '.')
			n++;
	return n;
}

/* The right-most k labels of a valid name (the name itself if it has
 * no more than k). */
static const char *
suffix_labels(const char *name, size_t k)
{
	size_t	len = strlen(name), dots = 0;

	while (len > 0) {
		if (name[len - 1] == '.' && ++dots == k)
			return name + len;
		len--;
	}
	return name;
}

static void
copy_name(char *dst, size_t dstlen, const char *src)
{
	size_t	n = strlen(src);

	if (dstlen == 0)
		return;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
dmarc_discovery_init(dmarc_discovery *d, dmarc_discovery_mode mode,
    const psl_ctx_t *psl, dns_txt_fn lookup, void *lookup_ctx)
{
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->psl = psl;
	d->lookup = lookup;
	d->lookup_ctx = lookup_ctx;
	d->memo = calloc(DMARC_MEMO_MAX, sizeof(*d->memo));
	return d->memo != NULL ? 0 : -1;
}

void
dmarc_discovery_free(dmarc_discovery *d)
{
	size_t	i;

	if (d->memo != NULL) {
		for (i = 0; i < d->nmemo; i++)
			if (d->memo[i].state == DMARC_NAME_RECORD)
				dmarc_record_free(&d->memo[i].rec);
		free(d->memo);
	}
	d->memo = NULL;
	d->nmemo = 0;
}

static void
set_failed(dmarc_discovery *d, const char *prefix, const char *name)
{
	size_t	plen = strlen(prefix);

	copy_name(d->failed_name, sizeof(d->failed_name), prefix);
	copy_name(d->failed_name + plen, sizeof(d->failed_name) - plen, name);
}

/* Section 4.10 steps 1-2: keep the TXT records that start with v=DMARC1;
 * exactly one is the record at this name. */
static void
classify(dmarc_discovery *d, const dns_txt *t, dmarc_name_answer *e)
{
	size_t	i, count = 0, which = 0;
	size_t	n = t->txt != NULL ? t->n : 0;
	dmarc_mode mode = d->mode == DMARC_DISCOVERY_PSL ? DMARC_MODE_RFC7489
	    : DMARC_MODE_RFC9989;

	e->status = t->status;
	switch (t->status) {
	case DNS_STATUS_NXDOMAIN:
	case DNS_STATUS_NODATA:
		e->state = DMARC_NAME_EMPTY;
		return;
	case DNS_STATUS_OK:
		break;
	default:
		e->state = DMARC_NAME_TEMPFAIL;
		return;
	}
	for (i = 0; i < n; i++) {
		size_t	len;

		if (t->txt[i] == NULL)
			continue;
		len = t->len != NULL ? t->len[i] : strlen(t->txt[i]);
		if (dmarc_record_is_dmarc(t->txt[i], len)) {
			count++;
			which = i;
		}
	}
	if (count == 0) {
		e->state = DMARC_NAME_EMPTY;
		return;
	}
	if (count > 1) {
		e->state = DMARC_NAME_MULTIPLE;
		return;
	}
	e->state = DMARC_NAME_RECORD;
	e->rstatus = dmarc_record_parse(t->txt[which],
	    t->len != NULL ? t->len[which] : strlen(t->txt[which]), mode, &e->rec);
}

/* The memoized answer for _dmarc.<name>; NULL when the query budget is
 * spent. A TEMPFAIL answer (or NULL) records the failed query name. */
static const dmarc_name_answer *
answer_for(dmarc_discovery *d, const char *name)
{
	char	qname[DMARC_QNAME_MAX + 1];
	dmarc_name_answer *e;
	dns_txt	t;
	size_t	i;

	for (i = 0; i < d->nmemo; i++) {
		if (!dmarc_domain_equal(d->memo[i].name, name))
			continue;
		if (d->memo[i].state == DMARC_NAME_TEMPFAIL)
			set_failed(d, "_dmarc.", name);
		return &d->memo[i];
	}
	if (d->nmemo >= DMARC_MEMO_MAX || d->nqueries >= DMARC_MAX_QUERIES
	    || d->lookup == NULL) {
		set_failed(d, "_dmarc.", name);
		return NULL;
	}
	e = &d->memo[d->nmemo];
	memset(e, 0, sizeof(*e));
	copy_name(e->name, sizeof(e->name), name);
	copy_name(qname, sizeof(qname), "_dmarc.");
	copy_name(qname + 7, sizeof(qname) - 7, name);
	memset(&t, 0, sizeof(t));
	d->lookup(d->lookup_ctx, qname, &t);
	d->nqueries++;
	classify(d, &t, e);
	dns_txt_free(&t);
	d->nmemo++;
	if (e->state == DMARC_NAME_TEMPFAIL)
		set_failed(d, "_dmarc.", name);
	return e;
}

/* psd= as it counts for the walk: an invalid record says nothing, and
 * RFC 7489 records have no psd tag. */
static dmarc_psd
answer_psd(const dmarc_name_answer *a)
{
	if (a->state != DMARC_NAME_RECORD || a->rstatus == DMARC_REC_INVALID)
		return DMARC_PSD_U;
	return a->rec.psd;
}

typedef struct walk_result {
	const dmarc_name_answer *found[DMARC_WALK_MAX];	/* longest first */
	size_t	nfound;
} walk_result;

/* Section 4.10: the DNS tree walk from start (start itself included). */
static dmarc_disc_status
tree_walk(dmarc_discovery *d, const char *start, walk_result *w)
{
	const char *name = start;
	size_t	x = dmarc_domain_labels(start), step;

	w->nfound = 0;
	for (step = 0; step < DMARC_WALK_MAX; step++) {
		const dmarc_name_answer *a = answer_for(d, name);

		if (a == NULL || a->state == DMARC_NAME_TEMPFAIL)
			return DMARC_DISC_TEMPFAIL;
		if (a->state == DMARC_NAME_RECORD) {
			w->found[w->nfound++] = a;
			if (answer_psd(a) != DMARC_PSD_U)
				break;		/* psd=y or psd=n ends the walk */
		}
		if (x <= 1)
			break;			/* the TLD was the last */
		x = x >= DMARC_WALK_JUMP ? DMARC_WALK_JUMP_TO : x - 1;
		name = suffix_labels(start, x);
	}
	return DMARC_DISC_FOUND;
}

/* Section 4.10.2 over the records a walk from start found. */
static void
org_from_walk(const char *start, const walk_result *w, char *org,
    size_t orglen)
{
	size_t	i;

	for (i = 0; i < w->nfound; i++) {
		const dmarc_name_answer *a = w->found[i];
		dmarc_psd psd = answer_psd(a);

		if (psd == DMARC_PSD_N) {
			copy_name(org, orglen, a->name);
			return;
		}
		if (psd == DMARC_PSD_Y && !dmarc_domain_equal(a->name, start)) {
			copy_name(org, orglen, suffix_labels(start,
			    dmarc_domain_labels(a->name) + 1));
			return;
		}
	}
	copy_name(org, orglen, w->nfound > 0 ? w->found[w->nfound - 1]->name
	    : start);
}

static void
org_from_psl(const dmarc_discovery *d, const char *domain, char *org,
    size_t orglen)
{
	const char *reg = NULL;

	if (d->psl != NULL)
		reg = psl_registrable_domain(d->psl, domain);
	copy_name(org, orglen, reg != NULL ? reg : domain);
}

dmarc_disc_status
dmarc_org_domain(dmarc_discovery *d, const char *domain, char *org,
    size_t orglen)
{
	walk_result w;
	dmarc_disc_status st;

	if (!dmarc_domain_valid(domain))
		return DMARC_DISC_BADNAME;
	if (d->mode == DMARC_DISCOVERY_PSL) {
		org_from_psl(d, domain, org, orglen);
		return DMARC_DISC_FOUND;
	}
	if ((st = tree_walk(d, domain, &w)) != DMARC_DISC_FOUND)
		return st;
	org_from_walk(domain, &w, org, orglen);
	return DMARC_DISC_FOUND;
}

/* Hand the chosen record to the caller. */
static dmarc_disc_status
use_record(const dmarc_name_answer *a, int at_author, dmarc_found *out)
{
	copy_name(out->policy_domain, sizeof(out->policy_domain), a->name);
	out->at_author = at_author;
	out->rstatus = a->rstatus;
	if (a->rstatus != DMARC_REC_OK)
		return DMARC_DISC_UNUSABLE;
	out->rec = &a->rec;
	return DMARC_DISC_FOUND;
}

/* RFC 7489 section 6.6.3, with the Org Domain from the PSL. */
static dmarc_disc_status
discover_psl(dmarc_discovery *d, const char *author, dmarc_found *out)
{
	const dmarc_name_answer *a;

	org_from_psl(d, author, out->org_domain, sizeof(out->org_domain));
	a = answer_for(d, author);
	if (a == NULL || a->state == DMARC_NAME_TEMPFAIL)
		return DMARC_DISC_TEMPFAIL;
	if (a->state == DMARC_NAME_RECORD)
		return use_record(a, 1, out);
	/* Step 5: several records end discovery; no Org Domain fallback. */
	if (a->state == DMARC_NAME_MULTIPLE
	    || dmarc_domain_equal(out->org_domain, author))
		return DMARC_DISC_NONE;
	a = answer_for(d, out->org_domain);
	if (a == NULL || a->state == DMARC_NAME_TEMPFAIL)
		return DMARC_DISC_TEMPFAIL;
	if (a->state == DMARC_NAME_RECORD)
		return use_record(a, 0, out);
	return DMARC_DISC_NONE;
}

/* RFC 9989 section 4.10.1. */
static dmarc_disc_status
discover_treewalk(dmarc_discovery *d, const char *author, dmarc_found *out)
{
	const dmarc_name_answer *a;
	walk_result w;
	size_t	i;

	a = answer_for(d, author);
	if (a == NULL || a->state == DMARC_NAME_TEMPFAIL)
		return DMARC_DISC_TEMPFAIL;
	if (a->state == DMARC_NAME_RECORD)
		return use_record(a, 1, out);
	/* Nothing at the author: the walk, whose first step is memoized. */
	if (tree_walk(d, author, &w) != DMARC_DISC_FOUND)
		return DMARC_DISC_TEMPFAIL;
	org_from_walk(author, &w, out->org_domain, sizeof(out->org_domain));
	for (i = 0; i < w.nfound; i++)
		if (dmarc_domain_equal(w.found[i]->name, out->org_domain))
			return use_record(w.found[i], 0, out);
	for (i = 0; i < w.nfound; i++)
		if (answer_psd(w.found[i]) == DMARC_PSD_Y)
			return use_record(w.found[i], 0, out);
	return DMARC_DISC_NONE;
}

dmarc_disc_status
dmarc_discover_policy(dmarc_discovery *d, const char *author,
    dmarc_found *out)
{
	memset(out, 0, sizeof(*out));
	if (!dmarc_domain_valid(author))
		return DMARC_DISC_BADNAME;
	if (d->mode == DMARC_DISCOVERY_PSL)
		return discover_psl(d, author, out);
	return discover_treewalk(d, author, out);
}

dmarc_disc_status
dmarc_domain_exists(dmarc_discovery *d, const char *domain, int *exists)
{
	dns_txt	t;
	dns_status st;
	size_t	i;

	*exists = 1;
	if (!dmarc_domain_valid(domain))
		return DMARC_DISC_BADNAME;
	/* _dmarc.<domain> answered (records or NODATA): then <domain> exists,
	 * at least as an empty non-terminal (RFC 8020). No query needed. */
	for (i = 0; i < d->nmemo; i++)
		if (dmarc_domain_equal(d->memo[i].name, domain)
		    && (d->memo[i].status == DNS_STATUS_OK
		    || d->memo[i].status == DNS_STATUS_NODATA))
			return DMARC_DISC_FOUND;
	if (d->nqueries >= DMARC_MAX_QUERIES || d->lookup == NULL) {
		set_failed(d, "", domain);
		return DMARC_DISC_TEMPFAIL;
	}
	memset(&t, 0, sizeof(t));
	d->lookup(d->lookup_ctx, domain, &t);
	d->nqueries++;
	st = t.status;
	dns_txt_free(&t);
	switch (st) {
	case DNS_STATUS_NXDOMAIN:
		*exists = 0;
		return DMARC_DISC_FOUND;
	case DNS_STATUS_OK:
	case DNS_STATUS_NODATA:
		return DMARC_DISC_FOUND;
	default:
		set_failed(d, "", domain);
		return DMARC_DISC_TEMPFAIL;
	}
}
