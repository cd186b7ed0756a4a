/*
 * sts_glue.h -- the MTA-STS branch of the decision, over tlspolicy/sts.h.
 *
 * SYNOPSIS
 *	int   sts_glue_available(void);
 *	void *sts_glue_open(dns_resolver *dns, const pd_config *cfg,
 *		char *err, size_t errlen);
 *	void  sts_glue_lookup(void *ctx, const char *domain, unsigned budget_ms,
 *		pd_decision *out);
 *	int   sts_glue_peek(void *ctx, const char *domain, pd_decision *out,
 *		time_t *fetched);
 *	void  sts_glue_close(void *ctx);
 *
 * DESCRIPTION
 *	The only place that knows sts.h (helper D's MTA-STS module): it maps
 *	sts_lookup() onto a pd_decision. STS_FOUND: PD_STS with the policy's
 *	mode, patterns, lines, id and expiry. STS_ABSENT and STS_FAILED:
 *	PD_NOTFOUND (sts_fail names the RFC 8460 failure type): RFC 8461 5
 *	says to deliver as if no policy. STS_PENDING: PD_TEMP (the first fetch
 *	is still under way past the budget; it completes in the background
 *	and the next try gets the answer).
 *	sts_glue_available() says the module is built in (1); a build
 *	without it would return 0 and NULL from sts_glue_open(), and the
 *	decision would stop after DANE.
 */
#ifndef DMARCTLS_STS_GLUE_H
#define DMARCTLS_STS_GLUE_H

#include <stddef.h>
#include <time.h>

#include "decision.h"
#include "dns.h"
#include "pd_config.h"

int	sts_glue_available(void);
void	*sts_glue_open(dns_resolver *dns, const pd_config *cfg, char *err,
	    size_t errlen);
void	sts_glue_lookup(void *ctx, const char *domain, unsigned budget_ms,
	    pd_decision *out);
int	sts_glue_peek(void *ctx, const char *domain, pd_decision *out,
	    time_t *fetched);
void	sts_glue_close(void *ctx);

#endif
