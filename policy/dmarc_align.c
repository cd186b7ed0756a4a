/*
 * dmarc_align.c -- identifier alignment (RFC 9989 section 4.4).
 *
 * SYNOPSIS
 *	See dmarc_align.h.
 *
 * DESCRIPTION
 *	All comparisons are ASCII case-insensitive; names are A-labels, so
 *	no other folding applies. Identifiers are copied lowercased into a
 *	fixed buffer after validation, so that the memo of dmarc_discovery
 *	sees one spelling per name.
 *
 * HOSTILE INPUT
 *	An identifier that is not a valid domain name (too long, bad label,
 *	stray characters) is simply not aligned; it causes no DNS query.
 */

/* System library. */

#include <string.h>

/* Application-specific. */

#include "dmarc_align.h"

static void
lower_copy(char *dst, size_t dstlen, const char *src)
{
	size_t	i;

	for (i = 0; src[i] != '\0' && i + 1 < dstlen; i++) {
		char	c = src[i];

		dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
	}
	dst[i] = '\0';
}

void
dmarc_author_init(dmarc_author *a, const char *domain)
{
	memset(a, 0, sizeof(*a));
	lower_copy(a->domain, sizeof(a->domain), domain);
}

void
dmarc_author_set_org(dmarc_author *a, const char *org)
{
	lower_copy(a->org, sizeof(a->org), org);
	a->have_org = 1;
}

/* name is parent, or a name below it (label boundary, not "xexample"). */
int
dmarc_domain_under(const char *name, const char *parent)
{
	size_t	nlen = strlen(name), plen = strlen(parent);

	if (nlen == plen)
		return dmarc_domain_equal(name, parent);
	if (nlen < plen + 1 || name[nlen - plen - 1] != '.')
		return 0;
	return dmarc_domain_equal(name + nlen - plen, parent);
}

static const char *
last_label(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL ? dot + 1 : name;
}

dmarc_align_res
dmarc_align(dmarc_discovery *d, dmarc_author *a, const char *id,
    dmarc_alignment mode)
{
	char	lid[DMARC_NAME_MAX + 1];
	char	org[DMARC_NAME_MAX + 1];

	if (!dmarc_domain_valid(id) || !dmarc_domain_valid(a->domain))
		return DMARC_ALIGN_NO;
	if (dmarc_domain_equal(id, a->domain))
		return DMARC_ALIGN_YES;
	if (mode == DMARC_ALIGN_STRICT)
		return DMARC_ALIGN_NO;
	/* Different TLDs can share no Org Domain: no DNS needed. */
	if (!dmarc_domain_equal(last_label(id), last_label(a->domain)))
		return DMARC_ALIGN_NO;
	if (!a->have_org) {
		if (dmarc_org_domain(d, a->domain, a->org, sizeof(a->org))
		    != DMARC_DISC_FOUND)
			return DMARC_ALIGN_TEMPFAIL;
		a->have_org = 1;
	}
	lower_copy(lid, sizeof(lid), id);
	if (!dmarc_domain_under(lid, a->org))
		return DMARC_ALIGN_NO;
	if (dmarc_org_domain(d, lid, org, sizeof(org)) != DMARC_DISC_FOUND)
		return DMARC_ALIGN_TEMPFAIL;
	return dmarc_domain_equal(org, a->org) ? DMARC_ALIGN_YES
	    : DMARC_ALIGN_NO;
}
