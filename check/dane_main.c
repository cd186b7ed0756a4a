/*
 * dane_main.c -- dmarctls-dane: do our published TLSA records count, and do
 *	they match the certificate chain we serve?
 *
 * SYNOPSIS
 *	dmarctls-dane [-c FILE] [--resolver ADDR[@PORT]] [--trust-anchor FILE]
 *	    [--unbound-config FILE] [--tlsa _25._tcp.mx.example.com]
 *	    [--cert chain.pem [--cert more.pem]] [--json]
 *
 * DESCRIPTION
 *	For administrators before and after a certificate renewal. Looks up
 *	the TLSA RRset (through the same DNS layer as the milter, DNSSEC
 *	validating) and prints its DNSSEC state and TTL, one line per record
 *	(presentation form, usable for SMTP or why not, whether and where it
 *	matches the served chain), the leaf's SHA2-256 certificate and SPKI
 *	digests -- what correct "3 0 1" and "3 1 1" records hold -- and the
 *	result of dane_check(): pass, fail, none or temperror. With --json one
 *	object with the same facts.
 *
 *	Without --tlsa and --cert, TLSATarget and TLSCertificate (comma-separated
 *	paths) come from the configuration file given with -c. The first
 *	certificate of the first file is the leaf; the rest follow as served.
 *
 * EXIT STATUS
 *	0 pass, 1 fail, 2 none, 3 temperror; 64 usage error, 65 unreadable
 *	certificate, 78 configuration error (sysexits.h).
 */

/* System library. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* Application-specific. */

#include "cli.h"
#include "config.h"
#include "config_resolver.h"
#include "dane_check.h"
#include "dns.h"
#include "json.h"
#include "strbuf.h"
#include "tlsa_match.h"

#define PROG		"dmarctls-dane"
#define DANE_CERT_FILES_MAX	TLSA_CHAIN_MAX	/* --cert options */
#define SUBJECT_MAX	256

typedef struct dane_opts {
	const char	*config, *resolver, *trust_anchor, *unbound_config, *tlsa;
	const char	*certs[DANE_CERT_FILES_MAX];
	size_t		ncerts;
	int		json;
} dane_opts;

/* What is printed about the leaf: the data of correct DANE-EE records. */
typedef struct leaf_facts {
	char	subject[SUBJECT_MAX];
	char	cert_sha256[TLSA_HEX_SHA512];
	char	spki_sha256[TLSA_HEX_SHA512];
} leaf_facts;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: " PROG " [-c FILE] [--resolver ADDR[@PORT]] [--trust-anchor FILE]\n"
	    "           [--unbound-config FILE] [--tlsa _25._tcp.HOST] "
	    "[--cert FILE [--cert FILE]...]\n"
	    "           [--json]\n"
	    "Without --tlsa or --cert, the -c file's TLSATarget or TLSCertificate is used.\n");
}

/* dane_args - the command line; 0 or EX_USAGE */
static int
dane_args(int argc, char **argv, dane_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "trust-anchor", required_argument, NULL, 't' },
		{ "unbound-config", required_argument, NULL, 'u' },
		{ "tlsa", required_argument, NULL, 'T' },
		{ "cert", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'r': o->resolver = optarg; break;
		case 't': o->trust_anchor = optarg; break;
		case 'u': o->unbound_config = optarg; break;
		case 'T': o->tlsa = optarg; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'C':
			if (o->ncerts >= DANE_CERT_FILES_MAX) {
				fprintf(stderr, PROG ": more than %d --cert files\n",
				    DANE_CERT_FILES_MAX);
				return EX_USAGE;
			}
			o->certs[o->ncerts++] = optarg;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
}

/* dane_config - the configuration file, then the command line over it */
static int
dane_config(const dane_opts *o, dt_config *cfg)
{
	cli_overrides ov = { o->config, o->resolver, o->trust_anchor, o->unbound_config, NULL };
	char	err[512];

	if (cli_config(cfg, &ov, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EX_CONFIG;
	}
	/* the configuration's own check of a TLSA owner name */
	if (o->tlsa && dt_config_set(cfg, "TLSATarget", o->tlsa, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": --tlsa: %s\n", err);
		dt_config_free(cfg);
		return EX_USAGE;
	}
	if (cfg->tlsa_target == NULL) {
		fprintf(stderr, PROG ": no --tlsa, and no TLSATarget in a -c file\n");
		dt_config_free(cfg);
		return EX_USAGE;
	}
	return 0;
}

/* load_chain - the --cert files, or TLSCertificate's list; 0 or an exit code */
static int
load_chain(const dane_opts *o, const dt_config *cfg, tlsa_chain **chain)
{
	const char *files[DANE_CERT_FILES_MAX];
	char	err[512], *list = NULL, *p, *tok;
	size_t	n = 0;
	int	rc = 0;

	if (o->ncerts > 0) {
		memcpy(files, o->certs, o->ncerts * sizeof(files[0]));
		n = o->ncerts;
	} else if (cfg->tls_certificate) {
		if ((list = strdup(cfg->tls_certificate)) == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return EX_OSERR;
		}
		for (tok = strtok_r(list, ",", &p); tok; tok = strtok_r(NULL, ",", &p)) {
			if (n >= DANE_CERT_FILES_MAX) {
				fprintf(stderr, PROG ": TLSCertificate: more than %d files\n",
				    DANE_CERT_FILES_MAX);
				free(list);
				return EX_CONFIG;
			}
			files[n++] = tok;
		}
	}
	if (n == 0) {
		fprintf(stderr, PROG ": no --cert, and no TLSCertificate in a -c file\n");
		free(list);
		return EX_USAGE;
	}
	if ((*chain = tlsa_chain_load(files, n, err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EX_DATAERR;	/* 65: unreadable certificate */
	}
	free(list);
	return rc;
}

static void
leaf_facts_of(const tlsa_chain *chain, leaf_facts *f)
{
	memset(f, 0, sizeof(*f));
	(void)tlsa_chain_subject(chain, 0, f->subject, sizeof(f->subject));
	(void)tlsa_chain_digest(chain, 0, TLSA_SEL_CERT, TLSA_MT_SHA256,
	    f->cert_sha256, sizeof(f->cert_sha256));
	(void)tlsa_chain_digest(chain, 0, TLSA_SEL_SPKI, TLSA_MT_SHA256,
	    f->spki_sha256, sizeof(f->spki_sha256));
}

/* where - the certificate a record's data named, in words */
static void
where(const tlsa_chain *chain, const dane_record *d, char *buf, size_t len)
{
	char	subject[SUBJECT_MAX];

	if (d->m.depth == TLSA_DEPTH_RECORD) {
		snprintf(buf, len, "the trust anchor in the record");
	} else if (d->m.depth >= 0
	    && tlsa_chain_subject(chain, (size_t)d->m.depth, subject, sizeof(subject)) == 0) {
		snprintf(buf, len, "depth %d (%s)", d->m.depth, subject);
	} else {
		snprintf(buf, len, "no served certificate");
	}
}

static void
print_text(const dane_report *r, const char *owner, const tlsa_chain *chain,
    const leaf_facts *leaf)
{
	char	subject[SUBJECT_MAX], at[SUBJECT_MAX + 32];
	size_t	i;

	printf("TLSA %s: %s, DNSSEC %s, TTL %d\n", owner, dns_status_name(r->status),
	    dns_sec_name(r->sec), r->ttl);
	for (i = 0; i < r->n; i++) {
		const dane_record *d = &r->rec[i];

		where(chain, d, at, sizeof(at));
		printf("record %s\n", d->text);
		printf("  %s; %s; data names %s\n",
		    d->usable ? "usable for SMTP" : "NOT usable for SMTP",
		    d->m.match ? "MATCHES" : "does not match", at);
		printf("  %s\n", d->m.why);
	}
	printf("leaf: %s\n", leaf->subject);
	for (i = 1; i < tlsa_chain_count(chain); i++)
		if (tlsa_chain_subject(chain, i, subject, sizeof(subject)) == 0)
			printf("chain depth %zu: %s\n", i, subject);
	printf("leaf certificate SHA2-256: %s  (TLSA 3 0 1)\n", leaf->cert_sha256);
	printf("leaf public key  SHA2-256: %s  (TLSA 3 1 1)\n", leaf->spki_sha256);
	printf("result: %s (%s)\n", dane_res_name(r->result), r->reason);
}

static void
json_key(strbuf *out, const char *key)
{
	json_string(out, key);
	strbuf_appendc(out, ':');
}

static void
json_kv(strbuf *out, const char *key, const char *value)
{
	json_key(out, key);
	if (value)
		json_string(out, value);
	else
		strbuf_append(out, "null");
}

static void
json_record(strbuf *out, const tlsa_chain *chain, const dane_record *d)
{
	char	subject[SUBJECT_MAX];
	const char *unusable = d->parsed ? tlsa_rr_unusable_why(&d->rr)
	    : "malformed TLSA rdata";

	strbuf_appendc(out, '{');
	json_kv(out, "record", d->text);
	strbuf_printf(out, ",\"usable\":%s,", d->usable ? "true" : "false");
	json_kv(out, "unusable_reason", unusable);
	strbuf_printf(out, ",\"match\":%s,", d->m.match ? "true" : "false");
	json_key(out, "depth");
	if (d->m.depth >= 0)
		strbuf_printf(out, "%d", d->m.depth);
	else
		strbuf_append(out, "null");
	strbuf_printf(out, ",\"anchor_in_record\":%s,",
	    d->m.depth == TLSA_DEPTH_RECORD ? "true" : "false");
	json_kv(out, "subject", d->m.depth >= 0 && tlsa_chain_subject(chain,
	    (size_t)d->m.depth, subject, sizeof(subject)) == 0 ? subject : NULL);
	strbuf_appendc(out, ',');
	json_kv(out, "detail", d->m.why);
	strbuf_appendc(out, '}');
}

static void
json_chain(strbuf *out, const tlsa_chain *chain)
{
	char	subject[SUBJECT_MAX], cert[TLSA_HEX_SHA512], spki[TLSA_HEX_SHA512];
	size_t	i;

	strbuf_appendc(out, '[');
	for (i = 0; i < tlsa_chain_count(chain); i++) {
		if (tlsa_chain_subject(chain, i, subject, sizeof(subject)) < 0
		    || tlsa_chain_digest(chain, i, TLSA_SEL_CERT, TLSA_MT_SHA256, cert,
		    sizeof(cert)) < 0
		    || tlsa_chain_digest(chain, i, TLSA_SEL_SPKI, TLSA_MT_SHA256, spki,
		    sizeof(spki)) < 0)
			subject[0] = cert[0] = spki[0] = 0;
		strbuf_printf(out, "%s{\"depth\":%zu,", i ? "," : "", i);
		json_kv(out, "subject", subject);
		strbuf_appendc(out, ',');
		json_kv(out, "cert_sha256", cert);
		strbuf_appendc(out, ',');
		json_kv(out, "spki_sha256", spki);
		strbuf_appendc(out, '}');
	}
	strbuf_appendc(out, ']');
}

static void
print_json(const dane_report *r, const char *owner, const tlsa_chain *chain,
    const leaf_facts *leaf)
{
	strbuf	out = STRBUF_INIT;
	size_t	i;

	strbuf_appendc(&out, '{');
	json_kv(&out, "tlsa", owner);
	strbuf_appendc(&out, ',');
	json_kv(&out, "host", r->host[0] ? r->host : NULL);
	strbuf_append(&out, ",\"dns\":{");
	json_kv(&out, "status", dns_status_name(r->status));
	strbuf_appendc(&out, ',');
	json_kv(&out, "dnssec", dns_sec_name(r->sec));
	strbuf_printf(&out, ",\"ttl\":%d},\"records\":[", r->ttl);
	for (i = 0; i < r->n; i++) {
		if (i)
			strbuf_appendc(&out, ',');
		json_record(&out, chain, &r->rec[i]);
	}
	strbuf_append(&out, "],\"chain\":");
	json_chain(&out, chain);
	strbuf_append(&out, ",\"leaf\":{");
	json_kv(&out, "subject", leaf->subject);
	strbuf_appendc(&out, ',');
	json_kv(&out, "cert_sha256", leaf->cert_sha256);
	strbuf_appendc(&out, ',');
	json_kv(&out, "spki_sha256", leaf->spki_sha256);
	strbuf_append(&out, "},");
	json_kv(&out, "result", dane_res_name(r->result));
	strbuf_appendc(&out, ',');
	json_kv(&out, "reason", r->reason);
	strbuf_append(&out, "}\n");
	if (out.failed)
		fprintf(stderr, PROG ": out of memory\n");
	else
		fputs(strbuf_str(&out), stdout);
	strbuf_free(&out);
}

static int
exit_code(dane_res r)
{
	switch (r) {
	case DANE_RES_PASS: return 0;
	case DANE_RES_FAIL: return 1;
	case DANE_RES_NONE: return 2;
	default: return 3;
	}
}

int
main(int argc, char **argv)
{
	dane_opts o;
	dt_config cfg;
	dns_resolver *res = NULL;
	tlsa_chain *chain = NULL;
	dane_report r;
	leaf_facts leaf;
	char	err[512];
	int	rc;

	if ((rc = dane_args(argc, argv, &o)) != 0)
		return rc;
	if ((rc = dane_config(&o, &cfg)) != 0)
		return rc;
	if ((rc = load_chain(&o, &cfg, &chain)) != 0)
		goto done;
	if ((res = dt_config_resolver(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = EX_CONFIG;
		goto done;
	}
	dane_check(dns_lookup_rrset, res, cfg.tlsa_target, chain, &r);
	leaf_facts_of(chain, &leaf);
	if (o.json)
		print_json(&r, cfg.tlsa_target, chain, &leaf);
	else
		print_text(&r, cfg.tlsa_target, chain, &leaf);
	rc = exit_code(r.result);
	dane_report_free(&r);
done:
	dns_resolver_free(res);
	tlsa_chain_free(chain);
	dt_config_free(&cfg);
	return rc;
}
