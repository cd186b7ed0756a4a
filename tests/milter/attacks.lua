-- attacks.lua -- after SIGHUP with TempfailOnDNSError no: a temperror is
-- accepted there, so a forger who could cause one would get a p=reject
-- spoof delivered. Each attack must end in 550 5.7.1 (issue 9).
dofile(os.getenv("DT_LIB"))

local c, r
local fake = "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=bm90IGEgc2lnbmF0dXJl"
local function forged(d, s)
	return { "DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" .. d ..
	    "; s=" .. s .. "; h=from:to:subject; " .. fake }
end
local function with(sigs)
	local h = {}
	for _, s in ipairs(sigs) do table.insert(h, s) end
	for _, f in ipairs(plain("CEO <ceo@good.test>")) do table.insert(h, f) end
	return h
end

-- a selector that is no DNS label: nothing could be asked, so permerror
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<ceo@good.test>", with({ forged("good.test", string.rep("a", 64)) }))
report("invalid_dkim_selector_spoof_gets_550_without_tempfail", rejected_550(c, "good.test")
    and has(our_ar(c), "dkim=permerror"), "reply " .. tostring(r) .. " " .. our_ar(c))
mt.disconnect(c)

-- a HELO name whose servers never answer: MAIL FROM is checked first
c = session(FAIL_IP, "mail.silent.test")
r = message(c, "<ceo@good.test>", plain("CEO <ceo@good.test>"))
report("silent_helo_spoof_gets_550_without_tempfail", rejected_550(c, "good.test")
    and has(our_ar(c), "spf=fail smtp.mailfrom=good.test"), "reply " .. tostring(r) .. " " .. our_ar(c))
mt.disconnect(c)

-- a signature whose key server never answers, before one that can align
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<ceo@good.test>", with({ forged("silent.test", "x"), forged("good.test", "nosuch") }))
report("silent_dkim_key_spoof_gets_550_without_tempfail", rejected_550(c, "good.test"),
    "reply " .. tostring(r) .. " " .. our_ar(c))
mt.disconnect(c)

-- From domains of the forger's own, with silent servers, before the victim
c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<ceo@good.test>", plain("a@one.silent.test, b@two.silent.test, CEO <ceo@good.test>"))
report("silent_extra_authors_spoof_gets_550_without_tempfail", rejected_550(c, "good.test"),
    "reply " .. tostring(r) .. " " .. our_ar(c))
mt.disconnect(c)

-- the client's own reverse zone is silent, the victim's SPF record uses ptr
c = session("203.0.113.5", "mail.attacker.example")
r = message(c, "<ceo@ptr.test>", plain("CEO <ceo@ptr.test>"))
report("silent_ptr_spoof_gets_550_without_tempfail", rejected_550(c, "ptr.test")
    and has(our_ar(c), "spf=fail smtp.mailfrom=ptr.test"), "reply " .. tostring(r) .. " " .. our_ar(c))
mt.disconnect(c)
