/*
 * sts.h -- MTA-STS (RFC 8461) for one next-hop domain: discovery, fetch, cache.
 *
 * SYNOPSIS
 *	sts_ctx *sts_open(dns_resolver *dns, const sts_config *cfg, char *err, size_t errlen);
 *	sts_status sts_lookup(sts_ctx *ctx, const char *domain, unsigned budget_ms,
 *	    sts_policy *out, char *why, size_t whylen, const char **fail_type);
 *	int sts_cache_peek(sts_ctx *ctx, const char *domain, sts_policy *out,
 *	    char *txt_id, size_t idlen);
 *	void sts_policy_free(sts_policy *p);
 *	void sts_close(sts_ctx *ctx);
 *	void sts_get_stats(sts_ctx *ctx, sts_stats *out);
 *	const char *sts_status_name(sts_status s);
 *	const char *sts_mode_name(sts_mode m);
 *
 * DESCRIPTION
 *	The one interface dmarctls-policyd uses for MTA-STS (the contract
 *	between the daemon and this module). sts_lookup() answers from memory
 *	when a policy is cached and unexpired; otherwise it starts discovery
 *	(the _mta-sts TXT record through our DNS layer, then the HTTPS fetch
 *	of the policy) in a background job and waits for it at most
 *	budget_ms. A job that takes longer keeps going and fills the cache;
 *	the caller gets STS_PENDING. No lock is held during network work, so
 *	a slow HTTPS or name server delays no other domain or client.
 *
 *	Policies are persisted in SQLite (WAL) when cfg->cache_path is set,
 *	so that a restart keeps them (RFC 8461 section 10.2: the cache is the
 *	defence when an attacker blocks discovery). A policy expires at its
 *	last successful fetch + max_age; a TXT record with the same id never
 *	extends it (RFC 8461 section 3.3, against postfix-mta-sts-resolver's
 *	behaviour). A new TXT id triggers a refetch. Cached policies are
 *	refreshed in the background before expiry and at least daily, with
 *	jitter; a failed fetch is retried at most once per policy id per
 *	STS_FAIL_HOLDOFF_S seconds.
 *
 *	Thread-safe: sts_lookup() and sts_cache_peek() may be called from
 *	many threads at once. libcurl runs with CURLOPT_NOSIGNAL (threads),
 *	so the process should ignore SIGPIPE.
 *
 *	domain must be a lower-case A-label host name without trailing dot;
 *	anything else (an IP literal, "*.x", an overlong name) is STS_ABSENT.
 *	A policy with max_age 0 is given to the lookup that waited for its
 *	fetch and to nobody after.
 *
 *	sts_get_stats() copies counters since sts_open(), for metrics:
 *	lookups, those answered from a cached policy (hits), HTTPS fetches
 *	that gave a valid policy and those that failed (any RFC 8460 type),
 *	background refreshes started and their failed fetches, no-policy
 *	entries evicted at the cap, and now: the policies cached, the
 *	enforce ones among them expiring within STS_EXPIRY_WARN_S and of
 *	those the ones whose refresh failed since (at risk), and all
 *	domains in the table.
 *
 * CONFIGURATION
 *	cache_path	SQLite file for persisted policies; NULL: memory only.
 *	ca_file		PKIX trust anchors (PEM bundle); NULL: STS_DEFAULT_CA_FILE.
 *	fetch_timeout_ms whole discovery + HTTPS fetch; 0: STS_DEFAULT_FETCH_TIMEOUT_MS.
 *	refresh_min_s	background refresh cadence; 0: daily (STS_REFRESH_S).
 *	txt_recheck_s	a hit older than this rechecks the TXT id in the
 *			background; 0: STS_TXT_RECHECK_S.
 *	no_policy_max	domains without a policy remembered at most; at the
 *			cap the one checked longest ago goes; 0: STS_NO_POLICY_MAX.
 *	now		the clock (tests); NULL: time(2).
 *	log		the daemon's logger (syslog priorities); NULL: silent.
 *
 * DIAGNOSTICS
 *	sts_open() returns NULL and a reason in err when libcurl or the cache
 *	file cannot be set up. Lookups never fail hard: every failure is a
 *	status with a reason in why and, for STS_FAILED, an RFC 8460 result
 *	type in *fail_type.
 */
#ifndef DMARCTLS_STS_H
#define DMARCTLS_STS_H

#include <stddef.h>
#include <time.h>

#include "dns.h"

#define STS_MAX_AGE_MAX		31557600UL	/* RFC 8461 section 3.2 */
#define STS_ID_MAX		32		/* RFC 8461 section 3.1 */
#define STS_DEFAULT_CA_FILE	"/etc/ssl/certs/ca-certificates.crt"
#define STS_DEFAULT_FETCH_TIMEOUT_MS 10000
#define STS_REFRESH_S		86400		/* at least daily: section 3.3 */
#define STS_TXT_RECHECK_S	300
#define STS_FAIL_HOLDOFF_S	300		/* one failed fetch per id per 5 min */
#define STS_EXPIRY_WARN_S	86400		/* enforce expiring within: LOG_ERR, metric */
#define STS_NO_POLICY_MAX	10000		/* domains without a policy remembered */

/* RFC 8460 section 4.3.2.1 result types for policy failures */
#define STS_FAIL_FETCH		"sts-policy-fetch-error"
#define STS_FAIL_INVALID	"sts-policy-invalid"
#define STS_FAIL_WEBPKI		"sts-webpki-invalid"

typedef enum { STS_MODE_NONE, STS_MODE_TESTING, STS_MODE_ENFORCE } sts_mode;

typedef struct sts_policy {
	sts_mode	mode;
	unsigned long	max_age;	/* seconds, <= STS_MAX_AGE_MAX */
	char		**mx;		/* lower-case A-label hostnames or "*." + hostname;
					   deduplicated, sorted */
	size_t		nmx;
	char		id[STS_ID_MAX + 1];	/* TXT id it was fetched under */
	time_t		fetched;	/* last successful HTTPS fetch */
	time_t		expires;	/* fetched + max_age */
	char		**lines;	/* "version: STSv1", "mode: M", "mx: P"...,
					   "max_age: N": printable ASCII, no braces,
					   for Postfix 3.10 { policy_string = ... } */
	size_t		nlines;
} sts_policy;

typedef enum {
	STS_ABSENT,	/* no v=STSv1 TXT and nothing cached: MTA-STS does not apply */
	STS_FOUND,	/* a valid, unexpired policy: *out filled (sts_policy_free) */
	STS_FAILED,	/* discovery/fetch/parse failed, nothing valid cached:
			   deliver as if no STS (RFC 8461 section 5); *fail_type set */
	STS_PENDING	/* first fetch still running past budget_ms, nothing cached */
} sts_status;

typedef struct sts_config {
	const char	*cache_path;
	const char	*ca_file;
	unsigned	fetch_timeout_ms;
	unsigned	refresh_min_s;
	unsigned	txt_recheck_s;
	unsigned	no_policy_max;
	time_t		(*now)(void);
	void		(*log)(int prio, const char *fmt, ...);
} sts_config;

typedef struct sts_ctx sts_ctx;

typedef struct sts_stats {
	unsigned long	lookups, hits, fetch_ok, fetch_failed, refreshes;
	unsigned long	refresh_failed;	/* fetches of a background refresh that failed */
	unsigned long	evicted;	/* no-policy entries forgotten at the cap */
	unsigned long	policies;	/* cached now */
	unsigned long	expiring;	/* ... enforce, expiring within STS_EXPIRY_WARN_S */
	unsigned long	at_risk;	/* ... of those, the refresh failed since the fetch */
	unsigned long	entries;	/* domains in the table now, with or without policy */
} sts_stats;

sts_ctx		*sts_open(dns_resolver *dns, const sts_config *cfg, char *err, size_t errlen);
sts_status	sts_lookup(sts_ctx *ctx, const char *domain, unsigned budget_ms,
		    sts_policy *out, char *why, size_t whylen, const char **fail_type);
int		sts_cache_peek(sts_ctx *ctx, const char *domain, sts_policy *out,
		    char *txt_id, size_t idlen);
void		sts_policy_free(sts_policy *p);
void		sts_close(sts_ctx *ctx);
void		sts_get_stats(sts_ctx *ctx, sts_stats *out);
const char	*sts_status_name(sts_status s);
const char	*sts_mode_name(sts_mode m);

#endif
