/*
 * authres_fate.c -- the fate of one incoming A-R field (see authres_fate.h).
 */
#include <stdlib.h>
#include <strings.h>

#include "authres_fate.h"
#include "authres_parse.h"

authres_fate
authres_field_fate(const char *value, size_t len, const dt_config *cfg, int trusted_client)
{
	char	*id = authres_authserv_id(value, len);
	authres_parsed p;
	authres_fate f = AUTHRES_KEEP;
	char	err[64];

	if (id == NULL)
		return AUTHRES_UNREADABLE;
	if (strcasecmp(id, cfg->authserv_id) == 0)
		f = AUTHRES_OURS;
	else if (dt_config_trusted_id(cfg, id))
		f = trusted_client ? AUTHRES_KEEP : AUTHRES_TRUSTED_ID_FROM_STRANGER;
	else if (authres_parse(value, len, &p, err, sizeof(err)) < 0)
		f = AUTHRES_UNREADABLE;
	else
		authres_parsed_free(&p);
	free(id);
	return f;
}

const char *
authres_fate_name(authres_fate f)
{
	switch (f) {
	case AUTHRES_OURS: return "ours";
	case AUTHRES_TRUSTED_ID_FROM_STRANGER: return "trusted-id-from-stranger";
	case AUTHRES_UNREADABLE: return "unreadable";
	default: return "keep";
	}
}
