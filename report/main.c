/*
 * NAME
 *	main.c -- dmarctls-reports: send, list, show and expire DMARC aggregate reports
 *
 * SYNOPSIS
 *	dmarctls-reports [-c FILE] send [--day YYYY-MM-DD] [--domain D] [--dry-run] [--out DIR]
 *	dmarctls-reports [-c FILE] list [--day YYYY-MM-DD] [--domain D]
 *	dmarctls-reports [-c FILE] show REPORT-ID
 *	dmarctls-reports [-c FILE] expire
 *	dmarctls-reports [-c FILE] failures [--dry-run] [--out DIR]
 *
 * DESCRIPTION
 *	The command cron or a systemd timer runs once a day (or more often:
 *	a report is sent once). It reads the milter's configuration file
 *	(ReportStore, ReportFrom, ... see dmarctls.conf(5)) and works on the
 *	store the milter writes. send: see send.h. list: one line per
 *	report (id, state, domain, day, destination, attempts, records,
 *	messages), then per failure report (the same, with kind and
 *	incidents last). show: a report's metadata and its XML, or a
 *	failure report's and its mail. expire: rows of
 *	days older than ReportRetention days, and reports of those days;
 *	failure samples and failure reports older than two days. failures:
 *	RFC 9991 failure reports, see failures.h.
 *	With ReportMetricsFile, each send run (not --dry-run or --out)
 *	rewrites that Prometheus textfile at its end (run_metrics.h), also
 *	when the store could not be opened.
 *
 * EXIT STATUS
 *	0 done; 64 usage; 69 store unavailable; 73 --out not writable;
 *	75 something deferred or failed, run again later; 78 config error;
 *	1 show: no such report.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "config_resolver.h"
#include "dns.h"
#include "failures.h"
#include "from_align.h"
#include "report_id.h"
#include "run_metrics.h"
#include "send.h"
#include "store.h"

#ifndef DT_SYSCONFDIR
#define DT_SYSCONFDIR	"/etc"		/* configure's sysconfdir (Makefile.am) */
#endif
#define DEFAULT_CONFIG	DT_SYSCONFDIR "/dmarctls/dmarctls.conf"
#define DAY		86400

static void
usage(void)
{
	fprintf(stderr, "usage: dmarctls-reports [-c FILE] send [--day YYYY-MM-DD] [--domain D]"
	    " [--dry-run] [--out DIR]\n"
	    "       dmarctls-reports [-c FILE] list [--day YYYY-MM-DD] [--domain D]\n"
	    "       dmarctls-reports [-c FILE] show REPORT-ID\n"
	    "       dmarctls-reports [-c FILE] expire\n"
	    "       dmarctls-reports [-c FILE] failures [--dry-run] [--out DIR]\n");
	exit(EX_USAGE);
}

/* YYYY-MM-DD to the epoch second of its 00:00:00 UTC; -1 if malformed */
static long long
parse_day(const char *s)
{
	struct tm tm;
	char	*end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
		return -1;
	return (long long)timegm(&tm);
}

static int
print_row(void *arg, int ncols, const char *const *v)
{
	int	i;

	for (i = 0; i < ncols; i++)
		printf("%s%s", i ? " " : "", v[i][0] ? v[i] : "-");
	printf("\n");
	return 0;
}

static int
cmd_list(report_store *s, long long day, const char *domain)
{
	char	d[32], err[512];
	const char *p[2] = { d, domain ? domain : "" };

	snprintf(d, sizeof(d), "%lld", day);
	if (report_store_query(s, "SELECT report_id, state, policy_domain, day, destination,"
	    " attempts, records, messages FROM report WHERE ($1 = '-1' OR day = CAST($1 AS BIGINT))"
	    " AND ($2 = '' OR policy_domain = $2) ORDER BY day, policy_domain, destination",
	    2, p, print_row, NULL, err, sizeof(err)) < 0
	    /* then the failure reports: kind and Incidents in the last columns */
	    || report_store_query(s, "SELECT report_id, state, policy_domain,"
	    " created - created % 86400, destination, attempts, kinds, incidents"
	    " FROM failure_report WHERE ($1 = '-1' OR created - created % 86400 ="
	    " CAST($1 AS BIGINT)) AND ($2 = '' OR policy_domain = $2) ORDER BY created, report_id",
	    2, p, print_row, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		return EX_UNAVAILABLE;
	}
	return 0;
}

/* What show found: the field names of its columns, the last one printed whole. */
typedef struct shown {
	const char *const *names;	/* ten names */
	int	found;
} shown;

static const char *const report_fields[] = { "report_id", "state", "policy_domain", "day",
    "destination", "attempts", "records", "messages", "filename", "last_error" };
static const char *const failure_fields[] = { "report_id", "state", "policy_domain",
    "created", "destination", "attempts", "kind", "incidents", "source_ip", "last_error" };

static int
print_report(void *arg, int ncols, const char *const *v)
{
	shown	*sh = arg;
	int	i;

	sh->found = 1;
	for (i = 0; i < ncols - 1 && i < 10; i++)
		printf("%s: %s\n", sh->names[i], v[i]);
	printf("\n%s", v[ncols - 1]);
	return 1;
}

static int
cmd_show(report_store *s, const char *id)
{
	char	err[512];
	const char *p[1] = { id };
	shown	sh = { report_fields, 0 };

	if (!report_id_valid(id)) {
		fprintf(stderr, "dmarctls-reports: %s is not a report id\n", id);
		return EX_USAGE;
	}
	if (report_store_query(s, "SELECT report_id, state, policy_domain, day, destination,"
	    " attempts, records, messages, filename, last_error, xml FROM report"
	    " WHERE report_id = $1", 1, p, print_report, &sh, err, sizeof(err)) < 0
	    || (!sh.found && (sh.names = failure_fields) != NULL
	    && report_store_query(s, "SELECT report_id, state, policy_domain,"
	    " created, destination, attempts, kinds, incidents, source_ip, last_error, message"
	    " FROM failure_report WHERE report_id = $1", 1, p, print_report, &sh,
	    err, sizeof(err)) < 0)) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		return EX_UNAVAILABLE;
	}
	if (!sh.found) {
		fprintf(stderr, "dmarctls-reports: no report %s\n", id);
		return 1;
	}
	return 0;
}

static int
cmd_expire(report_store *s, const dt_config *cfg, time_t now)
{
	char	cut[32], err[512];
	const char *p[1] = { cut };
	long long ne, nr;

	snprintf(cut, sizeof(cut), "%lld",
	    (long long)(now - now % DAY) - (long long)cfg->report_retention_days * DAY);
	if ((ne = report_store_exec(s, "DELETE FROM evaluation WHERE day < $1", 1, p,
	    err, sizeof(err))) < 0
	    || (nr = report_store_exec(s, "DELETE FROM report WHERE day < $1", 1, p,
	    err, sizeof(err))) < 0) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		return EX_UNAVAILABLE;
	}
	printf("expired %lld rows and %lld reports of days before %s\n", ne, nr, cut);
	/* failure samples hold header sections: kept only while they can matter */
	snprintf(cut, sizeof(cut), "%lld", (long long)now - 2LL * FAILURE_MAX_AGE);
	if ((ne = report_store_exec(s, "DELETE FROM failure WHERE received < $1", 1, p,
	    err, sizeof(err))) < 0
	    || (nr = report_store_exec(s, "DELETE FROM failure_report WHERE created < $1", 1, p,
	    err, sizeof(err))) < 0) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		return EX_UNAVAILABLE;
	}
	printf("expired %lld failure samples and %lld failure reports before %s\n", ne, nr, cut);
	return 0;
}

/* The metrics file of a send run that did send (not --dry-run, not --out). */
static void
send_metrics(const dt_config *cfg, const report_send_opts *so, report_store *s,
    const report_send_stats *st, int rc)
{
	report_run_metrics m;
	char	err[512];

	if (cfg->report_metrics_file == NULL || so->dry_run || so->out_dir != NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.kind = "aggregate";
	m.sent = st->sent;
	m.failed = st->failed;
	m.deferred = st->deferred;
	m.exit_status = rc;
	m.now = time(NULL);
	if (s != NULL && report_rows_pending(s, m.now, &m.rows_pending, err, sizeof(err)) == 0)
		m.rows_known = 1;
	if (report_metrics_write(cfg->report_metrics_file, &m, err, sizeof(err)) < 0)
		fprintf(stderr, "dmarctls-reports: ReportMetricsFile: %s\n", err);
}

/* Say so when report mail from ReportFrom would not pass DMARC by SPF. */
static void
warn_unaligned_from(dns_resolver *res, const char *from)
{
	char	why[1024];
	int	rc = report_from_spf(res, from, why, sizeof(why));

	if (rc == 0)
		fprintf(stderr, "dmarctls-reports: warning: ReportFrom %s is not authorised by SPF"
		    " from this host (%s): reports pass DMARC only if the MTA DKIM-signs them for"
		    " its domain\n", from, why);
	else if (rc < 0)
		fprintf(stderr, "dmarctls-reports: warning: cannot check that ReportFrom %s passes"
		    " DMARC: %s\n", from, why);
}

/* The failures command, with a summary line for the log. */
static int
run_failures(report_ctx *x, const report_send_opts *so)
{
	report_failure_opts fo = { so->dry_run, so->out_dir };
	report_failure_stats st;
	int	rc;

	memset(&st, 0, sizeof(st));
	x->chk.ruf = 1;
	rc = report_failures(x, &fo, &st);
	if (!so->dry_run)
		printf("failures: %u samples, %u reports made, %u sent, %u failed, %u deferred,"
		    " %u refused, %u suppressed\n", st.samples, st.made, st.sent, st.failed,
		    st.deferred, st.refused, st.suppressed);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "domain", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = DEFAULT_CONFIG, *cmd;
	report_send_opts so = { -1, NULL, 0, NULL };
	report_send_stats st = { 0, 0, 0, 0 };
	report_ctx x;
	dt_config cfg;
	dns_resolver *res = NULL;
	report_store *s;
	char	err[512], host[256];
	int	ch, rc;

	while ((ch = getopt(argc, argv, "+c:")) != -1) {
		if (ch != 'c')
			usage();
		conf = optarg;
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	optind++;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if ((so.day = parse_day(optarg)) < 0)
				usage();
			break;
		case 'D': so.domain = optarg; break;
		case 'n': so.dry_run = 1; break;
		case 'o': so.out_dir = optarg; break;
		default: usage();
		}
	}
	if (strcmp(cmd, "show") == 0 ? optind != argc - 1 : optind != argc)
		usage();
	if (strcmp(cmd, "send") && strcmp(cmd, "list") && strcmp(cmd, "show") && strcmp(cmd, "expire")
	    && strcmp(cmd, "failures"))
		usage();
	if (strcmp(cmd, "failures") == 0 && (so.day >= 0 || so.domain != NULL))
		usage();
	dt_config_defaults(&cfg);
	if (dt_config_load(&cfg, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		return EX_CONFIG;
	}
	if (strcmp(cmd, "failures") == 0 && !cfg.failure_reports) {
		/* the timer runs it every few minutes whatever the configuration */
		printf("failures: FailureReports is off; nothing to do\n");
		dt_config_free(&cfg);
		return 0;
	}
	if ((s = report_store_open(cfg.report_store, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dmarctls-reports: %s\n", err);
		if (strcmp(cmd, "send") == 0)
			send_metrics(&cfg, &so, NULL, &st, EX_UNAVAILABLE);
		dt_config_free(&cfg);
		return EX_UNAVAILABLE;
	}
	if (strcmp(cmd, "list") == 0) {
		rc = cmd_list(s, so.day, so.domain);
	} else if (strcmp(cmd, "show") == 0) {
		rc = cmd_show(s, argv[optind]);
	} else if (strcmp(cmd, "expire") == 0) {
		rc = cmd_expire(s, &cfg, time(NULL));
	} else {
		if ((res = dt_config_resolver(&cfg, err, sizeof(err))) == NULL) {
			fprintf(stderr, "dmarctls-reports: resolver: %s\n", err);
			send_metrics(&cfg, &so, s, &st, EX_CONFIG);
			report_store_close(s);
			dt_config_free(&cfg);
			return EX_CONFIG;
		}
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		memset(&x, 0, sizeof(x));
		x.cfg = &cfg;
		x.store = s;
		x.chk.lookup = dns_lookup_txt;
		x.chk.lookup_ctx = res;
		x.chk.mode = DMARC_DISCOVERY_TREEWALK;
		x.receiver = cfg.report_submitter ? cfg.report_submitter : cfg.authserv_id;
		x.host = host;
		x.now = time(NULL);
		if (cfg.report_from != NULL)
			warn_unaligned_from(res, cfg.report_from);
		if (strcmp(cmd, "failures") == 0) {
			rc = run_failures(&x, &so);
		} else {
			rc = report_send(&x, &so, &st);
			send_metrics(&cfg, &so, s, &st, rc);
		}
		dns_resolver_free(res);
	}
	report_store_close(s);
	dt_config_free(&cfg);
	return rc;
}
