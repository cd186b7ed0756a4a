/*
 * decide.c -- overrides, cache, DANE, MTA-STS: one decision (see decide.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "decide.h"
#include "decision_cache.h"
#include "log.h"
#include "nexthop_key.h"
#include "pd_metrics.h"
#include "profile.h"

_Static_assert(PD_CACHE_ANSWERS == PROFILE_COUNT, "one cached answer per profile");

struct pd_engine {
	pd_engine_config cfg;
	pd_cache	*cache;
};

pd_engine *
pd_engine_new(const pd_engine_config *cfg)
{
	pd_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	if ((e->cache = pd_cache_new(cfg->cache_max)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
pd_engine_free(pd_engine *e)
{
	if (e == NULL)
		return;
	pd_cache_free(e->cache);
	free(e);
}

static long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What is left of budget_ms since started; at least 1 ms. */
static unsigned
budget_left(unsigned budget_ms, long long started)
{
	long long used = monotonic_ms() - started;

	return used >= (long long)budget_ms ? 1u : (unsigned)(budget_ms - used);
}

/* Seconds to keep d: never past what DNS or the policy allow. */
static unsigned
keep_for(const pd_engine *e, const pd_decision *d, const dane_report *r, time_t now)
{
	unsigned ttl = d->kind == PD_TEMP ? e->cfg.temp_ttl : e->cfg.cache_ttl;

	if (d->kind != PD_TEMP && r->ttl > 0 && (unsigned)r->ttl < ttl)
		ttl = (unsigned)r->ttl;
	if (d->kind == PD_STS && d->sts_expires > 0) {
		if (d->sts_expires <= now)
			return 0;
		if ((time_t)ttl > d->sts_expires - now)
			ttl = (unsigned)(d->sts_expires - now);
	}
	return ttl;
}

static void
from_dane(const dane_report *r, pd_decision *out)
{
	snprintf(out->why, sizeof(out->why), "%s", r->why);
	switch (r->verdict) {
	case DANE_ALL: out->kind = PD_DANE_ALL; break;
	case DANE_SOME: out->kind = PD_DANE_SOME; break;
	case DANE_TEMP: out->kind = PD_TEMP; break;
	default: out->kind = PD_NOTFOUND; break;
	}
}

static void
log_sts(const pd_engine *e, const char *domain, const pd_decision *d)
{
	if (d->kind == PD_STS && d->sts_mode == PD_STS_TESTING && e->cfg.log_testing)
		dt_log(LOG_INFO, "%s: MTA-STS policy id %s in mode testing: would "
		       "enforce secure with %zu mx pattern(s); not enforced", domain,
		       d->sts_id, d->nmx);
	else if (d->kind == PD_NOTFOUND && d->sts_fail != NULL)
		dt_log(LOG_WARNING, "%s: MTA-STS %s: %s; delivering as if no policy "
		       "(RFC 8461 5)", domain, d->sts_fail, d->why);
}

/* Store d with its reply in every profile: a hit then writes nothing. */
static void
cache_put(pd_engine *e, const char *domain, const pd_decision *d, time_t now,
	  unsigned ttl)
{
	strbuf	answers[PD_CACHE_ANSWERS];
	unsigned i;

	if (ttl == 0)
		return;
	for (i = 0; i < PD_CACHE_ANSWERS; i++) {
		answers[i] = (strbuf)STRBUF_INIT;
		(void)profile_reply((pd_profile)i, d, domain, &answers[i]);
	}
	pd_cache_put_answers(e->cache, domain, d, now, ttl, answers);
	for (i = 0; i < PD_CACHE_ANSWERS; i++)
		strbuf_free(&answers[i]);
}

void
pd_decide(pd_engine *e, const char *domain, pd_decision *out, dane_report *rep,
	  time_t *cached_at)
{
	dane_report local, *r = rep ? rep : &local;
	const char *ov;
	time_t	now = time(NULL);
	long long started;
	int	from_sts = 0;

	pd_decision_init(out);
	memset(r, 0, sizeof(*r));
	if (cached_at)
		*cached_at = 0;
	if ((ov = overrides_find(e->cfg.ov, domain)) != NULL) {
		out->kind = PD_OVERRIDE;
		if ((out->override = strdup(ov)) == NULL) {
			out->kind = PD_TEMP;
			snprintf(out->why, sizeof(out->why), "out of memory");
		} else
			snprintf(out->why, sizeof(out->why), "local override");
		return;
	}
	if (pd_cache_get(e->cache, domain, now, out, cached_at)) {
		snprintf(r->why, sizeof(r->why), "cached");
		return;
	}
	started = monotonic_ms();
	dns_deadline_set(e->cfg.budget_ms);
	dane_decide(e->cfg.lookup, e->cfg.lookup_ctx, domain, r);
	from_dane(r, out);
	if (r->verdict == DANE_NONE && e->cfg.sts != NULL) {
		pd_decision_free(out);
		/* one budget for the whole first lookup: MTA-STS gets what DNS left */
		e->cfg.sts(e->cfg.sts_ctx, domain, budget_left(e->cfg.budget_ms, started), out);
		log_sts(e, domain, out);
		/* an MTA-STS TEMP is a fetch still running: the module answers
		 * from memory once it is done, so do not hold the TEMP here */
		from_sts = out->kind == PD_TEMP;
	}
	dns_deadline_clear();
	if (out->kind == PD_TEMP)
		dt_log(LOG_WARNING, "%s: TEMP: %s", domain, out->why);
	if (!from_sts)
		cache_put(e, domain, out, now, keep_for(e, out, r, now));
}

/* A request that needs the decision (a miss): DNS, MTA-STS, the cache. */
static int
request_decide(pd_engine *e, pd_profile p, const char *domain, strbuf *reply)
{
	pd_decision d;
	int	rc;

	pd_decide(e, domain, &d, NULL, NULL);
	rc = profile_reply(p, &d, domain, reply);
	pd_metrics_lookup(p, d.kind, 0);
	pd_decision_free(&d);
	return rc;
}

/*
 * The part of a request that needs no DNS: a malformed request, a key that
 * names no policy domain, an override or a cache hit. 1 answered, 0 a miss
 * (*p and domain are then set for pd_decide), -1 out of memory.
 */
static int
request_cached(pd_engine *e, const char *req, size_t len, strbuf *reply,
	       pd_profile *p, char domain[NEXTHOP_MAX + 1])
{
	const char *sp = memchr(req, ' ', len), *why;
	const pd_decision *held;
	time_t	now;
	pd_kind	kind;
	void	*token;
	int	rc;

	strbuf_reset(reply);
	if (sp == NULL) {
		strbuf_append(reply, "PERM request without a key");
		return reply->failed ? -1 : 1;
	}
	if (profile_by_name(req, (size_t)(sp - req), p) < 0) {
		strbuf_append(reply, "PERM unknown map name (want postfix, "
			      "postfix-tlsrpt, sendmail or requiretls)");
		return reply->failed ? -1 : 1;
	}
	sp++;
	if (nexthop_key(sp, len - (size_t)(sp - req), domain, &why) < 0)
		return profile_nokey_reply(*p, why, reply) < 0 ? -1 : 1;
	if (overrides_find(e->cfg.ov, domain) != NULL)
		return request_decide(e, *p, domain, reply) < 0 ? -1 : 1;
	now = time(NULL);
	/* the hit path: the reply stored with the decision (cache_put) */
	if ((rc = pd_cache_answer(e->cache, domain, now, (unsigned)*p, reply,
				  &kind)) != 0) {
		if (rc > 0)
			pd_metrics_lookup(*p, kind, 1);
		return rc;
	}
	/* an entry stored without answers (no memory then): from the decision */
	if ((held = pd_cache_hold(e->cache, domain, now, &token)) == NULL)
		return 0;
	rc = profile_reply(*p, held, domain, reply);
	pd_metrics_lookup(*p, held->kind, 1);
	pd_cache_drop(e->cache, token);
	return rc < 0 ? -1 : 1;
}

int
pd_request_cached(pd_engine *e, const char *req, size_t len, strbuf *reply)
{
	char	domain[NEXTHOP_MAX + 1];
	pd_profile p;

	return request_cached(e, req, len, reply, &p, domain);
}

int
pd_request(pd_engine *e, const char *req, size_t len, strbuf *reply)
{
	char	domain[NEXTHOP_MAX + 1];
	pd_profile p;
	int	rc;

	if ((rc = request_cached(e, req, len, reply, &p, domain)) != 0)
		return rc < 0 ? -1 : 0;
	return request_decide(e, p, domain, reply);
}
