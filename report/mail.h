/*
 * mail.h -- the report as a mail message (RFC 9990 section 3.5.2).
 *
 * SYNOPSIS
 *	char *report_mail(const report_mail_in *in, char *err, size_t errlen);
 *	int report_filename(const char *receiver, const char *domain,
 *	    long long begin, long long end, const char *id, char *out, size_t size);
 *	int report_write_eml(const char *dir, const char *id, const char *mail);
 *
 * DESCRIPTION
 *	report_filename(): receiver!policy-domain!begin!end!unique-id.xml.gz.
 *
 *	report_write_eml() writes mail to DIR/ID.eml (--out) and says so on
 *	stdout; -1 with the reason on stderr when it cannot.
 *
 *	report_mail() builds the message handed to sendmail -t: From (the
 *	configured address), To (the destination), the Subject RFC 9990
 *	requires ("Report Domain: D Submitter: S Report-ID: <ID>", folded
 *	before each keyword), Date, Message-ID <ID@submitter>,
 *	Auto-Submitted: auto-generated (RFC 3834: no replies, no loops),
 *	then multipart/mixed with a short text/plain part and the gzip'd XML
 *	as application/gzip, base64 in 76-character lines, the filename in
 *	both Content-Type name= and Content-Disposition filename= (some
 *	consumers read only one). Lines end in LF: it goes to the local MTA.
 */
#ifndef DMARCTLS_REPORT_MAIL_H
#define DMARCTLS_REPORT_MAIL_H

#include <stddef.h>
#include <time.h>

typedef struct report_mail_in {
	const char	*from, *to;
	const char	*domain, *submitter, *report_id, *filename;
	long long	begin, end;
	long long	records, messages;
	const unsigned char *gz;
	size_t		gzlen;
	time_t		now;
} report_mail_in;

char	*report_mail(const report_mail_in *in, char *err, size_t errlen);
int	report_filename(const char *receiver, const char *domain, long long begin,
	    long long end, const char *id, char *out, size_t size);
int	report_write_eml(const char *dir, const char *id, const char *mail);

#endif
