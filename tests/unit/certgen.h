/*
 * certgen.h -- certificates made inside a unit test with the OpenSSL API.
 *
 * SYNOPSIS
 *	X509 *certgen_make(EVP_PKEY *key, const char *cn, X509 *issuer,
 *	                   EVP_PKEY *issuer_key, int ca, long from, long until);
 *
 * DESCRIPTION
 *	A CA certificate (ca != 0: basicConstraints CA:TRUE, keyCertSign) or a
 *	server certificate for CERTGEN_HOST (CA:FALSE, serverAuth, that name
 *	in subjectAltName), valid from "from" to "until" seconds relative to
 *	now, signed by issuer_key (NULL: self-signed). Failures end the test
 *	(cmocka asserts). The caller frees the result with X509_free().
 */
#ifndef DMARCTLS_CERTGEN_H
#define DMARCTLS_CERTGEN_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#define CERTGEN_HOST	"mx.example.com"
#define CERTGEN_DAY	(24L * 3600)

X509	*certgen_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
	    int ca, long from, long until);

#endif
