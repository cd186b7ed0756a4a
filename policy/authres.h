/*
 * authres.h -- build an Authentication-Results header value (RFC 8601).
 *
 * SYNOPSIS
 *	authres *ar = authres_new("mx.example.org");
 *	authres_method(ar, "spf", "pass");
 *	authres_prop(ar, "smtp", "mailfrom", "example.com");
 *	authres_method(ar, "dmarc", "fail");
 *	authres_comment(ar, "p=reject sp=none dis=reject");
 *	authres_prop(ar, "header", "from", "example.com");
 *	char *v = authres_render(ar, 1);	   value after "Authentication-Results:"
 *	free(v);
 *	authres_free(ar);
 *
 * DESCRIPTION
 *	See authres.c. Every function that takes text returns -1 (and
 *	changes nothing) when the text could break out of its field.
 *	The limits below are shared with the parser (authres_parse.h), so
 *	that whatever the parser accepts the builder can write again.
 */
#ifndef DMARCTLS_AUTHRES_H
#define DMARCTLS_AUTHRES_H

#include <stddef.h>

#define AUTHRES_MAX_RESULTS	64	/* resinfo per header */
#define AUTHRES_MAX_PROPS	16	/* propspec per resinfo */
#define AUTHRES_MAX_COMMENTS	4	/* comments per resinfo (builder) */
#define AUTHRES_MAX_KEYWORD	64	/* method, result, ptype, property, version */
#define AUTHRES_MAX_VALUE	400	/* authserv-id, reason, pvalue, comment */

/*
 * Line lengths (RFC 5322 section 2.1.1). AUTHRES_FIELD_NAME_LEN is the
 * width of "Authentication-Results: ", which precedes the first line.
 */
#define AUTHRES_LINE_SOFT	78
#define AUTHRES_LINE_HARD	998
#define AUTHRES_FIELD_NAME_LEN	24

typedef struct authres authres;

authres	*authres_new(const char *authserv_id);
void	authres_free(authres *ar);
int	authres_method(authres *ar, const char *method, const char *result);
int	authres_reason(authres *ar, const char *reason);
int	authres_comment(authres *ar, const char *comment);
int	authres_prop(authres *ar, const char *ptype, const char *property,
	    const char *value);
char	*authres_render(const authres *ar, int crlf);

/* 1 if ptype is registered at IANA (smtp header body policy dns). */
int	authres_ptype_registered(const char *ptype);

#endif
