/*
 * dt-sts.c -- integration driver of the MTA-STS module (tlspolicy/sts.h)
 *	against real DNS and HTTPS servers.
 *
 * SYNOPSIS
 *	dt-sts [-r FORWARDERS] [-a TRUST_ANCHOR] [-u UNBOUND_CONF] [-C CAFILE]
 *	       [-d CACHE] [-b BUDGET_MS] [-T FETCH_TIMEOUT_MS] [-o CLOCK_OFFSET_S]
 *	       [-R RECHECK_S] [-F REFRESH_S] [-e WANT_ID] [-w WAIT_S] [-s SLEEP_S]
 *	       [-i INTERVAL_MS] [-P] [-p] [-l] DOMAIN...
 *
 * DESCRIPTION
 *	Opens one sts_ctx as dmarctls-policyd does and looks every DOMAIN up
 *	once with budget BUDGET_MS (default 5000), one after the other (-i:
 *	INTERVAL_MS apart), or
 *	all at once from one thread each with -P (then "DOMAIN ms=N" lines
 *	say how long each answer took). -p only peeks at the cache (no
 *	network). With -e the lookup is repeated (every 0.2 s, for at most
 *	WAIT_S seconds) until the policy found has id WANT_ID; with -w alone,
 *	until the answer is not pending. -s sleeps before sts_close() so that
 *	background work (refresh, expiry warnings) gets to run and log.
 *
 *	-o shifts the module's clock by CLOCK_OFFSET_S seconds (sts_config's
 *	now hook): policy expiry and refresh without waiting, while TLS
 *	certificates are still checked against the real time.
 *
 *	One line per domain on stdout:
 *	  DOMAIN found id=ID mode=MODE max_age=N mx=P1,P2
 *	  DOMAIN failed FAIL_TYPE
 *	  DOMAIN absent | DOMAIN pending | DOMAIN peek-none
 *	with -l the policy lines follow as "  line: TEXT". The module's log
 *	goes to stderr as "log PRIO: TEXT"; reasons as "why DOMAIN: TEXT";
 *	before closing, the counters as "stats: lookups=N hits=N fetch_ok=N
 *	fetch_failed=N refreshes=N policies=N".
 *	Exit status 0, or 2 on a usage or setup error.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "sts.h"

#define DT_MAX_DOMAINS	64
#define DT_POLL_MS	200

typedef struct dt_item {
	const char	*domain;
	char		line[2048];
	long		ms;
} dt_item;

static sts_ctx	*ctx;
static unsigned	budget_ms = 5000;
static long	clock_offset;
static const char *want_id;
static unsigned	wait_s;
static int	peek_only, show_lines;
static unsigned	interval_ms;

static time_t
shifted_now(void)
{
	return time(NULL) + clock_offset;
}

static void
log_stderr(int prio, const char *fmt, ...)
{
	va_list	ap;

	flockfile(stderr);
	fprintf(stderr, "log %d: ", prio);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
format_policy(dt_item *it, const sts_policy *p)
{
	size_t	n, i;

	n = (size_t)snprintf(it->line, sizeof(it->line), "%s found id=%s mode=%s max_age=%lu mx=",
	    it->domain, p->id, sts_mode_name(p->mode), p->max_age);
	for (i = 0; i < p->nmx && n < sizeof(it->line); i++)
		n += (size_t)snprintf(it->line + n, sizeof(it->line) - n, "%s%s", i ? "," : "", p->mx[i]);
	for (i = 0; show_lines && i < p->nlines && n < sizeof(it->line); i++)
		n += (size_t)snprintf(it->line + n, sizeof(it->line) - n, "\n  line: %s", p->lines[i]);
}

static int
done(sts_status st, const sts_policy *p)
{
	if (want_id != NULL)
		return st == STS_FOUND && strcmp(p->id, want_id) == 0;
	return st != STS_PENDING;
}

static void
lookup_one(dt_item *it)
{
	struct timespec t0, tw;
	sts_policy p;
	sts_status st;
	const char *fail_type;
	char	why[512], id[64];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (peek_only) {
		if (sts_cache_peek(ctx, it->domain, &p, id, sizeof(id)) == 0) {
			format_policy(it, &p);
			sts_policy_free(&p);
		} else
			snprintf(it->line, sizeof(it->line), "%s peek-none", it->domain);
		it->ms = ms_since(&t0);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &tw);
	for (;;) {
		st = sts_lookup(ctx, it->domain, budget_ms, &p, why, sizeof(why), &fail_type);
		if (wait_s == 0 || done(st, &p) || ms_since(&tw) > (long)wait_s * 1000)
			break;
		sts_policy_free(&p);
		usleep(DT_POLL_MS * 1000);
	}
	it->ms = ms_since(&t0);
	fprintf(stderr, "why %s: %s\n", it->domain, why);
	if (st == STS_FOUND)
		format_policy(it, &p);
	else if (st == STS_FAILED)
		snprintf(it->line, sizeof(it->line), "%s failed %s", it->domain,
		    fail_type ? fail_type : "(null)");
	else
		snprintf(it->line, sizeof(it->line), "%s %s", it->domain, sts_status_name(st));
	sts_policy_free(&p);
}

static void *
lookup_thread(void *arg)
{
	lookup_one(arg);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dt-sts [-r FWD] [-a TA] [-u UBCONF] [-C CAFILE] [-d CACHE] "
	    "[-b MS] [-T MS] [-o S] [-R S] [-F S] [-e ID] [-w S] [-s S] [-i MS] [-P] [-p] [-l] DOMAIN...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	dns_config dc = {NULL, "none", NULL, 2000};
	sts_config sc;
	sts_stats stats;
	dt_item	items[DT_MAX_DOMAINS];
	pthread_t th[DT_MAX_DOMAINS];
	dns_resolver *dns;
	char	err[512];
	int	c, parallel = 0, i, n;
	unsigned sleep_s = 0;

	memset(&sc, 0, sizeof(sc));
	sc.fetch_timeout_ms = 3000;
	while ((c = getopt(argc, argv, "r:a:u:C:d:b:T:o:R:F:e:w:s:i:Ppl")) != -1) {
		switch (c) {
		case 'r': dc.forwarders = optarg; break;
		case 'a': dc.trust_anchor = optarg; break;
		case 'u': dc.unbound_config = optarg; break;
		case 'C': sc.ca_file = optarg; break;
		case 'd': sc.cache_path = optarg; break;
		case 'b': budget_ms = (unsigned)atoi(optarg); break;
		case 'T': sc.fetch_timeout_ms = (unsigned)atoi(optarg); break;
		case 'o': clock_offset = atol(optarg); break;
		case 'R': sc.txt_recheck_s = (unsigned)atoi(optarg); break;
		case 'F': sc.refresh_min_s = (unsigned)atoi(optarg); break;
		case 'e': want_id = optarg; break;
		case 'w': wait_s = (unsigned)atoi(optarg); break;
		case 's': sleep_s = (unsigned)atoi(optarg); break;
		case 'i': interval_ms = (unsigned)atoi(optarg); break;
		case 'P': parallel = 1; break;
		case 'p': peek_only = 1; break;
		case 'l': show_lines = 1; break;
		default: usage();
		}
	}
	n = argc - optind;
	if (n < 1 || n > DT_MAX_DOMAINS)
		usage();
	if (want_id != NULL && wait_s == 0)
		wait_s = 10;
	signal(SIGPIPE, SIG_IGN);
	sc.now = shifted_now;
	sc.log = log_stderr;
	if ((dns = dns_resolver_new(&dc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dt-sts: %s\n", err);
		return 2;
	}
	if ((ctx = sts_open(dns, &sc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dt-sts: %s\n", err);
		dns_resolver_free(dns);
		return 2;
	}
	for (i = 0; i < n; i++) {
		memset(&items[i], 0, sizeof(items[i]));
		items[i].domain = argv[optind + i];
		if (!parallel) {
			if (i > 0 && interval_ms)
				usleep(interval_ms * 1000);
			lookup_one(&items[i]);
		}
		else if (pthread_create(&th[i], NULL, lookup_thread, &items[i]) != 0) {
			fprintf(stderr, "dt-sts: pthread_create failed\n");
			return 2;
		}
	}
	for (i = 0; parallel && i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++) {
		printf("%s\n", items[i].line);
		if (parallel)
			printf("%s ms=%ld\n", items[i].domain, items[i].ms);
	}
	fflush(stdout);
	if (sleep_s)
		sleep(sleep_s);
	sts_get_stats(ctx, &stats);
	fprintf(stderr, "stats: lookups=%lu hits=%lu fetch_ok=%lu fetch_failed=%lu refreshes=%lu "
	    "policies=%lu\n", stats.lookups, stats.hits, stats.fetch_ok, stats.fetch_failed,
	    stats.refreshes, stats.policies);
	sts_close(ctx);
	dns_resolver_free(dns);
	return 0;
}
