/*
 * NAME
 *	dt-sign -- sign a test message with libopendkim (integration helper)
 *
 * SYNOPSIS
 *	dt-sign -d DOMAIN -s SELECTOR -k KEYFILE [-a ALG] [-l] [-z] < in > out
 *
 * DESCRIPTION
 *	Reads one RFC 5322 message on standard input and writes it to standard
 *	output with a DKIM-Signature header field prepended. Canonicalization
 *	is relaxed/relaxed (RFC 6376 section 3.4); the header fields signed are
 *	libopendkim's default set (From, To, Subject, Date, ...).
 *
 *	-a ALG	rsa-sha256 (default), ed25519-sha256 (RFC 8463) or rsa-sha1.
 *	-z	shorthand for -a rsa-sha1: RFC 8301 says verifiers must not
 *		accept it, which is what the integration test checks.
 *	-l	add a body length tag (l=).
 *
 *	KEYFILE is a PEM private key as written by `openssl genpkey` or
 *	`openssl genrsa` (PKCS#8 or PKCS#1). libopendkim 2.11 hands PEM text
 *	to PEM_read_bio_PrivateKey() for both key types, so an Ed25519 key is
 *	simply `openssl genpkey -algorithm ed25519`; its DNS record (p=) is
 *	the raw 32-byte public key in base64 (RFC 8463 section 4.2), i.e. the
 *	last 32 bytes of the DER SubjectPublicKeyInfo. Key size is whatever
 *	the file holds, so 512- and 1024-bit RSA tests just use other files.
 *
 *	The message may use LF or CRLF line ends; libopendkim is fed CRLF
 *	(RFC 6376 section 5.3) and the output keeps the input's convention,
 *	decided by the first line end seen.
 *
 * DIAGNOSTICS
 *	Exit 0 on success, 64 on a usage error, 65 on unreadable input, 70
 *	when libopendkim refuses (bad key, unsupported algorithm).
 *
 * HOSTILE INPUT
 *	This is a test helper, yet it still bounds the message size
 *	(DT_MAX_MESSAGE) and never trusts the input to contain a header/body
 *	separator or well-formed folding.
 */

/* System library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Third-party library. */
#include <opendkim/dkim.h>

/* Project library. */
#include "strbuf.h"

#define DT_MAX_MESSAGE	(128u * 1024 * 1024)	/* refuse larger input */
#define DT_MAX_KEY	(64u * 1024)		/* a PEM key is a few KB */
#define DT_JOBID	"dt-sign"
#define DT_MIN_KEYBITS	512			/* sign with test-weak keys too */

#define EX_OK_		0
#define EX_USAGE_	64
#define EX_DATAERR_	65
#define EX_SOFTWARE_	70

struct dt_opts {
	const char *domain;
	const char *selector;
	const char *keyfile;
	dkim_alg_t alg;
	int	 bodylen;
};

static void
usage(void)
{
	fprintf(stderr, "usage: dt-sign -d DOMAIN -s SELECTOR -k KEYFILE "
	    "[-a rsa-sha256|ed25519-sha256|rsa-sha1] [-l] [-z] < in > out\n");
	exit(EX_USAGE_);
}

static int
parse_alg(const char *name, dkim_alg_t *alg)
{
	if (strcmp(name, "rsa-sha256") == 0)
		*alg = DKIM_SIGN_RSASHA256;
	else if (strcmp(name, "ed25519-sha256") == 0 || strcmp(name, "ed25519") == 0)
		*alg = DKIM_SIGN_ED25519SHA256;
	else if (strcmp(name, "rsa-sha1") == 0)
		*alg = DKIM_SIGN_RSASHA1;
	else
		return -1;
	return 0;
}

/* Read a whole stream, at most limit bytes; -1 on error or overflow. */
static int
read_all(FILE *fp, strbuf *sb, size_t limit)
{
	char	buf[8192];
	size_t	n;

	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (sb->len + n > limit)
			return -1;
		if (strbuf_appendn(sb, buf, n) < 0)
			return -1;
	}
	return ferror(fp) ? -1 : 0;
}

/*
 * Copy the message with every line end as CRLF. A lone CR is kept as is:
 * libopendkim's canonicalization deals with it, and we must not invent
 * line ends the sender did not write.
 */
static int
to_crlf(const strbuf *in, strbuf *out)
{
	size_t	i;

	for (i = 0; i < in->len; i++) {
		if (in->s[i] == '\n' && (i == 0 || in->s[i - 1] != '\r'))
			strbuf_appendc(out, '\r');
		strbuf_appendc(out, in->s[i]);
	}
	if (out->len == 0)
		strbuf_append(out, "");
	return out->failed ? -1 : 0;
}

/* Does the input use CRLF? Decided by its first LF. */
static int
input_is_crlf(const strbuf *in)
{
	const char *lf = in->len ? memchr(in->s, '\n', in->len) : NULL;

	return lf != NULL && lf > in->s && lf[-1] == '\r';
}

/*
 * Feed the header fields, one per call as libopendkim wants them (folded
 * continuation lines included, the final CRLF excluded), then the body.
 * Returns the libopendkim status of the first failing call.
 */
static DKIM_STAT
feed_message(DKIM *dkim, const strbuf *msg)
{
	const char *p = msg->s;
	const char *end = msg->s + msg->len;
	const char *field = NULL;	/* start of the field being collected */
	const char *fend = NULL;	/* end of its last line, CRLF excluded */
	const char *eol;
	DKIM_STAT st;

	while (p < end) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (eol == NULL)
			eol = end;			/* no separator: all header */
		/* A continuation line (RFC 5322 section 2.2.3) joins the field. */
		if (field != NULL && p < eol && (*p == ' ' || *p == '\t')) {
			fend = eol;
			p = eol < end ? eol + 2 : end;
			continue;
		}
		if (field != NULL) {
			st = dkim_header(dkim, (u_char *)field, (size_t)(fend - field));
			if (st != DKIM_STAT_OK)
				return st;
			field = NULL;
		}
		if (eol == p) {				/* empty line ends the header */
			p = eol + 2;
			break;
		}
		field = p;
		fend = eol;
		p = eol < end ? eol + 2 : end;
	}
	if (field != NULL) {
		st = dkim_header(dkim, (u_char *)field, (size_t)(fend - field));
		if (st != DKIM_STAT_OK)
			return st;
	}
	st = dkim_eoh(dkim);
	if (st != DKIM_STAT_OK)
		return st;
	if (p < end) {
		st = dkim_body(dkim, (u_char *)p, (size_t)(end - p));
		if (st != DKIM_STAT_OK)
			return st;
	}
	return dkim_eom(dkim, NULL);
}

/* Write the signature header with the wanted line ends, then the input. */
static int
write_output(const unsigned char *sig, size_t siglen, const strbuf *orig, int crlf)
{
	size_t	i;

	fputs(DKIM_SIGNHEADER ": ", stdout);
	for (i = 0; i < siglen; i++) {
		if (sig[i] == '\r' && !crlf)
			continue;
		putchar(sig[i]);
	}
	fputs(crlf ? "\r\n" : "\n", stdout);
	if (orig->len > 0 && fwrite(orig->s, 1, orig->len, stdout) != orig->len)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

static int
sign(const struct dt_opts *o, const strbuf *key, const strbuf *orig)
{
	DKIM_LIB *lib;
	DKIM	*dkim;
	DKIM_STAT st;
	strbuf	msg = STRBUF_INIT;
	u_char	*sig;
	size_t	siglen;
	u_int	flags;
	u_int	minbits = DT_MIN_KEYBITS;
	int	ret = EX_SOFTWARE_;

	if ((lib = dkim_init(NULL, NULL)) == NULL) {
		fprintf(stderr, "dt-sign: dkim_init failed\n");
		return EX_SOFTWARE_;
	}
	if (o->alg == DKIM_SIGN_ED25519SHA256
	    && !dkim_libfeature(lib, DKIM_FEATURE_ED25519)) {
		fprintf(stderr, "dt-sign: this libopendkim has no ed25519\n");
		goto out_lib;
	}
	/*
	 * The signer must be able to make the weak signatures the verifier is
	 * tested against (RFC 8301 section 3.2: verifiers refuse < 1024 bits).
	 */
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS,
	    &minbits, sizeof(minbits));
	if (o->bodylen) {
		flags = DKIM_LIBFLAGS_SIGNLEN;
		(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS,
		    &flags, sizeof(flags));
	}
	if (to_crlf(orig, &msg) < 0) {
		fprintf(stderr, "dt-sign: out of memory\n");
		goto out_lib;
	}
	dkim = dkim_sign(lib, (const u_char *)DT_JOBID, NULL,
	    (dkim_sigkey_t)key->s, (const u_char *)o->selector,
	    (const u_char *)o->domain, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
	    o->alg, -1, &st);
	if (dkim == NULL) {
		fprintf(stderr, "dt-sign: dkim_sign: %s\n", dkim_getresultstr(st));
		goto out_msg;
	}
	st = feed_message(dkim, &msg);
	if (st == DKIM_STAT_OK)
		st = dkim_getsighdr_d(dkim, strlen(DKIM_SIGNHEADER ": "),
		    &sig, &siglen);
	if (st != DKIM_STAT_OK) {
		const char *err = dkim_geterror(dkim);

		fprintf(stderr, "dt-sign: %s%s%s\n", dkim_getresultstr(st),
		    err ? ": " : "", err ? err : "");
	} else if (write_output(sig, siglen, orig, input_is_crlf(orig)) < 0) {
		fprintf(stderr, "dt-sign: write: %s\n", strerror(errno));
	} else {
		ret = EX_OK_;
	}
	dkim_free(dkim);
out_msg:
	strbuf_free(&msg);
out_lib:
	dkim_close(lib);
	return ret;
}

int
main(int argc, char **argv)
{
	struct dt_opts o = { NULL, NULL, NULL, DKIM_SIGN_RSASHA256, 0 };
	strbuf	key = STRBUF_INIT;
	strbuf	orig = STRBUF_INIT;
	FILE	*fp;
	int	c;
	int	ret;

	while ((c = getopt(argc, argv, "a:d:k:ls:z")) != -1) {
		switch (c) {
		case 'a':
			if (parse_alg(optarg, &o.alg) < 0)
				usage();
			break;
		case 'd': o.domain = optarg; break;
		case 'k': o.keyfile = optarg; break;
		case 'l': o.bodylen = 1; break;
		case 's': o.selector = optarg; break;
		case 'z': o.alg = DKIM_SIGN_RSASHA1; break;
		default: usage();
		}
	}
	if (o.domain == NULL || o.selector == NULL || o.keyfile == NULL
	    || optind != argc)
		usage();

	if ((fp = fopen(o.keyfile, "r")) == NULL) {
		fprintf(stderr, "dt-sign: %s: %s\n", o.keyfile, strerror(errno));
		return EX_DATAERR_;
	}
	ret = read_all(fp, &key, DT_MAX_KEY);
	fclose(fp);
	if (ret < 0 || key.len == 0) {
		fprintf(stderr, "dt-sign: %s: unreadable or too large\n", o.keyfile);
		strbuf_free(&key);
		return EX_DATAERR_;
	}
	if (read_all(stdin, &orig, DT_MAX_MESSAGE) < 0) {
		fprintf(stderr, "dt-sign: message unreadable or larger than %u bytes\n",
		    DT_MAX_MESSAGE);
		strbuf_free(&key);
		strbuf_free(&orig);
		return EX_DATAERR_;
	}
	ret = sign(&o, &key, &orig);
	strbuf_free(&key);
	strbuf_free(&orig);
	return ret;
}
