/*
 * dns.h -- the one DNS layer of dmarctls: libunbound, shared, bounded.
 *
 * SYNOPSIS
 *	dns_resolver *dns_resolver_new(const dns_config *cfg, char *err, size_t errlen);
 *	void dns_resolver_free(dns_resolver *r);
 *	void dns_query(dns_resolver *r, const char *name, int rrtype, dns_rrset *out);
 *	void dns_rrset_free(dns_rrset *rs);
 *	void dns_lookup_txt(void *resolver, const char *name, dns_txt *out);
 *	void dns_lookup_rrset(void *resolver, const char *name, int rrtype, dns_rrset *out);
 *	void dns_txt_free(dns_txt *t);
 *	void dns_deadline_set(unsigned ms);
 *	void dns_deadline_clear(void);
 *	int dns_name_valid(const char *name);
 *
 * DESCRIPTION
 *	One libunbound context is created per process and shared by every
 *	thread and every protocol (SPF, DKIM, DMARC, TLSA): its cache is the
 *	cache. Each query is bounded by cfg->timeout_ms; a query that gets no
 *	answer in time is cancelled and reported DNS_TEMPFAIL.
 *
 *	Every answer says whether it was DNSSEC secure, insecure or bogus, and
 *	tells NXDOMAIN (the name does not exist: RFC 9989 np=) apart from
 *	NODATA (the name exists, no record of that type). A bogus answer is
 *	reported as DNS_TEMPFAIL with sec == DNS_SEC_BOGUS: callers never see
 *	data that failed validation.
 *
 *	dns_deadline_set() gives the calling thread a budget: every query it
 *	makes until dns_deadline_clear() ends at the deadline at the latest,
 *	and a query asked after it is DNS_STATUS_TEMPFAIL at once. One phase
 *	of a message (each SPF identity at MAIL FROM; the DKIM keys at end of
 *	headers; DMARC at end of message) thus
 *	costs a bounded time even when every server is silent, whatever the
 *	number of lookups.
 *
 *	dns_name_valid() says whether a text name could exist: 1 to 253
 *	octets (one final dot allowed), labels of 1 to 63 octets, no blanks,
 *	controls or non-ASCII. dns_query() never sends a name that fails it
 *	and answers NXDOMAIN: no query was possible, so nothing temporary
 *	happened, and callers must not report a temporary error for it.
 *
 *	dns_lookup_txt() and dns_lookup_rrset() have the dns_txt_fn and
 *	dns_rrset_fn signatures so that policy code can be handed a
 *	table-driven fake in unit tests.
 *
 * CONFIGURATION
 *	forwarders	NULL or "": the system's resolv.conf. Otherwise a list of
 *			ADDR[@PORT] separated by commas or blanks.
 *	trust_anchor	a file of DS/DNSKEY records (ub_ctx_add_ta_file); NULL:
 *			the root key of the dns-root-data package; "" or "none":
 *			no validation (every answer insecure).
 *	unbound_config	NULL or an unbound.conf(5) file read with ub_ctx_config,
 *			as OpenDKIM's UnboundConfigFile.
 *	timeout_ms	bound on one query; 0 means DNS_DEFAULT_TIMEOUT_MS.
 */
#ifndef DMARCTLS_DNS_H
#define DMARCTLS_DNS_H

#include <stddef.h>

#define DNS_DEFAULT_TIMEOUT_MS	5000
#define DNS_MAX_TIMEOUT_MS	60000

/* RR types used by dmarctls (RFC 1035, 3596, 6698) */
#define DNS_T_A		1
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_TLSA	52

typedef enum {
	DNS_STATUS_OK = 0,	/* at least one record of the type */
	DNS_STATUS_NODATA,	/* the name exists, no record of the type */
	DNS_STATUS_NXDOMAIN,	/* the name does not exist */
	DNS_STATUS_TEMPFAIL	/* SERVFAIL, REFUSED, timeout, bogus, bad name */
} dns_status;

typedef enum {
	DNS_SEC_INSECURE = 0, DNS_SEC_SECURE, DNS_SEC_BOGUS
} dns_sec;

typedef struct dns_config {
	const char	*forwarders;
	const char	*trust_anchor;
	const char	*unbound_config;
	unsigned	timeout_ms;
} dns_config;

typedef struct dns_resolver dns_resolver;

/* A whole answer: rdata in wire form, and the raw reply for libopendkim. */
typedef struct dns_rrset {
	dns_status	status;
	dns_sec		sec;
	int		ttl;
	size_t		n;
	unsigned char	**data;		/* n rdata, wire form, uncompressed */
	size_t		*len;
	unsigned char	*packet;	/* the reply as received; may be NULL */
	size_t		packet_len;
} dns_rrset;

/* TXT answer: each RR's character-strings concatenated (RFC 7208 3.3). */
typedef struct dns_txt {
	dns_status	status;
	dns_sec		sec;
	size_t		n;
	char		**txt;		/* NUL-terminated; a record holding a NUL */
	size_t		*len;		/* byte has strlen(txt[i]) != len[i] */
} dns_txt;

typedef void (*dns_txt_fn)(void *ctx, const char *name, dns_txt *out);
typedef void (*dns_rrset_fn)(void *ctx, const char *name, int rrtype, dns_rrset *out);

dns_resolver	*dns_resolver_new(const dns_config *cfg, char *err, size_t errlen);
void		dns_resolver_free(dns_resolver *r);
void		dns_query(dns_resolver *r, const char *name, int rrtype, dns_rrset *out);
void		dns_rrset_free(dns_rrset *rs);
void		dns_lookup_txt(void *resolver, const char *name, dns_txt *out);
void		dns_lookup_rrset(void *resolver, const char *name, int rrtype, dns_rrset *out);
void		dns_txt_free(dns_txt *t);
void		dns_deadline_set(unsigned ms);
void		dns_deadline_clear(void);
int		dns_name_valid(const char *name);
const char	*dns_status_name(dns_status s);
const char	*dns_sec_name(dns_sec s);

#endif
