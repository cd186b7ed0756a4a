/*
 * dane_decide.h -- does DNSSEC show DANE for a next-hop domain (RFC 7672)?
 *
 * SYNOPSIS
 *	void dane_decide(dns_rrset_fn lookup, void *ctx, const char *domain,
 *		dane_report *r);
 *	const char *dane_verdict_name(dane_verdict v);
 *	const char *dane_host_state_name(dane_host_state s);
 *
 * DESCRIPTION
 *	dane_decide() asks, through lookup (dns_lookup_rrset, or a fake in
 *	unit tests), what an RFC 7672 client asks before it connects, and
 *	writes the answer and every step into *r:
 *	  1. MX of domain (2.2.1). Bogus, SERVFAIL or timeout: DANE_TEMP (the
 *	     mail waits; a downgrade is what an attacker wants). Insecure:
 *	     DANE_NONE. Secure NODATA: the domain is its own implicit MX.
 *	     NXDOMAIN or a null MX (RFC 7505): DANE_NOMX.
 *	  2. For each MX host (at most DANE_MX_MAX, lowest preference first):
 *	     A and AAAA (2.2.2). A failure: DANE_TEMP. No address at all: the
 *	     host is skipped (the MTA skips it too). Any address insecure:
 *	     the host is not a DANE host.
 *	  3. TLSA at _25._tcp.<host> (2.2.3), only for secure hosts. A failure:
 *	     DANE_TEMP. Secure records of which at least one is usable (usage
 *	     2/3, selector 0/1, matching type 0/1/2 with the right length, per
 *	     tlsa_rr_parse/tlsa_rr_usable): the host is usable. Secure records
 *	     none usable, none, or insecure: the host is not.
 *	The verdict: every host with addresses usable DANE_ALL ("dane-only"),
 *	some DANE_SOME ("dane"), none DANE_NONE (MTA-STS may apply). When
 *	the MX list was cut at DANE_MX_MAX, DANE_ALL becomes DANE_SOME: the
 *	hosts not looked at must not be pinned.
 *
 *	r->why says in words why, for logs and TEMP replies; r->ttl is the
 *	smallest TTL seen (for the decision cache).
 *
 * HOSTILE INPUT
 *	MX rdata is parsed label by label with bounds checks; a host name
 *	that is not LDH is skipped; at most DANE_MX_MAX hosts and
 *	DANE_ADDR_MAX addresses per host are kept.
 */
#ifndef DMARCTLS_DANE_DECIDE_H
#define DMARCTLS_DANE_DECIDE_H

#include <stddef.h>

#include "dns.h"

#define DANE_MX_MAX	16
#define DANE_ADDR_MAX	4
#define DANE_NAME_MAX	253
#define DANE_WHY_MAX	256

typedef enum {
	DANE_NONE, DANE_SOME, DANE_ALL, DANE_TEMP, DANE_NOMX
} dane_verdict;

typedef enum {
	HOST_USABLE,		/* secure addresses, a usable TLSA record */
	HOST_UNUSABLE,		/* secure TLSA records, none usable */
	HOST_NO_TLSA,		/* secure proof of no TLSA */
	HOST_INSECURE,		/* address or TLSA answer not DNSSEC secure */
	HOST_NO_ADDRESS,	/* neither A nor AAAA */
	HOST_TEMP,		/* a lookup failed */
	HOST_UNCHECKED		/* not looked at (an earlier failure) */
} dane_host_state;

typedef struct dane_host {
	char		name[DANE_NAME_MAX + 1];
	unsigned	pref;
	dns_status	a_status, aaaa_status, tlsa_status;
	dns_sec		a_sec, aaaa_sec, tlsa_sec;
	size_t		naddr;
	char		addr[DANE_ADDR_MAX][46];	/* INET6_ADDRSTRLEN */
	size_t		ntlsa, nusable;
	dane_host_state	state;
} dane_host;

typedef struct dane_report {
	dane_verdict	verdict;
	dns_status	mx_status;
	dns_sec		mx_sec;
	int		implicit_mx;
	int		truncated;	/* more MX hosts than DANE_MX_MAX */
	size_t		nhosts;
	dane_host	host[DANE_MX_MAX];
	int		ttl;
	char		why[DANE_WHY_MAX];
} dane_report;

void	dane_decide(dns_rrset_fn lookup, void *ctx, const char *domain,
	    dane_report *r);
const char *dane_verdict_name(dane_verdict v);
const char *dane_host_state_name(dane_host_state s);

#endif
