/*
 * decision_cache.h -- recent decisions in memory, so that a hit costs no DNS.
 *
 * SYNOPSIS
 *	pd_cache *pd_cache_new(size_t max);
 *	int  pd_cache_get(pd_cache *c, const char *domain, time_t now,
 *		pd_decision *out, time_t *stored);
 *	void pd_cache_put(pd_cache *c, const char *domain, const pd_decision *d,
 *		time_t now, unsigned ttl);
 *	const pd_decision *pd_cache_hold(pd_cache *c, const char *domain,
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
 *	One mutex guards the table and the hold counts; it is held only to
 *	look up, count or copy. pd_cache_free() must not run while anything
 *	is held (the daemon frees a generation's cache after its last request).
 */
#ifndef DMARCTLS_DECISION_CACHE_H
#define DMARCTLS_DECISION_CACHE_H

#include <stddef.h>
#include <time.h>

#include "decision.h"

typedef struct pd_cache pd_cache;

pd_cache *pd_cache_new(size_t max);
int	pd_cache_get(pd_cache *c, const char *domain, time_t now,
	    pd_decision *out, time_t *stored);
void	pd_cache_put(pd_cache *c, const char *domain, const pd_decision *d,
	    time_t now, unsigned ttl);
const pd_decision *pd_cache_hold(pd_cache *c, const char *domain, time_t now,
	    void **token);
void	pd_cache_drop(pd_cache *c, void *token);
void	pd_cache_free(pd_cache *c);

#endif
