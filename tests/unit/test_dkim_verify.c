/*
 * test_dkim_verify.c -- unit tests for policy/dkim_verify.c: what a header
 * field holding a NUL byte does to DKIM (issue 12).
 *
 * libopendkim reads such a field past its end, so dkim_verify.c must never
 * hand one over. The DNS is tests/fuzz/fake_resolver.c: the key record does
 * not exist, so a signature that reaches the key lookup is a permerror
 * ("no key"), and one held back for a NUL is a fail whatever the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_verify.h"
#include "fake_resolver.h"

#define SIG	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;\r\n" \
		"\ts=sel; h=From:Subject; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=;\r\n" \
		"\tb=dGVzdA=="

typedef struct field { const char *text; size_t len; } field;

/* verify - feed the fields and a body, return the number of results */
static size_t
verify(const field *f, size_t n, dkim_sig_result *out, size_t max)
{
	char	err[128];
	/* a resolver, even the fake's token: with none libopendkim makes its own per query */
	dkim_verifier *v = dkim_verifier_new(dns_resolver_new(NULL, err, sizeof(err)), err,
	    sizeof(err));
	dkim_session *s;
	size_t	i, got;

	assert_non_null(v);
	assert_non_null(s = dkim_session_new(v, "unit"));
	for (i = 0; i < n; i++)
		(void)dkim_session_header(s, f[i].text, f[i].len);
	dkim_session_eoh(s, NULL, 0);
	dkim_session_body(s, (const unsigned char *)"body\r\n", 6);
	got = dkim_session_eom(s, out, max);
	dkim_session_free(s);
	dkim_verifier_free(v);
	return got;
}

#define F(s)	{ s, sizeof(s) - 1 }

static void
clean_message_reaches_the_key_lookup(void **state)
{
	const field f[] = { F(SIG), F("From: a@example.com"), F("Subject: hello") };
	dkim_sig_result r[4];

	(void)state;
	fake_resolver_clear();
	assert_int_equal(verify(f, 3, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_PERMERROR);
	assert_string_equal(r[0].d, "example.com");
	assert_null(strstr(r[0].reason, "NUL"));
}

static void
nul_in_signed_field_fails_the_signature(void **state)
{
	const field f[] = { F(SIG), F("From: a@example.com"), F("Subject: hel\0lo") };
	dkim_sig_result r[4];

	(void)state;
	assert_int_equal(verify(f, 3, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_FAIL);
	assert_string_equal(r[0].reason, "signed header field contains a NUL byte");
	assert_string_equal(r[0].d, "example.com");
	assert_string_equal(r[0].s, "sel");
}

static void
signed_name_matches_without_case(void **state)
{
	const field f[] = { F(SIG), F("FROM: a@example.com\0"), F("Subject: hello") };
	dkim_sig_result r[4];

	(void)state;
	assert_int_equal(verify(f, 3, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_FAIL);
}

static void
nul_in_unsigned_field_changes_nothing(void **state)
{
	const field f[] = { F(SIG), F("From: a@example.com"), F("Subject: hello"),
	    F("X-Other: a\0b") };
	dkim_sig_result r[4];

	(void)state;
	assert_int_equal(verify(f, 4, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_PERMERROR);
	assert_null(strstr(r[0].reason, "NUL"));
}

static void
nul_in_signature_field_is_permerror(void **state)
{
	static const char sig[] = "DKIM-Signature: v=1; a=rsa-sha256; d=exa\0mple.com; s=sel;"
	    " h=From; bh=; b=";
	const field f[] = { { sig, sizeof(sig) - 1 }, F("From: a@example.com") };
	dkim_sig_result r[4];

	(void)state;
	assert_int_equal(verify(f, 2, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_PERMERROR);
	assert_string_equal(r[0].reason, "DKIM-Signature field contains a NUL byte");
	assert_string_equal(r[0].d, "");
}

static void
megabyte_nul_field_is_held_back(void **state)
{
	size_t	n = 1024 * 1024;
	char	*big = malloc(n);
	field	f[3] = { F(SIG), F("From: a@example.com"), { NULL, 0 } };
	dkim_sig_result r[4];

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "Subject: ", 9);
	big[20] = '\0';
	f[2].text = big;
	f[2].len = n;
	assert_int_equal(verify(f, 3, r, 4), 1);
	assert_int_equal(r[0].result, DKIM_RES_FAIL);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_message_reaches_the_key_lookup),
		cmocka_unit_test(nul_in_signed_field_fails_the_signature),
		cmocka_unit_test(signed_name_matches_without_case),
		cmocka_unit_test(nul_in_unsigned_field_changes_nothing),
		cmocka_unit_test(nul_in_signature_field_is_permerror),
		cmocka_unit_test(megabyte_nul_field_is_held_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
