-- dane.lua -- the DANE state of our endpoint in the TLS A-R field.
-- DT_DANE is the result the background check must have reached.
dofile(os.getenv("DT_LIB"))

local want = os.getenv("DT_DANE")
local owner = os.getenv("DT_DANE_OWNER")
local TLS13 = { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384",
    "{cipher_bits}", "256" }
local c = session(PASS_IP, "mx.good.test", TLS13)
local r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("dane_" .. want .. "_" .. owner .. "_in_tls_authres", r == SMFIR_ACCEPT
    and has(tls_ar(c), "x-dane=" .. want .. " smtp.tlsa=" .. owner),
    "TLS A-R " .. tls_ar(c))
mt.disconnect(c)
