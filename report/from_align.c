/*
 * from_align.c -- SPF of ReportFrom against this host's addresses (see from_align.h).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "from_align.h"
#include "spf_check.h"
#include "strbuf.h"

#define FROM_ALIGN_BUDGET_MS	5000
#define FROM_ALIGN_MAX_ADDRS	16

/* The address of ifa as text if it is an IPv4/IPv6 address not loopback. */
static int
global_addr(const struct ifaddrs *ifa, char *out, size_t size)
{
	const struct sockaddr *sa = ifa->ifa_addr;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct in_addr *a = &((const struct sockaddr_in *)sa)->sin_addr;

		return (ntohl(a->s_addr) >> 24) != 127
		    && inet_ntop(AF_INET, a, out, (socklen_t)size) != NULL;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_LINKLOCAL(a)
		    && inet_ntop(AF_INET6, a, out, (socklen_t)size) != NULL;
	}
	return 0;
}

int
report_from_spf(dns_resolver *r, const char *from, char *why, size_t whylen)
{
	struct ifaddrs *ifs, *ifa;
	spf_checker *c;
	spf_outcome out;
	strbuf	sb = STRBUF_INIT;
	char	ip[INET6_ADDRSTRLEN], helo[256];
	int	n = 0, pass = 0;

	if (getifaddrs(&ifs) < 0 || (c = spf_checker_new(r)) == NULL) {
		snprintf(why, whylen, "cannot list this host's addresses");
		return -1;
	}
	if (gethostname(helo, sizeof(helo)) < 0)
		snprintf(helo, sizeof(helo), "localhost");
	helo[sizeof(helo) - 1] = '\0';
	for (ifa = ifs; ifa != NULL && !pass && n < FROM_ALIGN_MAX_ADDRS; ifa = ifa->ifa_next) {
		if (!global_addr(ifa, ip, sizeof(ip)))
			continue;
		n++;
		spf_check(c, ip, helo, from, FROM_ALIGN_BUDGET_MS, &out);
		pass = out.mailfrom == SPF_RES_PASS;
		strbuf_printf(&sb, "%s%s %s", sb.len ? ", " : "", ip, spf_res_name(out.mailfrom));
	}
	spf_checker_free(c);
	freeifaddrs(ifs);
	if (n == 0)
		snprintf(why, whylen, "this host has no address but loopback");
	else
		snprintf(why, whylen, "SPF for %s: %s", from, strbuf_str(&sb));
	strbuf_free(&sb);
	return n == 0 ? -1 : pass;
}
