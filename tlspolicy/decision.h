/*
 * decision.h -- the TLS policy decided for one next-hop domain, before it is
 *	written in the words of one MTA (profile.c).
 *
 * DESCRIPTION
 *	A pd_decision owns its strings (pd_decision_free releases them) so
 *	that the decision cache can keep it and answer every profile from
 *	it. The kinds, in the order of the decision (issue 7):
 *	  PD_OVERRIDE	a local overrides line: "level [attributes]" in text;
 *	  PD_DANE_ALL	every MX host has a usable TLSA record ("dane-only");
 *	  PD_DANE_SOME	some do ("dane");
 *	  PD_TEMP	a DNS failure on the way (why): the mail must wait;
 *	  PD_STS	an MTA-STS policy (sts_mode, mx patterns, lines, id);
 *	  PD_NOTFOUND	nothing applies (why; sts_fail when MTA-STS discovery
 *			or fetch failed and the mail goes as if no policy).
 */
#ifndef DMARCTLS_DECISION_H
#define DMARCTLS_DECISION_H

#include <stddef.h>
#include <time.h>

#define PD_WHY_MAX	256

typedef enum {
	PD_NOTFOUND, PD_TEMP, PD_OVERRIDE, PD_DANE_SOME, PD_DANE_ALL, PD_STS
} pd_kind;

#define PD_KIND_COUNT	(PD_STS + 1)

typedef enum { PD_STS_NONE, PD_STS_TESTING, PD_STS_ENFORCE } pd_sts_mode;

typedef struct pd_decision {
	pd_kind		kind;
	char		why[PD_WHY_MAX];
	char		*override;	/* PD_OVERRIDE: "level attr=value ..." */
	pd_sts_mode	sts_mode;	/* PD_STS */
	char		**mx;		/* validated patterns (sts.h), nmx of them */
	size_t		nmx;
	char		**lines;	/* normalised policy lines */
	size_t		nlines;
	char		sts_id[33];
	time_t		sts_expires;
	const char	*sts_fail;	/* static text, PD_NOTFOUND only */
} pd_decision;

void	pd_decision_init(pd_decision *d);
void	pd_decision_free(pd_decision *d);
int	pd_decision_copy(pd_decision *dst, const pd_decision *src);
const char *pd_kind_name(pd_kind k);

#endif
