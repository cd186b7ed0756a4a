/*
 * message.c -- the header/body splitter of message.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* line_end - length of the line at p (without its end), and of its end */
static size_t
line_end(const char *p, size_t left, size_t *eol)
{
	const char *nl = memchr(p, '\n', left);
	size_t	n;

	if (nl == NULL) {
		*eol = 0;
		return left;
	}
	n = (size_t)(nl - p);
	*eol = 1;
	if (n > 0 && p[n - 1] == '\r') {
		n--;
		*eol = 2;
	}
	return n;
}

/* field_name - length of the name of a field line, 0 if it is not a field */
static size_t
field_name(const char *p, size_t n, size_t *colon)
{
	size_t	i = 0, end;

	while (i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7f && p[i] != ':')
		i++;
	end = i;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))	/* obsolete: WSP before ':' */
		i++;
	if (end == 0 || i >= n || p[i] != ':' || end >= MESSAGE_MAX_NAME)
		return 0;
	*colon = i;
	return end;
}

static int
message_add(message *m, size_t *cap, const char *raw, size_t namelen, size_t colon,
    size_t rawlen)
{
	msg_field *f;

	if (m->nfields == *cap) {
		size_t	ncap = *cap ? *cap * 2 : 32;

		if ((f = realloc(m->fields, ncap * sizeof(*f))) == NULL)
			return -1;
		m->fields = f;
		*cap = ncap;
	}
	f = &m->fields[m->nfields++];
	memcpy(f->name, raw, namelen);
	f->name[namelen] = '\0';
	f->raw = raw;
	f->rawlen = rawlen;
	f->value = raw + colon + 1;
	f->valuelen = rawlen - colon - 1;
	return 0;
}

int
message_parse(const char *buf, size_t len, message *m, char *err, size_t errlen)
{
	size_t	pos = 0, cap = 0, eol, n, namelen, colon;

	memset(m, 0, sizeof(*m));
	while (pos < len) {
		const char *start = buf + pos;
		size_t	end;

		n = line_end(start, len - pos, &eol);
		if (n == 0) {			/* the empty line */
			pos += eol;
			break;
		}
		if ((namelen = field_name(start, n, &colon)) == 0)
			break;			/* not a field: the body starts here */
		end = pos + n + eol;
		while (end < len && (buf[end] == ' ' || buf[end] == '\t')) {
			n = (size_t)(end - pos) + line_end(buf + end, len - end, &eol);
			end = pos + n + eol;
		}
		if (n > MESSAGE_MAX_FIELD) {
			snprintf(err, errlen, "header field %.40s is over %d bytes", start,
			    MESSAGE_MAX_FIELD);
			goto fail;
		}
		if (m->nfields >= MESSAGE_MAX_FIELDS) {
			snprintf(err, errlen, "more than %d header fields", MESSAGE_MAX_FIELDS);
			goto fail;
		}
		if (message_add(m, &cap, start, namelen, colon, n) < 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		pos = end;
	}
	m->body = buf + pos;
	m->bodylen = len - pos;
	return 0;
fail:
	message_free(m);
	return -1;
}

void
message_free(message *m)
{
	free(m->fields);
	m->fields = NULL;
	m->nfields = 0;
}

void
message_feed(const message *m, dt_eval *e)
{
	size_t	i;

	for (i = 0; i < m->nfields; i++) {
		const msg_field *f = &m->fields[i];

		dt_eval_header(e, f->name, f->raw, f->rawlen, f->value, f->valuelen);
	}
	dt_eval_eoh(e);
	dt_eval_body(e, (const unsigned char *)m->body, m->bodylen);
}
