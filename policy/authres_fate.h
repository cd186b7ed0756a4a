/*
 * authres_fate.h -- which incoming Authentication-Results fields must go (RFC 8601 5).
 *
 * SYNOPSIS
 *	authres_fate authres_field_fate(const char *value, size_t len,
 *	                                const dt_config *cfg, int trusted_client);
 *	const char *authres_fate_name(authres_fate f);
 *
 * DESCRIPTION
 *	A reader believes an Authentication-Results field by its authserv-id,
 *	so a field a stranger wrote under an id the reader trusts is a forgery
 *	that must not reach it. One field's fate, in this order:
 *	- the authserv-id cannot be read: AUTHRES_UNREADABLE, removed;
 *	- it is our AuthservID (any case): AUTHRES_OURS, removed, whoever sent it;
 *	- it is one of TrustedAuthservIDs (hosts of our own ADMD, such as an
 *	  inbound relay in front of us): kept when the client is in
 *	  TrustedNetworks (trusted_client), that relay; from any other client
 *	  AUTHRES_TRUSTED_ID_FROM_STRANGER, removed;
 *	- the rest of the field does not parse: AUTHRES_UNREADABLE, removed;
 *	- otherwise (another ADMD's readable result) AUTHRES_KEEP.
 */
#ifndef DMARCTLS_AUTHRES_FATE_H
#define DMARCTLS_AUTHRES_FATE_H

#include <stddef.h>

#include "config.h"

typedef enum {
	AUTHRES_KEEP = 0,
	AUTHRES_OURS,
	AUTHRES_TRUSTED_ID_FROM_STRANGER,
	AUTHRES_UNREADABLE
} authres_fate;

authres_fate	authres_field_fate(const char *value, size_t len, const dt_config *cfg,
		    int trusted_client);
const char	*authres_fate_name(authres_fate f);

#endif
