/*
 * test_dmarc_eval.c -- the DMARC verdict (RFC 9989 sections 4.4, 4.10.1;
 *	RFC 7489 in PSL mode): alignment, sp/np/t, pct, DNS failures, bad
 *	input. A table-driven fake DNS records every query.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_eval.h"
#include "fake_dns.h"

/* A message: From domain, SPF, up to four DKIM signatures. */
typedef struct msg {
	dmarc_input	in;
	fake_dns	dns;
	const char	*dkim_d[4];
	dkim_res	dkim_r[4];
} msg;

static void
msg_init(msg *m, const fake_rr *table, const char *from)
{
	memset(m, 0, sizeof(*m));
	m->dns.table = table;
	m->in.from_domain = from;
	m->in.spf_result = SPF_RES_NONE;
	m->in.dkim_domains = m->dkim_d;
	m->in.dkim_results = m->dkim_r;
	m->in.mode = DMARC_DISCOVERY_TREEWALK;
	m->in.lookup = fake_lookup;
	m->in.lookup_ctx = &m->dns;
}

static void
msg_spf(msg *m, const char *domain, spf_res r)
{
	m->in.spf_domain = domain;
	m->in.spf_result = r;
}

static void
msg_dkim(msg *m, const char *d, dkim_res r)
{
	m->dkim_d[m->in.ndkim] = d;
	m->dkim_r[m->in.ndkim] = r;
	m->in.ndkim++;
}

static const fake_rr reject_at_example_com[] = {
	{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
	{NULL, 0, {NULL}}
};

/* ---- result ---------------------------------------------------------- */

/* ---- identities are normalised before alignment ------------------------ */

/* "example.com." is the absolute spelling of example.com (RFC 1034 3.1). */
static void
trailing_dot_mailfrom_aligns(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_spf(&m, "example.com.", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.spf_aligned);
	dmarc_outcome_free(&o);
}

static void
trailing_dot_dkim_domain_aligns(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "EXAMPLE.com.", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.dkim_aligned);
	dmarc_outcome_free(&o);
}

static void
trailing_dot_from_domain_aligns(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com.");
	msg_spf(&m, "example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_string_equal(o.policy_domain, "example.com");
	dmarc_outcome_free(&o);
}

/* Only one final dot is dropped: "example.com.." is no domain, no pass. */
static void
two_trailing_dots_do_not_align(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_spf(&m, "example.com..", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.spf_aligned);
	dmarc_outcome_free(&o);
}


static void
no_record_is_none_even_when_aligned(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_spf(&m, "example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_NONE);
	assert_null(o.policy_domain);
	assert_int_equal(o.policy, DMARC_POLICY_UNSET);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	assert_string_equal(o.reason, "no policy record");
	assert_string_equal(o.discovery, "treewalk");
	assert_string_equal(o.org_domain, "example.com");
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
spf_identical_domain_passes_without_extra_dns(void **state)
{
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_spf(&m, "Example.COM", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.spf_aligned);
	assert_false(o.dkim_aligned);
	assert_int_equal(o.p, DMARC_POLICY_REJECT);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	assert_string_equal(o.policy_domain, "example.com");
	assert_string_equal(o.org_domain, "example.com");
	/* the second query only fills org_domain, at the end */
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
unaligned_message_fails_with_policy_disposition(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_spf(&m, "attacker.example", SPF_RES_PASS);
	msg_dkim(&m, "attacker.example", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.spf_aligned);
	assert_false(o.dkim_aligned);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.disposition, DMARC_POLICY_REJECT);
	dmarc_outcome_free(&o);
}

static void
spf_not_pass_does_not_align(void **state)
{
	static const spf_res res[] = {SPF_RES_NONE, SPF_RES_NEUTRAL,
	    SPF_RES_FAIL, SPF_RES_SOFTFAIL, SPF_RES_TEMPERROR, SPF_RES_PERMERROR};
	size_t	i;

	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		msg	m;
		dmarc_outcome o;

		msg_init(&m, reject_at_example_com, "example.com");
		msg_spf(&m, "example.com", res[i]);
		dmarc_evaluate(&m.in, &o);
		assert_int_equal(o.result, DMARC_RES_FAIL);
		assert_false(o.spf_aligned);
		dmarc_outcome_free(&o);
	}
}

static void
dkim_failing_signature_does_not_align(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "example.com", DKIM_RES_FAIL);
	msg_dkim(&m, "example.com", DKIM_RES_NEUTRAL);
	msg_dkim(&m, "example.com", DKIM_RES_TEMPERROR);
	msg_dkim(&m, "example.com", DKIM_RES_POLICY);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.dkim_aligned);
	dmarc_outcome_free(&o);
}

static void
dkim_any_passing_aligned_signature_passes(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "example.com", DKIM_RES_FAIL);
	msg_dkim(&m, "esp.example", DKIM_RES_PASS);
	msg_dkim(&m, "example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.dkim_aligned);
	assert_false(o.spf_aligned);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	dmarc_outcome_free(&o);
}

/* ---- relaxed and strict alignment ----------------------------------- */

static void
dkim_relaxed_subdomain_aligns(void **state)
{
	static const char *const want[] = {"_dmarc.example.com",
	    "_dmarc.com", "_dmarc.mail.example.com", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "mail.example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.dkim_aligned);
	/* author org walk (example.com memoized), then the d= walk */
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
dkim_strict_subdomain_does_not_align(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject; adkim=s"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_dkim(&m, "mail.example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.dkim_aligned);
	assert_int_equal(o.disposition, DMARC_POLICY_REJECT);
	dmarc_outcome_free(&o);
}

static void
spf_relaxed_parent_domain_aligns(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "news.example.com");
	msg_spf(&m, "bounce.example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.spf_aligned);
	assert_string_equal(o.org_domain, "example.com");
	dmarc_outcome_free(&o);
}

static void
spf_strict_requires_identical_domain(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=quarantine; aspf=s"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_spf(&m, "bounce.example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.spf_aligned);
	assert_int_equal(o.disposition, DMARC_POLICY_QUARANTINE);
	dmarc_outcome_free(&o);
}

static void
relaxed_lookalike_suffix_does_not_align(void **state)
{
	msg	m;
	dmarc_outcome o;

	/* "notexample.com" ends in "example.com" but is not below it. */
	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "notexample.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.dkim_aligned);
	dmarc_outcome_free(&o);
}

static void
relaxed_other_tld_needs_no_dns(void **state)
{
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, "example.net", DKIM_RES_PASS);
	msg_spf(&m, "example.org", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
relaxed_separate_org_below_psd_n_does_not_align(void **state)
{
	/* sub.example.com declares itself an Org Domain (psd=n), so it does
	 * not align with example.com under relaxed rules. */
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.sub.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none; psd=n"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_dkim(&m, "sub.example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.dkim_aligned);
	dmarc_outcome_free(&o);
}

/* ---- which policy applies ------------------------------------------ */

static const fake_rr sp_np_at_example_com[] = {
	{"_dmarc.example.com", DNS_STATUS_OK,
	    {"v=DMARC1; p=none; sp=quarantine; np=reject"}},
	{"exists.example.com", DNS_STATUS_NODATA, {NULL}},
	{NULL, 0, {NULL}}
};

static void
np_applies_to_nonexistent_subdomain(void **state)
{
	static const char *const want[] = {"_dmarc.nx.example.com",
	    "_dmarc.example.com", "_dmarc.com", "nx.example.com", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, sp_np_at_example_com, "nx.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_int_equal(o.p, DMARC_POLICY_NONE);
	assert_int_equal(o.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(o.np, DMARC_POLICY_REJECT);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.disposition, DMARC_POLICY_REJECT);
	assert_string_equal(o.policy_domain, "example.com");
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
sp_applies_to_existing_subdomain(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, sp_np_at_example_com, "exists.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_int_equal(o.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(o.disposition, DMARC_POLICY_QUARANTINE);
	dmarc_outcome_free(&o);
}

static void
existence_known_from_dmarc_answer_needs_no_query(void **state)
{
	/* _dmarc.sub.example.com answered NODATA, so sub.example.com exists
	 * (a name with a child exists): sp applies, no existence query. */
	static const fake_rr t[] = {
		{"_dmarc.sub.example.com", DNS_STATUS_NODATA, {NULL}},
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none; sp=quarantine; np=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.sub.example.com",
	    "_dmarc.example.com", "_dmarc.com", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "sub.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_QUARANTINE);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
p_applies_at_author_domain_whatever_sp_np(void **state)
{
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, sp_np_at_example_com, "example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_NONE);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
np_absent_uses_sp_without_existence_query(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=none; sp=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.nx.example.com",
	    "_dmarc.example.com", "_dmarc.com", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "nx.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
sp_and_np_absent_fall_back_to_p(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "nx.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.sp, DMARC_POLICY_UNSET);
	assert_int_equal(o.np, DMARC_POLICY_UNSET);
	dmarc_outcome_free(&o);
}

static void
testing_t_y_lowers_policy_one_level(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject; t=y"}},
		{"_dmarc.example.org", DNS_STATUS_OK,
		    {"v=DMARC1; p=quarantine; t=y"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_true(o.testing);
	assert_int_equal(o.p, DMARC_POLICY_REJECT);
	assert_int_equal(o.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(o.disposition, DMARC_POLICY_QUARANTINE);
	dmarc_outcome_free(&o);

	msg_init(&m, t, "example.org");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_NONE);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	dmarc_outcome_free(&o);
}

static void
pct_is_ignored_in_rfc9989_mode(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject; pct=0"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	m.in.pct_roll = 99;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.disposition, DMARC_POLICY_REJECT);
	assert_false(o.testing);
	dmarc_outcome_free(&o);
}

static void
psd_policy_applies_np_to_nonexistent_domain(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.bank", DNS_STATUS_OK,
		    {"v=DMARC1; p=quarantine; np=reject; psd=y"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.fake.bank", "_dmarc.bank",
	    "fake.bank", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "fake.bank");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_string_equal(o.policy_domain, "bank");
	assert_string_equal(o.org_domain, "fake.bank");
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
invalid_p_with_rua_acts_as_none(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=banana; rua=mailto:d@example.com"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_int_equal(o.p, DMARC_POLICY_NONE);
	assert_int_equal(o.policy, DMARC_POLICY_NONE);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	dmarc_outcome_free(&o);
}

static void
unusable_record_is_none(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=banana"}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_spf(&m, "example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_NONE);
	assert_string_equal(o.policy_domain, "example.com");
	assert_int_equal(o.policy, DMARC_POLICY_UNSET);
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	assert_non_null(strstr(o.reason, "unusable"));
	dmarc_outcome_free(&o);
}

/* ---- DNS failures ---------------------------------------------------- */

static void
tempfail_at_author_record_is_temperror(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.example.com", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_spf(&m, "example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_TEMPERROR);
	assert_string_equal(o.reason, "DNS failure at _dmarc.example.com");
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	assert_null(o.org_domain);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
tempfail_in_org_walk_is_temperror(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "www.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_TEMPERROR);
	assert_string_equal(o.reason, "DNS failure at _dmarc.com");
	dmarc_outcome_free(&o);
}

static void
tempfail_at_existence_check_is_temperror(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none; np=reject"}},
		{"sub.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "sub.example.com");
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_TEMPERROR);
	assert_string_equal(o.reason, "DNS failure at sub.example.com");
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	dmarc_outcome_free(&o);
}

static void
tempfail_at_existence_check_keeps_a_pass(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none; np=reject"}},
		{"sub.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "sub.example.com");
	msg_dkim(&m, "sub.example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_int_equal(o.policy, DMARC_POLICY_UNSET);
	dmarc_outcome_free(&o);
}

static void
tempfail_during_alignment_is_temperror_unless_other_aligns(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.mail.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	msg_dkim(&m, "mail.example.com", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_TEMPERROR);
	assert_string_equal(o.reason,
	    "DNS failure at _dmarc.mail.example.com during alignment");
	assert_int_equal(o.disposition, DMARC_POLICY_NONE);
	dmarc_outcome_free(&o);

	msg_init(&m, t, "example.com");
	msg_dkim(&m, "mail.example.com", DKIM_RES_PASS);
	msg_spf(&m, "example.com", SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.spf_aligned);
	dmarc_outcome_free(&o);
}

/* ---- bad input ------------------------------------------------------- */

static void
unusable_author_domain_is_permerror(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const bad[] = {"", "exa mple.com", "example.com..",
	    ".", "a..b", "-\x01-", NULL};
	static const char *const none[] = {NULL};
	size_t	i;
	msg	m;
	dmarc_outcome o;

	for (i = 0; bad[i] != NULL; i++) {
		msg_init(&m, t, bad[i]);
		dmarc_evaluate(&m.in, &o);
		assert_int_equal(o.result, DMARC_RES_PERMERROR);
		assert_int_equal(o.disposition, DMARC_POLICY_NONE);
		assert_queries(&m.dns, none);
		dmarc_outcome_free(&o);
	}
	msg_init(&m, t, NULL);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PERMERROR);
	assert_string_equal(o.reason, "no author domain");
	dmarc_outcome_free(&o);
	dmarc_evaluate(NULL, &o);
	assert_int_equal(o.result, DMARC_RES_PERMERROR);
	dmarc_outcome_free(&o);
}

static void
uppercase_author_domain_is_folded(void **state)
{
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "EXAMPLE.Com");
	msg_dkim(&m, "example.COM", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_string_equal(o.policy_domain, "example.com");
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
invalid_or_null_dkim_domain_is_not_aligned(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, reject_at_example_com, "example.com");
	msg_dkim(&m, NULL, DKIM_RES_PASS);
	msg_dkim(&m, "example.com..", DKIM_RES_PASS);
	msg_dkim(&m, ".", DKIM_RES_PASS);
	msg_dkim(&m, "", DKIM_RES_PASS);
	msg_spf(&m, NULL, SPF_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	dmarc_outcome_free(&o);
}

static void
many_signatures_are_capped(void **state)
{
	/* Every sN.example.com is its own Org Domain (psd=n): none aligns,
	 * each costs one walk step; only DMARC_MAX_DKIM_CHECK are looked at,
	 * so the aligned signature placed after them is never seen. */
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{"_dmarc.com", DNS_STATUS_NXDOMAIN, {NULL}},
		{"*", DNS_STATUS_OK, {"v=DMARC1; p=none; psd=n"}},
		{NULL, 0, {NULL}}
	};
	const char *d[200];
	dkim_res r[200];
	char	names[200][32];
	msg	m;
	dmarc_outcome o;
	size_t	i;

	for (i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "s%zu.example.com", i);
		d[i] = names[i];
		r[i] = DKIM_RES_PASS;
	}
	d[DMARC_MAX_DKIM_CHECK] = "example.com";
	msg_init(&m, t, "example.com");
	m.in.ndkim = 200;
	m.in.dkim_domains = d;
	m.in.dkim_results = r;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_false(o.dkim_aligned);
	assert_int_equal(m.dns.nq, 2 + DMARC_MAX_DKIM_CHECK);
	assert_string_equal(m.dns.q[2], "_dmarc.s0.example.com");
	dmarc_outcome_free(&o);
}

static void
psl_mode_without_psl_is_permerror(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, t, "example.com");
	m.in.mode = DMARC_DISCOVERY_PSL;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PERMERROR);
	assert_string_equal(o.discovery, "psl");
	dmarc_outcome_free(&o);
}

/* ---- PSL mode (RFC 7489) --------------------------------------------- */

static const fake_rr psl_table[] = {
	{"_dmarc.example.co.uk", DNS_STATUS_OK,
	    {"v=DMARC1; p=reject; sp=quarantine; pct=50; np=none; t=y"}},
	{NULL, 0, {NULL}}
};

static void
psl_mode_pct_sampled_applies_policy(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, psl_table, "example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	m.in.pct_roll = 49;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	assert_string_equal(o.discovery, "psl");
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	assert_int_equal(o.disposition, DMARC_POLICY_REJECT);
	assert_false(o.testing);		/* t is not an RFC 7489 tag */
	assert_int_equal(o.np, DMARC_POLICY_UNSET);
	assert_string_equal(o.org_domain, "example.co.uk");
	dmarc_outcome_free(&o);
}

static void
psl_mode_pct_unsampled_lowers_policy(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, psl_table, "example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	m.in.pct_roll = 50;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(o.disposition, DMARC_POLICY_QUARANTINE);
	dmarc_outcome_free(&o);
}

static void
psl_mode_sp_applies_at_org_fallback(void **state)
{
	static const char *const want[] = {"_dmarc.nx.example.co.uk",
	    "_dmarc.example.co.uk", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, psl_table, "nx.example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	m.in.pct_roll = 0;
	dmarc_evaluate(&m.in, &o);
	/* sp, not np: RFC 7489 has no np and makes no existence query */
	assert_int_equal(o.policy, DMARC_POLICY_QUARANTINE);
	assert_string_equal(o.policy_domain, "example.co.uk");
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);
}

static void
psl_mode_relaxed_alignment_uses_the_list(void **state)
{
	static const char *const want[] = {"_dmarc.example.co.uk", NULL};
	msg	m;
	dmarc_outcome o;

	msg_init(&m, psl_table, "example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	msg_dkim(&m, "mail.example.co.uk", DKIM_RES_PASS);
	msg_dkim(&m, "other.co.uk", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_PASS);
	assert_true(o.dkim_aligned);
	assert_queries(&m.dns, want);
	dmarc_outcome_free(&o);

	msg_init(&m, psl_table, "example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	msg_dkim(&m, "other.co.uk", DKIM_RES_PASS);
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.result, DMARC_RES_FAIL);
	dmarc_outcome_free(&o);
}

static void
psl_mode_pct_roll_out_of_range_is_sampled(void **state)
{
	msg	m;
	dmarc_outcome o;

	msg_init(&m, psl_table, "example.co.uk");
	m.in.mode = DMARC_DISCOVERY_PSL;
	m.in.psl = psl_builtin();
	m.in.pct_roll = 1000;
	dmarc_evaluate(&m.in, &o);
	assert_int_equal(o.policy, DMARC_POLICY_REJECT);
	dmarc_outcome_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_record_is_none_even_when_aligned),
		cmocka_unit_test(trailing_dot_mailfrom_aligns),
		cmocka_unit_test(trailing_dot_dkim_domain_aligns),
		cmocka_unit_test(trailing_dot_from_domain_aligns),
		cmocka_unit_test(two_trailing_dots_do_not_align),
		cmocka_unit_test(spf_identical_domain_passes_without_extra_dns),
		cmocka_unit_test(unaligned_message_fails_with_policy_disposition),
		cmocka_unit_test(spf_not_pass_does_not_align),
		cmocka_unit_test(dkim_failing_signature_does_not_align),
		cmocka_unit_test(dkim_any_passing_aligned_signature_passes),
		cmocka_unit_test(dkim_relaxed_subdomain_aligns),
		cmocka_unit_test(dkim_strict_subdomain_does_not_align),
		cmocka_unit_test(spf_relaxed_parent_domain_aligns),
		cmocka_unit_test(spf_strict_requires_identical_domain),
		cmocka_unit_test(relaxed_lookalike_suffix_does_not_align),
		cmocka_unit_test(relaxed_other_tld_needs_no_dns),
		cmocka_unit_test(relaxed_separate_org_below_psd_n_does_not_align),
		cmocka_unit_test(np_applies_to_nonexistent_subdomain),
		cmocka_unit_test(sp_applies_to_existing_subdomain),
		cmocka_unit_test(existence_known_from_dmarc_answer_needs_no_query),
		cmocka_unit_test(p_applies_at_author_domain_whatever_sp_np),
		cmocka_unit_test(np_absent_uses_sp_without_existence_query),
		cmocka_unit_test(sp_and_np_absent_fall_back_to_p),
		cmocka_unit_test(testing_t_y_lowers_policy_one_level),
		cmocka_unit_test(pct_is_ignored_in_rfc9989_mode),
		cmocka_unit_test(psd_policy_applies_np_to_nonexistent_domain),
		cmocka_unit_test(invalid_p_with_rua_acts_as_none),
		cmocka_unit_test(unusable_record_is_none),
		cmocka_unit_test(tempfail_at_author_record_is_temperror),
		cmocka_unit_test(tempfail_in_org_walk_is_temperror),
		cmocka_unit_test(tempfail_at_existence_check_is_temperror),
		cmocka_unit_test(tempfail_at_existence_check_keeps_a_pass),
		cmocka_unit_test(tempfail_during_alignment_is_temperror_unless_other_aligns),
		cmocka_unit_test(unusable_author_domain_is_permerror),
		cmocka_unit_test(uppercase_author_domain_is_folded),
		cmocka_unit_test(invalid_or_null_dkim_domain_is_not_aligned),
		cmocka_unit_test(many_signatures_are_capped),
		cmocka_unit_test(psl_mode_without_psl_is_permerror),
		cmocka_unit_test(psl_mode_pct_sampled_applies_policy),
		cmocka_unit_test(psl_mode_pct_unsampled_lowers_policy),
		cmocka_unit_test(psl_mode_sp_applies_at_org_fallback),
		cmocka_unit_test(psl_mode_relaxed_alignment_uses_the_list),
		cmocka_unit_test(psl_mode_pct_roll_out_of_range_is_sampled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
