/*
 * pd_metrics.h -- what dmarctls-policyd counts for Prometheus (util/metrics.h).
 *
 * SYNOPSIS
 *	void pd_metrics_init(void);
 *	void pd_metrics_lookup(pd_profile profile, pd_kind decision, int cached);
 *	void pd_metrics_sts_init(void);
 *
 * DESCRIPTION
 *	pd_metrics_init() registers dmarctls_policy_lookups_total{decision},
 *	dmarctls_policy_lookups_by_profile_total{profile},
 *	dmarctls_policy_cache_hits_total and the build; pd_metrics_sts_init()
 *	(pd_metrics_sts.c) a scrape-time collector for the MTA-STS module's
 *	counters of the generation in force (sts_get_stats(): lookups, hits,
 *	fetches by result, refreshes, policies cached now; they restart at a
 *	reload, which opens a new module). The DNS layer registers its own
 *	(util/dns.c). Both are called once, before any request.
 *
 *	pd_metrics_lookup() counts one answered socketmap request with a
 *	policy domain: its profile (the map name, profile_name), the decision
 *	(pd_kind_name) and whether the decision cache answered it; the series
 *	are kept once found, so that a count is three atomic adds.
 */
#ifndef DMARCTLS_PD_METRICS_H
#define DMARCTLS_PD_METRICS_H

#include "decision.h"
#include "profile.h"

void	pd_metrics_init(void);
void	pd_metrics_lookup(pd_profile profile, pd_kind decision, int cached);
void	pd_metrics_sts_init(void);

#endif
