/*
 * authres_parse.h -- read an Authentication-Results header value (RFC 8601).
 *
 * SYNOPSIS
 *	authres_parsed p;
 *	char err[128];
 *
 *	if (authres_parse(value, len, &p, err, sizeof(err)) == 0) {
 *		... p.authserv_id, p.results[0].method, ...
 *		authres_parsed_free(&p);
 *	}
 *	char *id = authres_authserv_id(value, len);	   for RFC 8601 section 5
 *
 * DESCRIPTION
 *	See authres_parse.c. The limits (AUTHRES_MAX_RESULTS,
 *	AUTHRES_MAX_PROPS, AUTHRES_MAX_KEYWORD, AUTHRES_MAX_VALUE) come from
 *	authres.h and are the builder's, so a parsed header can always be
 *	written again.
 */
#ifndef DMARCTLS_AUTHRES_PARSE_H
#define DMARCTLS_AUTHRES_PARSE_H

#include <stddef.h>

#include "authres.h"

/* Comment nesting the full parser accepts; deeper is a syntax error. */
#define AUTHRES_MAX_COMMENT_DEPTH	32

typedef struct authres_prop_kv {
	char	*ptype;		/* "" for a bare key=value (e.g. action=none) */
	char	*property;
	char	*value;		/* unquoted, unescaped, unfolded */
} authres_prop_kv;

typedef struct authres_result {
	char	*method;	/* as written; compare case-insensitively */
	char	*version;	/* method-version digits, or NULL */
	char	*result;
	char	*reason;	/* or NULL */
	size_t	nprops;
	authres_prop_kv props[AUTHRES_MAX_PROPS];
} authres_result;

typedef struct authres_parsed {
	char	*authserv_id;
	char	*version;	/* authres-version digits, or NULL */
	size_t	nresults;
	authres_result results[AUTHRES_MAX_RESULTS];
	int	none;		/* the "; none" form */
} authres_parsed;

int	authres_parse(const char *value, size_t len, authres_parsed *out,
	    char *err, size_t errlen);
void	authres_parsed_free(authres_parsed *p);
char	*authres_authserv_id(const char *value, size_t len);

#endif
