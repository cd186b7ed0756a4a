/*
 * generation.c -- reference-counted configuration generations (see generation.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generation.h"

static void dt_gen_free(gen_ref *ref);

static gen_slot gen_current = GEN_SLOT_INIT(dt_gen_free);

static void
dt_gen_free(gen_ref *ref)
{
	dt_gen	*g = (dt_gen *)ref;	/* ref is its first member */
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
	dt_gen	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dt_config_defaults(&g->cfg);
	if ((path && dt_config_load(&g->cfg, path, err, errlen) < 0)
	    || (socket && dt_config_set(&g->cfg, "Socket", socket, err, errlen) < 0)
	    || (g->ctx = dt_context_new(&g->cfg, err, errlen)) == NULL
	    || dt_gen_dane_new(g, err, errlen) < 0) {
		dt_gen_free(&g->ref);
		return -1;
	}
	/* the context keeps a pointer to g->cfg: g never moves */
	g->ref.refs = 1;
	gen_slot_install(&gen_current, &g->ref);
	return 0;
}

dt_gen *
dt_gen_acquire(void)
{
	return (dt_gen *)gen_slot_acquire(&gen_current);
}

void
dt_gen_release(dt_gen *g)
{
	gen_slot_release(&gen_current, g ? &g->ref : NULL);
}

void
dt_gen_shutdown(void)
{
	gen_slot_install(&gen_current, NULL);
}
