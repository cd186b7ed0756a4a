/*
 * generation.h -- the configuration in force, swapped whole on reload.
 *
 * SYNOPSIS
 *	int dt_gen_load(const char *path, const char *socket, char *err, size_t errlen);
 *	dt_gen *dt_gen_acquire(void);
 *	dt_dane_state *dt_gen_dane(const dt_gen *g, const char *daemon_name,
 *	                           const char *daemon_addr);
 *	void dt_gen_dane_refresh(dt_gen *g, long now);
 *	void dt_gen_release(dt_gen *g);
 *	void dt_gen_shutdown(void);
 *
 * DESCRIPTION
 *	A generation is one loaded configuration and the engines built from
 *	it (resolver, SPF, DKIM: a dt_context). A connection acquires the
 *	current generation when it starts and releases it when it ends, so a
 *	reload (SIGHUP) never changes the rules under a session in progress and
 *	never drops one: new connections get the new generation, the old one
 *	is freed when its last connection ends.
 *
 *	dt_gen_dane() picks the DANE state of the listener a connection came
 *	in on: the DANEEndpoint whose selector is its {daemon_name} or
 *	{daemon_addr}, else the TLSATarget one (or NULL).
 *
 *	dt_gen_load() reads the file (or only the defaults when path is NULL),
 *	builds the engines (and, with TLSATarget, reads the served chain and
 *	runs the first DANE self-check), and makes the result current; on any error the
 *	generation in force stays, and err says why. socket, when not NULL,
 *	overrides the Socket key (the -p option).
 */
#ifndef DMARCTLS_GENERATION_H
#define DMARCTLS_GENERATION_H

#include <stddef.h>

#include "config.h"
#include "dane_state.h"
#include "gen_slot.h"
#include "verdict.h"

typedef struct dt_gen {
	gen_ref		ref;		/* first: the connections, plus one
					 * while current */
	dt_config	cfg;
	dt_context	*ctx;
	dt_dane_state	*dane;		/* TLSATarget; NULL without it */
	dt_dane_state	*endpoint[DT_DANE_ENDPOINTS_MAX];	/* each DANEEndpoint */
	size_t		nendpoints;
} dt_gen;

int	dt_gen_load(const char *path, const char *socket, char *err, size_t errlen);
dt_gen	*dt_gen_acquire(void);
dt_dane_state *dt_gen_dane(const dt_gen *g, const char *daemon_name, const char *daemon_addr);
void	dt_gen_dane_refresh(dt_gen *g, long now);
void	dt_gen_release(dt_gen *g);
void	dt_gen_shutdown(void);

#endif
