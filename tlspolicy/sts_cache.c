/*
 * sts_cache.c -- hash table of MTA-STS entries (see sts_cache.h).
 *
 * DESCRIPTION
 *	Chained buckets, doubled when the load passes 1, so a probe costs a
 *	hash and a string compare or two however many domains are cached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sts_cache.h"

#define STS_CACHE_BUCKETS	256	/* initial; a power of two */

struct sts_cache {
	sts_entry	**bucket;
	size_t		nbucket;
	size_t		count;
	size_t		npolicy;	/* entries with has_policy */
};

/* FNV-1a: domains are short, and the table is not exposed to collisions
 * an attacker can aim well: keys are domains our own mail goes to. */
static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

sts_cache *
sts_cache_new(void)
{
	sts_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if ((c->bucket = calloc(STS_CACHE_BUCKETS, sizeof(sts_entry *))) == NULL) {
		free(c);
		return NULL;
	}
	c->nbucket = STS_CACHE_BUCKETS;
	return c;
}

sts_entry *
sts_cache_find(sts_cache *c, const char *domain)
{
	sts_entry *e;

	for (e = c->bucket[hash(domain) & (c->nbucket - 1)]; e != NULL; e = e->next)
		if (strcmp(e->domain, domain) == 0)
			return e;
	return NULL;
}

static void
grow(sts_cache *c)
{
	size_t	n = c->nbucket * 2, i;
	sts_entry **nb = calloc(n, sizeof(sts_entry *)), *e, *next;

	if (nb == NULL)
		return;		/* keep the longer chains */
	for (i = 0; i < c->nbucket; i++) {
		for (e = c->bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[hash(e->domain) & (n - 1)];
			nb[hash(e->domain) & (n - 1)] = e;
		}
	}
	free(c->bucket);
	c->bucket = nb;
	c->nbucket = n;
}

sts_entry *
sts_cache_add(sts_cache *c, const char *domain)
{
	sts_entry *e;
	size_t	b;

	if ((e = sts_cache_find(c, domain)) != NULL)
		return e;
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->domain = strdup(domain)) == NULL) {
		free(e);
		return NULL;
	}
	e->npolicy = &c->npolicy;
	if (c->count >= c->nbucket)
		grow(c);
	b = hash(domain) & (c->nbucket - 1);
	e->next = c->bucket[b];
	c->bucket[b] = e;
	c->count++;
	return e;
}

static void
entry_free(sts_entry *e)
{
	sts_entry_drop_policy(e);
	free(e->domain);
	free(e);
}

void
sts_cache_remove(sts_cache *c, sts_entry *e)
{
	sts_entry **pp;

	for (pp = &c->bucket[hash(e->domain) & (c->nbucket - 1)]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			c->count--;
			entry_free(e);
			return;
		}
	}
}

void
sts_cache_foreach(sts_cache *c, sts_entry_fn fn, void *arg)
{
	size_t	i;
	sts_entry *e, *next;

	for (i = 0; i < c->nbucket; i++)
		for (e = c->bucket[i]; e != NULL; e = next) {
			next = e->next;		/* fn may remove e */
			fn(e, arg);
		}
}

size_t
sts_cache_count(const sts_cache *c)
{
	return c->count;
}

size_t
sts_cache_nopolicy(const sts_cache *c)
{
	return c->count - c->npolicy;
}

sts_entry *
sts_cache_oldest_nopolicy(sts_cache *c)
{
	sts_entry *e, *best = NULL;
	size_t	i;

	for (i = 0; i < c->nbucket; i++)
		for (e = c->bucket[i]; e != NULL; e = e->next)
			if (!e->has_policy && !e->busy
			    && (best == NULL || e->checked < best->checked))
				best = e;
	return best;
}

void
sts_cache_free(sts_cache *c)
{
	size_t	i;
	sts_entry *e, *next;

	if (c == NULL)
		return;
	for (i = 0; i < c->nbucket; i++)
		for (e = c->bucket[i]; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
	free(c->bucket);
	free(c);
}

void
sts_entry_set_policy(sts_entry *e, sts_policy *p, time_t next_refresh)
{
	sts_entry_drop_policy(e);
	e->policy = *p;
	memset(p, 0, sizeof(*p));
	e->has_policy = 1;
	if (e->npolicy != NULL)
		(*e->npolicy)++;
	e->next_refresh = next_refresh;
	e->warned_expiry = 0;
}

void
sts_entry_drop_policy(sts_entry *e)
{
	if (e->has_policy) {
		sts_policy_free(&e->policy);
		if (e->npolicy != NULL)
			(*e->npolicy)--;
	}
	memset(&e->policy, 0, sizeof(e->policy));
	e->has_policy = 0;
}
