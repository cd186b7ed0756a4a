/*
 * verdict.c -- one message from envelope to decision (see verdict.h).
 *
 * DESCRIPTION
 *	This file only sequences the engines and applies the decision rules;
 *	each protocol lives in its own module. Rules worth repeating:
 *	- only the MAIL FROM identity's SPF result reaches DMARC
 *	  (CVE-2019-20790); with a null sender that identity is the HELO name;
 *	- every From field counts: two fields, or one with two mailboxes, are
 *	  all evaluated (the OpenDMARC multi-From bypass), over a cap the
 *	  message is a permerror, as is a field without a usable domain;
 *	- a DMARC fail is a temperror when a signature or SPF check that
 *	  failed for DNS reasons would have made it pass, so that nobody can
 *	  reject mail because our resolver hiccupped, and nobody can get a
 *	  forgery accepted by making a lookup fail (that stays a fail).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpsl.h>

#include "authres.h"
#include "config_resolver.h"
#include "dns.h"
#include "from_header.h"
#include "strbuf.h"
#include "verdict.h"

struct dt_context {
	const dt_config	*cfg;
	dns_resolver	*dns;
	spf_checker	*spf;
	dkim_verifier	*dkim;
	psl_ctx_t	*psl;
};

struct dt_eval {
	dt_context	*ctx;
	dkim_session	*dkim;
	int		have_envelope;
	int		trusted;		/* SMTP AUTH or trusted network */
	unsigned	seed;			/* rand_r state for pct sampling */
	size_t		nfrom;			/* From fields seen */
	from_domains	from;
	dt_verdict	v;
};

dt_context *
dt_context_new(const dt_config *cfg, char *err, size_t errlen)
{
	dt_context *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctx->cfg = cfg;
	if ((ctx->dns = dt_config_resolver(cfg, err, errlen)) == NULL)
		goto fail;
	if ((ctx->spf = spf_checker_new(ctx->dns)) == NULL) {
		snprintf(err, errlen, "cannot initialise libspf2");
		goto fail;
	}
	if ((ctx->dkim = dkim_verifier_new(ctx->dns, err, errlen)) == NULL)
		goto fail;
	if (cfg->discovery_psl && (ctx->psl = psl_load_file(cfg->psl_file)) == NULL) {
		snprintf(err, errlen, "cannot load the public suffix list %s", cfg->psl_file);
		goto fail;
	}
	return ctx;
fail:
	dt_context_free(ctx);
	return NULL;
}

void
dt_context_free(dt_context *ctx)
{
	if (ctx == NULL)
		return;
	dkim_verifier_free(ctx->dkim);
	spf_checker_free(ctx->spf);
	dns_resolver_free(ctx->dns);
	if (ctx->psl)
		psl_free(ctx->psl);
	free(ctx);
}

const dt_config *
dt_context_config(const dt_context *ctx)
{
	return ctx->cfg;
}

dns_resolver *
dt_context_resolver(const dt_context *ctx)
{
	return ctx->dns;
}

dt_eval *
dt_eval_new(dt_context *ctx, const char *id)
{
	dt_eval *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->ctx = ctx;
	e->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)e;
	if ((e->dkim = dkim_session_new(ctx->dkim, id)) == NULL) {
		free(e);
		return NULL;
	}
	snprintf(e->v.authserv_id, sizeof(e->v.authserv_id), "%s", ctx->cfg->authserv_id);
	return e;
}

/*
 * Each phase that asks the DNS has a budget, so that a silent resolver costs
 * a bounded time whatever the number of lookups (Sendmail waits 10 s for a
 * filter's reply by default; the shipped .mc allows 30 s, Postfix's
 * milter_command_timeout is 30 s):
 * - SPF at MAIL FROM: one DNSTimeout for the MAIL FROM identity, then one
 *   for HELO (spf_check: the HELO check can never starve MAIL FROM);
 * - DKIM key lookups at end of headers (libopendkim asks for every key in
 *   dkim_eoh): one DNSTimeout for all signatures together;
 * - end of message (the keys not yet known, DMARC discovery and alignment):
 *   two, shared out among the author domains: each gets an equal part of
 *   what the ones before it left, so no author's silent servers can starve
 *   another's (a forger adds From domains of his own before his victim).
 */
#define DT_IDENTITY_BUDGET(cfg)	((cfg)->dns_timeout * 1000)
#define DT_EOH_BUDGET(cfg)	((cfg)->dns_timeout * 1000)
#define DT_EOM_BUDGET(cfg)	((cfg)->dns_timeout * 2000)

void
dt_eval_envelope(dt_eval *e, const char *ip, const char *helo, const char *mailfrom)
{
	spf_check(e->ctx->spf, ip, helo, mailfrom, DT_IDENTITY_BUDGET(e->ctx->cfg), &e->v.spf);
	e->have_envelope = 1;
	if (ip != NULL)
		snprintf(e->v.ip, sizeof(e->v.ip), "%s", ip);
}

void
dt_eval_tls(dt_eval *e, const dt_tls *tls)
{
	e->v.tls = *tls;
}

void
dt_eval_trusted(dt_eval *e, int trusted)
{
	e->trusted = trusted;
}

/* the DANE state of our endpoint, as the milter's background check knows it */
void
dt_eval_dane(dt_eval *e, const char *result, const char *owner)
{
	snprintf(e->v.dane_result, sizeof(e->v.dane_result), "%s", result ? result : "");
	snprintf(e->v.dane_owner, sizeof(e->v.dane_owner), "%s", owner ? owner : "");
}

/* dt_from_field - collect the author domains of one From field */
static void
dt_from_field(dt_eval *e, const char *value, size_t len)
{
	char	err[96];

	e->nfrom++;
	if (from_header_parse(value, len, &e->from, err, sizeof(err)) < 0
	    && e->v.from_error[0] == '\0')
		snprintf(e->v.from_error, sizeof(e->v.from_error), "From field: %s", err);
}

void
dt_eval_header(dt_eval *e, const char *name, const char *raw, size_t rawlen,
    const char *value, size_t valuelen)
{
	(void)dkim_session_header(e->dkim, raw, rawlen);
	if (strcasecmp(name, "From") == 0)
		dt_from_field(e, value, valuelen);
	else if (strcasecmp(name, TLSREQ_ESMTP_FIELD) == 0) {
		e->v.n_esmtp_in++;
		e->v.n_esmtp_yes += tlsreq_esmtp_yes(value, valuelen);
	}
	else if (strcasecmp(name, TLSREQ_NO_FIELD) == 0)
		e->v.n_tlsreq_in++;
}

void
dt_eval_eoh(dt_eval *e)
{
	dns_deadline_set(DT_EOH_BUDGET(e->ctx->cfg));
	(void)dkim_session_eoh(e->dkim, e->from.domain, e->from.n);
	dns_deadline_clear();
}

void
dt_eval_body(dt_eval *e, const unsigned char *buf, size_t len)
{
	(void)dkim_session_body(e->dkim, buf, len);
}

int
dt_eval_body_done(const dt_eval *e)
{
	return dkim_session_body_done(e->dkim);
}

/*
 * dt_severity - how strongly an outcome pushes towards refusal. A known
 * reject outranks everything; an unknown policy (temperror) outranks a known
 * quarantine only when it will be retried (TempfailOnDNSError), since the
 * retry may learn a reject.
 */
static int
dt_severity(const dt_config *cfg, const dmarc_outcome *o)
{
	switch (o->result) {
	case DMARC_RES_FAIL:
		return o->disposition == DMARC_POLICY_REJECT ? 7
		    : o->disposition == DMARC_POLICY_QUARANTINE ? 5 : 4;
	case DMARC_RES_TEMPERROR:
		return cfg->tempfail_on_dns_error ? 6 : 3;
	case DMARC_RES_PERMERROR: return 2;
	case DMARC_RES_NONE: return 1;
	default: return 0;
	}
}

action_t
dt_decide(const dt_config *cfg, const dmarc_outcome *o, size_t n, int from_ok,
    size_t *decisive)
{
	size_t	i, worst = 0;

	*decisive = 0;
	if (!from_ok)
		return cfg->reject_on_no_from ? ACTION_REJECT : ACTION_ACCEPT;
	for (i = 1; i < n; i++)
		if (dt_severity(cfg, &o[i]) > dt_severity(cfg, &o[worst]))
			worst = i;
	*decisive = worst;
	if (n == 0)
		return ACTION_ACCEPT;
	switch (o[worst].result) {
	case DMARC_RES_FAIL:
		if (o[worst].disposition == DMARC_POLICY_REJECT)
			return cfg->reject_failures ? ACTION_REJECT : ACTION_ACCEPT;
		return o[worst].disposition == DMARC_POLICY_QUARANTINE
		    ? ACTION_QUARANTINE : ACTION_ACCEPT;
	case DMARC_RES_TEMPERROR:
		return cfg->tempfail_on_dns_error ? ACTION_TEMPFAIL : ACTION_ACCEPT;
	case DMARC_RES_PERMERROR:
		return cfg->reject_on_no_from ? ACTION_REJECT : ACTION_ACCEPT;
	default:
		return ACTION_ACCEPT;
	}
}

/* dt_dmarc_input - the DMARC input of one author domain */
static void
dt_dmarc_input(dt_eval *e, const char *domain, const char **dkd, dkim_res *dkr,
    dmarc_input *in)
{
	const dt_verdict *v = &e->v;
	size_t	i;

	memset(in, 0, sizeof(*in));
	in->from_domain = domain;
	in->spf_domain = v->spf.domain[0] ? v->spf.domain : NULL;
	in->spf_result = v->spf.mailfrom;
	for (i = 0; i < v->ndkim; i++) {
		dkd[i] = v->dkim[i].d;
		dkr[i] = v->dkim[i].result;
	}
	in->ndkim = v->ndkim;
	in->dkim_domains = dkd;
	in->dkim_results = dkr;
	in->mode = e->ctx->cfg->discovery_psl ? DMARC_DISCOVERY_PSL : DMARC_DISCOVERY_TREEWALK;
	in->psl = e->ctx->psl;
	in->lookup = dns_lookup_txt;
	in->lookup_ctx = e->ctx->dns;
	in->pct_roll = rand_r(&e->seed) % 100;	/* RFC 7489 pct sampling */
}

/*
 * dt_dmarc_one - evaluate one author domain. A fail is re-run as if every
 * temperror had been a pass: if that passes, the truth is unknown.
 */
static void
dt_dmarc_one(dt_eval *e, const char *domain, dmarc_outcome *out)
{
	const char *dkd[DT_MAX_DKIM];
	dkim_res dkr[DT_MAX_DKIM];
	dmarc_input in;
	dmarc_outcome what_if;
	size_t	i;
	int	any_temp = e->v.spf.mailfrom == SPF_RES_TEMPERROR;

	dt_dmarc_input(e, domain, dkd, dkr, &in);
	dmarc_evaluate(&in, out);
	for (i = 0; i < in.ndkim; i++) {
		if (dkr[i] == DKIM_RES_TEMPERROR) {
			dkr[i] = DKIM_RES_PASS;
			any_temp = 1;
		}
	}
	if (out->result != DMARC_RES_FAIL || !any_temp)
		return;
	if (in.spf_result == SPF_RES_TEMPERROR)
		in.spf_result = SPF_RES_PASS;
	dmarc_evaluate(&in, &what_if);
	if (what_if.result == DMARC_RES_PASS) {
		out->result = DMARC_RES_TEMPERROR;
		out->disposition = DMARC_POLICY_NONE;
		snprintf(out->reason, sizeof(out->reason),
		    "an SPF or DKIM lookup failed that could have aligned");
	}
	dmarc_outcome_free(&what_if);
}

/* dt_authors - the author domains to evaluate, or 0 with from_error set */
static size_t
dt_authors(dt_eval *e)
{
	size_t	max = e->ctx->cfg->max_from_domains;

	if (max > DT_MAX_AUTHORS)
		max = DT_MAX_AUTHORS;
	if (e->nfrom == 0)
		snprintf(e->v.from_error, sizeof(e->v.from_error), "no From field");
	else if (e->v.from_error[0] == '\0' && e->from.n == 0)
		snprintf(e->v.from_error, sizeof(e->v.from_error), "no From domain");
	else if (e->v.from_error[0] == '\0' && e->from.n > max)
		snprintf(e->v.from_error, sizeof(e->v.from_error),
		    "%zu From domains (MaxFromDomains %zu)", e->from.n, max);
	return e->v.from_error[0] ? 0 : e->from.n;
}

/* dt_reply - the SMTP reply for the action */
static void
dt_reply(dt_eval *e)
{
	dt_verdict *v = &e->v;
	const dt_config *cfg = e->ctx->cfg;
	const char *domain = v->nauthors ? v->author[v->decisive] : NULL;
	const char *tmpl;

	if (v->action == ACTION_REJECT && v->from_error[0]) {
		v->has_reply = 1;
		snprintf(v->reply_code, sizeof(v->reply_code), "550");
		snprintf(v->reply_xcode, sizeof(v->reply_xcode), "5.7.1");
		snprintf(v->reply_text, sizeof(v->reply_text),
		    "Email rejected: no usable RFC 5322 From domain");
		return;
	}
	if (v->action == ACTION_REJECT)
		tmpl = cfg->reject_reply;
	else if (v->action == ACTION_TEMPFAIL)
		tmpl = cfg->tempfail_reply;
	else
		return;
	v->has_reply = dt_config_reply(tmpl, domain ? domain : "", v->reply_code,
	    v->reply_xcode, v->reply_text, sizeof(v->reply_text)) == 0;
}

/* dt_authres_dmarc - the dmarc= result of one author domain */
static void
dt_authres_dmarc(authres *ar, const char *domain, const dmarc_outcome *o)
{
	strbuf	c = STRBUF_INIT;

	authres_method(ar, "dmarc", dmarc_res_name(o->result));
	if (o->p != DMARC_POLICY_UNSET) {
		strbuf_printf(&c, "p=%s", dmarc_policy_name(o->p));
		if (o->sp != DMARC_POLICY_UNSET)
			strbuf_printf(&c, " sp=%s", dmarc_policy_name(o->sp));
		if (o->np != DMARC_POLICY_UNSET)
			strbuf_printf(&c, " np=%s", dmarc_policy_name(o->np));
		strbuf_printf(&c, " dis=%s", dmarc_policy_name(o->disposition));
		if (o->testing)
			strbuf_append(&c, " t=y");
		authres_comment(ar, strbuf_str(&c));
	}
	if (o->result == DMARC_RES_TEMPERROR || o->result == DMARC_RES_PERMERROR)
		authres_reason(ar, o->reason);
	authres_prop(ar, "header", "from", domain);
	if (o->p != DMARC_POLICY_UNSET)
		authres_prop(ar, "policy", "dmarc", dmarc_policy_name(o->policy));
	strbuf_free(&c);
}

/* dt_authres - our Authentication-Results value */
static char *
dt_authres(dt_eval *e)
{
	const dt_verdict *v = &e->v;
	authres	*ar = authres_new(v->authserv_id);
	char	*out;
	size_t	i;

	if (ar == NULL)
		return NULL;
	if (e->have_envelope && v->spf.domain[0]) {
		/*
		 * The result DMARC uses (RFC 9989 4.4.2). For the null sender
		 * the MAIL FROM identity is postmaster@HELO (RFC 7208 2.4):
		 * written as such, beside the HELO identity's own result.
		 */
		authres_method(ar, "spf", spf_res_name(v->spf.mailfrom));
		if (v->spf.null_sender) {
			strbuf	pm = STRBUF_INIT;

			strbuf_printf(&pm, "postmaster@%s", v->spf.domain);
			authres_prop(ar, "smtp", "mailfrom", strbuf_str(&pm));
			strbuf_free(&pm);
		} else {
			authres_prop(ar, "smtp", "mailfrom", v->spf.domain);
		}
	}
	if (e->have_envelope && v->spf.helo_domain[0]) {
		authres_method(ar, "spf", spf_res_name(v->spf.helo));
		authres_prop(ar, "smtp", "helo", v->spf.helo_domain);
	}
	for (i = 0; i < v->ndkim; i++) {
		const dkim_sig_result *d = &v->dkim[i];

		authres_method(ar, "dkim", dkim_res_name(d->result));
		if (d->reason[0])
			authres_reason(ar, d->reason);
		/* a missing tag is left out, never invented (RFC 8601 2.7.1) */
		if (d->d[0])
			authres_prop(ar, "header", "d", d->d);
		if (d->s[0])
			authres_prop(ar, "header", "s", d->s);
		if (d->a[0])
			authres_prop(ar, "header", "a", d->a);
		if (d->b[0])
			authres_prop(ar, "header", "b", d->b);
	}
	if (v->ndkim == 0)
		authres_method(ar, "dkim", "none");
	for (i = 0; i < v->nauthors; i++)
		dt_authres_dmarc(ar, v->author[i], &v->dmarc[i]);
	if (v->from_error[0]) {
		authres_method(ar, "dmarc", "permerror");
		authres_reason(ar, v->from_error);
	}
	out = authres_render(ar, 0);
	authres_free(ar);
	return out;
}

/* dt_authres_tls - the second A-R field: how the message reached us */
static char *
dt_authres_tls(const dt_verdict *v)
{
	const dt_tls *t = &v->tls;
	authres	*ar = authres_new(v->authserv_id);
	strbuf	c = STRBUF_INIT;
	char	bits[16], *out;

	if (ar == NULL)
		return NULL;
	if (t->version[0] == '\0') {
		authres_method(ar, "x-tls", "none");
		authres_comment(ar, "plaintext SMTP session");
	} else {
		authres_method(ar, "x-tls", "pass");
		authres_prop(ar, "smtp", "version", t->version);
		if (t->cipher[0])
			authres_prop(ar, "smtp", "cipher", t->cipher);
		snprintf(bits, sizeof(bits), "%u", t->bits);
		if (t->bits)
			authres_prop(ar, "smtp", "bits", bits);
		if (t->requiretls)
			authres_prop(ar, "smtp", "requiretls", "yes");
		if (t->cert_subject[0]) {
			strbuf_printf(&c, "client certificate %s", t->cert_subject);
			if (t->cert_issuer[0])
				strbuf_printf(&c, ", issuer %s", t->cert_issuer);
			if (t->verify[0])
				strbuf_printf(&c, ", verify %s", t->verify);
			authres_comment(ar, strbuf_str(&c));
		}
	}
	if (v->dane_result[0]) {
		/* RFC 7672: can a DANE sender authenticate us? our TLSA vs our chain */
		authres_method(ar, "x-dane", v->dane_result);
		authres_prop(ar, "smtp", "tlsa", v->dane_owner);
	}
	out = authres_render(ar, 0);
	authres_free(ar);
	strbuf_free(&c);
	return out;
}

/* dt_tlsreq - the fate of the REQUIRETLS header fields */
static void
dt_tlsreq(dt_eval *e)
{
	dt_verdict *v = &e->v;
	tlsreq_input in;
	size_t	i;

	in.enabled = e->ctx->cfg->require_tls_header;
	in.tls = v->tls.version[0] != '\0';
	in.requiretls = v->tls.requiretls;
	in.esmtp_in = v->n_esmtp_yes > 0;	/* "Require-TLS-ESMTP: no" asks for nothing */
	in.trusted = e->trusted;
	in.dmarc_pass = v->nauthors > 0;
	for (i = 0; i < v->nauthors; i++)
		if (v->dmarc[i].result != DMARC_RES_PASS)
			in.dmarc_pass = 0;
	tlsreq_decide(&in, &v->tlsreq);
}

static long long
dt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const dt_verdict *
dt_eval_finish(dt_eval *e)
{
	dt_verdict *v = &e->v;
	const dt_config *cfg = e->ctx->cfg;
	size_t	i, n;

	long long end = dt_now_ms() + DT_EOM_BUDGET(cfg), left;

	dns_deadline_set(DT_EOM_BUDGET(cfg));
	v->ndkim = dkim_session_eom(e->dkim, v->dkim, DT_MAX_DKIM);
	n = dt_authors(e);
	for (i = 0; i < n; i++) {
		/*
		 * Each author gets an equal share of what is left, so that
		 * the silent servers of one author (a forger lists his own
		 * domains first) cannot spend the budget of another.
		 */
		left = end - dt_now_ms();
		dns_deadline_set(left > 0 ? (unsigned)(left / (long long)(n - i)) : 0);
		v->author[i] = e->from.domain[i];
		dt_dmarc_one(e, v->author[i], &v->dmarc[i]);
	}
	dns_deadline_clear();
	v->nauthors = n;
	v->policy_action = dt_decide(cfg, v->dmarc, n, v->from_error[0] == '\0', &v->decisive);
	v->dmarc_result = n ? v->dmarc[v->decisive].result : DMARC_RES_PERMERROR;
	v->action = cfg->dry_run ? ACTION_ACCEPT : v->policy_action;
	dt_reply(e);
	dt_tlsreq(e);
	v->authres = dt_authres(e);
	v->authres_tls = dt_authres_tls(v);
	return v;
}

void
dt_eval_free(dt_eval *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->v.nauthors; i++)
		dmarc_outcome_free(&e->v.dmarc[i]);
	free(e->v.authres);
	free(e->v.authres_tls);
	from_domains_free(&e->from);
	dkim_session_free(e->dkim);
	free(e);
}
