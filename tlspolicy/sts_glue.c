/*
 * sts_glue.c -- MTA-STS for the decision, over tlspolicy/sts.h (see sts_glue.h).
 *
 * DESCRIPTION
 *	Copies what the MTA-STS module returns into the daemon's own
 *	pd_decision, so that the decision cache and the profiles never hold
 *	the module's memory, and names the outcome for the logs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "sts.h"
#include "sts_glue.h"

#define STS_WHY_MAX	256

int
sts_glue_available(void)
{
	return 1;
}

static void glue_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
glue_log(int prio, const char *fmt, ...)
{
	char	line[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dt_log(prio, "%s", line);
}

void *
sts_glue_open(dns_resolver *dns, const pd_config *cfg, char *err, size_t errlen)
{
	sts_config sc;

	memset(&sc, 0, sizeof(sc));
	sc.cache_path = cfg->sts_cache_file;
	sc.ca_file = cfg->ca_file;
	sc.fetch_timeout_ms = cfg->sts_fetch_timeout;
	sc.no_policy_max = cfg->sts_no_policy_max;
	sc.log = glue_log;
	return sts_open(dns, &sc, err, errlen);
}

/* d->why from a format; a long reason is cut, which is what it is for. */
static void
set_why(pd_decision *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_why(pd_decision *d, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

static char **
copy_list(char *const *v, size_t n)
{
	char	**out;
	size_t	i;

	if (n == 0 || (out = calloc(n, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((out[i] = strdup(v[i])) == NULL)
			break;
	if (i < n) {
		while (i > 0)
			free(out[--i]);
		free(out);
		return NULL;
	}
	return out;
}

/* The module's policy as a PD_STS decision; -1 when out of memory. */
static int
from_policy(const sts_policy *p, pd_decision *out)
{
	out->kind = PD_STS;
	out->sts_mode = p->mode == STS_MODE_ENFORCE ? PD_STS_ENFORCE
	    : p->mode == STS_MODE_TESTING ? PD_STS_TESTING : PD_STS_NONE;
	snprintf(out->sts_id, sizeof(out->sts_id), "%s", p->id);
	out->sts_expires = p->expires;
	if ((out->mx = copy_list(p->mx, p->nmx)) != NULL)
		out->nmx = p->nmx;
	if ((out->lines = copy_list(p->lines, p->nlines)) != NULL)
		out->nlines = p->nlines;
	if ((p->nmx > 0 && out->mx == NULL) || (p->nlines > 0 && out->lines == NULL))
		return -1;
	set_why(out, "MTA-STS policy id %s, mode %s", p->id, sts_mode_name(p->mode));
	return 0;
}

void
sts_glue_lookup(void *ctx, const char *domain, unsigned budget_ms, pd_decision *out)
{
	sts_policy p;
	char	why[STS_WHY_MAX] = "";
	const char *fail = NULL;
	sts_status st;

	pd_decision_init(out);
	memset(&p, 0, sizeof(p));
	st = sts_lookup(ctx, domain, budget_ms, &p, why, sizeof(why), &fail);
	switch (st) {
	case STS_FOUND:
		if (from_policy(&p, out) < 0) {
			pd_decision_free(out);
			out->kind = PD_TEMP;
			snprintf(out->why, sizeof(out->why), "out of memory");
		}
		sts_policy_free(&p);
		break;
	case STS_PENDING:
		out->kind = PD_TEMP;
		set_why(out, "MTA-STS policy of %s still being fetched%s%s", domain,
		    why[0] ? ": " : "", why);
		break;
	case STS_FAILED:
		out->sts_fail = fail ? fail : STS_FAIL_FETCH;
		set_why(out, "%s", why[0] ? why : "MTA-STS failed");
		break;
	default:
		set_why(out, "no DANE, no MTA-STS policy%s%s", why[0] ? ": " : "", why);
		break;
	}
}

int
sts_glue_peek(void *ctx, const char *domain, pd_decision *out, time_t *fetched)
{
	sts_policy p;
	char	id[STS_ID_MAX + 1];
	int	rc;

	pd_decision_init(out);
	memset(&p, 0, sizeof(p));
	if (sts_cache_peek(ctx, domain, &p, id, sizeof(id)) != 0)
		return -1;
	*fetched = p.fetched;
	rc = from_policy(&p, out);
	sts_policy_free(&p);
	return rc;
}

void
sts_glue_close(void *ctx)
{
	if (ctx != NULL)
		sts_close(ctx);
}
