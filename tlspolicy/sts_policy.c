/*
 * sts_policy.c -- strict parser for the MTA-STS policy body (RFC 8461 section 3.2).
 *
 * DESCRIPTION
 *	sts-policy-record  = sts-policy-field *WSP
 *	                     *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
 *	sts-policy-term    = LF / CRLF
 *	sts-policy-field   = name ":" *WSP value
 *	version: STSv1 | mode: testing / enforce / none | max_age: 1*10DIGIT |
 *	mx: ["*."] Domain | extension: ext-name ":" *WSP ext-value
 *	sts-policy-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *	sts-policy-ext-value = vchar [*(%x20 / vchar) vchar], vchar = %x21-7E / UTF-8
 *
 *	Field names and the version/mode values are case-sensitive (%s in
 *	the ABNF). Empty lines, leading whitespace and bare CR are invalid.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "sts_policy.h"

#define STS_LABEL_MAX	63
#define STS_EXT_NAME_MAX 32
#define STS_MAX_AGE_DIGITS 10

typedef struct policy_acc {
	int		have_version, have_mode, have_max_age;
	sts_policy	*p;
	char		*why;
	size_t		whylen;
} policy_acc;

static int fail(policy_acc *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(policy_acc *a, const char *fmt, ...)
{
	va_list	ap;

	if (a->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(a->why, a->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* label_valid - one LDH label in A-label form; "xn--" must be real IDNA */
static int
label_valid(const char *s, size_t n)
{
	size_t	i;
	char	buf[STS_LABEL_MAX + 1], *u = NULL;
	int	rc;

	if (n == 0 || n > STS_LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	/* "ab--" labels are reserved (RFC 5891 section 4.2.3.1) except A-labels */
	if (n < 4 || s[2] != '-' || s[3] != '-')
		return 1;
	if ((s[0] != 'x' && s[0] != 'X') || (s[1] != 'n' && s[1] != 'N'))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	rc = idn2_to_unicode_8z8z(buf, &u, 0);
	if (rc != IDN2_OK) {
		free(u);
		return 0;
	}
	/* and the U-label must map back to this very A-label */
	{
		char	*back = NULL;

		rc = idn2_lookup_u8((const uint8_t *)u, (uint8_t **)&back, IDN2_NONTRANSITIONAL);
		free(u);
		if (rc != IDN2_OK || back == NULL) {
			free(back);
			return 0;
		}
		rc = strcasecmp(back, buf) == 0;
		free(back);
		return rc;
	}
}

int
sts_mx_pattern_valid(const char *s, size_t len)
{
	size_t	i, start, last_start = 0;
	int	all_digits;

	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > STS_HOSTNAME_MAX)
		return 0;
	for (start = i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!label_valid(s + start, i - start))
			return 0;
		last_start = start;
		start = i + 1;
	}
	/* a numeric last label: an IPv4 address, or no hostname at all */
	all_digits = 1;
	for (i = last_start; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			all_digits = 0;
	return !all_digits;
}

static char *
lower_dup(const char *s, size_t n)
{
	char	*d = malloc(n + 1);
	size_t	i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	d[n] = '\0';
	return d;
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
sts_policy_free(sts_policy *p)
{
	if (p == NULL)
		return;
	strv_free(p->mx, p->nmx);
	strv_free(p->lines, p->nlines);
	p->mx = p->lines = NULL;
	p->nmx = p->nlines = 0;
}

static int
strv_push(char ***v, size_t *n, char *s)
{
	char	**nv;

	if (s == NULL)
		return -1;
	if ((nv = realloc(*v, (*n + 1) * sizeof(char *))) == NULL) {
		free(s);
		return -1;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* utf8_seq - length of one valid UTF-8 sequence (2-4 bytes) at s, or 0 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t	need, i;
	unsigned long cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
	    || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* ext_value_valid - vchar [*(SP / vchar) vchar] */
static int
ext_value_valid(const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t	i = 0, k;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	while (i < n) {
		if (s[i] >= 0x20 && s[i] <= 0x7e) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

static int
ext_name_valid(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > STS_EXT_NAME_MAX || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && strchr("_-.", s[i]) == NULL)
			return 0;
	return 1;
}

static int
value_is(const char *v, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(v, want, n) == 0;
}

/* field - one "name: value" line, trailing WSP already removed */
static int
field(policy_acc *a, const char *name, size_t nl, const char *v, size_t vl, size_t lineno)
{
	sts_policy *p = a->p;
	size_t	i;

	if (value_is(name, nl, "version")) {
		if (a->have_version++)
			return fail(a, "line %zu: second version", lineno);
		if (!value_is(v, vl, "STSv1"))
			return fail(a, "line %zu: version is not STSv1", lineno);
	} else if (value_is(name, nl, "mode")) {
		if (a->have_mode++)
			return fail(a, "line %zu: second mode", lineno);
		if (value_is(v, vl, "enforce"))
			p->mode = STS_MODE_ENFORCE;
		else if (value_is(v, vl, "testing"))
			p->mode = STS_MODE_TESTING;
		else if (value_is(v, vl, "none"))
			p->mode = STS_MODE_NONE;
		else
			return fail(a, "line %zu: mode is not enforce, testing or none", lineno);
	} else if (value_is(name, nl, "max_age")) {
		if (a->have_max_age++)
			return fail(a, "line %zu: second max_age", lineno);
		if (vl == 0 || vl > STS_MAX_AGE_DIGITS)
			return fail(a, "line %zu: max_age is not 1-10 digits", lineno);
		p->max_age = 0;
		for (i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return fail(a, "line %zu: max_age is not a number", lineno);
			p->max_age = p->max_age * 10 + (unsigned long)(v[i] - '0');
		}
		if (p->max_age > STS_MAX_AGE_MAX)
			return fail(a, "line %zu: max_age over 31557600", lineno);
	} else if (value_is(name, nl, "mx")) {
		if (!sts_mx_pattern_valid(v, vl))
			return fail(a, "line %zu: mx is not a hostname or *.hostname", lineno);
		if (p->nmx >= STS_POLICY_MAX_MX)
			return fail(a, "line %zu: more than 100 mx patterns", lineno);
		if (strv_push(&p->mx, &p->nmx, lower_dup(v, vl)) < 0)
			return fail(a, "line %zu: out of memory", lineno);
	} else {
		if (!ext_name_valid(name, nl))
			return fail(a, "line %zu: invalid field name", lineno);
		if (!ext_value_valid(v, vl))
			return fail(a, "line %zu: invalid extension value", lineno);
	}
	return 0;
}

/* line - split one line (terminator removed) into name and value */
static int
line(policy_acc *a, const char *s, size_t n, size_t lineno)
{
	const char *colon, *v;
	size_t	nl;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return fail(a, "line %zu: empty line", lineno);
	if ((colon = memchr(s, ':', n)) == NULL)
		return fail(a, "line %zu: no \":\"", lineno);
	nl = (size_t)(colon - s);
	v = colon + 1;
	while (v < s + n && (*v == ' ' || *v == '\t'))
		v++;
	return field(a, s, nl, v, (size_t)(s + n - v), lineno);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
sort_dedup(sts_policy *p)
{
	size_t	i, k = 0;

	if (p->nmx == 0)
		return;
	qsort(p->mx, p->nmx, sizeof(char *), cmp_str);
	for (i = 1; i < p->nmx; i++) {
		if (strcmp(p->mx[i], p->mx[k]) == 0)
			free(p->mx[i]);
		else
			p->mx[++k] = p->mx[i];
	}
	p->nmx = k + 1;
}

static char *
fmt_dup(const char *key, const char *value)
{
	size_t	n = strlen(key) + strlen(value) + 3;
	char	*s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s: %s", key, value);
	return s;
}

/* make_lines - the normalised policy for policy_string: known fields only */
static int
make_lines(sts_policy *p)
{
	char	age[24];
	size_t	i;

	if (strv_push(&p->lines, &p->nlines, fmt_dup("version", "STSv1")) < 0
	    || strv_push(&p->lines, &p->nlines, fmt_dup("mode", sts_mode_name(p->mode))) < 0)
		return -1;
	for (i = 0; i < p->nmx; i++)
		if (strv_push(&p->lines, &p->nlines, fmt_dup("mx", p->mx[i])) < 0)
			return -1;
	snprintf(age, sizeof(age), "%lu", p->max_age);
	return strv_push(&p->lines, &p->nlines, fmt_dup("max_age", age));
}

int
sts_policy_parse(const char *body, size_t len, sts_policy *out, char *why, size_t whylen)
{
	policy_acc a;
	size_t	i, start = 0, lineno = 1, end;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	a.p = out;
	a.why = why;
	a.whylen = whylen;
	if (whylen > 0)
		why[0] = '\0';
	if (len == 0) {
		fail(&a, "empty policy");
		goto bad;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && body[i] == '\0') {
			fail(&a, "line %zu: NUL byte", lineno);
			goto bad;
		}
		if (i < len && body[i] == '\r' && (i + 1 >= len || body[i + 1] != '\n')) {
			fail(&a, "line %zu: CR without LF", lineno);
			goto bad;
		}
		if (i < len && body[i] != '\n')
			continue;
		if (i == len && start == len)
			break;		/* the optional final terminator */
		end = (i > start && body[i - 1] == '\r') ? i - 1 : i;
		if (line(&a, body + start, end - start, lineno) < 0)
			goto bad;
		start = i + 1;
		lineno++;
	}
	if (!a.have_version || !a.have_mode || !a.have_max_age) {
		fail(&a, !a.have_version ? "no version" : !a.have_mode ?
		    "no mode" : "no max_age");
		goto bad;
	}
	if (out->mode != STS_MODE_NONE && out->nmx == 0) {
		fail(&a, "mode enforce or testing without mx");
		goto bad;
	}
	sort_dedup(out);
	if (make_lines(out) < 0) {
		fail(&a, "out of memory");
		goto bad;
	}
	return 0;
bad:
	sts_policy_free(out);
	memset(out, 0, sizeof(*out));
	return -1;
}

int
sts_policy_copy(sts_policy *dst, const sts_policy *src)
{
	size_t	i;

	*dst = *src;
	dst->mx = dst->lines = NULL;
	dst->nmx = dst->nlines = 0;
	for (i = 0; i < src->nmx; i++)
		if (strv_push(&dst->mx, &dst->nmx, strdup(src->mx[i])) < 0)
			goto oom;
	for (i = 0; i < src->nlines; i++)
		if (strv_push(&dst->lines, &dst->nlines, strdup(src->lines[i])) < 0)
			goto oom;
	return 0;
oom:
	sts_policy_free(dst);
	return -1;
}

const char *
sts_mode_name(sts_mode m)
{
	switch (m) {
	case STS_MODE_ENFORCE:	return "enforce";
	case STS_MODE_TESTING:	return "testing";
	default:		return "none";
	}
}
