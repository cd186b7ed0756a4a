-- hostile.lua -- heavy and malformed input: a defined answer every time.
dofile(os.getenv("DT_LIB"))

local c, r, h

-- 1,000 header fields.
c = session(PASS_IP, "mx.good.test")
h = plain("alice@good.test")
for i = 1, 1000 do table.insert(h, {"X-Filler-" .. i, " value " .. i}) end
r = message(c, "<alice@good.test>", h)
report("thousand_header_fields", r == SMFIR_ACCEPT and has(our_ar(c), "dmarc=pass"),
    "reply " .. tostring(r))
mt.disconnect(c)

-- (Header fields of 64 KB and more are sent by tests/bench/mload: miltertest
-- aborts on header values of a few KB, a limit of its own fixed buffer.)

-- Bare CR and bare LF inside From: not a usable field, permerror.
for _, v in ipairs({ " alice@good.test\rceo@strict.test", " alice@good.test\nceo@strict.test" }) do
	c = session(PASS_IP, "mx.good.test")
	r = message(c, "<alice@good.test>", { {"From", v} })
	report("bare_line_break_in_from_" .. (has(v, "\r") and "cr" or "lf"),
	    mt.getreply(c) == SMFIR_REPLYCODE
	    and mt.eom_check(c, MT_SMTPREPLY, "550", "5.7.1", NO_FROM_TEXT),
	    "reply " .. tostring(r))
	mt.disconnect(c)
end

-- Binary junk in header names and values does not crash or confuse.
c = session(PASS_IP, "mx.good.test")
h = plain("alice@good.test")
table.insert(h, {"X-\1\2\255", " \255\254\253 junk \127"})
table.insert(h, {"DKIM-Signature", " v=1; a=rsa-sha256; d=good.test; s=\255; b=;;;===;"})
r = message(c, "<alice@good.test>", h)
report("binary_junk_fields_defined_answer", r == SMFIR_ACCEPT and has(our_ar(c), "dmarc=pass"),
    "reply " .. tostring(r) .. " A-R " .. our_ar(c))
mt.disconnect(c)

-- A 50 MB body, streamed in chunks.
c = session(PASS_IP, "mx.good.test")
mt.mailfrom(c, "<alice@good.test>")
for _, f in ipairs(plain("alice@good.test")) do mt.header(c, f[1], f[2]) end
mt.eoh(c)
local chunk = string.rep("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", 1024)
for i = 1, 800 do mt.bodystring(c, chunk) end
mt.eom(c)
report("fifty_megabyte_body", mt.getreply(c) == SMFIR_ACCEPT and has(our_ar(c), "dmarc=pass"),
    "reply " .. tostring(mt.getreply(c)))
mt.disconnect(c)

-- A client that goes away in the middle of the body, then a normal one.
c = session(FAIL_IP, "mail.attacker.example")
mt.mailfrom(c, "<alice@good.test>")
for _, f in ipairs(plain("alice@good.test")) do mt.header(c, f[1], f[2]) end
mt.eoh(c)
mt.bodystring(c, "half a body\r\n")
mt.disconnect(c, false)
c = session(PASS_IP, "mx.good.test")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("disconnect_mid_body_then_serves_next", r == SMFIR_ACCEPT, "reply " .. tostring(r))
mt.disconnect(c)

-- An unknown client address family (local submission): not evaluated.
c = mt.connect(SOCK, 20, 0.25)
mt.conninfo(c, "localhost", "unspec")
report("unknown_address_family_accepted_unevaluated", mt.getreply(c) == SMFIR_ACCEPT,
    "reply " .. tostring(mt.getreply(c)))
mt.disconnect(c)
