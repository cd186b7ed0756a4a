/*
 * spf_dns.h -- a libspf2 DNS layer that asks the project's one DNS layer.
 *
 * SYNOPSIS
 *	SPF_dns_server_t *spf_dns_layer_new(dns_resolver *r);
void		spf_dns_check_begin(void);
 *	void spf_dns_check_begin(void);
 *
 * DESCRIPTION
 *	Returns a libspf2 SPF_dns_server_t whose lookups go through dns.h
 *	(libunbound: shared cache, DNSSEC state, bounded time). NXDOMAIN,
 *	NODATA and failures map to the h_errno values libspf2 understands
 *	(HOST_NOT_FOUND, NO_DATA, TRY_AGAIN), so a DNS failure becomes an SPF
 *	temperror, never a none. The layer is freed by SPF_server_free() (or
 *	SPF_dns_free()); the resolver is not owned.
 *
 *	Except where the client's own DNS is asked (RFC 7208 5.5): the client
 *	chooses its reverse zone, so a failed PTR lookup is reported as
 *	HOST_NOT_FOUND ("the mechanism fails to match", and %{p} "unknown",
 *	section 7.3), as is a failed A/AAAA lookup of a name that a PTR answer
 *	of the same check gave ("that domain name is skipped"). Otherwise a
 *	silent reverse zone would make the MAIL FROM check of a domain whose
 *	record uses ptr a temperror for a forger. spf_dns_check_begin() starts
 *	a check: it forgets the PTR names of the calling thread's last one.
 */
#ifndef DMARCTLS_SPF_DNS_H
#define DMARCTLS_SPF_DNS_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>

#include "dns.h"

SPF_dns_server_t *spf_dns_layer_new(dns_resolver *r);
void		spf_dns_check_begin(void);

#endif
