/*
 * spf_check.c -- SPF for MAIL FROM and HELO with libspf2 (see spf_check.h).
 *
 * DESCRIPTION
 *	Every input is hostile: the client IP must parse as an address, the
 *	sender is stripped of angle brackets and blanks and bounded in length,
 *	and a HELO that is not a plausible domain (an address literal, a bare
 *	word) is not checked (result none). libspf2 results map one to one to
 *	the RFC words; its internal "invalid" result maps to permerror, never
 *	to anything that could pass.
 */
#include "dt_build.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf_check.h"
#include "spf_dns.h"

#define SPF_ADDR_MAX	512	/* longest sender we pass on (RFC 5321 4.5.3.1.3: 256) */

struct spf_checker {
	SPF_server_t	*server;
	SPF_dns_server_t *layer;	/* ours: SPF_server_free leaves it alone */
};

spf_checker *
spf_checker_new(dns_resolver *r)
{
	spf_checker *c;
	SPF_dns_server_t *layer;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((layer = spf_dns_layer_new(r)) == NULL
	    || (c->server = SPF_server_new_dns(layer, 0)) == NULL) {
		free(layer);
		free(c);
		return NULL;
	}
	c->layer = layer;
	return c;
}

void
spf_checker_free(spf_checker *c)
{
	if (c == NULL)
		return;
	SPF_server_free(c->server);
	SPF_dns_free(c->layer);
	free(c);
}

/* spf_strip - copy an address without blanks and one pair of angle brackets */
static void
spf_strip(const char *in, char *out, size_t outlen)
{
	size_t	len, o = 0;

	while (*in && isspace((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len > 0 && isspace((unsigned char)in[len - 1]))
		len--;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>') {
		in++;
		len -= 2;
	}
	for (; len > 0 && o + 1 < outlen; in++, len--) {
		if ((unsigned char)*in > ' ' && (unsigned char)*in < 0x7f)
			out[o++] = *in;
	}
	out[o] = '\0';
}

int
spf_mailfrom_is_null(const char *mailfrom)
{
	char	buf[SPF_ADDR_MAX];

	if (mailfrom == NULL)
		return 1;
	spf_strip(mailfrom, buf, sizeof(buf));
	return buf[0] == '\0';
}

/* spf_helo_usable - a HELO name worth an SPF check: a dotted domain name */
static int
spf_helo_usable(const char *helo)
{
	size_t	len;

	if (helo == NULL || (len = strlen(helo)) == 0 || len >= SPF_DOMAIN_MAX)
		return 0;
	if (helo[0] == '[' || helo[0] == '.' || strchr(helo, '.') == NULL)
		return 0;
	return strspn(helo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == len;
}

static spf_res
spf_map(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_NEUTRAL: return SPF_RES_NEUTRAL;
	case SPF_RESULT_PASS: return SPF_RES_PASS;
	case SPF_RESULT_FAIL: return SPF_RES_FAIL;
	case SPF_RESULT_SOFTFAIL: return SPF_RES_SOFTFAIL;
	case SPF_RESULT_NONE: return SPF_RES_NONE;
	case SPF_RESULT_TEMPERROR: return SPF_RES_TEMPERROR;
	default: return SPF_RES_PERMERROR;
	}
}

/* spf_set_ip - 0 on success */
static int
spf_set_ip(SPF_request_t *req, const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return SPF_request_set_ipv4(req, a4) == SPF_E_SUCCESS ? 0 : -1;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return SPF_request_set_ipv6(req, a6) == SPF_E_SUCCESS ? 0 : -1;
	return -1;
}

/* spf_query - one identity: sender is an address (local@domain) */
static spf_res
spf_query(spf_checker *c, const char *ip, const char *helo, const char *sender)
{
	SPF_request_t *req;
	SPF_response_t *resp = NULL;
	spf_res	res = SPF_RES_PERMERROR;
	SPF_errcode_t err;

	if ((req = SPF_request_new(c->server)) == NULL)
		return SPF_RES_TEMPERROR;
	spf_dns_check_begin();
	if (spf_set_ip(req, ip) == 0
	    && (helo == NULL || SPF_request_set_helo_dom(req, helo) == SPF_E_SUCCESS)
	    && SPF_request_set_env_from(req, sender) == 0) {
		err = SPF_request_query_mailfrom(req, &resp);
		if (resp != NULL)
			res = spf_map(SPF_response_result(resp));
		/*
		 * libspf2 1.2.10 (Debian 12) leaves the result "invalid" on a
		 * temporary DNS failure; our DNS layer reports every failure as
		 * TRY_AGAIN, so a DNS error here is always a temperror.
		 */
		if (err == SPF_E_DNS_ERROR && res == SPF_RES_PERMERROR)
			res = SPF_RES_TEMPERROR;
	}
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
	return res;
}

/* spf_domain_of - the domain of an address; "" when absent or too long */
static void
spf_domain_of(const char *addr, char *out, size_t outlen)
{
	const char *at = strrchr(addr, '@'), *d = at ? at + 1 : addr;
	size_t	len = strlen(d);

	if (len >= outlen)
		len = 0;
	memcpy(out, d, len);
	out[len] = '\0';
}

/* spf_phase - one identity's budget: every query of its check ends by then */
static void
spf_phase(unsigned budget_ms)
{
	if (budget_ms)
		dns_deadline_set(budget_ms);
	else
		dns_deadline_clear();
}

/*
 * spf_check_mailfrom - the MAIL FROM identity, the only one DMARC uses
 * (RFC 9989 4.4.2). For the null sender it is postmaster@HELO (RFC 7208
 * 2.4), and that one check also gives the HELO result.
 */
static void
spf_check_mailfrom(spf_checker *c, const char *ip, const char *helo, int helo_ok,
    const char *mailfrom, spf_outcome *out)
{
	char	sender[SPF_ADDR_MAX];

	if (out->null_sender) {
		if (!helo_ok)
			return;
		snprintf(sender, sizeof(sender), "postmaster@%s", helo);
		snprintf(out->domain, sizeof(out->domain), "%s", helo);
		out->mailfrom = spf_query(c, ip, helo, sender);
		return;
	}
	spf_strip(mailfrom, sender, sizeof(sender));
	spf_domain_of(sender, out->domain, sizeof(out->domain));
	if (out->domain[0] == '\0') {
		out->mailfrom = SPF_RES_PERMERROR;	/* "user@": no domain to check */
		return;
	}
	out->mailfrom = spf_query(c, ip, helo_ok ? helo : NULL, sender);
}

void
spf_check(spf_checker *c, const char *ip, const char *helo, const char *mailfrom,
    unsigned budget_ms, spf_outcome *out)
{
	char	heloaddr[SPF_ADDR_MAX];
	int	helo_ok = spf_helo_usable(helo);

	memset(out, 0, sizeof(*out));
	out->mailfrom = out->helo = SPF_RES_NONE;
	out->null_sender = spf_mailfrom_is_null(mailfrom);
	/*
	 * MAIL FROM first, on a budget of its own: a HELO name whose servers
	 * never answer (the client chooses it) must not starve the identity
	 * DMARC depends on into a temperror.
	 */
	spf_phase(budget_ms);
	spf_check_mailfrom(c, ip, helo, helo_ok, mailfrom, out);
	if (helo_ok) {
		snprintf(out->helo_domain, sizeof(out->helo_domain), "%s", helo);
		if (out->null_sender) {
			out->helo = out->mailfrom;
		} else {
			snprintf(heloaddr, sizeof(heloaddr), "postmaster@%s", helo);
			spf_phase(budget_ms);
			out->helo = spf_query(c, ip, helo, heloaddr);
		}
	}
	dns_deadline_clear();
}
