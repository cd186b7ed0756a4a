/*
 * test_dane_decide.c -- unit tests for the DANE decision (tlspolicy/dane_decide.c)
 *	over a table-driven fake of dns_lookup_rrset.
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

#include "dane_decide.h"

#define S	DNS_SEC_SECURE
#define I	DNS_SEC_INSECURE
#define BOGUS	DNS_SEC_BOGUS
#define MAXRR	(DANE_MX_MAX + 2)

/* rdata in a readable form: "10 mx.example" (MX), "192.0.2.1" (A),
 * "3 1 1" (TLSA with a 32-byte digest), "3 1 1 short" (a 3-byte digest) */
typedef struct fake_answer {
	const char	*name;
	int		type;
	dns_status	status;
	dns_sec		sec;
	const char	*rr[MAXRR];
} fake_answer;

typedef struct fake {
	const fake_answer *t;
	unsigned	nq;
} fake;

static size_t
mx_wire(const char *text, unsigned char *out)
{
	unsigned pref;
	char	name[256], *label, *save = NULL;
	size_t	n = 2;

	assert_int_equal(sscanf(text, "%u %255s", &pref, name), 2);
	out[0] = (unsigned char)(pref >> 8);
	out[1] = (unsigned char)pref;
	if (strcmp(name, ".") != 0)
		for (label = strtok_r(name, ".", &save); label; label = strtok_r(NULL, ".", &save)) {
			out[n++] = (unsigned char)strlen(label);
			memcpy(out + n, label, strlen(label));
			n += strlen(label);
		}
	out[n++] = 0;
	return n;
}

static size_t
tlsa_wire(const char *text, unsigned char *out)
{
	unsigned u, s, m;

	assert_int_equal(sscanf(text, "%u %u %u", &u, &s, &m), 3);
	out[0] = (unsigned char)u;
	out[1] = (unsigned char)s;
	out[2] = (unsigned char)m;
	if (strstr(text, "short")) {
		memset(out + 3, 0xab, 3);
		return 6;
	}
	memset(out + 3, 0xab, 32);
	return 35;
}

static void
fake_lookup(void *ctx, const char *name, int type, dns_rrset *out)
{
	fake	*f = ctx;
	const fake_answer *a;
	unsigned char buf[300];
	size_t	i, n;

	f->nq++;
	memset(out, 0, sizeof(*out));
	out->status = DNS_STATUS_NXDOMAIN;
	out->sec = S;
	for (a = f->t; a->name != NULL; a++)
		if (strcasecmp(a->name, name) == 0 && a->type == type)
			break;
	if (a->name == NULL)
		return;
	out->status = a->status;
	out->sec = a->sec;
	out->ttl = 300;
	for (n = 0; n < MAXRR && a->rr[n]; n++)
		continue;
	if (n == 0)
		return;
	out->data = calloc(n, sizeof(*out->data));
	out->len = calloc(n, sizeof(*out->len));
	for (i = 0; i < n; i++) {
		if (type == DNS_T_MX)
			out->len[i] = mx_wire(a->rr[i], buf);
		else if (type == DNS_T_TLSA)
			out->len[i] = tlsa_wire(a->rr[i], buf);
		else {
			out->len[i] = type == DNS_T_A ? 4 : 16;
			memset(buf, 1, 16);
		}
		out->data[i] = malloc(out->len[i]);
		memcpy(out->data[i], buf, out->len[i]);
	}
	out->n = n;
}

static dane_verdict
decide(const fake_answer *t, const char *domain, dane_report *r)
{
	fake	f = { t, 0 };

	dane_decide(fake_lookup, &f, domain, r);
	print_message("%s: %s (%s)\n", domain, dane_verdict_name(r->verdict), r->why);
	return r->verdict;
}

#define OK	DNS_STATUS_OK
#define NODATA	DNS_STATUS_NODATA
#define NX	DNS_STATUS_NXDOMAIN
#define TEMP	DNS_STATUS_TEMPFAIL

static void
every_mx_usable_is_dane_only(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.d.test", "20 b.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "b.d.test", DNS_T_A, NODATA, S, { NULL } },
		{ "b.d.test", DNS_T_AAAA, OK, S, { "x" } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, OK, S, { "3 1 1" } },
		{ "_25._tcp.b.d.test", DNS_T_TLSA, OK, S, { "0 0 1", "2 0 1" } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_ALL);
	assert_int_equal(r.nhosts, 2);
	assert_string_equal(r.host[0].name, "a.d.test");
	assert_int_equal(r.host[1].nusable, 1);
	assert_int_equal(r.host[1].ntlsa, 2);
}

static void
some_mx_usable_is_dane(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, S, { "20 b.d.test", "10 a.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "b.d.test", DNS_T_A, OK, S, { "x" } },
		{ "b.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, OK, S, { "3 1 1" } },
		{ "_25._tcp.b.d.test", DNS_T_TLSA, NX, S, { NULL } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_SOME);
	assert_string_equal(r.host[0].name, "a.d.test");	/* sorted by preference */
	assert_int_equal(r.host[1].state, HOST_NO_TLSA);
}

static void
insecure_mx_is_no_dane(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, I, { "10 a.d.test" } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_NONE);
	assert_int_equal(r.nhosts, 0);
}

static void
secure_nodata_mx_is_implicit_mx(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, NODATA, S, { NULL } },
		{ "d.test", DNS_T_A, OK, S, { "x" } },
		{ "d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.d.test", DNS_T_TLSA, OK, S, { "3 0 2" } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_NONE);	/* 3 0 2 needs 64 bytes */
	assert_int_equal(r.implicit_mx, 1);
	assert_string_equal(r.host[0].name, "d.test");
	assert_int_equal(r.host[0].state, HOST_UNUSABLE);
}

static void
wrong_digest_length_is_unusable(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, OK, S, { "3 1 1 short", "1 1 1", "3 2 1" } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_NONE);
	assert_int_equal(r.host[0].ntlsa, 3);
	assert_int_equal(r.host[0].nusable, 0);
}

static void
failures_on_the_way_are_temp(void **state)
{
	static const fake_answer mx_bogus[] = {
		{ "d.test", DNS_T_MX, TEMP, BOGUS, { NULL } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	static const fake_answer addr_fail[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.d.test", "20 b.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, OK, S, { "3 1 1" } },
		{ "b.d.test", DNS_T_A, TEMP, I, { NULL } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	static const fake_answer tlsa_timeout[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, TEMP, I, { NULL } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(mx_bogus, "d.test", &r), DANE_TEMP);
	assert_string_equal(r.why, "MX lookup for d.test failed (bogus)");
	assert_int_equal(decide(addr_fail, "d.test", &r), DANE_TEMP);
	assert_string_equal(r.why, "address lookup for MX host b.d.test failed (insecure)");
	assert_int_equal(decide(tlsa_timeout, "d.test", &r), DANE_TEMP);
	assert_string_equal(r.why, "TLSA lookup for _25._tcp.a.d.test failed (insecure)");
}

static void
insecure_address_skips_tlsa(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.other.test" } },
		{ "a.other.test", DNS_T_A, OK, I, { "x" } },
		{ "a.other.test", DNS_T_AAAA, NODATA, I, { NULL } },
		{ "_25._tcp.a.other.test", DNS_T_TLSA, TEMP, I, { NULL } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;
	fake	f = { t, 0 };

	(void)state;
	dane_decide(fake_lookup, &f, "d.test", &r);
	assert_int_equal(r.verdict, DANE_NONE);
	assert_int_equal(r.host[0].state, HOST_INSECURE);
	assert_int_equal(f.nq, 3);		/* MX, A, AAAA: no TLSA query */
}

static void
null_mx_and_nxdomain_are_no_mx(void **state)
{
	static const fake_answer nullmx[] = {
		{ "d.test", DNS_T_MX, OK, S, { "0 ." } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	static const fake_answer none[] = { { NULL, 0, 0, 0, { NULL } } };
	dane_report r;

	(void)state;
	assert_int_equal(decide(nullmx, "d.test", &r), DANE_NOMX);
	assert_int_equal(decide(none, "d.test", &r), DANE_NOMX);
}

static void
host_without_address_is_skipped(void **state)
{
	static const fake_answer t[] = {
		{ "d.test", DNS_T_MX, OK, S, { "10 a.d.test", "20 gone.d.test" } },
		{ "a.d.test", DNS_T_A, OK, S, { "x" } },
		{ "a.d.test", DNS_T_AAAA, NODATA, S, { NULL } },
		{ "_25._tcp.a.d.test", DNS_T_TLSA, OK, S, { "3 1 1" } },
		{ NULL, 0, 0, 0, { NULL } },
	};
	dane_report r;

	(void)state;
	assert_int_equal(decide(t, "d.test", &r), DANE_ALL);
	assert_int_equal(r.host[1].state, HOST_NO_ADDRESS);
}

static void
more_hosts_than_the_limit_never_pins(void **state)
{
	enum { N = DANE_MX_MAX + 1 };
	static char mx[N][40], a[N][32], tl[N][40];
	static fake_answer t[3 * N + 2];
	size_t	i, n = 1;
	dane_report r;

	(void)state;
	t[0] = (fake_answer){ "d.test", DNS_T_MX, OK, S, { NULL } };
	for (i = 0; i < N; i++) {
		snprintf(mx[i], sizeof(mx[i]), "%zu h%zu.d.test", i, i);
		snprintf(a[i], sizeof(a[i]), "h%zu.d.test", i);
		snprintf(tl[i], sizeof(tl[i]), "_25._tcp.h%zu.d.test", i);
		t[0].rr[i] = mx[i];
		t[n++] = (fake_answer){ a[i], DNS_T_A, OK, S, { "x" } };
		t[n++] = (fake_answer){ a[i], DNS_T_AAAA, NODATA, S, { NULL } };
		t[n++] = (fake_answer){ tl[i], DNS_T_TLSA, OK, S, { "3 1 1" } };
	}
	t[n].name = NULL;
	assert_int_equal(decide(t, "d.test", &r), DANE_SOME);
	assert_int_equal(r.nhosts, DANE_MX_MAX);
	assert_int_equal(r.truncated, 1);
	assert_string_equal(r.host[DANE_MX_MAX - 1].name, "h15.d.test");	/* the highest preference is cut */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_mx_usable_is_dane_only),
		cmocka_unit_test(some_mx_usable_is_dane),
		cmocka_unit_test(insecure_mx_is_no_dane),
		cmocka_unit_test(secure_nodata_mx_is_implicit_mx),
		cmocka_unit_test(wrong_digest_length_is_unusable),
		cmocka_unit_test(failures_on_the_way_are_temp),
		cmocka_unit_test(insecure_address_skips_tlsa),
		cmocka_unit_test(null_mx_and_nxdomain_are_no_mx),
		cmocka_unit_test(host_without_address_is_skipped),
		cmocka_unit_test(more_hosts_than_the_limit_never_pins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
