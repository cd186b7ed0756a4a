/*
 * main.c -- dmarctls-milter: the daemon an MTA talks to over the milter protocol.
 *
 * SYNOPSIS
 *	dmarctls-milter [-c FILE] [-f] [-n] [-p SOCKET]
 *
 * DESCRIPTION
 *	-c FILE		configuration (default SYSCONFDIR/dmarctls/dmarctls.conf when it
 *			exists, else the built-in defaults)
 *	-f		stay in the foreground
 *	-n		check the configuration, the users, directories and files
 *			it names (preflight.c), build the engines, and exit
 *	-p SOCKET	override the Socket key
 *
 *	Order of start: read the configuration and build the engines, open
 *	the socket (as root if it must be), detach, write the pid file, give
 *	up root for UserID, run. SIGHUP reloads the configuration for new
 *	connections (a bad file keeps the old one, and the log says why);
 *	SIGTERM stops.
 *
 * EXIT STATUS
 *	0 on a clean stop or a good -n check, 64 usage, 71 cannot start,
 *	78 configuration error.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "generation.h"
#include "listen_socket.h"
#include "report_handoff.h"
#include "daemon_user.h"
#include "log.h"
#include "metrics_http.h"
#include "milter_metrics.h"
#include "preflight.h"
#include "quickack.h"
#include "sessions.h"
#include "sighup.h"

#ifndef DT_SYSCONFDIR
#define DT_SYSCONFDIR		"/etc"	/* configure's sysconfdir, from Makefile.am */
#endif
#define DT_DEFAULT_CONFIG	DT_SYSCONFDIR "/dmarctls/dmarctls.conf"
#define DT_MAX_FD_SCAN		1024	/* where to look for libmilter's listener */
#define DT_MAX_PACKET		(1024 * 1024)	/* milter packets we accept (libmilter: 64 KB) */

static const char *opt_config;
static const char *opt_socket;

static void
usage(void)
{
	fprintf(stderr, "usage: dmarctls-milter [-c FILE] [-f] [-n] [-p SOCKET]\n");
	exit(EX_USAGE);
}

/* dt_dane_refresher - keep the DANE state of the generation in force fresh */
static void *
dt_dane_refresher(void *arg)
{
	dt_gen	*g;

	for (;;) {
		sleep(1);
		if ((g = dt_gen_acquire()) == NULL)
			continue;
		dt_gen_dane_refresh(g, (long)time(NULL));
		dt_gen_release(g);
	}
	return NULL;
}

static void
dt_start_refresher(void)
{
	pthread_t tid;

	if (pthread_create(&tid, NULL, dt_dane_refresher, NULL) == 0)
		pthread_detach(tid);
	else
		dt_log(LOG_WARNING, "cannot start the DANE refresher thread");
}

/* dt_reload - SIGHUP: a new generation, or the old one and a reason */
static void
dt_reload(void)
{
	char	err[512];
	dt_gen	*g;

	if (dt_gen_load(opt_config, opt_socket, err, sizeof(err)) < 0) {
		dt_log(LOG_ERR, "reload of %s failed, keeping the configuration in force: %s",
		    opt_config ? opt_config : "(defaults)", err);
		dt_metrics_reload(0);
		return;
	}
	dt_metrics_reload(1);
	dt_log(LOG_INFO, "configuration %s reloaded", opt_config ? opt_config : "(defaults)");
	if ((g = dt_gen_acquire()) != NULL) {	/* a larger MaxSessions needs more fds */
		if (dt_sessions_fd_limit(g->cfg.max_sessions, err, sizeof(err)) < 0)
			dt_log(LOG_WARNING, "%s", err);
		dt_gen_release(g);
	}
}

/*
 * dt_nodelay - libmilter replies with several small writes at end of message
 * (insert header, then accept); with Nagle on an inet socket the second one
 * waits for the MTA's delayed ACK (~40 ms). libmilter does not expose its
 * listening socket, so find it: accepted sockets inherit TCP_NODELAY.
 */
static void
dt_nodelay(void)
{
	int	fd, on = 1, listening;
	socklen_t len;
	struct sockaddr_storage ss;

	for (fd = 0; fd < DT_MAX_FD_SCAN; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0
		    || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
			dt_log(LOG_WARNING, "TCP_NODELAY on the listening socket: %s",
			    strerror(errno));
		dt_quickack_enable();	/* and ACK at once what the MTA sends (quickack.h) */
	}
}

/* dt_socket_spec - libmilter's form: inet6 addresses without brackets */
static char *
dt_socket_spec(const char *s)
{
	char	*spec = strdup(s), *lb, *rb;

	if (spec && strncmp(spec, "inet6:", 6) == 0 && (lb = strchr(spec, '[')) != NULL
	    && (rb = strchr(lb, ']')) != NULL) {
		memmove(rb, rb + 1, strlen(rb + 1) + 1);
		memmove(lb, lb + 1, strlen(lb + 1) + 1);
	}
	return spec;
}

/* dt_listen - register, open the socket; 0 or an exit status */
static int
dt_listen(const dt_config *cfg)
{
	char	*spec = dt_socket_spec(cfg->socket);
	int	rc = 0;

	/* header fields over 64 KB exist (Postfix's header_size_limit is 100 KB) */
	(void)smfi_setmaxdatasize(DT_MAX_PACKET);
	/*
	 * How long libmilter waits for the MTA's next command, or the rest of
	 * one (its default, 7210 s, let half a packet hold a thread for two
	 * hours). Read at start only: libmilter copies it into each new
	 * connection, and a reload cannot change it.
	 */
	(void)smfi_settimeout((int)cfg->milter_timeout);
	if (spec == NULL || smfi_register(dt_milter_desc) != MI_SUCCESS
	    || (rc = dt_socket_open(cfg, spec)) != 0) {
		dt_log(LOG_ERR, "cannot listen on %s", cfg->socket);
		free(spec);
		return rc ? rc : EX_OSERR;
	}
	free(spec);
	dt_nodelay();
	return 0;
}

/*
 * dt_block_signals - libmilter's signal thread sigwait()s for SIGHUP, SIGTERM
 * and SIGINT, but blocks them only in the threads it creates. Threads made
 * before smfi_main() (libunbound's worker, started by the first DANE check;
 * the refresher) would otherwise inherit them unblocked, and a SIGHUP would
 * kill the process there. Block them first, in every thread to come.
 */
static void
dt_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static const char *
dt_default_config(void)
{
	return access(DT_DEFAULT_CONFIG, R_OK) == 0 ? DT_DEFAULT_CONFIG : NULL;
}

int
main(int argc, char **argv)
{
	int	c, foreground = 0, check_only = 0, rc;
	char	err[512];
	dt_gen	*g;
	metrics_server *ms = NULL;

	while ((c = getopt(argc, argv, "c:fnp:")) != -1) {
		switch (c) {
		case 'c': opt_config = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 'p': opt_socket = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (opt_config == NULL)
		opt_config = dt_default_config();
	if (!check_only)
		dt_block_signals();
	dt_log_open("dmarctls-milter", 0, NULL, 1);
	if (check_only)
		return dt_preflight(opt_config, opt_socket);
	if (dt_gen_load(opt_config, opt_socket, err, sizeof(err)) < 0) {
		dt_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	g = dt_gen_acquire();
	dt_log_open("dmarctls-milter", g->cfg.syslog, g->cfg.syslog_facility, foreground);
	if ((rc = dt_listen(&g->cfg)) != 0)
		return rc;
	if (dt_sessions_fd_limit(g->cfg.max_sessions, err, sizeof(err)) < 0)
		dt_log(LOG_WARNING, "%s", err);	/* before UserID: root may raise the hard limit */
	if (!foreground && daemon(0, 0) < 0) {
		dt_log(LOG_ERR, "cannot detach: %s", strerror(errno));
		return EX_OSERR;
	}
	if (dt_write_pidfile(g->cfg.pid_file) < 0 || dt_drop_privileges(g->cfg.user_id) < 0)
		return EX_OSERR;
	/* after daemon() and the privilege drop: the writer is a thread, and
	 * the store and spool belong to the user the milter runs as */
	if (dt_report_start(&g->cfg) < 0)
		return EX_OSERR;
	/* after daemon(): libmicrohttpd's thread would not survive the fork */
	dt_metrics_init();
	if (g->cfg.metrics_socket
	    && (ms = metrics_http_start(g->cfg.metrics_socket, err, sizeof(err))) == NULL) {
		dt_log(LOG_ERR, "%s", err);
		return EX_OSERR;
	}
	dt_sighup_set_handler(dt_reload);
	dt_start_refresher();
	dt_log(LOG_INFO, "dmarctls-milter started on %s (authserv-id %s, MilterTimeout %us, "
	    "MaxSessions %u)", g->cfg.socket, g->cfg.authserv_id, g->cfg.milter_timeout,
	    g->cfg.max_sessions);
	dt_gen_release(g);
	rc = smfi_main();
	metrics_http_stop(ms);
	dt_socket_remove();
	dt_report_stop();
	dt_log(LOG_INFO, "dmarctls-milter stopped");
	dt_gen_shutdown();
	return rc == MI_SUCCESS ? 0 : EX_SOFTWARE;
}
