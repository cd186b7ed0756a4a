-- lib.lua -- helpers for the dmarctls-milter protocol tests (run by miltertest).
--
-- Each case opens its own connection unless it tests a session, prints
-- "ok - NAME" or "not ok - NAME (why)", and never stops the script: the
-- runner counts the lines. DT_SOCK names the milter's socket.

SOCK = os.getenv("DT_SOCK")
PASS_IP = "192.0.2.10"		-- inside good.test's SPF record
FAIL_IP = "198.51.100.7"	-- outside it
AUTHSERV = "mx.receiver.test"
AR = "Authentication-Results"

function report(name, good, why)
	if good then
		print("ok - " .. name)
	else
		print("not ok - " .. name .. " (" .. (why or "") .. ")")
	end
end

-- session(ip, helo[, tls[, connect]]) -- a negotiated connection after HELO;
-- tls is a list of HELO macro names and values, as Postfix sends after
-- STARTTLS, connect one of connect macros ({daemon_name}, {daemon_addr})
function session(ip, helo, tls, connect)
	local conn = mt.connect(SOCK, 20, 0.25)
	if conn == nil then error("cannot connect to " .. SOCK) end
	if connect ~= nil then mt.macro(conn, SMFIC_CONNECT, (table.unpack or unpack)(connect)) end
	if mt.conninfo(conn, "client.example", ip) ~= nil then error("conninfo") end
	if mt.getreply(conn) == SMFIR_ACCEPT then return conn end
	if tls ~= nil then mt.macro(conn, SMFIC_HELO, (table.unpack or unpack)(tls)) end
	if mt.helo(conn, helo) ~= nil then error("helo") end
	return conn
end

-- message(conn, mailfrom, headers, body) -- one transaction up to EOM.
-- headers is a list of {name, value}; mailfrom may be a list {addr, esmtp...}.
-- Returns the final reply.
function message(conn, mailfrom, headers, body)
	local args = type(mailfrom) == "table" and mailfrom or { mailfrom }
	if mt.mailfrom(conn, (table.unpack or unpack)(args)) ~= nil then error("mailfrom") end
	if mt.getreply(conn) == SMFIR_ACCEPT then return SMFIR_ACCEPT end
	for _, h in ipairs(headers) do
		if mt.header(conn, h[1], h[2]) ~= nil then error("header " .. h[1]) end
	end
	if mt.eoh(conn) ~= nil then error("eoh") end
	if mt.bodystring(conn, body or "hello\r\n") ~= nil then error("body") end
	if mt.eom(conn) ~= nil then error("eom") end
	return mt.getreply(conn)
end

-- plain(from) -- the usual headers with the given From value
function plain(from)
	return { {"From", from}, {"To", "bob@receiver.test"}, {"Subject", "milter case"} }
end

-- ar_with(conn, text) -- the A-R field the milter inserted that holds text
function ar_with(conn, text)
	for i = 0, 3 do
		local v = mt.getheader(conn, AR, i)
		if v ~= nil and string.find(v, text, 1, true) then return v end
	end
	return ""
end

-- our_ar(conn) -- the DMARC A-R field the milter inserted, or ""
function our_ar(conn)
	return ar_with(conn, "dmarc=")
end

-- tls_ar(conn) -- the TLS A-R field the milter inserted, or ""
function tls_ar(conn)
	return ar_with(conn, "x-tls=")
end

function has(s, pat)
	return string.find(s, pat, 1, true) ~= nil
end

function rejected_550(conn, domain)
	return mt.getreply(conn) == SMFIR_REPLYCODE and
	    mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	        "Email rejected per DMARC policy for " .. domain)
end

-- miltertest's MT_SMTPREPLY check works with all three of code, xcode, text
function tempfailed_451(conn, domain)
	return mt.getreply(conn) == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "451",
	    "4.7.5", "DMARC policy for " .. domain .. " could not be retrieved")
end

NO_FROM_TEXT = "Email rejected: no usable RFC 5322 From domain"
