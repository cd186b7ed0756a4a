/*
 * cli.h -- what the command-line tools share: their configuration.
 *
 * SYNOPSIS
 *	int cli_config(dt_config *cfg, const cli_overrides *o, char *err, size_t errlen);
 *
 * DESCRIPTION
 *	The defaults, then the -c file, then each command-line override, in
 *	that order, so that an option always wins over the file. Paths given
 *	on a command line may be relative (the configuration itself wants
 *	absolute ones): they are resolved first. Returns 0, or -1 with the
 *	reason in err and *cfg freed.
 */
#ifndef DMARCTLS_CLI_H
#define DMARCTLS_CLI_H

#include <stddef.h>

#include "config.h"

typedef struct cli_overrides {
	const char	*config;		/* -c FILE */
	const char	*resolver;		/* --resolver */
	const char	*trust_anchor;		/* --trust-anchor (or "none") */
	const char	*unbound_config;	/* --unbound-config */
	const char	*authserv_id;		/* --authserv-id */
} cli_overrides;

int	cli_config(dt_config *cfg, const cli_overrides *o, char *err, size_t errlen);

#endif
