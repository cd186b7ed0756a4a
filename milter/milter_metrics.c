/*
 * milter_metrics.c -- the metrics of dmarctls-milter (see milter_metrics.h).
 */
#include <stdio.h>
#include <time.h>

#include "dane_check.h"
#include "dt_build.h"
#include "generation.h"
#include "metrics.h"
#include "milter_metrics.h"
#include "sessions.h"

/* Evaluation time buckets, seconds: cached answers take well under 1 ms,
 * a cold DNSSEC lookup tens of ms, DNSTimeout several seconds. */
static const double eval_bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

static metric *m_messages, *m_dmarc, *m_spf, *m_dkim, *m_tls, *m_eval, *m_forged;
static metric *m_refused_sessions, *m_reloads, *m_reload_failures;

/* collect_sessions - sessions in progress now */
static void
collect_sessions(strbuf *out, void *arg)
{
	(void)arg;
	metrics_write_family(out, "dmarctls_sessions",
	    "Milter sessions (SMTP connections) in progress", "gauge");
	metrics_write_sample(out, "dmarctls_sessions", NULL, (double)dt_sessions_active());
}

static void
dane_sample(strbuf *out, dt_dane_state *ds)
{
	static const dane_res all[] = { DANE_RES_NONE, DANE_RES_PASS, DANE_RES_FAIL,
	    DANE_RES_TEMPERROR };
	dane_res res;
	char	owner[256];
	size_t	i;

	if (ds == NULL || !dt_dane_state_get(ds, &res, owner, sizeof(owner)))
		return;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		metrics_write_sample(out, "dmarctls_dane_state",
		    (const char *const[]){ "endpoint", owner, "state", dane_res_name(all[i]),
		    NULL }, res == all[i] ? 1 : 0);
}

/*
 * collect_dane - the last self-check of each endpoint: 1 for its state, 0
 * for the others; an endpoint not checked yet has no series at all.
 */
static void
collect_dane(strbuf *out, void *arg)
{
	dt_gen	*g;
	size_t	i;

	(void)arg;
	metrics_write_family(out, "dmarctls_dane_state",
	    "DANE self-check of each receiving endpoint (TLSATarget, DANEEndpoint): "
	    "1 for the current state", "gauge");
	if ((g = dt_gen_acquire()) == NULL)
		return;
	dane_sample(out, g->dane);
	for (i = 0; i < g->nendpoints; i++)
		dane_sample(out, g->endpoint[i]);
	dt_gen_release(g);
}

static void
collect_build(strbuf *out, void *arg)
{
	(void)arg;
	metrics_write_family(out, "dmarctls_build_info",
	    "The dmarctls-milter build: always 1", "gauge");
	metrics_write_sample(out, "dmarctls_build_info",
	    (const char *const[]){ "version", PACKAGE_VERSION, "daemon", "dmarctls-milter",
	    NULL }, 1);
}

void
dt_metrics_init(void)
{
	m_messages = metric_counter("dmarctls_messages_total",
	    "Messages decided, by the action the MTA was told", "action");
	m_dmarc = metric_counter("dmarctls_dmarc_results_total",
	    "Messages by DMARC result", "result");
	m_spf = metric_counter("dmarctls_spf_results_total",
	    "Messages by SPF result of the MAIL FROM identity", "result");
	m_dkim = metric_counter("dmarctls_dkim_results_total",
	    "DKIM signatures by result (none: a message without one)", "result");
	m_tls = metric_counter("dmarctls_tls_messages_total",
	    "Messages by the TLS version of their SMTP session (none: plaintext)", "version");
	m_eval = metric_histogram("dmarctls_evaluation_seconds",
	    "Time spent evaluating a message (SPF, DKIM, DMARC, DNS waits included)",
	    eval_bounds, sizeof(eval_bounds) / sizeof(eval_bounds[0]));
	m_forged = metric_counter("dmarctls_forged_authres_removed_total",
	    "Authentication-Results fields with our authserv-id removed", NULL);
	m_refused_sessions = metric_counter("dmarctls_sessions_refused_total",
	    "Sessions tempfailed because MaxSessions was reached", NULL);
	m_reloads = metric_counter("dmarctls_config_reloads_total",
	    "Configuration reloads (SIGHUP) that took effect", NULL);
	m_reload_failures = metric_counter("dmarctls_config_reload_failures_total",
	    "Configuration reloads that failed (the old configuration stays)", NULL);
	metrics_collector(collect_sessions, NULL);
	metrics_collector(collect_dane, NULL);
	metrics_collector(collect_build, NULL);
}

void
dt_metrics_message(const dt_verdict *v, const char *tls_version, size_t removed_ar,
    double seconds)
{
	size_t	i;

	metric_inc(m_messages, action_name(v->action));
	metric_inc(m_dmarc, dmarc_res_name(v->dmarc_result));
	metric_inc(m_spf, spf_res_name(v->spf.mailfrom));
	if (v->ndkim == 0)
		metric_inc(m_dkim, "none");
	for (i = 0; i < v->ndkim; i++)
		metric_inc(m_dkim, dkim_res_name(v->dkim[i].result));
	metric_inc(m_tls, tls_version && *tls_version ? tls_version : "none");
	if (removed_ar)
		metric_add(m_forged, NULL, removed_ar);
	metric_observe(m_eval, seconds);
}

void
dt_metrics_refused(const char *action)
{
	metric_inc(m_messages, action);
}

void
dt_metrics_session_refused(void)
{
	metric_inc(m_refused_sessions, NULL);
}

void
dt_metrics_reload(int ok)
{
	metric_inc(ok ? m_reloads : m_reload_failures, NULL);
}

double
dt_metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
