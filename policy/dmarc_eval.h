/*
 * dmarc_eval.h -- the DMARC verdict for one Author Domain (RFC 9989).
 *
 * SYNOPSIS
 *	void dmarc_evaluate(const dmarc_input *in, dmarc_outcome *out);
 *	void dmarc_outcome_free(dmarc_outcome *out);
 *
 * DESCRIPTION
 *	dmarc_evaluate() discovers the policy record of in->from_domain,
 *	checks SPF and DKIM alignment, and fills *out. It does no I/O but
 *	through in->lookup, keeps no state between calls, and may run in
 *	many threads at once. *out always gets a defined result, even for
 *	NULL or garbage input; dmarc_outcome_free() releases what it holds.
 *
 *	result: pass when SPF or DKIM is aligned and a usable record exists
 *	(no record: none, even if aligned); fail when a record exists and
 *	neither is aligned; none without a (usable) record; temperror when a
 *	DNS answer that matters failed, including the query that decides
 *	whether the Author Domain exists; permerror when the Author Domain is
 *	missing or not a valid domain name (or the input is unusable).
 *
 *	policy (the A-R property policy.dmarc): p at the Author Domain; for
 *	a record found at the Org Domain or PSD, sp when the Author Domain
 *	exists, np (else sp, else p) when it does not (RFC 9989 section
 *	4.10.1). The existence query is only made when its answer changes
 *	the policy. Then t=y lowers it one level (reject -> quarantine ->
 *	none) and sets testing. In PSL mode (RFC 7489) sp applies at the Org
 *	Domain fallback, np/t do not exist, and pct sampling lowers it one
 *	level when in->pct_roll >= pct (a roll outside 0..99 counts as 0:
 *	sampled, the strict side). disposition is policy when the result is
 *	fail, else DMARC_POLICY_NONE. On none/temperror/permerror, policy
 *	is DMARC_POLICY_UNSET.
 *
 *	SPF counts only when in->spf_result is pass; the caller passes the
 *	MAIL FROM domain, or the HELO domain only when MAIL FROM was null.
 *	DKIM counts each signature whose result is pass; at most
 *	DMARC_MAX_DKIM_CHECK signatures are looked at.
 *
 *	org_domain is the Author Domain's Organizational Domain when it was
 *	computed during evaluation; otherwise it is computed at the end on a
 *	best-effort basis (a DNS failure then leaves it NULL and does not
 *	change the result).
 */
#ifndef DMARCTLS_DMARC_EVAL_H
#define DMARCTLS_DMARC_EVAL_H

#include <stddef.h>
#include <libpsl.h>

#include "dns.h"
#include "result.h"
#include "dmarc_discovery.h"	/* dmarc_discovery_mode */
#include "dmarc_record.h"	/* dmarc_alignment, dmarc_psd, URIs */

#define DMARC_MAX_DKIM_CHECK	32	/* signatures examined for alignment */

typedef struct dmarc_input {
	const char	*from_domain;	/* author domain, lowercase A-label, no trailing dot */
	const char	*spf_domain;	/* domain whose SPF result is spf_result (MAIL FROM, or HELO
					   when MAIL FROM was null); NULL if none */
	spf_res		spf_result;
	size_t		ndkim;
	const char *const *dkim_domains;	/* d= of each signature */
	const dkim_res	*dkim_results;		/* result of each signature */
	dmarc_discovery_mode mode;
	const psl_ctx_t	*psl;		/* required in PSL mode */
	dns_txt_fn	lookup;
	void		*lookup_ctx;
	int		pct_roll;	/* 0..99, PSL/RFC 7489 mode only */
} dmarc_input;

typedef struct dmarc_outcome {
	dmarc_res	result;		/* pass fail none temperror permerror */
	char		*policy_domain;	/* where the record was found; NULL if none */
	char		*org_domain;	/* org domain of the author domain; NULL if unknown */
	dmarc_policy	p, sp, np;	/* as published (UNSET if absent) */
	dmarc_policy	policy;		/* applied after sp/np/t (pct in PSL mode): policy.dmarc */
	dmarc_policy	disposition;	/* what the receiver should do: policy on fail, else NONE */
	int		spf_aligned, dkim_aligned, testing;	/* booleans; testing = t=y */
	const char	*discovery;	/* "treewalk" or "psl" */
	char		reason[128];	/* short human reason */
	/* The rest of the record as evaluated, for reports (RFC 9990 section
	 * 3.1.1.5, RFC 9991): valid only when policy_domain has a usable record
	 * (have_record); rua/ruf are copies, freed by dmarc_outcome_free(). */
	int		have_record;
	int		lowered;	/* t=y lowered the policy (RFC 9990 policy_test_mode) */
	dmarc_alignment	adkim, aspf;
	dmarc_psd	psd;
	unsigned	fo;		/* DMARC_FO_* bits */
	size_t		nrua, nruf;	/* URIs kept (at most DMARC_RECORD_MAX_URIS) */
	char		*rua[DMARC_RECORD_MAX_URIS];
	char		*ruf[DMARC_RECORD_MAX_URIS];
} dmarc_outcome;

void	dmarc_evaluate(const dmarc_input *in, dmarc_outcome *out);
void	dmarc_outcome_free(dmarc_outcome *out);

#endif
