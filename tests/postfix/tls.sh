#!/bin/bash
#
# NAME
#	tls.sh -- TLS state, DANE self-check and the REQUIRETLS recipe
#	behind real Postfix instances, end to end
#
# SYNOPSIS
#	tests/postfix/tls.sh BUILDDIR
#
# DESCRIPTION
#	The companion of run.sh for issue 4. BUILDDIR holds the built
#	dmarctls-milter and tests/integration/dt-sign. The script re-executes
#	itself in a private network, mount and PID namespace (only `lo`), and
#	runs there:
#
#	  - the signed DNS world of tests/integration/world.sh (nsd on 5353,
#	    a validating unbound on 5354), plus a second validating unbound
#	    on 127.0.0.1:53, because Postfix's resolver (libc) asks port 53
#	    only; /etc/resolv.conf (bind-mounted, private) points there with
#	    "options edns0 trust-ad";
#	  - dmarctls-milter on inet:8893@127.0.0.1 with TLSATarget
#	    _25._tcp.mx.good.test, TLSCertificate = the chain Postfix A
#	    serves, TrustedNetworks 127.0.0.1 (the "internal" client);
#	  - Postfix A (postfix -c DIR): run.sh's main.cf.in and master.cf.in,
#	    contrib/postfix/main.cf.dmarctls and master.cf.dmarctls (smtp on
#	    2525), and the REQUIRETLS recipe: contrib/postfix/main.cf.requiretls,
#	    milter_header_checks and master.cf.requiretls (the dane-only
#	    transport), all unchanged but for paths and service names. A serves
#	    the world's mx.good.test chain (W_TLS_CHAIN) for STARTTLS, asks for
#	    client certificates and trusts those of a client CA made here;
#	    mail for receiver.test goes to a Maildir, mail for mx.good.test,
#	    old.good.test and mail.good.test is relayed;
#	  - Postfix B, the next hop: port 25 on 192.0.2.25 (mx.good.test),
#	    192.0.2.26 (old.good.test) and 192.0.2.2 (mail.good.test), the
#	    addresses world.sh publishes, added to `lo`; B serves the same
#	    chain, which matches the TLSA records of mx.good.test, not those of
#	    old.good.test (the old key), and mail.good.test has none.
#
#	The TLS cases check the second Authentication-Results field (x-tls,
#	x-dane) in messages A delivers, for TLS 1.3, TLS 1.2, a trusted and an
#	untrusted client certificate, and plaintext, and the fate of
#	Require-TLS-ESMTP and TLS-Required fields. The REQUIRETLS cases send
#	relay mail through A and check where it went: to B over DANE, deferred
#	in A's queue with the reason, or (no marker) through the ordinary smtp
#	transport.
#
#	Output, one line per case: "ok - NAME" or "not ok - NAME (expected
#	..., got ...)", with "#" lines of diagnostics after a failure, and a
#	last line "postfix-tls: N passed, M failed". Exit 0 only if M is 0.
#
#	Environment: DT_PF_KEEP=1 keeps the temporary directory and prints
#	its path; DT_PF_FILTER=RE runs only the cases whose name matches the
#	extended regex RE; DT_PF_EXAMPLE=FILE copies the header block of the
#	TLS 1.3 message (DANE pass, DMARC pass) to FILE (that is how
#	tests/postfix/example-delivered.txt is made).
#
# REQUIREMENTS
#	What run.sh needs: root, postfix, swaks with libnet-ssleay-perl,
#	openssl, jq, perl, nsd, unbound, ldnsutils, bind9-dnsutils, iproute2,
#	util-linux.

# The cleanup functions are called from traps.
# shellcheck disable=SC2317
set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
INTEG=$TOPDIR/tests/integration
CONTRIB=$TOPDIR/contrib/postfix

SMTP_PORT=2525			# A's smtp service (master.cf.dmarctls): milter
MILTER_PORT=8893		# the port main.cf.dmarctls names
AUTHSERV=mx.receiver.test	# AuthservID, and A's myhostname
RCPT=bob@receiver.test		# A's one mailbox
TLSA_OWNER=_25._tcp.mx.good.test	# the TLSA records of the chain A serves
# B's addresses: the A records of mx, old and mail.good.test in world.sh
B_ADDRS="192.0.2.25 192.0.2.26 192.0.2.2"
PASS_IP=192.0.2.10		# inside good.test's SPF records
FAIL_IP=198.51.100.7		# outside every test SPF record
TRUSTED_IP=127.0.0.1		# TrustedNetworks: connects without XCLIENT
DANE_TRIES=100			# x 0.1 s for the milter's first DANE check
SWAKS_TIMEOUT=30		# seconds for any one SMTP session
# DELIVERY_TRIES and MILTER_STOP_TRIES: tests/lib/postfix.sh

REPORT_PREFIX=postfix-tls
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/check.sh
. "$TOPDIR/tests/lib/check.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
# shellcheck source=../lib/messages.sh
. "$TOPDIR/tests/lib/messages.sh"
# shellcheck source=../lib/postfix.sh
. "$TOPDIR/tests/lib/postfix.sh"
builddir_arg "$@"
CHECK_FILTER=${DT_PF_FILTER:-}
CHECK_DIAG=postfix_diag
if [ -n "${DT_PF_EXAMPLE:-}" ]; then
	# an absolute path: the inner run starts in the same directory, but
	# say so rather than rely on it
	DT_PF_EXAMPLE=$(cd "$(dirname "$DT_PF_EXAMPLE")" && pwd)/$(basename "$DT_PF_EXAMPLE")
	export DT_PF_EXAMPLE
fi

# ---------------------------------------------------------------- namespace
postfix_namespace "$SRCDIR/tls.sh"

ip link set lo up || fatal namespace "cannot bring up lo"
for a in $B_ADDRS; do
	ip addr add "$a/32" dev lo || fatal namespace "cannot add $a to lo"
done

MILTER=$BUILDDIR/dmarctls-milter
SIGN=$BUILDDIR/tests/integration/dt-sign
postfix_prerequisites

T=$(mktemp -d /tmp/dmarctls-postfix-tls.XXXXXX) || fatal setup "mktemp failed"
chmod 755 "$T"			# Postfix daemons and virtual(8) walk in here
PF=$T/etc			# Postfix A's config_directory
B=$T/b				# everything of Postfix B
MAILDIR=$T/mail/bob		# A's mailbox
MILTER_LOG=$T/milter.log
MILTER_PID=""
POLICYD_PID=""
UB53_PID=""

export W_SRCDIR=$INTEG
# shellcheck source=../integration/world.sh
. "$INTEG/world.sh"

cleanup() {
	postfix_stop "$PF"
	postfix_stop "$B/etc"
	[ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
	[ -n "$POLICYD_PID" ] && kill "$POLICYD_PID" 2>/dev/null
	[ -n "$UB53_PID" ] && kill "$UB53_PID" 2>/dev/null
	world_stop
	keep_or_remove "$T" "${DT_PF_KEEP:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sanitizer_env

world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world (logs: $T/world)"

# Postfix's smtp(8) uses the libc resolver: port 53 only, and the AD bit
# only with trust-ad (smtp_dns_support_level = dnssec needs it).
resolver_on_53 "$T/unbound53.conf" "$T/unbound53.log" "$T/unbound53.pid"
rc=$?
UB53_PID=$RESOLVER53_PID
[ "$rc" -eq 0 ] || fatal world "the port-53 resolver did not come up"
private_resolv_conf "$T" "edns0 trust-ad" ||
    fatal world "cannot bind-mount a private /etc/resolv.conf"

# ------------------------------------------------------------------- milter
MCONF=$T/dmarctls.conf
milter_conf tests/postfix/tls.sh "inet:$MILTER_PORT@127.0.0.1" PidFile "$T/milter.pid" \
    TLSATarget "$TLSA_OWNER" TLSCertificate "$W_TLS_CHAIN" TrustedNetworks "$TRUSTED_IP" \
    RequireTLSHeader yes >"$MCONF"

"$MILTER" -f -c "$MCONF" >"$MILTER_LOG" 2>&1 &
MILTER_PID=$!
wait_port 127.0.0.1 "$MILTER_PORT" || {
	sed -n '1,5s/^/#   /p' "$MILTER_LOG"
	fatal milter "dmarctls-milter does not listen on $MILTER_PORT"
}

# The self-check runs in the background; the cases below expect its result
# in every message, so wait for the first one.
# dmarctls-policyd for the requiretls map of master.cf.requiretls
POLICYD=$BUILDDIR/dmarctls-policyd
POLICYD_LOG=$T/policyd.log
[ -x "$POLICYD" ] || fatal prerequisites "no $POLICYD: make dmarctls-policyd"
printf '%s\n' "# generated by tests/postfix/tls.sh" "Socket inet:8461@127.0.0.1" \
    "Resolver 127.0.0.1@$W_UNBOUND_PORT" "TrustAnchorFile $W_TA" \
    "UnboundConfigFile $W_UBCONF" "DNSTimeout 3" "Syslog no" >"$T/policyd.conf"
"$POLICYD" -f -c "$T/policyd.conf" >"$POLICYD_LOG" 2>&1 &
POLICYD_PID=$!
wait_port 127.0.0.1 8461 || {
	sed -n '1,5s/^/#   /p' "$POLICYD_LOG"
	fatal policyd "dmarctls-policyd does not listen on 8461"
}

CASE=milter_dane_self_check_passes
BAD=""
i=0
while [ $i -lt $DANE_TRIES ] && ! grep -q "DANE $TLSA_OWNER: " "$MILTER_LOG"; do
	sleep 0.1
	i=$((i + 1))
done
line=$(grep -m1 "DANE $TLSA_OWNER: " "$MILTER_LOG")
if [ "$line" = "dmarctls-milter[$MILTER_PID]: DANE $TLSA_OWNER: pass (2 of 2 usable records match the served chain)" ]; then
	ok "$CASE"
else
	not_ok "$CASE" "expected the milter to log 'DANE $TLSA_OWNER: pass', got '$line'"
fi

# ---------------------------------------------------------------------- tls
# The client side: a client CA A trusts (smtpd_tls_CAfile) and a client
# certificate it signed, and a self-signed stranger A cannot verify.
mkdir -p "$T/tls"
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=dmarctls client CA" -keyout "$T/tls/clientca.key" -out "$T/tls/clientca.pem" \
    >/dev/null 2>&1 ||
    ! openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=client.sender.test" -keyout "$T/tls/client.key" -out "$T/tls/client.csr" \
    >/dev/null 2>&1 ||
    ! openssl x509 -req -in "$T/tls/client.csr" -CA "$T/tls/clientca.pem" \
    -CAkey "$T/tls/clientca.key" -set_serial 2 -days 2 -out "$T/tls/client.pem" \
    >/dev/null 2>&1 ||
    ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=stranger.sender.test" -keyout "$T/tls/stranger.key" \
    -out "$T/tls/stranger.pem" >/dev/null 2>&1; then
	fatal tls "openssl could not make the client certificates"
fi
# Postfix reads its key as root before it drops privileges.
cp "$W_TLS_CHAIN" "$T/tls/server-chain.pem"
install -m 600 "$W_TLS_KEY" "$T/tls/server.key"

# ---------------------------------------------------------------- postfix A
# master_cf_base -- run.sh's master.cf.in without its second milter smtpd
master_cf_base() {
	sed -e '/^2526[[:space:]]/,/^[^[:space:]]/{/^2526[[:space:]]/d;/^[[:space:]]/d}' \
	    "$SRCDIR/master.cf.in"
}

mkdir -p "$PF"
postfix_dirs "$T"
{
	main_cf_base
	sed -e "s|/etc/postfix/|$PF/|g" "$CONTRIB/main.cf.requiretls"
} >"$PF/main.cf" || fatal postfix "cannot write A's main.cf"
cp "$CONTRIB/milter_header_checks" "$PF/milter_header_checks"
{
	master_cf_base
	master_cf_contrib "$SMTP_PORT" 2587
	sed -e "s|/etc/ssl/certs/ca-certificates.crt|$W_TLS_CA|" "$CONTRIB/master.cf.requiretls"
} >"$PF/master.cf" || fatal postfix "cannot write A's master.cf"

# What differs from run.sh's instance: the certificate the world's TLSA
# records describe, a client CA, relaying to the next hop B, and an
# SMTP client that may use TLS and logs it.
postconf -c "$PF" -e \
    "smtpd_tls_cert_file = $T/tls/server-chain.pem" \
    "smtpd_tls_key_file = $T/tls/server.key" \
    "smtpd_tls_CAfile = $T/tls/clientca.pem" \
    "relay_domains = mx.good.test old.good.test mail.good.test" \
    "smtp_tls_security_level = may" \
    "smtp_tls_loglevel = 1" ||
    fatal postfix "postconf -e failed"

# ---------------------------------------------------------------- postfix B
mkdir -p "$B/etc"
postfix_dirs "$B"
cat >"$B/etc/main.cf" <<EOF
# Postfix B, the next hop of tests/postfix/tls.sh
compatibility_level = 3.6
queue_directory = $B/spool
data_directory = $B/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $B
maillog_file = $B/maillog
myhostname = mx.good.test
mydestination =
inet_interfaces = ${B_ADDRS// /, }
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_relay_restrictions = reject_unauth_destination
virtual_mailbox_domains = mx.good.test old.good.test mail.good.test
virtual_mailbox_base = $B/mail
virtual_mailbox_maps = inline:{ bob@mx.good.test=mx/, bob@old.good.test=old/, bob@mail.good.test=mail/ }
virtual_uid_maps = static:$MAILUID
virtual_gid_maps = static:$MAILGID
virtual_minimum_uid = 1
local_transport = error:no local delivery here
alias_maps =
alias_database =
notify_classes =
delay_warning_time = 0
biff = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = $T/tls/server-chain.pem
smtpd_tls_key_file = $T/tls/server.key
smtpd_tls_loglevel = 1
EOF
{
	master_cf_base
	printf 'smtp      inet  n       -       n       -       -       smtpd\n'
} >"$B/etc/master.cf"

for d in "$PF" "$B/etc"; do
	postfix -c "$d" check >>"$T/postfix-ctl.log" 2>&1 ||
	    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal postfix "postfix check failed for $d"; }
done
touch "$T/spool/quick-start" "$B/spool/quick-start" 2>/dev/null
postfix_start "$B/etc" ||
    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal postfix "postfix start failed for B"; }
postfix_start "$PF" ||
    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal postfix "postfix start failed for A"; }
wait_port 127.0.0.1 "$SMTP_PORT" ||
    { sed -n '1,5s/^/#   /p' "$T/maillog"; fatal postfix "A does not listen on $SMTP_PORT"; }
for a in $B_ADDRS; do
	wait_port "$a" 25 ||
	    { sed -n '1,5s/^/#   /p' "$B/maillog"; fatal postfix "B does not listen on $a:25"; }
done

# The instance really uses the recipe (a typo there fails here).
got=$(postconf -c "$PF" -h milter_header_checks smtpd_milters | tr '\n' ' ')
want_mhc="regexp:$PF/milter_header_checks inet:127.0.0.1:$MILTER_PORT "
if [ "$got" = "$want_mhc" ] && postconf -c "$PF" -M dane-only/unix >/dev/null 2>&1 &&
    [ -n "$(postconf -c "$PF" -M dane-only/unix)" ]; then
	ok postfix_uses_contrib_requiretls_recipe
else
	not_ok postfix_uses_contrib_requiretls_recipe "got '$got', dane-only: '$(postconf -c "$PF" -M dane-only/unix 2>&1)'"
fi

# ----------------------------------------------------------------- messages
mkdir -p "$T/msg" "$T/out"

# Each message's Message-ID names the case (<NAME@postfix.test>: delivered
# finds it so).
MSG_DIR=$T/msg
MSG_TO=$RCPT
MSG_SUBJECT="dmarctls postfix TLS case"
MSG_DOMAIN=postfix.test
MSG_BODY="This message was written by tests/postfix/tls.sh
for the case @NAME@."

# signed_to NAME TO [FIELD]... -- a message to TO signed by good.test
# (selector rsa); prints the signed file's path.
signed_to() {
	local name=$1 MSG_TO=$2
	shift 2
	signed "$name" good.test rsa "$W_KEY_RSA2048" "$@"
}

# send NAME FILE MAILFROM RCPT [SWAKS-ARGS]... -- one message to A's smtp
# service; sets RC (swaks' status) and QID (from "queued as").
send() {
	local name=$1 file=$2 mf=$3 rcpt=$4
	shift 4
	OUT=$T/out/$name.swaks
	timeout "$SWAKS_TIMEOUT" swaks --server 127.0.0.1 --port "$SMTP_PORT" \
	    --from "$mf" --to "$rcpt" --data "@$file" "$@" >"$OUT" 2>&1
	RC=$?
	QID=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$OUT" | head -1)
}

# from_outside NAME FILE MAILFROM [SWAKS-ARGS]... -- send as an
# unauthenticated client on the Internet (XCLIENT ADDR=$FAIL_IP) to A's mailbox
from_outside() {
	local name=$1 file=$2 mf=$3
	shift 3
	send "$name" "$file" "$mf" "$RCPT" --helo mail.sender.test --xclient-addr "$FAIL_IP" "$@"
}

# deferred_reason QID -- A's delay_reason once the message is deferred
deferred_reason() {
	local i=0
	while [ $i -lt $DELIVERY_TRIES ]; do
		if [ "$(queue_of "$1")" = deferred ]; then
			postqueue -c "$PF" -j 2>/dev/null | jq -r --arg q "$1" \
			    'select(.queue_id == $q) | .recipients[0].delay_reason'
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# filter_line QID -- A's log line of a FILTER action in milter_header_checks
filter_line() {
	grep -F " $1: milter-header-filter: " "$T/maillog"
}

# delivery_line QID -- A's log line of the delivery attempt ("to=<...>")
delivery_line() {
	grep -F " $1: to=<" "$T/maillog" | tail -1
}

# The TLS A-R field, for the DANE self-check that passes
DANE_PASS="; x-dane=pass smtp\\.tlsa=_25\\._tcp\\.mx\\.good\\.test$"
TLS13="x-tls=pass smtp\\.version=TLSv1\\.3 smtp\\.cipher=TLS_AES_256_GCM_SHA384 smtp\\.bits=256"

# ==================================================================== cases
# --- TLS 1.3, no client certificate: x-tls=pass with the session's
# version, cipher and bits, x-dane=pass, no certificate comment. This is
# also the message of example-delivered.txt.
if case_begin tls13_ar_has_version_cipher_bits_and_dane_pass; then
	m=$(signed_to tls13 "$RCPT" "From: Alice <alice@good.test>")
	# from inside good.test's SPF records, so that the example reads well
	send "$CASE" "$m" alice@good.test "$RCPT" --helo mail.good.test \
	    --xclient-addr "$PASS_IP" --tls
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" tls13); then
		want "our TLS A-R" "$(ar_tls "$f")" \
		    "Authentication-Results: $AUTHSERV; x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384 smtp.bits=256; x-dane=pass smtp.tlsa=$TLSA_OWNER"
		want_re "our DMARC A-R" "$(ar_dmarc "$f")" \
		    "; spf=pass smtp\\.mailfrom=good\\.test; spf=pass smtp\\.helo=mail\\.good\\.test; dkim=pass header\\.d=good\\.test .* dmarc=pass "
		# the DMARC field first, the TLS one under it, both above Received
		want "first fields" "$(fields "$f" | sed -n '4,6s/:.*//p' | tr '\n' ' ')" \
		    "Authentication-Results Authentication-Results Received "
		want_re "field 5" "$(fields "$f" | sed -n 5p)" " x-tls=pass "
		tr -d '\r' <"$f" | sed '/^$/q' | sed '$d' >"$T/example-delivered.txt"
		if [ -n "${DT_PF_EXAMPLE:-}" ]; then
			cp "$T/example-delivered.txt" "$DT_PF_EXAMPLE" ||
			    bad "cannot write $DT_PF_EXAMPLE"
		fi
	else
		bad "not delivered"
	fi
	want_re "milter log line" "$(milter_line "$QID")" "dmarc=pass .* tls=TLSv1\\.3 "
	case_end
fi

# --- TLS 1.2 (the client offers nothing newer)
if case_begin tls12_ar_names_tlsv1_2; then
	m=$(msg tls12 "From: x@org.test")
	from_outside "$CASE" "$m" x@org.test --tls --tls-protocol tlsv1_2
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" tls12); then
		want_re "our TLS A-R" "$(ar_tls "$f")" \
		    "; x-tls=pass smtp\\.version=TLSv1\\.2 smtp\\.cipher=ECDHE-ECDSA-AES256-GCM-SHA384 smtp\\.bits=256$DANE_PASS"
	else
		bad "not delivered"
	fi
	want_re "maillog" "$(grep -F 'TLS connection established from' "$T/maillog" | tail -1)" \
	    ": TLSv1\\.2 with cipher "
	case_end
fi

# --- a client certificate A verifies: {cert_subject} and {cert_issuer}
# (CNs) in the comment
if case_begin trusted_client_cert_cn_in_comment; then
	m=$(msg ccert "From: x@org.test")
	from_outside "$CASE" "$m" x@org.test --tls \
	    --tls-cert "$T/tls/client.pem" --tls-key "$T/tls/client.key"
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" ccert); then
		want_re "our TLS A-R" "$(ar_tls "$f")" \
		    "; $TLS13 \\(client certificate client\\.sender\\.test, issuer dmarctls client CA\\)$DANE_PASS"
	else
		bad "not delivered"
	fi
	want_re "maillog" "$(grep -F 'TLS connection established from' "$T/maillog" | tail -1)" \
	    "^.*: Trusted TLS connection established"
	case_end
fi

# --- a client certificate A cannot verify: TLS, but Postfix sends no
# certificate macros, so no name appears
if case_begin untrusted_client_cert_not_named; then
	m=$(msg stranger "From: x@org.test")
	from_outside "$CASE" "$m" x@org.test --tls \
	    --tls-cert "$T/tls/stranger.pem" --tls-key "$T/tls/stranger.key"
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" stranger); then
		want_re "our TLS A-R" "$(ar_tls "$f")" "; $TLS13$DANE_PASS"
		want "fields naming the stranger" "$(fields "$f" | grep -c 'stranger\.sender\.test')" 0
	else
		bad "not delivered"
	fi
	want_re "maillog" "$(grep -F 'TLS connection established from' "$T/maillog" | tail -1)" \
	    "^.*: Untrusted TLS connection established"
	case_end
fi

# --- plaintext: x-tls=none; the DANE self-check is about us, not the
# session, so it is still reported
if case_begin plaintext_ar_x_tls_none; then
	m=$(msg plain "From: x@org.test")
	from_outside "$CASE" "$m" x@org.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" plain); then
		want "our TLS A-R" "$(ar_tls "$f")" \
		    "Authentication-Results: $AUTHSERV; x-tls=none (plaintext SMTP session); x-dane=pass smtp.tlsa=$TLSA_OWNER"
		want_re "Received" "$(fields "$f" | grep -m1 '^Received:')" " with ESMTP id "
	else
		bad "not delivered"
	fi
	want_re "milter log line" "$(milter_line "$QID")" " tls=none "
	case_end
fi

# --- a stranger's REQUIRETLS fields on a DMARC failure (p=none, so
# delivered): Require-TLS-ESMTP (a forced route, a denial) and
# TLS-Required: No (a downgrade) are both gone
if case_begin forged_requiretls_fields_removed_on_dmarc_fail; then
	m=$(msg forged_tlsreq "From: x@org.test" "Require-TLS-ESMTP: yes" "TLS-Required: No")
	from_outside "$CASE" "$m" x@org.test --tls
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" forged_tlsreq); then
		want "Require-TLS-ESMTP fields" "$(count_field "$f" Require-TLS-ESMTP)" 0
		want "TLS-Required fields" "$(count_field "$f" TLS-Required)" 0
		want_re "our DMARC A-R" "$(ar_dmarc "$f")" " dmarc=fail \\(p=none "
		want_no_re "our TLS A-R" "$(ar_tls "$f")" "requiretls"
	else
		bad "not delivered"
	fi
	want_re "milter log" "$(grep -F " $QID: removed 1 incoming Require-TLS-ESMTP" "$MILTER_LOG")" \
	    "removed 1 incoming Require-TLS-ESMTP field\\(s\\)$"
	want_re "milter log" "$(grep -F " $QID: removed TLS-Required" "$MILTER_LOG")" \
	    "removed TLS-Required: TLS-Required from an untrusted client without a DMARC pass"
	want "milter_header_checks FILTER" "$(filter_line "$QID")" ""
	case_end
fi

# --- TLS-Required: No with a DMARC pass: the author asked for it, kept;
# the stranger's Require-TLS-ESMTP still goes
if case_begin tls_required_no_kept_with_dmarc_pass; then
	m=$(signed_to tlsreq_pass "$RCPT" "From: Alice <alice@good.test>" "Require-TLS-ESMTP: yes" \
	    "TLS-Required: No")
	from_outside "$CASE" "$m" alice@good.test --tls
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" tlsreq_pass); then
		want "TLS-Required fields" "$(fields "$f" | grep -c '^TLS-Required: No$')" 1
		want "Require-TLS-ESMTP fields" "$(count_field "$f" Require-TLS-ESMTP)" 0
		want_re "our DMARC A-R" "$(ar_dmarc "$f")" " dmarc=pass "
	else
		bad "not delivered"
	fi
	case_end
fi

# --------------------------------------------------------------- REQUIRETLS
# Relay mail from the trusted client (TrustedNetworks 127.0.0.1, no
# XCLIENT) through A to B. Signed by good.test: DMARC passes.
# from_inside NAME FILE RCPT [SWAKS-ARGS]...
from_inside() {
	local name=$1 file=$2 rcpt=$3
	shift 3
	send "$name" "$file" alice@good.test "$rcpt" --helo internal.receiver.test "$@"
}

# --- the trusted client's Require-TLS-ESMTP: yes: the milter writes its
# own, milter_header_checks sends it to dane-only, B's TLSA matches: sent
if case_begin requiretls_marked_sent_over_dane_when_tlsa_matches; then
	m=$(signed_to rt_dane bob@mx.good.test "From: Alice <alice@good.test>" "Require-TLS-ESMTP: yes")
	from_inside "$CASE" "$m" bob@mx.good.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$B/mail/mx" rt_dane); then
		want "Require-TLS-ESMTP fields at B" "$(fields "$f" | grep -c '^Require-TLS-ESMTP: yes$')" 1
		want_re "A's DMARC A-R at B" "$(ar_dmarc "$f")" " dmarc=pass "
	else
		bad "not delivered"
	fi
	want_re "milter log" "$(grep -F " $QID: removed 1 incoming Require-TLS-ESMTP" "$MILTER_LOG")" \
	    "field\\(s\\), wrote ours$"
	want_re "A's milter_header_checks" "$(filter_line "$QID")" \
	    "postfix/cleanup\\[[0-9]+\\]: $QID: milter-header-filter: header Require-TLS-ESMTP: yes from unknown\\[127\\.0\\.0\\.1\\]; .*: dane-only:$"
	want_re "A's delivery" "$(delivery_line "$QID")" \
	    "postfix/dane-only/smtp\\[[0-9]+\\]: $QID: to=<bob@mx\\.good\\.test>, relay=mx\\.good\\.test\\[192\\.0\\.2\\.25\\]:25, .* status=sent "
	want_re "A's TLS log" "$(grep 'postfix/dane-only/smtp' "$T/maillog" | grep -F 'TLS connection established to mx.good.test' | tail -1)" \
	    ": Verified TLS connection established to mx\\.good\\.test\\[192\\.0\\.2\\.25\\]:25: TLSv1\\.3 "
	case_end
fi

# --- the same to old.good.test, whose TLSA names the replaced key: the
# certificate does not match, the message waits in A's queue
if case_begin requiretls_marked_deferred_when_tlsa_mismatch; then
	m=$(signed_to rt_old bob@old.good.test "From: Alice <alice@good.test>" "Require-TLS-ESMTP: yes")
	from_inside "$CASE" "$m" bob@old.good.test
	want "swaks status" "$RC" 0
	if r=$(deferred_reason "$QID"); then
		want "delay_reason" "$r" "Server certificate not verified"
	else
		bad "not deferred: queue '$(queue_of "$QID")'"
	fi
	want_re "A's delivery" "$(delivery_line "$QID")" \
	    "postfix/dane-only/smtp\\[[0-9]+\\]: $QID: to=<bob@old\\.good\\.test>, relay=old\\.good\\.test\\[192\\.0\\.2\\.26\\]:25, .* dsn=4\\.7\\.5, status=deferred \\(Server certificate not verified\\)$"
	want_re "A's TLS log" "$(grep -F 'verification failed for old.good.test' "$T/maillog" | tail -1)" \
	    "postfix/dane-only/smtp\\[[0-9]+\\]: server certificate verification failed for old\\.good\\.test\\[192\\.0\\.2\\.26\\]:25: num=65:no matching DANE TLSA records$"
	want "delivered at B" "$(grep -l -s -F '<rt_old@postfix.test>' "$B"/mail/old/new/* | wc -l)" 0
	case_end
fi

# --- the same to mail.good.test, which publishes no TLSA records (in a
# signed zone) and no MTA-STS policy: the requiretls map answers TEMP,
# deferred
if case_begin requiretls_marked_deferred_without_tlsa; then
	m=$(signed_to rt_notlsa bob@mail.good.test "From: Alice <alice@good.test>" "Require-TLS-ESMTP: yes")
	from_inside "$CASE" "$m" bob@mail.good.test
	want "swaks status" "$RC" 0
	if r=$(deferred_reason "$QID"); then
		want "delay_reason" "$r" "client TLS configuration problem"
	else
		bad "not deferred: queue '$(queue_of "$QID")'"
	fi
	want_re "A's delivery" "$(delivery_line "$QID")" \
	    "postfix/dane-only/smtp\\[[0-9]+\\]: $QID: to=<bob@mail\\.good\\.test>, relay=none, .* dsn=4\\.7\\.5, status=deferred \\(client TLS configuration problem\\)$"
	want_re "A's policy lookup" "$(grep -F 'next-hop destination "mail.good.test"' "$T/maillog" | tail -1)" \
	    "postfix/dane-only/smtp\\[[0-9]+\\]: warning: smtp_tls_policy_maps, next-hop destination \"mail\\.good\\.test\": policy table lookup error$"
	want "delivered at B" "$(grep -l -s -F '<rt_notlsa@postfix.test>' "$B"/mail/mail/new/* | wc -l)" 0
	case_end
fi

# --- no marker: the ordinary smtp transport, opportunistic TLS, delivered
# to old.good.test in spite of its stale TLSA
if case_begin unmarked_mail_not_forced_through_dane; then
	m=$(signed_to rt_plain bob@old.good.test "From: Alice <alice@good.test>")
	from_inside "$CASE" "$m" bob@old.good.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$B/mail/old" rt_plain); then
		want "Require-TLS-ESMTP fields at B" "$(count_field "$f" Require-TLS-ESMTP)" 0
	else
		bad "not delivered"
	fi
	want "A's milter_header_checks FILTER" "$(filter_line "$QID")" ""
	want_re "A's delivery" "$(delivery_line "$QID")" \
	    "postfix/smtp\\[[0-9]+\\]: $QID: to=<bob@old\\.good\\.test>, relay=old\\.good\\.test\\[192\\.0\\.2\\.26\\]:25, .* status=sent "
	case_end
fi

# --- a stranger's Require-TLS-ESMTP on relay mail: removed, not
# rewritten, so it routes nothing (no FILTER) and B never sees it
if case_begin forged_require_tls_esmtp_routes_nothing; then
	m=$(signed_to rt_forged bob@old.good.test "From: Alice <alice@good.test>" "Require-TLS-ESMTP: yes")
	send "$CASE" "$m" alice@good.test bob@old.good.test --helo mail.sender.test \
	    --xclient-addr "$FAIL_IP" --tls
	want "swaks status" "$RC" 0
	if f=$(delivered "$B/mail/old" rt_forged); then
		want "Require-TLS-ESMTP fields at B" "$(count_field "$f" Require-TLS-ESMTP)" 0
	else
		bad "not delivered"
	fi
	want "A's milter_header_checks FILTER" "$(filter_line "$QID")" ""
	want_re "A's delivery" "$(delivery_line "$QID")" "postfix/smtp\\[[0-9]+\\]: $QID: .* status=sent "
	case_end
fi

# ----------------------------------------------------------------- shutdown
CASE=postfix_log_no_milter_trouble
BAD=""
want "milter warnings in A's maillog" \
    "$(milter_warnings)" ""
case_end

CASE=milter_stops_cleanly_on_sigterm
BAD=""
stop_milter "$MILTER_PID" "$MILTER_LOG"
MILTER_PID=""
case_end

postfix_stop "$PF"
postfix_stop "$B/etc"
summary_and_exit
