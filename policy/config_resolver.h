/*
 * config_resolver.h -- the resolver a dmarctls.conf describes.
 *
 * SYNOPSIS
 *	dns_resolver *dt_config_resolver(const dt_config *c, char *err, size_t errlen);
 *
 * DESCRIPTION
 *	A resolver (dns.h) with c's Resolver, TrustAnchorFile,
 *	UnboundConfigFile and DNSTimeout; NULL with err when libunbound
 *	refuses them. The milter, dmarctls-dane and dmarctls-reports each
 *	open theirs this way, so that the three resolve alike.
 */
#ifndef DMARCTLS_CONFIG_RESOLVER_H
#define DMARCTLS_CONFIG_RESOLVER_H

#include <stddef.h>

#include "config.h"
#include "dns.h"

dns_resolver *dt_config_resolver(const dt_config *c, char *err, size_t errlen);

#endif
