/*
 * fake_resolver.c -- dns.h answered from a table (see fake_resolver.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_resolver.h"
#include "strbuf.h"

typedef struct fake_record {
	char		name[256];
	int		type;
	dns_status	status;
	dns_sec		sec;
	unsigned char	data[1024];
	size_t		len;
} fake_record;

static fake_record fake_table[FAKE_RESOLVER_MAX];
static size_t fake_n;
static int fake_resolver_token;		/* what dns_resolver_new hands out */

/* fake_type - TXT, A, AAAA, MX or a number; -1 if neither */
static int
fake_type(const char *t)
{
	char	*end;
	long	n;

	if (strcasecmp(t, "TXT") == 0) return DNS_T_TXT;
	if (strcasecmp(t, "A") == 0) return DNS_T_A;
	if (strcasecmp(t, "AAAA") == 0) return DNS_T_AAAA;
	if (strcasecmp(t, "MX") == 0) return DNS_T_MX;
	n = strtol(t, &end, 10);
	return (*t && *end == '\0' && n > 0 && n < 65536) ? (int)n : -1;
}

static int
fake_status(const char *s, fake_record *r)
{
	static const struct { const char *w; dns_status st; dns_sec sec; } words[] = {
		{ "ok", DNS_STATUS_OK, DNS_SEC_INSECURE },
		{ "secure", DNS_STATUS_OK, DNS_SEC_SECURE },
		{ "nodata", DNS_STATUS_NODATA, DNS_SEC_INSECURE },
		{ "nx", DNS_STATUS_NXDOMAIN, DNS_SEC_INSECURE },
		{ "fail", DNS_STATUS_TEMPFAIL, DNS_SEC_INSECURE },
		{ "bogus", DNS_STATUS_TEMPFAIL, DNS_SEC_BOGUS },
	};
	size_t	i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i].w) == 0) {
			r->status = words[i].st;
			r->sec = words[i].sec;
			return 0;
		}
	return -1;
}

/* fake_rdata - DATA in wire form for the record's type; -1 if it does not fit */
static int
fake_rdata(fake_record *r, const char *d, size_t dlen)
{
	size_t	i, chunk;

	switch (r->type) {
	case DNS_T_A:
		r->len = 4;
		return inet_pton(AF_INET, d, r->data) == 1 ? 0 : -1;
	case DNS_T_AAAA:
		r->len = 16;
		return inet_pton(AF_INET6, d, r->data) == 1 ? 0 : -1;
	case DNS_T_TXT:
		for (i = 0, r->len = 0; i < dlen || r->len == 0; i += chunk) {
			chunk = dlen - i > 255 ? 255 : dlen - i;
			if (r->len + 1 + chunk > sizeof(r->data))
				return -1;
			r->data[r->len++] = (unsigned char)chunk;
			memcpy(r->data + r->len, d + i, chunk);
			r->len += chunk;
			if (chunk == 0)
				break;
		}
		return 0;
	default:
		if (dlen > sizeof(r->data))
			return -1;
		memcpy(r->data, d, dlen);
		r->len = dlen;
		return 0;
	}
}

/* fake_mx - "PREF HOST" as MX rdata (RFC 1035 3.3.9), host in wire form */
static int
fake_mx(fake_record *r, const char *d)
{
	unsigned pref;
	char	host[256], *p, *dot;
	size_t	pos = 2, l;

	if (sscanf(d, "%u %255s", &pref, host) != 2 || pref > 65535)
		return -1;
	r->data[0] = (unsigned char)(pref >> 8);
	r->data[1] = (unsigned char)pref;
	for (p = host; *p; p = dot ? dot + 1 : p + l) {
		l = (dot = strchr(p, '.')) ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || pos + l + 2 > sizeof(r->data))
			return -1;
		r->data[pos++] = (unsigned char)l;
		memcpy(r->data + pos, p, l);
		pos += l;
		if (!dot)
			break;
	}
	r->data[pos++] = 0;
	r->len = pos;
	return 0;
}

/* fake_line - one table line; ignored when it does not parse */
static void
fake_line(const char *line, size_t len)
{
	char	buf[1400], name[256], type[16], status[16];
	fake_record *r;
	int	off = 0;
	size_t	l;

	if (fake_n >= FAKE_RESOLVER_MAX || len >= sizeof(buf))
		return;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (sscanf(buf, "%255s %15s %15s %n", name, type, status, &off) != 3 || off == 0)
		return;
	r = &fake_table[fake_n];
	memset(r, 0, sizeof(*r));
	l = strlen(name);
	if (l > 1 && name[l - 1] == '.')
		name[l - 1] = '\0';
	snprintf(r->name, sizeof(r->name), "%s", name);
	if ((r->type = fake_type(type)) < 0 || fake_status(status, r) < 0)
		return;
	if (r->status == DNS_STATUS_OK && (r->type == DNS_T_MX ? fake_mx(r, buf + off)
	    : fake_rdata(r, buf + off, len - (size_t)off)) < 0)
		return;
	fake_n++;
}

void
fake_resolver_load(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	fake_resolver_clear();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		fake_line(p, (size_t)((nl ? nl : end) - p));
		p = nl ? nl + 1 : end;
	}
}

void
fake_resolver_clear(void)
{
	fake_n = 0;
}

dns_resolver *
dns_resolver_new(const dns_config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	(void)err;
	(void)errlen;
	return (dns_resolver *)&fake_resolver_token;
}

void
dns_resolver_free(dns_resolver *r)
{
	(void)r;
}

/* fake_name_eq - names equal without case and without a final dot */
static int
fake_name_eq(const char *table, const char *q)
{
	size_t	l = strlen(q);

	if (l > 1 && q[l - 1] == '.')
		l--;
	return strlen(table) == l && strncasecmp(table, q, l) == 0;
}

/* dns_name_valid - the rule of dns.h: 1..253 octets, labels 1..63, printable ASCII */
int
dns_name_valid(const char *name)
{
	size_t	len = strlen(name), i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] >= 0x7f
		    || ++label > 63) {
			return 0;
		}
	}
	return label > 0;
}

void
dns_query(dns_resolver *r, const char *name, int rrtype, dns_rrset *out)
{
	size_t	i, n = 0;
	int	named = 0;

	(void)r;
	memset(out, 0, sizeof(*out));
	out->status = DNS_STATUS_NXDOMAIN;
	out->ttl = 300;
	if (!dns_name_valid(name))
		return;			/* dns.c sends no query for it either */
	for (i = 0; i < fake_n; i++) {
		const fake_record *f = &fake_table[i];

		if (!fake_name_eq(f->name, name))
			continue;
		named = 1;
		if (f->type != rrtype)
			continue;
		out->status = f->status;
		out->sec = f->sec;
		if (f->status != DNS_STATUS_OK)
			return;
		out->data = realloc(out->data, (n + 1) * sizeof(*out->data));
		out->len = realloc(out->len, (n + 1) * sizeof(*out->len));
		if (out->data == NULL || out->len == NULL || (out->data[n] = malloc(f->len + 1)) == NULL)
			abort();
		memcpy(out->data[n], f->data, f->len);
		out->len[n++] = f->len;
		out->n = n;
	}
	if (named && n == 0 && out->status == DNS_STATUS_NXDOMAIN)
		out->status = DNS_STATUS_NODATA;
}

void
dns_lookup_rrset(void *resolver, const char *name, int rrtype, dns_rrset *out)
{
	dns_query(resolver, name, rrtype, out);
}

void
dns_rrset_free(dns_rrset *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		free(rs->data[i]);
	free(rs->data);
	free(rs->len);
	free(rs->packet);
	memset(rs, 0, sizeof(*rs));
}

/* dns_lookup_txt - each RR's character-strings joined (RFC 7208 3.3) */
void
dns_lookup_txt(void *resolver, const char *name, dns_txt *out)
{
	dns_rrset rs;
	size_t	i, pos;

	memset(out, 0, sizeof(*out));
	dns_query(resolver, name, DNS_T_TXT, &rs);
	out->status = rs.status;
	out->sec = rs.sec;
	if (rs.n > 0) {
		out->txt = calloc(rs.n, sizeof(char *));
		out->len = calloc(rs.n, sizeof(size_t));
		if (out->txt == NULL || out->len == NULL)
			abort();
	}
	for (i = 0; i < rs.n; i++) {
		strbuf	sb = STRBUF_INIT;

		for (pos = 0; pos < rs.len[i]; pos += 1 + rs.data[i][pos])
			strbuf_appendn(&sb, (const char *)rs.data[i] + pos + 1,
			    pos + 1 + rs.data[i][pos] <= rs.len[i] ? rs.data[i][pos] : 0);
		out->txt[i] = sb.s ? sb.s : strdup("");
		out->len[i] = sb.len;
		if (out->txt[i] == NULL)
			abort();
	}
	out->n = rs.n;
	dns_rrset_free(&rs);
}

void
dns_txt_free(dns_txt *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->txt[i]);
	free(t->txt);
	free(t->len);
	memset(t, 0, sizeof(*t));
}

void
dns_deadline_set(unsigned ms)
{
	(void)ms;
}

void
dns_deadline_clear(void)
{
}

const char *
dns_status_name(dns_status s)
{
	static const char *const names[] = { "ok", "nodata", "nxdomain", "tempfail" };

	return (unsigned)s < 4 ? names[s] : "unknown";
}

const char *
dns_sec_name(dns_sec s)
{
	static const char *const names[] = { "insecure", "secure", "bogus" };

	return (unsigned)s < 3 ? names[s] : "unknown";
}
