/*
 * sts.c -- MTA-STS for dmarctls-policyd: the façade of sts.h.
 *
 * DESCRIPTION
 *	Lookups and the background work meet in one table (sts_cache.c)
 *	under one mutex that is never held across DNS, HTTPS, SQLite or the
 *	logger: lines logged under it are queued and written by ctx_unlock()
 *	once it is released (syslog(3) may block on a full /dev/log).
 *
 *	Domains with no policy (no record, a failed discovery) are
 *	remembered for STS_NEGATIVE_MAX_S so that every delivery does not ask
 *	again, at most no_policy_max of them: at the cap the one checked
 *	longest ago is forgotten first.
 *
 *	Discovery of a domain is a job: a detached thread that asks the
 *	_mta-sts TXT record, fetches the policy when the id is new (or when
 *	forced by a refresh), parses it and stores the outcome in the entry.
 *	At most one job runs per domain; a lookup that needs one starts it
 *	(or joins the running one) and waits for it at most budget_ms.
 *
 *	RFC 8461 rules implemented here:
 *	  3.3  expiry = last successful fetch + max_age; a TXT id that matches
 *	       the cached policy does not fetch and does not extend it; a new
 *	       id refetches; refresh before expiry and at least daily (with
 *	       jitter) by fetching again whatever the TXT says; failed fetches
 *	       of one id at most once per STS_FAIL_HOLDOFF_S.
 *	  3.3, 10.2  a failed discovery or fetch, or a TXT record that has
 *	       gone, keeps an unexpired cached policy (logged); the refresh
 *	       then fetches under the cached id (8.3: a switch to mode none).
 *	  5    nothing usable and nothing cached: STS_FAILED / STS_ABSENT,
 *	       the caller delivers as if there were no policy.
 *	  10.2 an enforce policy about to expire unrefreshed is logged at
 *	       LOG_ERR, once per fetch.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "sts.h"
#include "sts_cache.h"
#include "sts_fetch.h"
#include "sts_policy.h"
#include "sts_store.h"
#include "sts_txt.h"

#define STS_MAX_JOBS		64	/* discovery threads at once */
#define STS_REFRESH_TICK_S	1	/* how often the refresher looks */
#define STS_NEGATIVE_MAX_S	3600	/* forget absent/failed domains after */
#define STS_QNAME_MAX		(253 + 10)
#define STS_LOGQ_MAX		256	/* lines queued under the lock, then dropped */

typedef struct sts_logline {
	int		prio;
	char		*text;
} sts_logline;

struct sts_ctx {
	dns_resolver	*dns;
	sts_config	cfg;
	char		*ca_file;
	sts_cache	*cache;
	sts_store	*store;
	pthread_mutex_t	lock;
	pthread_cond_t	done;		/* a job finished (CLOCK_MONOTONIC) */
	pthread_cond_t	tick;		/* wakes the refresher early (close) */
	unsigned	njobs;
	int		stopping;
	pthread_t	refresher;
	int		have_refresher;
	unsigned	seed;		/* rand_r state for jitter, under lock */
	sts_stats	stats;		/* under lock; policies counted on demand */
	sts_logline	*logq;		/* under lock: written by ctx_unlock() */
	size_t		nlogq;
	unsigned long	logq_dropped;
};

typedef struct sts_job {
	sts_ctx		*ctx;
	char		*domain;
	int		force;		/* refresh: fetch even if the id matches */
} sts_job;

/* What one discovery found, carried from the job's network half to the
 * locked half that writes it into the entry. */
typedef struct sts_outcome {
	sts_txt_status	txt;
	int		txt_tempfail;
	char		id[STS_ID_MAX + 1];
	int		fetched;	/* a fetch was attempted */
	int		refresh;	/* ... by a background refresh */
	int		ok;		/* ... and gave a valid policy */
	const char	*fail_type;
	char		why[STS_WHY_MAX];
	sts_policy	policy;
	char		*body;
	size_t		len;
} sts_outcome;

static void
sts_log(sts_ctx *ctx, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sts_log_now(sts_ctx *ctx, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sts_log - with the lock held: the line is queued for ctx_unlock() */
static void
sts_log(sts_ctx *ctx, int prio, const char *fmt, ...)
{
	char	buf[1024];
	sts_logline *nq;
	va_list	ap;

	if (ctx->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ctx->nlogq >= STS_LOGQ_MAX
	    || (nq = realloc(ctx->logq, (ctx->nlogq + 1) * sizeof(*nq))) == NULL) {
		ctx->logq_dropped++;
		return;
	}
	ctx->logq = nq;
	if ((nq[ctx->nlogq].text = strdup(buf)) == NULL) {
		ctx->logq_dropped++;
		return;
	}
	nq[ctx->nlogq++].prio = prio;
}

/* sts_log_now - without the lock (open, persist): straight to the logger */
static void
sts_log_now(sts_ctx *ctx, int prio, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	if (ctx->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->cfg.log(prio, "%s", buf);
}

/* ctx_unlock - release the lock, then write what was logged under it */
static void
ctx_unlock(sts_ctx *ctx)
{
	sts_logline *q = ctx->logq;
	size_t	n = ctx->nlogq, i;
	unsigned long dropped = ctx->logq_dropped;

	ctx->logq = NULL;
	ctx->nlogq = 0;
	ctx->logq_dropped = 0;
	pthread_mutex_unlock(&ctx->lock);
	for (i = 0; i < n; i++) {
		ctx->cfg.log(q[i].prio, "%s", q[i].text);
		free(q[i].text);
	}
	free(q);
	if (dropped > 0)
		sts_log_now(ctx, LOG_WARNING, "mta-sts: %lu log lines dropped", dropped);
}

static time_t
now_of(sts_ctx *ctx)
{
	return ctx->cfg.now ? ctx->cfg.now() : time(NULL);
}

static unsigned
refresh_cadence(const sts_ctx *ctx)
{
	return ctx->cfg.refresh_min_s ? ctx->cfg.refresh_min_s : STS_REFRESH_S;
}

/* next_refresh - before expiry (half of max_age) and at least every
 * cadence, minus up to a tenth of jitter so that policies fetched
 * together do not refresh together. Called with the lock held. */
static time_t
next_refresh(sts_ctx *ctx, time_t fetched, unsigned long max_age)
{
	unsigned long span = refresh_cadence(ctx), jitter;

	if (max_age / 2 < span)
		span = max_age / 2;
	jitter = span / 10 ? (unsigned long)rand_r(&ctx->seed) % (span / 10 + 1) : 0;
	return fetched + (time_t)(span - jitter);
}

const char *
sts_status_name(sts_status s)
{
	switch (s) {
	case STS_FOUND:		return "found";
	case STS_FAILED:	return "failed";
	case STS_PENDING:	return "pending";
	default:		return "absent";
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* --- the network half of a job: no lock held --- */

static void
discover_txt(sts_ctx *ctx, const char *domain, sts_outcome *o)
{
	char	qname[STS_QNAME_MAX + 1];
	dns_txt	t;

	snprintf(qname, sizeof(qname), "_mta-sts.%s", domain);
	dns_deadline_set(ctx->cfg.fetch_timeout_ms);
	dns_lookup_txt(ctx->dns, qname, &t);
	dns_deadline_clear();
	if (t.status == DNS_STATUS_TEMPFAIL) {
		o->txt_tempfail = 1;
		o->txt = STS_TXT_NONE;
		snprintf(o->why, sizeof(o->why), "%s TXT: %s%s", qname, dns_status_name(t.status),
		    t.sec == DNS_SEC_BOGUS ? " (bogus)" : "");
	} else if (t.status != DNS_STATUS_OK) {
		o->txt = STS_TXT_NONE;
		snprintf(o->why, sizeof(o->why), "%s TXT: %s", qname, dns_status_name(t.status));
	} else {
		o->txt = sts_txt_select((const char *const *)t.txt, t.len, t.n, o->id,
		    o->why, sizeof(o->why));
	}
	dns_txt_free(&t);
}

static void
fetch_policy(sts_ctx *ctx, const char *domain, unsigned left_ms, sts_outcome *o)
{
	sts_fetch_opts opts = {ctx->ca_file, left_ms, &ctx->stopping};
	sts_fetch_result r;
	char	why[200];

	o->fetched = 1;
	r = sts_fetch(ctx->dns, domain, &opts, &o->body, &o->len, o->why, sizeof(o->why));
	if (r != STS_FETCH_OK) {
		o->fail_type = r == STS_FETCH_WEBPKI ? STS_FAIL_WEBPKI : STS_FAIL_FETCH;
		return;
	}
	if (sts_policy_parse(o->body, o->len, &o->policy, why, sizeof(why)) < 0) {
		o->fail_type = STS_FAIL_INVALID;
		snprintf(o->why, sizeof(o->why), "policy of %s invalid: %s", domain, why);
		return;
	}
	o->ok = 1;
}

/* --- the locked half: what the outcome means for the entry --- */

static int
usable(const sts_entry *e, time_t now)
{
	return e->has_policy && now < e->policy.expires;
}

static void
note_failure(sts_ctx *ctx, sts_entry *e, const char *type, const char *why, time_t now)
{
	if (usable(e, now)) {
		sts_log(ctx, LOG_WARNING, "mta-sts %s: %s; keeping the cached policy (id %s, "
		    "expires in %lds)", e->domain, why, e->policy.id, (long)(e->policy.expires - now));
		e->failed = 0;
		return;
	}
	sts_log(ctx, LOG_INFO, "mta-sts %s: %s", e->domain, why);
	e->failed = 1;
	e->absent = 0;
	e->fail_type = type;
}

static void
apply_outcome(sts_ctx *ctx, sts_entry *e, sts_outcome *o, time_t now)
{
	snprintf(e->why, sizeof(e->why), "%s", o->why);
	e->checked = now;
	if (o->txt_tempfail) {
		note_failure(ctx, e, STS_FAIL_FETCH, o->why, now);
	} else if (o->txt == STS_TXT_NONE) {
		if (usable(e, now)) {
			sts_log(ctx, LOG_NOTICE, "mta-sts %s: %s; keeping the cached policy until "
			    "it expires (RFC 8461 8.3)", e->domain, o->why);
		} else {
			e->absent = 1;
			e->failed = 0;
		}
	} else if (o->txt != STS_TXT_OK) {
		note_failure(ctx, e, STS_FAIL_INVALID, o->why, now);
	} else if (o->ok) {
		o->policy.fetched = now;
		o->policy.expires = now + (time_t)o->policy.max_age;
		snprintf(o->policy.id, sizeof(o->policy.id), "%s", o->id);
		sts_log(ctx, LOG_INFO, "mta-sts %s: policy id %s mode %s max_age %lu fetched",
		    e->domain, o->id, sts_mode_name(o->policy.mode), o->policy.max_age);
		ctx->stats.fetch_ok++;
		sts_entry_set_policy(e, &o->policy, next_refresh(ctx, now, o->policy.max_age));
		e->absent = e->failed = 0;
		e->fail_time = 0;
		e->why[0] = '\0';
	} else if (o->fetched) {
		ctx->stats.fetch_failed++;
		if (o->refresh)
			ctx->stats.refresh_failed++;
		snprintf(e->fail_id, sizeof(e->fail_id), "%s", o->id);
		e->fail_time = now;
		if (e->has_policy)
			e->next_refresh = now + STS_FAIL_HOLDOFF_S;
		note_failure(ctx, e, o->fail_type, o->why, now);
	}
	/* else: the cached id matched, or the hold-off spared a fetch */
}

/* plan_fetch - under the lock: does this TXT id need an HTTPS fetch? */
static int
plan_fetch(sts_ctx *ctx, const char *domain, int force, sts_outcome *o)
{
	sts_entry *e = sts_cache_find(ctx->cache, domain);
	time_t	now = now_of(ctx);

	if (e == NULL)
		return 0;
	if (o->txt != STS_TXT_OK && force && usable(e, now)) {
		/* A refresh fetches whatever the TXT says (RFC 8461 3.3): with
		 * the record gone, broken or unreachable, under the cached id,
		 * so that a domain that switched to mode none before removing
		 * its record (section 8.3) is seen to. */
		sts_log(ctx, LOG_NOTICE, "mta-sts %s: %s; refreshing under the cached id %s",
		    domain, o->why, e->policy.id);
		snprintf(o->id, sizeof(o->id), "%s", e->policy.id);
		o->txt = STS_TXT_OK;
		o->txt_tempfail = 0;
	}
	if (o->txt != STS_TXT_OK)
		return 0;
	if (e->fail_time != 0 && strcmp(e->fail_id, o->id) == 0
	    && now - e->fail_time < STS_FAIL_HOLDOFF_S) {
		snprintf(o->why, sizeof(o->why), "%s", e->why);
		return 0;	/* one failed fetch per id per 5 minutes */
	}
	if (usable(e, now) && strcmp(e->policy.id, o->id) == 0 && !force)
		return 0;	/* same id: no fetch, and no extension */
	return 1;
}

static void
persist(sts_ctx *ctx, const char *domain, const sts_outcome *o, time_t fetched)
{
	if (ctx->store == NULL || !o->ok)
		return;
	if (sts_store_save(ctx->store, domain, o->id, fetched, o->body, o->len) < 0)
		sts_log_now(ctx, LOG_WARNING, "mta-sts %s: cannot save the policy to %s", domain,
		    ctx->cfg.cache_path);
}

static void *
job_main(void *arg)
{
	sts_job	*j = arg;
	sts_ctx	*ctx = j->ctx;
	sts_outcome o;
	sts_entry *e;
	struct timespec t0;
	time_t	now;
	long	used;
	int	need;

	memset(&o, 0, sizeof(o));
	o.refresh = j->force;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	discover_txt(ctx, j->domain, &o);
	pthread_mutex_lock(&ctx->lock);
	need = plan_fetch(ctx, j->domain, j->force, &o);
	ctx_unlock(ctx);
	/* one budget for the whole job: what the TXT lookup left */
	used = ms_since(&t0);
	if (need && used >= (long)ctx->cfg.fetch_timeout_ms) {
		o.fetched = 1;
		o.fail_type = STS_FAIL_FETCH;
		snprintf(o.why, sizeof(o.why), "no time left for the HTTPS fetch");
	} else if (need)
		fetch_policy(ctx, j->domain, ctx->cfg.fetch_timeout_ms - (unsigned)used, &o);

	pthread_mutex_lock(&ctx->lock);
	now = now_of(ctx);
	if ((e = sts_cache_find(ctx->cache, j->domain)) != NULL) {
		apply_outcome(ctx, e, &o, now);
		e->busy = 0;
		e->gen++;
	}
	ctx_unlock(ctx);
	persist(ctx, j->domain, &o, now);

	pthread_mutex_lock(&ctx->lock);
	ctx->njobs--;
	pthread_cond_broadcast(&ctx->done);
	ctx_unlock(ctx);
	sts_policy_free(&o.policy);
	free(o.body);
	free(j->domain);
	free(j);
	return NULL;
}

/* start_job - with the lock held; 0 when a job runs for e afterwards */
static int
start_job(sts_ctx *ctx, sts_entry *e, int force)
{
	pthread_attr_t attr;
	pthread_t t;
	sts_job	*j;
	int	rc;

	if (e->busy)
		return 0;
	if (ctx->stopping || ctx->njobs >= STS_MAX_JOBS)
		return -1;
	if ((j = calloc(1, sizeof(*j))) == NULL || (j->domain = strdup(e->domain)) == NULL) {
		free(j);
		return -1;
	}
	j->ctx = ctx;
	j->force = force;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, job_main, j);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		free(j->domain);
		free(j);
		return -1;
	}
	e->busy = 1;
	ctx->njobs++;
	return 0;
}

/* --- lookups --- */

static void
deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* answer - what the entry says now; STS_PENDING while a job runs. A
 * policy the caller just waited for is used even if its max_age is 0
 * (it applies to this delivery; it is not cached for the next one). */
static sts_status
answer(sts_ctx *ctx, sts_entry *e, time_t now, int just_fetched, sts_policy *out, char *why,
    size_t whylen, const char **fail_type)
{
	if (e->has_policy && (now < e->policy.expires || just_fetched)) {
		if (sts_policy_copy(out, &e->policy) < 0) {
			snprintf(why, whylen, "out of memory");
			*fail_type = STS_FAIL_FETCH;
			return STS_FAILED;
		}
		snprintf(why, whylen, "policy id %s", e->policy.id);
		return STS_FOUND;
	}
	snprintf(why, whylen, "%s", e->why);
	if (e->busy)
		return STS_PENDING;
	if (e->failed) {
		*fail_type = e->fail_type;
		return STS_FAILED;
	}
	return STS_ABSENT;
}

static unsigned
recheck_s(const sts_ctx *ctx)
{
	return ctx->cfg.txt_recheck_s ? ctx->cfg.txt_recheck_s : STS_TXT_RECHECK_S;
}

/* fresh - the last discovery's verdict may be reused without asking again */
static int
fresh(const sts_ctx *ctx, const sts_entry *e, time_t now)
{
	return e->checked != 0 && now - e->checked < (time_t)recheck_s(ctx);
}

static size_t
no_policy_max(const sts_ctx *ctx)
{
	return ctx->cfg.no_policy_max ? ctx->cfg.no_policy_max : STS_NO_POLICY_MAX;
}

/* make_room - with the lock held, before a new entry: at the cap of
 * entries without a policy, forget the one checked longest ago (entries
 * with a policy are never evicted: they are the defence of RFC 8461
 * 10.2, and there is one per domain that published one) */
static void
make_room(sts_ctx *ctx)
{
	sts_entry *old;

	while (sts_cache_nopolicy(ctx->cache) >= no_policy_max(ctx)
	    && (old = sts_cache_oldest_nopolicy(ctx->cache)) != NULL) {
		sts_cache_remove(ctx->cache, old);
		ctx->stats.evicted++;
	}
}

sts_status
sts_lookup(sts_ctx *ctx, const char *domain, unsigned budget_ms, sts_policy *out,
    char *why, size_t whylen, const char **fail_type)
{
	struct timespec dl;
	sts_entry *e;
	sts_status st;
	time_t	now;
	unsigned gen;

	memset(out, 0, sizeof(*out));
	*fail_type = NULL;
	if (whylen > 0)
		why[0] = '\0';
	if (domain[0] == '*' || !sts_mx_pattern_valid(domain, strlen(domain))) {
		snprintf(why, whylen, "not a domain name: no MTA-STS");
		return STS_ABSENT;
	}
	pthread_mutex_lock(&ctx->lock);
	ctx->stats.lookups++;
	now = now_of(ctx);
	e = sts_cache_find(ctx->cache, domain);
	if (e != NULL && e->has_policy && now >= e->policy.expires) {
		sts_log(ctx, LOG_NOTICE, "mta-sts %s: cached policy id %s expired", domain,
		    e->policy.id);
		sts_entry_drop_policy(e);
		e->checked = 0;		/* discover again, now */
	}
	if (e != NULL && (e->has_policy || e->busy || fresh(ctx, e, now))) {
		if (e->has_policy && !fresh(ctx, e, now))
			(void)start_job(ctx, e, 0);	/* recheck the id in the background */
		st = answer(ctx, e, now, 0, out, why, whylen, fail_type);
		if (st == STS_FOUND)
			ctx->stats.hits++;
		if (st != STS_PENDING || budget_ms == 0)
			goto out;
	}
	if (e == NULL)
		make_room(ctx);
	if (e == NULL && (e = sts_cache_add(ctx->cache, domain)) == NULL) {
		snprintf(why, whylen, "out of memory");
		*fail_type = STS_FAIL_FETCH;
		st = STS_FAILED;
		goto out;
	}
	if (start_job(ctx, e, 0) < 0) {
		snprintf(why, whylen, "too many MTA-STS fetches under way");
		*fail_type = STS_FAIL_FETCH;
		st = STS_FAILED;
		goto out;
	}
	gen = e->gen;
	deadline_in(&dl, budget_ms);
	while ((e = sts_cache_find(ctx->cache, domain)) != NULL && e->busy && e->gen == gen)
		if (pthread_cond_timedwait(&ctx->done, &ctx->lock, &dl) == ETIMEDOUT)
			break;
	if (e == NULL) {
		snprintf(why, whylen, "entry removed while waiting");
		st = STS_PENDING;
		goto out;
	}
	st = answer(ctx, e, now_of(ctx), e->gen != gen, out, why, whylen, fail_type);
out:
	ctx_unlock(ctx);
	return st;
}

int
sts_cache_peek(sts_ctx *ctx, const char *domain, sts_policy *out, char *txt_id, size_t idlen)
{
	sts_entry *e;
	int	rc = -1;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ctx->lock);
	if ((e = sts_cache_find(ctx->cache, domain)) != NULL && e->has_policy
	    && sts_policy_copy(out, &e->policy) == 0) {
		snprintf(txt_id, idlen, "%s", e->policy.id);
		rc = 0;
	}
	ctx_unlock(ctx);
	return rc;
}

typedef struct counting {
	sts_stats	*st;
	time_t		now;
} counting;

static void
count_policy(sts_entry *e, void *arg)
{
	counting *c = arg;

	if (!e->has_policy)
		return;
	c->st->policies++;
	if (e->policy.mode != STS_MODE_ENFORCE || e->policy.expires - c->now >= STS_EXPIRY_WARN_S)
		return;
	c->st->expiring++;
	if (e->fail_time > e->policy.fetched)	/* the condition of the LOG_ERR line */
		c->st->at_risk++;
}

void
sts_get_stats(sts_ctx *ctx, sts_stats *out)
{
	counting c;

	pthread_mutex_lock(&ctx->lock);
	*out = ctx->stats;
	out->policies = out->expiring = out->at_risk = 0;
	out->entries = sts_cache_count(ctx->cache);
	c.st = out;
	c.now = now_of(ctx);
	sts_cache_foreach(ctx->cache, count_policy, &c);
	ctx_unlock(ctx);
}

/* --- the refresher --- */

typedef struct sweep {
	sts_ctx		*ctx;
	time_t		now;
	char		**expired;	/* domains to delete from the store */
	size_t		nexpired;
} sweep;

static void
sweep_one(sts_entry *e, void *arg)
{
	sweep	*s = arg;
	sts_ctx	*ctx = s->ctx;
	char	**nv;

	if (e->busy)
		return;
	if (e->has_policy && s->now >= e->policy.expires) {
		sts_log(ctx, e->policy.mode == STS_MODE_ENFORCE && e->policy.max_age > 0
		    ? LOG_ERR : LOG_NOTICE,
		    "mta-sts %s: policy id %s expired unrefreshed", e->domain, e->policy.id);
		if ((nv = realloc(s->expired, (s->nexpired + 1) * sizeof(char *))) != NULL) {
			s->expired = nv;
			if ((nv[s->nexpired] = strdup(e->domain)) != NULL)
				s->nexpired++;
		}
		sts_entry_drop_policy(e);
		e->checked = 0;
		return;
	}
	if (!e->has_policy) {
		if (s->now - e->checked > STS_NEGATIVE_MAX_S)
			sts_cache_remove(ctx->cache, e);
		return;
	}
	if (e->policy.mode == STS_MODE_ENFORCE && !e->warned_expiry && e->fail_time > e->policy.fetched
	    && e->policy.expires - s->now < STS_EXPIRY_WARN_S) {
		sts_log(ctx, LOG_ERR, "mta-sts %s: enforce policy id %s expires in %lds and "
		    "refreshing it failed: %s", e->domain, e->policy.id,
		    (long)(e->policy.expires - s->now), e->why);
		e->warned_expiry = 1;
	}
	if (s->now >= e->next_refresh && start_job(ctx, e, 1) == 0) {
		ctx->stats.refreshes++;
		e->next_refresh = s->now + STS_FAIL_HOLDOFF_S;	/* the job sets the real one */
	}
}

static void *
refresher_main(void *arg)
{
	sts_ctx	*ctx = arg;
	struct timespec dl;
	sweep	s;
	size_t	i;

	pthread_mutex_lock(&ctx->lock);
	while (!ctx->stopping) {
		memset(&s, 0, sizeof(s));
		s.ctx = ctx;
		s.now = now_of(ctx);
		sts_cache_foreach(ctx->cache, sweep_one, &s);
		ctx_unlock(ctx);
		for (i = 0; i < s.nexpired; i++) {
			if (ctx->store != NULL)
				(void)sts_store_delete(ctx->store, s.expired[i]);
			free(s.expired[i]);
		}
		free(s.expired);
		pthread_mutex_lock(&ctx->lock);
		deadline_in(&dl, STS_REFRESH_TICK_S * 1000);
		while (!ctx->stopping && pthread_cond_timedwait(&ctx->tick, &ctx->lock, &dl) != ETIMEDOUT)
			;
	}
	ctx_unlock(ctx);
	return NULL;
}

/* --- open, load, close --- */

static int
id_valid(const char *id)
{
	size_t	n = strlen(id), i;

	if (n == 0 || n > STS_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')
		    || (id[i] >= '0' && id[i] <= '9')))
			return 0;
	return 1;
}

typedef struct sts_loader {
	sts_ctx		*ctx;
	char		**drop;		/* rows to delete once the load is done */
	size_t		ndrop;
} sts_loader;

static void
drop_later(sts_loader *l, const char *domain)
{
	char	**nv = realloc(l->drop, (l->ndrop + 1) * sizeof(char *));

	if (nv == NULL)
		return;
	l->drop = nv;
	if ((nv[l->ndrop] = strdup(domain)) != NULL)
		l->ndrop++;
}

/* load_row - one persisted policy, through the same parser as a fetch;
 * an expired or unusable row is deleted after the load */
static void
load_row(void *arg, const char *domain, const char *id, time_t fetched, const char *body,
    size_t len)
{
	sts_loader *l = arg;
	sts_ctx	*ctx = l->ctx;
	sts_policy p;
	sts_entry *e;
	char	why[STS_WHY_MAX];
	time_t	now = now_of(ctx);

	if (domain[0] == '*' || !sts_mx_pattern_valid(domain, strlen(domain)) || !id_valid(id)
	    || sts_policy_parse(body, len, &p, why, sizeof(why)) < 0) {
		sts_log_now(ctx, LOG_WARNING, "mta-sts: persisted policy of %.253s ignored and removed",
		    domain);
		drop_later(l, domain);
		return;
	}
	p.fetched = fetched;
	p.expires = fetched + (time_t)p.max_age;
	snprintf(p.id, sizeof(p.id), "%s", id);
	if (now >= p.expires) {
		drop_later(l, domain);
		sts_policy_free(&p);
		return;
	}
	if ((e = sts_cache_add(ctx->cache, domain)) == NULL) {
		sts_policy_free(&p);
		return;
	}
	sts_entry_set_policy(e, &p, next_refresh(ctx, fetched, p.max_age));
	e->checked = 0;		/* the first hit rechecks the TXT id in the background */
}

static void
load_store(sts_ctx *ctx, const char *path)
{
	sts_loader l = {ctx, NULL, 0};
	size_t	i;

	if (sts_store_load(ctx->store, load_row, &l) < 0)
		sts_log_now(ctx, LOG_WARNING, "mta-sts: reading %s failed", path);
	for (i = 0; i < l.ndrop; i++) {
		(void)sts_store_delete(ctx->store, l.drop[i]);
		free(l.drop[i]);
	}
	free(l.drop);
}

static void
ctx_free(sts_ctx *ctx)
{
	size_t	i;

	for (i = 0; i < ctx->nlogq; i++)
		free(ctx->logq[i].text);
	free(ctx->logq);
	sts_store_close(ctx->store);
	sts_cache_free(ctx->cache);
	pthread_cond_destroy(&ctx->done);
	pthread_cond_destroy(&ctx->tick);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->ca_file);
	free(ctx);
}

static int
init_sync(sts_ctx *ctx)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&ctx->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->done, &ca);
	pthread_cond_init(&ctx->tick, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

sts_ctx *
sts_open(dns_resolver *dns, const sts_config *cfg, char *err, size_t errlen)
{
	sts_ctx	*ctx;

	if (sts_fetch_init(err, errlen) < 0)
		return NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	init_sync(ctx);
	ctx->dns = dns;
	ctx->cfg = *cfg;
	ctx->cfg.cache_path = NULL;	/* not kept: the caller's string */
	if (ctx->cfg.fetch_timeout_ms == 0)
		ctx->cfg.fetch_timeout_ms = STS_DEFAULT_FETCH_TIMEOUT_MS;
	ctx->seed = (unsigned)time(NULL) ^ (unsigned)(size_t)ctx;
	ctx->ca_file = strdup(cfg->ca_file ? cfg->ca_file : STS_DEFAULT_CA_FILE);
	if (ctx->ca_file == NULL || (ctx->cache = sts_cache_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cfg->cache_path != NULL && *cfg->cache_path != '\0') {
		if ((ctx->store = sts_store_open(cfg->cache_path, err, errlen)) == NULL)
			goto fail;
		load_store(ctx, cfg->cache_path);
	}
	if (pthread_create(&ctx->refresher, NULL, refresher_main, ctx) != 0) {
		snprintf(err, errlen, "cannot start the MTA-STS refresher thread");
		goto fail;
	}
	ctx->have_refresher = 1;
	return ctx;
fail:
	ctx_free(ctx);
	return NULL;
}

void
sts_close(sts_ctx *ctx)
{
	if (ctx == NULL)
		return;
	pthread_mutex_lock(&ctx->lock);
	__atomic_store_n(&ctx->stopping, 1, __ATOMIC_RELAXED);	/* fetches read it unlocked */
	pthread_cond_broadcast(&ctx->tick);
	ctx_unlock(ctx);
	if (ctx->have_refresher)
		pthread_join(ctx->refresher, NULL);
	/* running fetches see stopping within a second; a DNS query in
	 * flight ends at its own timeout */
	pthread_mutex_lock(&ctx->lock);
	while (ctx->njobs > 0)
		pthread_cond_wait(&ctx->done, &ctx->lock);
	ctx_unlock(ctx);
	ctx_free(ctx);
}
