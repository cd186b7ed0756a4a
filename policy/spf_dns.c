/*
 * spf_dns.c -- the libspf2 DNS layer of spf_dns.h.
 *
 * DESCRIPTION
 *	libspf2 wants an SPF_dns_rr_t per question: A/AAAA rdata as binary
 *	addresses, MX/PTR names as text, TXT character-strings joined into
 *	one string per record. Anything malformed in an answer is dropped
 *	record by record; a record is never passed on half-parsed.
 */
#include "dt_build.h"

#include <netdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf_dns.h"
#include "strbuf.h"

#define SPF_DNS_NAME_MAX	256
#define SPF_DNS_PTR_NAMES	10	/* RFC 7208 4.6.4: at most 10 PTR names are tried */

/* the names PTR answers gave in this thread's current check */
static _Thread_local char spf_ptr_names[SPF_DNS_PTR_NAMES][SPF_DNS_NAME_MAX];
static _Thread_local int spf_nptr;

void
spf_dns_check_begin(void)
{
	spf_nptr = 0;
}

/* spf_dns_from_ptr - did a PTR answer of this check name this host? */
static int
spf_dns_from_ptr(const char *domain)
{
	int	i;

	for (i = 0; i < spf_nptr; i++)
		if (strcasecmp(spf_ptr_names[i], domain) == 0)
			return 1;
	return 0;
}

/*
 * spf_dns_client_zone - the lookup asks the client's own DNS: a PTR, or
 * the A/AAAA of a name a PTR gave. Its failure is "no match" (RFC 7208
 * 5.5), never a temperror the client could cause at will.
 */
static int
spf_dns_client_zone(const char *domain, ns_type type)
{
	return type == ns_t_ptr
	    || ((type == ns_t_a || type == ns_t_aaaa) && spf_dns_from_ptr(domain));
}

/* spf_dns_wire_name - a wire-form, uncompressed name to text; -1 if unsafe */
static int
spf_dns_wire_name(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t	pos = 0, o = 0;

	while (pos < len) {
		size_t	l = p[pos++], i;

		if (l == 0)
			break;
		if (l > 63 || l > len - pos || o + l + 2 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (i = 0; i < l; i++) {
			unsigned char c = p[pos + i];

			if (c <= ' ' || c >= 0x7f || c == '.' || c == '\\')
				return -1;
			out[o++] = (char)c;
		}
		pos += l;
	}
	if (o == 0)
		return -1;	/* the root: no usable host name */
	out[o] = '\0';
	return 0;
}

/* spf_dns_txt - join one TXT rdata's character-strings; -1 if malformed */
static int
spf_dns_txt(const unsigned char *rd, size_t len, strbuf *sb)
{
	size_t	pos = 0;

	while (pos < len) {
		size_t	l = rd[pos++];

		if (l > len - pos || memchr(rd + pos, '\0', l) != NULL)
			return -1;
		strbuf_appendn(sb, (const char *)rd + pos, l);
		pos += l;
	}
	strbuf_append(sb, "");
	return sb->failed ? -1 : 0;
}

/* spf_dns_add - append one record of rs to the libspf2 answer */
static int
spf_dns_add(SPF_dns_rr_t *spfrr, int cnt, ns_type type, const unsigned char *rd, size_t len)
{
	char	name[SPF_DNS_NAME_MAX];
	strbuf	sb = STRBUF_INIT;
	const void *src = rd;
	size_t	n = len;

	switch (type) {
	case ns_t_a:
		if (len != sizeof(struct in_addr))
			return 0;
		break;
	case ns_t_aaaa:
		if (len != sizeof(struct in6_addr))
			return 0;
		break;
	case ns_t_mx:
		if (len < 3 || spf_dns_wire_name(rd + 2, len - 2, name, sizeof(name)) < 0)
			return 0;
		src = name;
		n = strlen(name) + 1;
		break;
	case ns_t_ptr:
		if (spf_dns_wire_name(rd, len, name, sizeof(name)) < 0)
			return 0;
		src = name;
		n = strlen(name) + 1;
		break;
	case ns_t_txt:
		if (spf_dns_txt(rd, len, &sb) < 0) {
			strbuf_free(&sb);
			return 0;
		}
		src = sb.s;
		n = sb.len + 1;
		break;
	default:
		return 0;
	}
	if (SPF_dns_rr_buf_realloc(spfrr, cnt, n) != SPF_E_SUCCESS) {
		strbuf_free(&sb);
		return -1;
	}
	memcpy(spfrr->rr[cnt], src, n);
	strbuf_free(&sb);
	return 1;
}

static SPF_dns_rr_t *
spf_dns_lookup(SPF_dns_server_t *layer, const char *domain, ns_type type, int should_cache)
{
	dns_rrset rs;
	SPF_dns_rr_t *spfrr;
	int	herr, cnt = 0, r;
	size_t	i;

	dns_query(layer->hook, domain, (int)type, &rs);
	switch (rs.status) {
	case DNS_STATUS_OK: herr = NETDB_SUCCESS; break;
	case DNS_STATUS_NODATA: herr = NO_DATA; break;
	case DNS_STATUS_NXDOMAIN: herr = HOST_NOT_FOUND; break;
	default:
		herr = spf_dns_client_zone(domain, type) ? HOST_NOT_FOUND : TRY_AGAIN;
		break;
	}
	spfrr = SPF_dns_rr_new_init(layer, domain, type, rs.ttl, herr);
	if (spfrr == NULL) {
		dns_rrset_free(&rs);
		return NULL;
	}
	for (i = 0; i < rs.n; i++) {
		if ((r = spf_dns_add(spfrr, cnt, type, rs.data[i], rs.len[i])) < 0) {
			spfrr->herrno = TRY_AGAIN;	/* out of memory: never a silent none */
			break;
		}
		cnt += r;
		if (r > 0 && type == ns_t_ptr && spf_nptr < SPF_DNS_PTR_NAMES)
			snprintf(spf_ptr_names[spf_nptr++], SPF_DNS_NAME_MAX, "%s",
			    (const char *)spfrr->rr[cnt - 1]);
	}
	spfrr->num_rr = cnt;
	if (cnt == 0 && spfrr->herrno == NETDB_SUCCESS)
		spfrr->herrno = NO_DATA;
	dns_rrset_free(&rs);
	return spfrr;
}

static void
spf_dns_destroy(SPF_dns_server_t *layer)
{
	free(layer);
}

SPF_dns_server_t *
spf_dns_layer_new(dns_resolver *r)
{
	SPF_dns_server_t *layer;

	if ((layer = calloc(1, sizeof(*layer))) == NULL)
		return NULL;
	layer->destroy = spf_dns_destroy;
	layer->lookup = spf_dns_lookup;
	layer->name = "dmarctls";
	layer->hook = r;
	return layer;
}
