/*
 * dmarc_align.h -- identifier alignment (RFC 9989 section 4.4).
 *
 * SYNOPSIS
 *	void dmarc_author_init(dmarc_author *a, const char *domain);
 *	dmarc_align_res dmarc_align(dmarc_discovery *d, dmarc_author *a,
 *	    const char *id, dmarc_alignment mode);
 *	int dmarc_domain_under(const char *name, const char *parent);
 *
 * DESCRIPTION
 *	dmarc_align() says whether an authenticated identifier (the d= of a
 *	passing DKIM signature, or the domain SPF passed for) is aligned with
 *	the Author Domain. Strict: the names are identical, compared without
 *	regard to case (A-labels). Relaxed: identical, or both have the same
 *	Organizational Domain (dmarc_org_domain(), tree walk or PSL).
 *
 *	Cheap checks come first, so that most answers need no DNS at all:
 *	identical names align; names whose last labels differ cannot share
 *	an Org Domain. The Org Domain of a name is always the name or one of
 *	its parents, so an identifier outside the author's Org Domain cannot
 *	align either: only an identifier under it costs a walk of its own
 *	(and that walk reuses the memo of d).
 *
 *	dmarc_domain_under() says whether name is parent or below it, on a
 *	label boundary ("notexample.com" is not under "example.com").
 *
 *	dmarc_author caches the Author Domain's Org Domain across calls; the
 *	caller may preset it (dmarc_author_set_org()) when discovery already
 *	computed it. Which identifiers to pass is the caller's business:
 *	SPF's only when SPF passed for the MAIL FROM domain, or for HELO
 *	when MAIL FROM was null (CVE-2019-20790: never the HELO pass of a
 *	message that had a MAIL FROM domain).
 *
 * DIAGNOSTICS
 *	DMARC_ALIGN_TEMPFAIL: an Org Domain was needed and its walk hit a DNS
 *	failure (d->failed_name). An invalid identifier is not aligned.
 */
#ifndef DMARCTLS_DMARC_ALIGN_H
#define DMARCTLS_DMARC_ALIGN_H

#include "dmarc_discovery.h"
#include "dmarc_record.h"

typedef enum {
	DMARC_ALIGN_NO = 0, DMARC_ALIGN_YES, DMARC_ALIGN_TEMPFAIL
} dmarc_align_res;

typedef struct dmarc_author {
	char	domain[DMARC_NAME_MAX + 1];	/* lowercase */
	char	org[DMARC_NAME_MAX + 1];
	int	have_org;
} dmarc_author;

void		dmarc_author_init(dmarc_author *a, const char *domain);
void		dmarc_author_set_org(dmarc_author *a, const char *org);
dmarc_align_res	dmarc_align(dmarc_discovery *d, dmarc_author *a,
		    const char *id, dmarc_alignment mode);
int		dmarc_domain_under(const char *name, const char *parent);

#endif
