#!/bin/bash
#
# NAME
#	failure.sh -- RFC 9991 failure reports: fo cases, samples, AFRF, limits
#
# SYNOPSIS
#	tests/report/failure.sh BUILDDIR
#
# DESCRIPTION
#	In a private namespace (tests/bench/common.sh) with the signed DNS
#	world and failure-report domains of its own (below), dmarctls-milter
#	with "Reports yes" and "FailureReports yes", tests/bench/mload playing
#	the MTA, then dmarctls-reports failures with a test sendmail that
#	keeps each mail. Every mail is parsed back with Python's email
#	package (failcheck.py): multipart/report, the feedback-report fields,
#	the text/rfc822-headers part, the redacted local parts recomputed
#	with the store's key.
#
#	Cases: fo=0 (both fail: report; SPF aligned: none), fo=1 (DKIM not
#	aligned: report, with the failed aligned signature's DKIM-* fields),
#	fo=d (a broken signature of another domain: Auth-Failure bodyhash),
#	fo=s (SPF fail: SPF-DNS), no ruf and psd=y (no sample), similar
#	incidents as one report with Incidents, external ruf destinations
#	(authorised sent, unauthorised refused, temporary DNS failure waits),
#	the rate limit per destination, a failed MTA retried with the same
#	bytes, a second run that sends nothing twice, off by default (no
#	samples), ReportEnvelopeTo off (empty) and on (the RCPT domain),
#	FailureReports without Reports refused at startup.
#
#	Last line: "failure: N passed, M failed".
#
# ENVIRONMENT
#	DT_REPORT_KEEP=1	keep the temporary directory
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
REPORT_PREFIX=failure
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/../bench/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"
# shellcheck source=tests/report/report-world.sh
. "$(dirname "$SELF")/report-world.sh"		# pg_*, start_milter, stop_milter, sql

BENCH_KEEP=${DT_REPORT_KEEP:-}
TOP=$BENCH_TOP
MILTER=$BUILDDIR/dmarctls-milter
REPORTS=$BUILDDIR/dmarctls-reports
[ -x "$MILTER" ] || fatal setup "no $MILTER"
case "$(basename "$BUILDDIR")" in asan*) sanitizer_env ;; esac

# Policy domains (test., signed). Each has SPF for 192.0.2.0/24.
failure_zone() {
	local d
	for d in f0 f1 fd fs fnoruf fpsd fext frate; do
		printf '%s\tTXT\t"v=spf1 ip4:192.0.2.0/24 -all"\n' "$d"
	done
	cat <<'ZONE'
_dmarc.f0	TXT	"v=DMARC1; p=reject; fo=0; ruf=mailto:ruf@f0.test"
_dmarc.f1	TXT	"v=DMARC1; p=none; fo=1; ruf=mailto:ruf@f1.test"
_dmarc.fd	TXT	"v=DMARC1; p=none; fo=d; ruf=mailto:ruf@fd.test"
_dmarc.fs	TXT	"v=DMARC1; p=none; fo=s; ruf=mailto:ruf@fs.test"
_dmarc.fnoruf	TXT	"v=DMARC1; p=reject; fo=1; rua=mailto:agg@fnoruf.test"
_dmarc.fpsd	TXT	"v=DMARC1; p=reject; psd=y; fo=1; ruf=mailto:ruf@fpsd.test"
_dmarc.fext	TXT	"v=DMARC1; p=reject; fo=1; ruf=mailto:a@fcollector.test,mailto:b@unauth.test,mailto:c@mx.bogus.test"
fext.test._report._dmarc.fcollector	TXT	"v=DMARC1"
_dmarc.frate	TXT	"v=DMARC1; p=quarantine; fo=1; ruf=mailto:ruf@frate.test"
fnospf	TXT	"v=spf1 -all"
fhuge	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.fhuge	TXT	"v=DMARC1; p=none; fo=1; rua=https://r.example/x,mailto:a%2Cb@fhuge.test,mailto:c@fhuge.test!10m,mailto:d@fhuge.test%0d%0aBcc:%20x@evil.example,mailto:e@fhuge.test," "mailto:f@b%C3%BCcher.test,mailto:g@fhuge.test,mailto:h@fhuge.test,mailto:i@fhuge.test,mailto:j@fhuge.test,mailto:k@fhuge.test,mailto:l@fhuge.test;" " ruf=mailto:r1@fhuge.test%0aBcc:x@evil.example,mailto:r2@fhuge.test,ftp://x,mailto:r3@fhuge.test,mailto:r4@fhuge.test,mailto:r5@fhuge.test,mailto:r6@fhuge.test"
xn--bcher-kva	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.xn--bcher-kva	TXT	"v=DMARC1; p=reject; fo=1; rua=mailto:agg@xn--bcher-kva.test; ruf=mailto:ruf@xn--bcher-kva.test"
_dmarc.fnospf	TXT	"v=DMARC1; p=reject"
ZONE
}

export W_EXTRA_TEST_RECORDS
W_EXTRA_TEST_RECORDS=$(mktemp /tmp/dmarctls-failure-zone.XXXXXX)
failure_zone >"$W_EXTRA_TEST_RECORDS"
bench_world
trap 'pg_stop_started; bench_cleanup' EXIT
rm -f "$W_EXTRA_TEST_RECORDS"
chmod 755 "$T"

# tampered NAME FROM -- signed by good.test, then the body changed (body hash mismatch)
tampered() {
	local f
	f=$(signed_from "$1" "$2" good.test rsa "$W_KEY_RSA2048")
	sed -i 's/was written/was rewritten/' "$f"
	echo "$f"
}

# The corpus: NAME IP HELO MAILFROM RCPT FILE EXPECT
{
	echo "# NAME IP HELO MAILFROM RCPT FILE EXPECT"
	echo "f0_spoof $FAIL_IP evil.example a@f0.test bob@receiver.test $(msg_from f0_spoof 'A <a@f0.test>') reject"
	echo "f0_spf $PASS_IP mx.f0.test a@f0.test bob@receiver.test $(msg_from f0_spf 'A <a@f0.test>') accept/pass"
	echo "f1_spf_a $PASS_IP mx.f1.test a@f1.test bob@receiver.test $(msg_from f1_spf_a 'A <a@f1.test>') accept/pass"
	echo "f1_spf_b $PASS_IP mx.f1.test a@f1.test carol@receiver.test $(msg_from f1_spf_b 'A <a@f1.test>') accept/pass"
	echo "f1_badsig 192.0.2.11 mx.f1.test a@f1.test bob@receiver.test" \
	    "$(signed_from f1_badsig 'A <a@f1.test>' f1.test nokey "$W_KEY_RSA2048") accept/pass"
	echo "fd_tampered $PASS_IP mx.fd.test a@fd.test bob@receiver.test $(tampered fd_tampered 'A <a@fd.test>') accept/pass"
	echo "fs_spoof $FAIL_IP evil.example a@fs.test bob@receiver.test $(msg_from fs_spoof 'A <a@fs.test>') accept/fail"
	echo "fnoruf_spoof $FAIL_IP evil.example a@fnoruf.test bob@receiver.test $(msg_from fnoruf_spoof 'A <a@fnoruf.test>') reject"
	echo "fpsd_spoof $FAIL_IP evil.example a@fpsd.test bob@receiver.test $(msg_from fpsd_spoof 'A <a@fpsd.test>') reject"
	echo "fext_spoof $FAIL_IP evil.example a@fext.test bob@receiver.test $(msg_from fext_spoof 'A <a@fext.test>') reject"
	for i in 1 2 3 4 5; do
		echo "frate_$i 198.51.100.2$i evil.example a@frate.test bob@receiver.test" \
		    "$(msg_from "frate_$i" 'A <a@frate.test>') quarantine"
	done
} >"$T/corpus.manifest"

# run_corpus NAME -- the corpus through milter NAME; mismatches counted
run_corpus() {
	"$MLOAD" -s "unix:$T/sock/$1.sock" -m "$T/corpus.manifest" -c 1 -v \
	    --qid-prefix "$(echo "$1" | tr a-z A-Z)" >"$T/out/$1.mload" 2>&1
}

# ------------------------------------------------------------ samples
DB=$T/fr.db
if start_milter fr "sqlite:$DB" FailureReports yes ReportEnvelopeTo yes; then
	run_corpus fr
	stop_milter fr
	bad=$(grep -c '^MISMATCH' "$T/out/fr.mload")
	[ "$bad" = 0 ] && ok "verdicts_unchanged_by_failure_samples" ||
	    not_ok "verdicts_unchanged_by_failure_samples" "$(grep '^MISMATCH' "$T/out/fr.mload" | head -3)"
	got=$(sql "$DB" "SELECT e.header_from || ':' || f.kinds || ':' || f.alignment || ':' || f.delivery
	    FROM failure f JOIN evaluation e USING (reporter, msg_id, received, author_index)
	    ORDER BY e.header_from, f.msg_id" | tr '\n' ' ')
	want="f0.test:dmarc:dkim, spf:reject f1.test:dmarc:dkim:delivered f1.test:dmarc:dkim:delivered f1.test:dmarc:dkim:delivered fd.test:dkim:dkim:delivered fext.test:dmarc:dkim, spf:reject "
	want="${want}frate.test:dmarc:dkim, spf:spam frate.test:dmarc:dkim, spf:spam frate.test:dmarc:dkim, spf:spam frate.test:dmarc:dkim, spf:spam frate.test:dmarc:dkim, spf:spam fs.test:spf:dkim, spf:delivered "
	[ "$got" = "$want" ] && ok "samples_exactly_where_fo_asks" ||
	    not_ok "samples_exactly_where_fo_asks" "got '$got'"
	n=$(sql "$DB" "SELECT count(*) FROM failure f JOIN evaluation e USING (reporter, msg_id, received, author_index)
	    WHERE e.header_from IN ('fnoruf.test', 'fpsd.test', 'good.test')")
	[ "$n" = 0 ] && ok "no_sample_without_ruf_or_for_psd" || not_ok "no_sample_without_ruf_or_for_psd" "$n"
	h=$(sql "$DB" "SELECT headers FROM failure WHERE msg_id = (SELECT msg_id FROM evaluation
	    WHERE header_from = 'f0.test' AND dmarc_result = 'fail')")
	printf '%s\n' "$h" | grep -qx 'From: A <a@f0.test>' && printf '%s\n' "$h" | grep -qx 'Message-ID: <f0_spoof@bench.test>' &&
	    ok "sample_keeps_the_header_section" || not_ok "sample_keeps_the_header_section" "$(printf '%s' "$h" | head -3 | tr '\n' '|')"
	got=$(sql "$DB" "SELECT DISTINCT envelope_to FROM evaluation")
	[ "$got" = receiver.test ] && ok "envelope_to_recorded_when_on" || not_ok "envelope_to_recorded_when_on" "got '$got'"
else
	not_ok "verdicts_unchanged_by_failure_samples" "milter did not start"
fi

# Off by default: no samples, and no envelope_to.
if start_milter off "sqlite:$T/off.db"; then
	run_corpus off
	stop_milter off
	got=$(sql "$T/off.db" "SELECT (SELECT count(*) FROM failure) || ':' || (SELECT count(*) FROM evaluation)
	    || ':' || (SELECT count(DISTINCT envelope_to) FROM evaluation) || (SELECT max(envelope_to) FROM evaluation)")
	[ "$got" = "0:15:1" ] && ok "off_by_default_no_samples_no_envelope_to" ||
	    not_ok "off_by_default_no_samples_no_envelope_to" "failure:evaluation:envelope_to $got"
else
	not_ok "off_by_default_no_samples_no_envelope_to" "milter did not start"
fi

# FailureReports needs the store.
milter_conf tests/report/failure.sh "unix:$T/sock/bad.sock" FailureReports yes >"$T/conf/bad.conf"
out=$("$MILTER" -n -c "$T/conf/bad.conf" 2>&1)
rc=$?
[ "$rc" = 78 ] && printf '%s' "$out" | grep -q 'FailureReports yes needs Reports yes' &&
    ok "failure_reports_without_reports_refused" || not_ok "failure_reports_without_reports_refused" "rc $rc: $out"

# ------------------------------------------------------------ dmarctls-reports failures
fake_sendmail
milter_conf tests/report/failure.sh "unix:$T/sock/none.sock" Reports yes FailureReports yes \
    ReportStore "sqlite:$DB" ReportSubmitter mx.receiver.test ReportFrom dmarc-reports@receiver.test \
    ReportSendmail "$T/fake-sendmail" FailureReportRate 3 >"$T/conf/send.conf"

# Off (the timer runs it whatever the configuration): nothing done, exit 0.
grep -v '^FailureReports ' "$T/conf/send.conf" >"$T/conf/off-send.conf"
out=$("$REPORTS" -c "$T/conf/off-send.conf" failures 2>&1)
rc=$?
[ "$rc" = 0 ] && [ "$out" = "failures: FailureReports is off; nothing to do" ] &&
    [ "$(sql "$DB" "SELECT count(*) FROM failure WHERE state = 'new'")" = 12 ] &&
    ok "failures_command_idle_when_off" || not_ok "failures_command_idle_when_off" "rc $rc: $out"

"$REPORTS" -c "$T/conf/send.conf" failures --dry-run >"$T/out/dry.out" 2>"$T/out/dry.err"
rc=$?
n=$(grep -c '^sample ' "$T/out/dry.out")
[ "$rc" = 0 ] && [ "$n" = 12 ] && [ "$(sql "$DB" "SELECT count(*) FROM failure_report")" = 0 ] &&
    [ "$(sql "$DB" "SELECT count(*) FROM failure WHERE state = 'new'")" = 12 ] &&
    ok "dry_run_changes_nothing" || not_ok "dry_run_changes_nothing" "rc $rc, $n samples listed"

echo 0 >"$T/mta-status"
"$REPORTS" -c "$T/conf/send.conf" failures >"$T/out/run1.out" 2>"$T/out/run1.err"
rc=$?
states=$(sql "$DB" "SELECT policy_domain || ':' || kinds || ':' || destination || ':' || state || ':' || incidents
    FROM failure_report ORDER BY policy_domain, destination, state, incidents" | tr '\n' ' ')
want="f0.test:dmarc:ruf@f0.test:sent:1 f1.test:dmarc:ruf@f1.test:sent:1 f1.test:dmarc:ruf@f1.test:sent:2 fd.test:dkim:ruf@fd.test:sent:1 "
want="${want}fext.test:dmarc:a@fcollector.test:sent:1 fext.test:dmarc:b@unauth.test:refused:1 fext.test:dmarc:c@mx.bogus.test:verify:1 "
want="${want}frate.test:dmarc:ruf@frate.test:sent:1 frate.test:dmarc:ruf@frate.test:sent:1 frate.test:dmarc:ruf@frate.test:sent:1 frate.test:dmarc:ruf@frate.test:suppressed:1 frate.test:dmarc:ruf@frate.test:suppressed:1 "
want="${want}fs.test:spf:ruf@fs.test:sent:1 "
[ "$rc" = 75 ] && [ "$states" = "$want" ] && ok "reports_per_group_destination_and_state" ||
    not_ok "reports_per_group_destination_and_state" "rc $rc: $states"
[ "$(sql "$DB" "SELECT count(*) FROM failure WHERE state <> 'done'")" = 0 ] &&
    ok "every_sample_taken_once" || not_ok "every_sample_taken_once" "$(sql "$DB" "SELECT state, count(*) FROM failure GROUP BY state")"
grep -q 'failures: 12 samples, 13 reports made, 9 sent, 0 failed, 1 deferred, 1 refused, 2 suppressed' "$T/out/run1.out" &&
    ok "run_summary_line" || not_ok "run_summary_line" "$(cat "$T/out/run1.out")"

# Each mail parsed back.
KEY=$(sql "$DB" "SELECT value FROM dt_secret WHERE name = 'redact'")
bad=""
nmail=0
for f in "$T"/mta/*.eml; do
	nmail=$((nmail + 1))
	python3 "$TOP/tests/report/failcheck.py" "$f" "$KEY" >"$f.facts" 2>&1 || bad="$bad $(basename "$f"):parse"
	fact() { sed -n "s/^$1=//p" "$f.facts"; }
	[ "$(fact structure)" = "multipart/report;feedback-report;text/plain,message/feedback-report,text/rfc822-headers" ] ||
	    bad="$bad $(basename "$f"):structure"
	[ "$(fact feedback_type)/$(fact version)/$(fact autosubmitted)" = "auth-failure/1/auto-generated" ] ||
	    bad="$bad $(basename "$f"):fields"
	[ "$(fact redaction)" = ok ] || bad="$bad $(basename "$f"):redaction=$(fact redaction)"
	[ "$(fact args)" = "-t -i -f dmarc-reports@receiver.test" ] || bad="$bad $(basename "$f"):args"
	echo "$(fact reported_domain) $(fact auth_failure) $(fact identity_alignment) $(fact incidents) $(fact source_ip) $(fact dkim) $(fact spf_dns) $(fact delivery_result) $(fact to)" >>"$T/out/facts"
done
[ "$nmail" = 9 ] && [ -z "$bad" ] && ok "afrf_structure_fields_and_redaction" ||
    not_ok "afrf_structure_fields_and_redaction" "$nmail mails:$bad"
fact_of() { grep "^$1 " "$T/out/facts" | sort; }
[ "$(fact_of f0.test)" = "f0.test dmarc dkim, spf - $FAIL_IP - txt : f0.test : \"v=spf1 ip4:192.0.2.0/24 -all\" reject ruf@f0.test" ] &&
    ok "fo0_dmarc_report_both_failed" || not_ok "fo0_dmarc_report_both_failed" "$(fact_of f0.test)"
[ "$(fact_of f1.test)" = "f1.test dmarc dkim - 192.0.2.11 f1.test/@f1.test/nokey - delivered ruf@f1.test
f1.test dmarc dkim 2 $PASS_IP - - delivered ruf@f1.test" ] &&
    ok "fo1_dkim_fields_and_incidents" || not_ok "fo1_dkim_fields_and_incidents" "$(fact_of f1.test | tr '\n' '|')"
[ "$(fact_of fd.test)" = "fd.test bodyhash dkim - $PASS_IP good.test/@good.test/rsa - delivered ruf@fd.test" ] &&
    ok "fod_bodyhash_report_unaligned_signature" || not_ok "fod_bodyhash_report_unaligned_signature" "$(fact_of fd.test)"
[ "$(fact_of fs.test)" = "fs.test spf dkim, spf - $FAIL_IP - txt : fs.test : \"v=spf1 ip4:192.0.2.0/24 -all\" delivered ruf@fs.test" ] &&
    ok "fos_spf_report_with_spf_dns" || not_ok "fos_spf_report_with_spf_dns" "$(fact_of fs.test)"
[ "$(fact_of fext.test)" = "fext.test dmarc dkim, spf - $FAIL_IP - txt : fext.test : \"v=spf1 ip4:192.0.2.0/24 -all\" reject a@fcollector.test" ] &&
    ok "external_ruf_only_where_authorised" || not_ok "external_ruf_only_where_authorised" "$(fact_of fext.test)"
[ "$(fact_of frate.test | wc -l)" = 3 ] && ok "rate_limit_per_destination" ||
    not_ok "rate_limit_per_destination" "$(fact_of frate.test | wc -l) frate.test mails"

# list and show know failure reports.
"$REPORTS" -c "$T/conf/send.conf" list >"$T/out/list.out" 2>&1
rid=$(sql "$DB" "SELECT report_id FROM failure_report WHERE policy_domain = 'fd.test'")
day=$(sql "$DB" "SELECT created - created % 86400 FROM failure_report WHERE report_id = '$rid'")
"$REPORTS" -c "$T/conf/send.conf" show "$rid" >"$T/out/show.out" 2>&1
rc=$?
[ "$(wc -l <"$T/out/list.out")" = 13 ] && grep -qx "$rid sent fd.test $day ruf@fd.test 1 dkim 1" "$T/out/list.out" &&
    [ "$rc" = 0 ] && grep -qx 'kind: dkim' "$T/out/show.out" && grep -qx 'Auth-Failure: bodyhash' "$T/out/show.out" &&
    ok "list_and_show_failure_reports" ||
    not_ok "list_and_show_failure_reports" "show rc $rc, $(wc -l <"$T/out/list.out") lines: $(grep "$rid" "$T/out/list.out")"

# A second run: nothing new is made or sent; the deferred destination is asked again.
"$REPORTS" -c "$T/conf/send.conf" failures >"$T/out/run2.out" 2>"$T/out/run2.err"
rc=$?
[ "$rc" = 75 ] && [ "$(ls "$T"/mta/*.eml | wc -l)" = 9 ] &&
    grep -q 'failures: 0 samples, 0 reports made, 0 sent, 0 failed, 1 deferred' "$T/out/run2.out" &&
    ok "second_run_sends_nothing_twice" || not_ok "second_run_sends_nothing_twice" "rc $rc: $(cat "$T/out/run2.out")"

# A failing MTA: failed, then the same bytes on the next run.
sql "$DB" "UPDATE failure_report SET state = 'pending' WHERE policy_domain = 'f0.test'" >/dev/null
echo 75 >"$T/mta-status"
"$REPORTS" -c "$T/conf/send.conf" failures >"$T/out/run3.out" 2>&1
rc3=$?
st3=$(sql "$DB" "SELECT state FROM failure_report WHERE policy_domain = 'f0.test'")
echo 0 >"$T/mta-status"
"$REPORTS" -c "$T/conf/send.conf" failures >"$T/out/run4.out" 2>&1
st4=$(sql "$DB" "SELECT state FROM failure_report WHERE policy_domain = 'f0.test'")
first=$(grep -l 'for f0.test' "$T"/mta/*.eml | head -1)
n=$(ls "$T"/mta/*.eml | wc -l)
[ "$rc3" = 75 ] && [ "$st3" = failed ] && [ "$st4" = sent ] && [ "$n" = 11 ] &&
    cmp -s "$first" "$T/mta/9.eml" && cmp -s "$first" "$T/mta/10.eml" &&
    ok "mta_failure_retried_same_bytes" || not_ok "mta_failure_retried_same_bytes" "rc $rc3, $st3 then $st4, $n mails"

# expire: samples and failure reports older than two days go
sql "$DB" "UPDATE failure SET received = received - 3 * 86400;
    UPDATE failure_report SET created = created - 3 * 86400" >/dev/null
"$REPORTS" -c "$T/conf/send.conf" expire >"$T/out/expire.out" 2>&1
got=$(sql "$DB" "SELECT (SELECT count(*) FROM failure) || ':' || (SELECT count(*) FROM failure_report)")
[ "$got" = "0:0" ] && grep -q 'expired 12 failure samples and 13 failure reports' "$T/out/expire.out" &&
    ok "expire_removes_failure_samples_and_reports" ||
    not_ok "expire_removes_failure_samples_and_reports" "$got: $(cat "$T/out/expire.out")"

# ------------------------------------------------ PostgreSQL, three hosts at once
# The samples of a milter writing into PostgreSQL; three failures runs at the
# same time: every report is made once and sent once. (The rate limit is
# raised here: hosts counting at the same instant may each send one more.)
if pg_start "$T/pg"; then
	STORE="postgresql:///dmarc?host=$T/pg/sock&user=postgres"
	if start_milter pgf "$STORE" FailureReports yes; then
		run_corpus pgf
		stop_milter pgf
	fi
	mkdir -p "$T/mta-pg"
	cat >"$T/fake-sendmail-pg" <<SH
#!/bin/sh
# test MTA for the concurrent runs: one file per message, race-free
cat >"\$(mktemp "$T/mta-pg/XXXXXXXX")"
SH
	chmod 755 "$T/fake-sendmail-pg"
	milter_conf tests/report/failure.sh "unix:$T/sock/none.sock" Reports yes FailureReports yes \
	    ReportStore "$STORE" ReportSubmitter mx.receiver.test ReportFrom dmarc-reports@receiver.test \
	    ReportSendmail "$T/fake-sendmail-pg" FailureReportRate 100 >"$T/conf/pg.conf"
	pids=""
	for h in 1 2 3; do
		"$REPORTS" -c "$T/conf/pg.conf" failures >"$T/out/pg.$h" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
	nmail=$(ls "$T/mta-pg" | wc -l)
	# the report's own Message-ID: the first one in each file
	for f in "$T"/mta-pg/*; do awk '/^Message-ID: / { print; exit }' "$f"; done >"$T/out/pg.ids"
	nid=$(wc -l <"$T/out/pg.ids")
	uid=$(sort -u "$T/out/pg.ids" | wc -l)
	made=$(cat "$T"/out/pg.* | sed -n 's/.* \([0-9]*\) reports made.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
	states=$(pg_sql "SELECT state || ':' || count(*) FROM failure_report GROUP BY state ORDER BY 1" | tr '\n' ' ')
	[ "$nmail" = 11 ] && [ "$nid" = 11 ] && [ "$uid" = 11 ] && [ "$made" = 13 ] &&
	    [ "$states" = "refused:1 sent:11 verify:1 " ] &&
	    ok "postgresql_three_runs_at_once_each_report_once" ||
	    not_ok "postgresql_three_runs_at_once_each_report_once" \
	    "mails $nmail, ids $uid/$nid, made $made, states $states"
	pg_stop_started
else
	not_ok "postgresql_three_runs_at_once_each_report_once" "$(tail -3 "$T/pg/log" 2>/dev/null)"
fi

# ------------------------------------------------ hostile records and names
# A record with a long rua/ruf list of odd URIs (a non-mailto scheme, an
# encoded comma, a !size, an encoded CRLF header injection, a host that
# decodes to a U-label)
# and a From domain in UTF-8: rows keep the A-label, reports go only to
# well-formed mailto: addresses, at most ReportMaxURIs (4) of them.
{
	echo "fhuge_spoof $FAIL_IP evil.example a@fhuge.test bob@receiver.test $(msg_from fhuge_spoof 'A <a@fhuge.test>') accept/fail"
	echo "idn_spoof $FAIL_IP evil.example a@xn--bcher-kva.test bob@receiver.test $(msg_from idn_spoof 'A <a@bücher.test>') reject"
} >"$T/hostile.manifest"
if start_milter hx "sqlite:$T/hx.db" FailureReports yes; then
	"$MLOAD" -s "unix:$T/sock/hx.sock" -m "$T/hostile.manifest" -c 1 -v --qid-prefix HX \
	    >"$T/out/hx.mload" 2>&1
	stop_milter hx
fi
got=$(sql "$T/hx.db" "SELECT header_from || ':' || policy_domain || ':' || dmarc_result FROM evaluation ORDER BY 1" | tr '\n' ' ')
[ "$(grep -c '^MISMATCH' "$T/out/hx.mload")" = 0 ] &&
    [ "$got" = "fhuge.test:fhuge.test:fail xn--bcher-kva.test:xn--bcher-kva.test:fail " ] &&
    ok "hostile_uri_lists_and_utf8_from_recorded" ||
    not_ok "hostile_uri_lists_and_utf8_from_recorded" "$got $(grep '^MISMATCH' "$T/out/hx.mload" | head -2)"
sql "$T/hx.db" "UPDATE evaluation SET day = day - 86400" >/dev/null
sed -e "s|sqlite:$DB|sqlite:$T/hx.db|" "$T/conf/send.conf" >"$T/conf/hx.conf"
"$REPORTS" -c "$T/conf/hx.conf" send --dry-run >"$T/out/hx-dry.out" 2>/dev/null
got=$(awk '{ print $3, $5 }' "$T/out/hx-dry.out" | sort | tr '\n' ' ')
want="fhuge.test c@fhuge.test fhuge.test e@fhuge.test fhuge.test g@fhuge.test fhuge.test h@fhuge.test xn--bcher-kva.test agg@xn--bcher-kva.test "
[ "$got" = "$want" ] && ok "aggregate_only_to_well_formed_destinations" ||
    not_ok "aggregate_only_to_well_formed_destinations" "got '$got'"
mkdir -p "$T/hx-out"
"$REPORTS" -c "$T/conf/hx.conf" failures --out "$T/hx-out" >"$T/out/hx-fail.out" 2>&1
got=$(for f in "$T"/hx-out/*.eml; do awk '/^To: / { print; exit }' "$f"; done | sort | tr '\n' ' ')
want="To: r2@fhuge.test To: r3@fhuge.test To: r4@fhuge.test To: r5@fhuge.test To: ruf@xn--bcher-kva.test "
[ "$got" = "$want" ] && ok "failure_reports_only_to_well_formed_destinations" ||
    not_ok "failure_reports_only_to_well_formed_destinations" "got '$got'"

# ------------------------------------------------ ReportFrom and DMARC
# Report mail leaves with ReportFrom as envelope sender: it passes DMARC by SPF
# when the domain's SPF covers this host. This namespace's host gets an
# address of 192.0.2.0/24 (f0.test's SPF); fnospf.test's SPF is -all.
ip addr add 192.0.2.10/32 dev lo 2>/dev/null
sed 's/^ReportFrom .*/ReportFrom dmarc-reports@f0.test/' "$T/conf/send.conf" >"$T/conf/from-ok.conf"
sed 's/^ReportFrom .*/ReportFrom dmarc-reports@fnospf.test/' "$T/conf/send.conf" >"$T/conf/from-bad.conf"
"$REPORTS" -c "$T/conf/from-ok.conf" failures --dry-run >/dev/null 2>"$T/out/from-ok.err"
"$REPORTS" -c "$T/conf/from-bad.conf" failures --dry-run >/dev/null 2>"$T/out/from-bad.err"
want="dmarctls-reports: warning: ReportFrom dmarc-reports@fnospf.test is not authorised by SPF from this host (SPF for dmarc-reports@fnospf.test: 192.0.2.10 fail): reports pass DMARC only if the MTA DKIM-signs them for its domain"
[ ! -s "$T/out/from-ok.err" ] && [ "$(cat "$T/out/from-bad.err")" = "$want" ] &&
    ok "report_from_not_aligned_warned" ||
    not_ok "report_from_not_aligned_warned" "ok: $(cat "$T/out/from-ok.err") bad: $(cat "$T/out/from-bad.err")"

san=$(grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
    "$T"/log/*.log "$T"/out/* 2>/dev/null | head -3)
[ -z "$san" ] && ok "no_sanitizer_reports" || not_ok "no_sanitizer_reports" "$san"
summary_and_exit
