#!/usr/bin/env python3
"""failcheck.py -- read one failure report mail back, as a consumer does.

usage: failcheck.py MAIL.eml REDACT-KEY

Prints key=value facts for tests/report/failure.sh: the MIME structure,
the feedback-report fields (RFC 5965 / 6591 / RFC 9991 section 4), and
whether every local part in the rfc822-headers part is the token the
store's key gives (HMAC-SHA256, first 8 bytes as hex, "redacted-" first)
for the local part of the original test message. Python's email package
is the parser: it knows nothing of dmarctls.
"""
import email
import email.policy
import hashlib
import hmac
import os
import re
import sys


def token(key, local):
    mac = hmac.new(key.encode(), local.encode(), hashlib.sha256).hexdigest()
    return "redacted-" + mac[:16]


def fields_of(part):
    """The feedback-report fields, whatever shape the parser gave them."""
    payload = part.get_payload()
    if isinstance(payload, list):
        text = "".join(str(p) for p in payload)
    else:
        text = payload
    out = {}
    for name, value in re.findall(r"^([A-Za-z-]+):[ \t]*(.*(?:\n[ \t].*)*)", text, re.M):
        out.setdefault(name.lower(), []).append(re.sub(r"\s+", " ", value).strip())
    return out


def redaction(headers, key):
    """ok when every address local part is the token of a known original."""
    originals = ["a", "bob", "carol"]
    tokens = {token(key, o) for o in originals}
    bad = []
    for line in headers.splitlines():
        if re.match(r"(?i)(message-id|in-reply-to|references|dkim-signature):", line):
            continue
        for local in re.findall(r"([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@[A-Za-z0-9]", line):
            if local not in tokens:
                bad.append(local)
    if not any(t in headers for t in tokens):
        bad.append("no-token")
    return "ok" if not bad else ",".join(bad)


def main():
    path, key = sys.argv[1], sys.argv[2]
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = msg.get_payload() if msg.is_multipart() else []
    print("structure=%s;%s;%s" % (msg.get_content_type(), msg.get_param("report-type"),
                                  ",".join(p.get_content_type() for p in parts)))
    print("to=%s" % msg["To"])
    print("autosubmitted=%s" % msg["Auto-Submitted"])
    args = os.path.splitext(path)[0] + ".args"
    if os.path.exists(args):
        print("args=%s" % open(args).read().strip())
    if len(parts) != 3:
        return 1
    f = fields_of(parts[1])

    def one(name):
        v = f.get(name, [])
        return v[0] if len(v) == 1 else ("-" if not v else "MULTIPLE")

    print("feedback_type=%s" % one("feedback-type"))
    print("version=%s" % one("version"))
    print("auth_failure=%s" % one("auth-failure"))
    print("identity_alignment=%s" % one("identity-alignment"))
    print("incidents=%s" % one("incidents"))
    print("source_ip=%s" % one("source-ip"))
    print("reported_domain=%s" % one("reported-domain"))
    print("delivery_result=%s" % one("delivery-result"))
    print("spf_dns=%s" % one("spf-dns"))
    dkim = "-" if one("dkim-domain") == "-" else "%s/%s/%s" % (
        one("dkim-domain"), one("dkim-identity"), one("dkim-selector"))
    print("dkim=%s" % dkim)
    print("authres_has_dmarc=%s" % ("dmarc=" in one("authentication-results")))
    print("redaction=%s" % redaction(parts[2].get_payload(), key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
