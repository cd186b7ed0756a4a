/*
 * test_dns_cache.c -- the TTL cache in front of libunbound (util/dns_cache.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"

/* an answer with one rdata "v=DMARC1" (as TXT wire data) */
static dns_rrset
answer(dns_status status, dns_sec sec, int ttl)
{
	static unsigned char rd[] = "\x08v=DMARC1";
	static unsigned char *data[1] = { rd };
	static size_t len[1] = { 9 };
	dns_rrset rs;

	memset(&rs, 0, sizeof(rs));
	rs.status = status;
	rs.sec = sec;
	rs.ttl = ttl;
	if (status == DNS_STATUS_OK) {
		rs.n = 1;
		rs.data = data;
		rs.len = len;
	}
	return rs;
}

static void
hit_returns_a_copy_with_status_and_security(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_SECURE, 300), out;

	dns_cache_put(c, "_dmarc.example.com", DNS_T_TXT, 1000, &in);
	assert_int_equal(dns_cache_get(c, "_dmarc.example.com", DNS_T_TXT, 1010, &out), 1);
	assert_int_equal(out.status, DNS_STATUS_OK);
	assert_int_equal(out.sec, DNS_SEC_SECURE);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.len[0], 9);
	assert_memory_equal(out.data[0], "\x08v=DMARC1", 9);
	assert_ptr_not_equal(out.data[0], in.data[0]);
	assert_int_equal(out.ttl, 290);		/* what is left of it */
	dns_rrset_free(&out);
	dns_cache_free(c);
}

static void
entry_expires_with_its_ttl(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 60), out;

	dns_cache_put(c, "a.example", DNS_T_TXT, 1000, &in);
	assert_int_equal(dns_cache_get(c, "a.example", DNS_T_TXT, 1059, &out), 1);
	dns_rrset_free(&out);
	assert_int_equal(dns_cache_get(c, "a.example", DNS_T_TXT, 1060, &out), 0);
	dns_cache_free(c);
}

static void
ttl_is_capped(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 86400), out;

	dns_cache_put(c, "a.example", DNS_T_TXT, 0, &in);
	assert_int_equal(dns_cache_get(c, "a.example", DNS_T_TXT, DNS_CACHE_MAX_TTL, &out), 0);
	dns_cache_free(c);
}

static void
negative_answers_are_kept(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset nx = answer(DNS_STATUS_NXDOMAIN, DNS_SEC_SECURE, 30);
	dns_rrset nd = answer(DNS_STATUS_NODATA, DNS_SEC_INSECURE, 30), out;

	dns_cache_put(c, "nosuch.example", DNS_T_TXT, 0, &nx);
	dns_cache_put(c, "exists.example", DNS_T_TXT, 0, &nd);
	assert_int_equal(dns_cache_get(c, "nosuch.example", DNS_T_TXT, 1, &out), 1);
	assert_int_equal(out.status, DNS_STATUS_NXDOMAIN);
	assert_int_equal(out.sec, DNS_SEC_SECURE);
	dns_rrset_free(&out);
	assert_int_equal(dns_cache_get(c, "exists.example", DNS_T_TXT, 1, &out), 1);
	assert_int_equal(out.status, DNS_STATUS_NODATA);
	dns_rrset_free(&out);
	dns_cache_free(c);
}

static void
failures_are_never_kept(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset fail = answer(DNS_STATUS_TEMPFAIL, DNS_SEC_BOGUS, 300), out;

	dns_cache_put(c, "bogus.example", DNS_T_TXT, 0, &fail);
	assert_int_equal(dns_cache_get(c, "bogus.example", DNS_T_TXT, 1, &out), 0);
	dns_cache_free(c);
}

static void
zero_ttl_is_not_kept(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 0), out;

	dns_cache_put(c, "a.example", DNS_T_TXT, 0, &in);
	assert_int_equal(dns_cache_get(c, "a.example", DNS_T_TXT, 0, &out), 0);
	dns_cache_free(c);
}

static void
names_compare_without_case_and_types_apart(void **state)
{
	dns_cache *c = dns_cache_new(8);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 60), out;

	dns_cache_put(c, "MiXeD.Example", DNS_T_TXT, 0, &in);
	assert_int_equal(dns_cache_get(c, "mixed.example", DNS_T_TXT, 1, &out), 1);
	dns_rrset_free(&out);
	assert_int_equal(dns_cache_get(c, "mixed.example", DNS_T_A, 1, &out), 0);
	dns_cache_free(c);
}

static void
full_cache_drops_the_oldest(void **state)
{
	dns_cache *c = dns_cache_new(3);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 60), out;
	char	name[32];
	int	i;

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		dns_cache_put(c, name, DNS_T_TXT, 0, &in);
	}
	assert_int_equal(dns_cache_get(c, "n0.example", DNS_T_TXT, 1, &out), 0);
	for (i = 1; i < 4; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		assert_int_equal(dns_cache_get(c, name, DNS_T_TXT, 1, &out), 1);
		dns_rrset_free(&out);
	}
	dns_cache_free(c);
}

static void
replacing_an_entry_keeps_one(void **state)
{
	dns_cache *c = dns_cache_new(2);
	dns_rrset a = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 60);
	dns_rrset b = answer(DNS_STATUS_NXDOMAIN, DNS_SEC_INSECURE, 60), out;

	dns_cache_put(c, "x.example", DNS_T_TXT, 0, &a);
	dns_cache_put(c, "x.example", DNS_T_TXT, 0, &b);
	dns_cache_put(c, "y.example", DNS_T_TXT, 0, &a);
	assert_int_equal(dns_cache_get(c, "x.example", DNS_T_TXT, 1, &out), 1);
	assert_int_equal(out.status, DNS_STATUS_NXDOMAIN);
	dns_rrset_free(&out);
	assert_int_equal(dns_cache_get(c, "y.example", DNS_T_TXT, 1, &out), 1);
	dns_rrset_free(&out);
	dns_cache_free(c);
}

static void
overlong_name_is_never_cached(void **state)
{
	dns_cache *c = dns_cache_new(4);
	dns_rrset in = answer(DNS_STATUS_OK, DNS_SEC_INSECURE, 60), out;
	char	name[400];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	dns_cache_put(c, name, DNS_T_TXT, 0, &in);
	assert_int_equal(dns_cache_get(c, name, DNS_T_TXT, 1, &out), 0);
	dns_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hit_returns_a_copy_with_status_and_security),
		cmocka_unit_test(entry_expires_with_its_ttl),
		cmocka_unit_test(ttl_is_capped),
		cmocka_unit_test(negative_answers_are_kept),
		cmocka_unit_test(failures_are_never_kept),
		cmocka_unit_test(zero_ttl_is_not_kept),
		cmocka_unit_test(names_compare_without_case_and_types_apart),
		cmocka_unit_test(full_cache_drops_the_oldest),
		cmocka_unit_test(replacing_an_entry_keeps_one),
		cmocka_unit_test(overlong_name_is_never_cached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
