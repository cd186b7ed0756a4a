/*
 * generation.c -- reference-counted configuration generations (see generation.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generation.h"

static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;
static dt_gen *gen_current;
static unsigned gen_serial;

static void
dt_gen_free(dt_gen *g)
{
	size_t	i;

	for (i = 0; i < g->nendpoints; i++)
		dt_dane_state_free(g->endpoint[i]);
	dt_dane_state_free(g->dane);
	dt_context_free(g->ctx);
	dt_config_free(&g->cfg);
	free(g);
}

/* dt_gen_dane_new - the DANE states of the configuration's endpoints */
static int
dt_gen_dane_new(dt_gen *g, char *err, size_t errlen)
{
	const dt_config *c = &g->cfg;
	dns_resolver *r = dt_context_resolver(g->ctx);
	size_t	i;

	if (c->tlsa_target && c->tls_certificate == NULL) {
		snprintf(err, errlen, "TLSATarget needs TLSCertificate (the chain the MTA serves)");
		return -1;
	}
	if (c->tlsa_target
	    && (g->dane = dt_dane_state_new(c->tlsa_target, c->tls_certificate, r, err,
	    errlen)) == NULL)
		return -1;
	for (i = 0; i < c->ndane_endpoints; i++) {
		const dt_dane_endpoint *e = &c->dane_endpoints[i];

		if ((g->endpoint[i] = dt_dane_state_new(e->owner, e->certs, r, err, errlen)) == NULL) {
			char	where[512], why[512];

			/* say which DANEEndpoint line, as -n does */
			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: DANEEndpoint: %s",
			    dt_config_endpoint_origin(c, i, where, sizeof(where)), why);
			return -1;
		}
		g->nendpoints = i + 1;
	}
	return 0;
}

dt_dane_state *
dt_gen_dane(const dt_gen *g, const char *daemon_name, const char *daemon_addr)
{
	size_t	i;

	for (i = 0; i < g->nendpoints; i++) {
		const char *sel = g->cfg.dane_endpoints[i].selector;

		if ((daemon_name && strcmp(sel, daemon_name) == 0)
		    || (daemon_addr && strcmp(sel, daemon_addr) == 0))
			return g->endpoint[i];
	}
	return g->dane;
}

void
dt_gen_dane_refresh(dt_gen *g, long now)
{
	size_t	i;

	if (g->dane)
		dt_dane_state_refresh(g->dane, now);
	for (i = 0; i < g->nendpoints; i++)
		dt_dane_state_refresh(g->endpoint[i], now);
}

int
dt_gen_load(const char *path, const char *socket, char *err, size_t errlen)
{
	dt_gen	*g, *old;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dt_config_defaults(&g->cfg);
	if ((path && dt_config_load(&g->cfg, path, err, errlen) < 0)
	    || (socket && dt_config_set(&g->cfg, "Socket", socket, err, errlen) < 0)
	    || (g->ctx = dt_context_new(&g->cfg, err, errlen)) == NULL
	    || dt_gen_dane_new(g, err, errlen) < 0) {
		dt_gen_free(g);
		return -1;
	}
	/* the context keeps a pointer to g->cfg: g never moves */
	g->refs = 1;
	pthread_mutex_lock(&gen_lock);
	g->serial = ++gen_serial;
	old = gen_current;
	gen_current = g;
	pthread_mutex_unlock(&gen_lock);
	if (old)
		dt_gen_release(old);
	return 0;
}

dt_gen *
dt_gen_acquire(void)
{
	dt_gen	*g;

	pthread_mutex_lock(&gen_lock);
	if ((g = gen_current) != NULL)
		g->refs++;
	pthread_mutex_unlock(&gen_lock);
	return g;
}

void
dt_gen_release(dt_gen *g)
{
	int	last;

	if (g == NULL)
		return;
	pthread_mutex_lock(&gen_lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&gen_lock);
	if (last)
		dt_gen_free(g);
}

void
dt_gen_shutdown(void)
{
	dt_gen	*g;

	pthread_mutex_lock(&gen_lock);
	g = gen_current;
	gen_current = NULL;
	pthread_mutex_unlock(&gen_lock);
	dt_gen_release(g);
}
