/*
 * dns.c -- the one DNS layer: a shared libunbound context with bounded queries.
 *
 * DESCRIPTION
 *	See dns.h for the interface. Queries are started with
 *	ub_resolve_async() on a context in thread mode; the waiting threads
 *	take turns (leader/follower) at reading the context's answer pipe with
 *	ub_process(), so any thread may deliver any other thread's answer and
 *	nobody waits longer than its own deadline. A query that is still
 *	unanswered at its deadline is cancelled with ub_cancel(); when
 *	ub_cancel() succeeds libunbound promises never to call the callback, so
 *	the waiter owns (and frees) the query record. When it fails the answer
 *	is already on its way and the waiter keeps processing until it lands.
 *
 *	DNS data is hostile: names are checked before they are asked (a name
 *	that cannot exist is NXDOMAIN without a query) and rdata is copied with
 *	its length, never trusted to be NUL-terminated.
 */
#include "dt_build.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unbound.h>

#include "dns.h"
#include "dns_cache.h"
#include "metrics.h"
#include "strbuf.h"

#define DNS_MAX_NAME	253	/* RFC 1035 2.3.4, without the root dot */
#define DNS_MAX_LABEL	63
#define DNS_POLL_SLICE_MS	100	/* a leader re-checks the clock this often */

/* Counters for /metrics (metrics.h): one atomic add each, registered once. */
static metric *m_queries, *m_cache_hits, *m_timeouts, *m_servfail, *m_bogus;
static pthread_once_t dns_metrics_once = PTHREAD_ONCE_INIT;

static void
dns_metrics_init(void)
{
	m_queries = metric_counter("dmarctls_dns_queries_total",
	    "DNS queries sent to libunbound (our own cache missed)", NULL);
	m_cache_hits = metric_counter("dmarctls_dns_cache_hits_total",
	    "DNS lookups answered from our own cache", NULL);
	m_timeouts = metric_counter("dmarctls_dns_timeouts_total",
	    "DNS queries that got no answer within DNSTimeout or the phase budget", NULL);
	m_servfail = metric_counter("dmarctls_dns_servfail_total",
	    "DNS answers with rcode SERVFAIL", NULL);
	m_bogus = metric_counter("dmarctls_dns_bogus_total",
	    "DNS answers that failed DNSSEC validation", NULL);
}

struct dns_resolver {
	struct ub_ctx	*ctx;
	dns_cache	*cache;		/* answered in the asking thread */
	unsigned	timeout_ms;
	pthread_mutex_t	lock;		/* guards "leader" and every query's "done" */
	pthread_cond_t	cv;
	int		leader;		/* a thread is inside poll/ub_process */
};

typedef struct dns_pending {
	dns_resolver	*r;
	int		done;
	int		err;
	struct ub_result *result;
} dns_pending;

/* the calling thread's phase deadline (CLOCK_MONOTONIC ms), 0 for none */
static _Thread_local long long dns_tl_deadline;

static long long dns_now_ms(void);

void
dns_deadline_set(unsigned ms)
{
	dns_tl_deadline = dns_now_ms() + ms;
}

void
dns_deadline_clear(void)
{
	dns_tl_deadline = 0;
}

const char *
dns_status_name(dns_status s)
{
	switch (s) {
	case DNS_STATUS_OK: return "ok";
	case DNS_STATUS_NODATA: return "nodata";
	case DNS_STATUS_NXDOMAIN: return "nxdomain";
	default: return "tempfail";
	}
}

const char *
dns_sec_name(dns_sec s)
{
	switch (s) {
	case DNS_SEC_SECURE: return "secure";
	case DNS_SEC_BOGUS: return "bogus";
	default: return "insecure";
	}
}

/* dns_config_ctx - apply forwarders, trust anchor and unbound.conf */
static int
dns_config_ctx(struct ub_ctx *ctx, const dns_config *cfg, char *err, size_t errlen)
{
	const char *ta = cfg->trust_anchor ? cfg->trust_anchor : DEFAULT_TRUST_ANCHOR;
	int	rc;

	if ((rc = ub_ctx_async(ctx, 1)) != 0
	    || (rc = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no")) != 0)
		goto fail;
	if (cfg->unbound_config && *cfg->unbound_config
	    && (rc = ub_ctx_config(ctx, cfg->unbound_config)) != 0) {
		snprintf(err, errlen, "unbound config %s: %s", cfg->unbound_config,
		    ub_strerror(rc));
		return -1;
	}
	if (cfg->forwarders && *cfg->forwarders) {
		char	*list = strdup(cfg->forwarders), *tok, *save = NULL;

		if (list == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (tok = strtok_r(list, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
			if ((rc = ub_ctx_set_fwd(ctx, tok)) != 0) {
				snprintf(err, errlen, "resolver address \"%s\": %s", tok,
				    ub_strerror(rc));
				free(list);
				return -1;
			}
		}
		free(list);
	} else if ((rc = ub_ctx_resolvconf(ctx, NULL)) != 0) {
		snprintf(err, errlen, "cannot read resolv.conf: %s", ub_strerror(rc));
		return -1;
	}
	if (*ta && strcmp(ta, "none") != 0 && (rc = ub_ctx_add_ta_file(ctx, ta)) != 0) {
		snprintf(err, errlen, "trust anchor file %s: %s", ta, ub_strerror(rc));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "libunbound: %s", ub_strerror(rc));
	return -1;
}

dns_resolver *
dns_resolver_new(const dns_config *cfg, char *err, size_t errlen)
{
	dns_resolver *r;

	(void)pthread_once(&dns_metrics_once, dns_metrics_init);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DNS_DEFAULT_TIMEOUT_MS;
	if (r->timeout_ms > DNS_MAX_TIMEOUT_MS)
		r->timeout_ms = DNS_MAX_TIMEOUT_MS;
	if ((r->ctx = ub_ctx_create()) == NULL
	    || (r->cache = dns_cache_new(DNS_CACHE_ENTRIES)) == NULL) {
		snprintf(err, errlen, "cannot create the resolver");
		if (r->ctx)
			ub_ctx_delete(r->ctx);
		free(r);
		return NULL;
	}
	if (dns_config_ctx(r->ctx, cfg, err, errlen) < 0) {
		ub_ctx_delete(r->ctx);
		dns_cache_free(r->cache);
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cv, NULL);
	return r;
}

void
dns_resolver_free(dns_resolver *r)
{
	if (r == NULL)
		return;
	ub_ctx_delete(r->ctx);
	dns_cache_free(r->cache);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cv);
	free(r);
}

/*
 * dns_name_valid - can this name exist in the DNS at all? A name built
 * from message or envelope data (a DKIM key name, _dmarc.<From>) that
 * fails this was never asked: its caller's result is permanent, never
 * temporary (RFC 6376 6.1.2, RFC 7208 4.3).
 */
int
dns_name_valid(const char *name)
{
	size_t	len = strlen(name), label = 0, i;

	if (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_MAX_NAME)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (c <= ' ' || c >= 0x7f || ++label > DNS_MAX_LABEL) {
			return 0;
		}
	}
	return label > 0;
}

static void
dns_callback(void *arg, int err, struct ub_result *result)
{
	dns_pending *p = arg;

	pthread_mutex_lock(&p->r->lock);
	p->err = err;
	p->result = result;
	p->done = 1;
	pthread_cond_broadcast(&p->r->cv);
	pthread_mutex_unlock(&p->r->lock);
}

static long long
dns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dns_lead - as leader: wait for the pipe, deliver answers. Called unlocked. */
static void
dns_lead(dns_resolver *r, long long wait_ms)
{
	struct pollfd pfd;

	pfd.fd = ub_fd(r->ctx);
	pfd.events = POLLIN;
	if (wait_ms > DNS_POLL_SLICE_MS)
		wait_ms = DNS_POLL_SLICE_MS;
	if (wait_ms < 0)
		wait_ms = 0;
	if (poll(&pfd, 1, (int)wait_ms) > 0)
		(void)ub_process(r->ctx);
}

/* dns_follow - as follower: sleep until a leader broadcasts or the slice ends */
static void
dns_follow(dns_resolver *r, long long wait_ms)
{
	struct timespec ts;

	if (wait_ms > DNS_POLL_SLICE_MS)
		wait_ms = DNS_POLL_SLICE_MS;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (wait_ms > 0 ? wait_ms : 1) * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	(void)pthread_cond_timedwait(&r->cv, &r->lock, &ts);
}

/*
 * dns_wait - wait for p until the deadline (deadline < 0: no deadline).
 * Returns with p->done set, or 0 when the deadline passed first.
 */
static int
dns_wait(dns_resolver *r, dns_pending *p, long long deadline)
{
	pthread_mutex_lock(&r->lock);
	while (!p->done) {
		long long left = deadline < 0 ? DNS_POLL_SLICE_MS : deadline - dns_now_ms();

		if (deadline >= 0 && left <= 0)
			break;
		if (!r->leader) {
			r->leader = 1;
			pthread_mutex_unlock(&r->lock);
			dns_lead(r, left);
			pthread_mutex_lock(&r->lock);
			r->leader = 0;
			pthread_cond_broadcast(&r->cv);
		} else {
			dns_follow(r, left);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return p->done;
}

/* dns_resolve - one bounded query; returns the ub_result or NULL (tempfail) */
static struct ub_result *
dns_resolve(dns_resolver *r, const char *name, int rrtype)
{
	dns_pending *p;
	struct ub_result *res;
	long long deadline = dns_now_ms() + r->timeout_ms;
	int	id;

	if (dns_tl_deadline && dns_tl_deadline < deadline)
		deadline = dns_tl_deadline;
	if (deadline <= dns_now_ms())
		return NULL;		/* the phase's budget is spent */
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->r = r;
	if (ub_resolve_async(r->ctx, name, rrtype, 1 /* IN */, p, dns_callback, &id) != 0) {
		free(p);
		return NULL;
	}
	metric_inc(m_queries, NULL);
	if (!dns_wait(r, p, deadline)) {
		metric_inc(m_timeouts, NULL);
		if (ub_cancel(r->ctx, id) == UB_NOERROR) {
			free(p);	/* libunbound will not call back */
			return NULL;
		}
		(void)dns_wait(r, p, -1);	/* the answer is already in flight */
	}
	res = p->err == 0 ? p->result : NULL;
	if (p->err != 0 && p->result)
		ub_resolve_free(p->result);
	free(p);
	return res;
}

static void dns_query_unbound(dns_resolver *r, const char *name, int rrtype, dns_rrset *out);

/* dns_classify - status and security of an answer */
static void
dns_classify(const struct ub_result *res, dns_status *status, dns_sec *sec)
{
	*sec = DNS_SEC_INSECURE;
	if (res == NULL) {
		*status = DNS_STATUS_TEMPFAIL;
	} else if (res->bogus) {
		*status = DNS_STATUS_TEMPFAIL;
		*sec = DNS_SEC_BOGUS;
	} else {
		if (res->secure)
			*sec = DNS_SEC_SECURE;
		if (res->rcode == 3 /* NXDOMAIN */)
			*status = DNS_STATUS_NXDOMAIN;
		else if (res->rcode != 0)
			*status = DNS_STATUS_TEMPFAIL;
		else
			*status = res->havedata ? DNS_STATUS_OK : DNS_STATUS_NODATA;
	}
}

static int
dns_copy_rdata(dns_rrset *out, const struct ub_result *res)
{
	size_t	n = 0, i;

	while (res->data[n])
		n++;
	if (n == 0)
		return 0;
	if ((out->data = calloc(n, sizeof(*out->data))) == NULL
	    || (out->len = calloc(n, sizeof(*out->len))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		size_t	len = res->len[i] > 0 ? (size_t)res->len[i] : 0;

		if ((out->data[i] = malloc(len ? len : 1)) == NULL)
			return -1;
		memcpy(out->data[i], res->data[i], len);
		out->len[i] = len;
		out->n = i + 1;
	}
	return 0;
}

void
dns_query(dns_resolver *r, const char *name, int rrtype, dns_rrset *out)
{
	long	now = (long)(dns_now_ms() / 1000);

	memset(out, 0, sizeof(*out));
	if (!dns_name_valid(name)) {
		out->status = DNS_STATUS_NXDOMAIN;
		return;
	}
	if (dns_cache_get(r->cache, name, rrtype, now, out)) {
		metric_inc(m_cache_hits, NULL);
		return;
	}
	dns_query_unbound(r, name, rrtype, out);
	dns_cache_put(r->cache, name, rrtype, now, out);
}

/* dns_query_unbound - ask libunbound (the cache missed) */
static void
dns_query_unbound(dns_resolver *r, const char *name, int rrtype, dns_rrset *out)
{
	struct ub_result *res;

	res = dns_resolve(r, name, rrtype);
	dns_classify(res, &out->status, &out->sec);
	if (res && res->rcode == 2 /* SERVFAIL */)
		metric_inc(m_servfail, NULL);
	if (out->sec == DNS_SEC_BOGUS)
		metric_inc(m_bogus, NULL);
	if (res == NULL)
		return;
	out->ttl = res->ttl;
	if (out->status == DNS_STATUS_OK && dns_copy_rdata(out, res) < 0) {
		dns_rrset_free(out);
		out->status = DNS_STATUS_TEMPFAIL;
	}
	if (out->status != DNS_STATUS_TEMPFAIL && res->answer_packet && res->answer_len > 0
	    && (out->packet = malloc((size_t)res->answer_len)) != NULL) {
		memcpy(out->packet, res->answer_packet, (size_t)res->answer_len);
		out->packet_len = (size_t)res->answer_len;
	}
	ub_resolve_free(res);
}

void
dns_lookup_rrset(void *resolver, const char *name, int rrtype, dns_rrset *out)
{
	dns_query(resolver, name, rrtype, out);
}

void
dns_rrset_free(dns_rrset *rs)
{
	size_t	i;

	for (i = 0; rs->data && i < rs->n; i++)
		free(rs->data[i]);
	free(rs->data);
	free(rs->len);
	free(rs->packet);
	rs->data = NULL;
	rs->len = NULL;
	rs->packet = NULL;
	rs->n = 0;
	rs->packet_len = 0;
}

/* dns_txt_join - concatenate the character-strings of one TXT rdata */
static int
dns_txt_join(const unsigned char *rd, size_t len, strbuf *sb)
{
	size_t	pos = 0;

	while (pos < len) {
		size_t	slen = rd[pos++];

		if (slen > len - pos)
			return -1;	/* truncated character-string */
		strbuf_appendn(sb, (const char *)rd + pos, slen);
		pos += slen;
	}
	strbuf_append(sb, "");
	return sb->failed ? -1 : 0;
}

void
dns_lookup_txt(void *resolver, const char *name, dns_txt *out)
{
	dns_rrset rs;
	size_t	i;

	memset(out, 0, sizeof(*out));
	dns_query(resolver, name, DNS_T_TXT, &rs);
	out->status = rs.status;
	out->sec = rs.sec;
	if (rs.n > 0 && ((out->txt = calloc(rs.n, sizeof(char *))) == NULL
	    || (out->len = calloc(rs.n, sizeof(size_t))) == NULL)) {
		out->status = DNS_STATUS_TEMPFAIL;
		rs.n = 0;
	}
	for (i = 0; i < rs.n; i++) {
		strbuf	sb = STRBUF_INIT;

		if (dns_txt_join(rs.data[i], rs.len[i], &sb) < 0) {
			strbuf_free(&sb);	/* malformed rdata: the RR is dropped */
			continue;
		}
		out->len[out->n] = sb.len;
		out->txt[out->n++] = strbuf_detach(&sb);
	}
	if (out->status == DNS_STATUS_OK && out->n == 0)
		out->status = DNS_STATUS_NODATA;
	dns_rrset_free(&rs);
}

void
dns_txt_free(dns_txt *t)
{
	size_t	i;

	for (i = 0; t->txt && i < t->n; i++)
		free(t->txt[i]);
	free(t->txt);
	free(t->len);
	t->txt = NULL;
	t->len = NULL;
	t->n = 0;
}
