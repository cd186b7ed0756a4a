/*
 * pd_gen.h -- reference-counted generations of the daemon's configuration.
 *
 * SYNOPSIS
 *	pd_gen *pd_gen_build(const char *path, const char *socket, int flags,
 *		char *err, size_t errlen);
 *	void pd_gen_install(pd_gen *g);
 *	pd_gen *pd_gen_acquire(void);
 *	void pd_gen_release(pd_gen *g);
 *	void pd_gen_shutdown(void);
 *
 * DESCRIPTION
 *	A generation is everything one configuration file makes: the
 *	pd_config, the resolver, the overrides, the MTA-STS context and the
 *	decision engine (with its cache). pd_gen_build() makes one from path
 *	(NULL: the defaults) with socket, when not NULL, replacing Socket
 *	(the -p option); NULL with err when anything in it fails. With
 *	PD_GEN_NO_STS in flags the MTA-STS module is left out: no cache file
 *	is opened and no thread started. The daemon checks its file that way
 *	as root (-n, and before it listens), and builds the generation it
 *	serves only after the drop to UserID and after daemon(3): the
 *	STSCacheFile is then created by, and writable for, that user, and
 *	the module's threads are those of the process that serves.
 *	pd_gen_install() makes g the one requests get from pd_gen_acquire();
 *	the one it replaces is freed when its last request releases it.
 *	A SIGHUP therefore builds, and installs only on success: a broken
 *	file or overrides file keeps the generation in force.
 */
#ifndef DMARCTLS_PD_GEN_H
#define DMARCTLS_PD_GEN_H

#include <stddef.h>

#include "decide.h"
#include "dns.h"
#include "gen_slot.h"
#include "overrides.h"
#include "pd_config.h"

typedef struct pd_gen {
	gen_ref		ref;		/* first: requests, plus one while installed */
	pd_config	cfg;
	dns_resolver	*dns;
	overrides	*ov;
	void		*sts;		/* sts_glue context, NULL when off */
	pd_engine	*engine;
} pd_gen;

#define PD_GEN_NO_STS	1

pd_gen	*pd_gen_build(const char *path, const char *socket, int flags, char *err,
	    size_t errlen);
void	pd_gen_install(pd_gen *g);
pd_gen	*pd_gen_acquire(void);
void	pd_gen_release(pd_gen *g);
void	pd_gen_shutdown(void);

#endif
