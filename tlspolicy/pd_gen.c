/*
 * pd_gen.c -- build, install and share generations (see pd_gen.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd_gen.h"
#include "sts_glue.h"

static void gen_free(gen_ref *ref);

static gen_slot gen_current = GEN_SLOT_INIT(gen_free);

static void
gen_free(gen_ref *ref)
{
	pd_gen	*g = (pd_gen *)ref;	/* ref is its first member */

	pd_engine_free(g->engine);
	sts_glue_close(g->sts);
	overrides_free(g->ov);
	dns_resolver_free(g->dns);
	pd_config_free(&g->cfg);
	free(g);
}

static int
gen_parts(pd_gen *g, int flags, char *err, size_t errlen)
{
	dns_config dc;
	pd_engine_config ec;

	memset(&dc, 0, sizeof(dc));
	dc.forwarders = g->cfg.resolver;
	dc.trust_anchor = g->cfg.trust_anchor_file;
	dc.unbound_config = g->cfg.unbound_config_file;
	dc.timeout_ms = g->cfg.dns_timeout * 1000;
	if ((g->dns = dns_resolver_new(&dc, err, errlen)) == NULL)
		return -1;
	if (g->cfg.overrides_file != NULL
	    && (g->ov = overrides_load(g->cfg.overrides_file, err, errlen)) == NULL)
		return -1;
	if (g->cfg.sts_enable && !(flags & PD_GEN_NO_STS)
	    && (g->sts = sts_glue_open(g->dns, &g->cfg, err, errlen)) == NULL
	    && sts_glue_available())
		return -1;
	memset(&ec, 0, sizeof(ec));
	ec.lookup = dns_lookup_rrset;
	ec.lookup_ctx = g->dns;
	ec.ov = g->ov;
	ec.sts = g->sts ? sts_glue_lookup : NULL;
	ec.sts_ctx = g->sts;
	ec.budget_ms = g->cfg.lookup_budget;
	ec.cache_ttl = g->cfg.cache_ttl;
	ec.temp_ttl = g->cfg.temp_cache_ttl;
	ec.cache_max = g->cfg.cache_size;
	ec.log_testing = g->cfg.log_testing;
	if ((g->engine = pd_engine_new(&ec)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

pd_gen *
pd_gen_build(const char *path, const char *socket, int flags, char *err, size_t errlen)
{
	pd_gen	*g = calloc(1, sizeof(*g));
	char	msg[512];

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pd_config_defaults(&g->cfg);
	if ((path != NULL && pd_config_load(&g->cfg, path, err, errlen) < 0)
	    || (socket != NULL && pd_config_set(&g->cfg, "Socket", socket, msg,
						sizeof(msg)) < 0
		&& (snprintf(err, errlen, "-p: %s", msg), 1))
	    || gen_parts(g, flags, err, errlen) < 0) {
		gen_free(&g->ref);
		return NULL;
	}
	g->ref.refs = 1;
	return g;
}

void
pd_gen_install(pd_gen *g)
{
	gen_slot_install(&gen_current, g ? &g->ref : NULL);
}

pd_gen *
pd_gen_acquire(void)
{
	return (pd_gen *)gen_slot_acquire(&gen_current);
}

void
pd_gen_release(pd_gen *g)
{
	gen_slot_release(&gen_current, g ? &g->ref : NULL);
}

void
pd_gen_shutdown(void)
{
	pd_gen_install(NULL);
}
