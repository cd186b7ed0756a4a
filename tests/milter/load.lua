-- load.lua -- 10,000 messages (1,000 sessions of 10), a mix of verdicts,
-- for the sanitizer build to watch. Every answer must be the expected one.
dofile(os.getenv("DT_LIB"))

local sessions = tonumber(os.getenv("DT_LOAD_SESSIONS") or "1000")
local wrong, total = 0, 0
for s = 1, sessions do
	local c = session(s % 2 == 0 and PASS_IP or FAIL_IP, "mx.good.test")
	for m = 1, 10 do
		local h = plain(m % 3 == 0 and "x@org.test" or "alice@good.test")
		if m % 4 == 0 then table.insert(h, {AR, " mx.receiver.test; dmarc=pass"}) end
		local r = message(c, "<alice@good.test>", h)
		local want = (s % 2 == 0 or m % 3 == 0) and SMFIR_ACCEPT or SMFIR_REPLYCODE
		total = total + 1
		if r ~= want then wrong = wrong + 1 end
	end
	mt.disconnect(c)
end
report("load_" .. total .. "_messages_all_expected", wrong == 0,
    wrong .. " of " .. total .. " unexpected")
