/*
 * test_authres.c -- RFC 8601 Authentication-Results: builder and parser.
 *
 * One test per rule. Builder tests compare exact header text; parser
 * tests compare every field; the authserv-id tests are the forged-header
 * cases of RFC 8601 section 5 (OpenDMARC CVE-2019-16378 class).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "authres_parse.h"

/* ---------------------------------------------------------------- helpers */

static char *
render_free(authres *ar, int crlf)
{
	char	*s;

	assert_non_null(ar);
	s = authres_render(ar, crlf);
	assert_non_null(s);
	authres_free(ar);
	return s;
}

static void
assert_render(authres *ar, const char *want)
{
	char	*got = render_free(ar, 0);

	assert_string_equal(got, want);
	free(got);
}

/* Longest line of s, the first line counted after the field name. */
static size_t
longest_line(const char *s, const char *eol)
{
	size_t	max = 0, col = AUTHRES_FIELD_NAME_LEN, eollen = strlen(eol);

	while (*s) {
		if (strncmp(s, eol, eollen) == 0) {
			if (col > max)
				max = col;
			col = 0;
			s += eollen;
			assert_int_equal(*s, '\t');	/* folded, never a new field */
			continue;
		}
		assert_true(*s != '\r' && *s != '\n');
		col++;
		s++;
	}
	return col > max ? col : max;
}

static authres_parsed *
parse_ok(const char *v)
{
	authres_parsed *p = malloc(sizeof(*p));
	char	err[128];

	assert_non_null(p);
	if (authres_parse(v, strlen(v), p, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s: [%s]", err, v);
	return p;
}

static void
parsed_free(authres_parsed *p)
{
	authres_parsed_free(p);
	free(p);
}

static void
assert_parse_fails(const char *v)
{
	authres_parsed p;
	char	err[128];

	if (authres_parse(v, strlen(v), &p, err, sizeof(err)) == 0) {
		authres_parsed_free(&p);
		fail_msg("parse succeeded on [%s]", v);
	}
	assert_true(err[0] != '\0');
	assert_null(p.authserv_id);
	assert_int_equal(p.nresults, 0);
}

static void
assert_prop(const authres_result *r, size_t i, const char *ptype,
    const char *property, const char *value)
{
	assert_true(i < r->nprops);
	assert_string_equal(r->props[i].ptype, ptype);
	assert_string_equal(r->props[i].property, property);
	assert_string_equal(r->props[i].value, value);
}

static void
assert_id(const char *header, const char *want)
{
	char	*id = authres_authserv_id(header, strlen(header));

	if (want == NULL) {
		assert_null(id);
		return;
	}
	assert_non_null(id);
	assert_string_equal(id, want);
	free(id);
}

static char *
repeat(const char *unit, size_t n, const char *pre, const char *post)
{
	size_t	ul = strlen(unit), pl = strlen(pre), sl = strlen(post), i;
	char	*s = malloc(pl + ul * n + sl + 1), *p = s;

	assert_non_null(s);
	memcpy(p, pre, pl);
	p += pl;
	for (i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, post, sl + 1);
	return s;
}

/* --------------------------------------------------------------- builder */

static void
test_build_spf_pass_fits_one_line(void **state)
{
	authres	*ar = authres_new("mx.example.org");

	assert_int_equal(authres_method(ar, "spf", "pass"), 0);
	assert_int_equal(authres_prop(ar, "smtp", "mailfrom", "example.com"), 0);
	assert_render(ar, "mx.example.org; spf=pass smtp.mailfrom=example.com");
}

static void
test_build_no_results_is_none(void **state)
{
	assert_render(authres_new("mx.example.org"), "mx.example.org; none");
}

static void
test_build_typical_folds_one_result_per_line(void **state)
{
	authres	*ar = authres_new("mx.example.org");

	authres_method(ar, "spf", "pass");
	authres_prop(ar, "smtp", "mailfrom", "example.com");
	authres_method(ar, "dkim", "pass");
	authres_prop(ar, "header", "d", "example.com");
	authres_prop(ar, "header", "s", "sel1");
	authres_prop(ar, "header", "a", "rsa-sha256");
	authres_prop(ar, "header", "b", "AbC/+9=x");
	authres_method(ar, "dmarc", "fail");
	authres_comment(ar, "p=reject sp=none dis=reject");
	authres_prop(ar, "header", "from", "example.com");
	authres_prop(ar, "policy", "dmarc", "reject");
	assert_render(ar,
	    "mx.example.org;\n"
	    "\tspf=pass smtp.mailfrom=example.com;\n"
	    "\tdkim=pass header.d=example.com header.s=sel1 header.a=rsa-sha256\n"
	    "\theader.b=\"AbC/+9=x\";\n"
	    "\tdmarc=fail (p=reject sp=none dis=reject) header.from=example.com\n"
	    "\tpolicy.dmarc=reject");
}

static void
test_build_crlf_flag_folds_with_crlf_tab(void **state)
{
	authres	*ar = authres_new("mx.example.org");
	char	*s;

	authres_method(ar, "spf", "softfail");
	authres_prop(ar, "smtp", "mailfrom", "a-rather-long-subdomain.example.com");
	authres_method(ar, "dmarc", "none");
	authres_prop(ar, "header", "from", "example.com");
	s = render_free(ar, 1);
	assert_string_equal(s, "mx.example.org;\r\n"
	    "\tspf=softfail smtp.mailfrom=a-rather-long-subdomain.example.com;\r\n"
	    "\tdmarc=none header.from=example.com");
	free(s);
}

static void
test_build_ipv6_helo_is_quoted(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "spf", "none");
	assert_int_equal(authres_prop(ar, "smtp", "helo", "2001:db8::1"), 0);
	assert_render(ar, "mx; spf=none smtp.helo=\"2001:db8::1\"");
}

static void
test_build_base64_header_b_is_quoted(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "dkim", "pass");
	authres_prop(ar, "header", "b", "a+b/c=");
	authres_prop(ar, "header", "b", "plainB64");
	assert_render(ar, "mx; dkim=pass header.b=\"a+b/c=\" header.b=plainB64");
}

static void
test_build_local_at_domain_is_bare(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "dkim", "pass");
	authres_prop(ar, "header", "i", "@example.com");
	authres_method(ar, "spf", "pass");
	authres_prop(ar, "smtp", "mailfrom", "user+tag@example.com");
	assert_render(ar, "mx;\n\tdkim=pass header.i=@example.com;\n"
	    "\tspf=pass smtp.mailfrom=user+tag@example.com");
}

static void
test_build_invalid_local_at_domain_is_quoted(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "spf", "fail");
	authres_prop(ar, "smtp", "mailfrom", "a..b@example.com");
	authres_prop(ar, "smtp", "mailfrom", "a@b@example.com");
	authres_prop(ar, "smtp", "mailfrom", "user@");
	assert_render(ar, "mx;\n"
	    "\tspf=fail smtp.mailfrom=\"a..b@example.com\" smtp.mailfrom=\"a@b@example.com\"\n"
	    "\tsmtp.mailfrom=\"user@\"");
}

static void
test_build_quotes_and_backslashes_are_escaped(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "dkim", "neutral");
	assert_int_equal(authres_prop(ar, "header", "s", "a \"b\" \\c"), 0);
	assert_render(ar, "mx; dkim=neutral header.s=\"a \\\"b\\\" \\\\c\"");
}

static void
test_build_empty_value_is_empty_quoted_string(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "spf", "none");
	authres_prop(ar, "smtp", "mailfrom", "");
	assert_render(ar, "mx; spf=none smtp.mailfrom=\"\"");
}

static void
test_build_authserv_id_quoted_when_not_token(void **state)
{
	assert_render(authres_new("mx \"1\""), "\"mx \\\"1\\\"\"; none");
}

static void
test_build_comment_escapes_parens_and_backslashes(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "dmarc", "fail");
	assert_int_equal(authres_comment(ar, "a(b)c\\d) x"), 0);
	assert_render(ar, "mx; dmarc=fail (a\\(b\\)c\\\\d\\) x)");
}

static void
test_build_reason_quoted_and_placed_after_method(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "spf", "temperror");
	authres_prop(ar, "smtp", "mailfrom", "example.com");
	assert_int_equal(authres_reason(ar, "DNS timeout"), 0);
	assert_int_equal(authres_reason(ar, "again"), -1);
	assert_render(ar, "mx;\n\tspf=temperror reason=\"DNS timeout\" "
	    "smtp.mailfrom=example.com");
}

static void
test_build_method_version_and_x_method(void **state)
{
	authres	*ar = authres_new("mx");

	assert_int_equal(authres_method(ar, "dkim/1", "pass"), 0);
	assert_int_equal(authres_method(ar, "x-tls", "pass"), 0);
	authres_prop(ar, "smtp", "version", "TLSv1.3");
	assert_render(ar, "mx; dkim/1=pass; x-tls=pass smtp.version=TLSv1.3");
}

static void
test_build_rejects_cr_lf_and_controls(void **state)
{
	static const char *const bad[] = {
		"a\rb", "a\nb", "a\r\n b", "\x01", "a\x7f", "x\x1b[0m",
	};
	authres	*ar = authres_new("mx");
	size_t	i;

	assert_int_equal(authres_method(ar, "dmarc", "fail"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(authres_new(bad[i]));
		assert_int_equal(authres_prop(ar, "header", "from", bad[i]), -1);
		assert_int_equal(authres_reason(ar, bad[i]), -1);
		assert_int_equal(authres_comment(ar, bad[i]), -1);
	}
	/* The header is untouched by the failed calls. */
	assert_render(ar, "mx; dmarc=fail");
}

static void
test_build_rejects_empty_or_null_authserv_id(void **state)
{
	/* An embedded NUL cannot reach us: it ends the C string here. */
	assert_null(authres_new(""));
	assert_null(authres_new(NULL));
}

static void
test_build_tab_in_value_is_quoted(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "spf", "pass");
	authres_prop(ar, "smtp", "helo", "a\tb");
	assert_render(ar, "mx; spf=pass smtp.helo=\"a\tb\"");
}

/* Header text stays ASCII: 8-bit words in comments become RFC 2047
 * encoded-words (section 5(2)), 8-bit values and reasons are refused. */
static void
test_build_non_ascii_comment_is_rfc2047_encoded(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "x-tls", "pass");
	assert_int_equal(authres_comment(ar, "cert J\xc3\xbcrgen M\xc3\xbcller, CA"), 0);
	assert_render(ar, "mx;\n\tx-tls=pass (cert =?utf-8?q?J=C3=BCrgen_M=C3=BCller=2C?= CA)");
}

static void
test_build_non_utf8_comment_is_unknown_8bit(void **state)
{
	authres	*ar = authres_new("mx");

	authres_method(ar, "x-tls", "pass");
	assert_int_equal(authres_comment(ar, "issuer Caf\xe9 (CA)"), 0);
	assert_render(ar, "mx;\n\tx-tls=pass (issuer =?unknown-8bit?q?Caf=E9?= \\(CA\\))");
}

static void
test_build_long_non_ascii_comment_splits_encoded_words(void **state)
{
	authres	*ar = authres_new("mx");
	char	in[120], *out, *w;
	size_t	i, n = 0;

	for (i = 0; i + 2 < 100; i += 2) {	/* 49 x U+00E9: one word */
		in[i] = '\xc3';
		in[i + 1] = '\xa9';
	}
	in[i] = '\0';
	authres_method(ar, "x-tls", "pass");
	assert_int_equal(authres_comment(ar, in), 0);
	out = authres_render(ar, 0);
	assert_non_null(out);
	for (i = 0; out[i]; i++)
		assert_true((unsigned char)out[i] < 0x80);
	/* every encoded-word at most 75 characters, none splits a character */
	for (w = strstr(out, "=?utf-8?q?"); w; w = strstr(w + 1, "=?utf-8?q?")) {
		char	*end = strstr(w + 10, "?=");

		assert_non_null(end);
		assert_true(end + 2 - w <= 75);
		assert_int_equal((end - (w + 10)) % 6, 0);	/* whole "=C3=A9" pairs */
		n++;
	}
	assert_true(n >= 2);
	free(out);
	authres_free(ar);
}

static void
test_build_non_ascii_value_or_reason_is_refused(void **state)
{
	authres	*ar = authres_new("mx");

	assert_null(authres_new("mx.\xc3\xa9.example"));
	authres_method(ar, "x-tls", "pass");
	assert_int_equal(authres_prop(ar, "smtp", "cipher", "AES\xc3\xa9"), -1);
	assert_int_equal(authres_reason(ar, "caf\xc3\xa9"), -1);
	assert_render(ar, "mx; x-tls=pass");
}

static void
test_build_rejects_bad_keywords(void **state)
{
	authres	*ar = authres_new("mx");

	assert_int_equal(authres_method(ar, "sp f", "pass"), -1);
	assert_int_equal(authres_method(ar, "spf;", "pass"), -1);
	assert_int_equal(authres_method(ar, "spf", "pass;x=y"), -1);
	assert_int_equal(authres_method(ar, "spf", ""), -1);
	assert_int_equal(authres_method(ar, "dkim/", "pass"), -1);
	assert_int_equal(authres_method(ar, "dkim/1a", "pass"), -1);
	assert_int_equal(authres_method(ar, NULL, "pass"), -1);
	assert_int_equal(authres_method(ar, "spf", "pass"), 0);
	assert_int_equal(authres_prop(ar, "x-tls", "version", "1"), -1);
	assert_int_equal(authres_prop(ar, "", "version", "1"), -1);
	assert_int_equal(authres_prop(ar, "smtp", "mail from", "a"), -1);
	assert_int_equal(authres_prop(ar, "smtp", "mailfrom=x", "a"), -1);
	assert_int_equal(authres_prop(ar, "smtp", "mailfrom", NULL), -1);
	assert_render(ar, "mx; spf=pass");
}

static void
test_build_registered_ptypes_only(void **state)
{
	assert_true(authres_ptype_registered("smtp"));
	assert_true(authres_ptype_registered("header"));
	assert_true(authres_ptype_registered("body"));
	assert_true(authres_ptype_registered("policy"));
	assert_true(authres_ptype_registered("dns"));
	assert_true(authres_ptype_registered("SMTP"));
	assert_false(authres_ptype_registered("x-tls"));
	assert_false(authres_ptype_registered(""));
	assert_false(authres_ptype_registered(NULL));
}

static void
test_build_needs_a_method_first(void **state)
{
	authres	*ar = authres_new("mx");

	assert_int_equal(authres_reason(ar, "r"), -1);
	assert_int_equal(authres_comment(ar, "c"), -1);
	assert_int_equal(authres_prop(ar, "smtp", "mailfrom", "a"), -1);
	assert_render(ar, "mx; none");
}

static void
test_build_limits(void **state)
{
	authres	*ar = authres_new("mx");
	char	*v400 = repeat("a", AUTHRES_MAX_VALUE, "", "");
	char	*v401 = repeat("a", AUTHRES_MAX_VALUE + 1, "", "");
	char	*k64 = repeat("k", AUTHRES_MAX_KEYWORD, "", "");
	char	*k65 = repeat("k", AUTHRES_MAX_KEYWORD + 1, "", "");
	size_t	i;

	assert_null(authres_new(v401));
	assert_int_equal(authres_method(ar, k65, "pass"), -1);
	assert_int_equal(authres_method(ar, k64, k64), 0);
	assert_int_equal(authres_prop(ar, "smtp", "x", v401), -1);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		assert_int_equal(authres_prop(ar, "smtp", "x", v400), 0);
	assert_int_equal(authres_prop(ar, "smtp", "x", "y"), -1);
	for (i = 0; i < AUTHRES_MAX_COMMENTS; i++)
		assert_int_equal(authres_comment(ar, "c"), 0);
	assert_int_equal(authres_comment(ar, "c"), -1);
	for (i = 1; i < AUTHRES_MAX_RESULTS; i++)
		assert_int_equal(authres_method(ar, "spf", "pass"), 0);
	assert_int_equal(authres_method(ar, "spf", "pass"), -1);
	authres_free(ar);
	free(v400);
	free(v401);
	free(k64);
	free(k65);
}

static void
test_build_long_list_folds_under_78(void **state)
{
	authres	*ar = authres_new("mx.example.org");
	char	*s;
	size_t	i;

	for (i = 0; i < 10; i++) {
		authres_method(ar, "dkim", "pass");
		authres_prop(ar, "header", "d", "example.com");
		authres_prop(ar, "header", "i", "@mail.example.com");
		authres_prop(ar, "header", "s", "selector2024");
		authres_prop(ar, "header", "a", "ed25519-sha256");
		authres_prop(ar, "header", "b", "Zm9v/+Ab");
	}
	s = render_free(ar, 1);
	assert_true(longest_line(s, "\r\n") <= AUTHRES_LINE_SOFT);
	free(s);
}

static void
test_build_worst_case_values_stay_under_998(void **state)
{
	authres	*ar = authres_new("mx");
	char	*quotes = repeat("\"", AUTHRES_MAX_VALUE, "", "");
	char	*parens = repeat(")", AUTHRES_MAX_VALUE, "", "");
	char	*k64 = repeat("k", AUTHRES_MAX_KEYWORD, "", "");
	authres *big = authres_new(quotes);
	char	*s;
	size_t	i;

	authres_method(ar, k64, k64);
	assert_int_equal(authres_reason(ar, quotes), 0);
	assert_int_equal(authres_comment(ar, parens), 0);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		assert_int_equal(authres_prop(ar, "policy", k64, quotes), 0);
	s = render_free(ar, 0);
	assert_true(longest_line(s, "\n") <= AUTHRES_LINE_HARD);
	free(s);
	s = render_free(big, 0);
	assert_true(longest_line(s, "\n") <= AUTHRES_LINE_HARD);
	free(s);
	free(quotes);
	free(parens);
	free(k64);
}

/* ------------------------------------------------------------ round trip */

static void
test_round_trip_render_parse_same_fields(void **state)
{
	authres	*ar = authres_new("mx.example.org");
	authres_parsed *p;
	char	*s;

	authres_method(ar, "spf", "pass");
	authres_prop(ar, "smtp", "mailfrom", "user@example.com");
	authres_prop(ar, "smtp", "helo", "2001:db8::25");
	authres_method(ar, "dkim", "fail");
	authres_reason(ar, "signature \"bad\" \\ verify");
	authres_comment(ar, "key (1024 bits)");
	authres_prop(ar, "header", "d", "example.com");
	authres_prop(ar, "header", "b", "a/b+c=");
	authres_prop(ar, "header", "s", "");
	authres_method(ar, "dmarc", "fail");
	authres_comment(ar, "p=reject sp=none dis=reject");
	authres_prop(ar, "header", "from", "example.com");
	authres_prop(ar, "policy", "dmarc", "reject");
	authres_method(ar, "x-tls", "pass");
	authres_prop(ar, "smtp", "cipher", "TLS_AES_256_GCM_SHA384");
	s = render_free(ar, 1);
	p = parse_ok(s);
	free(s);

	assert_string_equal(p->authserv_id, "mx.example.org");
	assert_null(p->version);
	assert_false(p->none);
	assert_int_equal(p->nresults, 4);
	assert_string_equal(p->results[0].method, "spf");
	assert_string_equal(p->results[0].result, "pass");
	assert_null(p->results[0].reason);
	assert_int_equal(p->results[0].nprops, 2);
	assert_prop(&p->results[0], 0, "smtp", "mailfrom", "user@example.com");
	assert_prop(&p->results[0], 1, "smtp", "helo", "2001:db8::25");
	assert_string_equal(p->results[1].method, "dkim");
	assert_string_equal(p->results[1].result, "fail");
	assert_string_equal(p->results[1].reason, "signature \"bad\" \\ verify");
	assert_int_equal(p->results[1].nprops, 3);
	assert_prop(&p->results[1], 0, "header", "d", "example.com");
	assert_prop(&p->results[1], 1, "header", "b", "a/b+c=");
	assert_prop(&p->results[1], 2, "header", "s", "");
	assert_string_equal(p->results[2].method, "dmarc");
	assert_int_equal(p->results[2].nprops, 2);
	assert_prop(&p->results[2], 0, "header", "from", "example.com");
	assert_prop(&p->results[2], 1, "policy", "dmarc", "reject");
	assert_string_equal(p->results[3].method, "x-tls");
	assert_prop(&p->results[3], 0, "smtp", "cipher", "TLS_AES_256_GCM_SHA384");
	parsed_free(p);
}

static void
test_round_trip_none_and_quoted_id(void **state)
{
	authres_parsed *p;
	char	*s = render_free(authres_new("odd id; \"x\""), 0);

	p = parse_ok(s);
	free(s);
	assert_string_equal(p->authserv_id, "odd id; \"x\"");
	assert_true(p->none);
	assert_int_equal(p->nresults, 0);
	parsed_free(p);
}

static void
test_round_trip_worst_case_values(void **state)
{
	authres	*ar = authres_new("mx");
	char	*v = repeat("\\\"; (", AUTHRES_MAX_VALUE / 5, "", "");
	authres_parsed *p;
	char	*s;
	size_t	i;

	authres_method(ar, "spf", "fail");
	authres_reason(ar, v);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		authres_prop(ar, "smtp", "mailfrom", v);
	s = render_free(ar, 0);
	p = parse_ok(s);
	free(s);
	assert_int_equal(p->nresults, 1);
	assert_string_equal(p->results[0].reason, v);
	assert_int_equal(p->results[0].nprops, AUTHRES_MAX_PROPS);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		assert_prop(&p->results[0], i, "smtp", "mailfrom", v);
	parsed_free(p);
	free(v);
}

/* ---------------------------------------------------------------- parser */

static void
test_parse_gmail_like(void **state)
{
	authres_parsed *p = parse_ok("mx.google.com;\r\n"
	    "       dkim=pass header.i=@example.com header.s=20230601 "
	    "header.b=kJ3d/8+Q;\r\n"
	    "       spf=pass (google.com: domain of bob@example.com designates "
	    "2607:f8b0:4864:20::62a as permitted sender) "
	    "smtp.mailfrom=bob@example.com;\r\n"
	    "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com");

	assert_string_equal(p->authserv_id, "mx.google.com");
	assert_int_equal(p->nresults, 3);
	assert_string_equal(p->results[0].method, "dkim");
	assert_string_equal(p->results[0].result, "pass");
	assert_int_equal(p->results[0].nprops, 3);
	assert_prop(&p->results[0], 0, "header", "i", "@example.com");
	assert_prop(&p->results[0], 1, "header", "s", "20230601");
	assert_prop(&p->results[0], 2, "header", "b", "kJ3d/8+Q");
	assert_string_equal(p->results[1].method, "spf");
	assert_int_equal(p->results[1].nprops, 1);
	assert_prop(&p->results[1], 0, "smtp", "mailfrom", "bob@example.com");
	assert_string_equal(p->results[2].method, "dmarc");
	assert_prop(&p->results[2], 0, "header", "from", "example.com");
	parsed_free(p);
}

static void
test_parse_microsoft_like(void **state)
{
	authres_parsed *p = parse_ok("mx.microsoft.com 1; spf=pass (sender IP is "
	    "40.107.1.1) smtp.mailfrom=example.com; dkim=none (message not "
	    "signed) header.d=none;dmarc=pass action=none "
	    "header.from=example.com;compauth=pass reason=100;");

	assert_string_equal(p->authserv_id, "mx.microsoft.com");
	assert_string_equal(p->version, "1");
	assert_int_equal(p->nresults, 4);
	assert_prop(&p->results[0], 0, "smtp", "mailfrom", "example.com");
	assert_string_equal(p->results[1].result, "none");
	assert_prop(&p->results[1], 0, "header", "d", "none");
	assert_int_equal(p->results[2].nprops, 2);
	assert_prop(&p->results[2], 0, "", "action", "none");
	assert_prop(&p->results[2], 1, "header", "from", "example.com");
	assert_string_equal(p->results[3].method, "compauth");
	assert_string_equal(p->results[3].reason, "100");
	assert_int_equal(p->results[3].nprops, 0);
	parsed_free(p);
}

static void
test_parse_none_with_trailing_semicolon(void **state)
{
	authres_parsed *p = parse_ok("mx.microsoft.com 1; none;");

	assert_true(p->none);
	assert_int_equal(p->nresults, 0);
	assert_string_equal(p->version, "1");
	parsed_free(p);
	p = parse_ok("example.org (comment) ; (c) NONE (c)");
	assert_true(p->none);
	parsed_free(p);
}

static void
test_parse_result_after_none_fails(void **state)
{
	assert_parse_fails("example.org; none; spf=pass");
	assert_parse_fails("example.org; none x");
}

static void
test_parse_none_is_a_method_when_assigned(void **state)
{
	authres_parsed *p = parse_ok("example.org; none=pass");

	assert_false(p->none);
	assert_int_equal(p->nresults, 1);
	assert_string_equal(p->results[0].method, "none");
	parsed_free(p);
}

static void
test_parse_spf_with_sender_ip_comment(void **state)
{
	authres_parsed *p = parse_ok("mx.example.org; spf=pass "
	    "(sender IP is 1.2.3.4) smtp.mailfrom=a.example");

	assert_int_equal(p->nresults, 1);
	assert_string_equal(p->results[0].method, "spf");
	assert_string_equal(p->results[0].result, "pass");
	assert_int_equal(p->results[0].nprops, 1);
	assert_prop(&p->results[0], 0, "smtp", "mailfrom", "a.example");
	parsed_free(p);
}

static void
test_parse_comments_everywhere(void **state)
{
	authres_parsed *p = parse_ok("(a) mx.example.org (b) 1 (c) ; (d) "
	    "dkim (e) / (f) 1 (g) = (h) pass (i) reason (j) = (k) \"ok\" (l) "
	    "header (m) . (n) d (o) = (p) example.com (q(nested(deep)) \\) ) ;"
	    " (r) spf=fail(s)smtp.mailfrom=x.example(t)");

	assert_string_equal(p->authserv_id, "mx.example.org");
	assert_string_equal(p->version, "1");
	assert_int_equal(p->nresults, 2);
	assert_string_equal(p->results[0].method, "dkim");
	assert_string_equal(p->results[0].version, "1");
	assert_string_equal(p->results[0].result, "pass");
	assert_string_equal(p->results[0].reason, "ok");
	assert_prop(&p->results[0], 0, "header", "d", "example.com");
	assert_string_equal(p->results[1].result, "fail");
	assert_prop(&p->results[1], 0, "smtp", "mailfrom", "x.example");
	parsed_free(p);
}

static void
test_parse_unquotes_and_unfolds_quoted_strings(void **state)
{
	authres_parsed *p = parse_ok("\"mx\\.example\"; spf=pass "
	    "smtp.helo=\"2001:db8::1\" reason=\"a\r\n b \\\"c\\\" \\\\\"");

	assert_string_equal(p->authserv_id, "mx.example");
	assert_string_equal(p->results[0].reason, "a b \"c\" \\");
	assert_prop(&p->results[0], 0, "smtp", "helo", "2001:db8::1");
	parsed_free(p);
}

static void
test_parse_bare_ipv6_and_empty_value(void **state)
{
	authres_parsed *p = parse_ok("mx; iprev=pass smtp.remote-ip=2001:db8::1 "
	    "smtp.mailfrom=; spf=none smtp.mailfrom=\"\"");

	assert_prop(&p->results[0], 0, "smtp", "remote-ip", "2001:db8::1");
	assert_prop(&p->results[0], 1, "smtp", "mailfrom", "");
	assert_prop(&p->results[1], 0, "smtp", "mailfrom", "");
	parsed_free(p);
}

static void
test_parse_empty_result_list_is_no_result(void **state)
{
	authres_parsed *p = parse_ok("mx;");

	assert_false(p->none);
	assert_int_equal(p->nresults, 0);
	parsed_free(p);
}

static void
test_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = {
		"", "   ", "(only a comment)", "mx", "mx 1", "; spf=pass",
		"spf=pass (no authserv-id) smtp.mailfrom=a",
		"mx spf=pass", "mx 1x; spf=pass", "mx/x; spf=pass",
		"mx; spf", "mx; spf=", "mx; =pass", "mx; spf=pass smtp",
		"mx; spf=pass smtp.", "mx; spf=pass smtp.mailfrom",
		"mx; spf=pass smtp.mailfrom=a b", "mx; spf=pass reason=a reason=b",
		"mx; spf=pass (unterminated", "mx; spf=pass smtp.helo=\"open",
		"\"\"; spf=pass", "mx; spf=pass \"x\"", "mx; spf/=pass",
		"mx; sp_f=pass", "mx; spf=pass x.y=\"a\x01b\"", "mx; spf=pass)",
		"mx; dkim=pass header.d=a\\b", "\"mx\\",
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_parse_fails(bad[i]);
}

static void
test_parse_rejects_nul_byte(void **state)
{
	static const char v[] = "mx; spf=pass\0; dmarc=pass";
	authres_parsed p;
	char	err[64];

	assert_int_equal(authres_parse(v, sizeof(v) - 1, &p, err, sizeof(err)), -1);
	assert_int_equal(authres_parse(v, strlen(v), &p, NULL, 0), 0);
	authres_parsed_free(&p);
}

static void
test_parse_error_message_is_bounded(void **state)
{
	authres_parsed p;
	char	err[8];

	memset(err, 'x', sizeof(err));
	assert_int_equal(authres_parse("mx; =", 5, &p, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

static void
test_parse_limits_results_and_props(void **state)
{
	char	*ok = repeat("; spf=pass", AUTHRES_MAX_RESULTS, "mx", "");
	char	*bad = repeat("; spf=pass", AUTHRES_MAX_RESULTS + 1, "mx", "");
	char	*pok = repeat(" smtp.a=b", AUTHRES_MAX_PROPS, "mx; spf=pass", "");
	char	*pbad = repeat(" smtp.a=b", AUTHRES_MAX_PROPS + 1, "mx; spf=pass", "");
	authres_parsed *p;

	p = parse_ok(ok);
	assert_int_equal(p->nresults, AUTHRES_MAX_RESULTS);
	parsed_free(p);
	assert_parse_fails(bad);
	p = parse_ok(pok);
	assert_int_equal(p->results[0].nprops, AUTHRES_MAX_PROPS);
	parsed_free(p);
	assert_parse_fails(pbad);
	free(ok);
	free(bad);
	free(pok);
	free(pbad);
}

static void
test_parse_limits_value_and_keyword_length(void **state)
{
	char	*v400 = repeat("a", AUTHRES_MAX_VALUE, "mx; spf=pass smtp.helo=", "");
	char	*v401 = repeat("a", AUTHRES_MAX_VALUE + 1, "mx; spf=pass smtp.helo=", "");
	char	*q401 = repeat("a", AUTHRES_MAX_VALUE + 1, "mx; spf=pass smtp.helo=\"", "\"");
	char	*k65 = repeat("k", AUTHRES_MAX_KEYWORD + 1, "mx; ", "=pass");
	authres_parsed *p = parse_ok(v400);

	parsed_free(p);
	assert_parse_fails(v401);
	assert_parse_fails(q401);
	assert_parse_fails(k65);
	free(v400);
	free(v401);
	free(q401);
	free(k65);
}

static void
test_parse_very_long_input_is_linear(void **state)
{
	size_t	n = 4u * 1024 * 1024;
	char	*comment = repeat("x", n, "(", ") mx; spf=pass");
	char	*id = repeat("a", n, "", "; spf=pass");
	char	*semis = repeat(";", n, "mx", " ");
	char	*ws = repeat(" \r\n", n, "mx;", "spf=pass");
	authres_parsed *p;

	p = parse_ok(comment);
	assert_string_equal(p->authserv_id, "mx");
	parsed_free(p);
	assert_parse_fails(id);
	p = parse_ok(semis);
	assert_int_equal(p->nresults, 0);
	parsed_free(p);
	p = parse_ok(ws);
	assert_int_equal(p->nresults, 1);
	parsed_free(p);
	free(comment);
	free(id);
	free(semis);
	free(ws);
}

static void
test_parse_comment_depth_is_bounded(void **state)
{
	size_t	d = AUTHRES_MAX_COMMENT_DEPTH;
	char	*open_ok = repeat("(", d, "", "");
	char	*ok = repeat(")", d, open_ok, " mx; none");
	char	*open_deep = repeat("(", d + 1, "", "");
	char	*deep = repeat(")", d + 1, open_deep, " mx; none");
	char	*huge = repeat("(", 1000000, "", " mx; none");
	authres_parsed *p = parse_ok(ok);

	assert_string_equal(p->authserv_id, "mx");
	parsed_free(p);
	assert_parse_fails(deep);
	assert_parse_fails(huge);
	free(open_ok);
	free(ok);
	free(open_deep);
	free(deep);
	free(huge);
}

/* ------------------------------------------- authserv-id (RFC 8601 §5) */

static void
test_authserv_id_plain(void **state)
{
	assert_id("our.host; dmarc=pass", "our.host");
	assert_id("our.host", "our.host");
}

static void
test_authserv_id_after_comments(void **state)
{
	assert_id("(x) our.host ; dmarc=pass", "our.host");
	assert_id("(a (b) \\) c)(d)our.host;dmarc=pass", "our.host");
}

static void
test_authserv_id_case_is_kept(void **state)
{
	assert_id("OUR.Host; dmarc=pass", "OUR.Host");
}

static void
test_authserv_id_quoted_string(void **state)
{
	assert_id("\"our.host\"; dmarc=pass", "our.host");
	assert_id("\"our\\.host\" ; dmarc=pass", "our.host");
	assert_id("\"our.\r\n host\"", "our. host");
}

static void
test_authserv_id_folded_whitespace(void **state)
{
	assert_id("\r\n\tour.host;\r\n\tdmarc=pass", "our.host");
	assert_id(" \n (c)\n our.host", "our.host");
}

static void
test_authserv_id_trailing_version(void **state)
{
	assert_id("our.host 1; dmarc=pass", "our.host");
	assert_id("our.host(c)1;dmarc=pass", "our.host");
}

static void
test_authserv_id_garbage_after_id(void **state)
{
	/* The forger controls the rest; the id is still ours to see. */
	assert_id("our.host ))) \"; = dmarc=pass", "our.host");
	assert_id("our.host/evil; dmarc=pass", "our.host");
	assert_id("our.host=pass", "our.host");
}

static void
test_authserv_id_stops_at_nul(void **state)
{
	static const char v[] = "our.host\0.evil.example; dmarc=pass";
	char	*id = authres_authserv_id(v, sizeof(v) - 1);

	assert_non_null(id);
	assert_string_equal(id, "our.host");
	free(id);
	assert_null(authres_authserv_id("\0our.host", 9));
}

static void
test_authserv_id_deep_comments_cannot_hide_it(void **state)
{
	char	*open = repeat("(", 100000, "", "");
	char	*s = repeat(")", 100000, open, " our.host; dmarc=pass");

	assert_id(s, "our.host");
	free(open);
	free(s);
}

static void
test_authserv_id_unreadable_is_null(void **state)
{
	assert_id("", NULL);
	assert_id("  (comment only) ", NULL);
	assert_id("(unterminated our.host; dmarc=pass", NULL);
	assert_id("\"unterminated our.host", NULL);
	assert_id("\"\"; dmarc=pass", NULL);
	assert_id("; dmarc=pass", NULL);
	assert_id("\"a\x01\"", NULL);
	assert_null(authres_authserv_id(NULL, 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_spf_pass_fits_one_line),
		cmocka_unit_test(test_build_non_ascii_comment_is_rfc2047_encoded),
		cmocka_unit_test(test_build_non_utf8_comment_is_unknown_8bit),
		cmocka_unit_test(test_build_long_non_ascii_comment_splits_encoded_words),
		cmocka_unit_test(test_build_non_ascii_value_or_reason_is_refused),
		cmocka_unit_test(test_build_no_results_is_none),
		cmocka_unit_test(test_build_typical_folds_one_result_per_line),
		cmocka_unit_test(test_build_crlf_flag_folds_with_crlf_tab),
		cmocka_unit_test(test_build_ipv6_helo_is_quoted),
		cmocka_unit_test(test_build_base64_header_b_is_quoted),
		cmocka_unit_test(test_build_local_at_domain_is_bare),
		cmocka_unit_test(test_build_invalid_local_at_domain_is_quoted),
		cmocka_unit_test(test_build_quotes_and_backslashes_are_escaped),
		cmocka_unit_test(test_build_empty_value_is_empty_quoted_string),
		cmocka_unit_test(test_build_authserv_id_quoted_when_not_token),
		cmocka_unit_test(test_build_comment_escapes_parens_and_backslashes),
		cmocka_unit_test(test_build_reason_quoted_and_placed_after_method),
		cmocka_unit_test(test_build_method_version_and_x_method),
		cmocka_unit_test(test_build_rejects_cr_lf_and_controls),
		cmocka_unit_test(test_build_rejects_empty_or_null_authserv_id),
		cmocka_unit_test(test_build_tab_in_value_is_quoted),
		cmocka_unit_test(test_build_rejects_bad_keywords),
		cmocka_unit_test(test_build_registered_ptypes_only),
		cmocka_unit_test(test_build_needs_a_method_first),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_build_long_list_folds_under_78),
		cmocka_unit_test(test_build_worst_case_values_stay_under_998),
		cmocka_unit_test(test_round_trip_render_parse_same_fields),
		cmocka_unit_test(test_round_trip_none_and_quoted_id),
		cmocka_unit_test(test_round_trip_worst_case_values),
		cmocka_unit_test(test_parse_gmail_like),
		cmocka_unit_test(test_parse_microsoft_like),
		cmocka_unit_test(test_parse_none_with_trailing_semicolon),
		cmocka_unit_test(test_parse_result_after_none_fails),
		cmocka_unit_test(test_parse_none_is_a_method_when_assigned),
		cmocka_unit_test(test_parse_spf_with_sender_ip_comment),
		cmocka_unit_test(test_parse_comments_everywhere),
		cmocka_unit_test(test_parse_unquotes_and_unfolds_quoted_strings),
		cmocka_unit_test(test_parse_bare_ipv6_and_empty_value),
		cmocka_unit_test(test_parse_empty_result_list_is_no_result),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_parse_rejects_nul_byte),
		cmocka_unit_test(test_parse_error_message_is_bounded),
		cmocka_unit_test(test_parse_limits_results_and_props),
		cmocka_unit_test(test_parse_limits_value_and_keyword_length),
		cmocka_unit_test(test_parse_very_long_input_is_linear),
		cmocka_unit_test(test_parse_comment_depth_is_bounded),
		cmocka_unit_test(test_authserv_id_plain),
		cmocka_unit_test(test_authserv_id_after_comments),
		cmocka_unit_test(test_authserv_id_case_is_kept),
		cmocka_unit_test(test_authserv_id_quoted_string),
		cmocka_unit_test(test_authserv_id_folded_whitespace),
		cmocka_unit_test(test_authserv_id_trailing_version),
		cmocka_unit_test(test_authserv_id_garbage_after_id),
		cmocka_unit_test(test_authserv_id_stops_at_nul),
		cmocka_unit_test(test_authserv_id_deep_comments_cannot_hide_it),
		cmocka_unit_test(test_authserv_id_unreadable_is_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
