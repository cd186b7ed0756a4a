/*
 * xml.c -- write the RFC 9990 document with libxml2's text writer (see xml.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "xml.h"

#define W(x)	do { if ((x) < 0) return -1; } while (0)

static int
elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST (text ? text : ""));
}

/* an element only when there is a value */
static int
elem_opt(xmlTextWriterPtr w, const char *name, const char *text)
{
	return text != NULL && text[0] != '\0' ? elem(w, name, text) : 0;
}

static int
metadata(xmlTextWriterPtr w, const report_meta *m)
{
	char	num[32];

	W(xmlTextWriterStartElement(w, BAD_CAST "report_metadata"));
	W(elem(w, "org_name", m->org_name));
	W(elem(w, "email", m->email));
	W(elem(w, "report_id", m->report_id));
	W(xmlTextWriterStartElement(w, BAD_CAST "date_range"));
	snprintf(num, sizeof(num), "%lld", m->begin);
	W(elem(w, "begin", num));
	snprintf(num, sizeof(num), "%lld", m->end);
	W(elem(w, "end", num));
	W(xmlTextWriterEndElement(w));
	W(elem(w, "generator", m->generator));
	return xmlTextWriterEndElement(w);
}

/* RFC 9990 3.1.1.5: the effective values, so defaults are written out */
static int
published(xmlTextWriterPtr w, const report_meta *m, char *const *p)
{
	const char *pol = p[RP_P][0] ? p[RP_P] : "none";
	const char *sp = p[RP_SP][0] ? p[RP_SP] : pol;

	W(xmlTextWriterStartElement(w, BAD_CAST "policy_published"));
	W(elem(w, "domain", m->domain));
	W(elem(w, "p", pol));
	W(elem(w, "sp", sp));
	/* np falls back to sp (RFC 9989 section 4.7) */
	W(elem(w, "np", p[RP_NP][0] ? p[RP_NP] : sp));
	W(elem(w, "adkim", p[RP_ADKIM][0] ? p[RP_ADKIM] : "r"));
	W(elem(w, "aspf", p[RP_ASPF][0] ? p[RP_ASPF] : "r"));
	W(elem(w, "discovery_method", strcmp(p[RP_DISCOVERY], "psl") == 0 ? "psl" : "treewalk"));
	W(elem(w, "fo", p[RP_FO][0] ? p[RP_FO] : "0"));
	W(elem(w, "testing", strcmp(p[RP_TESTING], "y") == 0 ? "y" : "n"));
	return xmlTextWriterEndElement(w);
}

/* one stored signature: "domain TAB selector TAB result TAB human" */
static int
dkim_one(xmlTextWriterPtr w, char *line)
{
	char	*f[4] = { line, "", "", "" }, *t;
	int	i;

	for (i = 1; i < 4 && (t = strchr(f[i - 1], '\t')) != NULL; i++) {
		*t = '\0';
		f[i] = t + 1;
	}
	W(xmlTextWriterStartElement(w, BAD_CAST "dkim"));
	W(elem(w, "domain", f[0]));
	W(elem(w, "selector", f[1]));
	W(elem(w, "result", f[2][0] ? f[2] : "none"));
	W(elem_opt(w, "human_result", f[3]));
	return xmlTextWriterEndElement(w);
}

static int
auth_results(xmlTextWriterPtr w, const report_record *r)
{
	char	*copy, *line, *nl;
	int	n = 0, rc = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "auth_results"));
	if ((copy = strdup(r->f[RA_DKIM])) == NULL)
		return -1;
	for (line = copy; *line && rc >= 0 && n < REPORT_MAX_DKIM; line = nl, n++) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		rc = dkim_one(w, line);
	}
	free(copy);
	if (rc < 0)
		return -1;
	if (r->f[RA_SPF_DOMAIN][0] != '\0') {
		W(xmlTextWriterStartElement(w, BAD_CAST "spf"));
		W(elem(w, "domain", r->f[RA_SPF_DOMAIN]));
		W(elem(w, "scope", "mfrom"));
		W(elem(w, "result", r->f[RA_SPF_RESULT]));
		W(xmlTextWriterEndElement(w));
	}
	return xmlTextWriterEndElement(w);
}

static int
record(xmlTextWriterPtr w, const report_record *r)
{
	char	num[32];

	W(xmlTextWriterStartElement(w, BAD_CAST "record"));
	W(xmlTextWriterStartElement(w, BAD_CAST "row"));
	W(elem(w, "source_ip", r->f[RA_SOURCE_IP]));
	snprintf(num, sizeof(num), "%lld", r->count);
	W(elem(w, "count", num));
	W(xmlTextWriterStartElement(w, BAD_CAST "policy_evaluated"));
	W(elem(w, "disposition", r->f[RA_DISPOSITION]));
	W(elem(w, "dkim", r->f[RA_DKIM_ALIGNED]));
	W(elem(w, "spf", r->f[RA_SPF_ALIGNED]));
	if (r->f[RA_REASON][0] != '\0') {
		W(xmlTextWriterStartElement(w, BAD_CAST "reason"));
		W(elem(w, "type", r->f[RA_REASON]));
		W(elem_opt(w, "comment", r->f[RA_REASON_COMMENT]));
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterEndElement(w));	/* policy_evaluated */
	W(xmlTextWriterEndElement(w));	/* row */
	W(xmlTextWriterStartElement(w, BAD_CAST "identifiers"));
	W(elem(w, "header_from", r->f[RA_HEADER_FROM]));
	/* RFC 9990 3.1.1.10: present but empty for the null reverse-path */
	W(elem(w, "envelope_from", r->f[RA_ENVELOPE_FROM]));
	W(elem_opt(w, "envelope_to", r->f[RA_ENVELOPE_TO]));
	W(xmlTextWriterEndElement(w));
	W(auth_results(w, r));
	return xmlTextWriterEndElement(w);
}

static int
document(xmlTextWriterPtr w, const report_meta *m, const report_agg *a)
{
	size_t	i;

	W(xmlTextWriterSetIndent(w, 1));
	W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "feedback"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST REPORT_XML_NS));
	W(elem(w, "version", "1.0"));
	W(metadata(w, m));
	W(published(w, m, a->policy));
	for (i = 0; i < a->nrec; i++)
		W(record(w, &a->rec[i]));
	W(xmlTextWriterEndElement(w));
	return xmlTextWriterEndDocument(w);
}

char *
report_xml(const report_meta *m, const report_agg *a, size_t *len, char *err, size_t errlen)
{
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	char	*out = NULL;
	int	rc;

	if (a->nrec == 0 || a->policy[RP_P] == NULL) {
		snprintf(err, errlen, "no records for %s", m->domain);
		return NULL;
	}
	if ((buf = xmlBufferCreate()) == NULL || (w = xmlNewTextWriterMemory(buf, 0)) == NULL) {
		xmlBufferFree(buf);
		snprintf(err, errlen, "libxml2: out of memory");
		return NULL;
	}
	rc = document(w, m, a);
	xmlFreeTextWriter(w);
	if (rc < 0) {
		snprintf(err, errlen, "libxml2 could not write the report for %s", m->domain);
	} else if ((out = malloc((size_t)xmlBufferLength(buf) + 1)) != NULL) {
		memcpy(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		out[xmlBufferLength(buf)] = '\0';
		*len = (size_t)xmlBufferLength(buf);
	} else {
		snprintf(err, errlen, "out of memory");
	}
	xmlBufferFree(buf);
	return out;
}
