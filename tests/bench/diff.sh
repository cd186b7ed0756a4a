#!/bin/bash
#
# NAME
#	diff.sh -- the same corpus through dmarctls-milter and OpenDKIM -> OpenDMARC
#
# SYNOPSIS
#	tests/bench/diff.sh BUILDDIR
#
# DESCRIPTION
#	The differential run. In the private namespace of common.sh (signed
#	DNS world, dmarctls-milter, Debian's opendkim in verify mode and
#	opendmarc), each case below is sent once, by tests/bench/mload.c,
#	through dmarctls-milter alone and through the chain (OpenDMARC sees
#	the Authentication-Results OpenDKIM added, as under Postfix). For
#	each case it compares the final action (accept, quarantine, reject,
#	tempfail) and the dmarc= result of the Authentication-Results field
#	the milters added, and prints every case where they differ with both
#	values.
#
#	A difference is "explained" when tests/bench/DIFFERENCES.md has a
#	heading "### CASE" for it (the facts observed and the reason);
#	otherwise it is marked UNEXPLAINED. Separately, dmarctls-milter's
#	verdicts are checked against what the integration tests expect of
#	dmarctls-check for the same message (a MISMATCH line names any).
#
#	This script reports. It exits 0 when it ran, whatever it found; 1
#	only when it could not run (no namespace, a missing package, a milter
#	that did not start).
#
# ENVIRONMENT
#	BENCH_KEEP=1 keeps the temporary directory; DIFF_SHOW_HEADERS=1 also
#	prints the header fields each side added.
set -u

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
# shellcheck source=tests/bench/common.sh
. "$(dirname "$SELF")/common.sh"
builddir_arg "$@"
bench_namespace "$SELF" "$BUILDDIR"

DOC=$BENCH_SRC/DIFFERENCES.md

bench_need opendkim opendmarc
bench_world

# ------------------------------------------------------------------- corpus
# case NAME IP HELO MAILFROM FILE EXPECT -- EXPECT is dmarctls's verdict as
# ACTION/DMARC (what tests/integration/run.sh asserts for dmarctls-check).
M=$T/diff.manifest
: >"$M"
case_() {
	echo "$1 $2 $3 $4 bob@receiver.test $5 $6" >>"$M"
}
K=$W_KEY_RSA2048
ATT=mail.attacker.example

case_ pass_rsa "$FAIL_IP" mx.good.test alice@good.test \
    "$(signed_from pass_rsa 'Alice <alice@good.test>' good.test rsa "$K")" accept/pass
case_ pass_ed25519 "$FAIL_IP" mx.good.test alice@good.test \
    "$(signed_from pass_ed25519 'Alice <alice@good.test>' good.test ed "$W_KEY_ED25519" ed25519-sha256)" \
    accept/pass
case_ spoof_reject "$FAIL_IP" "$ATT" ceo@good.test \
    "$(msg_from spoof_reject 'CEO <ceo@good.test>')" reject/fail
m=$(signed_from spoof_badsig.src 'CEO <ceo@good.test>' good.test rsa "$K")
sed 's/^It is a few/IT IS A FEW/' "$m" >"$T/msg/spoof_badsig.eml"
case_ spoof_bad_signature "$FAIL_IP" "$ATT" ceo@good.test "$T/msg/spoof_badsig.eml" reject/fail
case_ quarantine "$FAIL_IP" "$ATT" x@quar.test "$(msg_from quarantine 'x@quar.test')" quarantine/fail
case_ p_none "$FAIL_IP" "$ATT" x@org.test "$(msg_from p_none 'x@org.test')" accept/fail
case_ no_record "$PASS_IP" mx.norec.test x@norec.test \
    "$(signed_from no_record 'x@norec.test' norec.test rsa "$K")" accept/none
case_ two_from_fields "$FAIL_IP" "$ATT" a@org.test \
    "$(msg_from two_from_fields 'a@org.test' 'b@good.test')" reject/fail
case_ two_addresses_one_field "$FAIL_IP" "$ATT" a@org.test \
    "$(msg_from two_addresses_one_field 'a@org.test, b@good.test')" reject/fail
case_ strict_dkim_subdomain "$FAIL_IP" "$ATT" x@strict.test \
    "$(signed_from strict_dkim 'x@strict.test' mail.strict.test rsa "$K")" reject/fail
case_ strict_spf_subdomain "$PASS_IP" mx.strict.test bounce@mail.strict.test \
    "$(msg_from strict_spf 'x@strict.test')" reject/fail
case_ relaxed_dkim_subdomain "$FAIL_IP" "$ATT" x@good.test \
    "$(signed_from relaxed_dkim 'x@good.test' mail.good.test rsa "$K")" accept/pass
case_ spf_only_aligned "$PASS_IP" mx.good.test bounce@good.test \
    "$(msg_from spf_only 'Alice <alice@good.test>')" accept/pass
case_ helo_pass_not_aligned "$FAIL_IP" helo.good.test alice@good.test \
    "$T/msg/spf_only.eml" reject/fail
case_ null_sender_helo "$PASS_IP" mx.good.test '<>' "$T/msg/spf_only.eml" accept/pass
case_ bogus_zone "$PASS_IP" mx.bogus.test x@bogus.test \
    "$(signed_from bogus 'x@bogus.test' bogus.test rsa "$K")" tempfail/temperror
case_ policy_lookup_bogus "$PASS_IP" mx.halfbogus.test x@halfbogus.test \
    "$(signed_from halfbogus 'x@halfbogus.test' halfbogus.test rsa "$K")" tempfail/temperror
case_ policy_lookup_bogus_spoof "$FAIL_IP" "$ATT" x@halfbogus.test \
    "$(msg_from halfbogus_spoof 'x@halfbogus.test')" tempfail/temperror
case_ psd_y_policy "$FAIL_IP" "$ATT" x@org1.psd.test "$(msg_from psd_y 'x@org1.psd.test')" reject/fail
case_ psd_y_cross_org "$FAIL_IP" "$ATT" x@org1.psd.test \
    "$(signed_from psd_y_cross 'x@org1.psd.test' other.psd.test rsa "$K")" reject/fail
case_ psd_y_relaxed_below "$FAIL_IP" "$ATT" x@mail.org1.psd.test \
    "$(signed_from psd_y_align 'x@mail.org1.psd.test' org1.psd.test rsa "$K")" accept/pass
case_ psd_n_stops_walk "$FAIL_IP" "$ATT" x@mail.dept.corp.test \
    "$(msg_from psd_n 'x@mail.dept.corp.test')" accept/fail
case_ psd_n_org_boundary "$FAIL_IP" "$ATT" x@dept.corp.test \
    "$(signed_from psd_n_align 'x@dept.corp.test' corp.test rsa "$K")" accept/fail
case_ np_nonexistent_subdomain "$FAIL_IP" "$ATT" x@nosuch.org.test \
    "$(msg_from np 'x@nosuch.org.test')" reject/fail
case_ sp_existing_subdomain "$FAIL_IP" "$ATT" x@sub.org.test "$(msg_from sp 'x@sub.org.test')" \
    quarantine/fail
case_ ten_labels "$FAIL_IP" "$ATT" x@a.b.c.d.e.f.g.h.deep.test \
    "$(msg_from deep 'x@a.b.c.d.e.f.g.h.deep.test')" quarantine/fail
case_ testing_t_y "$FAIL_IP" "$ATT" x@testing.test "$(msg_from testing 'x@testing.test')" \
    quarantine/fail
case_ insecure_zone_pass "$PASS_IP" mx.insecure.test x@insecure.test \
    "$(signed_from insecure 'x@insecure.test' insecure.test rsa "$K")" accept/pass
case_ rsa_sha1_signature "$FAIL_IP" mx.good.test alice@good.test \
    "$(signed_from rsa_sha1 'Alice <alice@good.test>' good.test rsa "$K" rsa-sha1)" reject/fail
case_ rsa_512_bit_key "$FAIL_IP" mx.good.test alice@good.test \
    "$(signed_from rsa512 'Alice <alice@good.test>' good.test r512 "$W_KEY_RSA512")" reject/fail
case_ from_without_domain "$PASS_IP" mx.good.test alice@good.test \
    "$(msg_from from_no_domain 'undisclosed')" reject/permerror

# ------------------------------------------------------------------ milters
have_dmarctls=1
start_dmarctls || { have_dmarctls=0; bench_log "dmarctls-milter is not available: chain only"; }
start_opendkim || bench_fatal "opendkim did not start"
start_opendmarc || bench_fatal "opendmarc did not start"

# One session per case, in order; -H: the added fields, for the record.
if [ $have_dmarctls = 1 ]; then
	"$MLOAD" -s "unix:$DMARCTLS_SOCK" -m "$M" -c 1 -H >"$T/out/dmarctls.txt" 2>&1
fi
awk '{ $7 = ""; print }' "$M" >"$M.noexpect"
"$MLOAD" -s "unix:$OPENDKIM_SOCK" -s "unix:$OPENDMARC_SOCK" -m "$M.noexpect" -c 1 -H \
    >"$T/out/chain.txt" 2>&1

# verdict FILE CASE -- "action/dmarc" of one case from mload's output
verdict() {
	awk -v n="$2" '($1 == "msg" || $1 == "MISMATCH") && $2 == n {
		a = $3; d = $4; sub(/^action=/, "", a); sub(/^dmarc=/, "", d); print a "/" d; exit }' "$1"
}

# headers FILE CASE -- the fields a side added for one case
headers() {
	awk -v n="$2" '($1 == "msg" || $1 == "MISMATCH") { on = ($2 == n); next }
		on && /^  / { print "      " $0 }' "$1"
}

echo "differential run: dmarctls-milter vs opendkim $(opendkim -V 2>&1 | sed -n '1s/.*v//p') -> opendmarc $(opendmarc -V 2>&1 | sed -n '1s/.*v//p')"
echo "(action/dmarc: the final action, and the dmarc= word of the Authentication-Results added;"
echo " \"-\": none was added, e.g. OpenDMARC adds none when it rejects)"
ndiff=0
nexpl=0
ncases=0
while read -r name _; do
	ncases=$((ncases + 1))
	c=$(verdict "$T/out/chain.txt" "$name")
	if [ $have_dmarctls = 1 ]; then
		d=$(verdict "$T/out/dmarctls.txt" "$name")
	else
		d="(not run)"
	fi
	# OpenDMARC writes no dmarc= when it rejects: an unknown result ("-")
	# on one side is not a difference by itself, the action still is.
	if [ "${d%%/*}" = "${c%%/*}" ] &&
	    { [ "${d#*/}" = "${c#*/}" ] || [ "${d#*/}" = - ] || [ "${c#*/}" = - ]; }; then
		printf '  same        %-28s dmarctls=%-22s chain=%s\n' "$name" "$d" "$c"
		continue
	fi
	ndiff=$((ndiff + 1))
	if grep -q "^### $name\$" "$DOC" 2>/dev/null; then
		nexpl=$((nexpl + 1))
		tag="explained  "
	else
		tag="UNEXPLAINED"
	fi
	printf '  DIFFERS %s %-28s dmarctls=%-22s chain=%s\n' "$tag" "$name" "$d" "$c"
	if [ "${DIFF_SHOW_HEADERS:-}" = 1 ]; then
		echo "    dmarctls added:"
		headers "$T/out/dmarctls.txt" "$name"
		echo "    chain added:"
		headers "$T/out/chain.txt" "$name"
	fi
done <"$M"
echo "diff: $ncases cases, $ndiff differ, $nexpl of them explained in tests/bench/DIFFERENCES.md"
if [ $have_dmarctls = 1 ]; then
	n=$(grep -c '^MISMATCH' "$T/out/dmarctls.txt")
	echo "dmarctls-milter vs the integration suite's expectations: $n mismatches"
	grep '^MISMATCH' "$T/out/dmarctls.txt" | sed 's/^/  /'
fi
grep 'error=' "$T/out/chain.txt" "$T/out/dmarctls.txt" 2>/dev/null | sed 's/^/  session error: /'
exit 0
