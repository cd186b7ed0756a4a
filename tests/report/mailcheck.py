#!/usr/bin/python3
"""mailcheck.py -- read one report mail back the way a consumer would, for tests/report.

Usage: mailcheck.py MAIL OUTDIR

Parses MAIL (RFC 5322 + MIME), finds the application/gzip part, writes it to
OUTDIR/<filename> and the XML to OUTDIR/<id>.xml, and prints one fact per
line: subject, to, ctype (top level), gz_ctype, filename, name (Content-Type
name=), id_subject, id_xml, id_msgid, members (gzip members: must be 1),
ns (root namespace), records, count_sum, autosubmitted.
"""
import email
import email.policy
import re
import sys
import zlib
import xml.etree.ElementTree as ET

NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"


def main():
    msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.compat32)
    out = sys.argv[2]
    subject = re.sub(r"\r?\n[ \t]+", " ", msg["Subject"] or "")
    print("subject=" + subject)
    print("to=" + (msg["To"] or ""))
    print("ctype=" + msg.get_content_type())
    print("autosubmitted=" + (msg["Auto-Submitted"] or ""))
    m = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) Report-ID: <([a-z0-9]+)>", subject)
    print("id_subject=" + (m.group(3) if m else ""))
    mid = re.fullmatch(r"<([a-z0-9]+)@.*>", msg["Message-ID"] or "")
    print("id_msgid=" + (mid.group(1) if mid else ""))
    parts = [p for p in msg.walk() if p.get_content_type() == "application/gzip"]
    print("gzparts=%d" % len(parts))
    if not parts:
        return
    p = parts[0]
    fn = p.get_filename() or ""
    print("filename=" + fn)
    print("name=" + (p.get_param("name") or ""))
    print("cte=" + (p["Content-Transfer-Encoding"] or ""))
    gz = p.get_payload(decode=True)
    open(out + "/" + fn, "wb").write(gz)
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = d.decompress(gz)
    print("members=%d" % (1 if not d.unused_data else 2))
    root = ET.fromstring(data)
    print("ns=" + root.tag.split("}")[0].lstrip("{"))
    rid = root.findtext(NS + "report_metadata/" + NS + "report_id") or ""
    print("id_xml=" + rid)
    open(out + "/" + rid + ".xml", "wb").write(data)
    counts = [int(c.text) for c in root.iter(NS + "count")]
    print("records=%d" % len(counts))
    print("count_sum=%d" % sum(counts))


main()
