/*
 * test_dmarc_discovery.c -- DMARC policy discovery and Organizational
 *	Domains (RFC 9989 sections 4.10, 4.10.1, 4.10.2; RFC 7489 PSL mode)
 *	against a table-driven fake DNS that records every query, so each
 *	test asserts the exact sequence of names asked.
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

#include "dmarc_discovery.h"
#include "fake_dns.h"

static void
setup_disc(dmarc_discovery *d, fake_dns *f, const fake_rr *table,
    dmarc_discovery_mode mode, const psl_ctx_t *psl)
{
	memset(f, 0, sizeof(*f));
	f->table = table;
	assert_int_equal(dmarc_discovery_init(d, mode, psl, fake_lookup, f), 0);
}

/* ---- tests --------------------------------------------------------- */

static void
record_at_author_domain_is_used_with_one_query(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_true(fd.at_author);
	assert_string_equal(fd.policy_domain, "example.com");
	assert_int_equal(fd.rec->p, DMARC_POLICY_REJECT);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
non_dmarc_txt_records_are_dropped(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=spf1 -all", "hello", "v=DMARC1; p=quarantine"}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_int_equal(fd.rec->p, DMARC_POLICY_QUARANTINE);
	dmarc_discovery_free(&d);
}

static void
walk_from_subdomain_finds_org_record(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.a.b.example.com",
	    "_dmarc.b.example.com", "_dmarc.example.com", "_dmarc.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "a.b.example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_false(fd.at_author);
	assert_string_equal(fd.policy_domain, "example.com");
	assert_string_equal(fd.org_domain, "example.com");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
no_record_anywhere_is_none_after_walk_to_tld(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {"_dmarc.mail.example.org",
	    "_dmarc.example.org", "_dmarc.org", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "mail.example.org", &fd),
	    DMARC_DISC_NONE);
	assert_string_equal(fd.org_domain, "mail.example.org");
	assert_null(fd.rec);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
walk_with_ten_labels_jumps_to_seven(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {
	    "_dmarc.a.b.c.d.e.f.g.h.example.com",
	    "_dmarc.d.e.f.g.h.example.com",		/* 7 labels */
	    "_dmarc.e.f.g.h.example.com",
	    "_dmarc.f.g.h.example.com",
	    "_dmarc.g.h.example.com",
	    "_dmarc.h.example.com",
	    "_dmarc.example.com",
	    "_dmarc.com",
	    NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "a.b.c.d.e.f.g.h.example.com",
	    &fd), DMARC_DISC_NONE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
walk_with_eight_labels_goes_one_at_a_time(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {
	    "_dmarc.a.b.c.d.e.f.example.com",
	    "_dmarc.b.c.d.e.f.example.com",
	    "_dmarc.c.d.e.f.example.com",
	    "_dmarc.d.e.f.example.com",
	    "_dmarc.e.f.example.com",
	    "_dmarc.f.example.com",
	    "_dmarc.example.com",
	    "_dmarc.com",
	    NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "a.b.c.d.e.f.example.com",
	    &fd), DMARC_DISC_NONE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
walk_with_twenty_labels_asks_eight_names(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {
	    "_dmarc.l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.l13.l14.l15.l16.l17.l18.l19.com",
	    "_dmarc.l14.l15.l16.l17.l18.l19.com",
	    "_dmarc.l15.l16.l17.l18.l19.com",
	    "_dmarc.l16.l17.l18.l19.com",
	    "_dmarc.l17.l18.l19.com",
	    "_dmarc.l18.l19.com",
	    "_dmarc.l19.com",
	    "_dmarc.com",
	    NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d,
	    "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.l13.l14.l15.l16.l17.l18.l19.com",
	    &fd), DMARC_DISC_NONE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
psd_y_record_applies_when_org_has_none(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.bank", DNS_STATUS_OK, {"v=DMARC1; p=reject; psd=y"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.www.example.bank",
	    "_dmarc.example.bank", "_dmarc.bank", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "www.example.bank", &fd),
	    DMARC_DISC_FOUND);
	assert_string_equal(fd.org_domain, "example.bank");
	assert_string_equal(fd.policy_domain, "bank");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
psd_y_prefers_org_domain_record(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.bank", DNS_STATUS_OK, {"v=DMARC1; p=quarantine"}},
		{"_dmarc.bank", DNS_STATUS_OK, {"v=DMARC1; p=reject; psd=y"}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "www.example.bank", &fd),
	    DMARC_DISC_FOUND);
	assert_string_equal(fd.org_domain, "example.bank");
	assert_string_equal(fd.policy_domain, "example.bank");
	assert_int_equal(fd.rec->p, DMARC_POLICY_QUARANTINE);
	dmarc_discovery_free(&d);
}

static void
psd_n_stops_walk_and_is_org_domain(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject; psd=n"}},
		{"_dmarc.com", DNS_STATUS_OK, {"v=DMARC1; p=none"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.x.y.example.com",
	    "_dmarc.y.example.com", "_dmarc.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "x.y.example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_string_equal(fd.org_domain, "example.com");
	assert_string_equal(fd.policy_domain, "example.com");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
org_domain_is_record_with_fewest_labels(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.b.example.com", DNS_STATUS_OK, {"v=DMARC1; p=none"}},
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "a.b.example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_string_equal(fd.org_domain, "example.com");
	assert_string_equal(fd.policy_domain, "example.com");
	assert_int_equal(fd.rec->p, DMARC_POLICY_REJECT);
	dmarc_discovery_free(&d);
}

static void
org_domain_without_records_is_the_domain_itself(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	dmarc_discovery d;
	fake_dns f;
	char	org[DMARC_NAME_MAX + 1];

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_org_domain(&d, "mail.example.net", org,
	    sizeof(org)), DMARC_DISC_FOUND);
	assert_string_equal(org, "mail.example.net");
	dmarc_discovery_free(&d);
}

static void
org_domain_psd_y_at_start_is_the_start(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.gov.example", DNS_STATUS_OK, {"v=DMARC1; p=reject; psd=y"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.gov.example", NULL};
	dmarc_discovery d;
	fake_dns f;
	char	org[DMARC_NAME_MAX + 1];

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_org_domain(&d, "gov.example", org, sizeof(org)),
	    DMARC_DISC_FOUND);
	assert_string_equal(org, "gov.example");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
multiple_records_at_one_name_count_as_none(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none", "v=DMARC1; p=reject"}},
		{"_dmarc.com", DNS_STATUS_OK, {"v=DMARC1; p=quarantine; psd=y"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.example.com", "_dmarc.com",
	    NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_string_equal(fd.policy_domain, "com");
	assert_int_equal(fd.rec->p, DMARC_POLICY_QUARANTINE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
unusable_author_record_is_unusable_not_fallback(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=maybe"}},
		{"_dmarc.com", DNS_STATUS_OK, {"v=DMARC1; p=reject; psd=y"}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_UNUSABLE);
	assert_string_equal(fd.policy_domain, "example.com");
	assert_int_equal(fd.rstatus, DMARC_REC_NO_POLICY);
	assert_null(fd.rec);
	dmarc_discovery_free(&d);
}

static void
tempfail_at_author_record_is_tempfail(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{"_dmarc.com", DNS_STATUS_OK, {"v=DMARC1; p=none"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_TEMPFAIL);
	assert_string_equal(d.failed_name, "_dmarc.example.com");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
tempfail_in_walk_is_tempfail(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{"_dmarc.com", DNS_STATUS_OK, {"v=DMARC1; p=none"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.www.example.com",
	    "_dmarc.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;
	char	org[DMARC_NAME_MAX + 1];

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "www.example.com", &fd),
	    DMARC_DISC_TEMPFAIL);
	assert_string_equal(d.failed_name, "_dmarc.example.com");
	/* The failure is remembered: the org walk fails without asking. */
	assert_int_equal(dmarc_org_domain(&d, "www.example.com", org,
	    sizeof(org)), DMARC_DISC_TEMPFAIL);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
bogus_answer_arrives_as_tempfail(void **state)
{
	/* dns.h: a DNSSEC-bogus answer is DNS_STATUS_TEMPFAIL even if the
	 * fake also hands over data: the data must not be used. */
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_TEMPFAIL, {"v=DMARC1; p=none"}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_TEMPFAIL);
	dmarc_discovery_free(&d);
}

static void
memo_reuses_answers_between_walks(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.a.example.com",
	    "_dmarc.example.com", "_dmarc.com", "_dmarc.b.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;
	char	org[DMARC_NAME_MAX + 1];

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_discover_policy(&d, "a.example.com", &fd),
	    DMARC_DISC_FOUND);
	assert_int_equal(dmarc_org_domain(&d, "a.example.com", org, sizeof(org)),
	    DMARC_DISC_FOUND);
	assert_string_equal(org, "example.com");
	assert_int_equal(dmarc_org_domain(&d, "b.example.com", org, sizeof(org)),
	    DMARC_DISC_FOUND);
	assert_string_equal(org, "example.com");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
query_budget_is_capped(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	dmarc_discovery d;
	fake_dns f;
	char	org[DMARC_NAME_MAX + 1];
	char	name[64];
	int	i;
	dmarc_disc_status st = DMARC_DISC_FOUND;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	/* each name x<i>.example costs one new query (example is memoized) */
	for (i = 0; i < 2 * DMARC_MAX_QUERIES && st == DMARC_DISC_FOUND; i++) {
		snprintf(name, sizeof(name), "x%d.example", i);
		st = dmarc_org_domain(&d, name, org, sizeof(org));
	}
	assert_int_equal(st, DMARC_DISC_TEMPFAIL);
	assert_int_equal(f.nq, DMARC_MAX_QUERIES);
	dmarc_discovery_free(&d);
}

static void
author_existence_by_txt_query(void **state)
{
	static const fake_rr t[] = {
		{"exists.example.com", DNS_STATUS_NODATA, {NULL}},
		{"txt.example.com", DNS_STATUS_OK, {"hello"}},
		{"broken.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"exists.example.com",
	    "txt.example.com", "gone.example.com", "broken.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	int	ex;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	assert_int_equal(dmarc_domain_exists(&d, "exists.example.com", &ex),
	    DMARC_DISC_FOUND);
	assert_int_equal(ex, 1);
	assert_int_equal(dmarc_domain_exists(&d, "txt.example.com", &ex),
	    DMARC_DISC_FOUND);
	assert_int_equal(ex, 1);
	assert_int_equal(dmarc_domain_exists(&d, "gone.example.com", &ex),
	    DMARC_DISC_FOUND);
	assert_int_equal(ex, 0);
	assert_int_equal(dmarc_domain_exists(&d, "broken.example.com", &ex),
	    DMARC_DISC_TEMPFAIL);
	assert_string_equal(d.failed_name, "broken.example.com");
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
invalid_names_are_refused_without_queries(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const bad[] = {"", ".", "example.com.", ".example.com",
	    "a..b", "ex ample.com", "exa;mple.com", "\xc3\xa9t\xc3\xa9.fr",
	    "0123456789012345678901234567890123456789012345678901234567890123.com",
	    NULL};
	static const char *const none[] = {NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;
	size_t	i;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_TREEWALK, NULL);
	for (i = 0; bad[i] != NULL; i++)
		assert_int_equal(dmarc_discover_policy(&d, bad[i], &fd),
		    DMARC_DISC_BADNAME);
	assert_int_equal(dmarc_discover_policy(&d, NULL, &fd), DMARC_DISC_BADNAME);
	assert_queries(&f, none);
	assert_true(dmarc_domain_valid("_x-1.example.com"));
	assert_true(dmarc_domain_valid("com"));
	dmarc_discovery_free(&d);
}

static void
names_compare_ascii_case_insensitively(void **state)
{
	assert_true(dmarc_domain_equal("Example.COM", "example.com"));
	assert_false(dmarc_domain_equal("example.com", "example.co"));
	assert_false(dmarc_domain_equal("example.co", "example.com"));
	assert_false(dmarc_domain_equal("\xc9xample.com", "\xe9xample.com"));
	assert_true(dmarc_domain_equal("", ""));
}

static void
name_longer_than_253_is_invalid(void **state)
{
	char	name[300];
	size_t	i;

	for (i = 0; i < 254; i++)
		name[i] = (i % 50 == 49) ? '.' : 'a';
	name[254] = '\0';
	assert_false(dmarc_domain_valid(name));
	name[253] = '\0';
	assert_true(dmarc_domain_valid(name));
}

/* ---- PSL mode ------------------------------------------------------ */

static void
psl_mode_queries_author_then_org(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.co.uk", DNS_STATUS_OK,
		    {"v=DMARC1; p=reject; sp=quarantine"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.a.b.example.co.uk",
	    "_dmarc.example.co.uk", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;
	const psl_ctx_t *psl = psl_builtin();

	assert_non_null(psl);
	setup_disc(&d, &f, t, DMARC_DISCOVERY_PSL, psl);
	assert_int_equal(dmarc_discover_policy(&d, "a.b.example.co.uk", &fd),
	    DMARC_DISC_FOUND);
	assert_false(fd.at_author);
	assert_string_equal(fd.org_domain, "example.co.uk");
	assert_string_equal(fd.policy_domain, "example.co.uk");
	assert_int_equal(fd.rec->sp, DMARC_POLICY_QUARANTINE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
psl_mode_multiple_records_at_author_end_discovery(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.a.example.com", DNS_STATUS_OK,
		    {"v=DMARC1; p=none", "v=DMARC1; p=reject"}},
		{"_dmarc.example.com", DNS_STATUS_OK, {"v=DMARC1; p=reject"}},
		{NULL, 0, {NULL}}
	};
	static const char *const want[] = {"_dmarc.a.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_PSL, psl_builtin());
	assert_int_equal(dmarc_discover_policy(&d, "a.example.com", &fd),
	    DMARC_DISC_NONE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
psl_mode_org_equal_to_author_asks_once(void **state)
{
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const want[] = {"_dmarc.example.com", NULL};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_PSL, psl_builtin());
	assert_int_equal(dmarc_discover_policy(&d, "example.com", &fd),
	    DMARC_DISC_NONE);
	assert_queries(&f, want);
	dmarc_discovery_free(&d);
}

static void
psl_mode_tempfail_at_org_is_tempfail(void **state)
{
	static const fake_rr t[] = {
		{"_dmarc.example.com", DNS_STATUS_TEMPFAIL, {NULL}},
		{NULL, 0, {NULL}}
	};
	dmarc_discovery d;
	fake_dns f;
	dmarc_found fd;

	setup_disc(&d, &f, t, DMARC_DISCOVERY_PSL, psl_builtin());
	assert_int_equal(dmarc_discover_policy(&d, "www.example.com", &fd),
	    DMARC_DISC_TEMPFAIL);
	assert_string_equal(d.failed_name, "_dmarc.example.com");
	dmarc_discovery_free(&d);
}

static void
psl_mode_org_domain_from_list_file(void **state)
{
	psl_ctx_t *psl = psl_load_file("/usr/share/publicsuffix/public_suffix_list.dat");
	dmarc_discovery d;
	fake_dns f;
	char	org[DMARC_NAME_MAX + 1];
	static const fake_rr t[] = {{NULL, 0, {NULL}}};
	static const char *const none[] = {NULL};

	if (psl == NULL)
		skip();
	setup_disc(&d, &f, t, DMARC_DISCOVERY_PSL, psl);
	assert_int_equal(dmarc_org_domain(&d, "mail.example.co.uk", org,
	    sizeof(org)), DMARC_DISC_FOUND);
	assert_string_equal(org, "example.co.uk");
	/* a public suffix has no registrable domain: itself */
	assert_int_equal(dmarc_org_domain(&d, "co.uk", org, sizeof(org)),
	    DMARC_DISC_FOUND);
	assert_string_equal(org, "co.uk");
	assert_queries(&f, none);
	dmarc_discovery_free(&d);
	psl_free(psl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_at_author_domain_is_used_with_one_query),
		cmocka_unit_test(non_dmarc_txt_records_are_dropped),
		cmocka_unit_test(walk_from_subdomain_finds_org_record),
		cmocka_unit_test(no_record_anywhere_is_none_after_walk_to_tld),
		cmocka_unit_test(walk_with_ten_labels_jumps_to_seven),
		cmocka_unit_test(walk_with_eight_labels_goes_one_at_a_time),
		cmocka_unit_test(walk_with_twenty_labels_asks_eight_names),
		cmocka_unit_test(psd_y_record_applies_when_org_has_none),
		cmocka_unit_test(psd_y_prefers_org_domain_record),
		cmocka_unit_test(psd_n_stops_walk_and_is_org_domain),
		cmocka_unit_test(org_domain_is_record_with_fewest_labels),
		cmocka_unit_test(org_domain_without_records_is_the_domain_itself),
		cmocka_unit_test(org_domain_psd_y_at_start_is_the_start),
		cmocka_unit_test(multiple_records_at_one_name_count_as_none),
		cmocka_unit_test(unusable_author_record_is_unusable_not_fallback),
		cmocka_unit_test(tempfail_at_author_record_is_tempfail),
		cmocka_unit_test(tempfail_in_walk_is_tempfail),
		cmocka_unit_test(bogus_answer_arrives_as_tempfail),
		cmocka_unit_test(memo_reuses_answers_between_walks),
		cmocka_unit_test(query_budget_is_capped),
		cmocka_unit_test(author_existence_by_txt_query),
		cmocka_unit_test(invalid_names_are_refused_without_queries),
		cmocka_unit_test(names_compare_ascii_case_insensitively),
		cmocka_unit_test(name_longer_than_253_is_invalid),
		cmocka_unit_test(psl_mode_queries_author_then_org),
		cmocka_unit_test(psl_mode_multiple_records_at_author_end_discovery),
		cmocka_unit_test(psl_mode_org_equal_to_author_asks_once),
		cmocka_unit_test(psl_mode_tempfail_at_org_is_tempfail),
		cmocka_unit_test(psl_mode_org_domain_from_list_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
