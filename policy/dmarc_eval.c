/*
 * dmarc_eval.c -- the DMARC verdict for one Author Domain (RFC 9989
 *	sections 4.4, 4.7, 4.10.1; RFC 7489 in PSL mode).
 *
 * SYNOPSIS
 *	See dmarc_eval.h.
 *
 * DESCRIPTION
 *	The order of work is chosen so that the cheapest answer wins:
 *	1. validate the input (permerror without any query);
 *	2. discover the policy record (none/temperror end here);
 *	3. alignment: every identical identifier first, without DNS; the
 *	   relaxed checks, which may walk the tree, only for identifiers
 *	   still unaligned;
 *	4. the policy that applies (sp/np, the existence query only when np
 *	   makes a difference, then t or pct), and the disposition.
 *	A DNS failure during alignment is temperror only when no other
 *	identifier aligned: a pass does not depend on the failed answer.
 *
 * HOSTILE INPUT
 *	The author domain is validated and copied lowercased into a fixed
 *	buffer. DKIM arrays are read only up to ndkim and at most
 *	DMARC_MAX_DKIM_CHECK entries; NULL entries are skipped.
 */

/* System library. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */

#include "dmarc_eval.h"
#include "dmarc_align.h"
#include "dmarc_record.h"

static void set_reason(dmarc_outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_reason(dmarc_outcome *out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* One level lower: reject -> quarantine -> none (t=y, unsampled pct). */
static dmarc_policy
policy_lower(dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_REJECT:
		return DMARC_POLICY_QUARANTINE;
	case DMARC_POLICY_QUARANTINE:
		return DMARC_POLICY_NONE;
	default:
		return p;
	}
}

static dmarc_policy
first_set(dmarc_policy a, dmarc_policy b)
{
	return a != DMARC_POLICY_UNSET ? a : b;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* Everything an evaluation carries between its steps. */
typedef struct eval_state {
	const dmarc_input *in;
	dmarc_outcome	*out;
	dmarc_discovery	disc;
	dmarc_author	author;
	dmarc_found	found;
	char		from[DMARC_NAME_MAX + 2];	/* the author, canonical */
} eval_state;

/* Step 1. 0: the input can be evaluated. */
static int
check_input(const dmarc_input *in, dmarc_outcome *out)
{
	char	canon[DMARC_NAME_MAX + 2];

	if (in == NULL) {
		set_reason(out, "no input");
		return -1;
	}
	if (in->from_domain == NULL || *in->from_domain == '\0') {
		set_reason(out, "no author domain");
		return -1;
	}
	if (!dmarc_domain_valid(dmarc_domain_canon(in->from_domain, canon, sizeof(canon)))) {
		set_reason(out, "invalid author domain");
		return -1;
	}
	if (in->lookup == NULL && in->mode == DMARC_DISCOVERY_TREEWALK) {
		set_reason(out, "no DNS lookup function");
		return -1;
	}
	if (in->mode == DMARC_DISCOVERY_PSL && (in->psl == NULL
	    || in->lookup == NULL)) {
		set_reason(out, "PSL discovery without a PSL or lookup");
		return -1;
	}
	if (in->mode != DMARC_DISCOVERY_PSL && in->mode != DMARC_DISCOVERY_TREEWALK) {
		set_reason(out, "unknown discovery mode");
		return -1;
	}
	if (in->ndkim > 0 && (in->dkim_domains == NULL || in->dkim_results == NULL)) {
		set_reason(out, "DKIM count without DKIM results");
		return -1;
	}
	return 0;
}

/* Step 2 outcome other than FOUND: fill out and say we are done. */
static void
discovery_failed(eval_state *es, dmarc_disc_status st)
{
	dmarc_outcome *out = es->out;

	switch (st) {
	case DMARC_DISC_TEMPFAIL:
		out->result = DMARC_RES_TEMPERROR;
		set_reason(out, "DNS failure at %.100s", es->disc.failed_name);
		break;
	case DMARC_DISC_UNUSABLE:
		out->result = DMARC_RES_NONE;
		set_reason(out, "unusable policy record at _dmarc.%.80s: %s",
		    es->found.policy_domain,
		    dmarc_rec_status_name(es->found.rstatus));
		break;
	case DMARC_DISC_BADNAME:
		out->result = DMARC_RES_PERMERROR;
		set_reason(out, "invalid author domain");
		break;
	default:
		out->result = DMARC_RES_NONE;
		set_reason(out, "no policy record");
		break;
	}
}

/* Step 3, one identifier. */
static void
align_one(eval_state *es, const char *id, dmarc_alignment mode, int cheap,
    int *aligned, int *tempfail)
{
	dmarc_align_res r;
	char	canon[DMARC_NAME_MAX + 2];

	if (*aligned || id == NULL)
		return;
	/* "example.org." is example.org: MAIL FROM, HELO and d= alike */
	id = dmarc_domain_canon(id, canon, sizeof(canon));
	if (cheap) {
		*aligned = dmarc_domain_valid(id)
		    && dmarc_domain_equal(id, es->author.domain);
		return;
	}
	r = dmarc_align(&es->disc, &es->author, id, mode);
	if (r == DMARC_ALIGN_YES)
		*aligned = 1;
	else if (r == DMARC_ALIGN_TEMPFAIL)
		*tempfail = 1;
}

/* Step 3: SPF and DKIM alignment. Returns 1 when a DNS failure left an
 * identifier undecided. */
static int
check_alignment(eval_state *es)
{
	const dmarc_input *in = es->in;
	const dmarc_record *rec = es->found.rec;
	const char *spf_id = in->spf_result == SPF_RES_PASS ? in->spf_domain
	    : NULL;
	size_t	i, n = in->ndkim < DMARC_MAX_DKIM_CHECK ? in->ndkim
	    : DMARC_MAX_DKIM_CHECK;
	int	pass, tempfail = 0;

	for (pass = 1; pass >= 0; pass--) {
		align_one(es, spf_id, rec->aspf, pass, &es->out->spf_aligned,
		    &tempfail);
		for (i = 0; i < n; i++) {
			if (in->dkim_results[i] != DKIM_RES_PASS)
				continue;
			align_one(es, in->dkim_domains[i], rec->adkim, pass,
			    &es->out->dkim_aligned, &tempfail);
		}
	}
	return tempfail;
}

/* Step 4: the policy that applies. -1: the existence query failed. */
static int
applied_policy(eval_state *es, dmarc_policy *policy)
{
	const dmarc_record *rec = es->found.rec;
	dmarc_policy sub = first_set(rec->sp, rec->p);
	int	exists = 1;

	if (es->found.at_author) {
		*policy = rec->p;
	} else if (es->in->mode == DMARC_DISCOVERY_PSL) {
		*policy = sub;
	} else {
		/* Ask whether the author exists only if the answer matters. */
		if (rec->np != DMARC_POLICY_UNSET && rec->np != sub
		    && dmarc_domain_exists(&es->disc, es->author.domain, &exists)
		    != DMARC_DISC_FOUND)
			return -1;
		*policy = exists ? sub : first_set(rec->np, sub);
	}
	if (es->in->mode == DMARC_DISCOVERY_PSL) {
		int	roll = es->in->pct_roll;

		if (roll < 0 || roll > 99)
			roll = 0;
		if (roll >= rec->pct)
			*policy = policy_lower(*policy);
	} else if (rec->testing) {
		es->out->lowered = *policy != policy_lower(*policy);
		*policy = policy_lower(*policy);
	}
	return 0;
}

/* What reports need of the record beyond the decision (RFC 9990 3.1.1.5).
 * A copy that fails for want of memory is left out: reports lose a URI,
 * the verdict loses nothing. */
static void
copy_for_reports(const dmarc_record *rec, dmarc_outcome *out)
{
	size_t	i;

	out->have_record = 1;
	out->adkim = rec->adkim;
	out->aspf = rec->aspf;
	out->psd = rec->psd;
	out->fo = rec->fo;
	for (i = 0; i < rec->nrua_kept && i < DMARC_RECORD_MAX_URIS; i++)
		if ((out->rua[out->nrua] = dup_or_null(rec->rua[i])) != NULL)
			out->nrua++;
	for (i = 0; i < rec->nruf_kept && i < DMARC_RECORD_MAX_URIS; i++)
		if ((out->ruf[out->nruf] = dup_or_null(rec->ruf[i])) != NULL)
			out->nruf++;
}

static void
fill_published(eval_state *es)
{
	const dmarc_record *rec = es->found.rec;
	dmarc_outcome *out = es->out;

	out->p = rec->p;
	out->sp = rec->sp;
	out->np = es->in->mode == DMARC_DISCOVERY_PSL ? DMARC_POLICY_UNSET
	    : rec->np;
	out->testing = es->in->mode == DMARC_DISCOVERY_PSL ? 0 : rec->testing;
	copy_for_reports(rec, out);
}

/* The verdict, once a usable record is in hand. A pass does not hang on
 * the existence query: if that fails, policy is left UNSET (unknown). */
static void
evaluate_record(eval_state *es)
{
	dmarc_outcome *out = es->out;
	dmarc_policy policy = DMARC_POLICY_UNSET;
	int	undecided, aligned;

	fill_published(es);
	undecided = check_alignment(es);
	aligned = out->spf_aligned || out->dkim_aligned;
	if (!aligned && undecided) {
		out->result = DMARC_RES_TEMPERROR;
		set_reason(out, "DNS failure at %.100s during alignment",
		    es->disc.failed_name);
		return;
	}
	if (applied_policy(es, &policy) < 0) {
		if (!aligned) {
			out->result = DMARC_RES_TEMPERROR;
			set_reason(out, "DNS failure at %.100s",
			    es->disc.failed_name);
			return;
		}
		policy = DMARC_POLICY_UNSET;
	}
	out->policy = policy;
	if (aligned) {
		out->result = DMARC_RES_PASS;
		out->disposition = DMARC_POLICY_NONE;
		set_reason(out, "aligned %s", out->dkim_aligned ? "DKIM" : "SPF");
		return;
	}
	out->result = DMARC_RES_FAIL;
	out->disposition = policy;
	set_reason(out, "no aligned SPF or DKIM pass");
}

/* The author's Org Domain for the outcome: known, or best effort. */
static void
fill_org_domain(eval_state *es)
{
	char	org[DMARC_NAME_MAX + 1];

	if (es->found.org_domain[0] != '\0' && !es->author.have_org)
		dmarc_author_set_org(&es->author, es->found.org_domain);
	if (!es->author.have_org) {
		if (es->out->result == DMARC_RES_TEMPERROR
		    || dmarc_org_domain(&es->disc, es->author.domain, org,
		    sizeof(org)) != DMARC_DISC_FOUND)
			return;
		dmarc_author_set_org(&es->author, org);
	}
	es->out->org_domain = dup_or_null(es->author.org);
}

void
dmarc_evaluate(const dmarc_input *in, dmarc_outcome *out)
{
	eval_state es;
	dmarc_disc_status st;

	memset(out, 0, sizeof(*out));
	out->result = DMARC_RES_PERMERROR;
	out->disposition = DMARC_POLICY_NONE;	/* only a fail changes it */
	out->discovery = in != NULL && in->mode == DMARC_DISCOVERY_PSL ? "psl"
	    : "treewalk";
	if (check_input(in, out) < 0)
		return;
	memset(&es, 0, sizeof(es));
	es.in = in;
	es.out = out;
	dmarc_author_init(&es.author, dmarc_domain_canon(in->from_domain, es.from,
	    sizeof(es.from)));
	if (dmarc_discovery_init(&es.disc, in->mode, in->psl, in->lookup,
	    in->lookup_ctx) < 0) {
		out->result = DMARC_RES_TEMPERROR;
		set_reason(out, "out of memory");
		return;
	}
	st = dmarc_discover_policy(&es.disc, es.author.domain, &es.found);
	if (es.found.org_domain[0] != '\0')
		dmarc_author_set_org(&es.author, es.found.org_domain);
	if (st == DMARC_DISC_FOUND) {
		out->policy_domain = dup_or_null(es.found.policy_domain);
		evaluate_record(&es);
	} else {
		discovery_failed(&es, st);
		if (st == DMARC_DISC_UNUSABLE)
			out->policy_domain = dup_or_null(es.found.policy_domain);
	}
	if (out->result != DMARC_RES_PERMERROR)
		fill_org_domain(&es);
	dmarc_discovery_free(&es.disc);
}

void
dmarc_outcome_free(dmarc_outcome *out)
{
	if (out == NULL)
		return;
	free(out->policy_domain);
	free(out->org_domain);
	out->policy_domain = NULL;
	out->org_domain = NULL;
	while (out->nrua > 0)
		free(out->rua[--out->nrua]);
	while (out->nruf > 0)
		free(out->ruf[--out->nruf]);
}
