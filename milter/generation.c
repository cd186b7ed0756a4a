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
	dt_dane_state_free(g->dane);
	dt_context_free(g->ctx);
	dt_config_free(&g->cfg);
	free(g);
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
	    || (g->cfg.tlsa_target && (g->dane = dt_dane_state_new(&g->cfg,
	    dt_context_resolver(g->ctx), err, errlen)) == NULL)) {
		dt_context_free(g->ctx);
		dt_config_free(&g->cfg);
		free(g);
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
