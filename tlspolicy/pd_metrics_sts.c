/*
 * pd_metrics_sts.c -- the MTA-STS module's counters as metrics of dmarctls-policyd
 * (see pd_metrics.h: pd_metrics_sts_init). Apart from pd_metrics.c because it
 * needs the generation in force (pd_gen.c), which only the daemon links.
 */
#include <stddef.h>
#include <string.h>

#include "metrics.h"
#include "pd_gen.h"
#include "pd_metrics.h"
#include "sts.h"

/* sts_sample - one family of one STS counter */
static void
sts_sample(strbuf *out, const char *name, const char *help, const char *type, double v)
{
	metrics_write_family(out, name, help, type);
	metrics_write_sample(out, name, NULL, v);
}

/* collect_sts - the MTA-STS module's counters, read at scrape time */
static void
collect_sts(strbuf *out, void *arg)
{
	sts_stats st;
	pd_gen	*g;

	(void)arg;
	memset(&st, 0, sizeof(st));
	if ((g = pd_gen_acquire()) == NULL)
		return;
	if (g->sts)
		sts_get_stats(g->sts, &st);
	pd_gen_release(g);
	sts_sample(out, "dmarctls_sts_lookups_total",
	    "MTA-STS lookups (since the configuration in force was loaded)", "counter",
	    (double)st.lookups);
	sts_sample(out, "dmarctls_sts_cache_hits_total",
	    "MTA-STS lookups answered from a cached policy", "counter", (double)st.hits);
	metrics_write_family(out, "dmarctls_sts_fetches_total",
	    "MTA-STS policy fetches (HTTPS) by result", "counter");
	metrics_write_sample(out, "dmarctls_sts_fetches_total",
	    (const char *const[]){ "result", "ok", NULL }, (double)st.fetch_ok);
	metrics_write_sample(out, "dmarctls_sts_fetches_total",
	    (const char *const[]){ "result", "failed", NULL }, (double)st.fetch_failed);
	sts_sample(out, "dmarctls_sts_refreshes_total",
	    "MTA-STS background refreshes started", "counter", (double)st.refreshes);
	sts_sample(out, "dmarctls_sts_policies",
	    "MTA-STS policies in the cache now", "gauge", (double)st.policies);
	metrics_write_family(out, "dmarctls_sts_policies_expiring",
	    "MTA-STS enforce policies that expire within the window", "gauge");
	metrics_write_sample(out, "dmarctls_sts_policies_expiring",
	    (const char *const[]){ "within", "24h", NULL }, (double)st.expiring);
	metrics_write_family(out, "dmarctls_sts_policies_at_risk",
	    "MTA-STS enforce policies expiring within 24h whose refresh failed", "gauge");
	metrics_write_sample(out, "dmarctls_sts_policies_at_risk",
	    (const char *const[]){ "within", "24h", NULL }, (double)st.at_risk);
	sts_sample(out, "dmarctls_sts_cache_entries",
	    "Domains in the MTA-STS table now, with or without a policy", "gauge",
	    (double)st.entries);
	sts_sample(out, "dmarctls_sts_refresh_failures_total",
	    "Background refreshes whose HTTPS fetch failed (the cached policy was kept)",
	    "counter", (double)st.refresh_failed);
	sts_sample(out, "dmarctls_sts_no_policy_evictions_total",
	    "Domains without a policy forgotten at the STSNoPolicyCacheSize cap", "counter",
	    (double)st.evicted);
}

void
pd_metrics_sts_init(void)
{
	metrics_collector(collect_sts, NULL);
}
