/*
 * sts_fetch.c -- the HTTPS fetch of an MTA-STS policy (see sts_fetch.h).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "sts_fetch.h"
#include "strbuf.h"

#define STS_HOST_MAX	(253 + 8)
#define STS_MAX_ADDRS	8	/* addresses handed to libcurl per family */

typedef struct body_acc {
	char	*buf;
	size_t	len;
	int	too_big;
} body_acc;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
sts_fetch_init(char *err, size_t errlen)
{
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init: %s", curl_easy_strerror(curl_init_rc));
		return -1;
	}
	return 0;
}

/* write_cb - keep the body, at most STS_FETCH_MAX_BODY bytes */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	body_acc *b = arg;
	size_t	n = size * nmemb;
	char	*nb;

	if (n > STS_FETCH_MAX_BODY - b->len) {
		b->too_big = 1;
		return 0;		/* CURLE_WRITE_ERROR ends the transfer */
	}
	if ((nb = realloc(b->buf, b->len + n + 1)) == NULL)
		return 0;
	memcpy(nb + b->len, data, n);
	b->buf = nb;
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

/* add_addrs - append "a,b,..." for one family from our DNS layer */
static int
add_addrs(dns_resolver *dns, const char *host, int rrtype, strbuf *sb, size_t *naddr)
{
	dns_rrset rs;
	char	text[INET6_ADDRSTRLEN];
	size_t	i, want = rrtype == DNS_T_A ? 4 : 16;
	int	tempfail;

	dns_query(dns, host, rrtype, &rs);
	tempfail = rs.status == DNS_STATUS_TEMPFAIL;
	for (i = 0; rs.status == DNS_STATUS_OK && i < rs.n && i < STS_MAX_ADDRS; i++) {
		if (rs.len[i] != want)
			continue;
		inet_ntop(rrtype == DNS_T_A ? AF_INET : AF_INET6, rs.data[i], text, sizeof(text));
		strbuf_printf(sb, rrtype == DNS_T_A ? "%s%s" : "%s[%s]",
		    *naddr ? "," : "", text);
		(*naddr)++;
	}
	dns_rrset_free(&rs);
	return tempfail ? -1 : 0;
}

/* is_text_plain - media type text/plain, any parameters (RFC 8461 3.3) */
static int
is_text_plain(const char *ct)
{
	size_t	n = strlen("text/plain");

	if (ct == NULL || strncasecmp(ct, "text/plain", n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static sts_fetch_result
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return STS_FETCH_WEBPKI;
	default:
		return STS_FETCH_ERROR;
	}
}

/* xferinfo_cb - libcurl calls it at least once a second: abort on stop */
static int
xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	const int *stop = arg;

	return stop != NULL && __atomic_load_n(stop, __ATOMIC_RELAXED) != 0;
}

static void
set_options(CURL *c, const char *url, const sts_fetch_opts *o, struct curl_slist *resolve,
    struct curl_slist *hdrs, body_acc *b, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);	/* the bundle only */
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_PROXY, "");		/* ignore *_proxy in the environment */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dmarctls-policyd");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STS_FETCH_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)o->stop);
}

sts_fetch_result
sts_fetch(dns_resolver *dns, const char *domain, const sts_fetch_opts *o,
    char **body, size_t *len, char *why, size_t whylen)
{
	char	host[STS_HOST_MAX + 1], url[STS_HOST_MAX + 64];
	char	errbuf[CURL_ERROR_SIZE] = "";
	strbuf	sb = STRBUF_INIT;
	size_t	naddr = 0;
	struct curl_slist *resolve = NULL, *hdrs = NULL;
	body_acc b = {NULL, 0, 0};
	CURL	*c = NULL;
	CURLcode rc;
	long	status = 0;
	char	*ct = NULL;
	sts_fetch_result res = STS_FETCH_ERROR;
	sts_fetch_opts left;
	struct timespec t0, t1;
	long	used;
	int	dnsfail;

	*body = NULL;
	*len = 0;
	if (strlen(domain) > 253) {
		snprintf(why, whylen, "domain name too long");
		return STS_FETCH_ERROR;
	}
	snprintf(host, sizeof(host), "mta-sts.%s", domain);
	snprintf(url, sizeof(url), "https://%s/.well-known/mta-sts.txt", host);

	/* Addresses from our DNS layer (bounded, cached, no libc resolver). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dns_deadline_set(o->timeout_ms);
	strbuf_printf(&sb, "%s:%d:", host, STS_FETCH_PORT);
	dnsfail = add_addrs(dns, host, DNS_T_A, &sb, &naddr);
	dnsfail |= add_addrs(dns, host, DNS_T_AAAA, &sb, &naddr);
	dns_deadline_clear();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	used = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (used >= (long)o->timeout_ms) {
		snprintf(why, whylen, "%s: address lookup used the whole time", host);
		goto out;
	}
	left.ca_file = o->ca_file;
	left.stop = o->stop;
	left.timeout_ms = o->timeout_ms - (unsigned)used;
	if (naddr == 0) {
		snprintf(why, whylen, "%s: %s", host, dnsfail ? "address lookup failed"
		    : "no address (A/AAAA)");
		goto out;
	}
	if (sb.failed || (resolve = curl_slist_append(NULL, sb.s)) == NULL
	    || (hdrs = curl_slist_append(NULL, "Cache-Control: no-cache")) == NULL
	    || (c = curl_easy_init()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	set_options(c, url, &left, resolve, hdrs, &b, errbuf);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED)
			snprintf(why, whylen, "%s: policy larger than %d bytes", url, STS_FETCH_MAX_BODY);
		else
			snprintf(why, whylen, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		res = classify(rc);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (status != 200) {
		snprintf(why, whylen, "%s: HTTP status %ld%s", url, status,
		    status >= 300 && status < 400 ? " (redirects are not followed)" : "");
		goto out;
	}
	if (!is_text_plain(ct)) {
		snprintf(why, whylen, "%s: media type is not text/plain", url);
		goto out;
	}
	*body = b.buf ? b.buf : strdup("");
	*len = b.len;
	b.buf = NULL;
	res = *body ? STS_FETCH_OK : STS_FETCH_ERROR;
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(resolve);
	curl_slist_free_all(hdrs);
	strbuf_free(&sb);
	free(b.buf);
	return res;
}
