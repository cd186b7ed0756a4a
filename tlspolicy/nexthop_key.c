/*
 * nexthop_key.c -- from a socketmap key to a policy domain (see nexthop_key.h).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "cfg_file.h"
#include "nexthop_key.h"

/* What one pass over a key finds, so that no check reads it again. */
typedef struct key_scan {
	int	ctl;		/* a control byte or DEL: never a name */
	int	slash, colon, high;	/* '/', ':', a byte >= 0x80 */
	int	v4chars;	/* digits and dots only: may be an IPv4 literal */
} key_scan;

enum { K_CTL = 1, K_SLASH = 2, K_COLON = 4, K_HIGH = 8, K_NOT_V4 = 16 };

/* The K_ classes of each byte: one load per byte of every key. */
static unsigned char key_class[256];

static void
key_class_init(void)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		key_class[c] = (c < 0x20 || c == 0x7f) ? K_CTL : c >= 0x80 ? K_HIGH
		    : c == '/' ? K_SLASH : c == ':' ? K_COLON : 0;
		if (!((c >= '0' && c <= '9') || c == '.'))
			key_class[c] |= K_NOT_V4;
	}
}

static void
scan(const char *key, size_t len, key_scan *k)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	unsigned any = 0;
	size_t	i;

	pthread_once(&once, key_class_init);
	for (i = 0; i < len; i++)
		any |= key_class[(unsigned char)key[i]];
	k->ctl = (any & K_CTL) != 0;
	k->slash = (any & K_SLASH) != 0;
	k->colon = (any & K_COLON) != 0;
	k->high = (any & K_HIGH) != 0;
	k->v4chars = (any & K_NOT_V4) == 0;
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

/*
 * An IPv4 literal has digits and dots only, an IPv6 literal a ':' (without
 * one inet_pton(AF_INET6) cannot fill 16 bytes): other keys skip inet_pton.
 */
static int
may_be_ip_literal(const key_scan *k)
{
	return k->v4chars || k->colon;
}

int
nexthop_key(const char *key, size_t len, char out[NEXTHOP_MAX + 1],
	    const char **why)
{
	char	buf[NEXTHOP_KEY_MAX + 1];
	key_scan k;
	size_t	i, n;

	*why = "not a domain name";
	if (len == 0 || len > NEXTHOP_KEY_MAX)
		return -1;
	scan(key, len, &k);
	if (k.ctl)
		return -1;
	if (key[0] == '.')
		return (*why = "parent-domain lookup (RFC 8461 3.4)"), -1;
	if (key[0] == '[')
		return (*why = "explicit next-hop host"), -1;
	if (k.slash)
		return (*why = "LMTP destination"), -1;
	memcpy(buf, key, len);
	buf[len] = '\0';
	if (may_be_ip_literal(&k) && is_ip_literal(buf))
		return (*why = "address literal (RFC 8461 3.4)"), -1;
	if (k.colon)
		return (*why = "explicit next-hop host or port"), -1;
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (k.high) {
		if (to_alabel(buf, out) < 0)
			return (*why = "not a valid internationalised domain name"), -1;
		n = strlen(out);
	} else {
		if (len > NEXTHOP_MAX)
			return -1;
		for (i = 0; i <= len; i++)	/* no NUL inside: k.ctl */
			out[i] = (buf[i] >= 'A' && buf[i] <= 'Z') ? (char)(buf[i] + 32) : buf[i];
		n = len;
	}
	if (!cfg_valid_hostname(out, n, 0) || out[n - 1] == '.')
		return (*why = "not a domain name"), -1;
	if (memchr(out, '.', n) == NULL)
		return (*why = "single-label name"), -1;
	return 0;
}
