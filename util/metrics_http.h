/*
 * metrics_http.h -- the /metrics endpoint: the registry over HTTP (libmicrohttpd).
 *
 * SYNOPSIS
 *	int metrics_socket_parse(const char *spec, struct sockaddr_storage *ss,
 *	                         socklen_t *sslen);
 *	metrics_server *metrics_http_start(const char *spec, char *err, size_t errlen);
 *	void metrics_http_stop(metrics_server *s);
 *
 * DESCRIPTION
 *	spec is inet:PORT@IPV4 or inet6:PORT@IPV6 (brackets allowed), an
 *	address literal: no name is resolved. metrics_socket_parse() returns
 *	0 and fills ss, or -1 for anything else (config.c uses it to check
 *	MetricsSocket).
 *
 *	metrics_http_start() listens there with libmicrohttpd's own thread,
 *	so a scrape never runs on a thread that handles mail. GET or HEAD of
 *	/metrics answers 200 with metrics_render()'s text
 *	(text/plain; version=0.0.4); any other path 404, any other method
 *	405. At most METRICS_HTTP_CONNECTIONS connections at once, each idle
 *	at most METRICS_HTTP_TIMEOUT seconds: a scraper that misbehaves
 *	costs a few descriptors, never a mail thread. NULL and err on failure.
 */
#ifndef DMARCTLS_METRICS_HTTP_H
#define DMARCTLS_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#define METRICS_HTTP_CONNECTIONS	8
#define METRICS_HTTP_TIMEOUT		10	/* seconds */

typedef struct metrics_server metrics_server;

int	metrics_socket_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen);
metrics_server *metrics_http_start(const char *spec, char *err, size_t errlen);
void	metrics_http_stop(metrics_server *s);

#endif
