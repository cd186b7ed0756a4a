-- daemon.lua -- a detached milter (no -f) resolves and checks DANE like the
-- foreground one: a fork keeps one thread, so nothing may resolve before it.
dofile(os.getenv("DT_LIB"))

local TLS13 = { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384",
    "{cipher_bits}", "256" }
local c = session(PASS_IP, "mx.good.test", TLS13)
local r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("daemon_mode_resolves_and_checks_dane", r == SMFIR_ACCEPT
    and has(our_ar(c), "spf=pass") and has(our_ar(c), "dmarc=pass")
    and has(tls_ar(c), "x-dane=pass smtp.tlsa=_25._tcp.mx.good.test"),
    "A-R " .. our_ar(c) .. " TLS A-R " .. tls_ar(c))
mt.disconnect(c)
