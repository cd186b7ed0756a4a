/*
 * pd_gen.c -- build, install and share generations (see pd_gen.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd_gen.h"
#include "sts_glue.h"

static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;
static pd_gen *gen_current;

static void
gen_free(pd_gen *g)
{
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
		gen_free(g);
		return NULL;
	}
	g->refs = 1;
	return g;
}

void
pd_gen_install(pd_gen *g)
{
	pd_gen	*old;

	pthread_mutex_lock(&gen_lock);
	old = gen_current;
	gen_current = g;
	pthread_mutex_unlock(&gen_lock);
	if (old)
		pd_gen_release(old);
}

pd_gen *
pd_gen_acquire(void)
{
	pd_gen	*g;

	pthread_mutex_lock(&gen_lock);
	if ((g = gen_current) != NULL)
		g->refs++;
	pthread_mutex_unlock(&gen_lock);
	return g;
}

void
pd_gen_release(pd_gen *g)
{
	int	last;

	if (g == NULL)
		return;
	pthread_mutex_lock(&gen_lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&gen_lock);
	if (last)
		gen_free(g);
}

void
pd_gen_shutdown(void)
{
	pd_gen_install(NULL);
}
