/*
 * test_dane_check.c -- the DANE self-check's result rules (RFC 7672 2.2,
 *	3.1.3) over a fake dns_rrset_fn, one test per rule.
 *
 *	The certificates (root CA, intermediate, a leaf for mx.example.com
 *	and a renewed leaf with a new key) are made here with the OpenSSL
 *	API; TLSA rdata is computed from them with libcrypto directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "dane_check.h"

#define HOST		CERTGEN_HOST
#define OWNER		"_25._tcp." HOST
#define DAY		CERTGEN_DAY
#define FAKE_MAX	(DANE_MAX_RECORDS + 1)
#define RDATA_MAX	1024

/* ---------------------------------------------------- certificate factory */

static EVP_PKEY *root_key, *int_key, *leaf_key, *new_key;
static X509 *root, *intm, *leaf, *renewed;
static tlsa_chain *served, *served_renewed;

static tlsa_chain *
chain(X509 *a, X509 *b, X509 *c)
{
	X509	*certs[3] = { a, b, c };
	BIO	*bio = BIO_new(BIO_s_mem());
	tlsa_chain *ch = tlsa_chain_new();
	char	*p, err[256];
	long	len;
	size_t	i;

	assert_non_null(bio);
	assert_non_null(ch);
	for (i = 0; i < 3; i++)
		assert_int_equal(PEM_write_bio_X509(bio, certs[i]), 1);
	len = BIO_get_mem_data(bio, &p);
	assert_int_equal(tlsa_chain_add_pem(ch, p, (size_t)len, "test", err, sizeof(err)), 3);
	BIO_free(bio);
	return ch;
}

static int
make_world(void **state)
{
	root_key = EVP_EC_gen("P-256");
	int_key = EVP_EC_gen("P-256");
	leaf_key = EVP_EC_gen("P-256");
	new_key = EVP_EC_gen("P-256");
	if (!root_key || !int_key || !leaf_key || !new_key)
		return -1;
	root = certgen_make(root_key, "Test Root CA", NULL, NULL, 1, -DAY, 365 * DAY);
	intm = certgen_make(int_key, "Test Intermediate CA", root, root_key, 1, -DAY, 365 * DAY);
	leaf = certgen_make(leaf_key, HOST, intm, int_key, 0, -DAY, 365 * DAY);
	renewed = certgen_make(new_key, HOST, intm, int_key, 0, -DAY, 365 * DAY);
	served = chain(leaf, intm, root);
	served_renewed = chain(renewed, intm, root);
	return 0;
}

static int
free_world(void **state)
{
	tlsa_chain_free(served);
	tlsa_chain_free(served_renewed);
	X509_free(root); X509_free(intm); X509_free(leaf); X509_free(renewed);
	EVP_PKEY_free(root_key); EVP_PKEY_free(int_key); EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(new_key);
	return 0;
}

/* ------------------------------------------------------------- fake DNS */

typedef struct fake_tlsa {
	dns_status	status;
	dns_sec		sec;
	int		ttl;
	size_t		n;
	unsigned char	rd[FAKE_MAX][RDATA_MAX];
	size_t		len[FAKE_MAX];
	/* what was asked */
	int		nq;
	char		qname[300];
	int		qtype;
} fake_tlsa;

/* fake_lookup - the dns_rrset_fn; allocates the way dns.c does */
static void
fake_lookup(void *ctx, const char *name, int rrtype, dns_rrset *out)
{
	fake_tlsa *f = ctx;
	size_t	i;

	f->nq++;
	snprintf(f->qname, sizeof(f->qname), "%s", name);
	f->qtype = rrtype;
	memset(out, 0, sizeof(*out));
	out->status = f->status;
	out->sec = f->sec;
	out->ttl = f->ttl;
	if (f->status != DNS_STATUS_OK || f->n == 0)
		return;
	out->data = calloc(f->n, sizeof(*out->data));
	out->len = calloc(f->n, sizeof(*out->len));
	assert_non_null(out->data);
	assert_non_null(out->len);
	for (i = 0; i < f->n; i++) {
		out->data[i] = malloc(f->len[i] ? f->len[i] : 1);
		assert_non_null(out->data[i]);
		memcpy(out->data[i], f->rd[i], f->len[i]);
		out->len[i] = f->len[i];
		out->n = i + 1;
	}
}

static fake_tlsa *
fake(dns_status status, dns_sec sec)
{
	fake_tlsa *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->status = status;
	f->sec = sec;
	f->ttl = 300;
	return f;
}

/* add - a record for x with association data computed from libcrypto */
static void
add(fake_tlsa *f, unsigned usage, unsigned sel, unsigned mtype, X509 *x)
{
	unsigned char *der = NULL, *buf = f->rd[f->n];
	unsigned int dlen;
	int	len;

	assert_true(f->n < FAKE_MAX);
	buf[0] = (unsigned char)usage;
	buf[1] = (unsigned char)sel;
	buf[2] = (unsigned char)mtype;
	len = sel == 1 ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : i2d_X509(x, &der);
	assert_true(len > 0 && len + 3 <= RDATA_MAX);
	if (mtype == 0) {
		memcpy(buf + 3, der, (size_t)len);
	} else {
		assert_int_equal(EVP_Digest(der, (size_t)len, buf + 3, &dlen,
		    mtype == 2 ? EVP_sha512() : EVP_sha256(), NULL), 1);
		len = (int)dlen;
	}
	OPENSSL_free(der);
	f->len[f->n++] = (size_t)len + 3;
}

static void
add_raw(fake_tlsa *f, const unsigned char *rd, size_t len)
{
	assert_true(f->n < FAKE_MAX && len <= RDATA_MAX);
	memcpy(f->rd[f->n], rd, len);
	f->len[f->n++] = len;
}

/* check - run dane_check over f and return its result; r must be freed */
static dane_res
check(fake_tlsa *f, const char *owner, const tlsa_chain *ch, dane_report *r)
{
	dane_check(fake_lookup, f, owner, ch, r);
	return r->result;
}

/* ---------------------------------------------------------------- tests */

static void
secure_matching_dane_ee_is_pass(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 3, 1, 1, leaf);
	f->ttl = 3600;
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_PASS);
	assert_int_equal(r.ttl, 3600);
	assert_int_equal(r.sec, DNS_SEC_SECURE);
	assert_int_equal(r.status, DNS_STATUS_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.nusable, 1);
	assert_int_equal(r.nmatch, 1);
	assert_int_equal(r.rec[0].m.depth, 0);
	assert_int_equal(strncmp(r.rec[0].text, "3 1 1 ", 6), 0);
	assert_int_equal(strlen(r.rec[0].text), 6 + 64);
	assert_string_equal(r.host, HOST);
	assert_string_equal(dane_res_name(r.result), "pass");
	dane_report_free(&r);
	free(f);
}

static void
lookup_asks_tlsa_at_the_owner_once(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_NXDOMAIN, DNS_SEC_SECURE);
	dane_report r;

	check(f, OWNER, served, &r);
	assert_int_equal(f->nq, 1);
	assert_string_equal(f->qname, OWNER);
	assert_int_equal(f->qtype, DNS_T_TLSA);
	assert_int_equal(f->qtype, 52);
	dane_report_free(&r);
	free(f);
}

static void
secure_usable_records_none_matching_is_fail(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 3, 1, 1, renewed);
	add(f, 2, 0, 1, leaf);		/* a TA record for the leaf: never */
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_FAIL);
	assert_int_equal(r.nusable, 2);
	assert_int_equal(r.nmatch, 0);
	assert_string_equal(dane_res_name(r.result), "fail");
	dane_report_free(&r);
	free(f);
}

/* the classic outage: new key served, TLSA still names the old one */
static void
renewed_certificate_without_tlsa_update_is_fail(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 3, 1, 1, leaf);
	add(f, 3, 0, 1, leaf);
	assert_int_equal(check(f, OWNER, served_renewed, &r), DANE_RES_FAIL);
	dane_report_free(&r);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_PASS);
	dane_report_free(&r);
	free(f);
}

static void
renewed_certificate_with_a_ca_record_is_pass(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 3, 1, 1, leaf);
	add(f, 2, 0, 1, root);
	assert_int_equal(check(f, OWNER, served_renewed, &r), DANE_RES_PASS);
	assert_int_equal(r.nmatch, 1);
	assert_int_equal(r.rec[0].m.match, 0);
	assert_int_equal(r.rec[1].m.match, 1);
	assert_int_equal(r.rec[1].m.depth, 2);
	dane_report_free(&r);
	free(f);
}

/* RFC 7672 2.2: a secure RRset with no usable record: DANE does not apply */
static void
secure_only_unusable_records_is_none(void **state)
{
	static const unsigned char unknown_mtype[] = { 3, 1, 9, 1, 2, 3 };
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 1, 1, 1, leaf);		/* PKIX-EE, matching data */
	add(f, 0, 0, 1, root);		/* PKIX-TA, matching data */
	add_raw(f, unknown_mtype, sizeof(unknown_mtype));
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.nusable, 0);
	assert_int_equal(r.nmatch, 0);
	assert_int_equal(r.rec[0].m.depth, 0);	/* still reported */
	dane_report_free(&r);
	free(f);
}

static void
usable_match_among_unusable_records_is_pass(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 1, 1, 1, renewed);
	add(f, 3, 1, 2, leaf);
	add(f, 0, 0, 1, root);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_PASS);
	assert_int_equal(r.nusable, 1);
	assert_int_equal(r.nmatch, 1);
	dane_report_free(&r);
	free(f);
}

static void
matching_unusable_record_does_not_rescue_a_usable_mismatch(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 1, 1, 1, leaf);		/* matches, but PKIX-EE */
	add(f, 3, 1, 1, renewed);	/* usable, does not match */
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_FAIL);
	dane_report_free(&r);
	free(f);
}

/* RFC 7672 2.2: records of an insecure zone are ignored by senders */
static void
insecure_zone_records_are_none_even_when_matching(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_INSECURE);
	dane_report r;

	add(f, 3, 1, 1, leaf);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.nmatch, 1);		/* judged for the report */
	assert_non_null(strstr(r.reason, "not DNSSEC-signed"));
	dane_report_free(&r);
	free(f);
}

static void
bogus_answer_is_temperror(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_TEMPFAIL, DNS_SEC_BOGUS);
	dane_report r;

	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_TEMPERROR);
	assert_non_null(strstr(r.reason, "bogus"));
	dane_report_free(&r);
	/* data marked bogus is never judged as if it counted */
	f->status = DNS_STATUS_OK;
	add(f, 3, 1, 1, leaf);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_TEMPERROR);
	assert_string_equal(dane_res_name(r.result), "temperror");
	dane_report_free(&r);
	free(f);
}

static void
servfail_or_timeout_is_temperror(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_TEMPFAIL, DNS_SEC_INSECURE);
	dane_report r;

	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_TEMPERROR);
	assert_int_equal(r.status, DNS_STATUS_TEMPFAIL);
	dane_report_free(&r);
	free(f);
}

static void
nxdomain_is_none(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_NXDOMAIN, DNS_SEC_SECURE);
	dane_report r;

	f->ttl = 120;
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	assert_int_equal(r.ttl, 120);
	assert_int_equal(r.n, 0);
	assert_string_equal(dane_res_name(r.result), "none");
	dane_report_free(&r);
	free(f);
}

static void
nodata_is_none(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_NODATA, DNS_SEC_INSECURE);
	dane_report r;

	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	dane_report_free(&r);
	/* an OK answer without records is NODATA too */
	f->status = DNS_STATUS_OK;
	f->sec = DNS_SEC_SECURE;
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	assert_int_equal(r.status, DNS_STATUS_NODATA);
	dane_report_free(&r);
	free(f);
}

static void
malformed_rdata_is_an_unusable_record(void **state)
{
	static const unsigned char short_rd[] = { 3, 1 };
	static const unsigned char bad_sha256[] = { 3, 1, 1, 0xaa, 0xbb };
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add_raw(f, short_rd, sizeof(short_rd));
	add_raw(f, bad_sha256, sizeof(bad_sha256));
	add_raw(f, short_rd, 0);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_NONE);
	assert_int_equal(r.rec[0].parsed, 0);
	assert_int_equal(r.rec[0].usable, 0);
	assert_string_equal(r.rec[0].text, "\\# 2 0301");
	assert_string_equal(r.rec[1].text, "\\# 5 030101aabb");
	assert_string_equal(r.rec[2].text, "\\# 0");
	dane_report_free(&r);
	add(f, 3, 1, 1, leaf);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_PASS);
	dane_report_free(&r);
	free(f);
}

static void
more_records_than_judged_is_temperror(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;
	size_t	i;

	for (i = 0; i < DANE_MAX_RECORDS; i++)
		add(f, 3, 1, 1, renewed);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_FAIL);
	dane_report_free(&r);
	add(f, 3, 1, 1, leaf);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_TEMPERROR);
	assert_int_equal(r.n, 0);
	dane_report_free(&r);
	free(f);
}

static void
owner_not_a_service_name_is_temperror_without_lookup(void **state)
{
	static const char *const bad[] = {
		"mx.example.com", "_25.mx.example.com", "_x25._tcp.mx.example.com",
		"_25._tcp.", "_25._tcp..example.com", "_._tcp.mx.example.com",
		"_25._t-p.mx.example.com", "_25._tcp.mx example.com", "", NULL
	};
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;
	size_t	i;

	add(f, 3, 1, 1, leaf);
	for (i = 0; bad[i]; i++) {
		assert_int_equal(check(f, bad[i], served, &r), DANE_RES_TEMPERROR);
		dane_report_free(&r);
	}
	assert_int_equal(check(f, NULL, served, &r), DANE_RES_TEMPERROR);
	dane_report_free(&r);
	assert_int_equal(f->nq, 0);
	free(f);
}

static void
missing_chain_is_temperror(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	tlsa_chain *empty = tlsa_chain_new();
	dane_report r;

	add(f, 3, 1, 1, leaf);
	assert_int_equal(check(f, OWNER, empty, &r), DANE_RES_TEMPERROR);
	dane_report_free(&r);
	assert_int_equal(check(f, OWNER, NULL, &r), DANE_RES_TEMPERROR);
	dane_report_free(&r);
	tlsa_chain_free(empty);
	free(f);
}

/* RFC 7672 3.2.3: DANE-TA checks the leaf name against the TLSA base domain */
static void
dane_ta_name_check_uses_the_owner_host(void **state)
{
	fake_tlsa *f = fake(DNS_STATUS_OK, DNS_SEC_SECURE);
	dane_report r;

	add(f, 2, 0, 1, root);
	assert_int_equal(check(f, OWNER, served, &r), DANE_RES_PASS);
	dane_report_free(&r);
	assert_int_equal(check(f, "_25._tcp." HOST ".", served, &r), DANE_RES_PASS);
	dane_report_free(&r);
	assert_int_equal(check(f, "_25._tcp.mail.example.net", served, &r), DANE_RES_FAIL);
	assert_string_equal(r.host, "mail.example.net");
	assert_int_equal(r.rec[0].m.depth, 2);
	dane_report_free(&r);
	free(f);
}

static void
owner_host_strips_service_labels_and_root(void **state)
{
	char	host[DANE_HOST_MAX + 1];

	assert_int_equal(dane_owner_host("_25._tcp.mx.example.com.", host, sizeof(host)), 0);
	assert_string_equal(host, "mx.example.com");
	assert_int_equal(dane_owner_host("_465._tcp.smtp.example.org", host, sizeof(host)), 0);
	assert_string_equal(host, "smtp.example.org");
	assert_int_equal(dane_owner_host("_25._tcp.mx.example.com", host, 10), -1);
	assert_int_equal(dane_owner_host("_25._tcp.a..b", host, sizeof(host)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secure_matching_dane_ee_is_pass),
		cmocka_unit_test(lookup_asks_tlsa_at_the_owner_once),
		cmocka_unit_test(secure_usable_records_none_matching_is_fail),
		cmocka_unit_test(renewed_certificate_without_tlsa_update_is_fail),
		cmocka_unit_test(renewed_certificate_with_a_ca_record_is_pass),
		cmocka_unit_test(secure_only_unusable_records_is_none),
		cmocka_unit_test(usable_match_among_unusable_records_is_pass),
		cmocka_unit_test(matching_unusable_record_does_not_rescue_a_usable_mismatch),
		cmocka_unit_test(insecure_zone_records_are_none_even_when_matching),
		cmocka_unit_test(bogus_answer_is_temperror),
		cmocka_unit_test(servfail_or_timeout_is_temperror),
		cmocka_unit_test(nxdomain_is_none),
		cmocka_unit_test(nodata_is_none),
		cmocka_unit_test(malformed_rdata_is_an_unusable_record),
		cmocka_unit_test(more_records_than_judged_is_temperror),
		cmocka_unit_test(owner_not_a_service_name_is_temperror_without_lookup),
		cmocka_unit_test(missing_chain_is_temperror),
		cmocka_unit_test(dane_ta_name_check_uses_the_owner_host),
		cmocka_unit_test(owner_host_strips_service_labels_and_root),
	};

	return cmocka_run_group_tests(tests, make_world, free_world);
}
