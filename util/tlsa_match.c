/*
 * tlsa_match.c -- TLSA rdata, served certificate chains, and the DANE SMTP
 *	matching rules (RFC 6698, RFC 7671, RFC 7672).
 *
 * SYNOPSIS
 *	See tlsa_match.h: tlsa_rr_parse(), tlsa_rr_usable(),
 *	tlsa_rr_unusable_why(), tlsa_rr_format(), tlsa_chain_new(),
 *	tlsa_chain_add_pem(), tlsa_chain_load(), tlsa_chain_free(),
 *	tlsa_chain_count(), tlsa_chain_subject(), tlsa_chain_digest(),
 *	tlsa_match().
 *
 * DESCRIPTION
 *	The "selected data" of a certificate is its DER encoding (selector 0)
 *	or the DER of its SubjectPublicKeyInfo (selector 1); a record matches
 *	a certificate when its association data equals that data (matching
 *	type 0) or its SHA2-256 / SHA2-512 digest (types 1, 2). RFC 6698
 *	section 2.1.
 *
 *	DANE-TA chains are verified with libcrypto's X509_verify_cert() rather
 *	than by hand, so that what "verifies" means here is what it means to
 *	an OpenSSL-based sending MTA. Each verification builds its own store:
 *	nothing is shared between threads.
 *
 * HOSTILE INPUT
 *	Association data of any length up to the 64 KiB a DNS rdata can hold;
 *	DER decoding of it must consume exactly its length. PEM input passes
 *	through a password callback that refuses, so an encrypted block can
 *	never make libcrypto prompt on a terminal.
 */

/* System library. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL. */

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Application-specific. */

#include "tlsa_match.h"

#define TLSA_RDATA_MIN	4	/* usage, selector, mtype, >= 1 byte of data */
#define VERIFY_WHY_MAX	96	/* an X509_verify_cert error string */

struct tlsa_chain {
	size_t	n;
	X509	*cert[TLSA_CHAIN_MAX];	/* [0] the leaf, then as served */
};

/* ------------------------------------------------------------ records */

int
tlsa_rr_parse(const unsigned char *rdata, size_t len, tlsa_rr *out)
{
	memset(out, 0, sizeof(*out));
	if (rdata == NULL || len < TLSA_RDATA_MIN)
		return -1;
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	out->data = rdata + 3;
	out->len = len - 3;
	/* RFC 6698 section 2.1.3: a digest has the digest's length. */
	if ((out->mtype == TLSA_MT_SHA256 && out->len != 32)
	    || (out->mtype == TLSA_MT_SHA512 && out->len != 64)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

const char *
tlsa_rr_unusable_why(const tlsa_rr *rr)
{
	/* RFC 7672 section 3.1.3: SMTP uses DANE-TA(2) and DANE-EE(3) only. */
	if (rr->usage == TLSA_USAGE_PKIX_TA || rr->usage == TLSA_USAGE_PKIX_EE)
		return "PKIX usages are not used by SMTP (RFC 7672 3.1.3)";
	if (rr->usage != TLSA_USAGE_DANE_TA && rr->usage != TLSA_USAGE_DANE_EE)
		return "unknown certificate usage";
	if (rr->selector != TLSA_SEL_CERT && rr->selector != TLSA_SEL_SPKI)
		return "unknown selector";
	if (rr->mtype != TLSA_MT_FULL && rr->mtype != TLSA_MT_SHA256
	    && rr->mtype != TLSA_MT_SHA512)
		return "unknown matching type";
	return NULL;
}

int
tlsa_rr_usable(const tlsa_rr *rr)
{
	return tlsa_rr_unusable_why(rr) == NULL;
}

static void
hex_append(strbuf *out, const unsigned char *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t	i;

	for (i = 0; i < len; i++) {
		strbuf_appendc(out, digits[p[i] >> 4]);
		strbuf_appendc(out, digits[p[i] & 15]);
	}
}

int
tlsa_rr_format(const tlsa_rr *rr, strbuf *out)
{
	strbuf_printf(out, "%u %u %u ", rr->usage, rr->selector, rr->mtype);
	hex_append(out, rr->data, rr->len);
	return out->failed ? -1 : 0;
}

/* ------------------------------------------------------------- chains */

tlsa_chain *
tlsa_chain_new(void)
{
	return calloc(1, sizeof(tlsa_chain));
}

void
tlsa_chain_free(tlsa_chain *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		X509_free(c->cert[i]);
	free(c);
}

size_t
tlsa_chain_count(const tlsa_chain *c)
{
	return c ? c->n : 0;
}

/* no_password - an encrypted PEM block is an error, never a prompt */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* pem_at_end - did the last PEM read stop at a clean end of input? */
static int
pem_at_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM
			  && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

int
tlsa_chain_add_pem(tlsa_chain *c, const char *pem, size_t len,
    const char *label, char *err, size_t errlen)
{
	BIO	*bio;
	X509	*x;
	int	added = 0, rc = -1;

	if (label == NULL)
		label = "PEM input";
	if (len > TLSA_PEM_FILE_MAX || len > INT_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", label, TLSA_PEM_FILE_MAX);
		return -1;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", label);
		return -1;
	}
	/* PEM_read_bio_X509 skips blocks of other types (private keys). */
	while ((x = PEM_read_bio_X509(bio, NULL, no_password, NULL)) != NULL) {
		if (c->n >= TLSA_CHAIN_MAX) {
			X509_free(x);
			snprintf(err, errlen, "%s: more than %d certificates in the chain",
			    label, TLSA_CHAIN_MAX);
			goto done;
		}
		c->cert[c->n++] = x;
		added++;
	}
	if (!pem_at_end())
		snprintf(err, errlen, "%s: damaged certificate block after %d certificate%s",
		    label, added, added == 1 ? "" : "s");
	else if (added == 0)
		snprintf(err, errlen, "%s: no certificate", label);
	else
		rc = added;
done:
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* read_file - the whole of a (small) file; -1 with err set */
static int
read_file(const char *path, strbuf *sb, char *err, size_t errlen)
{
	FILE	*fp;
	char	buf[8192];
	size_t	n;
	int	rc = 0;

	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (sb->len + n > TLSA_PEM_FILE_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, TLSA_PEM_FILE_MAX);
			rc = -1;
			break;
		}
		strbuf_appendn(sb, buf, n);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		rc = -1;
	} else if (rc == 0 && sb->failed) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

tlsa_chain *
tlsa_chain_load(const char *const *files, size_t nfiles, char *err,
    size_t errlen)
{
	tlsa_chain *c;
	strbuf	sb = STRBUF_INIT;
	size_t	i;

	if (nfiles == 0) {
		snprintf(err, errlen, "no certificate file");
		return NULL;
	}
	if ((c = tlsa_chain_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < nfiles; i++) {
		strbuf_reset(&sb);
		if (read_file(files[i], &sb, err, errlen) < 0
		    || tlsa_chain_add_pem(c, strbuf_str(&sb), sb.len, files[i],
		    err, errlen) < 0) {
			strbuf_free(&sb);
			tlsa_chain_free(c);
			return NULL;
		}
	}
	strbuf_free(&sb);
	return c;
}

int
tlsa_chain_subject(const tlsa_chain *c, size_t depth, char *buf, size_t len)
{
	BIO	*bio;
	char	*p;
	long	n;

	if (c == NULL || depth >= c->n || len == 0)
		return -1;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	/* RFC 2253 form escapes control and non-ASCII bytes. */
	X509_NAME_print_ex(bio, X509_get_subject_name(c->cert[depth]), 0, XN_FLAG_RFC2253);
	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		n = 0;
	if ((size_t)n >= len)
		n = (long)len - 1;
	memcpy(buf, p, (size_t)n);
	buf[n] = 0;
	BIO_free(bio);
	ERR_clear_error();
	return 0;
}

/* ----------------------------------------------------------- matching */

/* selected_der - the data a selector names (RFC 6698 2.1.2); length or -1 */
static int
selected_der(const X509 *x, unsigned selector, unsigned char **der)
{
	*der = NULL;
	switch (selector) {
	case TLSA_SEL_CERT:
		return i2d_X509(x, der);
	case TLSA_SEL_SPKI:
		return i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), der);
	default:
		return -1;
	}
}

static const EVP_MD *
mtype_md(unsigned mtype)
{
	switch (mtype) {
	case TLSA_MT_SHA256:
		return EVP_sha256();
	case TLSA_MT_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* association_data - what a record (selector, mtype) holds for x; length or -1 */
static int
association_data(const X509 *x, unsigned selector, unsigned mtype,
    unsigned char **out)
{
	const EVP_MD *md = mtype_md(mtype);
	unsigned char *der, *dig;
	unsigned int diglen;
	int	len;

	*out = NULL;
	if (mtype != TLSA_MT_FULL && md == NULL)
		return -1;
	if ((len = selected_der(x, selector, &der)) <= 0)
		return -1;
	if (mtype == TLSA_MT_FULL) {
		*out = der;
		return len;
	}
	if ((dig = OPENSSL_malloc(EVP_MAX_MD_SIZE)) == NULL
	    || EVP_Digest(der, (size_t)len, dig, &diglen, md, NULL) != 1) {
		OPENSSL_free(dig);
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	*out = dig;
	return (int)diglen;
}

/* cert_matches - does rr's association data name certificate x? */
static int
cert_matches(const tlsa_rr *rr, const X509 *x)
{
	unsigned char *data;
	int	len, same;

	if ((len = association_data(x, rr->selector, rr->mtype, &data)) < 0)
		return 0;
	same = (size_t)len == rr->len && memcmp(data, rr->data, rr->len) == 0;
	OPENSSL_free(data);
	return same;
}

/*
 * ta_verify - does the leaf chain up to ta? The store trusts ta alone;
 * partial chains let ta be an intermediate (RFC 7671 section 5.2). Dates
 * are checked (only DANE-EE skips them, section 5.1), and so is the
 * name when host is given (RFC 7672 section 3.2.3).
 */
static int
ta_verify(const tlsa_chain *c, X509 *ta, const char *host, char *why,
    size_t whylen)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_VERIFY_PARAM *param;
	size_t	i;
	int	ok = 0;

	if (store == NULL || ctx == NULL || untrusted == NULL
	    || X509_STORE_add_cert(store, ta) != 1) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	for (i = 1; i < c->n; i++)
		if (sk_X509_push(untrusted, c->cert[i]) <= 0) {
			snprintf(why, whylen, "out of memory");
			goto done;
		}
	if (X509_STORE_CTX_init(ctx, store, c->cert[0], untrusted) != 1) {
		snprintf(why, whylen, "out of memory");
		goto done;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_depth(param, TLSA_CHAIN_MAX);
	/* what an SMTP client asks of a server: X509_PURPOSE_SSL_SERVER */
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	if (host && *host) {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (X509_VERIFY_PARAM_set1_host(param, host, strlen(host)) != 1) {
			snprintf(why, whylen, "bad host name");
			goto done;
		}
	}
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(why, whylen, "%s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	return ok;
}

/* signed_by - the served certificate furthest from the leaf that pkey signed */
static int
signed_by(const tlsa_chain *c, EVP_PKEY *pkey)
{
	size_t	i;

	for (i = c->n; i-- > 0;)
		if (X509_verify(c->cert[i], pkey) == 1)
			return (int)i;
	return TLSA_DEPTH_NONE;
}

/*
 * ta_from_record - a DANE-TA "x y 0" record may carry a trust anchor the
 * server does not serve (RFC 7671 section 5.2.2): a whole certificate, or
 * a bare public key, which then must have signed a served certificate.
 */
static int
ta_from_record(const tlsa_rr *rr, const tlsa_chain *c, const char *host,
    tlsa_result *res)
{
	const unsigned char *p = rr->data;
	char	why[VERIFY_WHY_MAX];
	X509	*ta = NULL;
	EVP_PKEY *pkey = NULL;
	int	depth, ok = 0;

	if (rr->len > LONG_MAX)
		return 0;
	if (rr->selector == TLSA_SEL_CERT) {
		ta = d2i_X509(NULL, &p, (long)rr->len);
		if (ta == NULL || p != rr->data + rr->len) {
			snprintf(res->why, sizeof(res->why),
			    "no served CA matches, and the data is not one DER certificate");
			goto done;
		}
		depth = TLSA_DEPTH_RECORD;
	} else {
		pkey = d2i_PUBKEY(NULL, &p, (long)rr->len);
		if (pkey == NULL || p != rr->data + rr->len) {
			snprintf(res->why, sizeof(res->why),
			    "no served CA matches, and the data is not one DER public key");
			goto done;
		}
		if ((depth = signed_by(c, pkey)) < 0) {
			snprintf(res->why, sizeof(res->why),
			    "the record's public key signed no served certificate");
			goto done;
		}
		if ((ta = X509_dup(c->cert[depth])) == NULL)
			goto done;
		depth = TLSA_DEPTH_RECORD;
	}
	res->depth = depth;
	if (ta_verify(c, ta, host, why, sizeof(why))) {
		ok = res->match = 1;
		snprintf(res->why, sizeof(res->why),
		    "DANE-TA: the chain verifies up to the anchor in the record");
	} else {
		snprintf(res->why, sizeof(res->why),
		    "anchor in the record, but the chain does not verify: %s", why);
	}
done:
	X509_free(ta);
	EVP_PKEY_free(pkey);
	return ok;
}

/* ta_match - DANE-TA(2): a served CA, and a chain that verifies up to it */
static int
ta_match(const tlsa_rr *rr, const tlsa_chain *c, const char *host,
    tlsa_result *res)
{
	char	why[VERIFY_WHY_MAX];
	size_t	i;

	/* like OpenSSL, a TA record is matched above the leaf only */
	for (i = 1; i < c->n; i++) {
		if (!cert_matches(rr, c->cert[i]))
			continue;
		if (ta_verify(c, c->cert[i], host, why, sizeof(why))) {
			res->match = 1;
			res->depth = (int)i;
			snprintf(res->why, sizeof(res->why),
			    "DANE-TA: the chain verifies up to depth %zu", i);
			return 1;
		}
		if (res->depth == TLSA_DEPTH_NONE) {
			res->depth = (int)i;
			snprintf(res->why, sizeof(res->why),
			    "depth %zu matches, but the chain does not verify: %s", i, why);
		}
	}
	if (res->depth != TLSA_DEPTH_NONE)
		return 0;
	if (rr->mtype == TLSA_MT_FULL)
		return ta_from_record(rr, c, host, res);
	snprintf(res->why, sizeof(res->why), "no certificate above the leaf matches");
	return 0;
}

/* pkix_data_match - where the data of an unusable PKIX record points, for the report */
static void
pkix_data_match(const tlsa_rr *rr, const tlsa_chain *c, tlsa_result *res)
{
	size_t	i = rr->usage == TLSA_USAGE_PKIX_EE ? 0 : 1;
	size_t	end = rr->usage == TLSA_USAGE_PKIX_EE ? 1 : c->n;

	for (; i < end; i++)
		if (cert_matches(rr, c->cert[i])) {
			res->depth = (int)i;
			snprintf(res->why, sizeof(res->why),
			    "data matches depth %zu, but %s", i, tlsa_rr_unusable_why(rr));
			return;
		}
	snprintf(res->why, sizeof(res->why), "%s", tlsa_rr_unusable_why(rr));
}

int
tlsa_match(const tlsa_rr *rr, const tlsa_chain *chain, const char *host,
    tlsa_result *res)
{
	const char *unusable;

	memset(res, 0, sizeof(*res));
	res->depth = TLSA_DEPTH_NONE;
	if (rr == NULL || rr->data == NULL || chain == NULL || chain->n == 0) {
		snprintf(res->why, sizeof(res->why), "no record or no certificate");
		return 0;
	}
	ERR_clear_error();
	if ((unusable = tlsa_rr_unusable_why(rr)) != NULL) {
		if ((rr->usage == TLSA_USAGE_PKIX_TA || rr->usage == TLSA_USAGE_PKIX_EE)
		    && rr->selector <= TLSA_SEL_SPKI && rr->mtype <= TLSA_MT_SHA512)
			pkix_data_match(rr, chain, res);
		else
			snprintf(res->why, sizeof(res->why), "%s", unusable);
	} else if (rr->usage == TLSA_USAGE_DANE_EE) {
		/* RFC 7671 section 5.1: the leaf's key or certificate, nothing more */
		if (cert_matches(rr, chain->cert[0])) {
			res->match = 1;
			res->depth = 0;
			snprintf(res->why, sizeof(res->why), "DANE-EE: matches the leaf");
		} else {
			snprintf(res->why, sizeof(res->why), "DANE-EE: does not match the leaf");
		}
	} else {
		ta_match(rr, chain, host, res);
	}
	ERR_clear_error();
	return res->match;
}

int
tlsa_chain_digest(const tlsa_chain *c, size_t depth, unsigned selector,
    unsigned mtype, char *hex, size_t hexlen)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char *data;
	int	len, i;

	if (c == NULL || depth >= c->n || hexlen == 0)
		return -1;
	if ((len = association_data(c->cert[depth], selector, mtype, &data)) < 0)
		return -1;
	if ((size_t)len > (hexlen - 1) / 2) {
		OPENSSL_free(data);
		return -1;
	}
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[data[i] >> 4];
		hex[2 * i + 1] = digits[data[i] & 15];
	}
	hex[2 * len] = 0;
	OPENSSL_free(data);
	return 0;
}
