/*
 * dns_cache.h -- answers kept for their TTL, in front of libunbound.
 *
 * SYNOPSIS
 *	dns_cache *dns_cache_new(size_t max_entries);
 *	void dns_cache_free(dns_cache *c);
 *	int dns_cache_get(dns_cache *c, const char *name, int rrtype, long now,
 *	                  dns_rrset *out);
 *	void dns_cache_put(dns_cache *c, const char *name, int rrtype, long now,
 *	                   const dns_rrset *rs);
 *	int dns_rrset_copy(dns_rrset *dst, const dns_rrset *src);
 *
 * DESCRIPTION
 *	libunbound caches too, but every question to it, answered from its
 *	cache or not, crosses a pipe to its worker thread and back; a message
 *	asks 8 to 10 questions, most of them the same as the last message's.
 *	This cache answers those in the asking thread. It keeps answers that
 *	say something (records, NODATA, NXDOMAIN) for their TTL, at most
 *	DNS_CACHE_MAX_TTL, with their DNSSEC state; failures are never kept.
 *	Names are compared without regard to case. When full, the oldest
 *	entry goes. now is a monotonic time in seconds (the caller's clock, so
 *	tests can move it). Thread-safe.
 *
 *	dns_cache_get() fills *out with a copy the caller frees with
 *	dns_rrset_free(); it returns 1 on a hit, 0 on a miss.
 */
#ifndef DMARCTLS_DNS_CACHE_H
#define DMARCTLS_DNS_CACHE_H

#include <stddef.h>

#include "dns.h"

#define DNS_CACHE_MAX_TTL	3600
#define DNS_CACHE_ENTRIES	20000

typedef struct dns_cache dns_cache;

dns_cache	*dns_cache_new(size_t max_entries);
void		dns_cache_free(dns_cache *c);
int		dns_cache_get(dns_cache *c, const char *name, int rrtype, long now,
		    dns_rrset *out);
void		dns_cache_put(dns_cache *c, const char *name, int rrtype, long now,
		    const dns_rrset *rs);
int		dns_rrset_copy(dns_rrset *dst, const dns_rrset *src);

#endif
