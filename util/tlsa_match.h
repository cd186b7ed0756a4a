/*
 * tlsa_match.h -- TLSA records (RFC 6698) matched against the certificate
 *	chain a server presents, the way a DANE SMTP client does (RFC 7672).
 *
 * SYNOPSIS
 *	int  tlsa_rr_parse(const unsigned char *rdata, size_t len, tlsa_rr *out);
 *	int  tlsa_rr_usable(const tlsa_rr *rr);
 *	const char *tlsa_rr_unusable_why(const tlsa_rr *rr);
 *	int  tlsa_rr_format(const tlsa_rr *rr, strbuf *out);
 *
 *	tlsa_chain *tlsa_chain_new(void);
 *	int  tlsa_chain_add_pem(tlsa_chain *c, const char *pem, size_t len,
 *		const char *label, char *err, size_t errlen);
 *	tlsa_chain *tlsa_chain_load(const char *const *files, size_t nfiles,
 *		char *err, size_t errlen);
 *	void tlsa_chain_free(tlsa_chain *c);
 *	size_t tlsa_chain_count(const tlsa_chain *c);
 *	int  tlsa_chain_subject(const tlsa_chain *c, size_t depth, char *buf,
 *		size_t len);
 *	int  tlsa_chain_digest(const tlsa_chain *c, size_t depth,
 *		unsigned selector, unsigned mtype, char *hex, size_t hexlen);
 *
 *	int  tlsa_match(const tlsa_rr *rr, const tlsa_chain *chain,
 *		const char *host, tlsa_result *res);
 *
 * DESCRIPTION
 *	tlsa_rr_parse() splits TLSA rdata in wire form (RFC 6698 section 2.1:
 *	usage, selector, matching type, certificate association data) into
 *	*out, whose data points into rdata (no copy: rdata must outlive it).
 *	It returns -1 for malformed rdata: fewer than four bytes (no
 *	association data at all), SHA2-256 data that is not 32 bytes, or
 *	SHA2-512 data that is not 64 bytes. Unknown usages, selectors and
 *	matching types parse (0): they are well-formed but unusable.
 *
 *	tlsa_rr_usable() is 1 when a DANE SMTP client uses the record
 *	(RFC 7672 section 3.1.3): usage 2 DANE-TA or 3 DANE-EE, selector
 *	0 Cert or 1 SPKI, matching type 0 Full, 1 SHA2-256 or 2 SHA2-512.
 *	PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP. tlsa_rr_unusable_why()
 *	says why in a few words (NULL for a usable record).
 *
 *	tlsa_rr_format() appends the presentation form (RFC 6698 section 2.2)
 *	"3 1 1 0a1b..." with the data in lower-case hex.
 *
 *	A tlsa_chain is the chain a server serves: the leaf first, then the
 *	rest in the order served (as Postfix's smtpd_tls_chain_files).
 *	tlsa_chain_add_pem() appends every CERTIFICATE block of a PEM text
 *	and skips any other block (a private key in the same file is normal).
 *	tlsa_chain_load() does that for each file in turn: the first
 *	certificate of the first file is the leaf. Both fail with a message in
 *	err for an unreadable file, a damaged certificate block, a file with no
 *	certificate, or more than TLSA_CHAIN_MAX certificates in all.
 *
 *	tlsa_chain_digest() writes into hex the association data, in hex, that
 *	a record with this selector and matching type would need for the
 *	certificate at depth (0 the leaf): tlsa_chain_digest(c, 0, 1, 1, ...)
 *	is the data of a correct "3 1 1" record. Returns -1 when depth, the
 *	selector or the type is out of range or hex is too small (2 bytes per
 *	byte of data plus the NUL; TLSA_HEX_SHA512 suffices for types 1 and 2).
 *	tlsa_chain_subject() writes the RFC 2253 subject of that certificate,
 *	with control and non-ASCII bytes escaped; -1 on a bad depth.
 *
 *	tlsa_match() decides whether one record authenticates the chain for a
 *	DANE SMTP client and fills *res (which may not be NULL). It returns 1
 *	(res->match) or 0:
 *	  DANE-EE(3): the leaf's selected data matches. Nothing else is
 *		checked: no names, no dates, no chain (RFC 7671 section 5.1).
 *	  DANE-TA(2): a certificate above the leaf (depth >= 1) matches, or the
 *		record holds the trust anchor in full (matching type 0: a
 *		certificate, or a public key that signed a served certificate;
 *		RFC 7671 section 5.2.2), and the leaf chains up to that anchor:
 *		X509_verify_cert() with the anchor as the only trusted
 *		certificate, partial chains allowed, the served certificates as
 *		intermediates, purpose "TLS server", dates checked against the
 *		clock, and, when host is not NULL, the leaf's names checked
 *		against host (RFC 7672 section 3.2.3; the TLSA base domain).
 *		This is what an OpenSSL-based sender (Postfix) does: a chain
 *		that expired or names another host fails there too, so it
 *		fails here. A DANE-TA record never matches the leaf itself,
 *		again as OpenSSL.
 *	  anything unusable: never a match, but res->depth still tells which
 *		served certificate, if any, its data names (for the report).
 *	res->depth is the chain index of the certificate whose data matched,
 *	TLSA_DEPTH_RECORD when the anchor came from the record itself, or
 *	TLSA_DEPTH_NONE; res->why a short reason in words.
 *
 * HOSTILE INPUT
 *	Only [rdata, rdata + len) is read. Association data handed to the DER
 *	decoders (matching type 0, usage 2) must decode to exactly its length.
 *	PEM files larger than TLSA_PEM_FILE_MAX are refused. Every OpenSSL
 *	error left on the thread's error queue is cleared before returning.
 */
#ifndef DMARCTLS_TLSA_MATCH_H
#define DMARCTLS_TLSA_MATCH_H

#include <stddef.h>

#include "strbuf.h"

/* RFC 6698 section 7.2-7.4 registries, and the SMTP subset (RFC 7672). */
#define TLSA_USAGE_PKIX_TA	0
#define TLSA_USAGE_PKIX_EE	1
#define TLSA_USAGE_DANE_TA	2
#define TLSA_USAGE_DANE_EE	3
#define TLSA_SEL_CERT		0
#define TLSA_SEL_SPKI		1
#define TLSA_MT_FULL		0
#define TLSA_MT_SHA256		1
#define TLSA_MT_SHA512		2

#define TLSA_CHAIN_MAX		16		/* certificates in a chain */
#define TLSA_PEM_FILE_MAX	(1024 * 1024)	/* bytes in one PEM file */
#define TLSA_HEX_SHA512		(2 * 64 + 1)	/* hex of a SHA2-512, NUL */
#define TLSA_WHY_MAX		192
#define TLSA_DEPTH_NONE		(-1)
#define TLSA_DEPTH_RECORD	(-2)	/* the trust anchor is in the record */

typedef struct tlsa_rr {
	unsigned	usage, selector, mtype;
	const unsigned char *data;	/* points into the parsed rdata */
	size_t		len;
} tlsa_rr;

typedef struct tlsa_result {
	int	match;			/* 1: authenticates the chain */
	int	depth;			/* see TLSA_DEPTH_* */
	char	why[TLSA_WHY_MAX];
} tlsa_result;

typedef struct tlsa_chain tlsa_chain;	/* opaque: the leaf, then the rest */

int	tlsa_rr_parse(const unsigned char *rdata, size_t len, tlsa_rr *out);
int	tlsa_rr_usable(const tlsa_rr *rr);
const char *tlsa_rr_unusable_why(const tlsa_rr *rr);
int	tlsa_rr_format(const tlsa_rr *rr, strbuf *out);

tlsa_chain *tlsa_chain_new(void);
int	tlsa_chain_add_pem(tlsa_chain *c, const char *pem, size_t len,
	    const char *label, char *err, size_t errlen);
tlsa_chain *tlsa_chain_load(const char *const *files, size_t nfiles,
	    char *err, size_t errlen);
void	tlsa_chain_free(tlsa_chain *c);
size_t	tlsa_chain_count(const tlsa_chain *c);
int	tlsa_chain_subject(const tlsa_chain *c, size_t depth, char *buf,
	    size_t len);
int	tlsa_chain_digest(const tlsa_chain *c, size_t depth, unsigned selector,
	    unsigned mtype, char *hex, size_t hexlen);

int	tlsa_match(const tlsa_rr *rr, const tlsa_chain *chain, const char *host,
	    tlsa_result *res);

#endif
