/*
 * dt-dns.c -- integration probe of the DNS layer (util/dns.c) against real servers.
 *
 * SYNOPSIS
 *	dt-dns [-r FORWARDERS] [-a TRUST_ANCHOR] [-u UNBOUND_CONF] [-T TIMEOUT_MS]
 *	       [-j THREADS] [-n ROUNDS] [-M MAX_MS] NAME/TYPE/STATUS/SEC ...
 *
 * DESCRIPTION
 *	Makes one resolver, as the milter does, and has THREADS threads ask
 *	every question ROUNDS times at once. Each answer must have exactly the
 *	expected status (ok nodata nxdomain tempfail) and DNSSEC state
 *	(secure insecure bogus); with -M no query may take longer than MAX_MS
 *	(the bound the layer promises: a silent server costs one timeout, not
 *	a stuck MTA). TYPE is TXT, A, AAAA, MX or TLSA.
 *
 *	Prints one line per expectation and "dns: N passed, M failed";
 *	exits 0 only when every answer matched.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"

#define PROBE_MAX_SPECS	64
#define PROBE_MAX_THREADS 64

typedef struct probe_spec {
	char		name[256];
	int		type;
	dns_status	status;
	dns_sec		sec;
	int		mismatches;	/* guarded by probe_lock */
	long		max_ms;
	char		seen[64];
} probe_spec;

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static probe_spec specs[PROBE_MAX_SPECS];
static size_t nspecs;
static int rounds = 1;
static dns_resolver *resolver;

static int
parse_type(const char *s)
{
	static const struct { const char *name; int type; } types[] = {
		{ "TXT", DNS_T_TXT }, { "A", DNS_T_A }, { "AAAA", DNS_T_AAAA },
		{ "MX", DNS_T_MX }, { "TLSA", DNS_T_TLSA },
	};
	size_t	i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, types[i].name) == 0)
			return types[i].type;
	return -1;
}

static int
parse_status(const char *s, dns_status *st)
{
	dns_status all[] = { DNS_STATUS_OK, DNS_STATUS_NODATA, DNS_STATUS_NXDOMAIN,
	    DNS_STATUS_TEMPFAIL };
	size_t	i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, dns_status_name(all[i])) == 0) {
			*st = all[i];
			return 0;
		}
	return -1;
}

static int
parse_sec(const char *s, dns_sec *sec)
{
	dns_sec	all[] = { DNS_SEC_INSECURE, DNS_SEC_SECURE, DNS_SEC_BOGUS };
	size_t	i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, dns_sec_name(all[i])) == 0) {
			*sec = all[i];
			return 0;
		}
	return -1;
}

/* parse_spec - NAME/TYPE/STATUS/SEC */
static int
parse_spec(char *arg, probe_spec *sp)
{
	char	*f[4], *save = NULL;
	int	i;

	for (i = 0; i < 4; i++)
		if ((f[i] = strtok_r(i ? NULL : arg, "/", &save)) == NULL)
			return -1;
	if (strlen(f[0]) >= sizeof(sp->name) || (sp->type = parse_type(f[1])) < 0
	    || parse_status(f[2], &sp->status) < 0 || parse_sec(f[3], &sp->sec) < 0)
		return -1;
	strcpy(sp->name, f[0]);
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void *
probe_thread(void *arg)
{
	dns_rrset rs;
	size_t	i;
	int	r;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nspecs; i++) {
			probe_spec *sp = &specs[i];
			long	t0 = now_ms(), dt;

			dns_query(resolver, sp->name, sp->type, &rs);
			dt = now_ms() - t0;
			pthread_mutex_lock(&probe_lock);
			if (dt > sp->max_ms)
				sp->max_ms = dt;
			if (rs.status != sp->status || rs.sec != sp->sec) {
				sp->mismatches++;
				snprintf(sp->seen, sizeof(sp->seen), "%s/%s",
				    dns_status_name(rs.status), dns_sec_name(rs.sec));
			}
			pthread_mutex_unlock(&probe_lock);
			dns_rrset_free(&rs);
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	dns_config cfg;
	pthread_t tids[PROBE_MAX_THREADS];
	char	err[256];
	int	c, threads = 1, i, passed = 0, failed = 0;
	long	limit_ms = 0;
	size_t	k;

	memset(&cfg, 0, sizeof(cfg));
	while ((c = getopt(argc, argv, "r:a:u:T:j:n:M:")) != -1) {
		switch (c) {
		case 'r': cfg.forwarders = optarg; break;
		case 'a': cfg.trust_anchor = optarg; break;
		case 'u': cfg.unbound_config = optarg; break;
		case 'T': cfg.timeout_ms = (unsigned)atoi(optarg); break;
		case 'j': threads = atoi(optarg); break;
		case 'n': rounds = atoi(optarg); break;
		case 'M': limit_ms = atol(optarg); break;
		default: return 64;
		}
	}
	if (threads < 1 || threads > PROBE_MAX_THREADS || rounds < 1 || optind >= argc)
		return 64;
	for (i = optind; i < argc && nspecs < PROBE_MAX_SPECS; i++)
		if (parse_spec(argv[i], &specs[nspecs++]) < 0) {
			fprintf(stderr, "dt-dns: bad expectation: %s\n", argv[i]);
			return 64;
		}
	if ((resolver = dns_resolver_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dt-dns: %s\n", err);
		return 78;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, probe_thread, NULL);
	for (i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	for (k = 0; k < nspecs; k++) {
		probe_spec *sp = &specs[k];
		int	late = limit_ms > 0 && sp->max_ms > limit_ms;

		if (sp->mismatches == 0 && !late) {
			printf("ok - dns %s %s/%s (%d threads x %d, slowest %ld ms)\n", sp->name,
			    dns_status_name(sp->status), dns_sec_name(sp->sec), threads, rounds,
			    sp->max_ms);
			passed++;
		} else {
			printf("not ok - dns %s expected %s/%s, %d mismatches (last %s), slowest %ld ms"
			    "%s\n", sp->name, dns_status_name(sp->status), dns_sec_name(sp->sec),
			    sp->mismatches, sp->seen[0] ? sp->seen : "-", sp->max_ms,
			    late ? " (over the bound)" : "");
			failed++;
		}
	}
	dns_resolver_free(resolver);
	printf("dns: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
