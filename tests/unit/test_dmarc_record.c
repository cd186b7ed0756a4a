/*
 * test_dmarc_record.c -- the DMARC record parser, one test per rule of
 *	RFC 9989 section 4.7 (and RFC 7489 mode), and per documented choice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"

/* Parse a C string; the record is freed by the test through rec. */
static dmarc_rec_status
parse(const char *txt, dmarc_mode mode, dmarc_record *rec)
{
	return dmarc_record_parse(txt, strlen(txt), mode, rec);
}

static void
minimal_record_has_defaults(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	assert_int_equal(rec.sp, DMARC_POLICY_UNSET);
	assert_int_equal(rec.np, DMARC_POLICY_UNSET);
	assert_int_equal(rec.adkim, DMARC_ALIGN_RELAXED);
	assert_int_equal(rec.aspf, DMARC_ALIGN_RELAXED);
	assert_int_equal(rec.psd, DMARC_PSD_U);
	assert_int_equal(rec.testing, 0);
	assert_int_equal(rec.pct, 100);
	assert_int_equal(rec.fo, DMARC_FO_0);
	assert_int_equal(rec.nrua, 0);
	assert_int_equal(rec.p_defaulted, 0);
	dmarc_record_free(&rec);
}

static void
v_must_be_first_tag(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("p=reject; v=DMARC1", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_NOT_DMARC);
	dmarc_record_free(&rec);
	assert_false(dmarc_record_is_dmarc("p=reject; v=DMARC1", 18));
}

static void
v_value_is_case_sensitive_tag_name_is_not(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=dmarc1; p=reject", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_NOT_DMARC);
	dmarc_record_free(&rec);
	assert_int_equal(parse("V=DMARC1; p=reject", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	dmarc_record_free(&rec);
}

/*
 * Decision (README, "DMARC records"): tag names are case-insensitive, as
 * RFC 9989's ABNF writes them as quoted strings (RFC 5234 2.3), and as
 * OpenDMARC and Mail::DMARC read them; "P=reject" is p=reject.
 */
static void
tag_names_are_case_insensitive_P_reject_is_p_reject(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; P=reject; SP=quarantine; ADKIM=s; Aspf=s",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	assert_int_equal(rec.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(rec.adkim, DMARC_ALIGN_STRICT);
	assert_int_equal(rec.aspf, DMARC_ALIGN_STRICT);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; P=reject", DMARC_MODE_RFC7489, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&rec);
	/* one tag in two spellings is the same tag twice */
	assert_int_equal(parse("v=DMARC1; p=none; P=reject", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_INVALID);
	dmarc_record_free(&rec);
}

static void
v_value_must_be_exactly_dmarc1(void **state)
{
	assert_false(dmarc_record_is_dmarc("v=DMARC10; p=reject", 19));
	assert_false(dmarc_record_is_dmarc("v=DMARC1 p=reject", 17));
	assert_false(dmarc_record_is_dmarc("v=spf1 -all", 11));
	assert_false(dmarc_record_is_dmarc("", 0));
	assert_false(dmarc_record_is_dmarc("v", 1));
	assert_false(dmarc_record_is_dmarc(NULL, 0));
	assert_true(dmarc_record_is_dmarc("v=DMARC1", 8));
	assert_true(dmarc_record_is_dmarc("v=DMARC1;", 9));
	/* Only the given length is read. */
	assert_false(dmarc_record_is_dmarc("v=DMARC1", 7));
}

static void
whitespace_around_tags_and_values_is_allowed(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse(" \tv = DMARC1 ;  p =  quarantine\t ; sp= none ",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_QUARANTINE);
	assert_int_equal(rec.sp, DMARC_POLICY_NONE);
	dmarc_record_free(&rec);
}

static void
tag_names_and_keywords_are_case_insensitive(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; P=Reject; SP=QUARANTINE; ADKIM=S; "
	    "Aspf=s; PSD=N; T=Y", DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	assert_int_equal(rec.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(rec.adkim, DMARC_ALIGN_STRICT);
	assert_int_equal(rec.aspf, DMARC_ALIGN_STRICT);
	assert_int_equal(rec.psd, DMARC_PSD_N);
	assert_int_equal(rec.testing, 1);
	dmarc_record_free(&rec);
}

static void
empty_tag_specs_and_trailing_semicolon_are_ignored(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1;;; p=none ;", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_NONE);
	dmarc_record_free(&rec);
}

static void
malformed_tag_spec_is_ignored(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; garbage; 9x=1; =none; p=reject",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&rec);
}

static void
unknown_tags_are_ignored_even_when_repeated(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; foo=bar; foo=baz; x_1=2",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&rec);
}

static void
duplicate_known_tag_makes_record_invalid(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; p=none", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_INVALID);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; ADKIM=s; adkim=r",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_INVALID);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; v=DMARC1",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_INVALID);
	dmarc_record_free(&rec);
}

static void
missing_p_without_rua_is_no_policy(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; sp=reject", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
}

static void
missing_p_with_valid_rua_acts_as_p_none(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; sp=reject; rua=mailto:d@example.com",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_NONE);
	assert_int_equal(rec.sp, DMARC_POLICY_UNSET);
	assert_int_equal(rec.p_defaulted, 1);
	dmarc_record_free(&rec);
}

static void
invalid_p_without_rua_is_no_policy(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=rejekt", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
	/* a control byte inside the value makes it invalid too */
	assert_int_equal(parse("v=DMARC1; p=rej\001ect", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
}

static void
invalid_p_with_only_invalid_rua_is_no_policy(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=bogus; rua=mailto:nobody, x",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_NO_POLICY);
	assert_int_equal(rec.nrua, 0);
	dmarc_record_free(&rec);
}

static void
invalid_p_with_valid_rua_acts_as_p_none(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=bogus; rua=mailto:d@example.com",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_NONE);
	assert_int_equal(rec.p_defaulted, 1);
	dmarc_record_free(&rec);
}

static void
invalid_sp_or_np_is_a_bad_policy_in_rfc9989(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; sp=maybe", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; np=maybe", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; np=maybe; sp=reject; "
	    "rua=mailto:d@example.com", DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_NONE);
	assert_int_equal(rec.sp, DMARC_POLICY_UNSET);
	assert_int_equal(rec.np, DMARC_POLICY_UNSET);
	assert_int_equal(rec.p_defaulted, 1);
	dmarc_record_free(&rec);
}

static void
invalid_sp_is_absent_in_rfc7489(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; sp=maybe", DMARC_MODE_RFC7489,
	    &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	assert_int_equal(rec.sp, DMARC_POLICY_UNSET);
	dmarc_record_free(&rec);
}

static void
np_parsed_in_rfc9989(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=none; np=reject", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_OK);
	assert_int_equal(rec.np, DMARC_POLICY_REJECT);
	dmarc_record_free(&rec);
}

static void
p_must_be_second_in_rfc7489_only(void **state)
{
	dmarc_record rec;
	const char *late_p = "v=DMARC1; rua=mailto:d@example.com; p=reject";

	assert_int_equal(parse(late_p, DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	dmarc_record_free(&rec);
	/* RFC 7489: p out of place is an invalid p; the rua rule applies. */
	assert_int_equal(parse(late_p, DMARC_MODE_RFC7489, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_NONE);
	assert_int_equal(rec.p_defaulted, 1);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; adkim=s; p=reject", DMARC_MODE_RFC7489,
	    &rec), DMARC_REC_NO_POLICY);
	dmarc_record_free(&rec);
}

static void
rfc7489_ignores_np_psd_t(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; np=none; psd=y; t=y; np=x",
	    DMARC_MODE_RFC7489, &rec), DMARC_REC_OK);
	assert_int_equal(rec.np, DMARC_POLICY_UNSET);
	assert_int_equal(rec.psd, DMARC_PSD_U);
	assert_int_equal(rec.testing, 0);
	dmarc_record_free(&rec);
}

static void
adkim_aspf_invalid_value_is_relaxed(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=none; adkim=x; aspf=strict",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.adkim, DMARC_ALIGN_RELAXED);
	assert_int_equal(rec.aspf, DMARC_ALIGN_RELAXED);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=none; adkim=r; aspf=s",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.adkim, DMARC_ALIGN_RELAXED);
	assert_int_equal(rec.aspf, DMARC_ALIGN_STRICT);
	dmarc_record_free(&rec);
}

static void
psd_values(void **state)
{
	static const struct { const char *txt; dmarc_psd psd; } cases[] = {
		{"v=DMARC1; p=none; psd=y", DMARC_PSD_Y},
		{"v=DMARC1; p=none; psd=n", DMARC_PSD_N},
		{"v=DMARC1; p=none; psd=u", DMARC_PSD_U},
		{"v=DMARC1; p=none; psd=yes", DMARC_PSD_U},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dmarc_record rec;

		assert_int_equal(parse(cases[i].txt, DMARC_MODE_RFC9989, &rec),
		    DMARC_REC_OK);
		assert_int_equal(rec.psd, cases[i].psd);
		dmarc_record_free(&rec);
	}
}

static void
t_values(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=reject; t=y", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	assert_int_equal(rec.testing, 1);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; t=n", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	assert_int_equal(rec.testing, 0);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=reject; t=yes", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_OK);
	assert_int_equal(rec.testing, 0);
	dmarc_record_free(&rec);
}

static void
pct_range_and_default(void **state)
{
	static const struct { const char *txt; int pct; } cases[] = {
		{"v=DMARC1; p=reject; pct=50", 50},
		{"v=DMARC1; p=reject; pct=0", 0},
		{"v=DMARC1; p=reject; pct=100", 100},
		{"v=DMARC1; p=reject; pct=101", 100},
		{"v=DMARC1; p=reject; pct=-1", 100},
		{"v=DMARC1; p=reject; pct=5x", 100},
		{"v=DMARC1; p=reject; pct=0050", 100},
		{"v=DMARC1; p=reject; pct=", 100},
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dmarc_record rec;

		assert_int_equal(parse(cases[i].txt, DMARC_MODE_RFC7489, &rec),
		    DMARC_REC_OK);
		assert_int_equal(rec.pct, cases[i].pct);
		dmarc_record_free(&rec);
	}
}

static void
historic_rf_ri_are_accepted_and_ignored(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=quarantine; rf=afrf; ri=86400; "
	    "pct=20", DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.p, DMARC_POLICY_QUARANTINE);
	dmarc_record_free(&rec);
}

static void
fo_options(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=none; fo=1:d", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_OK);
	assert_int_equal(rec.fo, DMARC_FO_1 | DMARC_FO_D);
	dmarc_record_free(&rec);
	assert_int_equal(parse("v=DMARC1; p=none; fo=1:x", DMARC_MODE_RFC9989,
	    &rec), DMARC_REC_OK);
	assert_int_equal(rec.fo, DMARC_FO_0);
	dmarc_record_free(&rec);
}

static void
rua_counts_valid_uris_and_keeps_them(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=none; rua=mailto:a@x.example, "
	    "mailto:b@y.example!10m ,https://r.example/d,bogus,mailto:@x,"
	    "mailto:c@,:x,1a:b,mailto:d@z.example!k", DMARC_MODE_RFC9989, &rec),
	    DMARC_REC_OK);
	assert_int_equal(rec.nrua, 3);
	assert_int_equal(rec.nrua_kept, 3);
	assert_string_equal(rec.rua[0], "mailto:a@x.example");
	assert_string_equal(rec.rua[1], "mailto:b@y.example!10m");
	assert_string_equal(rec.rua[2], "https://r.example/d");
	dmarc_record_free(&rec);
}

static void
ruf_is_parsed_like_rua(void **state)
{
	dmarc_record rec;

	assert_int_equal(parse("v=DMARC1; p=none; ruf=mailto:f@x.example",
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.nruf, 1);
	assert_string_equal(rec.ruf[0], "mailto:f@x.example");
	assert_int_equal(rec.nrua, 0);
	dmarc_record_free(&rec);
}

static void
uri_count_is_capped_in_memory(void **state)
{
	char	txt[1024] = "v=DMARC1; p=none; rua=";
	dmarc_record rec;
	int	i;

	for (i = 0; i < DMARC_RECORD_MAX_URIS + 4; i++) {
		char	one[64];

		snprintf(one, sizeof(one), "%smailto:r%d@x.example", i ? "," : "", i);
		strcat(txt, one);
	}
	assert_int_equal(parse(txt, DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	assert_int_equal(rec.nrua, DMARC_RECORD_MAX_URIS + 4);
	assert_int_equal(rec.nrua_kept, DMARC_RECORD_MAX_URIS);
	assert_string_equal(rec.rua[DMARC_RECORD_MAX_URIS - 1],
	    "mailto:r7@x.example");
	dmarc_record_free(&rec);
}

static void
record_longer_than_cap_is_invalid(void **state)
{
	char	*txt = malloc(DMARC_RECORD_MAX_LEN + 2);
	dmarc_record rec;
	size_t	base;

	assert_non_null(txt);
	strcpy(txt, "v=DMARC1; p=reject; x=");
	base = strlen(txt);
	memset(txt + base, 'a', DMARC_RECORD_MAX_LEN - base);
	assert_int_equal(dmarc_record_parse(txt, DMARC_RECORD_MAX_LEN,
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_OK);
	dmarc_record_free(&rec);
	txt[DMARC_RECORD_MAX_LEN] = 'a';
	assert_int_equal(dmarc_record_parse(txt, DMARC_RECORD_MAX_LEN + 1,
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_INVALID);
	dmarc_record_free(&rec);
	free(txt);
}

static void
embedded_nul_is_invalid(void **state)
{
	static const char txt[] = "v=DMARC1; p=none\0; p=reject";
	dmarc_record rec;

	assert_int_equal(dmarc_record_parse(txt, sizeof(txt) - 1,
	    DMARC_MODE_RFC9989, &rec), DMARC_REC_INVALID);
	dmarc_record_free(&rec);
}

static void
status_names(void **state)
{
	assert_string_equal(dmarc_rec_status_name(DMARC_REC_OK), "ok");
	assert_string_equal(dmarc_rec_status_name(DMARC_REC_NO_POLICY),
	    "no policy");
	assert_string_equal(dmarc_rec_status_name((dmarc_rec_status)99),
	    "invalid record");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_record_has_defaults),
		cmocka_unit_test(v_must_be_first_tag),
		cmocka_unit_test(v_value_is_case_sensitive_tag_name_is_not),
		cmocka_unit_test(tag_names_are_case_insensitive_P_reject_is_p_reject),
		cmocka_unit_test(v_value_must_be_exactly_dmarc1),
		cmocka_unit_test(whitespace_around_tags_and_values_is_allowed),
		cmocka_unit_test(tag_names_and_keywords_are_case_insensitive),
		cmocka_unit_test(empty_tag_specs_and_trailing_semicolon_are_ignored),
		cmocka_unit_test(malformed_tag_spec_is_ignored),
		cmocka_unit_test(unknown_tags_are_ignored_even_when_repeated),
		cmocka_unit_test(duplicate_known_tag_makes_record_invalid),
		cmocka_unit_test(missing_p_without_rua_is_no_policy),
		cmocka_unit_test(missing_p_with_valid_rua_acts_as_p_none),
		cmocka_unit_test(invalid_p_without_rua_is_no_policy),
		cmocka_unit_test(invalid_p_with_only_invalid_rua_is_no_policy),
		cmocka_unit_test(invalid_p_with_valid_rua_acts_as_p_none),
		cmocka_unit_test(invalid_sp_or_np_is_a_bad_policy_in_rfc9989),
		cmocka_unit_test(invalid_sp_is_absent_in_rfc7489),
		cmocka_unit_test(np_parsed_in_rfc9989),
		cmocka_unit_test(p_must_be_second_in_rfc7489_only),
		cmocka_unit_test(rfc7489_ignores_np_psd_t),
		cmocka_unit_test(adkim_aspf_invalid_value_is_relaxed),
		cmocka_unit_test(psd_values),
		cmocka_unit_test(t_values),
		cmocka_unit_test(pct_range_and_default),
		cmocka_unit_test(historic_rf_ri_are_accepted_and_ignored),
		cmocka_unit_test(fo_options),
		cmocka_unit_test(rua_counts_valid_uris_and_keeps_them),
		cmocka_unit_test(ruf_is_parsed_like_rua),
		cmocka_unit_test(uri_count_is_capped_in_memory),
		cmocka_unit_test(record_longer_than_cap_is_invalid),
		cmocka_unit_test(embedded_nul_is_invalid),
		cmocka_unit_test(status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
