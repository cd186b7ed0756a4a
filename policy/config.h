/*
 * config.h -- the dmarctls.conf(5) configuration: one table, one parser.
 *
 * SYNOPSIS
 *	void dt_config_defaults(dt_config *c);
 *	int  dt_config_load(dt_config *c, const char *path,
 *		char *err, size_t errlen);
 *	int  dt_config_set(dt_config *c, const char *key, const char *value,
 *		char *err, size_t errlen);
 *	void dt_config_free(dt_config *c);
 *	const char *dt_config_endpoint_origin(const dt_config *c, size_t i,
 *	    char *buf, size_t len);
 *	const char *dt_config_origin(const dt_config *c, const char *key,
 *		char *buf, size_t len);
 *	int  dt_netlist_match(const dt_netlist *l, const char *ip);
 *	int  dt_config_trusted_id(const dt_config *c, const char *authserv_id);
 *	int  dt_config_reply(const char *tmpl, const char *domain,
 *		char code[4], char xcode[16], char *text, size_t textlen);
 *
 * DESCRIPTION
 *	dt_config_defaults() fills *c with the built-in defaults; every string
 *	is allocated, so the result must be released with dt_config_free().
 *	Call it on an uninitialised (or freed) structure only.  It aborts
 *	the process when memory is exhausted (there is nothing sane to run).
 *
 *	dt_config_load() applies the file on top of what *c holds (normally
 *	the defaults).  It works on a private copy and replaces *c only when
 *	the whole file was accepted: on error *c is untouched and err holds
 *	"file:line: what was expected".  A SIGHUP reload is therefore
 *	    dt_config_defaults(&new);
 *	    if (dt_config_load(&new, path, err, sizeof(err)) == 0)
 *		swap new and old, free old;
 *	    else
 *		log err, free new, keep old.
 *
 *	dt_config_set() sets one key (case-insensitive name) from its text
 *	value, the way one configuration line does; command-line overrides
 *	(-p SOCKET) use it.  On error *c is untouched.
 *
 *	All three report errors as a NUL-terminated message in err (which may
 *	be NULL) and return -1; they return 0 on success.
 *
 *	dt_config_endpoint_origin() is the same for the i-th DANEEndpoint line
 *	(a repeatable key: each line has its own place).
 *
 *	dt_config_origin() writes where key got its value into buf and
 *	returns buf: "file:line" for the last line of the loaded file that set
 *	it, "built-in default" when no line did, "command line" when
 *	dt_config_set() set it last (-p).  The admin checks of -n name the
 *	line with it.
 *
 *	dt_netlist_match() returns 1 when ip (IPv4 or IPv6 text, no brackets,
 *	no zone) lies in one of the list's networks, and 0 otherwise -- also
 *	for a NULL list and for text that is not an address, so that a caller
 *	writing "if (match) skip checks" never skips on garbage.  An IPv4-mapped
 *	IPv6 address (::ffff:192.0.2.1) is matched as the IPv4 address it
 *	carries, since that is how a dual-stack socket reports IPv4 clients.
 *
 *	dt_config_trusted_id() returns 1 when authserv_id equals one of the
 *	TrustedAuthservIDs, compared case-insensitively, else 0.
 *
 *	dt_config_reply() splits a RejectReply/TempfailReply template into
 *	the reply code ("550"), the enhanced status code ("5.7.1") and the
 *	text, expanding "%d" to the domain and "%%" to "%".  The domain is
 *	cut at DT_DOMAIN_MAX bytes and every byte outside printable ASCII,
 *	and every '%', becomes '?', so a hostile domain can neither break the
 *	SMTP reply line (CR, LF) nor inject a format directive.  The text is
 *	the wire text: libmilter's smfi_setreply() wants a literal '%' doubled,
 *	so the milter must double any '%' (which can only come from "%%" in
 *	the template) before handing the text over.  Returns 0, or -1 when
 *	the template is malformed or text cannot hold the result (textlen of
 *	DT_REPLY_TEXT_MAX + 1 always suffices for a template the config
 *	accepted).
 *
 * HOSTILE INPUT
 *	Lines longer than DT_CONFIG_LINE_MAX bytes, NUL and control bytes,
 *	unknown keys and malformed values are errors with file and line; no
 *	value is ever silently replaced by a default.
 */
#ifndef DMARCTLS_CONFIG_H
#define DMARCTLS_CONFIG_H

#include <stddef.h>

#include "cfg_file.h"		/* CFG_LINE_MAX */

#define DT_CONFIG_LINE_MAX	CFG_LINE_MAX	/* bytes per line (util/cfg_file.h) */
#define DT_DOMAIN_MAX		253	/* RFC 1035 name in text form */
#define DT_REPLY_TEXT_MAX	480	/* code + xcode + text fit a 512-byte
					 * reply line (RFC 5321 4.5.3.1.5) */
#define DT_NETLIST_MAX		100000	/* networks in IgnoreNetworks */
#define DT_TRUSTED_MAX		64	/* TrustedAuthservIDs entries */
#define DT_AUTHSERV_ID_MAX	255

/* Built-in defaults (also in dmarctls.conf(5) and contrib/dmarctls.conf). */
#define DT_DEFAULT_SOCKET	"inet:8893@127.0.0.1"
#define DT_DEFAULT_FACILITY	"mail"
#define DT_DEFAULT_TRUST_ANCHOR	"/usr/share/dns/root.key"
#define DT_DEFAULT_PSL		"/usr/share/publicsuffix/public_suffix_list.dat"
#define DT_DEFAULT_REJECT_REPLY	"550 5.7.1 Email rejected per DMARC policy for %d"
#define DT_DEFAULT_TEMPFAIL_REPLY "451 4.7.5 DMARC policy for %d could not be retrieved"
#define DT_DEFAULT_DNS_TIMEOUT	5
#define DT_DEFAULT_MAX_FROM	8
#define DT_DEFAULT_SOCKET_MODE	0660	/* owner and group: the MTA's group */
#define DT_CONFIG_KEYS_MAX	64	/* rows of the key table (origins) */
#define DT_DEFAULT_REPORT_STORE	"sqlite:/var/lib/dmarctls/reports.db"
#define DT_DEFAULT_REPORT_SPOOL	"/var/lib/dmarctls/reports.spool"
#define DT_DEFAULT_REPORT_SENDMAIL "/usr/sbin/sendmail"
#define DT_DEFAULT_REPORT_WAIT_MS 500
#define DT_DEFAULT_REPORT_SPOOL_MB 256
#define DT_DEFAULT_REPORT_RETENTION 7
#define DT_DEFAULT_REPORT_MAX_URIS 4
#define DT_DEFAULT_FAILURE_HEADER_MAX 32768	/* bytes of header section kept */
#define DT_DEFAULT_FAILURE_RATE	10	/* failure reports per destination per hour */
#define DT_DEFAULT_FAILURE_RATE_TOTAL 100	/* failure reports per hour, all destinations */
#define DT_DEFAULT_MILTER_TIMEOUT 600	/* seconds; see dmarctls.conf(5) MilterTimeout */
#define DT_DEFAULT_MAX_SESSIONS	1000
#define DT_MILTER_TIMEOUT_MAX	7200	/* libmilter's own default */
#define DT_MAX_SESSIONS_MAX	100000

typedef struct dt_netlist dt_netlist;	/* opaque CIDR list */

/* One DANEEndpoint line: the TLSA owner and served chain of one listener. */
typedef struct dt_dane_endpoint {
	char	*selector;	/* matched against {daemon_name} or {daemon_addr} */
	char	*owner;		/* _PORT._tcp.HOST */
	char	*certs;		/* "path,path" */
	unsigned long line;	/* its line in the file; 0: not from a file */
} dt_dane_endpoint;

#define DT_DANE_ENDPOINTS_MAX	16

/* MilterNoReply: ask the MTA not to wait for replies (SMFIP_NR_*) on ... */
#define DT_NOREPLY_NO		0	/* never */
#define DT_NOREPLY_UNIX		1	/* on a unix socket only */
#define DT_NOREPLY_YES		2	/* on every socket type */

/*
 * MilterSkipBody: end the body early (SMFIS_SKIP) once DKIM needs no more
 * of it. libmilter sends a skip only as a reply, so it and SMFIP_NR_BODY
 * exclude each other (milter/callbacks.c, dt_want_proto).
 */
#define DT_SKIPBODY_NO		0	/* never */
#define DT_SKIPBODY_AUTO	1	/* where body chunks are answered anyway */
#define DT_SKIPBODY_YES		2	/* always; body chunks are then answered */

typedef struct dt_config {
	char	*socket;		/* inet:P@H, inet6:P@H, unix:/p, local:/p */
	char	*authserv_id;		/* default: gethostname() */
	char	*user_id;		/* user[:group], NULL = unset */
	char	*pid_file;		/* NULL = unset */
	char	*syslog_facility;	/* lower case: mail, daemon, local0..7 */
	char	*resolver;		/* "ADDR[@PORT],..." normalised; NULL =
					 * resolv.conf */
	char	*trust_anchor_file;	/* path, or "none" = no DNSSEC validation
					 * (the dns_config.trust_anchor words) */
	char	*unbound_config_file;	/* NULL = unset */
	char	*psl_file;
	char	*reject_reply;		/* validated template, 5xx 5.x.y text */
	char	*tempfail_reply;	/* validated template, 4xx 4.x.y text */
	char	*tlsa_target;		/* _PORT._PROTO.host, NULL = unset */
	char	*tls_certificate;	/* "path,path" normalised, NULL = unset */
	char	*socket_group;		/* group of a unix socket, NULL = UserID's */
	char	*metrics_socket;	/* inet:P@ADDR of /metrics, NULL = off */
	char	*source;		/* the file loaded last, NULL = none */
	unsigned socket_mode;		/* permission bits of a unix socket */
	unsigned long key_line[DT_CONFIG_KEYS_MAX];	/* line that set each key
					 * (table order), 0 = not the file */
	unsigned char key_cmdline[DT_CONFIG_KEYS_MAX];	/* set by dt_config_set
					 * after the file */
	int	syslog, reject_failures, tempfail_on_dns_error, reject_on_no_from,
		ignore_authenticated, dry_run, require_tls_header;
	int	quarantine_hold;	/* 1 hold (smfi_quarantine), 0 header */
	int	no_reply;		/* MilterNoReply: DT_NOREPLY_* */
	int	skip_body;		/* MilterSkipBody: DT_SKIPBODY_* */
	int	discovery_psl;		/* 0 treewalk (rfc9989), 1 psl */
	unsigned dns_timeout;		/* seconds, 1..60 */
	unsigned max_from_domains;	/* 1..64 */
	unsigned milter_timeout;	/* seconds libmilter waits for the MTA */
	unsigned max_sessions;		/* concurrent milter sessions; beyond: tempfail */
	char	**trusted_authserv_ids;
	size_t	ntrusted;
	dt_netlist *ignore_networks;	/* NULL = nothing ignored */
	dt_dane_endpoint *dane_endpoints;	/* DANEEndpoint lines, in order */
	size_t	ndane_endpoints;
	dt_netlist *trusted_networks;	/* evaluated, but their REQUIRETLS fields
					 * are believed (NULL = none) */
	/* DMARC reports (report/, dmarctls-reports): off unless Reports yes */
	int	reports;		/* record a row per message and author domain */
	char	*report_store;		/* sqlite:/PATH or postgresql://... */
	char	*report_spool;		/* local spool when the store is slow or down */
	unsigned report_wait_ms;	/* the writer's SQLite commit waits this for the lock */
	unsigned report_spool_max_mb;	/* spool bound; beyond it rows are dropped, logged */
	char	*report_org_name;	/* <org_name>; default: the authserv-id */
	char	*report_from;		/* From: of report mail; default dmarc-reports@authserv-id */
	char	*report_contact;	/* <email>; default: report_from */
	char	*report_submitter;	/* receiver in Subject/filename; default authserv-id */
	char	*report_sendmail;	/* sendmail -t -i path */
	unsigned report_retention_days;	/* rows kept this long after their day */
	unsigned report_max_uris;	/* rua URIs served per record */
	char	*report_metrics_file;	/* dmarctls-reports' textfile-collector file, NULL = none */
	int	report_envelope_to;	/* record the first RCPT domain (privacy: off) */
	/* RFC 9991 failure reports: off unless FailureReports yes (needs Reports) */
	int	failure_reports;	/* keep a failure sample when fo asks */
	unsigned failure_header_max;	/* header section bytes kept per sample */
	int	failure_redact;		/* RFC 6590 redaction of local parts (default on) */
	unsigned failure_rate;		/* per destination per hour */
	unsigned failure_rate_total;	/* all destinations per hour */
} dt_config;

void	dt_config_defaults(dt_config *c);
int	dt_config_load(dt_config *c, const char *path, char *err, size_t errlen);
int	dt_config_set(dt_config *c, const char *key, const char *value,
	    char *err, size_t errlen);
void	dt_config_free(dt_config *c);
const char *dt_config_endpoint_origin(const dt_config *c, size_t i, char *buf,
    size_t len);
const char *dt_config_origin(const dt_config *c, const char *key, char *buf,
	    size_t len);
int	dt_netlist_match(const dt_netlist *l, const char *ip);
size_t	dt_netlist_count(const dt_netlist *l);
int	dt_config_trusted_id(const dt_config *c, const char *authserv_id);
int	dt_config_reply(const char *tmpl, const char *domain, char code[4],
	    char xcode[16], char *text, size_t textlen);

#endif
