/*
 * decision.c -- life cycle of a pd_decision (see decision.h).
 */
#include <stdlib.h>
#include <string.h>

#include "decision.h"

void
pd_decision_init(pd_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->kind = PD_NOTFOUND;
}

static void
free_list(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pd_decision_free(pd_decision *d)
{
	free(d->override);
	free_list(d->mx, d->nmx);
	free_list(d->lines, d->nlines);
	pd_decision_init(d);
}

static int
copy_list(char ***dst, char *const *src, size_t n)
{
	size_t	i;

	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (((*dst)[i] = strdup(src[i])) == NULL)
			return -1;
	return 0;
}

int
pd_decision_copy(pd_decision *dst, const pd_decision *src)
{
	*dst = *src;
	dst->override = NULL;
	dst->mx = dst->lines = NULL;
	if ((src->override && (dst->override = strdup(src->override)) == NULL)
	    || copy_list(&dst->mx, src->mx, src->nmx) < 0
	    || copy_list(&dst->lines, src->lines, src->nlines) < 0) {
		/* free what was copied: the lists are NULL-padded by calloc */
		dst->nmx = dst->mx ? src->nmx : 0;
		dst->nlines = dst->lines ? src->nlines : 0;
		pd_decision_free(dst);
		return -1;
	}
	return 0;
}

const char *
pd_kind_name(pd_kind k)
{
	switch (k) {
	case PD_TEMP: return "temp";
	case PD_OVERRIDE: return "override";
	case PD_DANE_SOME: return "dane";
	case PD_DANE_ALL: return "dane-only";
	case PD_STS: return "mta-sts";
	default: return "notfound";
	}
}
