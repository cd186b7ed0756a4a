/*
 * NAME
 *	authres_parse -- read an Authentication-Results header value (RFC 8601)
 *
 * SYNOPSIS
 *	#include "authres_parse.h"
 *
 *	int	authres_parse(const char *value, size_t len,
 *		    authres_parsed *out, char *err, size_t errlen)
 *	void	authres_parsed_free(authres_parsed *p)
 *	char	*authres_authserv_id(const char *value, size_t len)
 *
 * DESCRIPTION
 *	authres_parse() reads the value of one Authentication-Results field
 *	(everything after the colon, folded or not) following the grammar
 *	of RFC 8601 section 2.2:
 *
 *	    [CFWS] authserv-id [CFWS version] ( ";" "none" / 1*resinfo )
 *	    resinfo = ";" method[/version] "=" result [reason=value]
 *		      *( ptype.property=pvalue )
 *
 *	CFWS (spaces, tabs, CR and LF of folded lines, and comments, nested
 *	up to AUTHRES_MAX_COMMENT_DEPTH) may appear between any two
 *	elements. On success it returns 0 and *out holds copies of every
 *	field, unquoted and unescaped; the caller releases them with
 *	authres_parsed_free(). On error it returns -1, *out is empty, and
 *	err (when not NULL) says what and where.
 *
 *	What is lenient, because real headers need it:
 *	- empty resinfo (";;", a trailing ";", "none;" as Microsoft writes);
 *	- a bare pvalue runs to the next space, ";" or "(", so unquoted
 *	  IPv6 addresses and base64 (header.b=ab/c+d=) are read whole;
 *	- a bare key=value without ptype ("action=none") is kept as a
 *	  property with ptype "";
 *	- a reason may follow properties; unknown methods, results and
 *	  ptypes are kept as text.
 *	What is strict, because it decides what a reader sees: the
 *	authserv-id must come first and be an RFC 2045 value followed only
 *	by an optional version and ";"; methods, results, ptypes and
 *	properties are Keywords (letters, digits, "-"); values, keywords,
 *	the number of results and of properties are bounded (authres.h).
 *
 *	authres_authserv_id() returns only the authserv-id, in memory from
 *	malloc(), or NULL when none can be read. It is for the forged-header
 *	check of RFC 8601 section 5, so it reads exactly as far as the id:
 *	leading comments and folding are skipped (at any nesting depth, so
 *	that deep comments cannot hide an id that another reader would
 *	find), a quoted-string id is unquoted, and whatever follows the id
 *	(a version, garbage) is ignored. The case is kept; compare it
 *	case-insensitively.
 *
 * SECURITY
 *	Input is hostile. Scanning is iterative and linear: comment
 *	nesting is counted, not recursed. A NUL byte makes authres_parse()
 *	fail; authres_authserv_id() stops at it, as a C reader would.
 *	Control characters other than TAB in a quoted-string are an error,
 *	never copied, so a parsed value never carries CR, LF or NUL.
 */

/* System library. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Application-specific. */
#include "strbuf.h"
#include "authres_parse.h"

typedef struct lexer {
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	size_t	max_depth;	/* comment nesting allowed */
	char	*err;
	size_t	errlen;
} lexer;

static int
fail(lexer *lx, const char *msg)
{
	if (lx->err != NULL && lx->errlen > 0)
		snprintf(lx->err, lx->errlen, "%s at offset %zu", msg,
		    (size_t)(lx->p - lx->start));
	return -1;
}

static int
at_end(const lexer *lx)
{
	return lx->p >= lx->end;
}

static int
peek_is(const lexer *lx, unsigned char c)
{
	return lx->p < lx->end && *lx->p == c;
}

static int
is_wsp(unsigned char c)
{
	/* CR and LF only occur here as line folding; unfold them away. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 2045 token characters; bytes >= 0x80 allowed (RFC 6532). */
static int
is_token_char(unsigned char c)
{
	return c > 0x20 && c != 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static int
is_keyword_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || c == '-';
}

/* A bare (unquoted) pvalue ends at whitespace, ";", a comment or a quote. */
static int
is_bare_pvalue_char(unsigned char c)
{
	return c > 0x20 && c != 0x7f && strchr(";()\"\\", c) == NULL;
}

/* Skip a comment whose "(" is at lx->p; depth counted, no recursion. */
static int
skip_comment(lexer *lx)
{
	size_t	depth = 0;
	unsigned char c;

	while (lx->p < lx->end) {
		c = *lx->p++;
		if (c == '\\') {
			if (lx->p < lx->end)
				lx->p++;
		} else if (c == '(') {
			if (++depth > lx->max_depth)
				return fail(lx, "comments nested too deeply");
		} else if (c == ')') {
			if (--depth == 0)
				return 0;
		}
	}
	return fail(lx, "unterminated comment");
}

/* [CFWS]: whitespace, folding and comments. */
static int
skip_cfws(lexer *lx)
{
	while (lx->p < lx->end) {
		if (is_wsp(*lx->p))
			lx->p++;
		else if (*lx->p == '(') {
			if (skip_comment(lx) < 0)
				return -1;
		} else
			break;
	}
	return 0;
}

static int
take(lexer *lx, const unsigned char *from, char **out)
{
	if ((*out = strndup((const char *)from, (size_t)(lx->p - from))) == NULL)
		return fail(lx, "out of memory");
	return 0;
}

/* quoted-string (RFC 5322 3.2.4), unquoted and unfolded into *out. */
static int
read_quoted(lexer *lx, char **out)
{
	strbuf	sb = STRBUF_INIT;
	unsigned char c;

	lx->p++;				/* the opening quote */
	for (;;) {
		if (at_end(lx))
			goto bad_end;
		c = *lx->p++;
		if (c == '"')
			break;
		if (c == '\r' || c == '\n')
			continue;		/* FWS: unfold */
		if (c == '\\') {
			if (at_end(lx))
				goto bad_end;
			c = *lx->p++;
		}
		if (is_ctl(c) && c != '\t') {
			strbuf_free(&sb);
			return fail(lx, "control character in quoted-string");
		}
		if (sb.len >= AUTHRES_MAX_VALUE) {
			strbuf_free(&sb);
			return fail(lx, "value too long");
		}
		strbuf_appendc(&sb, (char)c);
	}
	if (sb.failed || (*out = strbuf_detach(&sb)) == NULL) {
		strbuf_free(&sb);
		return fail(lx, "out of memory");
	}
	return 0;

bad_end:
	strbuf_free(&sb);
	return fail(lx, "unterminated quoted-string");
}

/* value (RFC 2045): token or quoted-string. */
static int
read_value(lexer *lx, char **out)
{
	const unsigned char *from = lx->p;

	if (peek_is(lx, '"'))
		return read_quoted(lx, out);
	while (lx->p < lx->end && is_token_char(*lx->p))
		lx->p++;
	if (lx->p == from)
		return fail(lx, "expected a value");
	if ((size_t)(lx->p - from) > AUTHRES_MAX_VALUE)
		return fail(lx, "value too long");
	return take(lx, from, out);
}

/* pvalue or reason: quoted-string, or a bare run (possibly empty). */
static int
read_pvalue(lexer *lx, char **out)
{
	const unsigned char *from = lx->p;

	if (peek_is(lx, '"'))
		return read_quoted(lx, out);
	while (lx->p < lx->end && is_bare_pvalue_char(*lx->p))
		lx->p++;
	if ((size_t)(lx->p - from) > AUTHRES_MAX_VALUE)
		return fail(lx, "value too long");
	return take(lx, from, out);
}

static int
read_keyword(lexer *lx, char **out)
{
	const unsigned char *from = lx->p;

	while (lx->p < lx->end && is_keyword_char(*lx->p))
		lx->p++;
	if (lx->p == from)
		return fail(lx, "expected a keyword");
	if ((size_t)(lx->p - from) > AUTHRES_MAX_KEYWORD)
		return fail(lx, "keyword too long");
	return take(lx, from, out);
}

static int
read_digits(lexer *lx, char **out)
{
	const unsigned char *from = lx->p;

	while (lx->p < lx->end && is_digit(*lx->p))
		lx->p++;
	if (lx->p == from)
		return fail(lx, "expected a version number");
	if ((size_t)(lx->p - from) > AUTHRES_MAX_KEYWORD)
		return fail(lx, "version too long");
	return take(lx, from, out);
}

static int
expect(lexer *lx, unsigned char c, const char *msg)
{
	if (!peek_is(lx, c))
		return fail(lx, msg);
	lx->p++;
	return 0;
}

/* After "=": [CFWS] pvalue. */
static int
read_assigned_value(lexer *lx, char **out)
{
	if (expect(lx, '=', "expected '='") < 0 || skip_cfws(lx) < 0)
		return -1;
	return read_pvalue(lx, out);
}

/*
 * One propspec (or the lenient bare key=value), the keyword already read
 * into key and lx->p at the next non-CFWS character.
 */
static int
parse_prop(lexer *lx, authres_result *r, char *key)
{
	authres_prop_kv *kv;

	if (r->nprops >= AUTHRES_MAX_PROPS) {
		free(key);
		return fail(lx, "too many properties");
	}
	kv = &r->props[r->nprops++];
	if (peek_is(lx, '=')) {
		kv->property = key;
		if ((kv->ptype = strdup("")) == NULL)
			return fail(lx, "out of memory");
		return read_assigned_value(lx, &kv->value);
	}
	kv->ptype = key;
	if (expect(lx, '.', "expected '.' or '=' after keyword") < 0 ||
	    skip_cfws(lx) < 0 || read_keyword(lx, &kv->property) < 0 ||
	    skip_cfws(lx) < 0)
		return -1;
	return read_assigned_value(lx, &kv->value);
}

/* methodspec [reasonspec] *propspec, up to the next ";" or the end. */
static int
parse_resinfo(lexer *lx, authres_parsed *out)
{
	authres_result *r;
	char	*key;

	if (read_keyword(lx, &key) < 0)
		return -1;
	if (skip_cfws(lx) < 0) {
		free(key);
		return -1;
	}
	if ((at_end(lx) || peek_is(lx, ';')) && out->nresults == 0 &&
	    strcasecmp(key, "none") == 0) {
		free(key);
		out->none = 1;			/* section 2.2 no-result */
		return 0;
	}
	if (out->nresults >= AUTHRES_MAX_RESULTS) {
		free(key);
		return fail(lx, "too many results");
	}
	r = &out->results[out->nresults++];
	r->method = key;
	if (peek_is(lx, '/')) {
		lx->p++;
		if (skip_cfws(lx) < 0 || read_digits(lx, &r->version) < 0 ||
		    skip_cfws(lx) < 0)
			return -1;
	}
	if (expect(lx, '=', "expected '=' after method") < 0 ||
	    skip_cfws(lx) < 0 || read_keyword(lx, &r->result) < 0)
		return -1;
	for (;;) {
		if (skip_cfws(lx) < 0)
			return -1;
		if (at_end(lx) || peek_is(lx, ';'))
			return 0;
		if (read_keyword(lx, &key) < 0)
			return -1;
		if (skip_cfws(lx) < 0) {
			free(key);
			return -1;
		}
		if (peek_is(lx, '=') && strcasecmp(key, "reason") == 0) {
			free(key);
			if (r->reason != NULL)
				return fail(lx, "more than one reason");
			if (read_assigned_value(lx, &r->reason) < 0)
				return -1;
			continue;
		}
		if (parse_prop(lx, r, key) < 0)
			return -1;
	}
}

/* authserv-id [CFWS authres-version] */
static int
parse_head(lexer *lx, authres_parsed *out)
{
	if (skip_cfws(lx) < 0)
		return -1;
	if (at_end(lx))
		return fail(lx, "empty header");
	if (read_value(lx, &out->authserv_id) < 0)
		return -1;
	if (out->authserv_id[0] == '\0')
		return fail(lx, "empty authserv-id");
	if (skip_cfws(lx) < 0)
		return -1;
	if (lx->p < lx->end && is_digit(*lx->p)) {
		if (read_digits(lx, &out->version) < 0)
			return -1;
		if (!at_end(lx) && !is_wsp(*lx->p) && *lx->p != '(' &&
		    *lx->p != ';')
			return fail(lx, "bad version after authserv-id");
		if (skip_cfws(lx) < 0)
			return -1;
	}
	if (at_end(lx))
		return fail(lx, "no result after authserv-id");
	return expect(lx, ';', "expected ';' after authserv-id");
}

static int
parse_payload(lexer *lx, authres_parsed *out)
{
	if (parse_head(lx, out) < 0)
		return -1;
	for (;;) {
		/* Just past a ";". */
		if (skip_cfws(lx) < 0)
			return -1;
		if (at_end(lx))
			return 0;
		if (peek_is(lx, ';')) {
			lx->p++;		/* empty resinfo */
			continue;
		}
		if (out->none)
			return fail(lx, "result after \"none\"");
		if (parse_resinfo(lx, out) < 0)
			return -1;
		if (!at_end(lx) && expect(lx, ';', "expected ';'") < 0)
			return -1;
	}
}

int
authres_parse(const char *value, size_t len, authres_parsed *out,
    char *err, size_t errlen)
{
	lexer	lx;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	lx.start = lx.p = (const unsigned char *)value;
	lx.end = lx.p + len;
	lx.max_depth = AUTHRES_MAX_COMMENT_DEPTH;
	lx.err = err;
	lx.errlen = errlen;
	if (value == NULL)
		return fail(&lx, "no header");
	if (memchr(value, '\0', len) != NULL)
		return fail(&lx, "NUL byte in header");
	if (parse_payload(&lx, out) < 0) {
		authres_parsed_free(out);
		return -1;
	}
	return 0;
}

void
authres_parsed_free(authres_parsed *p)
{
	size_t	i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->nresults; i++) {
		authres_result *r = &p->results[i];

		for (j = 0; j < r->nprops; j++) {
			free(r->props[j].ptype);
			free(r->props[j].property);
			free(r->props[j].value);
		}
		free(r->method);
		free(r->version);
		free(r->result);
		free(r->reason);
	}
	free(p->authserv_id);
	free(p->version);
	memset(p, 0, sizeof(*p));
}

char *
authres_authserv_id(const char *value, size_t len)
{
	lexer	lx;
	const char *nul;
	char	*id = NULL;

	if (value == NULL)
		return NULL;
	if ((nul = memchr(value, '\0', len)) != NULL)
		len = (size_t)(nul - value);
	lx.start = lx.p = (const unsigned char *)value;
	lx.end = lx.p + len;
	lx.max_depth = SIZE_MAX;	/* a forger must not hide the id */
	lx.err = NULL;
	lx.errlen = 0;
	if (skip_cfws(&lx) < 0 || at_end(&lx) || read_value(&lx, &id) < 0)
		return NULL;
	if (id[0] == '\0') {
		free(id);
		return NULL;
	}
	return id;
}
