#!/bin/bash
#
# NAME
#	run.sh -- dmarctls integration tests against real, signed DNS
#
# SYNOPSIS
#	tests/integration/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR holds the built dmarctls-check, dmarctls-dane and
#	tests/integration/dt-sign.
#	The script re-executes itself in a private network, mount and PID
#	namespace (unshare), so it touches nothing outside: only `lo` exists,
#	every server it starts dies with it, and runs never collide. Inside,
#	world.sh builds a DNSSEC-signed world on 127.0.0.1 (nsd on 5353, a
#	validating unbound on 5354, a silent black hole on 5399), messages are
#	signed at test time with dt-sign (rsa-sha256, ed25519-sha256, rsa-sha1)
#	and each case runs
#	    dmarctls-check -c CONF --ip IP --helo NAME --mail-from ADDR --json MSG
#	and asserts its exit status and exact JSON fields with jq. The DANE
#	self-check cases run dmarctls-dane --json the same way against the
#	TLSA records and certificates world.sh made.
#
#	Output, one line per case: "ok - NAME" or "not ok - NAME (expected
#	..., got ...)", with "#" lines of diagnostics after a failure, and a
#	last line "integration: N passed, M failed". Exit 0 only if M is 0.
#
#	Environment: DT_INTEG_KEEP=1 keeps the temporary directory (zones,
#	server logs, messages, outputs) and prints its path; DT_INTEG_FILTER=RE
#	runs only the cases whose name matches the extended regex RE.
#
#	Client addresses are documentation ranges (192.0.2.0/24 allowed by
#	the SPF records, 198.51.100.0/24 not): libspf2 passes 127/8 and ::1
#	unconditionally, so loopback must never be used as --ip.
#
# REQUIREMENTS
#	root (or unprivileged user namespaces), and the packages that
#	contrib/install-deps.sh installs: nsd, unbound, ldnsutils, bind9-dnsutils,
#	jq, openssl, iproute2, util-linux, perl.

# jq expressions are written in single quotes on purpose ($rc is jq's).
# shellcheck disable=SC2016,SC2317
set -u
set -f				# jq paths like .dkim[0].d are not globs

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASE_TIMEOUT=30			# seconds any one dmarctls-check may take
TIMEOUT_CASE_MAX=10		# seconds the DNS timeout case may take: with
				# DNSTimeout 2 the phase budgets allow 2 + 4
PASS_IP=192.0.2.10		# inside every test SPF record
PASS_IP6=2001:db8::25
FAIL_IP=198.51.100.7		# outside them (but inside helo.good.test's)
AUTHSERV=mx.receiver.test

NPASS=0
NFAIL=0

summary_and_exit() {
	echo "integration: $NPASS passed, $NFAIL failed"
	[ "$NFAIL" -eq 0 ]
	exit
}

ok() {
	NPASS=$((NPASS + 1))
	echo "ok - $1"
}

not_ok() {
	NFAIL=$((NFAIL + 1))
	echo "not ok - $1 ($2)"
}

# A failure before any case ran still ends with the summary line.
fatal() {
	not_ok "$1" "$2"
	summary_and_exit
}

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 64
fi
BUILDDIR=$(cd "$1" && pwd)

# ---------------------------------------------------------------- namespace
if [ "${DT_INTEG_INNER:-}" != 1 ]; then
	userns=""
	[ "$(id -u)" -eq 0 ] || userns="--user --map-root-user"
	# shellcheck disable=SC2086
	unshare $userns --net --mount --pid --fork true 2>/dev/null ||
	    fatal namespace "cannot unshare: run as root, or enable user namespaces"
	# shellcheck disable=SC2086
	exec unshare $userns --net --mount --pid --fork --kill-child \
	    --mount-proc --propagation private \
	    env DT_INTEG_INNER=1 "$SRCDIR/run.sh" "$BUILDDIR"
	fatal namespace "unshare failed: run as root"
fi

ip link set lo up || fatal namespace "cannot bring up lo"

CHECK=$BUILDDIR/dmarctls-check
SIGN=$BUILDDIR/tests/integration/dt-sign
for tool in nsd unbound ldns-keygen ldns-signzone ldns-key2ds dig jq openssl perl timeout; do
	command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
done
[ -x "$CHECK" ] || fatal prerequisites "no $CHECK: build it first"
[ -x "$SIGN" ] || fatal prerequisites "no $SIGN: make tests/integration/dt-sign"
PROBE=$BUILDDIR/tests/integration/dt-dns
# a missing dmarctls-dane fails its cases one by one (dane_case), not the run
DANE=$BUILDDIR/dmarctls-dane
[ -x "$PROBE" ] || fatal prerequisites "no $PROBE: make tests/integration/dt-dns"

T=$(mktemp -d /tmp/dmarctls-integ.XXXXXX) || fatal setup "mktemp failed"
export W_SRCDIR=$SRCDIR
# shellcheck source=world.sh
. "$SRCDIR/world.sh"

cleanup() {
	world_stop
	if [ "${DT_INTEG_KEEP:-}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Nothing in here may reach a resolver outside: point the system resolver
# at loopback port 53, where nothing listens (this mount is private).
echo "nameserver 127.0.0.1" >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf 2>/dev/null || true

# Sanitizer builds: full stacks through libcrypto so that lsan.supp can
# name the libopendkim leak it suppresses.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0:detect_leaks=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$SRCDIR/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world (logs: $T/world)"

# ------------------------------------------------------------------- config
# write_conf FILE [KEY VALUE]... -- the common settings, then overrides.
write_conf() {
	local f=$1
	shift
	{
		echo "# generated by tests/integration/run.sh"
		echo "Resolver 127.0.0.1@$W_UNBOUND_PORT"
		echo "TrustAnchorFile $W_TA"
		echo "UnboundConfigFile $W_UBCONF"
		echo "DNSTimeout 3"
		echo "AuthservID $AUTHSERV"
		echo "DMARCDiscovery rfc9989"
		echo "TempfailOnDNSError yes"
		echo "RejectOnNoFrom yes"
		while [ $# -ge 2 ]; do
			echo "$1 $2"
			shift 2
		done
	} >"$f"
}

mkdir -p "$T/conf" "$T/msg" "$T/out"
CONF=$T/conf/default.conf
CONF_NOTEMPFAIL=$T/conf/no-tempfail.conf
CONF_TIMEOUT=$T/conf/timeout.conf
CONF_PSL=$T/conf/psl.conf
write_conf "$CONF"
write_conf "$CONF_NOTEMPFAIL" TempfailOnDNSError no
write_conf "$CONF_TIMEOUT" Resolver "127.0.0.1@$W_HOLE_PORT" DNSTimeout 2
write_conf "$CONF_PSL" DMARCDiscovery psl

# ----------------------------------------------------------------- messages
# msg NAME FROM-FIELD-VALUE... -- a plain message; one From field per
# argument. Lines end in CRLF, as on the wire (RFC 5322 section 2.1); the
# lf_* cases cover files with bare LF. Prints the path.
msg() {
	local name=$1 f
	shift
	f=$T/msg/$name.eml
	{
		for from in "$@"; do
			echo "From: $from"
		done
		echo "To: bob@receiver.test"
		echo "Subject: dmarctls integration case $name"
		echo "Date: Mon, 01 Jun 2026 10:00:00 +0000"
		echo "Message-ID: <$name@integration.test>"
		echo "MIME-Version: 1.0"
		echo "Content-Type: text/plain; charset=us-ascii"
		echo
		echo "This message was written by tests/integration/run.sh"
		echo "for the case $name."
	} | sed 's/$/\r/' >"$f"
	echo "$f"
}

# sign_file IN OUT DOMAIN SELECTOR KEY [ALG] -- dt-sign IN into OUT.
sign_file() {
	if ! "$SIGN" -d "$3" -s "$4" -k "$5" -a "${6:-rsa-sha256}" <"$1" >"$2" 2>"$2.err"; then
		echo "# dt-sign failed for $2: $(head -1 "$2.err")" >&2
	fi
}

# signed NAME FROM DOMAIN SELECTOR KEY [ALG] -- msg, then signed; prints path.
signed() {
	local plain
	plain=$(msg "$1.plain" "$2")
	sign_file "$plain" "$T/msg/$1.eml" "$3" "$4" "$5" "${6:-}"
	echo "$T/msg/$1.eml"
}

# The first 8+ characters the JSON's dkim[i].b must start with.
b_tag() {
	sed -n '/^DKIM-Signature:/,/^[^ \t]/p' "$1" | head -n -1 | tr -d ' \t\r\n' |
	    sed -n 's/.*;b=\([^;]*\).*/\1/p' | head -1
}

# -------------------------------------------------------------------- cases
# run_case NAME CONF MSG IP HELO MAILFROM [JQ-EXPR EXPECTED]...
#
# Runs dmarctls-check and compares, for each pair, `jq -r EXPR` against
# EXPECTED. In EXPR, $rc is the exit status and $secs the elapsed seconds.
# Every mismatch is reported, not just the first.
run_case() {
	local name=$1 conf=$2 m=$3 ip=$4 helo=$5 mf=$6 out err rc t0 secs got bad=""
	shift 6
	if [ -n "${DT_INTEG_FILTER:-}" ] && ! [[ $name =~ $DT_INTEG_FILTER ]]; then
		return 0
	fi
	out=$T/out/$name.json
	err=$T/out/$name.err
	t0=$(date +%s%N)
	timeout "$CASE_TIMEOUT" "$CHECK" -c "$conf" --ip "$ip" --helo "$helo" \
	    --mail-from "$mf" --authserv-id "$AUTHSERV" --json "$m" >"$out" 2>"$err"
	rc=$?
	t0=$(( $(date +%s%N) - t0 ))
	secs="$((t0 / 1000000000)).$(( (t0 / 100000000) % 10 ))"
	echo "$secs $name" >>"$T/out/times"
	if [ "$rc" -eq 124 ]; then
		not_ok "$name" "expected an answer, got a timeout after ${CASE_TIMEOUT}s"
		return
	fi
	if ! jq -s -e 'length == 1 and (.[0] | type) == "object"' "$out" >/dev/null 2>&1; then
		not_ok "$name" "expected one JSON object, got exit $rc and $(wc -c <"$out") bytes"
		sed -n '1,3s/^/#   /p' "$err"
		return
	fi
	while [ $# -ge 2 ]; do
		got=$(jq -r --argjson rc "$rc" --argjson secs "${secs:-0}" "$1" "$out" 2>&1 | tr '\n' ' ')
		got=${got% }
		[ "$got" = "$2" ] || bad="$bad${bad:+; }expected $1 = $2, got $got"
		shift 2
	done
	if [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name" "$bad"
		sed -n '1,3s/^/#   /p' "$err"
	fi
}

# Checks that hold for every verdict of a p=reject domain that failed.
REJECTED=( '$rc' 2 .action reject .dmarc.result fail .dmarc.policy reject
	.dmarc.disposition reject )

# --- DKIM: aligned signatures pass DMARC on their own (SPF fails here)
m=$(signed dkim_rsa_sha256 "Alice <alice@good.test>" good.test rsa "$W_KEY_RSA2048")
run_case dkim_rsa_sha256_aligned_pass "$CONF" "$m" $FAIL_IP mx.good.test alice@good.test \
	'$rc' 0 .action accept .smtp_reply null .spf.result fail \
	'.dkim|length' 1 .dkim[0].result pass .dkim[0].d good.test .dkim[0].s rsa \
	.dkim[0].a rsa-sha256 \
	".dkim[0].b as \$b | (\$b|length >= 8) and (\"$(b_tag "$m")\"|startswith(\$b))" true \
	.dmarc.result pass .dmarc.from_domain good.test .dmarc.policy_domain good.test \
	.dmarc.org_domain good.test .dmarc.policy reject .dmarc.disposition none \
	.dmarc.dkim_aligned true .dmarc.spf_aligned false .dmarc.testing false \
	.dmarc.discovery treewalk '.dmarc_all|length' 1 \
	".headers[0]|startswith(\"Authentication-Results: $AUTHSERV\")" true \
	'.headers[0]|test("dmarc=pass")' true \
	'.headers[0]|test("header.from=good.test")' true

m=$(signed dkim_ed25519 "Alice <alice@good.test>" good.test ed "$W_KEY_ED25519" ed25519-sha256)
run_case dkim_ed25519_sha256_aligned_pass "$CONF" "$m" $FAIL_IP mx.good.test alice@good.test \
	'$rc' 0 .action accept .dkim[0].result pass .dkim[0].a ed25519-sha256 \
	.dkim[0].s ed .dkim[0].d good.test \
	".dkim[0].b as \$b | (\$b|length >= 8) and (\"$(b_tag "$m")\"|startswith(\$b))" true \
	.dmarc.result pass .dmarc.dkim_aligned true

# Two signatures, each reported; one valid aligned signature suffices.
m2=$T/msg/dkim_two.eml
sign_file "$m" "$m2" good.test r512 "$W_KEY_RSA512"
run_case dkim_two_signatures_one_valid "$CONF" "$m2" $FAIL_IP mx.good.test alice@good.test \
	'$rc' 0 '.dkim|length' 2 '[.dkim[].result]|sort|join(",")' fail,pass \
	.dmarc.result pass .dmarc.dkim_aligned true

# Message files on disk usually end lines in bare LF; dt-sign then folds
# the signature with LF too. The verdict must not depend on it.
m=$(msg lf_rsa_src "Alice <alice@good.test>")
tr -d '\r' <"$m" >"$T/msg/lf_rsa.plain.eml"
sign_file "$T/msg/lf_rsa.plain.eml" "$T/msg/lf_rsa.eml" good.test rsa "$W_KEY_RSA2048"
run_case lf_line_ends_rsa_signature_pass "$CONF" "$T/msg/lf_rsa.eml" $FAIL_IP mx.good.test \
	alice@good.test \
	'$rc' 0 .dkim[0].result pass .dmarc.result pass

sign_file "$T/msg/lf_rsa.plain.eml" "$T/msg/lf_ed.eml" good.test ed "$W_KEY_ED25519" ed25519-sha256
run_case lf_line_ends_ed25519_signature_pass "$CONF" "$T/msg/lf_ed.eml" $FAIL_IP mx.good.test \
	alice@good.test \
	'$rc' 0 .dkim[0].result pass .dmarc.result pass

# --- spoofing a p=reject domain: no signature, or a broken one; SPF fails
m=$(msg spoof_unsigned "CEO <ceo@good.test>")
run_case dmarc_reject_spoof_unsigned "$CONF" "$m" $FAIL_IP mail.attacker.example ceo@good.test \
	"${REJECTED[@]}" .smtp_reply "550 5.7.1 Email rejected per DMARC policy for good.test" \
	.spf.result fail .spf.domain good.test '.dkim|length' 0 \
	.dmarc.spf_aligned false .dmarc.dkim_aligned false

m=$(signed spoof_badsig_src "CEO <ceo@good.test>" good.test rsa "$W_KEY_RSA2048")
sed 's/^for the case/FOR THE CASE/' "$m" >"$T/msg/spoof_badsig.eml"
run_case dmarc_reject_spoof_bad_signature "$CONF" "$T/msg/spoof_badsig.eml" $FAIL_IP \
	mail.attacker.example ceo@good.test \
	"${REJECTED[@]}" .dkim[0].result fail .dkim[0].d good.test .dmarc.dkim_aligned false

# --- other policies
m=$(msg quarantine "x@quar.test")
run_case dmarc_quarantine_spoof "$CONF" "$m" $FAIL_IP mail.attacker.example x@quar.test \
	'$rc' 1 .action quarantine .dmarc.result fail .dmarc.policy quarantine \
	.dmarc.disposition quarantine .dmarc.policy_domain quar.test .smtp_reply null

m=$(msg p_none "x@org.test")
run_case dmarc_p_none_fail_accepts "$CONF" "$m" $FAIL_IP mail.attacker.example x@org.test \
	'$rc' 0 .action accept .dmarc.result fail .dmarc.policy none \
	.dmarc.disposition none .dmarc.policy_domain org.test

m=$(signed no_record "x@norec.test" norec.test rsa "$W_KEY_RSA2048")
run_case dmarc_no_record_is_none "$CONF" "$m" $PASS_IP mx.norec.test x@norec.test \
	'$rc' 0 .action accept .dmarc.result none .dkim[0].result pass .spf.result pass

# --- no usable author domain: permerror (RejectOnNoFrom yes rejects it)
m=$(msg from_no_domain "undisclosed")
run_case dmarc_permerror_from_without_domain "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	.dmarc.result permerror '$rc' 2 .action reject

m=$(msg from_empty_group "undisclosed-recipients:;")
run_case dmarc_permerror_from_empty_group "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	.dmarc.result permerror '$rc' 2 .action reject

m=$T/msg/no_from.eml
grep -v '^From:' "$(msg no_from_src "x@good.test")" >"$m"
run_case dmarc_permerror_no_from_field "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	.dmarc.result permerror '$rc' 2 .action reject

# --- several author domains: the strictest failing policy decides
m=$(msg two_from_fields "a@org.test" "b@good.test")
run_case two_from_fields_one_reject "$CONF" "$m" $FAIL_IP mail.attacker.example a@org.test \
	'$rc' 2 .action reject '.dmarc_all|length' 2 \
	'[.dmarc_all[].result]|unique|join(",")' fail \
	'[.dmarc_all[].from_domain]|sort|join(",")' good.test,org.test \
	.smtp_reply "550 5.7.1 Email rejected per DMARC policy for good.test"

m=$(msg two_addresses_one_field "a@org.test, b@good.test")
run_case two_addresses_one_field_one_reject "$CONF" "$m" $FAIL_IP mail.attacker.example a@org.test \
	'$rc' 2 .action reject '.dmarc_all|length' 2 .dmarc.from_domain good.test

# Both domains authenticated: good.test by DKIM, org.test by SPF.
m=$(msg two_from_both_pass_src "a@org.test" "b@good.test")
sign_file "$m" "$T/msg/two_from_both_pass.eml" good.test rsa "$W_KEY_RSA2048"
run_case two_from_fields_both_pass "$CONF" "$T/msg/two_from_both_pass.eml" $PASS_IP \
	mx.org.test a@org.test \
	'$rc' 0 .action accept '[.dmarc_all[].result]|unique|join(",")' pass

# --- DNS failures: bogus zone and an unreachable resolver
m=$(signed bogus "x@bogus.test" bogus.test rsa "$W_KEY_RSA2048")
run_case bogus_zone_temperror_tempfails "$CONF" "$m" $PASS_IP mx.bogus.test x@bogus.test \
	'$rc' 3 .action tempfail .dmarc.result temperror .spf.result temperror \
	'.smtp_reply|test("^4[0-9][0-9] 4\\.[0-9]+\\.[0-9]+ ")' true

run_case bogus_zone_temperror_accepts_without_tempfail "$CONF_NOTEMPFAIL" "$m" $PASS_IP \
	mx.bogus.test x@bogus.test \
	'$rc' 0 .action accept .dmarc.result temperror .smtp_reply null

# Only the policy lookup fails; SPF and DKIM pass and align. Without the
# policy there is no DMARC pass, and a domain that may publish p=reject
# must not be accepted on a failed lookup when TempfailOnDNSError is on.
m=$(signed halfbogus "x@halfbogus.test" halfbogus.test rsa "$W_KEY_RSA2048")
run_case policy_lookup_bogus_tempfails_despite_auth "$CONF" "$m" $PASS_IP mx.halfbogus.test \
	x@halfbogus.test \
	'$rc' 3 .action tempfail .spf.result pass .dkim[0].result pass .dmarc.result temperror

m=$(msg halfbogus_spoof "x@halfbogus.test")
run_case policy_lookup_bogus_spoof_tempfails "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@halfbogus.test \
	'$rc' 3 .action tempfail .spf.result fail .dmarc.result temperror

m=$(signed timeout "Alice <alice@good.test>" good.test rsa "$W_KEY_RSA2048")
run_case resolver_timeout_temperror_tempfails "$CONF_TIMEOUT" "$m" $PASS_IP mx.good.test \
	alice@good.test \
	'$rc' 3 .action tempfail .dmarc.result temperror .spf.result temperror \
	"\$secs < $TIMEOUT_CASE_MAX" true

# --- RFC 9989 tree walk: psd=y, psd=n, np/sp, more than 8 labels
m=$(msg psd_y "x@org1.psd.test")
run_case psd_y_policy_from_psd "$CONF" "$m" $FAIL_IP mail.attacker.example x@org1.psd.test \
	"${REJECTED[@]}" .dmarc.policy_domain psd.test .dmarc.org_domain org1.psd.test

m=$(signed psd_y_align "x@mail.org1.psd.test" org1.psd.test rsa "$W_KEY_RSA2048")
run_case psd_y_relaxed_alignment_below_psd "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@mail.org1.psd.test \
	'$rc' 0 .dmarc.result pass .dmarc.dkim_aligned true .dmarc.org_domain org1.psd.test

m=$(signed psd_y_cross "x@org1.psd.test" other.psd.test rsa "$W_KEY_RSA2048")
run_case psd_y_no_alignment_across_orgs "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@org1.psd.test \
	"${REJECTED[@]}" .dkim[0].result pass .dkim[0].d other.psd.test .dmarc.dkim_aligned false

m=$(msg psd_n "x@mail.dept.corp.test")
run_case psd_n_stops_walk "$CONF" "$m" $FAIL_IP mail.attacker.example x@mail.dept.corp.test \
	'$rc' 0 .action accept .dmarc.result fail .dmarc.policy none \
	.dmarc.policy_domain dept.corp.test .dmarc.org_domain dept.corp.test

m=$(signed psd_n_align "x@dept.corp.test" corp.test rsa "$W_KEY_RSA2048")
run_case psd_n_org_boundary_no_alignment "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@dept.corp.test \
	.dkim[0].result pass .dmarc.dkim_aligned false .dmarc.result fail \
	.dmarc.org_domain dept.corp.test '$rc' 0

m=$(msg corp_control "x@mail.other.corp.test")
run_case psd_n_absent_walk_reaches_org "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@mail.other.corp.test \
	"${REJECTED[@]}" .dmarc.policy_domain corp.test .dmarc.org_domain corp.test

m=$(msg np "x@nosuch.org.test")
run_case np_for_nonexistent_subdomain "$CONF" "$m" $FAIL_IP mail.attacker.example x@nosuch.org.test \
	"${REJECTED[@]}" .dmarc.policy_domain org.test .dmarc.from_domain nosuch.org.test

m=$(msg sp "x@sub.org.test")
run_case sp_for_existing_subdomain "$CONF" "$m" $FAIL_IP mail.attacker.example x@sub.org.test \
	'$rc' 1 .action quarantine .dmarc.result fail .dmarc.policy quarantine \
	.dmarc.policy_domain org.test

m=$(msg deep "x@a.b.c.d.e.f.g.h.deep.test")
run_case ten_labels_find_org_policy "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@a.b.c.d.e.f.g.h.deep.test \
	'$rc' 1 .action quarantine .dmarc.result fail .dmarc.policy quarantine \
	.dmarc.policy_domain deep.test .dmarc.org_domain deep.test

m=$(msg testing "x@testing.test")
run_case testing_t_y_reject_becomes_quarantine "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@testing.test \
	'$rc' 1 .action quarantine .dmarc.result fail .dmarc.policy quarantine \
	.dmarc.testing true

# --- alignment modes
m=$(signed strict_dkim "x@strict.test" mail.strict.test rsa "$W_KEY_RSA2048")
run_case adkim_strict_subdomain_signature_fails "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@strict.test \
	"${REJECTED[@]}" .dkim[0].result pass .dkim[0].d mail.strict.test .dmarc.dkim_aligned false

m=$(signed relaxed_dkim "x@good.test" mail.good.test rsa "$W_KEY_RSA2048")
run_case adkim_relaxed_subdomain_signature_passes "$CONF" "$m" $FAIL_IP mail.attacker.example \
	x@good.test \
	'$rc' 0 .action accept .dkim[0].d mail.good.test .dmarc.result pass .dmarc.dkim_aligned true

m=$(msg strict_spf "x@strict.test")
run_case aspf_strict_subdomain_mailfrom_fails "$CONF" "$m" $PASS_IP mx.strict.test \
	bounce@mail.strict.test \
	"${REJECTED[@]}" .spf.result pass .spf.domain mail.strict.test .dmarc.spf_aligned false

m=$(msg relaxed_spf "x@good.test")
run_case aspf_relaxed_subdomain_mailfrom_passes "$CONF" "$m" $PASS_IP mx.good.test \
	bounce@mail.good.test \
	'$rc' 0 .spf.result pass .spf.domain mail.good.test .dmarc.result pass .dmarc.spf_aligned true

# --- SPF
m=$(msg spf_only "Alice <alice@good.test>")
run_case spf_pass_aligned_without_dkim "$CONF" "$m" $PASS_IP mx.good.test bounce@good.test \
	'$rc' 0 .action accept .spf.result pass .spf.domain good.test '.dkim|length' 0 \
	.dmarc.result pass .dmarc.spf_aligned true .dmarc.dkim_aligned false

run_case spf_pass_ipv6 "$CONF" "$m" $PASS_IP6 mx.good.test bounce@good.test \
	'$rc' 0 .spf.result pass .dmarc.result pass

run_case spf_fail_outside_record "$CONF" "$m" $FAIL_IP mx.good.test bounce@good.test \
	'$rc' 2 .spf.result fail .spf.domain good.test .dmarc.spf_aligned false

run_case null_sender_checks_helo_pass "$CONF" "$m" $PASS_IP mx.good.test '<>' \
	'$rc' 0 .spf.result pass .spf.domain mx.good.test .spf.helo.result pass \
	.dmarc.result pass .dmarc.spf_aligned true

run_case null_sender_checks_helo_fail "$CONF" "$m" $FAIL_IP mx.good.test '<>' \
	'$rc' 2 .spf.result fail .spf.domain mx.good.test .dmarc.result fail

# CVE-2019-20790: a HELO pass must not stand in for a failing MAIL FROM.
run_case helo_pass_does_not_align "$CONF" "$m" $FAIL_IP helo.good.test alice@good.test \
	"${REJECTED[@]}" .spf.result fail .spf.helo.result pass .dmarc.spf_aligned false

# --- RFC 8301: no rsa-sha1, no RSA keys under 1024 bits
m=$(signed rsa_sha1 "Alice <alice@good.test>" good.test rsa "$W_KEY_RSA2048" rsa-sha1)
run_case rfc8301_rsa_sha1_signature_fails "$CONF" "$m" $FAIL_IP mx.good.test alice@good.test \
	"${REJECTED[@]}" .dkim[0].result fail .dkim[0].a rsa-sha1 .dmarc.dkim_aligned false

m=$(signed rsa512 "Alice <alice@good.test>" good.test r512 "$W_KEY_RSA512")
run_case rfc8301_rsa_512_bit_key_fails "$CONF" "$m" $FAIL_IP mx.good.test alice@good.test \
	"${REJECTED[@]}" .dkim[0].result fail .dkim[0].s r512

m=$(signed rsa1024 "Alice <alice@good.test>" good.test r1024 "$W_KEY_RSA1024")
run_case rfc8301_rsa_1024_bit_key_passes "$CONF" "$m" $FAIL_IP mx.good.test alice@good.test \
	'$rc' 0 .dkim[0].result pass .dmarc.result pass

# --- DNSSEC-insecure zones work normally
m=$(signed insecure "x@insecure.test" insecure.test rsa "$W_KEY_RSA2048")
run_case insecure_zone_pass "$CONF" "$m" $PASS_IP mx.insecure.test x@insecure.test \
	'$rc' 0 .action accept .spf.result pass .dkim[0].result pass .dmarc.result pass

m=$(msg insecure_spoof "x@insecure.test")
run_case insecure_zone_spoof_rejects "$CONF" "$m" $FAIL_IP mail.attacker.example x@insecure.test \
	"${REJECTED[@]}" .dmarc.policy_domain insecure.test

# --- RFC 7489 mode (PSL): .test is not on the list, the default rule applies
m=$(signed psl "Alice <alice@good.test>" mail.good.test rsa "$W_KEY_RSA2048")
run_case psl_discovery_relaxed_pass "$CONF_PSL" "$m" $FAIL_IP mx.good.test alice@good.test \
	'$rc' 0 .dmarc.result pass .dmarc.discovery psl .dmarc.org_domain good.test

# --- the DNS layer itself (policy/dns.c through dt-dns): 8 threads asking
# at once, the DNSSEC state of each answer, NXDOMAIN told from NODATA, and a
# silent server costing one timeout, not a hang.
# probe_case NAME DT-DNS-ARGS... -- every "ok -"/"not ok -" line counts
probe_case() {
	local name=$1 line
	shift
	if [ -n "${DT_INTEG_FILTER:-}" ] && ! [[ $name =~ $DT_INTEG_FILTER ]]; then
		return 0
	fi
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$name: ${line#ok - }" ;;
		"not ok - "*) not_ok "$name" "${line#not ok - }" ;;
		esac
	done < <(timeout "$CASE_TIMEOUT" "$PROBE" "$@" 2>&1)
}
probe_case dns_layer -r "127.0.0.1@$W_UNBOUND_PORT" -a "$W_TA" -u "$W_UBCONF" -j 8 -n 10 \
	_dmarc.good.test/TXT/ok/secure good.test/TLSA/nodata/secure \
	nosuch.good.test/TXT/nxdomain/secure _dmarc.insecure.test/TXT/ok/insecure \
	_dmarc.bogus.test/TXT/tempfail/bogus _dmarc.quar.test/TXT/ok/secure \
	'bad..name.test/TXT/nxdomain/insecure'
probe_case dns_layer_timeout -r "127.0.0.1@$W_HOLE_PORT" -u "$W_UBCONF" -a none -T 1000 \
	-M 2500 -j 4 good.test/TXT/tempfail/insecure

# --- the DANE self-check (dmarctls-dane): our own TLSA records against the
# chain we serve. pass 0, fail 1, none 2, temperror 3.
# dane_case NAME OWNER CHAIN [JQ-EXPR EXPECTED]... -- like run_case
dane_case() {
	local name=$1 owner=$2 chain=$3 out err rc got bad=""
	shift 3
	if [ -n "${DT_INTEG_FILTER:-}" ] && ! [[ $name =~ $DT_INTEG_FILTER ]]; then
		return 0
	fi
	if [ ! -x "$DANE" ]; then
		not_ok "$name" "no $DANE: build it first"
		return
	fi
	out=$T/out/$name.json
	err=$T/out/$name.err
	timeout "$CASE_TIMEOUT" "$DANE" -c "$CONF" --tlsa "$owner" --cert "$chain" --json \
	    >"$out" 2>"$err"
	rc=$?
	if ! jq -s -e 'length == 1 and (.[0] | type) == "object"' "$out" >/dev/null 2>&1; then
		not_ok "$name" "expected one JSON object, got exit $rc and $(wc -c <"$out") bytes"
		sed -n '1,3s/^/#   /p' "$err"
		return
	fi
	while [ $# -ge 2 ]; do
		got=$(jq -r --argjson rc "$rc" "$1" "$out" 2>&1 | tr '\n' ' ')
		got=${got% }
		[ "$got" = "$2" ] || bad="$bad${bad:+; }expected $1 = $2, got $got"
		shift 2
	done
	if [ -z "$bad" ]; then
		ok "$name"
	else
		not_ok "$name" "$bad"
		sed -n '1,3s/^/#   /p' "$err"
	fi
}

dane_case dane_match_pass _25._tcp.mx.good.test "$W_TLS_CHAIN" \
	'$rc' 0 .result pass .dns.status ok .dns.dnssec secure '.dns.ttl > 0' true \
	.host mx.good.test '.records|length' 2 '[.records[]|select(.usable and .match)]|length' 2 \
	'[.records[].record]|sort|join(",")' "2 0 1 $W_TLS_CA_SHA256,3 1 1 $W_TLS_SPKI_SHA256" \
	'.records[]|select(.record|startswith("3 "))|.depth' 0 \
	'.records[]|select(.record|startswith("2 "))|.depth' 1 \
	'.chain|length' 2 .leaf.spki_sha256 "$W_TLS_SPKI_SHA256" \
	.leaf.cert_sha256 "$(openssl x509 -in "$W_TLS_CERT" -outform DER | sha256_hex)"

# The outage DANE is known for: a new key served, the TLSA still the old one.
dane_case dane_renewal_without_tlsa_update_fails _25._tcp.old.good.test "$W_TLS_CHAIN" \
	'$rc' 1 .result fail .dns.dnssec secure .records[0].record "3 1 1 $W_TLS_OLD_SPKI_SHA256" \
	.records[0].usable true .records[0].match false \
	.leaf.spki_sha256 "$W_TLS_SPKI_SHA256"
dane_case dane_old_chain_matches_old_record _25._tcp.old.good.test "$W_TLS_OLD_CHAIN" \
	'$rc' 0 .result pass .leaf.spki_sha256 "$W_TLS_OLD_SPKI_SHA256"
dane_case dane_ta_record_survives_renewal _25._tcp.ta.good.test "$W_TLS_CHAIN" \
	'$rc' 0 .result pass .records[0].depth 1 .records[0].subject "CN=dmarctls test CA"
dane_case dane_ta_record_matched_old_chain_too _25._tcp.ta.good.test "$W_TLS_OLD_CHAIN" \
	'$rc' 0 .result pass
dane_case dane_pkix_usage_only_is_none _25._tcp.pkix.good.test "$W_TLS_CHAIN" \
	'$rc' 2 .result none .dns.dnssec secure .records[0].usable false .records[0].match false \
	.records[0].depth 0
dane_case dane_insecure_zone_is_none _25._tcp.mx.insecure.test "$W_TLS_CHAIN" \
	'$rc' 2 .result none .dns.status ok .dns.dnssec insecure '.records|length' 1 \
	.records[0].match true
dane_case dane_bogus_zone_is_temperror _25._tcp.mx.bogus.test "$W_TLS_CHAIN" \
	'$rc' 3 .result temperror .dns.dnssec bogus '.records|length' 0
dane_case dane_no_tlsa_is_none _25._tcp.mail.good.test "$W_TLS_CHAIN" \
	'$rc' 2 .result none .dns.status nxdomain .dns.dnssec secure '.records|length' 0 \
	.leaf.spki_sha256 "$W_TLS_SPKI_SHA256"

# dane_exit_case NAME EXPECTED-STATUS ARGS... -- dmarctls-dane ARGS must exit
# so; with STDOUT-RE, stdout must match it, else stderr must say something
dane_exit_case() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	if [ -n "${DT_INTEG_FILTER:-}" ] && ! [[ $name =~ $DT_INTEG_FILTER ]]; then
		return 0
	fi
	[ -x "$DANE" ] || { not_ok "$name" "no $DANE: build it first"; return; }
	timeout "$CASE_TIMEOUT" "$DANE" "$@" >"$T/out/$name.out" 2>"$T/out/$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name" "expected exit $want, got $rc"
		sed -n '1,3s/^/#   /p' "$T/out/$name.err"
	elif [ -n "$re" ] && ! grep -Eq "$re" "$T/out/$name.out"; then
		not_ok "$name" "expected output matching /$re/"
	elif [ -z "$re" ] && [ ! -s "$T/out/$name.err" ]; then
		not_ok "$name" "expected a message on stderr"
	else
		ok "$name"
	fi
}
CONF_DANE=$T/conf/dane.conf
write_conf "$CONF_DANE" TLSATarget _25._tcp.mx.good.test TLSCertificate "$W_TLS_CERT,$W_TLS_CA"
dane_exit_case dane_target_and_chain_from_config 0 "^result: pass " -c "$CONF_DANE"
dane_exit_case dane_text_names_the_correct_3_1_1 1 "^leaf public key +SHA2-256: $W_TLS_SPKI_SHA256 " \
	-c "$CONF" --tlsa _25._tcp.old.good.test --cert "$W_TLS_CHAIN"
dane_exit_case dane_unreadable_certificate_exits_65 65 "" -c "$CONF" \
	--tlsa _25._tcp.mx.good.test --cert "$T/no-such-chain.pem"
dane_exit_case dane_key_without_certificate_exits_65 65 "" -c "$CONF" \
	--tlsa _25._tcp.mx.good.test --cert "$W_TLS_KEY"
dane_exit_case dane_missing_cert_exits_64 64 "" -c "$CONF" --tlsa _25._tcp.mx.good.test
dane_exit_case dane_bad_tlsa_name_exits_64 64 "" -c "$CONF" --tlsa mx.good.test \
	--cert "$W_TLS_CHAIN"
printf 'Resolver 127.0.0.1@%s\nTLSATarget mx.good.test\n' "$W_UNBOUND_PORT" >"$T/conf/dane-bad.conf"
dane_exit_case dane_bad_config_exits_78 78 "" -c "$T/conf/dane-bad.conf" \
	--tlsa _25._tcp.mx.good.test --cert "$W_TLS_CHAIN"

# --- hostile and broken input: a clear error or a defined verdict, never a crash
# exit_case NAME EXPECTED-STATUS ARGS... -- dmarctls-check ARGS must exit so
exit_case() {
	local name=$1 want=$2 rc
	shift 2
	if [ -n "${DT_INTEG_FILTER:-}" ] && ! [[ $name =~ $DT_INTEG_FILTER ]]; then
		return 0
	fi
	timeout "$CASE_TIMEOUT" "$CHECK" "$@" >"$T/out/$name.out" 2>"$T/out/$name.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ -s "$T/out/$name.err" ]; then
		ok "$name"
	else
		not_ok "$name" "expected exit $want with a message on stderr, got $rc"
	fi
}
exit_case unreadable_message_exits_65 65 -c "$CONF" --ip $PASS_IP --json "$T/msg/no-such.eml"
exit_case directory_as_message_exits_65 65 -c "$CONF" --ip $PASS_IP --json "$T/msg"
exit_case bad_client_address_exits_64 64 -c "$CONF" --ip 192.0.2.300 --json "$m"
printf 'Resolver 127.0.0.1@%s\nNoSuchKey yes\n' "$W_UNBOUND_PORT" >"$T/conf/bad.conf"
exit_case unknown_config_key_exits_78 78 -c "$T/conf/bad.conf" --ip $PASS_IP --json "$m"

# Deterministic junk bytes (AES-CTR of zeros): no header field, so no From.
m=$T/msg/binary_junk.eml
head -c 65536 /dev/zero | openssl enc -aes-128-ctr -nosalt \
    -K 000102030405060708090a0b0c0d0e0f -iv 0 2>/dev/null >"$m"
run_case binary_junk_is_permerror "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	'$rc' 2 .action reject .dmarc.result permerror '.dmarc_all|length' 0 \
	'.headers[0]|test("dmarc=permerror")' true

m=$T/msg/truncated_in_from.eml
printf 'Subject: cut\r\nFrom: Alice <alice@goo' >"$m"
run_case truncated_inside_from_is_permerror "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	'$rc' 2 .action reject .dmarc.result permerror .spf.result pass

m=$T/msg/truncated_after_from.eml
printf 'From: Alice <alice@good.test>\r\nSubject: cut her' >"$m"
run_case truncated_headers_no_body_evaluates "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	'$rc' 0 .action accept .dmarc.result pass .dmarc.spf_aligned true

m=$T/msg/nul_in_from.eml
printf 'From: alice@evil.test\0@good.test\r\nSubject: nul\r\n\r\nbody\r\n' >"$m"
run_case nul_in_from_is_permerror "$CONF" "$m" $PASS_IP mx.good.test alice@good.test \
	'$rc' 2 .dmarc.result permerror '.dmarc_all|length' 0

# 50 MB body, signed: hashed in full, and it passes.
m=$T/msg/big.plain.eml
{
	printf 'From: Alice <alice@good.test>\r\nSubject: fifty megabytes\r\n\r\n'
	yes 'All work and no play makes a very large message body indeed.' | head -n 832000 |
	    sed 's/$/\r/'
} >"$m"
sign_file "$m" "$T/msg/big.eml" good.test rsa "$W_KEY_RSA2048"
run_case fifty_megabyte_message_passes "$CONF" "$T/msg/big.eml" $FAIL_IP mx.good.test \
	alice@good.test '$rc' 0 .dkim[0].result pass .dmarc.result pass
rm -f "$m" "$T/msg/big.eml"

summary_and_exit
