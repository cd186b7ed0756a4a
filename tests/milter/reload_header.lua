-- reload_header.lua -- after SIGHUP with Quarantine header, IgnoreNetworks
-- and IgnoreAuthenticatedClients set.
dofile(os.getenv("DT_LIB"))

local c, r

c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<x@quar.test>", plain("x@quar.test"))
report("reload_applies_quarantine_header", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_HDRADD, "X-Dmarctls-Quarantine")
    and not mt.eom_check(c, MT_QUARANTINE), "reply " .. tostring(r))
mt.disconnect(c)

c = mt.connect(SOCK, 20, 0.25)
mt.conninfo(c, "client.example", "203.0.113.9")
report("ignore_networks_accepts_at_connect", mt.getreply(c) == SMFIR_ACCEPT,
    "reply " .. tostring(mt.getreply(c)))
mt.disconnect(c)

c = session(FAIL_IP, "mail.attacker.example")
mt.macro(c, SMFIC_MAIL, "{auth_authen}", "alice", "{auth_type}", "PLAIN")
mt.mailfrom(c, "<alice@good.test>")
report("authenticated_client_not_evaluated", mt.getreply(c) == SMFIR_ACCEPT,
    "reply " .. tostring(mt.getreply(c)))
mt.disconnect(c)

-- TrustedNetworks 192.0.2.0/24 (in this phase): a trusted client's
-- Require-TLS-ESMTP is carried on (removed, written again by us, so that
-- milter_header_checks sees it), its TLS-Required kept even without a pass.
c = session(PASS_IP, "mx.good.test")
local h = plain("x@org.test")
table.insert(h, {"Require-TLS-ESMTP", " yes"})
table.insert(h, {"TLS-Required", " No"})
r = message(c, "<x@org.test>", h)
report("trusted_client_require_tls_esmtp_rewritten", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_HDRADD, "Require-TLS-ESMTP")
    and (mt.eom_check(c, MT_HDRDELETE, "Require-TLS-ESMTP")
      or mt.eom_check(c, MT_HDRCHANGE, "Require-TLS-ESMTP"))
    and not mt.eom_check(c, MT_HDRDELETE, "TLS-Required")
    and not mt.eom_check(c, MT_HDRCHANGE, "TLS-Required"), "reply " .. tostring(r))
mt.disconnect(c)

-- ... but only a "yes" is carried on: a trusted client's "Require-TLS-ESMTP: no"
-- asks for nothing, so it is removed and no "yes" written (issue 12).
c = session(PASS_IP, "mx.good.test")
h = plain("x@org.test")
table.insert(h, {"Require-TLS-ESMTP", " no"})
r = message(c, "<x@org.test>", h)
report("trusted_client_require_tls_esmtp_no_never_becomes_yes", r == SMFIR_ACCEPT
    and not mt.eom_check(c, MT_HDRADD, "Require-TLS-ESMTP")
    and (mt.eom_check(c, MT_HDRDELETE, "Require-TLS-ESMTP")
      or mt.eom_check(c, MT_HDRCHANGE, "Require-TLS-ESMTP")), "reply " .. tostring(r))
mt.disconnect(c)
