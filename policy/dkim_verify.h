/*
 * dkim_verify.h -- DKIM verification (RFC 6376, 8301, 8463) with libopendkim.
 *
 * SYNOPSIS
 *	dkim_verifier *dkim_verifier_new(dns_resolver *r, char *err, size_t errlen);
 *	void dkim_verifier_free(dkim_verifier *v);
 *
 *	dkim_session *dkim_session_new(dkim_verifier *v, const char *id);
 *	int dkim_session_header(dkim_session *s, const char *field, size_t len);
 *	int dkim_session_eoh(dkim_session *s, char *const *authors, size_t nauthors);
 *	int dkim_session_body(dkim_session *s, const unsigned char *buf, size_t len);
 *	int dkim_session_body_done(const dkim_session *s);
 *	size_t dkim_session_eom(dkim_session *s, dkim_sig_result *out, size_t max);
 *	void dkim_session_free(dkim_session *s);
 *
 * DESCRIPTION
 *	A verifier is made once per process (one DKIM_LIB, whose key lookups
 *	go through dns.h) and shared by threads. A session verifies one
 *	message as it streams by: each header field as "Name: value" (folding
 *	kept, no final line break), end of headers, body chunks (LF or CRLF
 *	line ends), then end of message, which reports one result per
 *	signature, at most max of them. dkim_session_body_done says when the
 *	rest of the body cannot change a result (no signature, or every body
 *	hash complete: l= reached), so a caller may stop feeding it.
 *
 *	Keys are asked for at end of headers (libopendkim's dkim_eoh), so the
 *	caller gives that call its DNS budget, and passes the From domains:
 *	signatures are verified, and reported, closest to an author first
 *	(most trailing labels of d= in common; header order among equals), so
 *	that unrelated signatures with silent key servers cannot spend the
 *	budget before a signature that can align is asked.
 *
 *	Every signature gets a result: pass; fail (bad signature, body hash
 *	mismatch, rsa-sha1 or an RSA key under 1024 bits: RFC 8301); permerror
 *	(malformed signature, no key, or a key name <s>._domainkey.<d> that
 *	is not a valid DNS name: no query was possible); temperror (the key
 *	lookup failed);
 *	neutral (not evaluated: more than DKIM_MAX_SIGS signatures).
 *	A field holding a NUL byte is never given to libopendkim: signatures
 *	whose h= names it fail, a DKIM-Signature field holding one is a
 *	permerror (dkim_verify.c).
 */
#ifndef DMARCTLS_DKIM_VERIFY_H
#define DMARCTLS_DKIM_VERIFY_H

#include <stddef.h>

#include "dns.h"
#include "result.h"

#define DKIM_MAX_SIGS		8	/* signatures verified per message; the rest neutral */
#define DKIM_MIN_RSA_BITS	1024	/* RFC 8301 section 3.2 */

typedef struct dkim_sig_result {
	dkim_res	result;
	char		d[256];		/* signing domain (d=) */
	char		s[128];		/* selector (s=) */
	char		i[256];		/* agent or user identifier (i=); "" when absent */
	char		a[32];		/* algorithm (a=) */
	char		b[16];		/* the first 8 characters of b= */
	unsigned	keybits;
	char		reason[96];	/* why it did not pass; "" on pass */
} dkim_sig_result;

typedef struct dkim_verifier dkim_verifier;
typedef struct dkim_session dkim_session;

dkim_verifier	*dkim_verifier_new(dns_resolver *r, char *err, size_t errlen);
void		dkim_verifier_free(dkim_verifier *v);
dkim_session	*dkim_session_new(dkim_verifier *v, const char *id);
int		dkim_session_header(dkim_session *s, const char *field, size_t len);
int		dkim_session_eoh(dkim_session *s, char *const *authors, size_t nauthors);
int		dkim_session_body(dkim_session *s, const unsigned char *buf, size_t len);
int		dkim_session_body_done(const dkim_session *s);
size_t		dkim_session_eom(dkim_session *s, dkim_sig_result *out, size_t max);
void		dkim_session_free(dkim_session *s);

#endif
