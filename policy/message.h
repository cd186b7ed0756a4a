/*
 * message.h -- split a raw RFC 5322 message into header fields and body.
 *
 * SYNOPSIS
 *	int message_parse(const char *buf, size_t len, message *m, char *err, size_t errlen);
 *	void message_free(message *m);
 *	void message_feed(const message *m, dt_eval *e);
 *
 * DESCRIPTION
 *	Used where a whole message is at hand (dmarctls-check); the milter
 *	gets fields one by one from the MTA instead. Each field keeps its raw
 *	form "Name: value" with folding, without the final line break (what
 *	libopendkim wants), and its value (everything after the colon, folding
 *	kept). Lines may end in CRLF or LF. As in Postfix's cleanup, the first
 *	line that is neither a field nor a continuation ends the header section
 *	and starts the body; a message with no empty line has no body.
 *
 *	message_feed() streams a parsed message through an evaluation as an
 *	MTA would: each field, end of headers, the body. dmarctls-check and
 *	the whole-message fuzz target share it, so both run the same path.
 *
 *	Hostile input: NUL bytes and bare CRs are kept as data (the parsers
 *	of each field decide); more than MESSAGE_MAX_FIELDS fields, or a field
 *	over MESSAGE_MAX_FIELD bytes, is an error, never a silent truncation
 *	that could hide a second From field.
 */
#ifndef DMARCTLS_MESSAGE_H
#define DMARCTLS_MESSAGE_H

#include <stddef.h>

#include "verdict.h"

#define MESSAGE_MAX_FIELDS	10000
#define MESSAGE_MAX_FIELD	(1024 * 1024)
#define MESSAGE_MAX_NAME	256

typedef struct msg_field {
	char	name[MESSAGE_MAX_NAME];	/* as written, without blanks before ':' */
	const char *raw;		/* "Name: value", points into the buffer */
	size_t	rawlen;
	const char *value;		/* after the colon */
	size_t	valuelen;
} msg_field;

typedef struct message {
	size_t	nfields;
	msg_field *fields;
	const char *body;		/* points into the buffer */
	size_t	bodylen;
} message;

int	message_parse(const char *buf, size_t len, message *m, char *err, size_t errlen);
void	message_free(message *m);
void	message_feed(const message *m, dt_eval *e);

#endif
