/*
 * config.c -- read dmarctls.conf(5) into a dt_config.
 *
 * NAME
 *	config -- the one configuration table of dmarctls
 *
 * SYNOPSIS
 *	#include "config.h"
 *
 *	void dt_config_defaults(dt_config *c);
 *	int  dt_config_load(dt_config *c, const char *path, char *err, size_t errlen);
 *	int  dt_config_set(dt_config *c, const char *key, const char *value,
 *		char *err, size_t errlen);
 *	void dt_config_free(dt_config *c);
 *	int  dt_netlist_match(const dt_netlist *l, const char *ip);
 *	size_t dt_netlist_count(const dt_netlist *l);
 *	int  dt_config_trusted_id(const dt_config *c, const char *authserv_id);
 *	int  dt_config_reply(const char *tmpl, const char *domain, char code[4],
 *		char xcode[16], char *text, size_t textlen);
 *
 * DESCRIPTION
 *	The file format is that of opendkim.conf and opendmarc.conf: one
 *	"Key value" per line, the key case-insensitive and separated from
 *	the value by blanks, the value the rest of the line with trailing
 *	blanks removed.  '#' at the start of a line or after a blank starts
 *	a comment; blank lines are ignored.  A key given twice: the last
 *	one wins (list keys are replaced, not merged).
 *
 *	Every key is one row of cfg_keys[] below: its name, the setter that
 *	parses its value, where the value lives in dt_config, and the words
 *	used to tell the administrator what a valid value looks like.  A key
 *	is added by adding a row (and a field, and a line in the man page).
 *
 *	Paths must be absolute: the daemon changes its directory to "/".
 *	Values that are one word (paths, names, addresses) may not contain
 *	blanks, which catches "PidFile /run/x.pid oops" typos.
 *
 * HOSTILE INPUT
 *	The lines come from util/cfg_file.c (the lexer dmarctls-policyd
 *	shares), read byte by byte into a fixed buffer: a line longer than
 *	DT_CONFIG_LINE_MAX, a NUL byte or any other control byte in a value
 *	is an error, reported with file and line.  Values quoted back in
 *	error messages are cut and have non-printable bytes replaced.  Lists
 *	are bounded (DT_NETLIST_MAX, DT_TRUSTED_MAX, CFG_FORWARDERS_MAX) and
 *	parsed in one pass.  The reply domain is sanitised before it is put
 *	into an SMTP reply.
 *
 * DIAGNOSTICS
 *	Functions that can fail return -1 and write one line into err.
 *	dt_config_defaults() aborts when memory is exhausted.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/* System library. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Utility library. */
#include "cfg_file.h"
#include "metrics_http.h"
#include "strbuf.h"

/* Application-specific. */
#include "config.h"

#define CFG_MSG_MAX		1024	/* inner error message buffer */
#define CFG_FORWARDERS_MAX	16	/* Resolver entries */
#define CFG_DNS_TIMEOUT_MAX	60
#define CFG_MAX_FROM_MAX	64
#define CFG_HOSTNAME_BUF	256

/* One network of an IgnoreNetworks list; IPv4 in the first 4 bytes. */
typedef struct net_entry {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned	prefix;		/* 0..32 or 0..128 */
	unsigned char	addr[16];	/* host bits are zero */
} net_entry;

struct dt_netlist {
	size_t		n;
	size_t		cap;
	net_entry	*v;
};

struct cfg_key;
typedef int (*cfg_setter)(dt_config *, const struct cfg_key *, const char *,
			  char *, size_t);
typedef char *(*cfg_conv)(const struct cfg_key *, const char *, char *, size_t);

typedef struct cfg_key {
	const char	*name;
	cfg_setter	set;
	size_t		off;		/* of the field in dt_config */
	cfg_conv	conv;		/* string keys: validate and copy */
	unsigned	min, max;	/* integer keys */
	const char	*expect;	/* what a valid value looks like */
} cfg_key;

/* The char * fields of dt_config, for copy and free. */
static const size_t cfg_str_fields[] = {
	offsetof(dt_config, socket), offsetof(dt_config, authserv_id),
	offsetof(dt_config, user_id), offsetof(dt_config, pid_file),
	offsetof(dt_config, syslog_facility), offsetof(dt_config, resolver),
	offsetof(dt_config, trust_anchor_file),
	offsetof(dt_config, unbound_config_file), offsetof(dt_config, psl_file),
	offsetof(dt_config, reject_reply), offsetof(dt_config, tempfail_reply),
	offsetof(dt_config, tlsa_target), offsetof(dt_config, tls_certificate),
	offsetof(dt_config, socket_group), offsetof(dt_config, source),
	offsetof(dt_config, report_store), offsetof(dt_config, report_spool),
	offsetof(dt_config, report_org_name), offsetof(dt_config, report_from),
	offsetof(dt_config, report_contact), offsetof(dt_config, report_submitter),
	offsetof(dt_config, report_sendmail), offsetof(dt_config, metrics_socket),
	offsetof(dt_config, report_metrics_file),
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define FIELD(c, off, type)	((type *)(void *)((char *)(c) + (off)))

/* ------------------------------------------------------------------ */
/* Small helpers: ASCII only, never the locale.                        */
/* ------------------------------------------------------------------ */

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
bad_value(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	char	show[CFG_SHOW_MAX + 4];

	cfg_err(err, errlen, "%s: expected %s, got \"%s\"", k->name, k->expect,
		cfg_show(v, show));
	return -1;
}

static char *
no_memory(char *err, size_t errlen)
{
	cfg_err(err, errlen, "out of memory");
	return NULL;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		abort();			/* only from dt_config_defaults() */
	return p;
}

/* RFC 2045 token, which is what an unquoted RFC 8601 authserv-id is. */
static int
valid_token(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > DT_AUTHSERV_ID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
		if (strchr("()<>@,;:\\\"/[]?=", s[i]) != NULL)
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* IgnoreNetworks                                                      */
/* ------------------------------------------------------------------ */

/* An IPv4-mapped IPv6 address or network is stored as IPv4. */
static void
net_unmap(net_entry *e)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (e->family != AF_INET6 || e->prefix < 96
	    || memcmp(e->addr, mapped, sizeof(mapped)) != 0)
		return;
	memmove(e->addr, e->addr + 12, 4);
	memset(e->addr + 4, 0, 12);
	e->family = AF_INET;
	e->prefix -= 96;
}

/* Do the first bits bits of a and b agree? */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned char mask;
	unsigned full = bits / 8, rest = bits % 8;

	if (full > 0 && memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* Clear every bit after the first prefix bits of a 16-byte address. */
static void
mask_host_bits(unsigned char addr[16], unsigned prefix)
{
	unsigned i;

	for (i = prefix; i < 128; i++)
		addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
}

/* Parse "ADDR" or "ADDR/PREFIX"; an address alone is a host network. */
static int
net_parse(const char *s, size_t len, net_entry *e, const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t	alen = slash ? (size_t)(slash - s) : len;
	unsigned long prefix;
	unsigned char host[16];
	unsigned maxbits;

	memset(e, 0, sizeof(*e));
	e->family = memchr(s, ':', alen) ? AF_INET6 : AF_INET;
	maxbits = e->family == AF_INET ? 32 : 128;
	*why = "an IPv4 or IPv6 address or CIDR network";
	if (cfg_parse_addr(e->family, s, alen, e->addr) < 0)
		return -1;
	e->prefix = maxbits;
	if (slash != NULL) {
		if (cfg_parse_uint(slash + 1, len - alen - 1, maxbits, &prefix) < 0) {
			*why = e->family == AF_INET ? "a prefix length 0..32"
			    : "a prefix length 0..128";
			return -1;
		}
		e->prefix = (unsigned)prefix;
	}

	/*
	 * 192.0.2.1/24 is more likely a typo than a network: refuse it
	 * rather than guess (Postfix's cidr tables do the same).
	 */
	memcpy(host, e->addr, sizeof(host));
	mask_host_bits(host, e->prefix);
	if (memcmp(host, e->addr, sizeof(host)) != 0) {
		*why = "a network without host bits set after the prefix";
		return -1;
	}
	net_unmap(e);
	return 0;
}

static int
netlist_add(dt_netlist *l, const net_entry *e)
{
	net_entry *v;
	size_t	cap;

	if (l->n >= DT_NETLIST_MAX)
		return -1;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static void
netlist_free(dt_netlist *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l);
}

static dt_netlist *
netlist_copy(const dt_netlist *src)
{
	dt_netlist *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if (src->n == 0)
		return l;
	if ((l->v = malloc(src->n * sizeof(*l->v))) == NULL) {
		free(l);
		return NULL;
	}
	memcpy(l->v, src->v, src->n * sizeof(*l->v));
	l->n = l->cap = src->n;
	return l;
}

/* Add every item of a comma/blank list; where says where it came from. */
static int
netlist_add_items(dt_netlist *l, const char *list, const char *where,
		  char *err, size_t errlen)
{
	const char *item;
	size_t	len;
	net_entry e;
	const char *why;
	char	show[CFG_SHOW_MAX + 4], tok[CFG_SHOW_MAX + 1];

	while ((item = cfg_next_item(&list, &len)) != NULL) {
		if (net_parse(item, len, &e, &why) < 0) {
			len = len < CFG_SHOW_MAX ? len : CFG_SHOW_MAX;
			memcpy(tok, item, len);
			tok[len] = '\0';
			cfg_err(err, errlen, "%sexpected %s, got \"%s\"", where,
				why, cfg_show(tok, show));
			return -1;
		}
		if (netlist_add(l, &e) < 0) {
			cfg_err(err, errlen, "%smore than %d networks or out of "
				"memory", where, DT_NETLIST_MAX);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading lines                                                       */
/* ------------------------------------------------------------------ */

/* An IgnoreNetworks file: one network (or list) per line, '#' comments. */
static int
netlist_read_file(dt_netlist *l, const char *path, char *err, size_t errlen)
{
	cfg_file f;
	char	where[CFG_MSG_MAX], *p;
	int	rc = 0, got;

	if (cfg_file_open(&f, path, err, errlen) < 0)
		return -1;
	while (rc == 0 && (got = cfg_file_next(&f, &p, err, errlen)) != 0) {
		if (got < 0) {
			rc = -1;
			break;
		}
		snprintf(where, sizeof(where), "%s:%lu: ", path, f.lineno);
		if (cfg_check_value(p) < 0) {
			cfg_err(err, errlen, "%scontrol character", where);
			rc = -1;
		} else
			rc = netlist_add_items(l, p, where, err, errlen);
	}
	cfg_file_close(&f);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Value converters: validate, return an allocated copy to store.      */
/* ------------------------------------------------------------------ */

/* copy_valid - the stored copy of a value that passed its check */
static char *
copy_valid(int valid, const cfg_key *k, const char *v, char *err, size_t errlen)
{
	char	*s;

	if (!valid) {
		bad_value(k, v, err, errlen);
		return NULL;
	}
	if ((s = strdup(v)) == NULL)
		return no_memory(err, errlen);
	return s;
}

static char *
conv_path(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(cfg_valid_path(v), k, v, err, errlen);
}

/* ReportStore: sqlite:/absolute/path or a libpq URI (postgresql://...). */
static int
valid_store(const char *v)
{
	if (cfg_has_blank(v))
		return 0;
	if (strncmp(v, "sqlite:", 7) == 0)
		return v[7] == '/';
	return (strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0);
}

static char *
conv_store(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(valid_store(v), k, v, err, errlen);
}

/* ReportFrom, ReportContact: local@domain, printable ASCII, no blanks or
 * the characters that would end an address in a header field. */
static int
valid_address(const char *v)
{
	const char *at = strrchr(v, '@');
	const unsigned char *p;

	if (at == NULL || at == v || at[1] == '\0')
		return 0;
	for (p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("<>()\",;:\\", *p) != NULL)
			return 0;
	return 1;
}

static char *
conv_address(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(valid_address(v), k, v, err, errlen);
}

/* ReportOrgName: one line of printable ASCII (it goes into XML and mail). */
static char *
conv_text(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	const unsigned char *p;
	int	ok = v[0] != '\0';

	for (p = (const unsigned char *)v; *p; p++)
		if (*p < ' ' || *p >= 0x7f)
			ok = 0;
	return copy_valid(ok, k, v, err, errlen);
}

/* TrustAnchorFile: a path, or "none" (the word dns.h understands). */
static char *
conv_trust_anchor(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	char	*s;

	if (strcasecmp(v, "none") != 0)
		return conv_path(k, v, err, errlen);
	if ((s = strdup("none")) == NULL)
		return no_memory(err, errlen);
	return s;
}

/* MetricsSocket: inet:PORT@IPV4 or inet6:PORT@IPV6, a literal (metrics_http.h) */
static char *
conv_metrics_socket(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return copy_valid(metrics_socket_parse(v, &ss, &len) == 0, k, v, err, errlen);
}

static char *
conv_socket(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(cfg_valid_socket(v), k, v, err, errlen);
}

static char *
conv_authserv_id(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(valid_token(v, strlen(v)), k, v, err, errlen);
}

static char *
conv_user_id(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(cfg_valid_user_id(v), k, v, err, errlen);
}

static char *
conv_group(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	/* a group name is spelled like a user name: UserID without ":" */
	return copy_valid(strchr(v, ':') == NULL && cfg_valid_user_id(v), k, v, err, errlen);
}

/* Stored in lower case so that the milter compares with strcmp. */
static char *
conv_facility(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	const char *name = cfg_facility_name(v);
	char	*s;

	if (name == NULL) {
		bad_value(k, v, err, errlen);
		return NULL;
	}
	if ((s = strdup(name)) == NULL)
		return no_memory(err, errlen);
	return s;
}

/* One forwarder: ADDR or ADDR@PORT, ADDR an IPv4 or IPv6 literal. */
static int
valid_forwarder(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t	alen = at ? (size_t)(at - s) : len;
	unsigned char addr[16];
	int	family = memchr(s, ':', alen) ? AF_INET6 : AF_INET;

	if (cfg_parse_addr(family, s, alen, addr) < 0)
		return 0;
	return at == NULL || cfg_parse_port(at + 1, len - alen - 1) > 0;
}

/*
 * join_list - a list of items (commas or blanks between them), each passing
 * ok(), at most max of them, stored as "item,item".
 */
static char *
join_list(const cfg_key *k, const char *v, int (*ok)(const char *, size_t), size_t max,
    char *err, size_t errlen)
{
	strbuf	sb = STRBUF_INIT;
	const char *p = v, *item;
	size_t	len, n = 0;
	char	*s;

	while ((item = cfg_next_item(&p, &len)) != NULL) {
		if (!ok(item, len) || ++n > max) {
			strbuf_free(&sb);
			bad_value(k, v, err, errlen);
			return NULL;
		}
		if (n > 1)
			strbuf_appendc(&sb, ',');
		strbuf_appendn(&sb, item, len);
	}
	if (n == 0) {
		bad_value(k, v, err, errlen);
		return NULL;
	}
	if (sb.failed || (s = strbuf_detach(&sb)) == NULL) {
		strbuf_free(&sb);
		return no_memory(err, errlen);
	}
	return s;
}

/* Resolver: ADDR[@PORT] items, stored as "addr@port,addr". */
static char *
conv_resolver(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return join_list(k, v, valid_forwarder, CFG_FORWARDERS_MAX, err, errlen);
}

static int
valid_abs_path(const char *item, size_t len)
{
	return len > 0 && item[0] == '/';
}

/* TLSCertificate: a list of absolute paths, stored as "path,path". */
static char *
conv_path_list(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return join_list(k, v, valid_abs_path, (size_t)-1, err, errlen);
}

/* TLSATarget: _PORT._PROTO.host (RFC 6698 section 3). */
static int
valid_tlsa_target(const char *v)
{
	const char *dot1, *dot2;

	if (v[0] != '_' || (dot1 = strchr(v, '.')) == NULL
	    || cfg_parse_port(v + 1, (size_t)(dot1 - v - 1)) < 0)
		return 0;
	if ((dot2 = strchr(dot1 + 1, '.')) == NULL)
		return 0;
	if (!((dot2 - dot1 == 5 && (strncasecmp(dot1 + 1, "_tcp", 4) == 0
				    || strncasecmp(dot1 + 1, "_udp", 4) == 0))
	      || (dot2 - dot1 == 6 && strncasecmp(dot1 + 1, "_sctp", 5) == 0)))
		return 0;
	return cfg_valid_hostname(v, strlen(v), 1)
	    && cfg_valid_hostname(dot2 + 1, strlen(dot2 + 1), 0);
}

static char *
conv_tlsa_target(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	return copy_valid(valid_tlsa_target(v), k, v, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Reply templates                                                     */
/* ------------------------------------------------------------------ */

/* 1..3 digits then the terminator; returns the bytes consumed or 0. */
static size_t
digits_then(const char *s, int term)
{
	size_t	n = 0;

	while (n < 3 && is_digit(s[n]))
		n++;
	return n > 0 && s[n] == term ? n + 1 : 0;
}

/*
 * "CODE X.Y.Z text": CODE 4xx or 5xx (RFC 5321 4.2: second digit 0..5),
 * X.Y.Z an enhanced status code whose class is CODE's first digit
 * (RFC 3463 section 2, RFC 2034 section 4), then one space and text.
 * The text is printable ASCII, '%' only as "%d" or "%%", and short
 * enough with every "%d" at DT_DOMAIN_MAX bytes to stay within
 * DT_REPLY_TEXT_MAX.  Returns a pointer to the text, or NULL.
 */
static const char *
reply_split(const char *t, char code[4], char xcode[16])
{
	const char *x, *text, *p;
	size_t	n, len, fixed = 0, ndomain = 0;

	if ((t[0] != '4' && t[0] != '5') || t[1] < '0' || t[1] > '5'
	    || !is_digit(t[2]) || t[3] != ' ')
		return NULL;
	x = t + 4;
	if (x[0] != t[0] || x[1] != '.')
		return NULL;
	if ((n = digits_then(x + 2, '.')) == 0)
		return NULL;
	if ((len = digits_then(x + 2 + n, ' ')) == 0)
		return NULL;
	text = x + 2 + n + len;
	if (*text == '\0')
		return NULL;
	for (p = text; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			return NULL;
		if (*p == '%') {
			if (p[1] == 'd')
				ndomain++;
			else if (p[1] == '%')
				fixed++;
			else
				return NULL;
			p++;
			continue;
		}
		fixed++;
	}
	if (fixed > DT_REPLY_TEXT_MAX
	    || ndomain > (DT_REPLY_TEXT_MAX - fixed) / DT_DOMAIN_MAX)
		return NULL;
	if (code != NULL) {
		memcpy(code, t, 3);
		code[3] = '\0';
	}
	if (xcode != NULL) {
		len = (size_t)(text - 1 - x);
		memcpy(xcode, x, len);
		xcode[len] = '\0';
	}
	return text;
}

static char *
conv_reply(const cfg_key *k, const char *v, char *err, size_t errlen)
{
	/* k->min holds the reply class this key demands: '4' or '5'. */
	return copy_valid(v[0] == (char)k->min && reply_split(v, NULL, NULL) != NULL,
	    k, v, err, errlen);
}

int
dt_config_reply(const char *tmpl, const char *domain, char code[4],
		char xcode[16], char *text, size_t textlen)
{
	const char *t, *p;
	size_t	n = 0, i;
	int	ch;

	if (tmpl == NULL || text == NULL || textlen == 0)
		return -1;
	text[0] = '\0';
	if ((t = reply_split(tmpl, code, xcode)) == NULL)
		return -1;
	if (domain == NULL)
		domain = "";

#define PUT(c) do { if (n + 1 >= textlen) { text[0] = '\0'; return -1; } \
		     text[n++] = (char)(c); } while (0)

	for (p = t; *p != '\0'; p++) {
		if (*p != '%') {
			PUT(*p);
			continue;
		}
		if (*++p == '%') {
			PUT('%');
			continue;
		}
		/* "%d": a domain may bring CR, LF, '%' or 8-bit bytes. */
		for (i = 0; domain[i] != '\0' && i < DT_DOMAIN_MAX; i++) {
			ch = (unsigned char)domain[i];
			PUT(ch > 0x20 && ch < 0x7f && ch != '%' ? ch : '?');
		}
	}
#undef PUT
	text[n] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Setters                                                             */
/* ------------------------------------------------------------------ */

static int
set_string(dt_config *c, const cfg_key *k, const char *v, char *err,
	   size_t errlen)
{
	char	**field = FIELD(c, k->off, char *);
	char	*s;

	if ((s = k->conv(k, v, err, errlen)) == NULL)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

static int
set_bool(dt_config *c, const cfg_key *k, const char *v, char *err,
	 size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };
	size_t	i;

	for (i = 0; i < NELEM(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*FIELD(c, k->off, int) = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*FIELD(c, k->off, int) = 0;
			return 0;
		}
	}
	return bad_value(k, v, err, errlen);
}

static int
set_uint(dt_config *c, const cfg_key *k, const char *v, char *err,
	 size_t errlen)
{
	unsigned long n;

	if (cfg_parse_uint(v, strlen(v), k->max, &n) < 0 || n < k->min)
		return bad_value(k, v, err, errlen);
	*FIELD(c, k->off, unsigned) = (unsigned)n;
	return 0;
}

/*
 * SocketMode: octal permission bits, as chmod(1) takes them.  Bits beyond
 * 0777 (setuid, sticky) mean nothing on a socket and are refused.
 */
static int
set_mode(dt_config *c, const cfg_key *k, const char *v, char *err,
	 size_t errlen)
{
	unsigned long n = 0;
	const char *p;

	if (*v == '\0' || strlen(v) > 4)
		return bad_value(k, v, err, errlen);
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return bad_value(k, v, err, errlen);
		n = n * 8 + (unsigned long)(*p - '0');
	}
	if (n > 0777)
		return bad_value(k, v, err, errlen);
	*FIELD(c, k->off, unsigned) = (unsigned)n;
	return 0;
}

/* Words that map to an int: DMARCDiscovery, Quarantine. */
static int
set_discovery(dt_config *c, const cfg_key *k, const char *v, char *err,
	      size_t errlen)
{
	if (strcasecmp(v, "rfc9989") == 0 || strcasecmp(v, "treewalk") == 0)
		c->discovery_psl = 0;
	else if (strcasecmp(v, "psl") == 0)
		c->discovery_psl = 1;
	else
		return bad_value(k, v, err, errlen);
	return 0;
}

static int
set_quarantine(dt_config *c, const cfg_key *k, const char *v, char *err,
	       size_t errlen)
{
	if (strcasecmp(v, "hold") == 0)
		c->quarantine_hold = 1;
	else if (strcasecmp(v, "header") == 0)
		c->quarantine_hold = 0;
	else
		return bad_value(k, v, err, errlen);
	return 0;
}

static int
set_no_reply(dt_config *c, const cfg_key *k, const char *v, char *err, size_t errlen)
{
	if (strcasecmp(v, "yes") == 0)
		c->no_reply = DT_NOREPLY_YES;
	else if (strcasecmp(v, "unix") == 0)
		c->no_reply = DT_NOREPLY_UNIX;
	else if (strcasecmp(v, "no") == 0)
		c->no_reply = DT_NOREPLY_NO;
	else
		return bad_value(k, v, err, errlen);
	return 0;
}

static int
set_skip_body(dt_config *c, const cfg_key *k, const char *v, char *err, size_t errlen)
{
	if (strcasecmp(v, "yes") == 0)
		c->skip_body = DT_SKIPBODY_YES;
	else if (strcasecmp(v, "auto") == 0)
		c->skip_body = DT_SKIPBODY_AUTO;
	else if (strcasecmp(v, "no") == 0)
		c->skip_body = DT_SKIPBODY_NO;
	else
		return bad_value(k, v, err, errlen);
	return 0;
}

static int
set_networks(dt_config *c, const cfg_key *k, const char *v, char *err,
	     size_t errlen)
{
	dt_netlist *l;
	char	msg[CFG_MSG_MAX], where[CFG_SHOW_MAX];
	int	rc;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		no_memory(err, errlen);
		return -1;
	}
	if (v[0] == '/') {
		if ((rc = netlist_read_file(l, v, msg, sizeof(msg))) < 0)
			cfg_err(err, errlen, "%s: %s", k->name, msg);
	} else {
		snprintf(where, sizeof(where), "%s: ", k->name);
		rc = netlist_add_items(l, v, where, err, errlen);
		if (rc == 0 && l->n == 0)
			rc = bad_value(k, v, err, errlen);
	}
	if (rc < 0) {
		netlist_free(l);
		return -1;
	}
	netlist_free(*FIELD(c, k->off, dt_netlist *));
	*FIELD(c, k->off, dt_netlist *) = l;
	return 0;
}

static void
free_ids(char **ids, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static int
set_trusted(dt_config *c, const cfg_key *k, const char *v, char *err,
	    size_t errlen)
{
	char	**ids;
	const char *p = v, *item;
	size_t	len, n = 0;

	if ((ids = calloc(DT_TRUSTED_MAX, sizeof(*ids))) == NULL) {
		no_memory(err, errlen);
		return -1;
	}
	while ((item = cfg_next_item(&p, &len)) != NULL) {
		if (n >= DT_TRUSTED_MAX || !valid_token(item, len)) {
			free_ids(ids, n);
			return bad_value(k, v, err, errlen);
		}
		if ((ids[n] = strndup(item, len)) == NULL) {
			free_ids(ids, n);
			no_memory(err, errlen);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		free(ids);
		return bad_value(k, v, err, errlen);
	}
	free_ids(c->trusted_authserv_ids, c->ntrusted);
	c->trusted_authserv_ids = ids;
	c->ntrusted = n;
	return 0;
}

static void
free_endpoints(dt_dane_endpoint *e, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(e[i].selector);
		free(e[i].owner);
		free(e[i].certs);
	}
	free(e);
}

/* next_word - a blank-separated word of at most size-1 bytes; -1 if none */
static int
next_word(const char **pp, char *word, size_t size)
{
	size_t	n;

	*pp += strspn(*pp, " \t");
	n = strcspn(*pp, " \t");
	if (n == 0 || n >= size)
		return -1;
	memcpy(word, *pp, n);
	word[n] = '\0';
	*pp += n;
	return 0;
}

/* printable, blank-free: what {daemon_name} and {daemon_addr} hold */
static int
valid_selector(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || (unsigned char)*v >= 0x7f)
			return 0;
	return 1;
}

/*
 * DANEEndpoint SELECTOR _25._tcp.HOST /chain.pem[,/more.pem]: the TLSA owner
 * and served chain of one listener, chosen by the connection's
 * {daemon_name} or {daemon_addr}. Repeatable: every line adds one.
 */
static int
set_dane_endpoint(dt_config *c, const cfg_key *k, const char *v, char *err,
    size_t errlen)
{
	char	sel[256], owner[DT_DOMAIN_MAX + 1], *certs;
	const char *p = v;
	dt_dane_endpoint *e;

	if (next_word(&p, sel, sizeof(sel)) < 0 || next_word(&p, owner, sizeof(owner)) < 0
	    || !valid_selector(sel) || !valid_tlsa_target(owner))
		return bad_value(k, v, err, errlen);
	if (c->ndane_endpoints >= DT_DANE_ENDPOINTS_MAX) {
		cfg_err(err, errlen, "%s: more than %d endpoints", k->name,
		    DT_DANE_ENDPOINTS_MAX);
		return -1;
	}
	if ((certs = conv_path_list(k, p + strspn(p, " \t"), err, errlen)) == NULL)
		return -1;
	if ((e = realloc(c->dane_endpoints, (c->ndane_endpoints + 1) * sizeof(*e))) == NULL) {
		free(certs);
		no_memory(err, errlen);
		return -1;
	}
	c->dane_endpoints = e;
	e += c->ndane_endpoints;
	e->certs = certs;
	if ((e->selector = strdup(sel)) == NULL || (e->owner = strdup(owner)) == NULL) {
		free(e->selector);
		free(certs);
		no_memory(err, errlen);
		return -1;
	}
	c->ndane_endpoints++;
	return 0;
}

#define OFF(f)	offsetof(dt_config, f)
#define STR(name, f, conv, expect) \
	{ name, set_string, OFF(f), conv, 0, 0, expect }
#define BOOL(name, f) \
	{ name, set_bool, OFF(f), NULL, 0, 0, "yes, no, true, false, on, off, 1 or 0" }

static const cfg_key cfg_keys[] = {
	STR("Socket", socket, conv_socket,
	    "inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH or local:/PATH"),
	STR("AuthservID", authserv_id, conv_authserv_id,
	    "an authserv-id (a host name or other MIME token)"),
	STR("UserID", user_id, conv_user_id, "USER or USER:GROUP"),
	{ "SocketMode", set_mode, OFF(socket_mode), NULL, 0, 0,
	  "octal permission bits 0..0777, e.g. 0660" },
	STR("SocketGroup", socket_group, conv_group, "a group name or number"),
	STR("PidFile", pid_file, conv_path, "an absolute path"),
	BOOL("Syslog", syslog),
	STR("SyslogFacility", syslog_facility, conv_facility,
	    "mail, daemon or local0..local7"),
	STR("Resolver", resolver, conv_resolver,
	    "IP addresses with optional @PORT, separated by commas or blanks"),
	STR("TrustAnchorFile", trust_anchor_file, conv_trust_anchor,
	    "an absolute path or \"none\""),
	STR("UnboundConfigFile", unbound_config_file, conv_path,
	    "an absolute path"),
	{ "DNSTimeout", set_uint, OFF(dns_timeout), NULL, 1,
	  CFG_DNS_TIMEOUT_MAX, "an integer number of seconds 1..60" },
	{ "DMARCDiscovery", set_discovery, 0, NULL, 0, 0,
	  "rfc9989, treewalk or psl" },
	STR("PublicSuffixList", psl_file, conv_path, "an absolute path"),
	BOOL("RejectFailures", reject_failures),
	{ "RejectReply", set_string, OFF(reject_reply), conv_reply, '5', 0,
	  "\"5xx 5.y.z text\" with printable text, %d for the domain, %% for %" },
	{ "TempfailReply", set_string, OFF(tempfail_reply), conv_reply, '4', 0,
	  "\"4xx 4.y.z text\" with printable text, %d for the domain, %% for %" },
	{ "Quarantine", set_quarantine, 0, NULL, 0, 0, "hold or header" },
	{ "MilterNoReply", set_no_reply, 0, NULL, 0, 0, "yes, unix or no" },
	{ "MilterSkipBody", set_skip_body, 0, NULL, 0, 0, "auto, yes or no" },
	BOOL("TempfailOnDNSError", tempfail_on_dns_error),
	BOOL("RejectOnNoFrom", reject_on_no_from),
	{ "IgnoreNetworks", set_networks, OFF(ignore_networks), NULL, 0, 0,
	  "IPv4/IPv6 networks separated by commas or blanks, or an absolute "
	  "path to a file of them" },
	{ "TrustedNetworks", set_networks, OFF(trusted_networks), NULL, 0, 0,
	  "IPv4/IPv6 networks separated by commas or blanks, or an absolute "
	  "path to a file of them" },
	BOOL("IgnoreAuthenticatedClients", ignore_authenticated),
	{ "TrustedAuthservIDs", set_trusted, 0, NULL, 0, 0,
	  "authserv-ids separated by commas or blanks (at most 64)" },
	{ "MaxFromDomains", set_uint, OFF(max_from_domains), NULL, 1,
	  CFG_MAX_FROM_MAX, "an integer 1..64" },
	{ "MilterTimeout", set_uint, OFF(milter_timeout), NULL, 1,
	  DT_MILTER_TIMEOUT_MAX, "an integer number of seconds 1..7200" },
	{ "MaxSessions", set_uint, OFF(max_sessions), NULL, 1,
	  DT_MAX_SESSIONS_MAX, "an integer 1..100000" },
	STR("TLSCertificate", tls_certificate, conv_path_list,
	    "absolute paths separated by commas or blanks"),
	{ "DANEEndpoint", set_dane_endpoint, 0, NULL, 0, 0,
	  "SELECTOR _PORT._tcp.HOST /path[,/path]: a {daemon_name} or {daemon_addr} "
	  "value, a TLSA owner name, the chain that listener serves" },
	STR("TLSATarget", tlsa_target, conv_tlsa_target,
	    "a TLSA owner name _PORT._tcp.HOST"),
	BOOL("RequireTLSHeader", require_tls_header),
	BOOL("DryRun", dry_run),
	STR("MetricsSocket", metrics_socket, conv_metrics_socket,
	    "inet:PORT@IPV4 or inet6:PORT@IPV6 (an address, not a name)"),
	BOOL("Reports", reports),
	STR("ReportStore", report_store, conv_store,
	    "sqlite:/PATH or a PostgreSQL URI postgresql://..."),
	STR("ReportSpool", report_spool, conv_path, "an absolute path"),
	{ "ReportCommitWait", set_uint, OFF(report_wait_ms), NULL, 1, 10000,
	  "milliseconds 1..10000" },
	{ "ReportSpoolMax", set_uint, OFF(report_spool_max_mb), NULL, 1, 65536,
	  "megabytes 1..65536" },
	STR("ReportOrgName", report_org_name, conv_text, "one line of printable ASCII"),
	STR("ReportFrom", report_from, conv_address, "an address local@domain"),
	STR("ReportContact", report_contact, conv_address, "an address local@domain"),
	STR("ReportSubmitter", report_submitter, conv_authserv_id, "a host name"),
	STR("ReportSendmail", report_sendmail, conv_path, "an absolute path"),
	{ "ReportRetention", set_uint, OFF(report_retention_days), NULL, 1, 3650,
	  "days 1..3650" },
	{ "ReportMaxURIs", set_uint, OFF(report_max_uris), NULL, 1, 8,
	  "an integer 1..8" },
	STR("ReportMetricsFile", report_metrics_file, conv_path, "an absolute path"),
	BOOL("ReportEnvelopeTo", report_envelope_to),
	BOOL("FailureReports", failure_reports),
	{ "FailureReportHeaderMax", set_uint, OFF(failure_header_max), NULL, 1024, 65536,
	  "bytes 1024..65536" },
	BOOL("FailureReportRedact", failure_redact),
	{ "FailureReportRate", set_uint, OFF(failure_rate), NULL, 1, 10000,
	  "reports per destination per hour 1..10000" },
	{ "FailureReportRateTotal", set_uint, OFF(failure_rate_total), NULL, 1, 100000,
	  "reports per hour 1..100000" },
};

#undef OFF
#undef STR
#undef BOOL

/* ------------------------------------------------------------------ */
/* Public interface                                                    */
/* ------------------------------------------------------------------ */

static char *
default_authserv_id(void)
{
	char	host[CFG_HOSTNAME_BUF];

	if (gethostname(host, sizeof(host)) < 0)
		return xstrdup("localhost");
	host[sizeof(host) - 1] = '\0';
	if (!valid_token(host, strlen(host)))
		return xstrdup("localhost");
	return xstrdup(host);
}

void
dt_config_defaults(dt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->socket = xstrdup(DT_DEFAULT_SOCKET);
	c->authserv_id = default_authserv_id();
	c->syslog = 1;
	c->syslog_facility = xstrdup(DT_DEFAULT_FACILITY);
	c->trust_anchor_file = xstrdup(DT_DEFAULT_TRUST_ANCHOR);
	c->dns_timeout = DT_DEFAULT_DNS_TIMEOUT;
	c->discovery_psl = 0;
	c->psl_file = xstrdup(DT_DEFAULT_PSL);
	c->reject_failures = 1;
	c->reject_reply = xstrdup(DT_DEFAULT_REJECT_REPLY);
	c->tempfail_reply = xstrdup(DT_DEFAULT_TEMPFAIL_REPLY);
	c->quarantine_hold = 1;
	c->tempfail_on_dns_error = 1;
	c->reject_on_no_from = 1;
	c->ignore_authenticated = 1;
	c->max_from_domains = DT_DEFAULT_MAX_FROM;
	c->milter_timeout = DT_DEFAULT_MILTER_TIMEOUT;
	c->max_sessions = DT_DEFAULT_MAX_SESSIONS;
	c->no_reply = DT_NOREPLY_UNIX;
	c->skip_body = DT_SKIPBODY_AUTO;
	c->require_tls_header = 1;
	c->dry_run = 0;
	c->socket_mode = DT_DEFAULT_SOCKET_MODE;
	c->report_store = xstrdup(DT_DEFAULT_REPORT_STORE);
	c->report_spool = xstrdup(DT_DEFAULT_REPORT_SPOOL);
	c->report_sendmail = xstrdup(DT_DEFAULT_REPORT_SENDMAIL);
	c->report_wait_ms = DT_DEFAULT_REPORT_WAIT_MS;
	c->report_spool_max_mb = DT_DEFAULT_REPORT_SPOOL_MB;
	c->report_retention_days = DT_DEFAULT_REPORT_RETENTION;
	c->report_max_uris = DT_DEFAULT_REPORT_MAX_URIS;
	c->failure_header_max = DT_DEFAULT_FAILURE_HEADER_MAX;
	c->failure_redact = 1;
	c->failure_rate = DT_DEFAULT_FAILURE_RATE;
	c->failure_rate_total = DT_DEFAULT_FAILURE_RATE_TOTAL;
}

void
dt_config_free(dt_config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < NELEM(cfg_str_fields); i++)
		free(*FIELD(c, cfg_str_fields[i], char *));
	free_ids(c->trusted_authserv_ids, c->ntrusted);
	netlist_free(c->ignore_networks);
	netlist_free(c->trusted_networks);
	free_endpoints(c->dane_endpoints, c->ndane_endpoints);
	memset(c, 0, sizeof(*c));
}

/* A deep copy, so that a failed load leaves the original alone. */
static int
config_copy(dt_config *dst, const dt_config *src)
{
	size_t	i;
	char	**d;
	const char *s;

	*dst = *src;
	for (i = 0; i < NELEM(cfg_str_fields); i++)
		*FIELD(dst, cfg_str_fields[i], char *) = NULL;
	dst->trusted_authserv_ids = NULL;
	dst->ntrusted = 0;
	dst->ignore_networks = NULL;
	dst->trusted_networks = NULL;
	dst->dane_endpoints = NULL;
	dst->ndane_endpoints = 0;

	for (i = 0; i < NELEM(cfg_str_fields); i++) {
		s = *FIELD(src, cfg_str_fields[i], char *);
		d = FIELD(dst, cfg_str_fields[i], char *);
		if (s != NULL && (*d = strdup(s)) == NULL)
			goto fail;
	}
	if (src->ntrusted > 0) {
		dst->trusted_authserv_ids = calloc(src->ntrusted, sizeof(char *));
		if (dst->trusted_authserv_ids == NULL)
			goto fail;
		for (i = 0; i < src->ntrusted; i++) {
			dst->trusted_authserv_ids[i] =
			    strdup(src->trusted_authserv_ids[i]);
			if (dst->trusted_authserv_ids[i] == NULL)
				goto fail;
			dst->ntrusted = i + 1;
		}
	}
	if (src->ignore_networks != NULL
	    && (dst->ignore_networks = netlist_copy(src->ignore_networks)) == NULL)
		goto fail;
	if (src->trusted_networks != NULL
	    && (dst->trusted_networks = netlist_copy(src->trusted_networks)) == NULL)
		goto fail;
	if (src->ndane_endpoints > 0) {
		dst->dane_endpoints = calloc(src->ndane_endpoints, sizeof(*dst->dane_endpoints));
		if (dst->dane_endpoints == NULL)
			goto fail;
		for (i = 0; i < src->ndane_endpoints; i++) {
			const dt_dane_endpoint *se = &src->dane_endpoints[i];
			dt_dane_endpoint *de = &dst->dane_endpoints[i];

			dst->ndane_endpoints = i + 1;
			de->line = se->line;
			if ((de->selector = strdup(se->selector)) == NULL
			    || (de->owner = strdup(se->owner)) == NULL
			    || (de->certs = strdup(se->certs)) == NULL)
				goto fail;
		}
	}
	return 0;

fail:
	dt_config_free(dst);		/* frees what was copied so far */
	return -1;
}

/* The row of key in cfg_keys, or -1. */
static int
key_index(const char *key)
{
	size_t	i;

	for (i = 0; i < NELEM(cfg_keys); i++)
		if (strcasecmp(key, cfg_keys[i].name) == 0)
			return (int)i;
	return -1;
}

/* key_line and key_cmdline have a slot per row of the table. */
typedef char cfg_keys_fit[NELEM(cfg_keys) <= DT_CONFIG_KEYS_MAX ? 1 : -1];

static int config_set(dt_config *c, const char *key, const char *value,
		      char *err, size_t errlen);

int
dt_config_set(dt_config *c, const char *key, const char *value, char *err,
	      size_t errlen)
{
	int	i;

	if (config_set(c, key, value, err, errlen) < 0)
		return -1;
	if ((i = key_index(key)) >= 0)
		c->key_cmdline[i] = 1;
	return 0;
}

const char *
dt_config_origin(const dt_config *c, const char *key, char *buf, size_t len)
{
	int	i = key_index(key);

	if (i < 0 || c->key_cmdline[i])
		snprintf(buf, len, "%s", i < 0 ? "unknown key" : "command line");
	else if (c->key_line[i] == 0 || c->source == NULL)
		snprintf(buf, len, "built-in default");
	else
		snprintf(buf, len, "%s:%lu", c->source, c->key_line[i]);
	return buf;
}

const char *
dt_config_endpoint_origin(const dt_config *c, size_t i, char *buf, size_t len)
{
	if (i >= c->ndane_endpoints || c->dane_endpoints[i].line == 0 || c->source == NULL)
		return dt_config_origin(c, "DANEEndpoint", buf, len);
	snprintf(buf, len, "%s:%lu", c->source, c->dane_endpoints[i].line);
	return buf;
}

static int
config_set(dt_config *c, const char *key, const char *value, char *err,
	   size_t errlen)
{
	const cfg_key *k = NULL;
	char	show[CFG_SHOW_MAX + 4];
	size_t	i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (c == NULL || key == NULL || value == NULL) {
		cfg_err(err, errlen, "internal error: missing argument");
		return -1;
	}
	for (i = 0; i < NELEM(cfg_keys); i++) {
		if (strcasecmp(key, cfg_keys[i].name) == 0) {
			k = &cfg_keys[i];
			break;
		}
	}
	if (k == NULL) {
		cfg_err(err, errlen, "unknown key \"%s\"", cfg_show(key, show));
		return -1;
	}
	if (value[0] == '\0') {
		cfg_err(err, errlen, "%s: missing value", k->name);
		return -1;
	}
	if (strlen(value) > DT_CONFIG_LINE_MAX) {
		cfg_err(err, errlen, "%s: value longer than %d bytes", k->name,
			DT_CONFIG_LINE_MAX);
		return -1;
	}
	if (cfg_check_value(value) < 0) {
		cfg_err(err, errlen, "%s: control character in value", k->name);
		return -1;
	}
	return k->set(c, k, value, err, errlen);
}

/* Apply every line of f to c; stops at the first error. */
static int
config_parse(dt_config *c, cfg_file *f, char *err, size_t errlen)
{
	char	msg[CFG_MSG_MAX], *text, *key, *value;
	int	got;

	while ((got = cfg_file_next(f, &text, err, errlen)) > 0) {
		cfg_split(text, &key, &value);
		if (config_set(c, key, value, msg, sizeof(msg)) < 0) {
			cfg_err(err, errlen, "%s:%lu: %s", f->path, f->lineno, msg);
			return -1;
		}
		c->key_line[key_index(key)] = f->lineno;
		c->key_cmdline[key_index(key)] = 0;
		if (strcasecmp(key, "DANEEndpoint") == 0 && c->ndane_endpoints > 0)
			c->dane_endpoints[c->ndane_endpoints - 1].line = f->lineno;
	}
	return got;
}

int
dt_config_load(dt_config *c, const char *path, char *err, size_t errlen)
{
	dt_config tmp;
	cfg_file f;
	int	rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (c == NULL || path == NULL) {
		cfg_err(err, errlen, "internal error: missing argument");
		return -1;
	}
	if (cfg_file_open(&f, path, err, errlen) < 0)
		return -1;
	if (config_copy(&tmp, c) < 0) {
		cfg_file_close(&f);
		cfg_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	free(tmp.source);
	if ((tmp.source = strdup(path)) == NULL) {
		cfg_file_close(&f);
		dt_config_free(&tmp);
		cfg_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memset(tmp.key_line, 0, sizeof(tmp.key_line));
	rc = config_parse(&tmp, &f, err, errlen);
	cfg_file_close(&f);
	if (rc == 0 && tmp.failure_reports && !tmp.reports) {
		/* failure samples live in the report store */
		cfg_err(err, errlen, "%s:%lu: FailureReports yes needs Reports yes", path,
		    tmp.key_line[key_index("FailureReports")]);
		rc = -1;
	}
	if (rc < 0) {
		dt_config_free(&tmp);
		return -1;
	}
	dt_config_free(c);
	*c = tmp;
	return 0;
}

int
dt_netlist_match(const dt_netlist *l, const char *ip)
{
	net_entry q;
	size_t	i, len;

	if (l == NULL || ip == NULL)
		return 0;
	len = strlen(ip);
	memset(&q, 0, sizeof(q));
	q.family = memchr(ip, ':', len) ? AF_INET6 : AF_INET;
	if (cfg_parse_addr(q.family, ip, len, q.addr) < 0)
		return 0;
	q.prefix = q.family == AF_INET ? 32 : 128;
	net_unmap(&q);
	for (i = 0; i < l->n; i++)
		if (l->v[i].family == q.family
		    && prefix_equal(l->v[i].addr, q.addr, l->v[i].prefix))
			return 1;
	return 0;
}

size_t
dt_netlist_count(const dt_netlist *l)
{
	return l == NULL ? 0 : l->n;
}

int
dt_config_trusted_id(const dt_config *c, const char *authserv_id)
{
	size_t	i;

	if (c == NULL || authserv_id == NULL)
		return 0;
	for (i = 0; i < c->ntrusted; i++)
		if (strcasecmp(c->trusted_authserv_ids[i], authserv_id) == 0)
			return 1;
	return 0;
}
