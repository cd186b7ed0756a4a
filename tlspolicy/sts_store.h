/*
 * sts_store.h -- MTA-STS policies persisted in SQLite (WAL), so a restart keeps them.
 *
 * SYNOPSIS
 *	sts_store *sts_store_open(const char *path, char *err, size_t errlen);
 *	int sts_store_save(sts_store *s, const char *domain, const char *id,
 *	    time_t fetched, const char *body, size_t len);
 *	int sts_store_delete(sts_store *s, const char *domain);
 *	int sts_store_load(sts_store *s, sts_store_row_fn fn, void *arg);
 *	void sts_store_close(sts_store *s);
 *
 * DESCRIPTION
 *	One row per policy domain: the TXT id the policy was fetched under,
 *	the time of that successful fetch and the policy body exactly as
 *	served. Keeping the body, not a parsed form, means every load goes
 *	through the same strict parser as a fetch (sts_policy_parse), so a
 *	damaged or edited file can never inject anything.
 *
 *	The database uses WAL journaling and synchronous=NORMAL: a crash
 *	loses at most the last fetches, never the file. The schema version is
 *	PRAGMA user_version (STS_STORE_SCHEMA); a newer one is refused.
 *	Calls are serialised by the store's own mutex: any thread may call.
 *
 *	sts_store_load() calls fn once per row; rows whose columns have the
 *	wrong type are skipped.
 *
 * DIAGNOSTICS
 *	sts_store_open() returns NULL with a reason; the others return -1 on
 *	an SQLite error (logged by the caller), 0 on success.
 */
#ifndef DMARCTLS_STS_STORE_H
#define DMARCTLS_STS_STORE_H

#include <stddef.h>
#include <time.h>

#define STS_STORE_SCHEMA	1

typedef struct sts_store sts_store;
typedef void (*sts_store_row_fn)(void *arg, const char *domain, const char *id,
		    time_t fetched, const char *body, size_t len);

sts_store	*sts_store_open(const char *path, char *err, size_t errlen);
int		sts_store_save(sts_store *s, const char *domain, const char *id,
		    time_t fetched, const char *body, size_t len);
int		sts_store_delete(sts_store *s, const char *domain);
int		sts_store_load(sts_store *s, sts_store_row_fn fn, void *arg);
void		sts_store_close(sts_store *s);

#endif
