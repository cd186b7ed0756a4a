/*
 * decision_cache.c -- a chained hash table of decisions (see decision_cache.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decision_cache.h"

#define PD_CACHE_BUCKETS	4096

typedef struct pd_entry {
	struct pd_entry	*next;
	char		*domain;
	pd_decision	d;
	time_t		stored, expires;
	char		*answer[PD_CACHE_ANSWERS];	/* NULL: none stored */
	size_t		answer_len[PD_CACHE_ANSWERS];
	unsigned	refs;		/* pd_cache_hold()s not yet dropped */
	int		unlinked;	/* out of the table: freed at the last drop */
} pd_entry;

struct pd_cache {
	pthread_mutex_t	lock;
	size_t		n, max;
	pd_entry	*bucket[PD_CACHE_BUCKETS];
};

/* FNV-1a: keys are validated lower-case domain names, not attacker-chosen
 * in bulk (and a collision costs time, never a wrong answer). */
static size_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % PD_CACHE_BUCKETS;
}

pd_cache *
pd_cache_new(size_t max)
{
	pd_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max = max ? max : 1;
	return c;
}

static void
entry_free(pd_entry *e)
{
	size_t	i;

	for (i = 0; i < PD_CACHE_ANSWERS; i++)
		free(e->answer[i]);
	pd_decision_free(&e->d);
	free(e->domain);
	free(e);
}

/* Take e out of the table's accounting; free it unless it is held. */
static void
retire(pd_cache *c, pd_entry *e)
{
	c->n--;
	if (e->refs > 0)
		e->unlinked = 1;
	else
		entry_free(e);
}

/* Drop expired entries (all of them when all is set); lock held. */
static void
sweep(pd_cache *c, time_t now, int all)
{
	size_t	i;
	pd_entry **pp, *e;

	for (i = 0; i < PD_CACHE_BUCKETS; i++) {
		for (pp = &c->bucket[i]; (e = *pp) != NULL;) {
			if (all || e->expires <= now) {
				*pp = e->next;
				retire(c, e);
			} else
				pp = &e->next;
		}
	}
}

/* The entry of domain, expired or not; lock held. */
static pd_entry *
find(pd_cache *c, const char *domain)
{
	pd_entry *e;

	for (e = c->bucket[hash(domain)]; e != NULL; e = e->next)
		if (strcmp(e->domain, domain) == 0)
			break;
	return e;
}

int
pd_cache_get(pd_cache *c, const char *domain, time_t now, pd_decision *out,
	     time_t *stored)
{
	pd_entry *e;
	int	hit = 0;

	pthread_mutex_lock(&c->lock);
	for (e = c->bucket[hash(domain)]; e != NULL; e = e->next) {
		if (strcmp(e->domain, domain) == 0) {
			if (e->expires > now && pd_decision_copy(out, &e->d) == 0) {
				hit = 1;
				if (stored)
					*stored = e->stored;
			}
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

const pd_decision *
pd_cache_hold(pd_cache *c, const char *domain, time_t now, void **token)
{
	pd_entry *e;

	pthread_mutex_lock(&c->lock);
	if ((e = find(c, domain)) != NULL && e->expires > now)
		e->refs++;
	else
		e = NULL;
	pthread_mutex_unlock(&c->lock);
	*token = e;
	return e ? &e->d : NULL;
}

int
pd_cache_answer(pd_cache *c, const char *domain, time_t now, unsigned slot,
		strbuf *out, pd_kind *kind)
{
	pd_entry *e;
	int	rc = 0;

	if (slot >= PD_CACHE_ANSWERS)
		return 0;
	pthread_mutex_lock(&c->lock);
	if ((e = find(c, domain)) != NULL && e->expires > now
	    && e->answer[slot] != NULL) {
		strbuf_reset(out);
		rc = strbuf_appendn(out, e->answer[slot], e->answer_len[slot]) < 0 ? -1 : 1;
		*kind = e->d.kind;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
pd_cache_drop(pd_cache *c, void *token)
{
	pd_entry *e = token;
	int	last;

	if (e == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	last = --e->refs == 0 && e->unlinked;
	pthread_mutex_unlock(&c->lock);
	if (last)
		entry_free(e);
}

/* Copies of the answers into e; all of them or none (then 0 too). */
static void
keep_answers(pd_entry *e, const strbuf *answers)
{
	size_t	i;

	for (i = 0; answers != NULL && i < PD_CACHE_ANSWERS; i++) {
		if (answers[i].failed || answers[i].len == 0
		    || (e->answer[i] = malloc(answers[i].len)) == NULL)
			break;
		memcpy(e->answer[i], answers[i].s, answers[i].len);
		e->answer_len[i] = answers[i].len;
	}
	if (answers != NULL && i == PD_CACHE_ANSWERS)
		return;
	for (i = 0; i < PD_CACHE_ANSWERS; i++) {
		free(e->answer[i]);
		e->answer[i] = NULL;
	}
}

void
pd_cache_put(pd_cache *c, const char *domain, const pd_decision *d, time_t now,
	     unsigned ttl)
{
	pd_cache_put_answers(c, domain, d, now, ttl, NULL);
}

void
pd_cache_put_answers(pd_cache *c, const char *domain, const pd_decision *d,
		     time_t now, unsigned ttl, const strbuf *answers)
{
	pd_entry *e, **pp;
	size_t	b = hash(domain);

	if (ttl == 0 || (e = calloc(1, sizeof(*e))) == NULL)
		return;
	if ((e->domain = strdup(domain)) == NULL || pd_decision_copy(&e->d, d) < 0) {
		free(e->domain);
		free(e);
		return;
	}
	keep_answers(e, answers);
	e->stored = now;
	e->expires = now + (time_t)ttl;
	pthread_mutex_lock(&c->lock);
	for (pp = &c->bucket[b]; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->domain, domain) == 0) {
			pd_entry *old = *pp;

			*pp = old->next;
			retire(c, old);
			break;
		}
	}
	if (c->n >= c->max)
		sweep(c, now, 0);
	if (c->n >= c->max)
		sweep(c, now, 1);
	e->next = c->bucket[b];
	c->bucket[b] = e;
	c->n++;
	pthread_mutex_unlock(&c->lock);
}

void
pd_cache_free(pd_cache *c)
{
	if (c == NULL)
		return;
	sweep(c, 0, 1);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
