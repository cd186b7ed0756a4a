/*
 * spf_check.h -- SPF (RFC 7208) for the MAIL FROM and HELO identities.
 *
 * SYNOPSIS
 *	spf_checker *spf_checker_new(dns_resolver *r);
 *	void spf_checker_free(spf_checker *c);
 *	void spf_check(spf_checker *c, const char *ip, const char *helo,
 *	               const char *mailfrom, unsigned budget_ms, spf_outcome *out);
 *	int spf_mailfrom_is_null(const char *mailfrom);
 *
 * DESCRIPTION
 *	Runs libspf2 over the project's DNS layer. The MAIL FROM identity is
 *	the envelope sender; for the null sender ("<>", "" or NULL) it is
 *	postmaster@HELO (RFC 7208 section 2.4). The HELO identity is checked
 *	separately (section 2.3) when the HELO name is a domain. mailfrom may
 *	carry angle brackets. A checker is shared by threads.
 *
 *	The MAIL FROM identity is checked first and each identity has its own
 *	DNS budget of budget_ms (dns_deadline_set(); 0: only the per-query
 *	timeout), so that a HELO name whose servers never answer cannot turn
 *	the MAIL FROM result into a temperror. The call leaves no deadline set.
 *
 *	Only out->mailfrom may be used for DMARC alignment: a pass for the HELO
 *	identity must never satisfy DMARC (CVE-2019-20790). When the sender is
 *	null, out->domain is the HELO name, which is the MAIL FROM identity
 *	RFC 7208 defines for that case.
 */
#ifndef DMARCTLS_SPF_CHECK_H
#define DMARCTLS_SPF_CHECK_H

#include "dns.h"
#include "result.h"

#define SPF_DOMAIN_MAX	256

typedef struct spf_checker spf_checker;

typedef struct spf_outcome {
	spf_res	mailfrom;			/* result for the MAIL FROM identity */
	char	domain[SPF_DOMAIN_MAX];		/* its domain; "" when none */
	int	null_sender;
	spf_res	helo;				/* result for the HELO identity */
	char	helo_domain[SPF_DOMAIN_MAX];	/* "" when not checked */
} spf_outcome;

spf_checker	*spf_checker_new(dns_resolver *r);
void		spf_checker_free(spf_checker *c);
void		spf_check(spf_checker *c, const char *ip, const char *helo,
		    const char *mailfrom, unsigned budget_ms, spf_outcome *out);
int		spf_mailfrom_is_null(const char *mailfrom);

#endif
