/*
 * cli.c -- the command-line tools' configuration (see cli.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* cli_set_path - a key from a path that may be relative ("none" passes as is) */
static int
cli_set_path(dt_config *cfg, const char *key, const char *path, char *err, size_t errlen)
{
	char	*abs;
	int	rc;

	if (strcmp(path, "none") == 0)
		return dt_config_set(cfg, key, path, err, errlen);
	if ((abs = realpath(path, NULL)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = dt_config_set(cfg, key, abs, err, errlen);
	free(abs);
	return rc;
}

int
cli_config(dt_config *cfg, const cli_overrides *o, char *err, size_t errlen)
{
	dt_config_defaults(cfg);
	if ((o->config && dt_config_load(cfg, o->config, err, errlen) < 0)
	    || (o->resolver && dt_config_set(cfg, "Resolver", o->resolver, err, errlen) < 0)
	    || (o->trust_anchor && cli_set_path(cfg, "TrustAnchorFile", o->trust_anchor,
	    err, errlen) < 0)
	    || (o->unbound_config && cli_set_path(cfg, "UnboundConfigFile", o->unbound_config,
	    err, errlen) < 0)
	    || (o->authserv_id && dt_config_set(cfg, "AuthservID", o->authserv_id,
	    err, errlen) < 0)) {
		dt_config_free(cfg);
		return -1;
	}
	return 0;
}
