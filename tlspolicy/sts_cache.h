/*
 * sts_cache.h -- the in-memory MTA-STS state per policy domain.
 *
 * SYNOPSIS
 *	sts_cache *sts_cache_new(void);
 *	sts_entry *sts_cache_find(sts_cache *c, const char *domain);
 *	sts_entry *sts_cache_add(sts_cache *c, const char *domain);
 *	void sts_cache_remove(sts_cache *c, sts_entry *e);
 *	void sts_cache_foreach(sts_cache *c, sts_entry_fn fn, void *arg);
 *	size_t sts_cache_count(const sts_cache *c);
 *	void sts_cache_free(sts_cache *c);
 *	size_t sts_cache_nopolicy(const sts_cache *c);
 *	sts_entry *sts_cache_oldest_nopolicy(sts_cache *c);
 *	void sts_entry_set_policy(sts_entry *e, sts_policy *p, time_t next_refresh);
 *	void sts_entry_drop_policy(sts_entry *e);
 *
 * DESCRIPTION
 *	A hash table from domain (lower-case A-label) to sts_entry: the
 *	policy if one is cached, and what the last discovery found (no
 *	record, a failure and its RFC 8460 type, the id and time of the last
 *	failed fetch for the 5-minute hold-off). sts.c owns the locking: none
 *	of these functions locks, and none does any I/O, so a lookup that hits
 *	holds the context's mutex only for a table probe and a copy.
 *
 *	sts_cache_add() returns the existing entry if there is one.
 *	sts_cache_nopolicy() counts the entries that hold no policy (what
 *	the last discovery found: no record, a failure); the table keeps that
 *	count as policies are set and dropped. sts_cache_oldest_nopolicy()
 *	is the one of them, not busy, whose discovery finished first (NULL:
 *	none): the one to evict when their number reaches the cap. It walks
 *	the whole table, so sts.c calls it only at the cap.
 *	sts_entry_set_policy() takes over *p (p is zeroed).
 */
#ifndef DMARCTLS_STS_CACHE_H
#define DMARCTLS_STS_CACHE_H

#include <stddef.h>
#include <time.h>

#include "sts.h"

#define STS_WHY_MAX	512

typedef struct sts_entry {
	char		*domain;
	int		has_policy;
	sts_policy	policy;		/* valid iff has_policy */
	time_t		next_refresh;	/* background refresh due */
	time_t		checked;	/* last discovery finished */
	int		absent;		/* ... found no STS TXT record */
	int		failed;		/* ... failed, nothing cached */
	const char	*fail_type;	/* STS_FAIL_*, for failed */
	char		why[STS_WHY_MAX];	/* the last discovery's reason */
	char		fail_id[STS_ID_MAX + 1];	/* id of the last failed fetch */
	time_t		fail_time;	/* ... and when (0: none) */
	int		busy;		/* a discovery job runs for it */
	unsigned	gen;		/* bumped when a job finishes */
	int		warned_expiry;	/* enforce expiry error logged */
	size_t		*npolicy;	/* the table's count of entries with a policy */
	struct sts_entry *next;
} sts_entry;

typedef struct sts_cache sts_cache;
typedef void (*sts_entry_fn)(sts_entry *e, void *arg);

sts_cache	*sts_cache_new(void);
sts_entry	*sts_cache_find(sts_cache *c, const char *domain);
sts_entry	*sts_cache_add(sts_cache *c, const char *domain);
void		sts_cache_remove(sts_cache *c, sts_entry *e);
void		sts_cache_foreach(sts_cache *c, sts_entry_fn fn, void *arg);
size_t		sts_cache_count(const sts_cache *c);
size_t		sts_cache_nopolicy(const sts_cache *c);
sts_entry	*sts_cache_oldest_nopolicy(sts_cache *c);
void		sts_cache_free(sts_cache *c);
void		sts_entry_set_policy(sts_entry *e, sts_policy *p, time_t next_refresh);
void		sts_entry_drop_policy(sts_entry *e);

#endif
