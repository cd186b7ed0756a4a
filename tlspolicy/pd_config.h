/*
 * pd_config.h -- dmarctls-policyd.conf(5): the daemon's own "Key value" file.
 *
 * SYNOPSIS
 *	void pd_config_defaults(pd_config *c);
 *	int  pd_config_load(pd_config *c, const char *path, char *err, size_t errlen);
 *	int  pd_config_set(pd_config *c, const char *key, const char *value,
 *		char *err, size_t errlen);
 *	void pd_config_free(pd_config *c);
 *
 * DESCRIPTION
 *	The lexer is util/cfg_file.c, the one the milter's dmarctls.conf uses
 *	(same comments, limits and "file:line: what" errors). Every key, its
 *	default and its range is one row of pd_keys[] in pd_config.c and one
 *	entry in dmarctls-policyd(8) and contrib/dmarctls-policyd.conf.
 *	pd_config_load() applies the file on top of *c and changes *c only
 *	when the whole file was accepted, so a SIGHUP with a broken file keeps
 *	the configuration in force. Unknown keys and bad values are errors.
 */
#ifndef DMARCTLS_PD_CONFIG_H
#define DMARCTLS_PD_CONFIG_H

#include <stddef.h>

#ifndef DT_SYSCONFDIR
#define DT_SYSCONFDIR		"/etc"	/* configure's sysconfdir (Makefile.am) */
#endif
#define PD_DEFAULT_CONFIG	DT_SYSCONFDIR "/dmarctls/dmarctls-policyd.conf"
#define PD_DEFAULT_SOCKET	"inet:8461@127.0.0.1"
#define PD_DEFAULT_TRUST_ANCHOR	"/usr/share/dns/root.key"

typedef struct pd_config {
	char	*socket;		/* inet:P@H, inet6:P@H, unix:/p */
	char	*metrics_socket;	/* inet:P@ADDR of /metrics, NULL = off */
	char	*socket_group;		/* NULL = the UserID's group */
	unsigned socket_mode;		/* unix sockets, octal in the file */
	char	*user_id;
	char	*pid_file;
	int	syslog;
	char	*syslog_facility;
	char	*resolver;		/* ADDR[@PORT],... or NULL */
	char	*trust_anchor_file;	/* path or "none" */
	char	*unbound_config_file;
	unsigned dns_timeout;		/* seconds per query */
	unsigned lookup_budget;		/* ms for one first lookup */
	unsigned cache_ttl, temp_cache_ttl;	/* seconds */
	unsigned cache_size;
	char	*overrides_file;
	unsigned max_clients;
	unsigned idle_timeout;		/* seconds between requests */
	unsigned request_timeout;	/* seconds for a request in, a reply out */
	char	*sts_cache_file;	/* NULL = memory only */
	char	*ca_file;		/* NULL = system bundle */
	unsigned sts_fetch_timeout;	/* ms */
	unsigned sts_no_policy_max;	/* domains without a policy remembered */
	int	sts_enable, log_testing;
} pd_config;

void	pd_config_defaults(pd_config *c);
int	pd_config_load(pd_config *c, const char *path, char *err, size_t errlen);
int	pd_config_set(pd_config *c, const char *key, const char *value,
	    char *err, size_t errlen);
void	pd_config_free(pd_config *c);

#endif
