-- skip.lua -- SMFIS_SKIP: the body is cut short only where DKIM needs no more
-- of it, and the verdicts are the ones the whole body gives.
--
-- DT_SKIP_DIR holds messages signed by run.sh with dt-sign (good.test,
-- selector rsa): signed.eml (no l=), signed_l.eml (l= over the body, then
-- more text appended), tampered_l.eml (l=, a byte inside it changed).
-- DT_SKIP=yes: the milter negotiated SMFIP_SKIP (MilterSkipBody auto on
-- TCP); DT_SKIP=no: MilterSkipBody no, every chunk must be answered
-- CONTINUE and the verdicts must be the same.
dofile(os.getenv("DT_LIB"))

local DIR = os.getenv("DT_SKIP_DIR")
local SKIP = os.getenv("DT_SKIP") == "yes"
local MODE = SKIP and "skip" or "noskip"

-- read_message(path) -- {fields = {{name, value}...}, body = text}; CRLF kept
local function read_message(path)
	local f = assert(io.open(path, "rb"))
	local text = f:read("*a")
	f:close()
	local hend = string.find(text, "\r\n\r\n", 1, true)
	local head, body = string.sub(text, 1, hend + 1), string.sub(text, hend + 4)
	local fields = {}
	for line in string.gmatch(head, "(.-)\r\n") do
		if string.match(line, "^[ \t]") and #fields > 0 then
			fields[#fields][2] = fields[#fields][2] .. "\r\n" .. line
		else
			local name, value = string.match(line, "^([^:]+):(.*)$")
			table.insert(fields, { name, value })
		end
	end
	return { fields = fields, body = body }
end

-- send(m, chunks) -- one transaction; the body cut into chunks at the byte
-- offsets given, stopping at a SKIP as an MTA does. Returns the replies to
-- the chunks sent (a string of c/s letters), the final reply and the conn.
local function send(m, cuts)
	local c = session(PASS_IP, "mx.good.test")
	if mt.mailfrom(c, "<alice@good.test>") ~= nil then error("mailfrom") end
	for _, h in ipairs(m.fields) do
		if mt.header(c, h[1], h[2]) ~= nil then error("header " .. h[1]) end
	end
	if mt.eoh(c) ~= nil then error("eoh") end
	local replies, from = "", 1
	table.insert(cuts, #m.body)
	for _, to in ipairs(cuts) do
		if mt.bodystring(c, string.sub(m.body, from, to)) ~= nil then error("body") end
		local r = mt.getreply(c)
		replies = replies .. (r == SMFIR_SKIP and "s" or r == SMFIR_CONTINUE and "c" or "?")
		from = to + 1
		if r == SMFIR_SKIP then break end
	end
	if mt.eom(c) ~= nil then error("eom") end
	return replies, mt.getreply(c), c
end

-- check(name, m, cuts, want_skip, want_noskip, ar_words...) -- the chunk
-- replies of this mode, an accept, and the words in our A-R field
local function check(name, m, cuts, want_skip, want_noskip, ...)
	local replies, r, c = send(m, cuts)
	local want = SKIP and want_skip or want_noskip
	local ar = our_ar(c)
	local good = replies == want and r == SMFIR_ACCEPT
	for _, w in ipairs({ ... }) do good = good and has(ar, w) end
	report(name .. "_" .. MODE, good, "chunk replies " .. replies .. " want " .. want ..
	    ", eom " .. tostring(r) .. ", A-R " .. ar)
	mt.disconnect(c)
end

local unsigned = {
	fields = plain("Alice <alice@good.test>"),
	body = string.rep("an unsigned body line that DKIM has no use for\r\n", 200),
}
-- no signature: the first chunk is the last one the MTA sends
check("unsigned_body_skipped_after_first_chunk", unsigned, { 1000, 5000 }, "s", "ccc",
    "dkim=none", "spf=pass", "dmarc=pass")

-- a signature without l= needs every byte: nothing is skipped
local signed = read_message(DIR .. "/signed.eml")
check("signed_without_l_body_never_skipped", signed, { 10, 20 }, "ccc", "ccc",
    "dkim=pass header.d=good.test", "dmarc=pass")

-- l=: the chunk that completes the signed length is the last; what was
-- appended after it (never sent with a skip) does not change the pass
local lsigned = read_message(DIR .. "/signed_l.eml")
local l = tonumber(string.match(lsigned.fields[1][2], "l=(%d+)"))
check("signed_l_body_skipped_once_l_bytes_hashed", lsigned, { l - 5, l + 10 }, "cs", "ccc",
    "dkim=pass header.d=good.test", "dmarc=pass")

-- a change inside l= still fails, skip or not
local tampered = read_message(DIR .. "/tampered_l.eml")
check("tampered_inside_l_still_fails", tampered, { l - 5, l + 10 }, "cs", "ccc",
    "dkim=fail", "body hash")
