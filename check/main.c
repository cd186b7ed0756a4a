/*
 * main.c -- dmarctls-check: evaluate one message file offline with the policy core.
 *
 * SYNOPSIS
 *	dmarctls-check [-c FILE] [--resolver ADDR[@PORT]] [--trust-anchor FILE]
 *	    [--authserv-id ID] --ip ADDR [--helo NAME] [--mail-from ADDR]
 *	    [--tls-version V --cipher NAME --cipher-bits N] [--mail-arg REQUIRETLS]
 *	    [--json] [MESSAGE | -]
 *
 * DESCRIPTION
 *	Runs exactly what the milter runs for one message (SPF at the
 *	envelope, DKIM and From while the headers stream, DMARC at the end)
 *	and prints the headers the milter would add and the action, or with
 *	--json one object (see README.md).
 *
 * EXIT STATUS
 *	0 accept, 1 quarantine, 2 reject, 3 tempfail; 64 usage error,
 *	65 unreadable message, 78 configuration error (sysexits.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "message.h"
#include "strbuf.h"
#include "verdict.h"

#define CHECK_MESSAGE_MAX	(256u * 1024 * 1024)	/* larger files: EX_DATAERR */

typedef struct check_opts {
	const char	*config, *resolver, *trust_anchor, *authserv_id;
	const char	*ip, *helo, *mail_from, *tls_version, *cipher, *message;
	unsigned	cipher_bits;
	int		requiretls, json;
} check_opts;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: dmarctls-check [-c FILE] [--resolver ADDR[@PORT]] "
	    "[--trust-anchor FILE]\n"
	    "           [--authserv-id ID] --ip ADDR [--helo NAME] [--mail-from ADDR]\n"
	    "           [--tls-version V --cipher NAME --cipher-bits N] "
	    "[--mail-arg REQUIRETLS]\n"
	    "           [--json] [MESSAGE | -]\n");
}

/* check_args - parse the command line; returns 0 or EX_USAGE */
static int
check_args(int argc, char **argv, check_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "trust-anchor", required_argument, NULL, 't' },
		{ "authserv-id", required_argument, NULL, 'a' },
		{ "ip", required_argument, NULL, 'i' },
		{ "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "tls-version", required_argument, NULL, 'V' },
		{ "cipher", required_argument, NULL, 'C' },
		{ "cipher-bits", required_argument, NULL, 'B' },
		{ "mail-arg", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char addr[sizeof(struct in6_addr)];
	char	*end;
	long	bits;
	int	c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'r': o->resolver = optarg; break;
		case 't': o->trust_anchor = optarg; break;
		case 'a': o->authserv_id = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'H': o->helo = optarg; break;
		case 'f': o->mail_from = optarg; break;
		case 'V': o->tls_version = optarg; break;
		case 'C': o->cipher = optarg; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'B':
			errno = 0;
			bits = strtol(optarg, &end, 10);
			if (errno || *end || bits < 0 || bits > 65536) {
				fprintf(stderr, "dmarctls-check: bad --cipher-bits: %s\n", optarg);
				return EX_USAGE;
			}
			o->cipher_bits = (unsigned)bits;
			break;
		case 'm':
			if (strcasecmp(optarg, "REQUIRETLS") == 0)
				o->requiretls = 1;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return EX_USAGE;
	}
	o->message = optind < argc ? argv[optind] : "-";
	if (o->ip == NULL || (inet_pton(AF_INET, o->ip, addr) != 1
	    && inet_pton(AF_INET6, o->ip, addr) != 1)) {
		fprintf(stderr, "dmarctls-check: --ip needs an IPv4 or IPv6 address\n");
		return EX_USAGE;
	}
	return 0;
}

/* check_config - the configuration file, then the command line over it */
static int
check_config(const check_opts *o, dt_config *cfg)
{
	cli_overrides ov = { o->config, o->resolver, o->trust_anchor, NULL, o->authserv_id };
	char	err[512];

	if (cli_config(cfg, &ov, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-check: %s\n", err);
		return EX_CONFIG;
	}
	return 0;
}

/* check_read - the whole message into memory */
static int
check_read(const char *path, strbuf *sb)
{
	FILE	*fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char	buf[65536];
	size_t	n;

	if (fp == NULL) {
		fprintf(stderr, "dmarctls-check: %s: %s\n", path, strerror(errno));
		return EX_DATAERR;	/* 65: DESIGN.md "unreadable message" */
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		if (sb->len + n > CHECK_MESSAGE_MAX || strbuf_appendn(sb, buf, n) < 0) {
			fprintf(stderr, "dmarctls-check: %s: message larger than %u bytes\n",
			    path, CHECK_MESSAGE_MAX);
			n = 0;
			break;
		}
	}
	if (ferror(fp) || n != 0 || sb->failed) {
		if (ferror(fp))
			fprintf(stderr, "dmarctls-check: %s: read error\n", path);
		if (fp != stdin)
			fclose(fp);
		return EX_DATAERR;
	}
	if (fp != stdin)
		fclose(fp);
	return 0;
}

/* check_eval - stream the message through an evaluation as an MTA would */
static void
check_eval(dt_eval *e, const check_opts *o, const dt_config *cfg, const message *m)
{
	dt_tls	tls;

	memset(&tls, 0, sizeof(tls));
	snprintf(tls.version, sizeof(tls.version), "%s", o->tls_version ? o->tls_version : "");
	snprintf(tls.cipher, sizeof(tls.cipher), "%s", o->cipher ? o->cipher : "");
	tls.bits = o->cipher_bits;
	tls.requiretls = o->requiretls;
	dt_eval_tls(e, &tls);
	/* as the milter: a TrustedNetworks client's REQUIRETLS fields are believed */
	dt_eval_trusted(e, dt_netlist_match(cfg->trusted_networks, o->ip));
	dt_eval_envelope(e, o->ip, o->helo, o->mail_from);
	message_feed(m, e);
}

static void
check_print(const dt_verdict *v)
{
	if (v->authres)
		printf("Authentication-Results: %s\n", v->authres);
	if (v->authres_tls)
		printf("Authentication-Results: %s\n", v->authres_tls);
	if (v->tlsreq.add_esmtp)
		printf("Require-TLS-ESMTP: yes\n");
	printf("action: %s\n", action_name(v->action));
	if (v->action != v->policy_action)
		printf("policy-action: %s (DryRun)\n", action_name(v->policy_action));
	if (v->has_reply)
		printf("smtp-reply: %s %s %s\n", v->reply_code, v->reply_xcode, v->reply_text);
}

static int
exit_code(action_t a)
{
	switch (a) {
	case ACTION_QUARANTINE: return 1;
	case ACTION_REJECT: return 2;
	case ACTION_TEMPFAIL: return 3;
	default: return 0;
	}
}

int
main(int argc, char **argv)
{
	check_opts o;
	dt_config cfg;
	dt_context *ctx = NULL;
	dt_eval	*e = NULL;
	strbuf	raw = STRBUF_INIT, out = STRBUF_INIT;
	message	m;
	char	err[512];
	int	rc;

	if ((rc = check_args(argc, argv, &o)) != 0)
		return rc;
	if ((rc = check_config(&o, &cfg)) != 0)
		return rc;
	if ((rc = check_read(o.message, &raw)) != 0)
		goto done;
	if (message_parse(strbuf_str(&raw), raw.len, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmarctls-check: %s: %s\n", o.message, err);
		rc = EX_DATAERR;
		goto done;
	}
	if ((ctx = dt_context_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dmarctls-check: %s\n", err);
		message_free(&m);
		rc = EX_CONFIG;
		goto done;
	}
	if ((e = dt_eval_new(ctx, "check")) == NULL) {
		fprintf(stderr, "dmarctls-check: out of memory\n");
		message_free(&m);
		rc = EX_SOFTWARE;
		goto done;
	}
	if (dt_netlist_match(cfg.ignore_networks, o.ip))
		fprintf(stderr, "dmarctls-check: note: %s is in IgnoreNetworks: the milter would "
		    "accept it unchecked; evaluated anyway\n", o.ip);
	check_eval(e, &o, &cfg, &m);
	message_free(&m);
	const dt_verdict *v = dt_eval_finish(e);
	if (o.json) {
		dt_verdict_json(v, &out);
		fputs(strbuf_str(&out), stdout);
	} else {
		check_print(v);
	}
	rc = exit_code(v->action);
done:
	dt_eval_free(e);
	dt_context_free(ctx);
	dt_config_free(&cfg);
	strbuf_free(&raw);
	strbuf_free(&out);
	return rc;
}
