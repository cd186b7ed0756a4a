/*
 * decide.h -- the decision per next-hop domain, and one socketmap request.
 *
 * SYNOPSIS
 *	pd_engine *pd_engine_new(const pd_engine_config *cfg);
 *	void pd_engine_free(pd_engine *e);
 *	void pd_decide(pd_engine *e, const char *domain, pd_decision *out,
 *		dane_report *rep, time_t *cached_at);
 *	int  pd_request(pd_engine *e, const char *req, size_t len, strbuf *reply);
 *	int  pd_request_cached(pd_engine *e, const char *req, size_t len,
 *		strbuf *reply);
 *
 * DESCRIPTION
 *	pd_decide() decides for a policy domain (nexthop_key.h form), in the
 *	order of issue 7:
 *	  1. local overrides, first match;
 *	  2. the decision cache (a hit costs no DNS; *cached_at, when not
 *	     NULL, is set to when it was stored, else to 0);
 *	  3. DANE (dane_decide.h): all usable dane-only, some dane, a failure
 *	     TEMP -- never on to MTA-STS, which would be the downgrade;
 *	  4. MTA-STS through cfg->sts (only when DNSSEC shows no DANE);
 *	  5. NOTFOUND.
 *	The whole of 3 and 4 runs under dns_deadline_set(budget_ms): a silent
 *	name server costs one budget, then TEMP. Decisions are cached for
 *	cache_ttl (never past a DNS TTL or the policy's expiry), a DNS TEMP
 *	for temp_ttl; a TEMP from MTA-STS (a first fetch still running) is
 *	not cached, since the module answers from memory once it is done. rep, when not NULL, receives
 *	the DANE steps (for the admin query; a cache hit leaves it zeroed
 *	with verdict DANE_NONE and why "cached").
 *
 *	pd_request() answers one socketmap request "NAME KEY" (the netstring
 *	payload): an unknown NAME or a request without a blank is PERM; a key
 *	that names no policy domain is profile_nokey_reply(); otherwise the
 *	decision in NAME's profile. Returns -1 only when out of memory.
 *	pd_request_cached() is the part of it that needs no DNS and never
 *	waits: it answers (returns 1) a PERM, a key without a policy domain,
 *	an override or a cache hit, and returns 0 for a miss (reply empty:
 *	pd_request() must decide it, off the event loop), -1 when out of
 *	memory.
 *
 *	cfg->sts is the MTA-STS hook (tlspolicy/sts_glue.c over D's sts.h);
 *	NULL: MTA-STS is not consulted and step 4 is NOTFOUND. It fills *out
 *	with PD_STS, PD_NOTFOUND (sts_fail set when discovery or the fetch
 *	failed) or PD_TEMP.
 */
#ifndef DMARCTLS_DECIDE_H
#define DMARCTLS_DECIDE_H

#include <stddef.h>
#include <time.h>

#include "dane_decide.h"
#include "decision.h"
#include "dns.h"
#include "overrides.h"
#include "strbuf.h"

typedef void (*pd_sts_fn)(void *ctx, const char *domain, unsigned budget_ms,
			  pd_decision *out);

typedef struct pd_engine_config {
	dns_rrset_fn	lookup;		/* dns_lookup_rrset */
	void		*lookup_ctx;	/* the dns_resolver */
	const overrides	*ov;		/* may be NULL */
	pd_sts_fn	sts;		/* may be NULL */
	void		*sts_ctx;
	unsigned	budget_ms;	/* first-lookup budget */
	unsigned	cache_ttl;	/* seconds a decision is reused */
	unsigned	temp_ttl;	/* seconds a TEMP is reused */
	size_t		cache_max;
	int		log_testing;	/* log would-be decisions of testing */
} pd_engine_config;

typedef struct pd_engine pd_engine;

pd_engine *pd_engine_new(const pd_engine_config *cfg);
void	pd_engine_free(pd_engine *e);
void	pd_decide(pd_engine *e, const char *domain, pd_decision *out,
	    dane_report *rep, time_t *cached_at);
int	pd_request(pd_engine *e, const char *req, size_t len, strbuf *reply);
int	pd_request_cached(pd_engine *e, const char *req, size_t len, strbuf *reply);

#endif
