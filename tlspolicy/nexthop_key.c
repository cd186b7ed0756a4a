/*
 * nexthop_key.c -- from a socketmap key to a policy domain (see nexthop_key.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "cfg_file.h"
#include "nexthop_key.h"

static int
is_ascii(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

static int
is_ip_literal(const char *s)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

/* Lower-case A-label form of a name that may hold U-labels. */
static int
to_alabel(const char *in, char out[NEXTHOP_MAX + 1])
{
	char	*a = NULL;
	size_t	n;

	if (idn2_to_ascii_8z(in, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)
	    != IDN2_OK) {
		free(a);
		return -1;
	}
	n = strlen(a);
	if (n > NEXTHOP_MAX) {
		free(a);
		return -1;
	}
	memcpy(out, a, n + 1);
	free(a);
	return 0;
}

int
nexthop_key(const char *key, size_t len, char out[NEXTHOP_MAX + 1],
	    const char **why)
{
	char	buf[NEXTHOP_KEY_MAX + 1];
	size_t	i;

	*why = "not a domain name";
	if (len == 0 || len > NEXTHOP_KEY_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return -1;
	if (key[0] == '.')
		return (*why = "parent-domain lookup (RFC 8461 3.4)"), -1;
	if (key[0] == '[')
		return (*why = "explicit next-hop host"), -1;
	if (key[0] == '/' || memchr(key, '/', len) != NULL)
		return (*why = "LMTP destination"), -1;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if (is_ip_literal(buf))
		return (*why = "address literal (RFC 8461 3.4)"), -1;
	if (memchr(key, ':', len) != NULL)
		return (*why = "explicit next-hop host or port"), -1;
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (!is_ascii(buf, len)) {
		if (to_alabel(buf, out) < 0)
			return (*why = "not a valid internationalised domain name"), -1;
	} else {
		if (len > NEXTHOP_MAX)
			return -1;
		for (i = 0; i <= len; i++)
			out[i] = (buf[i] >= 'A' && buf[i] <= 'Z') ? (char)(buf[i] + 32) : buf[i];
	}
	if (!cfg_valid_hostname(out, strlen(out), 0) || out[strlen(out) - 1] == '.')
		return (*why = "not a domain name"), -1;
	if (strchr(out, '.') == NULL)
		return (*why = "single-label name"), -1;
	return 0;
}
