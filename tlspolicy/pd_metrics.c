/*
 * pd_metrics.c -- the metrics of dmarctls-policyd (see pd_metrics.h).
 */
#include <stddef.h>
#include <string.h>

#include "dt_build.h"
#include "metrics.h"
#include "pd_metrics.h"
#include "profile.h"

static metric *m_lookups, *m_profiles, *m_cache_hits;
/* their series, found at the first count (series_at) */
static metric_series *by_kind[PD_KIND_COUNT], *by_profile[PROFILE_COUNT], *hits;

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
	memset(by_kind, 0, sizeof(by_kind));	/* a registry made again */
	memset(by_profile, 0, sizeof(by_profile));
	hits = NULL;
}

/*
 * The series of *slot, found (and made) at its first count, as metric_inc
 * would: a series that was never counted is not shown. Two threads may
 * both look it up the first time; they find the same series.
 */
static metric_series *
series_at(metric_series **slot, metric *m, const char *value)
{
	metric_series *s = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (s == NULL && (s = metric_series_of(m, value)) != NULL)
		__atomic_store_n(slot, s, __ATOMIC_RELEASE);
	return s;
}

void
pd_metrics_lookup(pd_profile profile, pd_kind decision, int cached)
{
	if ((unsigned)decision < PD_KIND_COUNT)
		metric_series_add(series_at(&by_kind[decision], m_lookups,
		    pd_kind_name(decision)), 1);
	if ((unsigned)profile < PROFILE_COUNT)
		metric_series_add(series_at(&by_profile[profile], m_profiles,
		    profile_name(profile)), 1);
	if (cached)
		metric_series_add(series_at(&hits, m_cache_hits, NULL), 1);
}
