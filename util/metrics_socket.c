/*
 * metrics_socket.c -- parse MetricsSocket (see metrics_http.h); no libmicrohttpd here,
 * so that the configuration code can check the value without linking it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "metrics_http.h"

/* port_parse - 1..65535 in decimal, all of s up to the '@' */
static int
port_parse(const char *s, const char *end, unsigned *port)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
metrics_socket_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen)
{
	const char *rest, *at;
	char	host[INET6_ADDRSTRLEN + 2];
	size_t	hlen;
	unsigned port;
	int	v6;

	if (spec == NULL)
		return -1;
	if (strncmp(spec, "inet:", 5) == 0)
		v6 = 0, rest = spec + 5;
	else if (strncmp(spec, "inet6:", 6) == 0)
		v6 = 1, rest = spec + 6;
	else
		return -1;
	if ((at = strchr(rest, '@')) == NULL || port_parse(rest, at, &port) < 0)
		return -1;
	at++;
	hlen = strlen(at);
	if (v6 && hlen >= 2 && at[0] == '[' && at[hlen - 1] == ']')
		at++, hlen -= 2;
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, at, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (!v6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		*sslen = sizeof(*sin);
		return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		*sslen = sizeof(*sin6);
		return inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 ? 0 : -1;
	}
}
