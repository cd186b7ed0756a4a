-- endpoint.lua -- DANEEndpoint: each listener its own TLSA owner and chain,
-- chosen by the connection's {daemon_name} or {daemon_addr}.
dofile(os.getenv("DT_LIB"))

local TLS13 = { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384",
    "{cipher_bits}", "256" }
local cases = {
	{ "by_daemon_name", { "{daemon_name}", "mx2" }, "_25._tcp.old.good.test" },
	{ "by_daemon_addr", { "{daemon_addr}", "192.0.2.26" }, "_25._tcp.old.good.test" },
	{ "default_listener", { "{daemon_name}", "smtpd" }, "_25._tcp.mx.good.test" },
}
for _, k in ipairs(cases) do
	local c = session(PASS_IP, "mx.good.test", TLS13, k[2])
	local r = message(c, "<alice@good.test>", plain("alice@good.test"))
	report("dane_endpoint_" .. k[1], r == SMFIR_ACCEPT
	    and has(tls_ar(c), "x-dane=pass smtp.tlsa=" .. k[3]), "TLS A-R " .. tls_ar(c))
	mt.disconnect(c)
end
