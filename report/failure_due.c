/*
 * failure_due.c -- which failure reports a record's "fo" asks for (see failure_due.h).
 */
#include <stdio.h>

#include "failure_due.h"

static int
any_dkim_failed(const dt_verdict *v)
{
	size_t	k;

	for (k = 0; k < v->ndkim; k++)
		if (v->dkim[k].result == DKIM_RES_FAIL || v->dkim[k].result == DKIM_RES_PERMERROR)
			return 1;
	return 0;
}

static spf_res
spf_result(const dt_verdict *v)
{
	return v->spf.null_sender ? v->spf.helo : v->spf.mailfrom;
}

unsigned
failure_due(const dt_verdict *v, size_t i, char *align, size_t alignlen)
{
	const dmarc_outcome *o;
	unsigned kinds = 0;

	if (alignlen > 0)
		align[0] = '\0';
	if (i >= v->nauthors)
		return 0;
	o = &v->dmarc[i];
	if (!o->have_record || o->nruf == 0 || o->psd == DMARC_PSD_Y)
		return 0;
	if (o->result != DMARC_RES_PASS && o->result != DMARC_RES_FAIL)
		return 0;
	if ((o->fo & DMARC_FO_0) && !o->dkim_aligned && !o->spf_aligned)
		kinds |= FR_DMARC;
	if ((o->fo & DMARC_FO_1) && (!o->dkim_aligned || !o->spf_aligned))
		kinds |= FR_DMARC;
	if ((o->fo & DMARC_FO_D) && any_dkim_failed(v))
		kinds |= FR_DKIM;
	if ((o->fo & DMARC_FO_S) && spf_result(v) == SPF_RES_FAIL)
		kinds |= FR_SPF;
	snprintf(align, alignlen, "%s", !o->dkim_aligned && !o->spf_aligned ? "dkim, spf"
	    : !o->dkim_aligned ? "dkim" : !o->spf_aligned ? "spf" : "none");
	return kinds;
}
