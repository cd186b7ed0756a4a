/*
 * pd_config.c -- the keys of dmarctls-policyd.conf(5) (see pd_config.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cfg_file.h"
#include "metrics_http.h"
#include "pd_config.h"

#define PD_MSG_MAX	1024

typedef enum { K_STR, K_UINT, K_BOOL, K_MODE } pd_key_type;
typedef int (*pd_check)(const char *v);

typedef struct pd_key {
	const char	*name;
	pd_key_type	type;
	size_t		off;
	pd_check	check;		/* K_STR */
	unsigned	min, max;	/* K_UINT */
	const char	*expect;
} pd_key;

#define FIELD(c, off, type)	((type *)(void *)((char *)(c) + (off)))
#define STR(n, f, chk, e)	{ n, K_STR, offsetof(pd_config, f), chk, 0, 0, e }
#define UINT(n, f, lo, hi)	{ n, K_UINT, offsetof(pd_config, f), NULL, lo, hi, \
				  "a number from " #lo " to " #hi }
#define BOOL(n, f)		{ n, K_BOOL, offsetof(pd_config, f), NULL, 0, 0, \
				  "yes or no" }

static int
check_socket(const char *v)
{
	return cfg_valid_socket(v);
}

/* MetricsSocket: the form metrics_http.h listens on */
static int
check_metrics_socket(const char *v)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return metrics_socket_parse(v, &ss, &len) == 0;
}

static int
check_name(const char *v)
{
	return strchr(v, ':') == NULL && cfg_valid_user_id(v);
}

static int
check_facility(const char *v)
{
	return cfg_facility_name(v) != NULL;
}

static int
check_trust_anchor(const char *v)
{
	return strcasecmp(v, "none") == 0 || cfg_valid_path(v);
}

/* ADDR[@PORT] items, commas or blanks between them. */
static int
check_resolver(const char *v)
{
	const char *p = v, *item, *at;
	unsigned char addr[16];
	size_t	len, alen, n = 0;

	while ((item = cfg_next_item(&p, &len)) != NULL) {
		at = memchr(item, '@', len);
		alen = at ? (size_t)(at - item) : len;
		if (cfg_parse_addr(memchr(item, ':', alen) ? AF_INET6 : AF_INET,
				   item, alen, addr) < 0
		    || (at && cfg_parse_port(at + 1, len - alen - 1) < 0) || ++n > 16)
			return 0;
	}
	return n > 0;
}

static const pd_key pd_keys[] = {
	STR("Socket", socket, check_socket,
	    "inet:PORT@HOST, inet6:PORT@HOST or unix:/PATH"),
	STR("MetricsSocket", metrics_socket, check_metrics_socket,
	    "inet:PORT@IPV4 or inet6:PORT@IPV6 (an address, not a name)"),
	{ "SocketMode", K_MODE, offsetof(pd_config, socket_mode), NULL, 0, 0777,
	  "an octal mode such as 0660" },
	STR("SocketGroup", socket_group, check_name, "a group name"),
	STR("UserID", user_id, cfg_valid_user_id, "USER or USER:GROUP"),
	STR("PidFile", pid_file, cfg_valid_path, "an absolute path"),
	BOOL("Syslog", syslog),
	STR("SyslogFacility", syslog_facility, check_facility,
	    "mail, daemon or local0..local7"),
	STR("Resolver", resolver, check_resolver, "ADDR[@PORT],... (at most 16)"),
	STR("TrustAnchorFile", trust_anchor_file, check_trust_anchor,
	    "an absolute path or none"),
	STR("UnboundConfigFile", unbound_config_file, cfg_valid_path,
	    "an absolute path"),
	UINT("DNSTimeout", dns_timeout, 1, 60),
	UINT("LookupBudget", lookup_budget, 100, 60000),
	UINT("CacheTTL", cache_ttl, 0, 86400),
	UINT("TempCacheTTL", temp_cache_ttl, 0, 3600),
	UINT("CacheSize", cache_size, 1, 10000000),
	STR("OverridesFile", overrides_file, cfg_valid_path, "an absolute path"),
	UINT("MaxClients", max_clients, 1, 10000),
	UINT("IdleTimeout", idle_timeout, 1, 86400),
	UINT("RequestTimeout", request_timeout, 1, 3600),
	BOOL("MTASTS", sts_enable),
	STR("STSCacheFile", sts_cache_file, cfg_valid_path, "an absolute path"),
	STR("CAFile", ca_file, cfg_valid_path, "an absolute path"),
	UINT("STSFetchTimeout", sts_fetch_timeout, 1000, 60000),
	UINT("STSNoPolicyCacheSize", sts_no_policy_max, 1, 10000000),
	BOOL("LogTestingPolicies", log_testing),
};

#define NKEYS	(sizeof(pd_keys) / sizeof(pd_keys[0]))

static char *
xstrdup(const char *s)
{
	char	*p = strdup(s);

	if (p == NULL)
		abort();		/* defaults only: nothing sane to run */
	return p;
}

void
pd_config_defaults(pd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->socket = xstrdup(PD_DEFAULT_SOCKET);
	c->socket_mode = 0660;
	c->syslog = 1;
	c->syslog_facility = xstrdup("mail");
	c->trust_anchor_file = xstrdup(PD_DEFAULT_TRUST_ANCHOR);
	c->dns_timeout = 5;
	c->lookup_budget = 10000;
	c->cache_ttl = 300;
	c->temp_cache_ttl = 10;
	c->cache_size = 100000;
	c->max_clients = 512;
	c->idle_timeout = 300;
	c->request_timeout = 10;
	c->sts_fetch_timeout = 10000;
	c->sts_no_policy_max = 10000;
	c->sts_enable = 1;
	c->log_testing = 1;
}

void
pd_config_free(pd_config *c)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (pd_keys[i].type == K_STR)
			free(*FIELD(c, pd_keys[i].off, char *));
	memset(c, 0, sizeof(*c));
}

static int
copy_config(pd_config *dst, const pd_config *src)
{
	size_t	i;
	char	**f;

	*dst = *src;
	for (i = 0; i < NKEYS; i++) {
		if (pd_keys[i].type != K_STR)
			continue;
		f = FIELD(dst, pd_keys[i].off, char *);
		if (*f != NULL && (*f = strdup(*f)) == NULL) {
			for (; i > 0; i--)	/* later fields still alias src */
				if (pd_keys[i - 1].type == K_STR)
					free(*FIELD(dst, pd_keys[i - 1].off, char *));
			return -1;
		}
	}
	return 0;
}

static int
bad(const pd_key *k, const char *v, char *err, size_t errlen)
{
	char	show[CFG_SHOW_MAX + 4];

	cfg_err(err, errlen, "%s: expected %s, got \"%s\"", k->name, k->expect,
		cfg_show(v, show));
	return -1;
}

static int
set_value(pd_config *c, const pd_key *k, const char *v, char *err, size_t errlen)
{
	unsigned long n;
	char	**f, *s;

	switch (k->type) {
	case K_STR:
		if (!k->check(v))
			return bad(k, v, err, errlen);
		if ((s = strdup(k->check == check_facility ? cfg_facility_name(v) : v))
		    == NULL) {
			cfg_err(err, errlen, "out of memory");
			return -1;
		}
		f = FIELD(c, k->off, char *);
		free(*f);
		*f = s;
		return 0;
	case K_BOOL:
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0
		    || strcmp(v, "1") == 0)
			*FIELD(c, k->off, int) = 1;
		else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0
			 || strcmp(v, "0") == 0)
			*FIELD(c, k->off, int) = 0;
		else
			return bad(k, v, err, errlen);
		return 0;
	case K_MODE:
		n = 0;
		for (s = (char *)v; *s >= '0' && *s <= '7'; s++)
			n = n * 8 + (unsigned long)(*s - '0');
		if (*s != '\0' || s == v || s - v > 4 || n > k->max)
			return bad(k, v, err, errlen);
		*FIELD(c, k->off, unsigned) = (unsigned)n;
		return 0;
	default:
		if (cfg_parse_uint(v, strlen(v), k->max, &n) < 0 || n < k->min)
			return bad(k, v, err, errlen);
		*FIELD(c, k->off, unsigned) = (unsigned)n;
		return 0;
	}
}

int
pd_config_set(pd_config *c, const char *key, const char *value, char *err,
	      size_t errlen)
{
	char	show[CFG_SHOW_MAX + 4];
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (strcasecmp(key, pd_keys[i].name) == 0)
			break;
	if (i == NKEYS) {
		cfg_err(err, errlen, "unknown key \"%s\"", cfg_show(key, show));
		return -1;
	}
	if (value[0] == '\0') {
		cfg_err(err, errlen, "%s: missing value", pd_keys[i].name);
		return -1;
	}
	if (cfg_check_value(value) < 0) {
		cfg_err(err, errlen, "%s: control character in value", pd_keys[i].name);
		return -1;
	}
	return set_value(c, &pd_keys[i], value, err, errlen);
}

int
pd_config_load(pd_config *c, const char *path, char *err, size_t errlen)
{
	pd_config tmp;
	cfg_file f;
	char	msg[PD_MSG_MAX], *text, *key, *value;
	int	got;

	if (cfg_file_open(&f, path, err, errlen) < 0)
		return -1;
	if (copy_config(&tmp, c) < 0) {
		cfg_file_close(&f);
		cfg_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while ((got = cfg_file_next(&f, &text, err, errlen)) > 0) {
		cfg_split(text, &key, &value);
		if (pd_config_set(&tmp, key, value, msg, sizeof(msg)) < 0) {
			cfg_err(err, errlen, "%s:%lu: %s", path, f.lineno, msg);
			got = -1;
			break;
		}
	}
	cfg_file_close(&f);
	if (got < 0) {
		pd_config_free(&tmp);
		return -1;
	}
	pd_config_free(c);
	*c = tmp;
	return 0;
}
