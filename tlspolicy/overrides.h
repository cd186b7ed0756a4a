/*
 * overrides.h -- the local overrides file: "domain level [attributes]" lines.
 *
 * SYNOPSIS
 *	overrides *overrides_load(const char *path, char *err, size_t errlen);
 *	const char *overrides_find(const overrides *o, const char *domain);
 *	size_t overrides_count(const overrides *o);
 *	void overrides_free(overrides *o);
 *
 * DESCRIPTION
 *	The file is read with the configuration lexer (util/cfg_file.c):
 *	'#' comments, blank lines, at most CFG_LINE_MAX bytes per line. Each
 *	line is
 *	    DOMAIN LEVEL [ATTRIBUTE=VALUE ...]
 *	DOMAIN is a host name (matched exactly, case-insensitively) or
 *	".example.net" (any name below example.net, not example.net
 *	itself). LEVEL is a Postfix TLS security level: none, may, encrypt,
 *	fingerprint, dane, dane-only, verify, secure. Attributes are those
 *	of smtp_tls_policy_maps that need no braces: ciphers, protocols,
 *	exclude, match, tafile, servername, connection_reuse, enable_rpk;
 *	values of printable ASCII without blanks, commas or braces.
 *	overrides_find() returns the "LEVEL ATTR=VALUE ..." text (single
 *	blanks) of the first line whose DOMAIN matches, or NULL.
 *
 *	overrides_load() returns NULL with "file:line: what" in err on the
 *	first bad line, on more than OVERRIDES_MAX lines, or when the file
 *	cannot be read; the daemon then keeps the overrides it had.
 */
#ifndef DMARCTLS_OVERRIDES_H
#define DMARCTLS_OVERRIDES_H

#include <stddef.h>

#define OVERRIDES_MAX	100000

typedef struct overrides overrides;

overrides *overrides_load(const char *path, char *err, size_t errlen);
const char *overrides_find(const overrides *o, const char *domain);
size_t	overrides_count(const overrides *o);
void	overrides_free(overrides *o);

#endif
