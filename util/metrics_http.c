/*
 * metrics_http.c -- serve the metrics registry with libmicrohttpd (see metrics_http.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "metrics.h"
#include "metrics_http.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *d;
};

/* metrics_reply - send the text in out (consumed) with status */
static enum MHD_Result
metrics_reply(struct MHD_Connection *conn, unsigned status, strbuf *out)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	size_t	len = out->len;
	char	*body = strbuf_detach(out);

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
metrics_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	strbuf	out = STRBUF_INIT;

	(void)cls, (void)version, (void)upload;
	if (*state == NULL) {		/* headers only so far: wait for the end */
		*state = conn;
		return MHD_YES;
	}
	if (*upload_len != 0) {
		*upload_len = 0;	/* a body is ignored, then refused below */
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		strbuf_append(&out, "method not allowed\n");
		return metrics_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, &out);
	}
	if (strcmp(url, "/metrics") != 0) {
		strbuf_append(&out, "not found: try /metrics\n");
		return metrics_reply(conn, MHD_HTTP_NOT_FOUND, &out);
	}
	metrics_render(&out);
	if (out.failed) {
		strbuf_free(&out);
		return MHD_NO;
	}
	return metrics_reply(conn, MHD_HTTP_OK, &out);
}

metrics_server *
metrics_http_start(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	metrics_server *s;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (metrics_socket_parse(spec, &ss, &sslen) < 0) {
		snprintf(err, errlen, "MetricsSocket %s: want inet:PORT@IPV4 or inet6:PORT@IPV6",
		    spec ? spec : "(null)");
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	errno = 0;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, metrics_handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_HTTP_TIMEOUT,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errlen, "MetricsSocket %s: cannot listen%s%s", spec,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		free(s);
		return NULL;
	}
	return s;
}

void
metrics_http_stop(metrics_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}
