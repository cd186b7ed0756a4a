/*
 * run_metrics.c -- the Prometheus textfile of one dmarctls-reports run (see run_metrics.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "run_metrics.h"
#include "strbuf.h"

#define DAY		86400
#define PREV_MAX	65536	/* what is read of the previous file */
#define KIND_MAX	32

static const char *const counter_names[] = {
	"dmarctls_reports_sent_total", "dmarctls_reports_failed_total",
	"dmarctls_reports_deferred_total",
};
static const char *const counter_help[] = {
	"Reports handed to the MTA and accepted by it, over all runs",
	"Reports that could not be built or that the MTA refused (retried by the next run)",
	"Destinations deferred by a temporary DNS failure of their verification",
};
#define NCOUNTERS	(sizeof(counter_names) / sizeof(counter_names[0]))
#define LAST_SUCCESS	"dmarctls_reports_last_success_timestamp_seconds"

static int
count_rows(void *arg, int ncols, const char *const *v)
{
	if (ncols > 0)
		*(long long *)arg = atoll(v[0]);
	return 1;
}

int
report_rows_pending(report_store *s, time_t now, long long *out, char *err, size_t errlen)
{
	char	today[32];
	const char *p[1] = { today };

	snprintf(today, sizeof(today), "%lld", (long long)(now - now % DAY));
	*out = 0;
	return report_store_query(s, "SELECT count(*) FROM evaluation e WHERE e.day < $1"
	    " AND e.policy_domain <> '' AND e.rua <> '' AND NOT EXISTS (SELECT 1 FROM report r"
	    " WHERE r.policy_domain = e.policy_domain AND r.day = e.day AND r.state = 'sent')",
	    1, p, count_rows, out, err, errlen) < 0 ? -1 : 0;
}

/* a kind label value as we write it: [a-z0-9_], short */
static int
kind_valid(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > KIND_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * One line of the previous file: NAME{kind="K"} V for our counters, or
 * LAST_SUCCESS V. Anything else (comments, other series, a line someone
 * mangled) is ignored: the file is ours, but it is read as untrusted.
 */
static void
prev_line(const char *line, metric **ctr, long long *last_ok)
{
	char	kind[KIND_MAX + 1], *end;
	const char *p, *q;
	unsigned long long v;
	size_t	i, n;

	n = strlen(LAST_SUCCESS);
	if (strncmp(line, LAST_SUCCESS, n) == 0 && line[n] == ' ') {
		errno = 0;
		v = strtoull(line + n + 1, &end, 10);
		if (errno == 0 && end != line + n + 1 && (*end == '\0' || *end == '\n'))
			*last_ok = (long long)v;
		return;
	}
	for (i = 0; i < NCOUNTERS; i++) {
		n = strlen(counter_names[i]);
		if (strncmp(line, counter_names[i], n) != 0 || strncmp(line + n, "{kind=\"", 7) != 0)
			continue;
		p = line + n + 7;
		if ((q = strchr(p, '"')) == NULL || strncmp(q, "\"} ", 3) != 0
		    || !kind_valid(p, (size_t)(q - p)))
			return;
		memcpy(kind, p, (size_t)(q - p));
		kind[q - p] = '\0';
		errno = 0;
		v = strtoull(q + 3, &end, 10);
		if (errno == 0 && end != q + 3 && q[3] != '-' && (*end == '\0' || *end == '\n'))
			metric_add(ctr[i], kind, v);
		return;
	}
}

static void
read_previous(const char *path, metric **ctr, long long *last_ok)
{
	char	*buf, *line, *save = NULL;
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return;		/* first run, or gone: the counters start again */
	if ((buf = malloc(PREV_MAX + 1)) == NULL) {
		close(fd);
		return;
	}
	n = read(fd, buf, PREV_MAX);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			prev_line(line, ctr, last_ok);
	}
	free(buf);
}

/* path.tmp.PID beside path, fsync'd, renamed over it */
static int
write_atomic(const char *path, const strbuf *sb, char *err, size_t errlen)
{
	char	tmp[4096];
	int	fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, sb->s, sb->len) != (ssize_t)sb->len || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
report_metrics_write(const char *path, const report_run_metrics *m, char *err, size_t errlen)
{
	metric	*ctr[NCOUNTERS];
	const unsigned now_n[NCOUNTERS] = { m->sent, m->failed, m->deferred };
	long long last_ok = 0;
	strbuf	sb = STRBUF_INIT;
	size_t	i;
	int	rc;

	metrics_reset();	/* see run_metrics.h: only this file's series */
	for (i = 0; i < NCOUNTERS; i++)
		ctr[i] = metric_counter(counter_names[i], counter_help[i], "kind");
	read_previous(path, ctr, &last_ok);
	for (i = 0; i < NCOUNTERS; i++)
		metric_add(ctr[i], m->kind, now_n[i]);	/* 0 too: the series exists */
	if (m->exit_status == 0)
		last_ok = (long long)m->now;
	metric_set(metric_gauge("dmarctls_reports_last_run_timestamp_seconds",
	    "When dmarctls-reports send last ran", NULL), NULL, (int64_t)m->now);
	metric_set(metric_gauge("dmarctls_reports_last_run_exit_status",
	    "Exit status of the last send run (0 all sent, 75 retry later, 69 store down)", NULL),
	    NULL, m->exit_status);
	if (last_ok > 0)
		metric_set(metric_gauge(LAST_SUCCESS, "When a send run last exited 0", NULL),
		    NULL, last_ok);
	if (m->rows_known)
		metric_set(metric_gauge("dmarctls_reports_rows_pending",
		    "Rows of finished days with a rua that are in no sent report yet", NULL),
		    NULL, m->rows_pending);
	metrics_render(&sb);
	if (sb.failed) {
		strbuf_free(&sb);
		metrics_reset();
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = write_atomic(path, &sb, err, errlen);
	strbuf_free(&sb);
	metrics_reset();
	return rc;
}
