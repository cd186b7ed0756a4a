/*
 * config_resolver.c -- the resolver a dmarctls.conf describes (see config_resolver.h).
 */
#include <string.h>

#include "config_resolver.h"

dns_resolver *
dt_config_resolver(const dt_config *c, char *err, size_t errlen)
{
	dns_config dc;

	memset(&dc, 0, sizeof(dc));
	dc.forwarders = c->resolver;
	dc.trust_anchor = c->trust_anchor_file;
	dc.unbound_config = c->unbound_config_file;
	dc.timeout_ms = c->dns_timeout * 1000;
	return dns_resolver_new(&dc, err, errlen);
}
