/*
 * dns_cache.c -- the TTL cache of dns_cache.h: a hash table with a FIFO for eviction.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"

#define DNS_CACHE_NAME	256

typedef struct dc_entry {
	struct dc_entry	*next;		/* in its bucket */
	struct dc_entry	*older, *newer;	/* in insertion order */
	char		name[DNS_CACHE_NAME];
	int		rrtype;
	long		expires;
	dns_rrset	rs;
} dc_entry;

struct dns_cache {
	pthread_mutex_t	lock;
	dc_entry	**bucket;
	size_t		nbuckets;	/* a power of two */
	size_t		count, max;
	dc_entry	*oldest, *newest;
};

static unsigned long
dc_hash(const char *name, int rrtype)
{
	unsigned long h = 5381 + (unsigned long)rrtype;

	for (; *name; name++)
		h = h * 33 + (unsigned char)*name;
	return h;
}

/* dc_key - the lowercased name; -1 if it does not fit */
static int
dc_key(const char *name, char *key)
{
	size_t	i;

	for (i = 0; name[i]; i++) {
		if (i + 1 >= DNS_CACHE_NAME)
			return -1;
		key[i] = (char)tolower((unsigned char)name[i]);
	}
	key[i] = '\0';
	return 0;
}

dns_cache *
dns_cache_new(size_t max_entries)
{
	dns_cache *c;

	if (max_entries == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (c->nbuckets = 64; c->nbuckets < max_entries; c->nbuckets *= 2)
		;
	if ((c->bucket = calloc(c->nbuckets, sizeof(*c->bucket))) == NULL) {
		free(c);
		return NULL;
	}
	c->max = max_entries;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void
dc_entry_free(dc_entry *e)
{
	dns_rrset_free(&e->rs);
	free(e);
}

void
dns_cache_free(dns_cache *c)
{
	dc_entry *e, *next;

	if (c == NULL)
		return;
	for (e = c->oldest; e; e = next) {
		next = e->newer;
		dc_entry_free(e);
	}
	pthread_mutex_destroy(&c->lock);
	free(c->bucket);
	free(c);
}

int
dns_rrset_copy(dns_rrset *dst, const dns_rrset *src)
{
	size_t	i;

	*dst = *src;
	dst->data = NULL;
	dst->len = NULL;
	dst->packet = NULL;
	dst->n = 0;
	if (src->n && ((dst->data = calloc(src->n, sizeof(*dst->data))) == NULL
	    || (dst->len = calloc(src->n, sizeof(*dst->len))) == NULL))
		goto fail;
	for (i = 0; i < src->n; i++) {
		if ((dst->data[i] = malloc(src->len[i] ? src->len[i] : 1)) == NULL)
			goto fail;
		memcpy(dst->data[i], src->data[i], src->len[i]);
		dst->len[i] = src->len[i];
		dst->n = i + 1;
	}
	if (src->packet_len && (dst->packet = malloc(src->packet_len)) != NULL)
		memcpy(dst->packet, src->packet, src->packet_len);
	else
		dst->packet_len = 0;
	return 0;
fail:
	dns_rrset_free(dst);
	return -1;
}

/* dc_find - the entry for a key, or NULL; with the bucket slot pointing at it */
static dc_entry **
dc_find(dns_cache *c, const char *key, int rrtype)
{
	dc_entry **p = &c->bucket[dc_hash(key, rrtype) & (c->nbuckets - 1)];

	for (; *p; p = &(*p)->next)
		if ((*p)->rrtype == rrtype && strcmp((*p)->name, key) == 0)
			return p;
	return p;
}

/* dc_unlink - take an entry out of its bucket (via slot) and the FIFO */
static void
dc_unlink(dns_cache *c, dc_entry **slot)
{
	dc_entry *e = *slot;

	*slot = e->next;
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	c->count--;
	dc_entry_free(e);
}

int
dns_cache_get(dns_cache *c, const char *name, int rrtype, long now, dns_rrset *out)
{
	char	key[DNS_CACHE_NAME];
	dc_entry **slot;
	int	hit = 0;

	if (dc_key(name, key) < 0)
		return 0;
	pthread_mutex_lock(&c->lock);
	slot = dc_find(c, key, rrtype);
	if (*slot && (*slot)->expires <= now)
		dc_unlink(c, slot);
	else if (*slot && dns_rrset_copy(out, &(*slot)->rs) == 0) {
		out->ttl = (int)((*slot)->expires - now);
		hit = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void
dns_cache_put(dns_cache *c, const char *name, int rrtype, long now, const dns_rrset *rs)
{
	char	key[DNS_CACHE_NAME];
	dc_entry *e, **slot;
	long	ttl = rs->ttl < DNS_CACHE_MAX_TTL ? rs->ttl : DNS_CACHE_MAX_TTL;

	if (rs->status == DNS_STATUS_TEMPFAIL || ttl <= 0 || dc_key(name, key) < 0
	    || (e = calloc(1, sizeof(*e))) == NULL)
		return;
	if (dns_rrset_copy(&e->rs, rs) < 0) {
		free(e);
		return;
	}
	strcpy(e->name, key);
	e->rrtype = rrtype;
	e->expires = now + ttl;
	pthread_mutex_lock(&c->lock);
	if (*(slot = dc_find(c, key, rrtype)) != NULL)
		dc_unlink(c, slot);
	while (c->count >= c->max && c->oldest)
		dc_unlink(c, dc_find(c, c->oldest->name, c->oldest->rrtype));
	slot = dc_find(c, key, rrtype);
	*slot = e;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->count++;
	pthread_mutex_unlock(&c->lock);
}
