/*
 * cfg_file.h -- the "Key value" configuration file lexer and the value
 *	checks that every dmarctls program's configuration shares.
 *
 * SYNOPSIS
 *	int  cfg_file_open(cfg_file *f, const char *path, char *err, size_t errlen);
 *	int  cfg_file_next(cfg_file *f, char **text, char *err, size_t errlen);
 *	void cfg_file_close(cfg_file *f);
 *	void cfg_split(char *text, char **key, char **value);
 *	int  cfg_check_value(const char *v);
 *	const char *cfg_show(const char *s, char buf[CFG_SHOW_MAX + 4]);
 *	void cfg_err(char *err, size_t errlen, const char *fmt, ...);
 *	const char *cfg_next_item(const char **pp, size_t *lenp);
 *	int  cfg_parse_uint(const char *s, size_t len, unsigned long max,
 *		unsigned long *out);
 *	int  cfg_parse_port(const char *s, size_t len);
 *	int  cfg_parse_addr(int family, const char *s, size_t len,
 *		unsigned char out[16]);
 *	int  cfg_valid_hostname(const char *s, size_t len, int allow_underscore);
 *	int  cfg_valid_socket(const char *v);
 *	int  cfg_valid_user_id(const char *v);
 *	int  cfg_valid_path(const char *v);
 *	int  cfg_has_blank(const char *s);
 *	const char *cfg_facility_name(const char *v);
 *
 * DESCRIPTION
 *	The format is that of opendkim.conf: one "Key value" per line, the
 *	key separated from the value by blanks, the value the rest of the
 *	line with trailing blanks removed.  '#' at the start of a line or
 *	after a blank starts a comment; blank lines are skipped.  What the
 *	keys mean is the caller's business (policy/config.c for the milter,
 *	tlspolicy/pd_config.c for dmarctls-policyd).
 *
 *	cfg_file_open() opens path for cfg_file_next(), which returns 1 and
 *	points *text at the next non-empty line with the comment and the
 *	surrounding blanks cut (the text lives in f until the next call), 0
 *	at the end of the file, and -1 with "file:line: what" in err for a
 *	line over CFG_LINE_MAX bytes, a NUL byte or a read error.  f->lineno
 *	is the number of the line returned, for the caller's own messages.
 *	cfg_split() cuts text into the key and the value ("" when absent).
 *
 *	cfg_check_value() returns -1 when v holds a control byte other than
 *	a tab (or DEL), else 0.  cfg_show() quotes hostile text back:
 *	printable ASCII, cut at CFG_SHOW_MAX bytes and marked "..." when
 *	cut.  cfg_next_item() walks a list separated by commas or blanks.
 *
 *	The value checks return 1 (valid) or 0; the parsers 0 or -1:
 *	cfg_valid_socket() accepts libmilter's spelling inet:PORT@HOST,
 *	inet6:PORT@HOST, unix:/path, local:/path with a required host and
 *	a numeric port; cfg_valid_user_id() user[:group] with portable names
 *	or numbers; cfg_valid_path() an absolute path without blanks;
 *	cfg_valid_hostname() LDH labels (RFC 1123 2.1), 253 bytes, one
 *	trailing dot allowed, last label not all digits.
 *	cfg_facility_name() returns the canonical lower-case syslog facility
 *	name (mail, daemon, local0..local7) or NULL.
 *
 * HOSTILE INPUT
 *	The file is read byte by byte into a fixed buffer; every limit is a
 *	named constant; nothing is quoted back unsanitised.
 */
#ifndef DMARCTLS_CFG_FILE_H
#define DMARCTLS_CFG_FILE_H

#include <stddef.h>
#include <stdio.h>

#define CFG_LINE_MAX	4096	/* bytes per line, terminator excluded */
#define CFG_SHOW_MAX	64	/* bytes of a bad value quoted back */
#define CFG_HOST_MAX	253	/* RFC 1035 name in text form */

typedef struct cfg_file {
	FILE		*fp;
	const char	*path;		/* the caller's string, not copied */
	unsigned long	lineno;
	char		line[CFG_LINE_MAX + 1];
} cfg_file;

int	cfg_file_open(cfg_file *f, const char *path, char *err, size_t errlen);
int	cfg_file_next(cfg_file *f, char **text, char *err, size_t errlen);
void	cfg_file_close(cfg_file *f);
void	cfg_split(char *text, char **key, char **value);
int	cfg_check_value(const char *v);
const char *cfg_show(const char *s, char buf[CFG_SHOW_MAX + 4]);
void	cfg_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *cfg_next_item(const char **pp, size_t *lenp);
int	cfg_parse_uint(const char *s, size_t len, unsigned long max,
	    unsigned long *out);
int	cfg_parse_port(const char *s, size_t len);
int	cfg_parse_addr(int family, const char *s, size_t len,
	    unsigned char out[16]);
int	cfg_valid_hostname(const char *s, size_t len, int allow_underscore);
int	cfg_valid_socket(const char *v);
int	cfg_valid_user_id(const char *v);
int	cfg_valid_path(const char *v);
int	cfg_has_blank(const char *s);
const char *cfg_facility_name(const char *v);

#endif
