/*
 * decision_cache.h -- recent decisions in memory, so that a hit costs no DNS.
 *
 * SYNOPSIS
 *	pd_cache *pd_cache_new(size_t max);
 *	int  pd_cache_get(pd_cache *c, const char *domain, time_t now,
 *		pd_decision *out, time_t *stored);
 *	void pd_cache_put(pd_cache *c, const char *domain, const pd_decision *d,
 *		time_t now, unsigned ttl);
 *	void pd_cache_put_answers(pd_cache *c, const char *domain,
 *		const pd_decision *d, time_t now, unsigned ttl,
 *		const strbuf answers[PD_CACHE_ANSWERS]);
 *	int  pd_cache_answer(pd_cache *c, const char *domain, time_t now,
 *		unsigned slot, strbuf *out, pd_kind *kind);
 *	void	pd_cache_put_answers(pd_cache *c, const char *domain,
	    const pd_decision *d, time_t now, unsigned ttl, const strbuf *answers);
int	pd_cache_answer(pd_cache *c, const char *domain, time_t now,
	    unsigned slot, strbuf *out, pd_kind *kind);
const pd_decision *pd_cache_hold(pd_cache *c, const char *domain,
 *		time_t now, void **token);
 *	void pd_cache_drop(pd_cache *c, void *token);
 *	void pd_cache_free(pd_cache *c);
 *
 * DESCRIPTION
 *	Postfix asks once per MX host per smtp(8) process (OUTBOUND.md 1.2),
 *	so the same domain comes back many times a second on a busy relay.
 *	pd_cache_get() copies an unexpired entry into *out (the caller frees
 *	it) and returns 1, else 0. pd_cache_put() stores a copy for ttl
 *	seconds (0: not stored). At max entries the expired ones are dropped,
 *	and if that is not enough the whole table: a cache, not a store.
 *	pd_cache_hold() is the hit path without a copy: it returns the stored
 *	decision (read-only) or NULL, and keeps it alive, even if it is
 *	replaced or swept meanwhile, until pd_cache_drop(token).
 *	pd_cache_put_answers() stores, with the decision, the caller's
 *	answers to it (the socketmap reply of each profile: they depend on
 *	nothing but the decision and the domain), so that a hit is one copy
 *	under the lock and nothing is written again: pd_cache_answer()
 *	replaces out with answer slot of an unexpired entry and sets *kind
 *	to its decision's kind; it returns 1, 0 when there is no such entry
 *	or it has no answers (pd_cache_put(), or one of them could not be
 *	copied: then none is kept), -1 when out failed.
 *	One mutex guards the table and the hold counts; it is held only to
 *	look up, count or copy. pd_cache_free() must not run while anything
 *	is held (the daemon frees a generation's cache after its last request).
 */
#ifndef DMARCTLS_DECISION_CACHE_H
#define DMARCTLS_DECISION_CACHE_H

#include <stddef.h>
#include <time.h>

#include "decision.h"
#include "strbuf.h"

#define PD_CACHE_ANSWERS	4	/* one per profile (profile.h) */

typedef struct pd_cache pd_cache;

pd_cache *pd_cache_new(size_t max);
int	pd_cache_get(pd_cache *c, const char *domain, time_t now,
	    pd_decision *out, time_t *stored);
void	pd_cache_put(pd_cache *c, const char *domain, const pd_decision *d,
	    time_t now, unsigned ttl);
void	pd_cache_put_answers(pd_cache *c, const char *domain,
	    const pd_decision *d, time_t now, unsigned ttl, const strbuf *answers);
int	pd_cache_answer(pd_cache *c, const char *domain, time_t now,
	    unsigned slot, strbuf *out, pd_kind *kind);
const pd_decision *pd_cache_hold(pd_cache *c, const char *domain, time_t now,
	    void **token);
void	pd_cache_drop(pd_cache *c, void *token);
void	pd_cache_free(pd_cache *c);

#endif
