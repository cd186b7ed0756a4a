/*
 * profile.c -- write a pd_decision as a socketmap reply (see profile.h).
 */
#include <stdio.h>
#include <string.h>

#include "cfg_file.h"
#include "profile.h"

static const struct {
	const char	*name;
	pd_profile	id;
} profiles[] = {
	{ "postfix", PROFILE_POSTFIX },
	{ "postfix-tlsrpt", PROFILE_POSTFIX_TLSRPT },
	{ "sendmail", PROFILE_SENDMAIL },
	/* Sendmail's socket map sends its own name: FEATURE(sts) is "Ksts" */
	{ "sts", PROFILE_SENDMAIL },
	{ "requiretls", PROFILE_REQUIRETLS },
};

#define NPROFILES	(sizeof(profiles) / sizeof(profiles[0]))

int
profile_by_name(const char *name, size_t len, pd_profile *out)
{
	size_t	i;

	for (i = 0; i < NPROFILES; i++)
		if (strlen(profiles[i].name) == len
		    && memcmp(profiles[i].name, name, len) == 0) {
			*out = profiles[i].id;
			return 0;
		}
	return -1;
}

const char *
profile_name(pd_profile p)
{
	size_t	i;

	for (i = 0; i < NPROFILES; i++)
		if (profiles[i].id == p)
			return profiles[i].name;
	return "?";
}

/* "host.name" or "*.host.name", lower-case LDH (RFC 8461 3.2, 4.1). */
static int
pattern_ok(const char *p)
{
	size_t	i;

	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			return 0;
	return cfg_valid_hostname(p, i, 0) && p[i - 1] != '.';
}

/* A policy line fit for "{ policy_string = LINE }". */
static int
line_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '{' || *s == '}')
			return 0;
	return 1;
}

static void
temp(strbuf *out, const char *why)
{
	strbuf_reset(out);
	strbuf_printf(out, "TEMP %s", why);
}

static void
notfound(strbuf *out)
{
	strbuf_reset(out);
	strbuf_append(out, "NOTFOUND ");
}

/* "OK secure match=...:... servername=hostname"; -1 when no pattern is fit. */
static int
sts_secure(const pd_decision *d, strbuf *out)
{
	size_t	i, n = 0;

	strbuf_reset(out);
	strbuf_append(out, "OK secure match=");
	for (i = 0; i < d->nmx; i++) {
		if (!pattern_ok(d->mx[i]))
			continue;
		if (n++ > 0)
			strbuf_appendc(out, ':');
		/* Postfix's ".x" is "any subdomain of x" (OUTBOUND.md 1.4) */
		strbuf_append(out, d->mx[i][0] == '*' ? d->mx[i] + 1 : d->mx[i]);
	}
	strbuf_append(out, " servername=hostname");
	return n > 0 ? 0 : -1;
}

/* The Postfix 3.10 TLSRPT attributes (postconf.5 smtp_tls_policy_maps). */
static void
sts_tlsrpt(const pd_decision *d, const char *domain, strbuf *out)
{
	size_t	i, base;

	strbuf_printf(out, " policy_type=sts policy_domain=%s", domain);
	for (i = 0; i < d->nmx; i++)
		if (pattern_ok(d->mx[i]))
			strbuf_printf(out, " mx_host_pattern=%s", d->mx[i]);
	base = out->len;
	for (i = 0; i < d->nlines; i++)
		if (line_ok(d->lines[i]))
			strbuf_printf(out, " { policy_string = %s }", d->lines[i]);
	if (out->len > PROFILE_REPLY_MAX && !out->failed) {
		out->len = base;	/* the lines are for reports only */
		out->s[base] = '\0';
	}
}

static int
sts_reply(pd_profile p, const pd_decision *d, const char *domain, strbuf *out)
{
	int	authenticated_only = p == PROFILE_REQUIRETLS;

	if (d->sts_mode == PD_STS_ENFORCE
	    || (authenticated_only && d->sts_mode == PD_STS_TESTING)) {
		if (sts_secure(d, out) < 0)
			temp(out, "MTA-STS policy has no usable mx pattern");
		else if (p == PROFILE_POSTFIX_TLSRPT)
			sts_tlsrpt(d, domain, out);
	} else if (authenticated_only)
		return -1;
	else
		notfound(out);
	return 0;
}

/* Levels that authenticate the server (Postfix TLS_MUST_MATCH, not dane). */
static int
override_authenticates(const char *o)
{
	static const char *const levels[] = {
		"dane-only", "fingerprint", "verify", "secure",
	};
	size_t	i, n = strcspn(o, " ");

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strlen(levels[i]) == n && strncmp(o, levels[i], n) == 0)
			return 1;
	return 0;
}

int
profile_reply(pd_profile p, const pd_decision *d, const char *domain,
	      strbuf *out)
{
	char	why[PD_WHY_MAX + 64];
	int	rt = p == PROFILE_REQUIRETLS, rc = 0;

	switch (d->kind) {
	case PD_TEMP:
		temp(out, d->why);
		break;
	case PD_OVERRIDE:
		if (rt && !override_authenticates(d->override))
			rc = -1;
		else {
			strbuf_reset(out);
			strbuf_printf(out, "OK %s", d->override);
		}
		break;
	case PD_DANE_ALL:
	case PD_DANE_SOME:
		if (p == PROFILE_SENDMAIL)
			notfound(out);
		else {
			strbuf_reset(out);
			strbuf_append(out, d->kind == PD_DANE_ALL || rt
				      ? "OK dane-only" : "OK dane");
		}
		break;
	case PD_STS:
		rc = sts_reply(p, d, domain, out);
		break;
	default:
		rc = rt ? -1 : 0;
		if (!rt)
			notfound(out);
		break;
	}
	if (rc < 0) {		/* requiretls and nothing authenticated */
		snprintf(why, sizeof(why), "no authenticated TLS policy for %s", domain);
		temp(out, why);
	}
	if (out->len > PROFILE_REPLY_MAX)
		temp(out, "policy reply too large");
	return out->failed ? -1 : 0;
}

int
profile_nokey_reply(pd_profile p, const char *why, strbuf *out)
{
	char	msg[PD_WHY_MAX];

	if (p == PROFILE_REQUIRETLS) {
		snprintf(msg, sizeof(msg), "no authenticated TLS policy: %s", why);
		temp(out, msg);
	} else
		notfound(out);
	return out->failed ? -1 : 0;
}
