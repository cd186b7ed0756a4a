/*
 * json.c -- the JSON writer of json.h.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

/* utf8_len - length of a valid UTF-8 sequence at s, 0 if invalid */
static size_t
utf8_len(const unsigned char *s)
{
	size_t	n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void
json_string(strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t	n;

	strbuf_appendc(out, '"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			strbuf_appendc(out, '\\');
			strbuf_appendc(out, (char)*p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			strbuf_printf(out, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			strbuf_append(out, "\\ufffd");
			p++;
		} else {
			strbuf_appendn(out, (const char *)p, n);
			p += n;
		}
	}
	strbuf_appendc(out, '"');
}

static void
json_kv(strbuf *out, const char *key, const char *value, int comma)
{
	json_string(out, key);
	strbuf_appendc(out, ':');
	if (value)
		json_string(out, value);
	else
		strbuf_append(out, "null");
	if (comma)
		strbuf_appendc(out, ',');
}

static void
json_bool(strbuf *out, const char *key, int value, int comma)
{
	json_string(out, key);
	strbuf_printf(out, ":%s%s", value ? "true" : "false", comma ? "," : "");
}

static void
json_spf(strbuf *out, const spf_outcome *s)
{
	strbuf_append(out, "\"spf\":{");
	json_kv(out, "result", spf_res_name(s->mailfrom), 1);
	json_kv(out, "domain", s->domain, 1);
	json_bool(out, "null_sender", s->null_sender, 1);
	strbuf_append(out, "\"helo\":{");
	json_kv(out, "result", spf_res_name(s->helo), 1);
	json_kv(out, "domain", s->helo_domain, 0);
	strbuf_append(out, "}},");
}

static void
json_dkim(strbuf *out, const dt_verdict *v)
{
	size_t	i;

	strbuf_append(out, "\"dkim\":[");
	for (i = 0; i < v->ndkim; i++) {
		const dkim_sig_result *d = &v->dkim[i];

		strbuf_append(out, i ? ",{" : "{");
		json_kv(out, "result", dkim_res_name(d->result), 1);
		json_kv(out, "d", d->d, 1);
		json_kv(out, "s", d->s, 1);
		json_kv(out, "a", d->a, 1);
		json_kv(out, "b", d->b, 1);
		strbuf_printf(out, "\"key_bits\":%u,", d->keybits);
		json_kv(out, "reason", d->reason[0] ? d->reason : NULL, 0);
		strbuf_appendc(out, '}');
	}
	strbuf_append(out, "],");
}

static void
json_dmarc_one(strbuf *out, const char *from, const dmarc_outcome *o)
{
	strbuf_appendc(out, '{');
	json_kv(out, "result", dmarc_res_name(o->result), 1);
	json_kv(out, "from_domain", from, 1);
	json_kv(out, "policy_domain", o->policy_domain, 1);
	json_kv(out, "org_domain", o->org_domain, 1);
	json_kv(out, "p", o->p ? dmarc_policy_name(o->p) : NULL, 1);
	json_kv(out, "sp", o->sp ? dmarc_policy_name(o->sp) : NULL, 1);
	json_kv(out, "np", o->np ? dmarc_policy_name(o->np) : NULL, 1);
	json_kv(out, "policy", dmarc_policy_name(o->policy), 1);
	json_kv(out, "disposition", dmarc_policy_name(o->disposition), 1);
	json_bool(out, "spf_aligned", o->spf_aligned, 1);
	json_bool(out, "dkim_aligned", o->dkim_aligned, 1);
	json_bool(out, "testing", o->testing, 1);
	json_kv(out, "discovery", o->discovery, 1);
	json_kv(out, "reason", o->reason[0] ? o->reason : NULL, 0);
	strbuf_appendc(out, '}');
}

/* json_dmarc_none - the "dmarc" object when no author domain was usable */
static void
json_dmarc_none(strbuf *out, const dt_verdict *v)
{
	strbuf_appendc(out, '{');
	json_kv(out, "result", "permerror", 1);
	json_kv(out, "from_domain", NULL, 1);
	json_kv(out, "policy_domain", NULL, 1);
	json_kv(out, "org_domain", NULL, 1);
	json_kv(out, "policy", "none", 1);
	json_kv(out, "disposition", "none", 1);
	json_bool(out, "spf_aligned", 0, 1);
	json_bool(out, "dkim_aligned", 0, 1);
	json_bool(out, "testing", 0, 1);
	json_kv(out, "discovery", NULL, 1);
	json_kv(out, "reason", v->from_error, 0);
	strbuf_appendc(out, '}');
}

/* json_header - one "Name: value" element of the headers array */
static void
json_header(strbuf *out, const char *name, const char *value, int comma)
{
	strbuf	h = STRBUF_INIT;

	if (value == NULL)
		return;
	strbuf_printf(&h, "%s: %s", name, value);
	if (comma)
		strbuf_appendc(out, ',');
	json_string(out, strbuf_str(&h));
	strbuf_free(&h);
}

int
dt_verdict_json(const dt_verdict *v, strbuf *out)
{
	size_t	i;
	char	reply[600];

	strbuf_appendc(out, '{');
	json_kv(out, "action", action_name(v->action), 1);
	json_kv(out, "policy_action", action_name(v->policy_action), 1);
	snprintf(reply, sizeof(reply), "%s %s %s", v->reply_code, v->reply_xcode, v->reply_text);
	json_kv(out, "smtp_reply", v->has_reply ? reply : NULL, 1);
	json_spf(out, &v->spf);
	json_dkim(out, v);
	strbuf_append(out, "\"dmarc\":");
	if (v->nauthors)
		json_dmarc_one(out, v->author[v->decisive], &v->dmarc[v->decisive]);
	else
		json_dmarc_none(out, v);
	strbuf_append(out, ",\"dmarc_all\":[");
	for (i = 0; i < v->nauthors; i++) {
		if (i)
			strbuf_appendc(out, ',');
		json_dmarc_one(out, v->author[i], &v->dmarc[i]);
	}
	strbuf_append(out, "],\"tls\":{");
	json_kv(out, "version", v->tls.version[0] ? v->tls.version : NULL, 1);
	json_kv(out, "cipher", v->tls.cipher[0] ? v->tls.cipher : NULL, 1);
	strbuf_printf(out, "\"bits\":%u,", v->tls.bits);
	json_kv(out, "cert_subject", v->tls.cert_subject[0] ? v->tls.cert_subject : NULL, 1);
	json_kv(out, "cert_issuer", v->tls.cert_issuer[0] ? v->tls.cert_issuer : NULL, 1);
	json_kv(out, "verify", v->tls.verify[0] ? v->tls.verify : NULL, 1);
	json_bool(out, "requiretls", v->tls.requiretls, 0);
	strbuf_append(out, "},\"requiretls\":{");
	json_bool(out, "add_require_tls_esmtp", v->tlsreq.add_esmtp, 1);
	json_kv(out, "require_tls_esmtp_in", !v->n_esmtp_in ? "absent"
	    : v->tlsreq.keep_esmtp ? "kept" : "removed", 1);
	json_kv(out, "tls_required_in", !v->n_tlsreq_in ? "absent"
	    : v->tlsreq.keep_no ? "kept" : "removed", 0);
	strbuf_append(out, "},\"headers\":[");
	json_header(out, "Authentication-Results", v->authres, 0);
	json_header(out, "Authentication-Results", v->authres_tls, v->authres != NULL);
	if (v->tlsreq.add_esmtp)
		json_header(out, TLSREQ_ESMTP_FIELD, "yes", 1);
	strbuf_append(out, "]}\n");
	return out->failed ? -1 : 0;
}
