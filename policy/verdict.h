/*
 * verdict.h -- evaluate one message: SPF, DKIM, DMARC, the A-R header, the action.
 *
 * SYNOPSIS
 *	dt_context *dt_context_new(const dt_config *cfg, char *err, size_t errlen);
 *	void dt_context_free(dt_context *ctx);
 *
 *	dt_eval *dt_eval_new(dt_context *ctx, const char *id);
 *	void dt_eval_envelope(dt_eval *e, const char *ip, const char *helo,
 *	                      const char *mailfrom);
 *	void dt_eval_tls(dt_eval *e, const dt_tls *tls);
 *	void dt_eval_trusted(dt_eval *e, int trusted);
 *	void dt_eval_dane(dt_eval *e, const char *result, const char *owner);
 *	void dt_eval_header(dt_eval *e, const char *name, const char *raw,
 *	                    size_t rawlen, const char *value, size_t valuelen);
 *	void dt_eval_eoh(dt_eval *e);
 *	void dt_eval_body(dt_eval *e, const unsigned char *buf, size_t len);
 *	int dt_eval_body_done(const dt_eval *e);
 *	const dt_verdict *dt_eval_finish(dt_eval *e);
 *	void dt_eval_free(dt_eval *e);
 *
 * DESCRIPTION
 *	A context is made once per configuration (resolver, SPF and DKIM
 *	engines, public suffix list) and shared by threads. An evaluation
 *	follows one message as an MTA hands it over: the envelope (SPF runs
 *	here), each header field (raw "Name: value" for DKIM, the value for
 *	the From parser), end of headers, body chunks, and finish, which runs
 *	DMARC for every author domain and decides. Only DKIM reads the body:
 *	once dt_eval_body_done says it needs no more, the rest may be left
 *	out (the milter's SMFIS_SKIP) and finish decides the same.
 *
 *	The decision: the strictest failing policy over all author domains
 *	wins (RFC 9989 section 5.3.1 / 11.5 on multiple From domains). A DMARC
 *	fail that would have been a pass had a failed lookup succeeded is a
 *	temperror, never a fail and never a pass. No usable From domain is a
 *	permerror. temperror becomes tempfail when TempfailOnDNSError is on;
 *	it never becomes an accept of a domain whose policy we know is reject.
 *
 *	The TLS state of the session goes in a second Authentication-Results
 *	field of our own (see README "TLS in Authentication-Results"), so that
 *	a consumer that drops a field over a method it does not know loses the
 *	TLS facts, never the DMARC result.
 */
#ifndef DMARCTLS_VERDICT_H
#define DMARCTLS_VERDICT_H

#include <stddef.h>

#include "config.h"
#include "dkim_verify.h"
#include "dmarc_eval.h"
#include "requiretls.h"
#include "result.h"
#include "spf_check.h"

#define DT_MAX_DKIM	16	/* signatures reported per message */
#define DT_MAX_AUTHORS	64	/* author domains evaluated (MaxFromDomains caps lower) */

typedef struct dt_context dt_context;
typedef struct dt_eval dt_eval;

/* The TLS state of the SMTP session as the MTA reported it (its macros). */
typedef struct dt_tls {
	char		version[32];	/* {tls_version}; "" for a plaintext session */
	char		cipher[128];	/* {cipher} */
	unsigned	bits;		/* {cipher_bits} */
	char		cert_subject[256];	/* {cert_subject}: CN (Postfix), DN (Sendmail) */
	char		cert_issuer[256];	/* {cert_issuer} */
	char		verify[32];	/* {verify} (Sendmail): OK NO FAIL ... */
	int		requiretls;	/* REQUIRETLS was in the MAIL FROM arguments */
} dt_tls;

typedef struct dt_verdict {
	action_t	action;		/* what the MTA is told */
	action_t	policy_action;	/* what policy asked before DryRun */
	int		has_reply;
	char		reply_code[4], reply_xcode[16], reply_text[DT_REPLY_TEXT_MAX + 1];
	spf_outcome	spf;
	size_t		ndkim;
	dkim_sig_result	dkim[DT_MAX_DKIM];
	size_t		nauthors;
	const char	*author[DT_MAX_AUTHORS];	/* the author domain of each dmarc[] */
	dmarc_outcome	dmarc[DT_MAX_AUTHORS];
	size_t		decisive;	/* index into dmarc of the deciding domain */
	dmarc_res	dmarc_result;	/* of the deciding domain, or permerror */
	char		from_error[128];	/* why no usable From domain; "" if fine */
	char		*authres;	/* value of our Authentication-Results field */
	char		*authres_tls;	/* value of our second one: the TLS state */
	tlsreq_decision	tlsreq;		/* what happens to REQUIRETLS header fields */
	char		dane_result[16];	/* DANE self-check of our endpoint; "" unknown */
	char		dane_owner[256];	/* the TLSA owner name checked */
	size_t		n_esmtp_in;	/* Require-TLS-ESMTP fields in the message */
	size_t		n_esmtp_yes;	/* those of them that say "yes" */
	size_t		n_tlsreq_in;	/* TLS-Required fields in the message */
	char		authserv_id[256];
	dt_tls		tls;
	char		ip[48];		/* the client address evaluated; "" if none */
} dt_verdict;

dt_context	*dt_context_new(const dt_config *cfg, char *err, size_t errlen);
void		dt_context_free(dt_context *ctx);
const dt_config	*dt_context_config(const dt_context *ctx);
dns_resolver	*dt_context_resolver(const dt_context *ctx);

dt_eval		*dt_eval_new(dt_context *ctx, const char *id);
void		dt_eval_envelope(dt_eval *e, const char *ip, const char *helo,
		    const char *mailfrom);
void		dt_eval_tls(dt_eval *e, const dt_tls *tls);
void		dt_eval_trusted(dt_eval *e, int trusted);
void		dt_eval_dane(dt_eval *e, const char *result, const char *owner);
void		dt_eval_header(dt_eval *e, const char *name, const char *raw,
		    size_t rawlen, const char *value, size_t valuelen);
void		dt_eval_eoh(dt_eval *e);
void		dt_eval_body(dt_eval *e, const unsigned char *buf, size_t len);
int		dt_eval_body_done(const dt_eval *e);
const dt_verdict *dt_eval_finish(dt_eval *e);
void		dt_eval_free(dt_eval *e);

/* Decision rules, exposed for unit tests: action for a set of outcomes. */
action_t	dt_decide(const dt_config *cfg, const dmarc_outcome *o, size_t n,
		    int from_ok, size_t *decisive);

#endif
