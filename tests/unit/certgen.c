/*
 * certgen.c -- the test certificate factory of certgen.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "certgen.h"

static void
certgen_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

X509 *
certgen_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    int ca, long from, long until)
{
	static long serial = 1;
	X509	*x = X509_new();
	X509_NAME *name;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), until);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
	    -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	certgen_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (ca) {
		certgen_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		certgen_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		certgen_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		certgen_ext(x, issuer, NID_ext_key_usage, "serverAuth");
		certgen_ext(x, issuer, NID_subject_alt_name, "DNS:" CERTGEN_HOST);
	}
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}
