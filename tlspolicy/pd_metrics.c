/*
 * pd_metrics.c -- the metrics of dmarctls-policyd (see pd_metrics.h).
 */
#include <stddef.h>

#include "dt_build.h"
#include "metrics.h"
#include "pd_metrics.h"

static metric *m_lookups, *m_profiles, *m_cache_hits;

static void
collect_build(strbuf *out, void *arg)
{
	(void)arg;
	metrics_write_family(out, "dmarctls_build_info", "The build: always 1", "gauge");
	metrics_write_sample(out, "dmarctls_build_info",
	    (const char *const[]){ "version", PACKAGE_VERSION, "daemon", "dmarctls-policyd",
	    NULL }, 1);
}

void
pd_metrics_init(void)
{
	m_lookups = metric_counter("dmarctls_policy_lookups_total",
	    "Socketmap requests for a policy domain, by decision", "decision");
	m_profiles = metric_counter("dmarctls_policy_lookups_by_profile_total",
	    "Socketmap requests for a policy domain, by profile (map name)", "profile");
	m_cache_hits = metric_counter("dmarctls_policy_cache_hits_total",
	    "Requests answered from the decision cache", NULL);
	metrics_collector(collect_build, NULL);
}

void
pd_metrics_lookup(const char *profile, const char *decision, int cached)
{
	metric_inc(m_lookups, decision);
	metric_inc(m_profiles, profile);
	if (cached)
		metric_inc(m_cache_hits, NULL);
}
