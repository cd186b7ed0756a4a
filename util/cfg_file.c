/*
 * cfg_file.c -- "Key value" configuration lines and shared value checks.
 *
 * NAME
 *	cfg_file -- the one configuration lexer of dmarctls
 *
 * SYNOPSIS
 *	#include "cfg_file.h"
 *
 * DESCRIPTION
 *	See cfg_file.h.  Moved here from policy/config.c unchanged in
 *	behaviour so that dmarctls-milter and dmarctls-policyd read their
 *	files the same way and report errors the same way.
 *
 * DIAGNOSTICS
 *	Functions that can fail return -1 and write one line into err.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/* System library. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Utility library. */
#include "cfg_file.h"

#define CFG_LABEL_MAX	63	/* RFC 1035 2.3.4 */
#define CFG_NAME_MAX	32	/* user or group name in UserID */

/* ASCII only, never the locale. */
static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alnum(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_list_sep(int ch)
{
	return ch == ',' || is_blank(ch);
}

void
cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *
cfg_show(const char *s, char buf[CFG_SHOW_MAX + 4])
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i < CFG_SHOW_MAX; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Reading lines                                                       */
/* ------------------------------------------------------------------ */

typedef enum {
	LINE_OK, LINE_EOF, LINE_LONG, LINE_NUL, LINE_IOERR
} line_status;

/* One line without its '\n' into buf[CFG_LINE_MAX + 1]. */
static line_status
read_line(FILE *fp, char *buf)
{
	size_t	len = 0;
	int	ch, any = 0;

	while ((ch = getc(fp)) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (ch == '\0')
			return LINE_NUL;
		if (len >= CFG_LINE_MAX)
			return LINE_LONG;
		buf[len++] = (char)ch;
	}
	if (ch == EOF && ferror(fp))
		return LINE_IOERR;
	if (!any)
		return LINE_EOF;
	buf[len] = '\0';
	return LINE_OK;
}

/*
 * Cut the comment ('#' first on the line or after a blank) and the
 * blanks around what is left; '\r' counts as trailing blank so that
 * files written on other systems read the same.
 */
static char *
strip_line(char *line)
{
	char	*p, *end;

	for (p = line; *p != '\0'; p++) {
		if (*p == '#' && (p == line || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	for (p = line; is_blank(*p); p++)
		continue;
	end = p + strlen(p);
	while (end > p && (is_blank(end[-1]) || end[-1] == '\r'))
		end--;
	*end = '\0';
	return p;
}

static int
line_error(line_status st, const char *path, unsigned long lineno,
	   char *err, size_t errlen)
{
	switch (st) {
	case LINE_LONG:
		cfg_err(err, errlen, "%s:%lu: line longer than %d bytes", path,
			lineno, CFG_LINE_MAX);
		break;
	case LINE_NUL:
		cfg_err(err, errlen, "%s:%lu: NUL byte in line", path, lineno);
		break;
	default:
		cfg_err(err, errlen, "%s: read error: %s", path, strerror(errno));
		break;
	}
	return -1;
}

int
cfg_file_open(cfg_file *f, const char *path, char *err, size_t errlen)
{
	f->path = path;
	f->lineno = 0;
	if ((f->fp = fopen(path, "re")) == NULL) {
		cfg_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
cfg_file_next(cfg_file *f, char **text, char *err, size_t errlen)
{
	line_status st;
	char	*p;

	while ((st = read_line(f->fp, f->line)) != LINE_EOF) {
		f->lineno++;
		if (st != LINE_OK)
			return line_error(st, f->path, f->lineno, err, errlen);
		p = strip_line(f->line);
		if (*p != '\0') {
			*text = p;
			return 1;
		}
	}
	return 0;
}

void
cfg_file_close(cfg_file *f)
{
	if (f->fp != NULL)
		fclose(f->fp);
	f->fp = NULL;
}

void
cfg_split(char *text, char **key, char **value)
{
	char	*v;

	for (v = text; *v != '\0' && !is_blank(*v); v++)
		continue;
	if (*v != '\0') {
		*v++ = '\0';
		while (is_blank(*v))
			v++;
	}
	*key = text;
	*value = v;
}

int
cfg_check_value(const char *v)
{
	for (; *v != '\0'; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Value checks                                                        */
/* ------------------------------------------------------------------ */

const char *
cfg_next_item(const char **pp, size_t *lenp)
{
	const char *p = *pp, *start;

	while (is_list_sep(*p))
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p != '\0' && !is_list_sep(*p))
		p++;
	*lenp = (size_t)(p - start);
	*pp = p;
	return start;
}

/* Unsigned decimal, digits only, at most max; no sign, no blanks. */
int
cfg_parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t	i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int
cfg_parse_port(const char *s, size_t len)
{
	unsigned long v;

	if (cfg_parse_uint(s, len, 65535, &v) < 0 || v == 0)
		return -1;
	return (int)v;
}

int
cfg_has_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_blank(*s))
			return 1;
	return 0;
}

int
cfg_parse_addr(int family, const char *s, size_t len, unsigned char out[16])
{
	char	buf[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(family, buf, out) == 1 ? 0 : -1;
}

/*
 * Labels may not begin or end with '-' (RFC 1123 2.1), and the last
 * may not be all digits (a mistyped address, RFC 3696 2).
 */
int
cfg_valid_hostname(const char *s, size_t len, int allow_underscore)
{
	size_t	i, label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > CFG_HOST_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-'
		    && !(allow_underscore && s[i] == '_'))
			return 0;
		if (s[i] == '-' && label == 0)
			return 0;
		if (++label > CFG_LABEL_MAX)
			return 0;
	}
	if (s[len - 1] == '-')
		return 0;
	for (i = len; i > 0 && s[i - 1] != '.'; i--)
		if (!is_digit(s[i - 1]))
			return 1;
	return 0;
}

int
cfg_valid_path(const char *v)
{
	return v[0] == '/' && !cfg_has_blank(v);
}

/*
 * Socket, in libmilter's words: inet:PORT@HOST, inet6:PORT@HOST (HOST a
 * name, an address literal, or a literal in brackets), unix:/path or
 * local:/path.  Stricter than libmilter on purpose: a host is required
 * (libmilter reads inet:PORT as "every interface", never what a daemon
 * wants by accident) and the port is a number, not a service name.
 */
int
cfg_valid_socket(const char *v)
{
	const char *colon = strchr(v, ':'), *rest, *at;
	size_t	plen, len;
	int	family;
	unsigned char addr[16];

	if (colon == NULL || cfg_has_blank(v))
		return 0;
	plen = (size_t)(colon - v);
	rest = colon + 1;
	if ((plen == 4 && strncasecmp(v, "unix", 4) == 0)
	    || (plen == 5 && strncasecmp(v, "local", 5) == 0))
		return rest[0] == '/'	/* room for the NUL */
		    && strlen(rest) + 1 < sizeof(((struct sockaddr_un *)0)->sun_path);
	if (plen == 4 && strncasecmp(v, "inet", 4) == 0)
		family = AF_INET;
	else if (plen == 5 && strncasecmp(v, "inet6", 5) == 0)
		family = AF_INET6;
	else
		return 0;
	if ((at = strchr(rest, '@')) == NULL
	    || cfg_parse_port(rest, (size_t)(at - rest)) < 0)
		return 0;
	at++;
	len = strlen(at);
	if (at[0] == '[')		/* libmilter's [literal] form */
		return len > 2 && at[len - 1] == ']'
		    && cfg_parse_addr(family, at + 1, len - 2, addr) == 0;
	return cfg_parse_addr(family, at, len, addr) == 0
	    || cfg_valid_hostname(at, len, 0);
}

/* A portable user or group name (POSIX 3.437), or a numeric id. */
static int
valid_name(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > CFG_NAME_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

int
cfg_valid_user_id(const char *v)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL)
		return valid_name(v, strlen(v));
	return valid_name(v, (size_t)(colon - v))
	    && valid_name(colon + 1, strlen(colon + 1));
}

const char *
cfg_facility_name(const char *v)
{
	static const char *const names[] = {
		"mail", "daemon", "local0", "local1", "local2", "local3",
		"local4", "local5", "local6", "local7",
	};
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(v, names[i]) == 0)
			return names[i];
	return NULL;
}
