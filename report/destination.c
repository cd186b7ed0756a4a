/*
 * destination.c -- parse rua lists, verify external destinations (see destination.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "destination.h"
#include "dmarc_record.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One URI [s, e) to a destination; -1 when it is not one we can use. */
static int
parse_mailto(const char *s, const char *e, report_dest *d)
{
	char	buf[REPORT_ADDR_MAX + 1], *at;
	const char *bang, *q;
	size_t	n = 0, i;
	int	hi, lo;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if ((size_t)(e - s) < 7 || strncasecmp(s, "mailto:", 7) != 0)
		return -1;
	s += 7;
	/* "?hfields" and the obsolete "!size" are not part of the address */
	if ((q = memchr(s, '?', (size_t)(e - s))) != NULL)
		e = q;
	if ((bang = memchr(s, '!', (size_t)(e - s))) != NULL)
		e = bang;
	for (; s < e; s++) {
		int	c = (unsigned char)*s;

		if (c == '%') {
			if (e - s < 3 || (hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0)
				return -1;
			c = hi << 4 | lo;
			s += 2;
		}
		if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL || n == REPORT_ADDR_MAX)
			return -1;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if ((at = strrchr(buf, '@')) == NULL || at == buf || strchr(buf, '@') != at)
		return -1;
	for (i = 0; at[1 + i]; i++)
		at[1 + i] = (char)tolower((unsigned char)at[1 + i]);
	if (!dmarc_domain_valid(at + 1) || strlen(at + 1) > DMARC_NAME_MAX)
		return -1;
	memcpy(d->addr, buf, n + 1);
	memcpy(d->host, at + 1, strlen(at + 1) + 1);
	return 0;
}

size_t
report_dest_parse(const char *rua, size_t max, report_dest *out, size_t *ignored)
{
	const char *s = rua, *e;
	size_t	n = 0, k;

	*ignored = 0;
	while (*s) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		if (e > s) {
			report_dest d;
			int	dup = 0;

			if (n == max || parse_mailto(s, e, &d) < 0) {
				(*ignored)++;
			} else {
				for (k = 0; k < n; k++)
					dup |= strcasecmp(out[k].addr, d.addr) == 0;
				if (!dup)
					out[n++] = d;
			}
		}
		s = *e ? e + 1 : e;
	}
	return n;
}

static dmarc_disc_status
org_of(const dest_checker *c, const char *domain, char *org, size_t size)
{
	dmarc_discovery disc;
	dmarc_disc_status st;

	if (dmarc_discovery_init(&disc, c->mode, c->psl, c->lookup, c->lookup_ctx) < 0)
		return DMARC_DISC_TEMPFAIL;
	st = dmarc_org_domain(&disc, domain, org, size);
	dmarc_discovery_free(&disc);
	return st;
}

/* The authorising record's own rua (ruf for failure reports), if any:
 * same host, or refuse. */
static dest_verdict
apply_override(const char *txt, size_t len, int ruf, report_dest *d, char *why, size_t size)
{
	dmarc_record rec;
	report_dest alt;
	dest_verdict v = DEST_OK;
	size_t	i, n;
	char	**uri;

	memset(&rec, 0, sizeof(rec));
	(void)dmarc_record_parse(txt, len, DMARC_MODE_RFC9989, &rec);
	n = ruf ? rec.nruf_kept : rec.nrua_kept;
	uri = ruf ? rec.ruf : rec.rua;
	if (n > 0) {
		v = DEST_REFUSED;
		for (i = 0; i < n; i++) {
			if (parse_mailto(uri[i], uri[i] + strlen(uri[i]), &alt) == 0
			    && strcasecmp(alt.host, d->host) == 0) {
				*d = alt;
				v = DEST_OK;
				break;
			}
		}
		if (v == DEST_REFUSED)
			snprintf(why, size, "the authorising record's %s leaves host %s",
			    ruf ? "ruf" : "rua", d->host);
	}
	dmarc_record_free(&rec);
	return v;
}

dest_verdict
report_dest_verify(const dest_checker *c, const char *policy_domain, report_dest *d,
    char *why, size_t size)
{
	char	org_p[DMARC_NAME_MAX + 1], org_d[DMARC_NAME_MAX + 1], name[600];
	dns_txt	t;
	dest_verdict v = DEST_REFUSED;
	size_t	i;

	if (org_of(c, policy_domain, org_p, sizeof(org_p)) != DMARC_DISC_FOUND
	    || org_of(c, d->host, org_d, sizeof(org_d)) != DMARC_DISC_FOUND) {
		snprintf(why, size, "organizational domain lookup failed (temporary)");
		return DEST_DEFER;
	}
	if (strcasecmp(org_p, org_d) == 0) {
		snprintf(why, size, "same organizational domain %s", org_p);
		return DEST_OK;
	}
	if ((size_t)snprintf(name, sizeof(name), "%s._report._dmarc.%s", policy_domain,
	    d->host) > DMARC_NAME_MAX) {
		snprintf(why, size, "authorisation name too long");
		return DEST_REFUSED;
	}
	memset(&t, 0, sizeof(t));
	c->lookup(c->lookup_ctx, name, &t);
	if (t.status == DNS_STATUS_TEMPFAIL) {
		snprintf(why, size, "%s: temporary DNS failure", name);
		v = DEST_DEFER;
	} else {
		snprintf(why, size, "%s: no v=DMARC1 record", name);
		for (i = 0; i < t.n; i++) {
			if (strlen(t.txt[i]) == t.len[i] && dmarc_record_is_dmarc(t.txt[i], t.len[i])) {
				snprintf(why, size, "authorised by %s", name);
				v = apply_override(t.txt[i], t.len[i], c->ruf, d, why, size);
				break;
			}
		}
	}
	dns_txt_free(&t);
	return v;
}
