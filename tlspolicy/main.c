/*
 * main.c -- dmarctls-policyd: outbound TLS policy (DANE, MTA-STS, REQUIRETLS)
 *	for Postfix's smtp_tls_policy_maps and Sendmail's FEATURE(sts).
 *
 * SYNOPSIS
 *	dmarctls-policyd [-c FILE] [-f] [-n] [-p SOCKET]
 *	dmarctls-policyd [-c FILE] -q DOMAIN [--json]
 *
 * DESCRIPTION
 *	-c FILE	configuration (default /etc/dmarctls/dmarctls-policyd.conf when
 *		it exists, else the built-in defaults);
 *	-f	stay in the foreground, log to stderr as well;
 *	-n	check the configuration and the overrides file, then exit;
 *	-p SOCKET  replaces Socket;
 *	-q DOMAIN  print the decision for DOMAIN and its reasons (query.h),
 *		--json as one JSON object.
 *	Signals: SIGHUP reloads the configuration and the overrides (a broken
 *	file keeps the old ones, logged); SIGTERM and SIGINT stop at once.
 *
 * EXIT STATUS
 *	0 stopped on a signal or -n passed; EX_USAGE (64) bad options;
 *	EX_CONFIG (78) bad configuration; EX_OSERR (71) cannot listen, detach,
 *	write the pid file or drop privileges. -q: see query.h.
 */
#include <sys/signalfd.h>
#include <sys/types.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "decide.h"
#include "listener.h"
#include "daemon_user.h"
#include "log.h"
#include "metrics_http.h"
#include "pd_config.h"
#include "pd_gen.h"
#include "pd_metrics.h"
#include "query.h"
#include "socketmap.h"

#define PD_IDENT	"dmarctls-policyd"

static const char *opt_config;
static const char *opt_socket;

static void
usage(void)
{
	fprintf(stderr, "usage: " PD_IDENT " [-c FILE] [-f] [-n] [-p SOCKET]\n"
		"       " PD_IDENT " [-c FILE] -q DOMAIN [--json]\n");
	exit(EX_USAGE);
}

typedef int (*pd_request_fn)(pd_engine *e, const char *req, size_t len, strbuf *reply);

/* fn against the generation in force; without one (stopping) the reply
 * is "TEMP" and the code is answered, what fn returns for an answer */
static int
gen_request(pd_request_fn fn, int answered, const char *req, size_t len, strbuf *reply)
{
	pd_gen	*g = pd_gen_acquire();
	int	rc;

	if (g == NULL) {
		strbuf_reset(reply);
		strbuf_append(reply, "TEMP shutting down");
		return answered;
	}
	rc = fn(g->engine, req, len, reply);
	pd_gen_release(g);
	return rc;
}

/* The part of a request the event loop answers itself (no DNS, no wait). */
static int
handle_cached(void *ctx, const char *req, size_t len, strbuf *reply)
{
	(void)ctx;
	return gen_request(pd_request_cached, 1, req, len, reply);
}

/* One socketmap request against the generation in force, in a worker. */
static int
handle(void *ctx, const char *req, size_t len, strbuf *reply)
{
	(void)ctx;
	return gen_request(pd_request, 0, req, len, reply);
}

/* user[:group] to ids; -1 when a name is unknown. Unset: -1, -1. */
static int
lookup_ids(const pd_config *c, uid_t *uid, gid_t *gid)
{
	char	user[256], *group;
	struct passwd *pw;
	struct group *gr;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (c->user_id != NULL) {
		snprintf(user, sizeof(user), "%s", c->user_id);
		if ((group = strchr(user, ':')) != NULL)
			*group++ = '\0';
		if ((pw = getpwnam(user)) == NULL) {
			dt_log(LOG_ERR, "UserID: no user %s", user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		if (group != NULL) {
			if ((gr = getgrnam(group)) == NULL) {
				dt_log(LOG_ERR, "UserID: no group %s", group);
				return -1;
			}
			*gid = gr->gr_gid;
		}
	}
	if (c->socket_group != NULL) {
		if ((gr = getgrnam(c->socket_group)) == NULL) {
			dt_log(LOG_ERR, "SocketGroup: no group %s", c->socket_group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

static void
reload(void)
{
	char	err[1024];
	pd_gen	*g, *old;

	if ((g = pd_gen_build(opt_config, opt_socket, 0, err, sizeof(err))) == NULL) {
		dt_log(LOG_ERR, "reload of %s failed, keeping the configuration in "
		       "force: %s", opt_config ? opt_config : "(defaults)", err);
		return;
	}
	old = pd_gen_acquire();
	if (old && strcmp(old->cfg.socket, g->cfg.socket) != 0)
		dt_log(LOG_WARNING, "Socket changed to %s: takes effect at restart",
		       g->cfg.socket);
	pd_gen_release(old);
	pd_gen_install(g);
	dt_log(LOG_INFO, "configuration %s reloaded (%zu overrides)",
	       opt_config ? opt_config : "(defaults)", overrides_count(g->ov));
}

/* The signals the main thread takes with signalfd(). */
static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

/*
 * Blocked before the first generation is built: the MTA-STS module and
 * libunbound start threads, which inherit the mask, and a SIGTERM taken
 * by one of them would kill the process without the orderly stop.
 */
static void
block_signals(void)
{
	sigset_t set;

	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The main thread only waits for signals; the event loop serves requests. */
static int
signal_loop(int sfd)
{
	struct signalfd_siginfo si;

	for (;;) {
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si)) {
			if (errno == EINTR)
				continue;
			return EX_OSERR;
		}
		if (si.ssi_signo == SIGHUP)
			reload();
		else
			return 0;
	}
}

static int
run(pd_gen *g, int foreground)
{
	sigset_t set;
	uid_t	uid;
	gid_t	gid;
	char	err[512];
	int	lfd, sfd, rc;
	socketmap_config sc;
	pd_gen	*served;

	signal_set(&set);
	signal(SIGPIPE, SIG_IGN);
	if (lookup_ids(&g->cfg, &uid, &gid) < 0)
		return EX_CONFIG;
	if ((lfd = listener_open(g->cfg.socket, g->cfg.socket_mode, uid, gid, err,
				 sizeof(err))) < 0) {
		dt_log(LOG_ERR, "cannot listen: %s", err);
		return EX_OSERR;
	}
	if (!foreground && daemon(0, 0) < 0) {
		dt_log(LOG_ERR, "cannot detach: %s", strerror(errno));
		return EX_OSERR;
	}
	if (dt_write_pidfile(g->cfg.pid_file) < 0 || dt_drop_privileges(g->cfg.user_id) < 0)
		return EX_OSERR;
	/* the generation that serves: built as UserID (its STSCacheFile is
	 * that user's) and in this process (the STS threads live here) */
	if ((served = pd_gen_build(opt_config, opt_socket, 0, err, sizeof(err))) == NULL) {
		dt_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		dt_log(LOG_ERR, "signalfd: %s", strerror(errno));
		return EX_OSERR;
	}
	/* after daemon(): libmicrohttpd's thread would not survive the fork */
	pd_metrics_init();
	pd_metrics_sts_init();
	if (g->cfg.metrics_socket
	    && metrics_http_start(g->cfg.metrics_socket, err, sizeof(err)) == NULL) {
		dt_log(LOG_ERR, "%s", err);
		return EX_OSERR;
	}
	sc.cached = handle_cached;
	sc.handle = handle;
	sc.ctx = NULL;
	sc.max_clients = g->cfg.max_clients;
	sc.idle_s = g->cfg.idle_timeout;
	sc.request_s = g->cfg.request_timeout;
	pd_gen_install(served);
	pd_gen_release(g);
	g = served;
	if (socketmap_start(lfd, &sc) < 0) {
		dt_log(LOG_ERR, "cannot start the socketmap event loop: %s",
		       strerror(errno));
		return EX_OSERR;
	}
	dt_log(LOG_INFO, PD_IDENT " started on %s (%zu overrides)", g->cfg.socket,
	       overrides_count(g->ov));
	rc = signal_loop(sfd);
	close(lfd);
	listener_remove();
	dt_log(LOG_INFO, PD_IDENT " stopped");
	/* the loop and workers may still hold the generation: exit, do not free */
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *query = NULL;
	int	c, foreground = 0, check_only = 0, json = 0, rc;
	char	err[1024];
	pd_gen	*g;

	while ((c = getopt_long(argc, argv, "c:fnp:q:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': opt_config = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 'p': opt_socket = optarg; break;
		case 'q': query = optarg; break;
		case 'j': json = 1; break;
		default: usage();
		}
	}
	if (optind != argc || (json && query == NULL))
		usage();
	if (opt_config == NULL && access(PD_DEFAULT_CONFIG, R_OK) == 0)
		opt_config = PD_DEFAULT_CONFIG;
	dt_log_open(PD_IDENT, 0, NULL, 1);
	if (!check_only && query == NULL)
		block_signals();
	/* -n and the daemon's first check never open the cache file as root
	 * (see pd_gen.h) */
	if ((g = pd_gen_build(opt_config, opt_socket, PD_GEN_NO_STS, err, sizeof(err))) == NULL) {
		dt_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (check_only) {
		pd_gen_release(g);
		return 0;
	}
	if (query != NULL) {
		/* -q reads the cache file: as UserID, so that an admin's root
		 * shell never leaves it (or its -wal, -shm) owned by root */
		if (dt_drop_privileges(g->cfg.user_id) < 0)
			return EX_OSERR;
		pd_gen_release(g);
		if ((g = pd_gen_build(opt_config, opt_socket, 0, err, sizeof(err))) == NULL) {
			dt_log(LOG_ERR, "%s", err);
			return EX_CONFIG;
		}
		rc = pd_query(g, query, json);
		pd_gen_release(g);
		return rc;
	}
	dt_log_open(PD_IDENT, g->cfg.syslog, g->cfg.syslog_facility, foreground);
	rc = run(g, foreground);
	fflush(NULL);
	_exit(rc);
}
