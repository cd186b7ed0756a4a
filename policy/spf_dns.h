/*
 * spf_dns.h -- a libspf2 DNS layer that asks the project's one DNS layer.
 *
 * SYNOPSIS
 *	SPF_dns_server_t *spf_dns_layer_new(dns_resolver *r);
 *
 * DESCRIPTION
 *	Returns a libspf2 SPF_dns_server_t whose lookups go through dns.h
 *	(libunbound: shared cache, DNSSEC state, bounded time). NXDOMAIN,
 *	NODATA and failures map to the h_errno values libspf2 understands
 *	(HOST_NOT_FOUND, NO_DATA, TRY_AGAIN), so a DNS failure becomes an SPF
 *	temperror, never a none. The layer is freed by SPF_server_free() (or
 *	SPF_dns_free()); the resolver is not owned.
 */
#ifndef DMARCTLS_SPF_DNS_H
#define DMARCTLS_SPF_DNS_H

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>

#include "dns.h"

SPF_dns_server_t *spf_dns_layer_new(dns_resolver *r);

#endif
