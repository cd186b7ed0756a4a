/*
 * test_tlsa_match.c -- TLSA rdata, served chains and the DANE SMTP matching
 *	rules (RFC 6698 2.1, RFC 7671 5.1/5.2, RFC 7672 3.1.3), one test per rule.
 *
 *	Every certificate is made here with the OpenSSL API (P-256 keys):
 *	a root CA, an intermediate, a leaf for mx.example.com, a "renewed"
 *	leaf with a new key, an expired leaf, and an unrelated CA. The
 *	association data a record should hold is computed here too, straight
 *	from libcrypto, not through the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certgen.h"
#include "tlsa_match.h"

#define HOST		CERTGEN_HOST
#define DAY		CERTGEN_DAY
#define RDATA_MAX	4096

/* ---------------------------------------------------- certificate factory */

static EVP_PKEY *root_key, *int_key, *leaf_key, *new_key, *other_key;
static X509 *root, *intm, *leaf, *renewed, *expired, *other;

static int
make_world(void **state)
{
	root_key = EVP_EC_gen("P-256");
	int_key = EVP_EC_gen("P-256");
	leaf_key = EVP_EC_gen("P-256");
	new_key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	if (!root_key || !int_key || !leaf_key || !new_key || !other_key)
		return -1;
	root = certgen_make(root_key, "Test Root CA", NULL, NULL, 1, -DAY, 3650 * DAY);
	intm = certgen_make(int_key, "Test Intermediate CA", root, root_key, 1, -DAY, 3650 * DAY);
	leaf = certgen_make(leaf_key, HOST, intm, int_key, 0, -DAY, 365 * DAY);
	renewed = certgen_make(new_key, HOST, intm, int_key, 0, -DAY, 365 * DAY);
	expired = certgen_make(leaf_key, HOST, intm, int_key, 0, -400 * DAY, -35 * DAY);
	other = certgen_make(other_key, "Unrelated CA", NULL, NULL, 1, -DAY, 3650 * DAY);
	return 0;
}

static int
free_world(void **state)
{
	X509_free(root); X509_free(intm); X509_free(leaf);
	X509_free(renewed); X509_free(expired); X509_free(other);
	EVP_PKEY_free(root_key); EVP_PKEY_free(int_key); EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(new_key); EVP_PKEY_free(other_key);
	return 0;
}

/* pem_of - PEM text of certificates (and a key first, if given); free() it */
static char *
pem_of(EVP_PKEY *key, X509 *const *certs, size_t n, size_t *len)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*p, *s;
	long	l;
	size_t	i;

	assert_non_null(bio);
	if (key)
		assert_int_equal(PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL), 1);
	for (i = 0; i < n; i++)
		assert_int_equal(PEM_write_bio_X509(bio, certs[i]), 1);
	l = BIO_get_mem_data(bio, &p);
	s = malloc((size_t)l + 1);
	assert_non_null(s);
	memcpy(s, p, (size_t)l);
	s[l] = 0;
	*len = (size_t)l;
	BIO_free(bio);
	return s;
}

/* chain - a served chain of the given certificates, leaf first */
static tlsa_chain *
chain(X509 *a, X509 *b, X509 *c)
{
	X509	*certs[3] = { a, b, c };
	size_t	n = c ? 3 : b ? 2 : 1, len;
	char	*pem = pem_of(NULL, certs, n, &len), err[256];
	tlsa_chain *ch = tlsa_chain_new();

	assert_non_null(ch);
	assert_int_equal(tlsa_chain_add_pem(ch, pem, len, "test", err, sizeof(err)), (int)n);
	free(pem);
	return ch;
}

/* rdata - a TLSA rdata for x, association data computed from libcrypto */
static size_t
rdata(unsigned usage, unsigned sel, unsigned mtype, X509 *x, unsigned char *buf)
{
	unsigned char *der = NULL;
	unsigned int dlen;
	int	len;

	buf[0] = (unsigned char)usage;
	buf[1] = (unsigned char)sel;
	buf[2] = (unsigned char)mtype;
	len = sel == 1 ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : i2d_X509(x, &der);
	assert_true(len > 0 && len + 3 <= RDATA_MAX);
	if (mtype == 1 || mtype == 2) {
		assert_int_equal(EVP_Digest(der, (size_t)len, buf + 3, &dlen,
		    mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL), 1);
		len = (int)dlen;
	} else {
		memcpy(buf + 3, der, (size_t)len);
	}
	OPENSSL_free(der);
	return (size_t)len + 3;
}

/* match - parse rdata for x and match it against ch */
static int
match(unsigned u, unsigned s, unsigned m, X509 *x, const tlsa_chain *ch,
    const char *host, tlsa_result *res)
{
	unsigned char buf[RDATA_MAX];
	size_t	len = rdata(u, s, m, x, buf);
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(buf, len, &rr), 0);
	return tlsa_match(&rr, ch, host, res);
}

/* ------------------------------------------------------ rdata (RFC 6698) */

static void
parse_refuses_rdata_shorter_than_four_bytes(void **state)
{
	static const unsigned char rd[] = { 3, 1, 0, 0x30 };
	tlsa_rr	rr;
	size_t	len;

	for (len = 0; len < 4; len++)
		assert_int_equal(tlsa_rr_parse(rd, len, &rr), -1);
	assert_int_equal(tlsa_rr_parse(NULL, 4, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 4, &rr), 0);
}

static void
parse_splits_usage_selector_mtype_data(void **state)
{
	unsigned char rd[35] = { 3, 1, 1 };
	tlsa_rr	rr;

	memset(rd + 3, 0xab, 32);
	assert_int_equal(tlsa_rr_parse(rd, sizeof(rd), &rr), 0);
	assert_int_equal(rr.usage, 3);
	assert_int_equal(rr.selector, 1);
	assert_int_equal(rr.mtype, 1);
	assert_ptr_equal(rr.data, rd + 3);
	assert_int_equal(rr.len, 32);
}

static void
parse_refuses_sha256_data_not_32_bytes(void **state)
{
	unsigned char rd[3 + 64] = { 3, 1, 1 };
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(rd, 3 + 31, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 33, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 64, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 32, &rr), 0);
}

static void
parse_refuses_sha512_data_not_64_bytes(void **state)
{
	unsigned char rd[3 + 65] = { 2, 0, 2 };
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(rd, 3 + 32, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 63, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 65, &rr), -1);
	assert_int_equal(tlsa_rr_parse(rd, 3 + 64, &rr), 0);
}

static void
parse_accepts_unknown_fields_which_are_unusable(void **state)
{
	static const unsigned char rd[] = { 3, 1, 255, 1, 2, 3, 4, 5 };
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(rd, sizeof(rd), &rr), 0);
	assert_int_equal(rr.mtype, 255);
	assert_int_equal(rr.len, 5);
	assert_false(tlsa_rr_usable(&rr));
	assert_string_equal(tlsa_rr_unusable_why(&rr), "unknown matching type");
}

/* RFC 7672 3.1.3: usages 2 and 3, selectors 0 and 1, matching types 0-2 */
static void
usable_only_dane_usages_known_selectors_and_mtypes(void **state)
{
	tlsa_rr	rr = { 0, 0, 0, (const unsigned char *)"x", 1 };

	for (rr.usage = 0; rr.usage <= 4; rr.usage++)
		for (rr.selector = 0; rr.selector <= 2; rr.selector++)
			for (rr.mtype = 0; rr.mtype <= 3; rr.mtype++) {
				int	want = (rr.usage == 2 || rr.usage == 3)
				    && rr.selector <= 1 && rr.mtype <= 2;

				assert_int_equal(tlsa_rr_usable(&rr), want);
				assert_int_equal(tlsa_rr_unusable_why(&rr) == NULL, want);
			}
}

static void
pkix_usages_are_unusable_for_smtp(void **state)
{
	tlsa_rr	rr = { 1, 1, 1, (const unsigned char *)"x", 1 };

	assert_false(tlsa_rr_usable(&rr));
	assert_non_null(strstr(tlsa_rr_unusable_why(&rr), "PKIX"));
	rr.usage = 0;
	assert_false(tlsa_rr_usable(&rr));
	assert_non_null(strstr(tlsa_rr_unusable_why(&rr), "PKIX"));
	rr.usage = 4;
	assert_string_equal(tlsa_rr_unusable_why(&rr), "unknown certificate usage");
	rr.usage = 3;
	rr.selector = 2;
	assert_string_equal(tlsa_rr_unusable_why(&rr), "unknown selector");
}

static void
format_is_presentation_form(void **state)
{
	static const unsigned char rd[] = { 3, 1, 0, 0x00, 0x0a, 0xff, 0x1b };
	strbuf	sb = STRBUF_INIT;
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(rd, sizeof(rd), &rr), 0);
	assert_int_equal(tlsa_rr_format(&rr, &sb), 0);
	assert_string_equal(strbuf_str(&sb), "3 1 0 000aff1b");
	strbuf_free(&sb);
}

/* ------------------------------------------ DANE-EE (RFC 7671 section 5.1) */

static void
dane_ee_matches_leaf_every_selector_and_mtype(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;
	unsigned s, m;

	for (s = 0; s <= 1; s++)
		for (m = 0; m <= 2; m++) {
			assert_int_equal(match(3, s, m, leaf, ch, HOST, &res), 1);
			assert_int_equal(res.match, 1);
			assert_int_equal(res.depth, 0);
		}
	tlsa_chain_free(ch);
}

static void
dane_ee_does_not_match_other_certificates_of_the_chain(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;

	assert_int_equal(match(3, 1, 1, intm, ch, HOST, &res), 0);
	assert_int_equal(res.depth, TLSA_DEPTH_NONE);
	assert_int_equal(match(3, 0, 1, root, ch, HOST, &res), 0);
	assert_int_equal(match(3, 1, 1, renewed, ch, HOST, &res), 0);
	tlsa_chain_free(ch);
}

static void
dane_ee_ignores_names_and_expiry(void **state)
{
	tlsa_chain *ch = chain(expired, intm, root);
	tlsa_result res;

	assert_int_equal(match(3, 1, 1, expired, ch, "wrong.example.net", &res), 1);
	assert_int_equal(match(3, 0, 2, expired, ch, NULL, &res), 1);
	/* a leaf served alone, no issuer at all */
	tlsa_chain_free(ch);
	ch = chain(leaf, NULL, NULL);
	assert_int_equal(match(3, 1, 1, leaf, ch, HOST, &res), 1);
	tlsa_chain_free(ch);
}

/* ------------------------------------------ DANE-TA (RFC 7671 section 5.2) */

static void
dane_ta_matches_served_cas_every_selector_and_mtype(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;
	unsigned s, m;

	for (s = 0; s <= 1; s++)
		for (m = 0; m <= 2; m++) {
			assert_int_equal(match(2, s, m, intm, ch, HOST, &res), 1);
			assert_int_equal(res.depth, 1);
			assert_int_equal(match(2, s, m, root, ch, HOST, &res), 1);
			assert_int_equal(res.depth, 2);
		}
	tlsa_chain_free(ch);
}

static void
dane_ta_never_matches_the_leaf(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;

	assert_int_equal(match(2, 1, 1, leaf, ch, HOST, &res), 0);
	assert_int_equal(match(2, 0, 2, leaf, ch, HOST, &res), 0);
	tlsa_chain_free(ch);
}

static void
dane_ta_record_for_a_ca_not_in_the_chain_does_not_match(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;

	assert_int_equal(match(2, 0, 1, other, ch, HOST, &res), 0);
	assert_int_equal(res.depth, TLSA_DEPTH_NONE);
	assert_int_equal(match(2, 1, 2, other, ch, HOST, &res), 0);
	tlsa_chain_free(ch);
}

/* RFC 7671 5.2.2: "2 0 0" / "2 1 0" may carry an anchor the server omits */
static void
dane_ta_full_certificate_in_record_need_not_be_served(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, NULL);
	tlsa_result res;

	assert_int_equal(match(2, 0, 0, root, ch, HOST, &res), 1);
	assert_int_equal(res.depth, TLSA_DEPTH_RECORD);
	tlsa_chain_free(ch);
}

static void
dane_ta_full_public_key_in_record_need_not_be_served(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, NULL);
	tlsa_result res;

	assert_int_equal(match(2, 1, 0, root, ch, HOST, &res), 1);
	assert_int_equal(res.depth, TLSA_DEPTH_RECORD);
	/* a digest of an unserved anchor cannot be used: nothing to verify with */
	assert_int_equal(match(2, 1, 1, root, ch, HOST, &res), 0);
	tlsa_chain_free(ch);
}

static void
dane_ta_full_record_of_an_unrelated_ca_does_not_match(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, NULL);
	tlsa_result res;

	assert_int_equal(match(2, 0, 0, other, ch, HOST, &res), 0);
	assert_int_equal(match(2, 1, 0, other, ch, HOST, &res), 0);
	assert_string_equal(res.why, "the record's public key signed no served certificate");
	tlsa_chain_free(ch);
}

static void
dane_ta_checks_the_leaf_name_against_the_host(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;

	assert_int_equal(match(2, 0, 1, root, ch, HOST, &res), 1);
	assert_int_equal(match(2, 0, 1, root, ch, "MX.Example.COM", &res), 1);
	assert_int_equal(match(2, 0, 1, root, ch, "mx2.example.com", &res), 0);
	assert_int_equal(res.depth, 2);		/* the data matched... */
	assert_non_null(strstr(res.why, "does not verify"));	/* ...the chain did not */
	assert_int_equal(match(2, 0, 1, root, ch, NULL, &res), 1);
	tlsa_chain_free(ch);
}

static void
dane_ta_refuses_an_expired_leaf(void **state)
{
	tlsa_chain *ch = chain(expired, intm, root);
	tlsa_result res;

	assert_int_equal(match(2, 0, 1, root, ch, HOST, &res), 0);
	assert_non_null(strstr(res.why, "expired"));
	tlsa_chain_free(ch);
}

static void
dane_ta_needs_the_served_chain_to_reach_the_anchor(void **state)
{
	/* the intermediate is not served: the leaf cannot be chained to the root */
	tlsa_chain *ch = chain(leaf, root, NULL);
	tlsa_result res;

	assert_int_equal(match(2, 0, 1, root, ch, HOST, &res), 0);
	assert_int_equal(res.depth, 1);
	tlsa_chain_free(ch);
}

/* the classic outage: a renewal with a new key, the TLSA left alone */
static void
renewed_leaf_fails_old_3_1_1_but_matches_ca_records(void **state)
{
	tlsa_chain *ch = chain(renewed, intm, root);
	tlsa_result res;

	assert_int_equal(match(3, 1, 1, leaf, ch, HOST, &res), 0);
	assert_int_equal(match(3, 0, 1, leaf, ch, HOST, &res), 0);
	assert_int_equal(match(2, 0, 1, root, ch, HOST, &res), 1);
	assert_int_equal(match(2, 1, 1, intm, ch, HOST, &res), 1);
	assert_int_equal(match(3, 1, 1, renewed, ch, HOST, &res), 1);
	tlsa_chain_free(ch);
}

/* ------------------------------------------------- unusable and garbage */

static void
pkix_records_never_match_but_report_the_data_match(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	tlsa_result res;

	assert_int_equal(match(1, 1, 1, leaf, ch, HOST, &res), 0);
	assert_int_equal(res.depth, 0);
	assert_int_equal(match(0, 0, 1, root, ch, HOST, &res), 0);
	assert_int_equal(res.depth, 2);
	assert_non_null(strstr(res.why, "PKIX"));
	tlsa_chain_free(ch);
}

static void
unknown_selector_or_mtype_never_matches(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	unsigned char buf[RDATA_MAX];
	size_t	len = rdata(3, 1, 1, leaf, buf);
	tlsa_result res;
	tlsa_rr	rr;

	buf[1] = 2;				/* selector */
	assert_int_equal(tlsa_rr_parse(buf, len, &rr), 0);
	assert_int_equal(tlsa_match(&rr, ch, HOST, &res), 0);
	buf[1] = 1;
	buf[2] = 3;				/* matching type */
	assert_int_equal(tlsa_rr_parse(buf, len, &rr), 0);
	assert_int_equal(tlsa_match(&rr, ch, HOST, &res), 0);
	tlsa_chain_free(ch);
}

static void
der_garbage_as_full_data_never_matches(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, NULL);
	unsigned char buf[RDATA_MAX];
	tlsa_result res;
	tlsa_rr	rr;
	size_t	len, i;
	unsigned u, s;

	for (u = 2; u <= 3; u++)
		for (s = 0; s <= 1; s++) {
			buf[0] = (unsigned char)u;
			buf[1] = (unsigned char)s;
			buf[2] = 0;
			for (i = 0; i < 300; i++)
				buf[3 + i] = (unsigned char)(i * 37 + 0x30);
			assert_int_equal(tlsa_rr_parse(buf, 303, &rr), 0);
			assert_int_equal(tlsa_match(&rr, ch, HOST, &res), 0);
			/* a valid DER object followed by a stray byte is not one either */
			len = rdata(u, s, 0, u == 2 ? root : leaf, buf);
			buf[len] = 0;
			assert_int_equal(tlsa_rr_parse(buf, len + 1, &rr), 0);
			assert_int_equal(tlsa_match(&rr, ch, HOST, &res), 0);
		}
	tlsa_chain_free(ch);
}

static void
match_without_chain_or_record_is_no_match(void **state)
{
	tlsa_chain *empty = tlsa_chain_new();
	tlsa_result res;
	unsigned char buf[RDATA_MAX];
	tlsa_rr	rr;

	assert_int_equal(tlsa_rr_parse(buf, rdata(3, 1, 1, leaf, buf), &rr), 0);
	assert_int_equal(tlsa_match(&rr, empty, HOST, &res), 0);
	assert_int_equal(tlsa_match(&rr, NULL, HOST, &res), 0);
	assert_int_equal(tlsa_match(NULL, empty, HOST, &res), 0);
	tlsa_chain_free(empty);
}

/* ----------------------------------------------------------- chain files */

static char *
write_tmp(const char *text, size_t len)
{
	char	*path = strdup("/tmp/test_tlsa_match.XXXXXX");
	int	fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
chain_load_skips_private_key_blocks(void **state)
{
	X509	*certs[2] = { leaf, intm };
	size_t	len;
	char	*pem = pem_of(leaf_key, certs, 2, &len), *path, err[256];
	const char *files[1];
	tlsa_chain *ch;
	tlsa_result res;

	path = write_tmp(pem, len);
	files[0] = path;
	ch = tlsa_chain_load(files, 1, err, sizeof(err));
	assert_non_null(ch);
	assert_int_equal(tlsa_chain_count(ch), 2);
	assert_int_equal(match(3, 1, 1, leaf, ch, HOST, &res), 1);
	tlsa_chain_free(ch);
	unlink(path);
	free(path);
	free(pem);
}

static void
chain_load_several_files_first_cert_is_leaf(void **state)
{
	size_t	l1, l2;
	char	*p1 = pem_of(leaf_key, &leaf, 1, &l1), *p2, err[256];
	X509	*rest[2] = { intm, root };
	const char *files[2];
	tlsa_chain *ch;
	tlsa_result res;

	p2 = pem_of(NULL, rest, 2, &l2);
	files[0] = write_tmp(p1, l1);
	files[1] = write_tmp(p2, l2);
	ch = tlsa_chain_load(files, 2, err, sizeof(err));
	assert_non_null(ch);
	assert_int_equal(tlsa_chain_count(ch), 3);
	assert_int_equal(match(3, 0, 1, leaf, ch, HOST, &res), 1);
	assert_int_equal(match(2, 0, 1, root, ch, HOST, &res), 1);
	assert_int_equal(res.depth, 2);
	tlsa_chain_free(ch);
	unlink(files[0]);
	unlink(files[1]);
	free((char *)files[0]);
	free((char *)files[1]);
	free(p1);
	free(p2);
}

static void
chain_load_refuses_missing_file(void **state)
{
	const char *files[] = { "/nonexistent/dmarctls/chain.pem" };
	char	err[256] = "";

	assert_null(tlsa_chain_load(files, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/dmarctls/chain.pem"));
	assert_null(tlsa_chain_load(files, 0, err, sizeof(err)));
}

static void
chain_load_refuses_file_without_certificate(void **state)
{
	size_t	len;
	char	*pem = pem_of(leaf_key, NULL, 0, &len), *path, err[256] = "";
	const char *files[1];

	path = write_tmp(pem, len);
	files[0] = path;
	assert_null(tlsa_chain_load(files, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "no certificate"));
	unlink(path);
	free(path);
	free(pem);
}

static void
chain_refuses_damaged_certificate_block(void **state)
{
	size_t	len;
	char	*pem = pem_of(NULL, &leaf, 1, &len), err[256] = "", *mid;
	tlsa_chain *ch = tlsa_chain_new();

	/* valid base64, damaged DER: "MII" (SEQUENCE) becomes "AII" */
	mid = strchr(pem, '\n') + 1;
	assert_int_equal(*mid, 'M');
	*mid = 'A';
	assert_int_equal(tlsa_chain_add_pem(ch, pem, len, "damaged", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "damaged"));
	/* truncated: no END line */
	free(pem);
	pem = pem_of(NULL, &leaf, 1, &len);
	assert_int_equal(tlsa_chain_add_pem(ch, pem, len / 2, "cut", err, sizeof(err)), -1);
	free(pem);
	tlsa_chain_free(ch);
}

static void
chain_refuses_more_than_the_maximum(void **state)
{
	X509	*certs[TLSA_CHAIN_MAX + 1];
	size_t	len, i;
	char	*pem, err[256] = "";
	tlsa_chain *ch = tlsa_chain_new();

	for (i = 0; i <= TLSA_CHAIN_MAX; i++)
		certs[i] = intm;
	pem = pem_of(NULL, certs, TLSA_CHAIN_MAX, &len);
	assert_int_equal(tlsa_chain_add_pem(ch, pem, len, "max", err, sizeof(err)),
	    TLSA_CHAIN_MAX);
	free(pem);
	pem = pem_of(NULL, certs, 1, &len);
	assert_int_equal(tlsa_chain_add_pem(ch, pem, len, "more", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than"));
	free(pem);
	tlsa_chain_free(ch);
}

/* ------------------------------------------------- digests and subjects */

static void
chain_digest_is_the_data_of_a_correct_record(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, root);
	unsigned char buf[RDATA_MAX];
	char	hex[TLSA_HEX_SHA512], want[TLSA_HEX_SHA512];
	size_t	len, i;
	unsigned s, m;

	for (s = 0; s <= 1; s++)
		for (m = 1; m <= 2; m++) {
			len = rdata(3, s, m, leaf, buf);
			for (i = 3; i < len; i++)
				sprintf(want + 2 * (i - 3), "%02x", buf[i]);
			assert_int_equal(tlsa_chain_digest(ch, 0, s, m, hex, sizeof(hex)), 0);
			assert_string_equal(hex, want);
		}
	len = rdata(2, 0, 1, root, buf);
	for (i = 3; i < len; i++)
		sprintf(want + 2 * (i - 3), "%02x", buf[i]);
	assert_int_equal(tlsa_chain_digest(ch, 2, 0, 1, hex, sizeof(hex)), 0);
	assert_string_equal(hex, want);
	tlsa_chain_free(ch);
}

static void
chain_digest_refuses_bad_arguments(void **state)
{
	tlsa_chain *ch = chain(leaf, NULL, NULL);
	char	hex[TLSA_HEX_SHA512];

	assert_int_equal(tlsa_chain_digest(ch, 1, 1, 1, hex, sizeof(hex)), -1);
	assert_int_equal(tlsa_chain_digest(ch, 0, 2, 1, hex, sizeof(hex)), -1);
	assert_int_equal(tlsa_chain_digest(ch, 0, 1, 3, hex, sizeof(hex)), -1);
	assert_int_equal(tlsa_chain_digest(ch, 0, 1, 1, hex, 64), -1);
	assert_int_equal(tlsa_chain_digest(ch, 0, 1, 1, hex, 65), 0);
	assert_int_equal(strlen(hex), 64);
	/* full data does not fit a digest-sized buffer */
	assert_int_equal(tlsa_chain_digest(ch, 0, 0, 0, hex, sizeof(hex)), -1);
	tlsa_chain_free(ch);
}

static void
chain_subject_is_rfc2253(void **state)
{
	tlsa_chain *ch = chain(leaf, intm, NULL);
	char	buf[128];

	assert_int_equal(tlsa_chain_subject(ch, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "CN=" HOST);
	assert_int_equal(tlsa_chain_subject(ch, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "CN=Test Intermediate CA");
	assert_int_equal(tlsa_chain_subject(ch, 1, buf, 5), 0);
	assert_string_equal(buf, "CN=T");
	assert_int_equal(tlsa_chain_subject(ch, 2, buf, sizeof(buf)), -1);
	tlsa_chain_free(ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_refuses_rdata_shorter_than_four_bytes),
		cmocka_unit_test(parse_splits_usage_selector_mtype_data),
		cmocka_unit_test(parse_refuses_sha256_data_not_32_bytes),
		cmocka_unit_test(parse_refuses_sha512_data_not_64_bytes),
		cmocka_unit_test(parse_accepts_unknown_fields_which_are_unusable),
		cmocka_unit_test(usable_only_dane_usages_known_selectors_and_mtypes),
		cmocka_unit_test(pkix_usages_are_unusable_for_smtp),
		cmocka_unit_test(format_is_presentation_form),
		cmocka_unit_test(dane_ee_matches_leaf_every_selector_and_mtype),
		cmocka_unit_test(dane_ee_does_not_match_other_certificates_of_the_chain),
		cmocka_unit_test(dane_ee_ignores_names_and_expiry),
		cmocka_unit_test(dane_ta_matches_served_cas_every_selector_and_mtype),
		cmocka_unit_test(dane_ta_never_matches_the_leaf),
		cmocka_unit_test(dane_ta_record_for_a_ca_not_in_the_chain_does_not_match),
		cmocka_unit_test(dane_ta_full_certificate_in_record_need_not_be_served),
		cmocka_unit_test(dane_ta_full_public_key_in_record_need_not_be_served),
		cmocka_unit_test(dane_ta_full_record_of_an_unrelated_ca_does_not_match),
		cmocka_unit_test(dane_ta_checks_the_leaf_name_against_the_host),
		cmocka_unit_test(dane_ta_refuses_an_expired_leaf),
		cmocka_unit_test(dane_ta_needs_the_served_chain_to_reach_the_anchor),
		cmocka_unit_test(renewed_leaf_fails_old_3_1_1_but_matches_ca_records),
		cmocka_unit_test(pkix_records_never_match_but_report_the_data_match),
		cmocka_unit_test(unknown_selector_or_mtype_never_matches),
		cmocka_unit_test(der_garbage_as_full_data_never_matches),
		cmocka_unit_test(match_without_chain_or_record_is_no_match),
		cmocka_unit_test(chain_load_skips_private_key_blocks),
		cmocka_unit_test(chain_load_several_files_first_cert_is_leaf),
		cmocka_unit_test(chain_load_refuses_missing_file),
		cmocka_unit_test(chain_load_refuses_file_without_certificate),
		cmocka_unit_test(chain_refuses_damaged_certificate_block),
		cmocka_unit_test(chain_refuses_more_than_the_maximum),
		cmocka_unit_test(chain_digest_is_the_data_of_a_correct_record),
		cmocka_unit_test(chain_digest_refuses_bad_arguments),
		cmocka_unit_test(chain_subject_is_rfc2253),
	};

	return cmocka_run_group_tests(tests, make_world, free_world);
}
