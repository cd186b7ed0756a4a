-- dryrun.lua -- after SIGHUP with DryRun yes: nothing refused, all annotated.
dofile(os.getenv("DT_LIB"))

local c, r

c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<alice@good.test>", plain("alice@good.test"))
report("dry_run_accepts_a_reject_and_annotates", r == SMFIR_ACCEPT
    and has(our_ar(c), "dmarc=fail") and has(our_ar(c), "policy.dmarc=reject"),
    "reply " .. tostring(r))
mt.disconnect(c)

c = session(FAIL_IP, "mail.attacker.example")
r = message(c, "<x@quar.test>", plain("x@quar.test"))
report("dry_run_does_not_quarantine", r == SMFIR_ACCEPT and not mt.eom_check(c, MT_QUARANTINE)
    and not mt.eom_check(c, MT_HDRADD, "X-Dmarctls-Quarantine"), "reply " .. tostring(r))
mt.disconnect(c)
