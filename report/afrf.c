/*
 * afrf.c -- the failure report mail (see afrf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "afrf.h"
#include "strbuf.h"

/* One signature line of FC_DKIM, split in place: d s i result reason. */
typedef struct afrf_sig {
	char	*f[5];
} afrf_sig;

static int
sig_split(char *line, afrf_sig *s)
{
	int	k;

	for (k = 0; k < 5; k++) {
		s->f[k] = line;
		if (k < 4) {
			if ((line = strchr(line, '\t')) == NULL)
				return -1;
			*line++ = '\0';
		}
	}
	return 0;
}

/* Is signing domain d the author domain or in the same tree (relaxed)? */
static int
sig_aligned(const char *d, const char *from)
{
	size_t	ld = strlen(d), lf = strlen(from);

	return strcasecmp(d, from) == 0
	    || (ld > lf && d[ld - lf - 1] == '.' && strcasecmp(d + ld - lf, from) == 0)
	    || (lf > ld && from[lf - ld - 1] == '.' && strcasecmp(from + lf - ld, d) == 0);
}

/*
 * The signature a report is about, copied into buf and split: for a DKIM
 * report the first that failed; for a DMARC one the first not passing
 * whose domain is the author's. 0 found, -1 none.
 */
static int
pick_sig(const afrf_in *in, char *buf, size_t size, afrf_sig *s)
{
	const char *p = in->dkim != NULL ? in->dkim : "", *nl;
	size_t	n;
	int	want_dkim = strcmp(in->kind, "dkim") == 0;

	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if ((n = (size_t)(nl - p)) >= size)
			continue;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (sig_split(buf, s) < 0)
			continue;
		if (want_dkim ? strcmp(s->f[3], "fail") == 0 || strcmp(s->f[3], "permerror") == 0
		    : strcmp(s->f[3], "pass") != 0 && sig_aligned(s->f[0], in->header_from))
			return 0;
	}
	return -1;
}

const char *
afrf_auth_failure(const afrf_in *in)
{
	char	buf[1024];
	afrf_sig s;

	if (strcmp(in->kind, "spf") == 0)
		return "spf";
	if (strcmp(in->kind, "dkim") != 0)
		return "dmarc";
	if (pick_sig(in, buf, sizeof(buf), &s) == 0) {
		if (strstr(s.f[4], "body hash") != NULL)
			return "bodyhash";
		if (strstr(s.f[4], "revoked") != NULL)
			return "revoked";
	}
	return "signature";
}

static void
rfc5322_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* "Name: value" with the value folded after each "; " */
static void
folded(strbuf *sb, const char *name, const char *value)
{
	const char *p;

	strbuf_printf(sb, "%s: ", name);
	for (p = value; *p; p++) {
		strbuf_appendc(sb, *p);
		if (*p == ';' && p[1] == ' ') {
			strbuf_append(sb, "\n\t");
			p++;
		}
	}
	strbuf_appendc(sb, '\n');
}

static int
has_8bit(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

static void
top_fields(strbuf *sb, const afrf_in *in, const char *boundary)
{
	char	date[64];

	rfc5322_date(in->now, date, sizeof(date));
	strbuf_printf(sb, "From: %s\nTo: %s\n", in->from, in->to);
	strbuf_printf(sb, "Subject: DMARC failure report for %s from %s\n", in->header_from,
	    in->source_ip);
	strbuf_printf(sb, "Date: %s\nMessage-ID: <%s@%s>\n", date, in->report_id, in->submitter);
	strbuf_append(sb, "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n");
	strbuf_printf(sb, "Content-Type: multipart/report; report-type=feedback-report;\n"
	    "\tboundary=\"%s\"\n\nThis is a MIME-formatted message.\n\n", boundary);
}

static void
text_part(strbuf *sb, const afrf_in *in, const char *boundary)
{
	char	date[64];

	rfc5322_date(in->received, date, sizeof(date));
	strbuf_printf(sb, "--%s\nContent-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n", boundary);
	strbuf_printf(sb, "This is an authentication failure report (%s) for a message\n"
	    "received from IP %s on %s, From domain %s.\n", afrf_auth_failure(in),
	    in->source_ip, date, in->header_from);
	strbuf_printf(sb, "Mechanisms without an aligned pass: %s.\n", in->alignment);
	if (in->incidents > 1)
		strbuf_printf(sb, "It stands for %lld similar messages.\n", in->incidents);
	if (in->redacted)
		strbuf_append(sb, "Local parts of addresses are redacted (RFC 6590).\n");
	if (in->truncated)
		strbuf_append(sb, "The header section is cut short.\n");
	strbuf_append(sb, "The message body is not included.\n\n");
}

static void
feedback_part(strbuf *sb, const afrf_in *in, const char *boundary)
{
	char	date[64], buf[1024];
	afrf_sig s;

	rfc5322_date(in->received, date, sizeof(date));
	strbuf_printf(sb, "--%s\nContent-Type: message/feedback-report\n"
	    "Content-Transfer-Encoding: 7bit\n\n", boundary);
	strbuf_printf(sb, "Feedback-Type: auth-failure\nVersion: 1\nUser-Agent: %s\n"
	    "Auth-Failure: %s\n", in->user_agent, afrf_auth_failure(in));
	folded(sb, "Authentication-Results", in->authres);
	strbuf_printf(sb, "Identity-Alignment: %s\n", in->alignment);
	if (strcmp(in->kind, "spf") != 0 && pick_sig(in, buf, sizeof(buf), &s) == 0)
		strbuf_printf(sb, "DKIM-Domain: %s\nDKIM-Identity: %s%s\nDKIM-Selector: %s\n",
		    s.f[0], s.f[2][0] ? "" : "@", s.f[2][0] ? s.f[2] : s.f[0], s.f[1]);
	if (in->spf_record != NULL && (strcmp(in->kind, "spf") == 0
	    || strstr(in->alignment, "spf") != NULL))
		strbuf_printf(sb, "SPF-DNS: txt : %s : \"%s\"\n", in->spf_domain, in->spf_record);
	strbuf_printf(sb, "Original-Envelope-Id: %s\nArrival-Date: %s\nSource-IP: %s\n"
	    "Reported-Domain: %s\nDelivery-Result: %s\n", in->qid, date, in->source_ip,
	    in->header_from, in->delivery);
	if (in->incidents > 1)
		strbuf_printf(sb, "Incidents: %lld\n", in->incidents);
	strbuf_appendc(sb, '\n');
}

char *
afrf_mail(const afrf_in *in, char *err, size_t errlen)
{
	strbuf	sb = STRBUF_INIT;
	char	boundary[96];
	size_t	hl = strlen(in->headers);

	snprintf(boundary, sizeof(boundary), "=_dmarctls_%s", in->report_id);
	top_fields(&sb, in, boundary);
	text_part(&sb, in, boundary);
	feedback_part(&sb, in, boundary);
	strbuf_printf(&sb, "--%s\nContent-Type: text/rfc822-headers%s\n"
	    "Content-Transfer-Encoding: %s\n\n", boundary,
	    has_8bit(in->headers) ? "; charset=utf-8" : "", has_8bit(in->headers) ? "8bit" : "7bit");
	strbuf_append(&sb, in->headers);
	if (hl > 0 && in->headers[hl - 1] != '\n')
		strbuf_appendc(&sb, '\n');
	strbuf_printf(&sb, "\n--%s--\n", boundary);
	if (sb.failed) {
		strbuf_free(&sb);
		snprintf(err, errlen, "out of memory building a failure report");
		return NULL;
	}
	return strbuf_detach(&sb);
}
