/*
 * dane_decide.c -- the DANE part of the outbound decision (see dane_decide.h).
 *
 * DESCRIPTION
 *	Only DNS is looked at here; no connection is made. What the MTA
 *	then does with "dane" or "dane-only" (OUTBOUND.md 1.5) is the
 *	connection-time half of RFC 7672.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_file.h"
#include "dane_decide.h"
#include "dns.h"
#include "tlsa_match.h"

#define TLSA_PREFIX	"_25._tcp."	/* RFC 7672 2.2.3: SMTP on port 25 */

const char *
dane_verdict_name(dane_verdict v)
{
	switch (v) {
	case DANE_SOME: return "dane";
	case DANE_ALL: return "dane-only";
	case DANE_TEMP: return "temp";
	case DANE_NOMX: return "no-mx";
	default: return "none";
	}
}

const char *
dane_host_state_name(dane_host_state s)
{
	static const char *const names[] = {
		"usable", "unusable", "no-tlsa", "insecure", "no-address", "temp",
		"unchecked",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void
why(dane_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
why(dane_report *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

static void
note_ttl(dane_report *r, const dns_rrset *rs)
{
	if (rs->ttl > 0 && (r->ttl <= 0 || rs->ttl < r->ttl))
		r->ttl = rs->ttl;
}

/*
 * An uncompressed domain name in wire form (dns.c hands rdata so) into
 * lower-case text without the root dot; -1 when malformed or not LDH.
 * An empty name (the root) is returned as "" (the null MX target).
 */
static int
wire_name(const unsigned char *p, size_t len, char out[DANE_NAME_MAX + 1])
{
	size_t	i = 0, o = 0, n, k;

	while (i < len && (n = p[i]) != 0) {
		if (n > 63 || i + 1 + n > len || o + n + 1 > DANE_NAME_MAX + 1)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (k = 0; k < n; k++) {
			unsigned char ch = p[i + 1 + k];

			out[o++] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
		}
		i += 1 + n;
	}
	if (i >= len)
		return -1;		/* no root label */
	out[o] = '\0';
	if (o > 0 && !cfg_valid_hostname(out, o, 0))
		return -1;
	return 0;
}

static int
host_known(const dane_report *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->host[i].name, name) == 0)
			return 1;
	return 0;
}

/* Insert by preference, keeping the RRset order among equals. */
static void
host_insert(dane_report *r, const char *name, unsigned pref)
{
	size_t	i = r->nhosts;

	if (r->nhosts == DANE_MX_MAX) {
		if (pref >= r->host[DANE_MX_MAX - 1].pref)
			return (void)(r->truncated = 1);
		r->truncated = 1;
		i = --r->nhosts;
	}
	while (i > 0 && r->host[i - 1].pref > pref) {
		r->host[i] = r->host[i - 1];
		i--;
	}
	memset(&r->host[i], 0, sizeof(r->host[i]));
	snprintf(r->host[i].name, sizeof(r->host[i].name), "%s", name);
	r->host[i].pref = pref;
	r->host[i].state = HOST_UNCHECKED;
	r->nhosts++;
}

/* The MX hosts of a secure MX RRset; 1 when it is a null MX. */
static int
mx_hosts(dane_report *r, const dns_rrset *rs)
{
	char	name[DANE_NAME_MAX + 1];
	size_t	i;

	for (i = 0; i < rs->n; i++) {
		unsigned pref;

		if (rs->len[i] < 3)
			continue;
		pref = (unsigned)(rs->data[i][0] << 8 | rs->data[i][1]);
		if (wire_name(rs->data[i] + 2, rs->len[i] - 2, name) < 0)
			continue;
		if (name[0] == '\0') {
			if (rs->n == 1)
				return 1;	/* RFC 7505 null MX */
			continue;
		}
		if (!host_known(r, name))
			host_insert(r, name, pref);
	}
	return 0;
}

static void
keep_addrs(dane_host *h, const dns_rrset *rs, int family)
{
	size_t	i;

	for (i = 0; i < rs->n && h->naddr < DANE_ADDR_MAX; i++) {
		if (rs->len[i] != (family == AF_INET ? 4u : 16u))
			continue;
		if (inet_ntop(family, rs->data[i], h->addr[h->naddr],
			      sizeof(h->addr[0])) != NULL)
			h->naddr++;
	}
}

/* A and AAAA of one host; -1 on a lookup failure. */
static int
host_addresses(dns_rrset_fn lookup, void *ctx, dane_report *r, dane_host *h)
{
	dns_rrset a, aaaa;
	int	rc = 0;

	memset(&a, 0, sizeof(a));
	memset(&aaaa, 0, sizeof(aaaa));
	lookup(ctx, h->name, DNS_T_A, &a);
	h->a_status = a.status;
	h->a_sec = a.sec;
	if (a.status != DNS_STATUS_TEMPFAIL) {
		lookup(ctx, h->name, DNS_T_AAAA, &aaaa);
		h->aaaa_status = aaaa.status;
		h->aaaa_sec = aaaa.sec;
	}
	if (a.status == DNS_STATUS_TEMPFAIL || aaaa.status == DNS_STATUS_TEMPFAIL) {
		h->state = HOST_TEMP;
		why(r, "address lookup for MX host %s failed (%s)", h->name,
		    dns_sec_name(a.status == DNS_STATUS_TEMPFAIL ? a.sec : aaaa.sec));
		rc = -1;
	} else {
		note_ttl(r, &a);
		note_ttl(r, &aaaa);
		keep_addrs(h, &a, AF_INET);
		keep_addrs(h, &aaaa, AF_INET6);
		if (a.status != DNS_STATUS_OK && aaaa.status != DNS_STATUS_OK)
			h->state = HOST_NO_ADDRESS;
		else if ((a.status == DNS_STATUS_OK && a.sec != DNS_SEC_SECURE)
			 || (aaaa.status == DNS_STATUS_OK && aaaa.sec != DNS_SEC_SECURE))
			h->state = HOST_INSECURE;
	}
	dns_rrset_free(&a);
	dns_rrset_free(&aaaa);
	return rc;
}

/* TLSA at _25._tcp.<host>; -1 on a lookup failure. */
static int
host_tlsa(dns_rrset_fn lookup, void *ctx, dane_report *r, dane_host *h)
{
	char	owner[sizeof(TLSA_PREFIX) + DANE_NAME_MAX];
	dns_rrset t;
	tlsa_rr	rr;
	size_t	i;

	snprintf(owner, sizeof(owner), TLSA_PREFIX "%s", h->name);
	memset(&t, 0, sizeof(t));
	lookup(ctx, owner, DNS_T_TLSA, &t);
	h->tlsa_status = t.status;
	h->tlsa_sec = t.sec;
	if (t.status == DNS_STATUS_TEMPFAIL) {
		h->state = HOST_TEMP;
		why(r, "TLSA lookup for %s failed (%s)", owner, dns_sec_name(t.sec));
		dns_rrset_free(&t);
		return -1;
	}
	note_ttl(r, &t);
	if (t.sec != DNS_SEC_SECURE)
		h->state = HOST_INSECURE;
	else if (t.status != DNS_STATUS_OK)
		h->state = HOST_NO_TLSA;
	else {
		for (i = 0; i < t.n; i++) {
			h->ntlsa++;
			if (tlsa_rr_parse(t.data[i], t.len[i], &rr) == 0
			    && tlsa_rr_usable(&rr))
				h->nusable++;
		}
		h->state = h->nusable > 0 ? HOST_USABLE : HOST_UNUSABLE;
	}
	dns_rrset_free(&t);
	return 0;
}

/* Step 1: the MX RRset; 0 to go on with the hosts, -1 when decided. */
static int
decide_mx(dns_rrset_fn lookup, void *ctx, const char *domain, dane_report *r)
{
	dns_rrset mx;
	int	rc = -1;

	memset(&mx, 0, sizeof(mx));
	lookup(ctx, domain, DNS_T_MX, &mx);
	r->mx_status = mx.status;
	r->mx_sec = mx.sec;
	note_ttl(r, &mx);
	if (mx.status == DNS_STATUS_TEMPFAIL) {
		r->verdict = DANE_TEMP;
		why(r, "MX lookup for %s failed (%s)", domain, dns_sec_name(mx.sec));
	} else if (mx.status == DNS_STATUS_NXDOMAIN) {
		r->verdict = DANE_NOMX;
		why(r, "%s does not exist", domain);
	} else if (mx.sec != DNS_SEC_SECURE) {
		r->verdict = DANE_NONE;
		why(r, "MX RRset of %s is not DNSSEC-signed", domain);
	} else if (mx.status == DNS_STATUS_NODATA) {
		r->implicit_mx = 1;	/* RFC 7672 2.2.1 with RFC 5321 5.1 */
		host_insert(r, domain, 0);
		rc = 0;
	} else if (mx_hosts(r, &mx) == 1) {
		r->verdict = DANE_NOMX;
		why(r, "%s has a null MX (RFC 7505)", domain);
	} else if (r->nhosts == 0) {
		r->verdict = DANE_NOMX;
		why(r, "no usable MX host name for %s", domain);
	} else
		rc = 0;
	dns_rrset_free(&mx);
	return rc;
}

void
dane_decide(dns_rrset_fn lookup, void *ctx, const char *domain, dane_report *r)
{
	size_t	i, nhosts = 0, nusable = 0;

	memset(r, 0, sizeof(*r));
	if (decide_mx(lookup, ctx, domain, r) < 0)
		return;
	for (i = 0; i < r->nhosts; i++) {
		dane_host *h = &r->host[i];

		if (host_addresses(lookup, ctx, r, h) < 0) {
			r->verdict = DANE_TEMP;
			return;
		}
		if (h->state == HOST_NO_ADDRESS)
			continue;
		nhosts++;
		if (h->state == HOST_INSECURE)
			continue;
		if (host_tlsa(lookup, ctx, r, h) < 0) {
			r->verdict = DANE_TEMP;
			return;
		}
		if (h->state == HOST_USABLE)
			nusable++;
	}
	if (nusable == 0) {
		r->verdict = DANE_NONE;
		why(r, nhosts == 0 ? "no MX host of %s has an address"
		    : "no MX host of %s has a usable TLSA record under DNSSEC", domain);
	} else if (nusable == nhosts && !r->truncated) {
		r->verdict = DANE_ALL;
		why(r, "every MX host of %s has a usable TLSA record", domain);
	} else {
		r->verdict = DANE_SOME;
		why(r, "%zu of %zu MX hosts of %s have a usable TLSA record",
		    nusable, nhosts + (r->truncated ? 1 : 0), domain);
	}
}
