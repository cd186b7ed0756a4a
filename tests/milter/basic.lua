-- basic.lua -- dmarctls-milter over the milter protocol, default configuration.
dofile(os.getenv("DT_LIB"))

local c, r, ar

-- SPF pass for the MAIL FROM domain, aligned: accepted, our A-R on top.
c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", plain("Alice <alice@good.test>"))
ar = our_ar(c)
report("aligned_spf_pass_accepts", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_HDRINSERT, AR) and has(ar, AUTHSERV .. ";")
    and has(ar, "spf=pass smtp.mailfrom=good.test") and has(ar, "dmarc=pass")
    and has(ar, "header.from=good.test") and has(ar, "policy.dmarc=reject")
    and not mt.eom_check(c, MT_QUARANTINE), "reply " .. tostring(r) .. " A-R " .. ar)
mt.disconnect(c)

-- Spoof of a p=reject domain: 550 5.7.1 with the domain.
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<alice@good.test>", plain("Alice <alice@good.test>"))
report("spoof_of_reject_domain_gets_550", rejected_550(c, "good.test"), "reply " .. tostring(r))
mt.disconnect(c)

-- p=quarantine with Quarantine hold (the default): smfi_quarantine, accepted.
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<x@quar.test>", plain("x@quar.test"))
report("quarantine_hold_quarantines", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_QUARANTINE, "DMARC policy of quar.test")
    and has(our_ar(c), "dmarc=fail"), "reply " .. tostring(r))
mt.disconnect(c)

-- p=none failure: delivered, annotated dmarc=fail.
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<x@org.test>", plain("x@org.test"))
report("p_none_failure_accepted_with_dmarc_fail", r == SMFIR_ACCEPT
    and has(our_ar(c), "dmarc=fail") and has(our_ar(c), "policy.dmarc=none")
    and not mt.eom_check(c, MT_QUARANTINE), "A-R " .. our_ar(c))
mt.disconnect(c)

-- Forged A-R fields with our authserv-id go, in every disguise; a foreign one stays.
c = session(PASS_IP, "mx.good.test")
local h = plain("Alice <alice@good.test>")
table.insert(h, {AR, " other.example; spf=pass smtp.mailfrom=good.test"})
table.insert(h, {AR, " mx.receiver.test; dmarc=pass header.from=good.test"})
table.insert(h, {AR, " (forged) MX.Receiver.TEST; dkim=pass"})
table.insert(h, {AR, ' "mx.receiver.test" 1; spf=pass'})
table.insert(h, {AR, " mx.receiver.test\r\n\t;\r\n\tarc=pass"})
r = message(c, "<alice@good.test>", h)
report("forged_authres_with_our_id_removed", r == SMFIR_ACCEPT
    and mt.eom_check(c, MT_HDRDELETE, AR) or mt.eom_check(c, MT_HDRCHANGE, AR),
    "no deletion seen")
mt.disconnect(c)

c = session(PASS_IP, "mx.good.test")
h = plain("Alice <alice@good.test>")
table.insert(h, {AR, " other.example; spf=pass smtp.mailfrom=good.test"})
r = message(c, "<alice@good.test>", h)
report("foreign_authres_kept", r == SMFIR_ACCEPT and not mt.eom_check(c, MT_HDRDELETE)
    and not mt.eom_check(c, MT_HDRCHANGE), "a field was changed or deleted")
mt.disconnect(c)

-- Two From fields: the failing p=reject author decides.
c = session(PASS_IP, "mx.good.test")
h = { {"From", "alice@good.test"}, {"From", "ceo@strict.test"}, {"Subject", "two"} }
r = message(c, "<alice@good.test>", h)
report("two_from_fields_strictest_failing_policy", rejected_550(c, "strict.test"),
    "reply " .. tostring(r) .. " A-R " .. our_ar(c))
mt.disconnect(c)

-- One From field with two mailboxes: the same.
c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", { {"From", "alice@good.test, ceo@strict.test"} })
report("one_from_two_mailboxes_strictest_policy", rejected_550(c, "strict.test"),
    "reply " .. tostring(r))
mt.disconnect(c)

-- Bogus DNSSEC for the author domain: 451 4.7.5 (TempfailOnDNSError yes).
c = session(PASS_IP, "mx.bogus.test")
r = message(c, "<x@bogus.test>", plain("x@bogus.test"))
report("bogus_dns_tempfails_451", tempfailed_451(c, "bogus.test"), "reply " .. tostring(r))
mt.disconnect(c)

-- No usable From: permerror, rejected.
c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", { {"From", "undisclosed-recipients:;"} })
report("no_usable_from_rejected", mt.getreply(c) == SMFIR_REPLYCODE
    and mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1", NO_FROM_TEXT), "reply " .. tostring(r))
mt.disconnect(c)

-- Three messages in one session, each with its own verdict.
c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
local first = r == SMFIR_ACCEPT and has(our_ar(c), "dmarc=pass")
r = message(c, "<alice@good.test>", plain("ceo@strict.test"))
local second = rejected_550(c, "strict.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
local third = r == SMFIR_ACCEPT and has(our_ar(c), "dmarc=pass")
report("three_messages_one_session", first and second and third,
    tostring(first) .. "," .. tostring(second) .. "," .. tostring(third))
mt.disconnect(c)

-- An aborted transaction leaves nothing behind.
c = session(PASS_IP, "mx.good.test")
mt.mailfrom(c, "<alice@good.test>")
mt.header(c, "From", "ceo@strict.test")
mt.header(c, AR, " mx.receiver.test; dmarc=pass")
mt.abort(c)
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("abort_leaves_no_state", r == SMFIR_ACCEPT and has(our_ar(c), "header.from=good.test")
    and not has(our_ar(c), "strict.test") and not mt.eom_check(c, MT_HDRDELETE)
    and not mt.eom_check(c, MT_HDRCHANGE), "A-R " .. our_ar(c))
mt.disconnect(c)

-- IPv6 client inside the SPF record.
c = session("2001:db8::25", "mx.good.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("ipv6_client_spf_pass", r == SMFIR_ACCEPT and has(our_ar(c), "spf=pass")
    and has(our_ar(c), "dmarc=pass"), "A-R " .. our_ar(c))
mt.disconnect(c)

-- Null sender: SPF for postmaster@HELO aligns, and the A-R field says so
-- with the MAIL FROM identity DMARC used (RFC 7208 2.4), not only smtp.helo.
c = session(PASS_IP, "mx.good.test")
r = message(c, "<>", plain("alice@good.test"))
report("null_sender_uses_helo", r == SMFIR_ACCEPT and has(our_ar(c), "spf=pass smtp.helo=mx.good.test")
    and has(our_ar(c), "dmarc=pass"), "A-R " .. our_ar(c))
report("null_sender_authres_writes_mailfrom_postmaster_helo",
    has(our_ar(c), "spf=pass smtp.mailfrom=postmaster@mx.good.test"), "A-R " .. our_ar(c))
mt.disconnect(c)

-- REQUIRETLS as an ESMTP parameter (Postfix 3.11) is accepted and does not
-- disturb the verdict.
c = session(PASS_IP, "mx.good.test")
r = message(c, {"<alice@good.test>", "REQUIRETLS"}, plain("alice@good.test"))
report("requiretls_mail_parameter_tolerated", r == SMFIR_ACCEPT, "reply " .. tostring(r))
mt.disconnect(c)
