/*
 * mail.c -- headers, MIME parts and base64 of a report mail (see mail.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail.h"
#include "strbuf.h"

#define B64_LINE	76	/* RFC 2045 section 6.8 */

int
report_filename(const char *receiver, const char *domain, long long begin, long long end,
    const char *id, char *out, size_t size)
{
	int	n = snprintf(out, size, "%s!%s!%lld!%lld!%s.xml.gz", receiver, domain,
	    begin, end, id);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
report_write_eml(const char *dir, const char *id, const char *mail)
{
	char	path[4096];
	size_t	len = strlen(mail);
	int	fd;

	snprintf(path, sizeof(path), "%s/%s.eml", dir, id);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0
	    || write(fd, mail, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "dmarctls-reports: %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("wrote %s\n", path);
	return 0;
}

static void
base64(strbuf *sb, const unsigned char *p, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t	i, col = 0;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		strbuf_appendc(sb, t[v >> 18 & 63]);
		strbuf_appendc(sb, t[v >> 12 & 63]);
		strbuf_appendc(sb, i + 1 < n ? t[v >> 6 & 63] : '=');
		strbuf_appendc(sb, i + 2 < n ? t[v & 63] : '=');
		if ((col += 4) >= B64_LINE) {
			strbuf_appendc(sb, '\n');
			col = 0;
		}
	}
	if (col)
		strbuf_appendc(sb, '\n');
}

static void
utc_day(long long t, char *buf, size_t size)
{
	time_t	tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "%lld", t);
}

char *
report_mail(const report_mail_in *in, char *err, size_t errlen)
{
	strbuf	sb = STRBUF_INIT;
	char	date[64], day[32];
	struct tm tm;

	if (gmtime_r(&in->now, &tm) == NULL
	    || strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0) {
		snprintf(err, errlen, "no date");
		return NULL;
	}
	utc_day(in->begin, day, sizeof(day));
	strbuf_printf(&sb, "From: %s\n", in->from);
	strbuf_printf(&sb, "To: %s\n", in->to);
	/* RFC 9990 3.5.2: %s"Report" FWS %s"Domain:" ... ; folding is FWS */
	strbuf_printf(&sb, "Subject: Report Domain: %s\n Submitter: %s\n Report-ID: <%s>\n",
	    in->domain, in->submitter, in->report_id);
	strbuf_printf(&sb, "Date: %s\n", date);
	strbuf_printf(&sb, "Message-ID: <%s@%s>\n", in->report_id, in->submitter);
	strbuf_append(&sb, "Auto-Submitted: auto-generated\n");
	strbuf_append(&sb, "MIME-Version: 1.0\n");
	strbuf_printf(&sb, "Content-Type: multipart/mixed; boundary=\"=_dmarctls_%s\"\n\n",
	    in->report_id);
	strbuf_append(&sb, "This is a DMARC aggregate report in MIME format.\n\n");
	strbuf_printf(&sb, "--=_dmarctls_%s\n", in->report_id);
	strbuf_append(&sb, "Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n");
	strbuf_printf(&sb, "DMARC aggregate report (RFC 9990) from %s for %s,\n"
	    "UTC day %s: %lld messages in %lld records.\nReport-ID: %s\n\n",
	    in->submitter, in->domain, day, in->messages, in->records, in->report_id);
	strbuf_printf(&sb, "--=_dmarctls_%s\n", in->report_id);
	strbuf_printf(&sb, "Content-Type: application/gzip; name=\"%s\"\n", in->filename);
	strbuf_printf(&sb, "Content-Disposition: attachment; filename=\"%s\"\n", in->filename);
	strbuf_append(&sb, "Content-Transfer-Encoding: base64\n\n");
	base64(&sb, in->gz, in->gzlen);
	strbuf_printf(&sb, "\n--=_dmarctls_%s--\n", in->report_id);
	if (sb.failed) {
		strbuf_free(&sb);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return strbuf_detach(&sb);
}
