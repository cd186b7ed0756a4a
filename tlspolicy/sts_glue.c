/*
 * sts_glue.c -- MTA-STS for the decision (see sts_glue.h).
 *
 * DESCRIPTION
 *	Until tlspolicy/sts.h (helper D) is in the tree this is the build
 *	without MTA-STS: nothing is opened and the decision ends after DANE.
 */
#include <stdio.h>

#include "sts_glue.h"

int
sts_glue_available(void)
{
	return 0;
}

void *
sts_glue_open(dns_resolver *dns, const pd_config *cfg, char *err, size_t errlen)
{
	(void)dns;
	(void)cfg;
	snprintf(err, errlen, "built without MTA-STS");
	return NULL;
}

void
sts_glue_lookup(void *ctx, const char *domain, unsigned budget_ms, pd_decision *out)
{
	(void)ctx;
	(void)domain;
	(void)budget_ms;
	pd_decision_init(out);
}

int
sts_glue_peek(void *ctx, const char *domain, pd_decision *out, time_t *fetched)
{
	(void)ctx;
	(void)domain;
	(void)out;
	(void)fetched;
	return -1;
}

void
sts_glue_close(void *ctx)
{
	(void)ctx;
}
