/*
 * callbacks.c -- the libmilter callbacks of dmarctls-milter (see callbacks.h).
 *
 * DESCRIPTION
 *	Stage by stage: negotiate (ask only for what we use), connect (client
 *	address; IgnoreNetworks), HELO (the name, and the TLS macros, which
 *	change after STARTTLS), MAIL (SPF; SMTP AUTH clients skipped), each
 *	header (DKIM, From, and our own authserv-id in A-R fields that must
 *	go), end of headers, body, end of message (decide and apply).
 *
 *	Protocol facts this file relies on: with SMFIP_HDR_LEADSPC the MTA
 *	passes header values with their leading white space and expects the
 *	same in values we add; smfi_chgheader() indexes fields of one name
 *	from 1, so forged fields are deleted from the last to the first.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "authres_fate.h"
#include "callbacks.h"
#include "generation.h"
#include "log.h"
#include "milter_metrics.h"
#include "report_handoff.h"
#include "sessions.h"
#include "strbuf.h"

#define DT_AR_NAME	"Authentication-Results"
#define DT_QUAR_NAME	"X-Dmarctls-Quarantine"
#define DT_FIELD_KEEP	4096	/* a field buffer up to this size is kept for the next field */

/*
 * The protocol options we ask for, when the MTA offers them. Without them
 * every header field is a command and a reply: a poll(), read() and write()
 * on each side, most of the milter's CPU (issue 10).
 */
#define DT_WANT_PROTO	(SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC)

/*
 * RCPT and DATA we do not use, but over TCP we still take them (and reply
 * CONTINUE): measured with Postfix 3.7 (tests/bench/noreply.sh), without
 * them Postfix sends the RCPT and DATA macro packets with no command after
 * them, nothing answers them, and the first header field then waits ~40 ms
 * in Postfix's Nagle algorithm for our delayed ACK -- per message. A reply
 * carries the ACK. On a unix socket there is no Nagle: leave them out.
 */
#define DT_WANT_UNIX	(SMFIP_NORCPT | SMFIP_NODATA)

/*
 * The "no reply" options, asked for where MilterNoReply allows (see
 * dt_noreply_allowed). Every stage but connect: at connect we may still
 * answer at once (IgnoreNetworks accept, MaxSessions tempfail), once per
 * session. A verdict reached in a no-reply stage (accept for an SMTP AUTH
 * client, tempfail for want of memory at MAIL) waits in "deferred" for end
 * of message, the first stage that replies. Over TCP the MTA then writes
 * commands back to back with no reply between them; whether its Nagle
 * algorithm stalls them on our delayed ACK is measured, not assumed
 * (README, "Milter protocol options").
 */
#define DT_WANT_NR	(SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/*
 * SMFIP_SKIP: once DKIM needs no more of the body (no signature, or every
 * l= reached), the body callback returns SMFIS_SKIP and the MTA sends no
 * more chunks. libmilter turns a skip into silence when SMFIP_NR_BODY is
 * on, so the two exclude each other: MilterSkipBody auto asks for the
 * skip only where body chunks are answered anyway (TCP by default), yes
 * gives up SMFIP_NR_BODY for it (README, "Milter protocol options").
 */
#define DT_WANT_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST)

/*
 * Positions (1-based, per field name) of fields that may have to go. There
 * is no cap: every forged field is remembered and removed (a cap let the
 * ones beyond it through, issue 12). The cost is 4 bytes a field the MTA
 * already sent us. Should memory run out, "lost" is set and the message
 * is refused with a tempfail rather than passed on with a forgery in it.
 */
typedef struct dt_fields {
	int		seen;		/* fields of this name so far */
	int		*pos;
	size_t		n, cap;
	int		lost;		/* one could not be remembered */
} dt_fields;

typedef struct dt_conn {
	dt_gen		*gen;
	int		counted;	/* in the MaxSessions count (sessions.h) */
	unsigned long	proto;		/* negotiated SMFIP_* */
	int		ignored;	/* IgnoreNetworks, or no address */
	char		ip[INET6_ADDRSTRLEN];
	char		helo[256];
	char		daemon_name[128], daemon_addr[INET6_ADDRSTRLEN];	/* our listener */
	dt_tls		tls;		/* this session's, from the MTA's macros */
	/* the message in progress */
	dt_eval		*eval;
	int		skip;		/* SMTP AUTH client: not evaluated */
	int		requiretls;
	char		qid[64];
	int		authenticated;	/* SMTP AUTH (IgnoreAuthenticatedClients off) */
	dt_fields	ar;		/* A-R fields: positions of the forged ones */
	dt_fields	esmtp;		/* Require-TLS-ESMTP fields: all positions */
	dt_fields	tlsreq;		/* TLS-Required fields: all positions */
	double		eval_s;		/* seconds in our evaluation (metrics) */
	int		body_skipped;	/* SMFIS_SKIP returned: the rest unread */
	strbuf		field;		/* "Name:value" of the field in hand, reused */
	sfsistat	deferred;	/* verdict of a no-reply stage; CONTINUE: none */
	char		rcpt_domain[256];	/* first RCPT's domain (ReportEnvelopeTo) */
	strbuf		hdrs;		/* header section (FailureReports), capped */
	int		hdrs_full;	/* FailureReportHeaderMax reached */
} dt_conn;

static dt_conn *
dt_conn_get(SMFICTX *ctx)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL)
		smfi_setpriv(ctx, c);
	return c;
}

static void
dt_fields_reset(dt_fields *f)
{
	free(f->pos);
	memset(f, 0, sizeof(*f));
}

/* dt_fields_count - one more field of this name; remember it if asked */
static void
dt_fields_count(dt_fields *f, int remember)
{
	int	*p;

	f->seen++;
	if (!remember)
		return;
	if (f->n == f->cap) {
		size_t	ncap = f->cap ? f->cap * 2 : 16;

		if ((p = realloc(f->pos, ncap * sizeof(*p))) == NULL) {
			f->lost = 1;
			return;
		}
		f->pos = p;
		f->cap = ncap;
	}
	f->pos[f->n++] = f->seen;
}

/* dt_fields_delete - remove the remembered fields, last first */
static void
dt_fields_delete(SMFICTX *ctx, const dt_conn *c, const dt_fields *f, const char *name)
{
	size_t	i;

	for (i = f->n; i > 0; i--)
		if (smfi_chgheader(ctx, (char *)name, f->pos[i - 1], NULL) != MI_SUCCESS)
			dt_log(LOG_WARNING, "%s: cannot remove %s field %d", c->qid, name,
			    f->pos[i - 1]);
}

/* dt_msg_reset - forget the message in progress (RSET, abort, next MAIL) */
static void
dt_msg_reset(dt_conn *c)
{
	dt_eval_free(c->eval);
	c->eval = NULL;
	dt_fields_reset(&c->ar);
	dt_fields_reset(&c->esmtp);
	dt_fields_reset(&c->tlsreq);
	c->skip = 0;
	c->requiretls = 0;
	c->authenticated = 0;
	c->eval_s = 0;
	c->body_skipped = 0;
	c->deferred = SMFIS_CONTINUE;
	c->qid[0] = '\0';
	c->rcpt_domain[0] = '\0';
	strbuf_free(&c->hdrs);
	c->hdrs_full = 0;
}

/*
 * dt_reply - what a stage returns: with its no-reply option negotiated,
 * SMFIS_NOREPLY (libmilter insists), and a verdict other than CONTINUE is
 * kept for end of message.
 */
static sfsistat
dt_reply(dt_conn *c, unsigned long nr_flag, sfsistat rc)
{
	if (c == NULL || !(c->proto & nr_flag))
		return rc;
	if (rc != SMFIS_CONTINUE && c->deferred == SMFIS_CONTINUE)
		c->deferred = rc;
	return SMFIS_NOREPLY;
}

/* dt_socket_is_unix - do we listen on a unix socket (no Nagle, no delayed ACK)? */
static int
dt_socket_is_unix(const dt_config *cfg)
{
	const char *s = cfg->socket ? cfg->socket : "";

	return strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0 || s[0] == '/';
}

/* dt_want_proto - the SMFIP_* options we ask for on this socket type, of those offered */
static unsigned long
dt_want_proto(const dt_config *cfg, unsigned long offered)
{
	int	is_unix = dt_socket_is_unix(cfg);
	unsigned long want = DT_WANT_PROTO | (is_unix ? DT_WANT_UNIX : 0);

	if (cfg->no_reply == DT_NOREPLY_YES || (cfg->no_reply == DT_NOREPLY_UNIX && is_unix))
		want |= DT_WANT_NR;
	/* envelope_to needs RCPT; on a unix socket it goes unanswered, as the
	 * stages around it (over TCP it is answered: see DT_WANT_UNIX) */
	if (cfg->reports && cfg->report_envelope_to) {
		want &= ~(unsigned long)SMFIP_NORCPT;
		if (is_unix && (want & SMFIP_NR_MAIL))
			want |= SMFIP_NR_RCPT;
	}
	if ((offered & SMFIP_SKIP) && (cfg->skip_body == DT_SKIPBODY_YES
	    || (cfg->skip_body == DT_SKIPBODY_AUTO && !(want & SMFIP_NR_BODY))))
		want = (want & ~SMFIP_NR_BODY) | SMFIP_SKIP;
	return want & offered;
}

static void
dt_macro(SMFICTX *ctx, const char *name, char *out, size_t outlen)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	if (v != NULL)
		snprintf(out, outlen, "%s", v);
}

static sfsistat
dt_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	dt_conn	*c = dt_conn_get(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (c->gen == NULL && (c->gen = dt_gen_acquire()) == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & DT_WANT_ACTIONS;
	*pf1 = c->proto = dt_want_proto(&c->gen->cfg, f1);
	*pf2 = *pf3 = 0;
	if (f0 & SMFIF_SETSYMLIST) {
		smfi_setsymlist(ctx, SMFIM_CONNECT, "j {daemon_name} {daemon_addr}");
		smfi_setsymlist(ctx, SMFIM_HELO,
		    "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer} {verify}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_type} {auth_authen} "
		    "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer} {verify}");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

/* dt_addr_text - the client address as text; IPv4-mapped IPv6 as IPv4 */
static int
dt_addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		    (socklen_t)outlen) ? 0 : -1;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			return inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)outlen) ? 0 : -1;
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) ? 0 : -1;
	}
	return -1;
}

static sfsistat
dt_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	dt_conn	*c = dt_conn_get(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (c->gen == NULL && (c->gen = dt_gen_acquire()) == NULL)
		return SMFIS_TEMPFAIL;
	if (!c->counted) {
		c->counted = 1;
		if (!dt_sessions_enter(c->gen->cfg.max_sessions)) {
			dt_log(LOG_WARNING, "MaxSessions %u reached: tempfail for a new session",
			    c->gen->cfg.max_sessions);
			dt_metrics_session_refused();
			return SMFIS_TEMPFAIL;	/* the MTA's client retries later */
		}
	}
	dt_macro(ctx, "{daemon_name}", c->daemon_name, sizeof(c->daemon_name));
	dt_macro(ctx, "{daemon_addr}", c->daemon_addr, sizeof(c->daemon_addr));
	if (dt_addr_text(hostaddr, c->ip, sizeof(c->ip)) < 0) {
		c->ignored = 1;		/* local submission: no client to check */
		return SMFIS_ACCEPT;
	}
	if (dt_netlist_match(c->gen->cfg.ignore_networks, c->ip)) {
		c->ignored = 1;
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

/*
 * dt_tls_macros - the session's TLS state; absent macros mean plaintext.
 * Postfix sends them at HELO (again after STARTTLS) and MAIL, never at end
 * of message, so they are kept per connection.
 */
static void
dt_tls_macros(SMFICTX *ctx, dt_conn *c, int reset)
{
	char	bits[16] = "";

	if (reset)
		memset(&c->tls, 0, sizeof(c->tls));
	dt_macro(ctx, "{tls_version}", c->tls.version, sizeof(c->tls.version));
	dt_macro(ctx, "{cipher}", c->tls.cipher, sizeof(c->tls.cipher));
	dt_macro(ctx, "{cert_subject}", c->tls.cert_subject, sizeof(c->tls.cert_subject));
	dt_macro(ctx, "{cert_issuer}", c->tls.cert_issuer, sizeof(c->tls.cert_issuer));
	dt_macro(ctx, "{verify}", c->tls.verify, sizeof(c->tls.verify));
	dt_macro(ctx, "{cipher_bits}", bits, sizeof(bits));
	if (bits[0])
		c->tls.bits = (unsigned)strtoul(bits, NULL, 10);
}

static sfsistat
dt_helo(SMFICTX *ctx, char *helo)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	snprintf(c->helo, sizeof(c->helo), "%s", helo ? helo : "");
	dt_tls_macros(ctx, c, 1);	/* HELO again after STARTTLS: new state */
	return dt_reply(c, SMFIP_NR_HELO, SMFIS_CONTINUE);
}

/* dt_tell_dane - the DANE state of the listener this connection came in on */
static void
dt_tell_dane(dt_conn *c)
{
	dt_dane_state *ds = dt_gen_dane(c->gen, c->daemon_name[0] ? c->daemon_name : NULL,
	    c->daemon_addr[0] ? c->daemon_addr : NULL);
	dane_res dres;
	char	owner[256];

	if (ds && dt_dane_state_get(ds, &dres, owner, sizeof(owner)))
		dt_eval_dane(c->eval, dane_res_name(dres), owner);
}

static sfsistat
dt_envfrom_stage(SMFICTX *ctx, dt_conn *c, char **argv)
{
	const char *auth;
	int	i;
	double	t0;

	dt_msg_reset(c);
	dt_macro(ctx, "i", c->qid, sizeof(c->qid));
	auth = smfi_getsymval(ctx, "{auth_authen}");
	if (auth && *auth && c->gen->cfg.ignore_authenticated) {
		c->skip = 1;
		return SMFIS_ACCEPT;	/* this message only */
	}
	c->authenticated = auth && *auth;
	for (i = 1; argv[0] && argv[i]; i++)
		if (strcasecmp(argv[i], "REQUIRETLS") == 0)
			c->requiretls = 1;
	dt_tls_macros(ctx, c, 0);
	t0 = dt_metrics_now();
	if ((c->eval = dt_eval_new(c->gen->ctx, c->qid)) == NULL)
		return SMFIS_TEMPFAIL;
	c->tls.requiretls = c->requiretls;
	dt_eval_tls(c->eval, &c->tls);
	dt_tell_dane(c);
	dt_eval_trusted(c->eval, c->authenticated
	    || dt_netlist_match(c->gen->cfg.trusted_networks, c->ip));
	dt_eval_envelope(c->eval, c->ip, c->helo[0] ? c->helo : NULL, argv[0]);
	c->eval_s = dt_metrics_now() - t0;
	return SMFIS_CONTINUE;
}

static sfsistat
dt_envfrom(SMFICTX *ctx, char **argv)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c == NULL || c->gen == NULL)
		return dt_reply(c, SMFIP_NR_MAIL, SMFIS_TEMPFAIL);
	return dt_reply(c, SMFIP_NR_MAIL, dt_envfrom_stage(ctx, c, argv));
}

/*
 * dt_rcpt_domain - the domain of the first recipient, lower case, for the
 * report's envelope_to (RFC 9990 section 3.1.1.11). Only host name bytes
 * are kept: a hostile address gives "" rather than odd text in a report.
 */
static void
dt_rcpt_domain(dt_conn *c, const char *arg)
{
	const char *at = arg != NULL ? strrchr(arg, '@') : NULL;
	size_t	n = 0;

	if (at == NULL || c->rcpt_domain[0] != '\0')
		return;
	for (at++; *at && *at != '>' && n + 1 < sizeof(c->rcpt_domain); at++) {
		if (!isalnum((unsigned char)*at) && *at != '-' && *at != '.') {
			n = 0;
			break;
		}
		c->rcpt_domain[n++] = (char)tolower((unsigned char)*at);
	}
	c->rcpt_domain[n] = '\0';
}

/* dt_envrcpt - the first recipient's domain when ReportEnvelopeTo is on;
 * else only so that a reply answers its macros (DT_WANT_UNIX) */
static sfsistat
dt_envrcpt(SMFICTX *ctx, char **argv)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c != NULL && c->eval != NULL && argv != NULL && c->gen->cfg.report_envelope_to)
		dt_rcpt_domain(c, argv[0]);
	return dt_reply(c, SMFIP_NR_RCPT, SMFIS_CONTINUE);
}

static sfsistat
dt_data(SMFICTX *ctx)
{
	return dt_reply(smfi_getpriv(ctx), SMFIP_NR_DATA, SMFIS_CONTINUE);
}

/* dt_ar_field - count an A-R field; remember it if it must go (authres_fate.h) */
static void
dt_ar_field(dt_conn *c, const char *value)
{
	int	trusted = dt_netlist_match(c->gen->cfg.trusted_networks, c->ip);

	dt_fields_count(&c->ar, authres_field_fate(value, strlen(value), &c->gen->cfg, trusted)
	    != AUTHRES_KEEP);
}

/* dt_keep_header - the field as received, for a failure sample; the
 * section stops at FailureReportHeaderMax, at a field boundary */
static void
dt_keep_header(dt_conn *c, const char *raw, size_t len)
{
	const dt_config *cfg = &c->gen->cfg;

	if (!cfg->reports || !cfg->failure_reports || c->hdrs_full)
		return;
	if (c->hdrs.len + len + 1 > cfg->failure_header_max) {
		c->hdrs_full = 1;
		return;
	}
	strbuf_appendn(&c->hdrs, raw, len);
	strbuf_appendc(&c->hdrs, '\n');
}

static sfsistat
dt_header(SMFICTX *ctx, char *name, char *value)
{
	dt_conn	*c = smfi_getpriv(ctx);
	size_t	vlen;

	if (c == NULL || c->eval == NULL)
		return dt_reply(c, SMFIP_NR_HDR, SMFIS_CONTINUE);
	/*
	 * libopendkim wants the field as written: "Name:" then the value. One
	 * buffer per session, not an allocation per field (issue 10); a large
	 * one is not kept.
	 */
	vlen = strlen(value);
	strbuf_reset(&c->field);
	strbuf_append(&c->field, name);
	strbuf_append(&c->field, (c->proto & SMFIP_HDR_LEADSPC) ? ":" : ": ");
	strbuf_appendn(&c->field, value, vlen);
	if (!c->field.failed) {
		dt_eval_header(c->eval, name, c->field.s, c->field.len, value, vlen);
		dt_keep_header(c, c->field.s, c->field.len);
	}
	if (c->field.cap > DT_FIELD_KEEP)
		strbuf_free(&c->field);
	if (strcasecmp(name, DT_AR_NAME) == 0)
		dt_ar_field(c, value);
	else if (strcasecmp(name, TLSREQ_ESMTP_FIELD) == 0)
		dt_fields_count(&c->esmtp, 1);
	else if (strcasecmp(name, TLSREQ_NO_FIELD) == 0)
		dt_fields_count(&c->tlsreq, 1);
	return dt_reply(c, SMFIP_NR_HDR, SMFIS_CONTINUE);
}

static sfsistat
dt_eoh(SMFICTX *ctx)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c && c->eval) {
		double	t0 = dt_metrics_now();

		if (c->qid[0] == '\0')
			dt_macro(ctx, "i", c->qid, sizeof(c->qid));
		dt_eval_eoh(c->eval);
		c->eval_s += dt_metrics_now() - t0;
	}
	return dt_reply(c, SMFIP_NR_EOH, SMFIS_CONTINUE);
}

static sfsistat
dt_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c && c->eval)
		dt_eval_body(c->eval, buf, len);
	/* nothing to evaluate (decided, or not ours), or DKIM has all it needs */
	if (c && (c->proto & SMFIP_SKIP) && (c->eval == NULL || dt_eval_body_done(c->eval))) {
		c->body_skipped = 1;
		return SMFIS_SKIP;
	}
	return dt_reply(c, SMFIP_NR_BODY, SMFIS_CONTINUE);
}

/* dt_add_field - insert (at the top) or add a field, with the leading space */
static int
dt_add_field(SMFICTX *ctx, const dt_conn *c, const char *name, const char *value, int top)
{
	strbuf	v = STRBUF_INIT;
	int	rc;

	strbuf_printf(&v, "%s%s", (c->proto & SMFIP_HDR_LEADSPC) ? " " : "", value);
	if (v.failed) {
		strbuf_free(&v);
		return MI_FAILURE;
	}
	rc = top ? smfi_insheader(ctx, 0, (char *)name, v.s)
	    : smfi_addheader(ctx, (char *)name, v.s);
	strbuf_free(&v);
	return rc;
}

/* dt_setreply - smfi_setreply wants every '%' of the text doubled */
static void
dt_setreply(SMFICTX *ctx, const dt_verdict *v)
{
	strbuf	t = STRBUF_INIT;
	const char *p;

	if (!v->has_reply)
		return;
	for (p = v->reply_text; *p; p++)
		strbuf_append(&t, *p == '%' ? "%%" : (char[2]){ *p, '\0' });
	if (!t.failed && smfi_setreply(ctx, (char *)v->reply_code, (char *)v->reply_xcode,
	    t.s ? t.s : (char *)"") != MI_SUCCESS)
		dt_log(LOG_WARNING, "cannot set the SMTP reply %s %s", v->reply_code, v->reply_xcode);
	strbuf_free(&t);
}

/*
 * dt_modify - take forged A-R fields out, put ours at the top (the TLS one
 * under the DMARC one), and apply the REQUIRETLS header rules.
 */
static void
dt_modify(SMFICTX *ctx, dt_conn *c, const dt_verdict *v)
{
	dt_fields_delete(ctx, c, &c->ar, DT_AR_NAME);
	if (!v->tlsreq.keep_esmtp && c->esmtp.n) {
		dt_fields_delete(ctx, c, &c->esmtp, TLSREQ_ESMTP_FIELD);
		dt_log(LOG_NOTICE, "%s: removed %zu incoming %s field(s)%s", c->qid, c->esmtp.n,
		    TLSREQ_ESMTP_FIELD, v->tlsreq.add_esmtp ? ", wrote ours" : "");
	}
	if (!v->tlsreq.keep_no && c->tlsreq.n) {
		dt_fields_delete(ctx, c, &c->tlsreq, TLSREQ_NO_FIELD);
		dt_log(LOG_NOTICE, "%s: removed %s: %s", c->qid, TLSREQ_NO_FIELD, v->tlsreq.why_no);
	}
	if (v->authres_tls && dt_add_field(ctx, c, DT_AR_NAME, v->authres_tls, 1) != MI_SUCCESS)
		dt_log(LOG_WARNING, "%s: cannot insert the TLS %s", c->qid, DT_AR_NAME);
	if (v->authres && dt_add_field(ctx, c, DT_AR_NAME, v->authres, 1) != MI_SUCCESS)
		dt_log(LOG_WARNING, "%s: cannot insert %s", c->qid, DT_AR_NAME);
	if (v->tlsreq.add_esmtp && dt_add_field(ctx, c, TLSREQ_ESMTP_FIELD, "yes", 0) != MI_SUCCESS)
		dt_log(LOG_WARNING, "%s: cannot add %s", c->qid, TLSREQ_ESMTP_FIELD);
}

/* dt_log_verdict - the one summary line per message */
static void
dt_log_verdict(const dt_conn *c, const dt_verdict *v)
{
	const char *from = v->nauthors ? v->author[v->decisive] : "-";

	dt_log(LOG_INFO, "%s: ip=%s helo=%s from=%s spf=%s dkim=%s%s dmarc=%s policy=%s "
	    "action=%s%s tls=%s removed_ar=%zu%s",
	    c->qid[0] ? c->qid : "NOQUEUE", c->ip, c->helo[0] ? c->helo : "-", from,
	    spf_res_name(v->spf.mailfrom), v->ndkim ? dkim_res_name(v->dkim[0].result) : "none",
	    v->ndkim > 1 ? "+" : "", dmarc_res_name(v->dmarc_result),
	    v->nauthors ? dmarc_policy_name(v->dmarc[v->decisive].policy) : "-",
	    action_name(v->action), v->action != v->policy_action ? " (DryRun)" : "",
	    c->tls.version[0] ? c->tls.version : "none", c->ar.n,
	    c->body_skipped ? " body=skipped" : "");
}

/* dt_refuse_unremovable - a field that must go could not be tracked: never pass it on */
static sfsistat
dt_refuse_unremovable(SMFICTX *ctx, dt_conn *c)
{
	dt_log(LOG_ERR, "%s: out of memory tracking header fields to remove; tempfail", c->qid);
	(void)smfi_setreply(ctx, "451", "4.3.0", "Cannot process this message now");
	dt_metrics_refused("tempfail");
	dt_msg_reset(c);
	return SMFIS_TEMPFAIL;
}

static sfsistat
dt_eom(SMFICTX *ctx)
{
	dt_conn	*c = smfi_getpriv(ctx);
	const dt_verdict *v;
	sfsistat rc = SMFIS_ACCEPT;
	char	reason[300];
	double	t0;

	if (c != NULL && c->deferred != SMFIS_CONTINUE) {
		rc = c->deferred;	/* a no-reply stage decided (dt_reply) */
		dt_msg_reset(c);
		return rc;
	}
	if (c == NULL || c->eval == NULL)
		return SMFIS_CONTINUE;
	dt_macro(ctx, "i", c->qid, sizeof(c->qid));
	t0 = dt_metrics_now();
	v = dt_eval_finish(c->eval);
	c->eval_s += dt_metrics_now() - t0;
	if (c->ar.lost || c->esmtp.lost || c->tlsreq.lost)
		return dt_refuse_unremovable(ctx, c);
	dt_modify(ctx, c, v);
	switch (v->action) {
	case ACTION_REJECT:
		dt_setreply(ctx, v);
		rc = SMFIS_REJECT;
		break;
	case ACTION_TEMPFAIL:
		dt_setreply(ctx, v);
		rc = SMFIS_TEMPFAIL;
		break;
	case ACTION_QUARANTINE:
		snprintf(reason, sizeof(reason), "DMARC policy of %s",
		    v->nauthors ? v->author[v->decisive] : "the author domain");
		if (c->gen->cfg.quarantine_hold) {
			if (smfi_quarantine(ctx, reason) != MI_SUCCESS)
				dt_log(LOG_WARNING, "%s: the MTA refused to quarantine", c->qid);
		} else if (dt_add_field(ctx, c, DT_QUAR_NAME, reason, 0) != MI_SUCCESS) {
			dt_log(LOG_WARNING, "%s: cannot add %s", c->qid, DT_QUAR_NAME);
		}
		break;
	default:
		break;
	}
	dt_log_verdict(c, v);
	dt_metrics_message(v, c->tls.version, c->ar.n, c->eval_s);
	/* durable (or spooled) before the MTA hears the reply */
	dt_report_message(&c->gen->cfg, v, c->qid, c->rcpt_domain,
	    c->gen->cfg.failure_reports && !c->hdrs.failed ? strbuf_str(&c->hdrs) : NULL);
	dt_msg_reset(c);
	return rc;
}

static sfsistat
dt_abort(SMFICTX *ctx)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c)
		dt_msg_reset(c);
	return SMFIS_CONTINUE;
}

static sfsistat
dt_close(SMFICTX *ctx)
{
	dt_conn	*c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	dt_msg_reset(c);
	strbuf_free(&c->field);
	if (c->counted)
		dt_sessions_leave();
	dt_gen_release(c->gen);
	free(c);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

struct smfiDesc dt_milter_desc = {
	.xxfi_name = "dmarctls",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = dt_connect,
	.xxfi_helo = dt_helo,
	.xxfi_envfrom = dt_envfrom,
	.xxfi_envrcpt = dt_envrcpt,
	.xxfi_data = dt_data,
	.xxfi_header = dt_header,
	.xxfi_eoh = dt_eoh,
	.xxfi_body = dt_body,
	.xxfi_eom = dt_eom,
	.xxfi_abort = dt_abort,
	.xxfi_close = dt_close,
	.xxfi_negotiate = dt_negotiate,
};
