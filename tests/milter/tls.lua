-- tls.lua -- the TLS state of the session in A-R, and the REQUIRETLS fields.
dofile(os.getenv("DT_LIB"))

local c, r, h
local TLS13 = { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384",
    "{cipher_bits}", "256" }
local TLS12_CERT = { "{tls_version}", "TLSv1.2", "{cipher}", "ECDHE-RSA-AES256-GCM-SHA384",
    "{cipher_bits}", "256", "{cert_subject}", "client.example", "{cert_issuer}", "Test CA" }

c = session(PASS_IP, "mx.good.test", TLS13)
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("tls13_session_recorded_in_its_own_authres", r == SMFIR_ACCEPT
    and has(tls_ar(c), AUTHSERV .. ";")
    and has(tls_ar(c), "x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384")
    and has(tls_ar(c), "smtp.bits=256") and not has(tls_ar(c), "dmarc=")
    and has(our_ar(c), "dmarc=pass") and not has(our_ar(c), "x-tls"),
    "TLS A-R " .. tls_ar(c))
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("plaintext_session_recorded_as_none", r == SMFIR_ACCEPT
    and has(tls_ar(c), "x-tls=none") and not has(tls_ar(c), "smtp.version"),
    "TLS A-R " .. tls_ar(c))
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test", TLS12_CERT)
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("tls12_client_certificate_in_comment", r == SMFIR_ACCEPT
    and has(tls_ar(c), "smtp.version=TLSv1.2")
    and has(tls_ar(c), "(client certificate client.example, issuer Test CA)"),
    "TLS A-R " .. tls_ar(c))
mt.disconnect(c)

-- STARTTLS: HELO again with the macros; the second HELO's state counts
c = mt.connect(SOCK, 20, 0.25)
mt.conninfo(c, "client.example", PASS_IP)
mt.helo(c, "mx.good.test")
mt.macro(c, SMFIC_HELO, (table.unpack or unpack)(TLS13))
mt.helo(c, "mx.good.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("helo_after_starttls_updates_tls_state", has(tls_ar(c), "x-tls=pass smtp.version=TLSv1.3"),
    "TLS A-R " .. tls_ar(c))
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test", TLS13)
r = message(c, {"<alice@good.test>", "REQUIRETLS"}, plain("alice@good.test"))
report("requiretls_over_tls_writes_require_tls_esmtp", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_HDRADD, "Require-TLS-ESMTP")
    and has(tls_ar(c), "smtp.requiretls=yes"), "reply " .. tostring(r))
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test")
r = message(c, {"<alice@good.test>", "REQUIRETLS"}, plain("alice@good.test"))
report("requiretls_without_tls_writes_nothing", r == SMFIR_ACCEPT
    and not mt.eom_check(c, MT_HDRADD, "Require-TLS-ESMTP"), "field added")
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test", TLS13)
h = plain("alice@good.test")
table.insert(h, {"Require-TLS-ESMTP", " yes"})
r = message(c, "<alice@good.test>", h)
report("forged_require_tls_esmtp_removed", r == SMFIR_ACCEPT
    and (mt.eom_check(c, MT_HDRDELETE, "Require-TLS-ESMTP")
      or mt.eom_check(c, MT_HDRCHANGE, "Require-TLS-ESMTP"))
    and not mt.eom_check(c, MT_HDRADD, "Require-TLS-ESMTP"), "not removed")
mt.disconnect(c)

-- TLS-Required: No from a stranger whose From fails DMARC (p=none: accepted)
c = session(FAIL_IP, "mail.attacker.example")
h = plain("x@org.test")
table.insert(h, {"TLS-Required", " No"})
r = message(c, "<x@org.test>", h)
report("tls_required_no_removed_without_dmarc_pass", r == SMFIR_ACCEPT
    and (mt.eom_check(c, MT_HDRDELETE, "TLS-Required")
      or mt.eom_check(c, MT_HDRCHANGE, "TLS-Required")), "not removed")
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test")
h = plain("alice@good.test")
table.insert(h, {"TLS-Required", " No"})
r = message(c, "<alice@good.test>", h)
report("tls_required_no_kept_with_dmarc_pass", r == SMFIR_ACCEPT
    and not mt.eom_check(c, MT_HDRDELETE, "TLS-Required")
    and not mt.eom_check(c, MT_HDRCHANGE, "TLS-Required"), "removed")
mt.disconnect(c)

-- Non-ASCII in the MTA's {cert_subject}/{cert_issuer} (Sendmail passes DNs
-- as they come): the field stays ASCII, the words as RFC 2047 encoded-words.
local TLS_8BIT = { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384",
    "{cipher_bits}", "256", "{cert_subject}", "CN=J\195\188rgen", "{cert_issuer}", "Caf\233 CA" }
c = session(PASS_IP, "mx.good.test", TLS_8BIT)
r = message(c, "<alice@good.test>", plain("alice@good.test"))
local t = tls_ar(c)
report("non_ascii_cert_subject_kept_ascii_rfc2047", r == SMFIR_ACCEPT
    and not string.find(t, "[\128-\255]")
    and has(t, "client certificate =?utf-8?q?CN=3DJ=C3=BCrgen=2C?=")
    and has(t, "issuer =?unknown-8bit?q?Caf=E9?= CA"), "TLS A-R " .. t)
mt.disconnect(c)
