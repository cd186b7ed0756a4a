/*
 * query.c -- the admin query (see query.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dane_decide.h"
#include "json.h"
#include "nexthop_key.h"
#include "profile.h"
#include "query.h"
#include "sts_glue.h"

static const pd_profile all_profiles[] = {
	PROFILE_POSTFIX, PROFILE_POSTFIX_TLSRPT, PROFILE_SENDMAIL, PROFILE_REQUIRETLS,
};
#define NPROF	(sizeof(all_profiles) / sizeof(all_profiles[0]))

static const char *
mode_name(pd_sts_mode m)
{
	return m == PD_STS_ENFORCE ? "enforce" : m == PD_STS_TESTING ? "testing" : "none";
}

static int
exit_status(const pd_decision *d)
{
	if (d->kind == PD_TEMP)
		return PD_QUERY_TEMP;
	if (d->kind == PD_NOTFOUND || (d->kind == PD_STS && d->sts_mode != PD_STS_ENFORCE))
		return PD_QUERY_NONE;
	return PD_QUERY_POLICY;
}

static void
iso_time(time_t t, char buf[32])
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, 32, "-");
	else
		strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_text(const char *domain, const pd_decision *d, const dane_report *r,
	   time_t fetched)
{
	strbuf	reply = STRBUF_INIT;
	char	t1[32], t2[32];
	size_t	i, j;

	printf("domain: %s\ndecision: %s\nwhy: %s\n", domain, pd_kind_name(d->kind), d->why);
	for (i = 0; i < NPROF; i++) {
		profile_reply(all_profiles[i], d, domain, &reply);
		printf("reply %s: %s\n", profile_name(all_profiles[i]), strbuf_str(&reply));
	}
	printf("mx: %s %s%s\n", dns_status_name(r->mx_status), dns_sec_name(r->mx_sec),
	       r->implicit_mx ? " (implicit MX: the domain itself)" : "");
	for (i = 0; i < r->nhosts; i++) {
		const dane_host *h = &r->host[i];

		printf("  mx %u %s: %s\n    A %s %s, AAAA %s %s:", h->pref, h->name,
		       dane_host_state_name(h->state), dns_status_name(h->a_status),
		       dns_sec_name(h->a_sec), dns_status_name(h->aaaa_status),
		       dns_sec_name(h->aaaa_sec));
		for (j = 0; j < h->naddr; j++)
			printf(" %s", h->addr[j]);
		printf("\n    TLSA _25._tcp.%s: %s %s, %zu record(s), %zu usable\n", h->name,
		       dns_status_name(h->tlsa_status), dns_sec_name(h->tlsa_sec),
		       h->ntlsa, h->nusable);
	}
	if (d->kind == PD_STS) {
		iso_time(fetched, t1);
		iso_time(d->sts_expires, t2);
		printf("sts: id %s, mode %s, fetched %s (age %lds), expires %s\n", d->sts_id,
		       mode_name(d->sts_mode), t1, fetched > 0 ? (long)(time(NULL) - fetched) : -1L,
		       t2);
		for (i = 0; i < d->nmx; i++)
			printf("  mx: %s\n", d->mx[i]);
	} else if (d->sts_fail)
		printf("sts: %s\n", d->sts_fail);
	strbuf_free(&reply);
}

static void
kv(strbuf *o, const char *k, const char *v, int comma)
{
	if (comma)
		strbuf_appendc(o, ',');
	json_string(o, k);
	strbuf_appendc(o, ':');
	json_string(o, v);
}

static void
json_host(strbuf *o, const dane_host *h)
{
	size_t	j;

	strbuf_printf(o, "{\"preference\":%u", h->pref);
	kv(o, "host", h->name, 1);
	kv(o, "state", dane_host_state_name(h->state), 1);
	kv(o, "a", dns_status_name(h->a_status), 1);
	kv(o, "a_dnssec", dns_sec_name(h->a_sec), 1);
	kv(o, "aaaa", dns_status_name(h->aaaa_status), 1);
	kv(o, "aaaa_dnssec", dns_sec_name(h->aaaa_sec), 1);
	strbuf_append(o, ",\"addresses\":[");
	for (j = 0; j < h->naddr; j++) {
		if (j)
			strbuf_appendc(o, ',');
		json_string(o, h->addr[j]);
	}
	strbuf_appendc(o, ']');
	kv(o, "tlsa", dns_status_name(h->tlsa_status), 1);
	kv(o, "tlsa_dnssec", dns_sec_name(h->tlsa_sec), 1);
	strbuf_printf(o, ",\"tlsa_records\":%zu,\"tlsa_usable\":%zu}", h->ntlsa, h->nusable);
}

static void
print_json(const char *domain, const pd_decision *d, const dane_report *r,
	   time_t fetched)
{
	strbuf	o = STRBUF_INIT, reply = STRBUF_INIT;
	char	t[32];
	size_t	i;

	strbuf_appendc(&o, '{');
	kv(&o, "domain", domain, 0);
	kv(&o, "decision", pd_kind_name(d->kind), 1);
	kv(&o, "why", d->why, 1);
	strbuf_append(&o, ",\"replies\":{");
	for (i = 0; i < NPROF; i++) {
		profile_reply(all_profiles[i], d, domain, &reply);
		kv(&o, profile_name(all_profiles[i]), strbuf_str(&reply), i > 0);
	}
	strbuf_append(&o, "},\"mx\":{");
	kv(&o, "status", dns_status_name(r->mx_status), 0);
	kv(&o, "dnssec", dns_sec_name(r->mx_sec), 1);
	strbuf_printf(&o, ",\"implicit\":%s,\"hosts\":[", r->implicit_mx ? "true" : "false");
	for (i = 0; i < r->nhosts; i++) {
		if (i)
			strbuf_appendc(&o, ',');
		json_host(&o, &r->host[i]);
	}
	strbuf_append(&o, "]},\"sts\":");
	if (d->kind == PD_STS) {
		strbuf_appendc(&o, '{');
		kv(&o, "id", d->sts_id, 0);
		kv(&o, "mode", mode_name(d->sts_mode), 1);
		iso_time(fetched, t);
		kv(&o, "fetched", t, 1);
		strbuf_printf(&o, ",\"age_s\":%ld",
		    fetched > 0 ? (long)(time(NULL) - fetched) : -1L);
		iso_time(d->sts_expires, t);
		kv(&o, "expires", t, 1);
		strbuf_append(&o, ",\"mx\":[");
		for (i = 0; i < d->nmx; i++) {
			if (i)
				strbuf_appendc(&o, ',');
			json_string(&o, d->mx[i]);
		}
		strbuf_append(&o, "]}");
	} else if (d->sts_fail) {
		strbuf_appendc(&o, '{');
		kv(&o, "failure", d->sts_fail, 0);
		strbuf_appendc(&o, '}');
	} else
		strbuf_append(&o, "null");
	strbuf_append(&o, "}\n");
	fputs(strbuf_str(&o), stdout);
	strbuf_free(&o);
	strbuf_free(&reply);
}

int
pd_query(pd_gen *g, const char *key, int json)
{
	char	domain[NEXTHOP_MAX + 1];
	const char *why;
	pd_decision d;
	dane_report r;
	time_t	fetched = 0;
	int	rc;

	if (nexthop_key(key, strlen(key), domain, &why) < 0) {
		if (json) {
			strbuf o = STRBUF_INIT;

			strbuf_appendc(&o, '{');
			kv(&o, "key", key, 0);
			kv(&o, "decision", "notfound", 1);
			kv(&o, "why", why, 1);
			strbuf_append(&o, "}\n");
			fputs(strbuf_str(&o), stdout);
			strbuf_free(&o);
		} else
			printf("key: %s\ndecision: notfound\nwhy: %s\n", key, why);
		return PD_QUERY_NOKEY;
	}
	pd_decide(g->engine, domain, &d, &r, NULL);
	if (d.kind == PD_STS && g->sts) {
		pd_decision peek;

		if (sts_glue_peek(g->sts, domain, &peek, &fetched) == 0)
			pd_decision_free(&peek);
	}
	if (json)
		print_json(domain, &d, &r, fetched);
	else
		print_text(domain, &d, &r, fetched);
	rc = exit_status(&d);
	pd_decision_free(&d);
	return rc;
}
