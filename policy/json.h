/*
 * json.h -- the JSON form of a verdict (dmarctls-check --json, a public interface).
 *
 * SYNOPSIS
 *	int dt_verdict_json(const dt_verdict *v, strbuf *out);
 *	void json_string(strbuf *out, const char *s);
 *
 * DESCRIPTION
 *	Writes one JSON object with the keys documented in README.md and
 *	DESIGN.md: action, smtp_reply, spf, dkim[], dmarc, dmarc_all[], tls,
 *	headers[]. Strings are escaped for JSON whatever bytes they hold
 *	(control characters as \u00XX, invalid UTF-8 bytes as U+FFFD), so
 *	hostile DNS or header data cannot break the document.
 */
#ifndef DMARCTLS_JSON_H
#define DMARCTLS_JSON_H

#include "strbuf.h"
#include "verdict.h"

int	dt_verdict_json(const dt_verdict *v, strbuf *out);
void	json_string(strbuf *out, const char *s);

#endif
