/*
 * fuzz_tlsa_match.c -- libFuzzer target for tlsa_rr_parse(), tlsa_match()
 *	and dane_check() against a fixed chain.
 *
 * Build (BUILDDIR: a configured build directory, for dt_build.h):
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipolicy -IBUILDDIR \
 *	    tests/fuzz/fuzz_tlsa_match.c util/tlsa_match.c policy/dane_check.c \
 *	    util/dns.c util/dns_cache.c util/strbuf.c -lunbound -lcrypto \
 *	    -o fuzz_tlsa_match
 *
 * The chain (a P-256 root, an intermediate, a leaf for mx.example.com) is
 * made once, on the first call. The first input byte picks a mode:
 *   0	the rest is one TLSA rdata, parsed and matched.
 *   1	bytes 1-3 are usage, selector+depth, matching type; the association
 *	data is the real selected DER of a chain certificate, XORed with the
 *	rest of the input -- so the DER decoders of "2 x 0" records see
 *	near-valid certificates and keys, not only noise.
 *   2	the rest is an RRset: records of a 1-byte length then rdata, handed
 *	to dane_check() through a fake lookup, with byte 1 picking the status
 *	and DNSSEC state of the answer.
 * Besides memory errors it checks the promises of tlsa_match.h: a parse
 * that fails leaves a zeroed record; a match implies a usable record; a
 * DANE-EE match is at depth 0; dane_check() results follow its rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dane_check.h"
#include "tlsa_match.h"

#define HOST		"mx.example.com"
#define FUZZ_RDATA_MAX	65535

static tlsa_chain *chain;
static X509 *certs[3];

static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
	X509	*x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
	    -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, ca ? NID_basic_constraints : NID_subject_alt_name,
	    ca ? "critical,CA:TRUE" : "DNS:" HOST);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
	return x;
}

static void
make_chain(void)
{
	EVP_PKEY *k0 = EVP_EC_gen("P-256"), *k1 = EVP_EC_gen("P-256"),
		*k2 = EVP_EC_gen("P-256");
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*p, err[256];
	long	len;
	int	i;

	certs[2] = make_cert(k0, "Fuzz Root", NULL, NULL, 1);
	certs[1] = make_cert(k1, "Fuzz Intermediate", certs[2], k0, 1);
	certs[0] = make_cert(k2, HOST, certs[1], k1, 0);
	for (i = 0; i < 3; i++)
		PEM_write_bio_X509(bio, certs[i]);
	len = BIO_get_mem_data(bio, &p);
	chain = tlsa_chain_new();
	if (tlsa_chain_add_pem(chain, p, (size_t)len, "fuzz", err, sizeof(err)) != 3)
		abort();
	BIO_free(bio);
	EVP_PKEY_free(k0);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

static void
match_one(const unsigned char *rd, size_t len)
{
	static const tlsa_rr zero;
	tlsa_result res;
	tlsa_rr	rr;
	strbuf	sb = STRBUF_INIT;

	if (tlsa_rr_parse(rd, len, &rr) < 0) {
		if (memcmp(&rr, &zero, sizeof(rr)) != 0)
			abort();
		return;
	}
	if (rr.data != rd + 3 || rr.len != len - 3)
		abort();
	tlsa_rr_format(&rr, &sb);
	/* "U S M " then two hex digits per byte of data */
	if (!sb.failed && sb.len != (size_t)snprintf(NULL, 0, "%u %u %u ", rr.usage,
	    rr.selector, rr.mtype) + 2 * rr.len)
		abort();
	strbuf_free(&sb);
	if (tlsa_match(&rr, chain, HOST, &res)) {
		if (!tlsa_rr_usable(&rr) || !res.match)
			abort();
		if (rr.usage == TLSA_USAGE_DANE_EE && res.depth != 0)
			abort();
		if (rr.usage == TLSA_USAGE_DANE_TA && res.depth == 0)
			abort();
	}
}

/* mode 1: a real certificate's selected data, flipped by the input */
static void
match_mutated(const uint8_t *data, size_t size)
{
	unsigned char *der = NULL, *rd;
	unsigned sel = data[1] & 1;
	X509	*x = certs[(data[1] >> 1) % 3];
	size_t	i;
	int	len;

	len = sel ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : i2d_X509(x, &der);
	if (len <= 0 || (rd = malloc((size_t)len + 3)) == NULL) {
		OPENSSL_free(der);
		return;
	}
	rd[0] = data[0];
	rd[1] = (unsigned char)sel;
	rd[2] = data[2];
	memcpy(rd + 3, der, (size_t)len);
	for (i = 3; i < size && i - 3 < (size_t)len; i++)
		rd[i] ^= data[i];
	match_one(rd, (size_t)len + 3);
	free(rd);
	OPENSSL_free(der);
}

/* mode 2: an RRset through dane_check() */
typedef struct fuzz_answer {
	const uint8_t	*data;
	size_t		size;
} fuzz_answer;

static void
fuzz_lookup(void *ctx, const char *name, int rrtype, dns_rrset *out)
{
	const fuzz_answer *a = ctx;
	size_t	pos = 1, n = 0, len;

	memset(out, 0, sizeof(*out));
	out->status = (dns_status)(a->data[0] & 3);
	out->sec = (dns_sec)((a->data[0] >> 2) % 3);
	out->ttl = a->data[0];
	if (out->status != DNS_STATUS_OK)
		return;
	out->data = calloc(DANE_MAX_RECORDS + 2, sizeof(*out->data));
	out->len = calloc(DANE_MAX_RECORDS + 2, sizeof(*out->len));
	if (out->data == NULL || out->len == NULL)
		abort();
	while (pos < a->size && n < DANE_MAX_RECORDS + 2) {
		len = a->data[pos++];
		if (len > a->size - pos)
			len = a->size - pos;
		if ((out->data[n] = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(out->data[n], a->data + pos, len);
		out->len[n] = len;
		out->n = ++n;
		pos += len;
	}
}

static void
check_rrset(const uint8_t *data, size_t size)
{
	fuzz_answer a = { data, size };
	dane_report r;
	size_t	i, nusable = 0, nmatch = 0;

	dane_check(fuzz_lookup, &a, "_25._tcp." HOST, chain, &r);
	for (i = 0; i < r.n; i++) {
		nusable += r.rec[i].usable;
		nmatch += r.rec[i].usable && r.rec[i].m.match;
		if (r.rec[i].text == NULL || (r.rec[i].m.match && !r.rec[i].usable))
			abort();
	}
	if (nusable != r.nusable || nmatch != r.nmatch)
		abort();
	if (r.result == DANE_RES_PASS && (r.sec != DNS_SEC_SECURE || r.nmatch == 0))
		abort();
	if (r.result == DANE_RES_FAIL && (r.sec != DNS_SEC_SECURE || r.nmatch != 0
	    || r.nusable == 0))
		abort();
	dane_report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (chain == NULL)
		make_chain();
	if (size < 1 || size > FUZZ_RDATA_MAX)
		return 0;
	switch (data[0] % 3) {
	case 0:
		match_one(data + 1, size - 1);
		break;
	case 1:
		if (size >= 4)
			match_mutated(data + 1, size - 1);
		break;
	default:
		if (size >= 2)
			check_rrset(data + 1, size - 1);
		break;
	}
	return 0;
}
