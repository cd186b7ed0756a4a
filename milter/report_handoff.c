/*
 * report_handoff.c -- from verdict to report rows (see report_handoff.h).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "report_handoff.h"
#include "row.h"
#include "writer.h"

static report_writer *writer;
static metric *m_rows;		/* rows handed over, by what became of them */
static atomic_ulong noqueue_seq;

int
dt_report_start(const dt_config *cfg)
{
	report_writer_conf conf;

	if (!cfg->reports || writer != NULL)
		return 0;
	conf.store = cfg->report_store;
	conf.spool = cfg->report_spool;
	conf.spool_max = (size_t)cfg->report_spool_max_mb * 1024 * 1024;
	conf.log = dt_log;
	m_rows = metric_counter("dmarctls_report_rows_total",
	    "Report rows handed to the writer: written (store open), spooled (no store), lost", "result");
	if ((writer = report_writer_start(&conf)) == NULL) {
		dt_log(LOG_ERR, "report: cannot start the writer");
		return -1;
	}
	dt_log(LOG_INFO, "report: recording into %s (spool %s)", cfg->report_store,
	    cfg->report_spool);
	return 0;
}

void
dt_report_message(const dt_config *cfg, const dt_verdict *v, const char *qid,
    const char *envelope_to, const char *headers)
{
	report_row rows[DT_MAX_AUTHORS];
	report_msg m;
	char	key[64];
	size_t	n, i;

	if (writer == NULL || v->nauthors == 0)
		return;
	/* without a queue id the key must still be unique for this reporter */
	if (qid == NULL || qid[0] == '\0') {
		snprintf(key, sizeof(key), "NOQUEUE.%ld.%lu", (long)getpid(),
		    atomic_fetch_add(&noqueue_seq, 1));
		qid = key;
	}
	m.reporter = cfg->report_submitter ? cfg->report_submitter : cfg->authserv_id;
	m.msg_id = qid;
	m.received = time(NULL);
	m.envelope_to = cfg->report_envelope_to && envelope_to != NULL ? envelope_to : "";
	m.headers = cfg->failure_reports ? (headers != NULL ? headers : "") : NULL;
	n = report_rows_from_verdict(v, &m, rows, DT_MAX_AUTHORS);
	if (n < v->nauthors)
		dt_log(LOG_ERR, "%s: report: %zu of %zu rows not built (out of memory)",
		    qid, v->nauthors - n, v->nauthors);
	switch (report_writer_submit(writer, rows, n, cfg->report_wait_ms)) {
	case 0:
		metric_add(m_rows, "written", n);
		break;
	case 1:
		metric_add(m_rows, "spooled", n);
		break;
	default:
		metric_add(m_rows, "lost", n);
		dt_log(LOG_ERR, "%s: report: rows lost", qid);
		break;
	}
	for (i = 0; i < n; i++)
		report_row_free(&rows[i]);
}

void
dt_report_stop(void)
{
	report_writer_stop(writer);
	writer = NULL;
}
