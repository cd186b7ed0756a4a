#!/bin/bash
#
# NAME
#	run.sh -- dmarctls-milter behind a real Postfix, end to end
#
# SYNOPSIS
#	tests/postfix/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR holds the built dmarctls-milter, dmarctls-check and
#	tests/integration/dt-sign. Like tests/integration/run.sh, the script
#	re-executes itself in a private network, mount and PID namespace, so
#	only `lo` exists and every server dies with it. Inside it runs:
#
#	  - the signed DNS world of tests/integration/world.sh (nsd on 5353,
#	    a validating unbound on 5354);
#	  - dmarctls-milter on inet:8893@127.0.0.1, logging to a file;
#	  - a private Postfix 3.7 (postfix -c DIR) built from main.cf.in and
#	    master.cf.in here plus, unchanged, contrib/postfix/main.cf.dmarctls
#	    and the service lines of contrib/postfix/master.cf.dmarctls
#	    (smtp on 2525 with the milter, submission on 2587 without it),
#	    listening on 127.0.0.1 and [::1], STARTTLS with a self-signed
#	    certificate, XCLIENT from loopback, virtual(8) into a Maildir.
#
#	Messages go in with swaks (one per session) or smtp-session.pl
#	(several per session). The test client presents documentation-range
#	addresses with XCLIENT, because libspf2 passes loopback clients
#	unconditionally. Each case asserts what the SMTP client was told, what
#	was delivered (the header fields of the Maildir file, in order), what
#	sits in the hold queue, and the milter's log line for the message.
#
#	Output, one line per case: "ok - NAME" or "not ok - NAME (expected
#	..., got ...)", with "#" lines of diagnostics after a failure, and a
#	last line "postfix: N passed, M failed". Exit 0 only if M is 0.
#
#	Environment: DT_PF_KEEP=1 keeps the temporary directory (Postfix
#	config, queue, Maildir, maillog, milter log, transcripts) and prints
#	its path; DT_PF_FILTER=RE runs only the cases whose name matches the
#	extended regex RE (the setup and shutdown checks always run).
#
# REQUIREMENTS
#	root (Postfix's master runs as root and changes to the postfix user),
#	postfix, swaks with libnet-ssleay-perl, openssl, jq, perl, and what
#	tests/integration/run.sh needs (nsd, unbound, ldnsutils,
#	bind9-dnsutils, iproute2, util-linux).

# The perl one-liner is single-quoted on purpose; the cleanup functions
# are called from traps.
# shellcheck disable=SC2016,SC2317
set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
INTEG=$TOPDIR/tests/integration

SMTP_PORT=2525			# smtp service of master.cf.dmarctls: milter
SUBMIT_PORT=2587		# submission service: no milter
ALT_PORT=2526			# smtpd with the second milter (master.cf.in)
MILTER_PORT=8893		# the port main.cf.dmarctls names
ALT_MILTER_PORT=8894		# the milter with the non-default settings
AUTHSERV=mx.receiver.test	# AuthservID, and Postfix's myhostname
RCPT=bob@receiver.test		# the one virtual mailbox
PASS_IP=192.0.2.10		# inside every test SPF record
PASS_IP6=2001:db8::25
FAIL_IP=198.51.100.7		# outside them
SWAKS_TIMEOUT=30		# seconds for any one SMTP session
# DELIVERY_TRIES and MILTER_STOP_TRIES: tests/lib/postfix.sh

REPORT_PREFIX=postfix
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

# ---------------------------------------------------------------- namespace
postfix_namespace "$SRCDIR/run.sh"

ip link set lo up || fatal namespace "cannot bring up lo"

MILTER=$BUILDDIR/dmarctls-milter
CHECK=$BUILDDIR/dmarctls-check
SIGN=$BUILDDIR/tests/integration/dt-sign
postfix_prerequisites
[ -x "$CHECK" ] || fatal prerequisites "no $CHECK: make dmarctls-check"

T=$(mktemp -d /tmp/dmarctls-postfix.XXXXXX) || fatal setup "mktemp failed"
# Postfix daemons (user postfix) and virtual(8) (user nobody) walk in here.
chmod 755 "$T"
PF=$T/etc			# Postfix config_directory
MAILDIR=$T/mail/bob
MILTER_LOG=$T/milter.log
ALT_LOG=$T/milter-alt.log
MILTER_PID=""
ALT_PID=""

export W_SRCDIR=$INTEG
# shellcheck source=../integration/world.sh
. "$INTEG/world.sh"

cleanup() {
	postfix_stop "$PF"
	[ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
	[ -n "$ALT_PID" ] && kill "$ALT_PID" 2>/dev/null
	world_stop
	keep_or_remove "$T" "${DT_PF_KEEP:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Neither Postfix nor anything else may reach a resolver outside: the
# system resolver points at loopback port 53, where nothing listens.
private_resolv_conf "$T" 2>/dev/null || true

sanitizer_env

world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world (logs: $T/world)"

# ------------------------------------------------------------------- milter
MCONF=$T/dmarctls.conf
ALT_CONF=$T/dmarctls-alt.conf
milter_conf tests/postfix/run.sh "inet:$MILTER_PORT@127.0.0.1" PidFile "$T/milter.pid" \
    TempfailOnDNSError yes RejectOnNoFrom yes Quarantine hold >"$MCONF"
milter_conf tests/postfix/run.sh "inet:$ALT_MILTER_PORT@127.0.0.1" TempfailOnDNSError no \
    RejectFailures no Quarantine header >"$ALT_CONF"

if "$MILTER" -n -c "$MCONF" >"$T/milter-n.log" 2>&1; then
	ok milter_config_check_exits_0
else
	not_ok milter_config_check_exits_0 "dmarctls-milter -n exited $?"
	sed -n '1,3s/^/#   /p' "$T/milter-n.log"
fi

"$MILTER" -f -c "$MCONF" >"$MILTER_LOG" 2>&1 &
MILTER_PID=$!
"$MILTER" -f -c "$ALT_CONF" >"$ALT_LOG" 2>&1 &
ALT_PID=$!
wait_port 127.0.0.1 "$MILTER_PORT" || {
	sed -n '1,5s/^/#   /p' "$MILTER_LOG"
	fatal milter "dmarctls-milter does not listen on $MILTER_PORT"
}
wait_port 127.0.0.1 "$ALT_MILTER_PORT" || {
	sed -n '1,5s/^/#   /p' "$ALT_LOG"
	fatal milter "dmarctls-milter does not listen on $ALT_MILTER_PORT"
}

# ------------------------------------------------------------------ postfix
# TLS: a server certificate, and a client certificate that is its own CA
# (smtpd_tls_CAfile) so that Postfix verifies it and sends {cert_subject}.
mkdir -p "$T/tls"
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$AUTHSERV" \
    -keyout "$T/tls/server.key" -out "$T/tls/server.crt" >/dev/null 2>&1 ||
    ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=client.sender.test" \
    -keyout "$T/tls/client.key" -out "$T/tls/client.crt" >/dev/null 2>&1; then
	fatal tls "openssl req failed"
fi
chmod 600 "$T/tls/server.key"

mkdir -p "$PF"
postfix_dirs "$T"
main_cf_base >"$PF/main.cf" || fatal postfix "cannot write main.cf"
# The contrib service lines: rename the services to test ports, unchroot.
{
	cat "$SRCDIR/master.cf.in"
	master_cf_contrib "$SMTP_PORT" "$SUBMIT_PORT"
} >"$PF/master.cf" || fatal postfix "cannot write master.cf"
if ! grep -q "^$SMTP_PORT " "$PF/master.cf" || ! grep -q "^$SUBMIT_PORT " "$PF/master.cf"; then
	fatal postfix "master.cf.dmarctls no longer has the smtp and submission services"
fi

postfix -c "$PF" check >"$T/postfix-ctl.log" 2>&1 ||
    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal postfix "postfix check failed"; }
touch "$T/spool/quick-start" 2>/dev/null
postfix_start "$PF" ||
    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal postfix "postfix start failed"; }
for hp in "127.0.0.1 $SMTP_PORT" "::1 $SMTP_PORT" "127.0.0.1 $SUBMIT_PORT" "127.0.0.1 $ALT_PORT"; do
	# shellcheck disable=SC2086
	if ! wait_port $hp; then
		sed -n '1,5s/^/#   /p' "$T/maillog"
		fatal postfix "smtpd does not listen on $hp"
	fi
done

# smtpd reads its parameters only when a client connects: a bad main.cf
# shows here as a connection without a banner.
banner=$(timeout 5 perl -MIO::Socket::IP -e '$s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
    PeerPort => $ARGV[0]) or exit 1; print scalar <$s>' "$SMTP_PORT" 2>/dev/null)
[[ $banner == "220 $AUTHSERV ESMTP"* ]] ||
    { grep -m3 -E 'fatal|warning' "$T/maillog" | sed 's/^/#   /'; fatal postfix "no SMTP banner on $SMTP_PORT"; }

# The instance really uses the contrib lines (a typo there fails here).
got=$(postconf -c "$PF" -h smtpd_milters milter_default_action milter_protocol | tr '\n' ' ')
if [ "$got" = "inet:127.0.0.1:$MILTER_PORT tempfail 6 " ]; then
	ok postfix_uses_contrib_main_cf
else
	not_ok postfix_uses_contrib_main_cf "got $got"
fi

# ----------------------------------------------------------------- messages
mkdir -p "$T/msg" "$T/out"

# Each message's Message-ID names the case (<NAME@postfix.test>: delivered
# finds it so); a dot-stuffed line checks the transparency of the session.
MSG_DIR=$T/msg
MSG_TO=$RCPT
MSG_SUBJECT="dmarctls postfix case"
MSG_DOMAIN=postfix.test
MSG_BODY="This message was written by tests/postfix/run.sh
for the case @NAME@.
.a line that starts with a dot (dot-stuffed on the wire)"

# ------------------------------------------------------------------ clients
# swaks_send NAME FILE IP HELO MAILFROM [SWAKS-ARGS]... -- one message
# to $PORT (default: the smtp service);
# sets RC (swaks' status), DATA_REPLY (the reply to the final "."; empty
# if the session never got there) and QID (from "queued as").
swaks_send() {
	local name=$1 file=$2 ip=$3 helo=$4 mf=$5
	shift 5
	OUT=$T/out/$name.swaks
	timeout "$SWAKS_TIMEOUT" swaks --server 127.0.0.1 --port "${PORT:-$SMTP_PORT}" \
	    --helo "$helo" --from "$mf" --to "$RCPT" --xclient-addr "$ip" \
	    --data "@$file" "$@" >"$OUT" 2>&1
	RC=$?
	# swaks prints the client's lines as " -> " (or " ~> " under TLS) and
	# the server's as "<- " (or "<** " for an error reply).
	DATA_REPLY=$(awk '/^ [-~]> \.\r?$/ { getline; sub(/^<[-~*]* +/, ""); sub(/\r$/, ""); print; exit }' "$OUT")
	QID=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$OUT" | head -1)
}

# session_send NAME HOST FILE IP HELO MAILFROM -- one message with
# smtp-session.pl (IO::Socket::IP: IPv6 without IO::Socket::INET6, which
# swaks would need); sets RC, DATA_REPLY and QID like swaks_send.
session_send() {
	local name=$1 host=$2 file=$3 ip=$4 helo=$5 mf=$6
	OUT=$T/out/$name.session
	timeout "$SWAKS_TIMEOUT" perl "$SRCDIR/smtp-session.pl" "$host" "$SMTP_PORT" \
	    "$ip" "$helo" "$mf:$RCPT:$file" >"$OUT" 2>&1
	RC=$?
	DATA_REPLY=$(grep -F "$file " "$OUT" | sed "s|^$file ||")
	QID=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$OUT" | head -1)
}

# ---------------------------------------------------------------- asserting
# Checks on a delivered file F for a case whose A-R must match REs.
# want_delivered_ar F ERE...
want_delivered_ar() {
	local f=$1 ar n
	shift
	ar=$(ar_dmarc "$f")
	n=$(printf '%s' "$ar" | grep -c '^')
	want "number of our A-R fields with dmarc=" "$n" 1
	for re in "$@"; do
		want_re "our A-R" "$ar" "$re"
	done
}

# Messages that must never reach the mailbox; checked once the queue is
# quiet, at the end (a wrongly accepted message may take a moment).
MUST_NOT_DELIVER=""

# ==================================================================== cases
REJECT_GOOD="550 5.7.1 Email rejected per DMARC policy for good.test"

# --- aligned DKIM pass: delivered, our A-R on top of the header
if case_begin dkim_aligned_pass_delivered_with_ar; then
	m=$(signed dkim_pass good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
	b=$(b_tag "$m")
	b8=$(printf '%s' "${b:0:8}" | sed 's/[+.]/\\&/g')
	swaks_send "$CASE" "$m" $FAIL_IP mail.sender.test alice@good.test
	want "swaks status" "$RC" 0
	want_re "reply to end of data" "$DATA_REPLY" "^250 2\\.0\\.0 Ok: queued as "
	if f=$(delivered "$MAILDIR" dkim_pass); then
		# virtual(8) prepends Return-Path, X-Original-To and
		# Delivered-To at delivery;
		# smfi_insheader(0) puts our field above the Received: field
		# Postfix's smtpd added, so it is the first field the MTA wrote.
		want "first header fields" "$(names "$f" | head -4 | tr '\n' ' ')" \
		    "Return-Path X-Original-To Delivered-To Authentication-Results "
		want_re "field 4" "$(fields "$f" | sed -n 4p)" "^Authentication-Results: $AUTHSERV; .* dmarc=pass "
		want "fields from 4 to the first Received" \
		    "$(names "$f" | sed -n '4,/^Received$/p' | sort -u | tr '\n' ' ')" \
		    "Authentication-Results Received "
		want_delivered_ar "$f" \
		    "^Authentication-Results: $AUTHSERV; " \
		    " spf=fail smtp\\.mailfrom=good\\.test;" \
		    " dkim=pass header\\.d=good\\.test header\\.s=rsa header\\.a=rsa-sha256 header\\.b=\"?$b8" \
		    " dmarc=pass \\(p=reject dis=none\\) header\\.from=good\\.test" \
		    "policy\\.dmarc=reject"
		# The same verdict as dmarctls-check for the same input.
		"$CHECK" -c "$MCONF" --ip $FAIL_IP --helo mail.sender.test \
		    --mail-from alice@good.test --authserv-id "$AUTHSERV" --json "$m" \
		    >"$T/out/$CASE.json" 2>/dev/null
		want "A-R of dmarctls-check, unfolded" \
		    "$(ar_dmarc "$f" | tr -s ' \t' '  ')" \
		    "$(jq -r '.headers[0]' "$T/out/$CASE.json" | tr -d '\r' | tr '\n\t' '  ' | tr -s ' ' |
		    sed 's/ *$//')"
		want "Received by" "$(fields "$f" | grep -m1 '^Received:' | grep -o "by $AUTHSERV")" \
		    "by $AUTHSERV"
	else
		bad "not delivered"
	fi
	ml=$(milter_line "$QID")
	want_re "milter log line" "$ml" \
	    "^dmarctls-milter\\[[0-9]+\\]: $QID: ip=$FAIL_IP helo=mail\\.sender\\.test from=good\\.test spf=fail dkim=pass dmarc=pass policy=reject action=accept( |$)"
	case_end
fi

# --- spoofing a p=reject domain: 550 at the client, nothing delivered
if case_begin dmarc_reject_spoof_gets_550; then
	m=$(msg spoof_reject "From: CEO <ceo@good.test>")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test ceo@good.test
	want "reply to end of data" "$DATA_REPLY" "$REJECT_GOOD"
	# swaks: 25 = the server refused the message after DATA
	want_re "swaks status" "$RC" '^2[56]$'
	want "queued" "$QID" ""
	want_re "maillog" "$(grep 'milter-reject: END-OF-MESSAGE' "$T/maillog" | grep -F 'from=<ceo@good.test>' | tail -1)" \
	    "5\\.7\\.1 Email rejected per DMARC policy for good\\.test"
	want_re "milter log" "$(grep 'from=good.test' "$MILTER_LOG" | grep "ip=$FAIL_IP helo=mail.attacker.test" | tail -1)" \
	    "spf=fail dkim=none dmarc=fail policy=reject action=reject( |$)"
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER spoof_reject"
	case_end
fi

# --- p=quarantine with Quarantine hold: accepted into the hold queue
if case_begin dmarc_quarantine_goes_to_hold_queue; then
	m=$(msg quarantine "From: x@quar.test")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test x@quar.test
	want "swaks status" "$RC" 0
	want_re "reply to end of data" "$DATA_REPLY" "^250 "
	want "queue of $QID" "$(queue_of "$QID")" hold
	want_re "maillog" "$(grep -F "$QID: milter-hold:" "$T/maillog")" "milter-hold: END-OF-MESSAGE"
	want_re "milter log line" "$(milter_line "$QID")" "from=quar\\.test .*dmarc=fail policy=quarantine action=quarantine( |$)"
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER quarantine"
	case_end
fi

# --- p=none failure: delivered, marked dmarc=fail
if case_begin dmarc_p_none_fail_delivered; then
	m=$(msg p_none "From: x@org.test")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test x@org.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" p_none); then
		want_delivered_ar "$f" " spf=fail smtp\\.mailfrom=org\\.test;" " dkim=none;" \
		    " dmarc=fail \\(p=none [^)]*dis=none\\) header\\.from=org\\.test" "policy\\.dmarc=none"
		want "X-Dmarctls-Quarantine fields" "$(names "$f" | grep -ci '^X-Dmarctls-Quarantine$')" 0
	else
		bad "not delivered"
	fi
	want_re "milter log line" "$(milter_line "$QID")" "from=org\\.test .*dmarc=fail policy=none action=accept( |$)"
	case_end
fi

# --- Authentication-Results fields: ours forged upstream are removed
# (RFC 8601 section 5), any other authserv-id's are kept, untouched.
if case_begin forged_ar_removed_foreign_ar_kept; then
	# Added in transit, above a valid signature (which then still
	# verifies whatever happens to these fields).
	m=$(signed forged_ar good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
	{
		echo "Authentication-Results: $AUTHSERV; dmarc=pass header.from=evil.test"
		echo "Authentication-Results: relay.other.test; spf=pass smtp.mailfrom=good.test"
		echo "Authentication-Results: MX.Receiver.TEST; dkim=pass header.d=evil.test"
		echo "Authentication-Results: $AUTHSERV;"
		echo " dmarc=pass (folded forgery) header.from=evil.test"
	} | sed 's/$/\r/' | cat - "$m" >"$T/msg/forged_ar.forged.eml"
	m=$T/msg/forged_ar.forged.eml
	swaks_send "$CASE" "$m" $FAIL_IP mail.sender.test alice@good.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" forged_ar); then
		want_re "first field after Delivered-To" "$(fields "$f" | sed -n 4p)" \
		    "^Authentication-Results: $AUTHSERV; .* dmarc=pass "
		want_delivered_ar "$f" " dkim=pass header\\.d=good\\.test" " dmarc=pass "
		want "A-R fields naming evil.test" "$(fields "$f" | grep -ci '^Authentication-Results:.*evil\.test')" 0
		want "the foreign A-R" "$(fields "$f" | grep -c '^Authentication-Results: relay\.other\.test; spf=pass smtp\.mailfrom=good\.test$')" 1
		want_re "milter log line" "$(milter_line "$QID")" "dkim=pass dmarc=pass .*removed_ar=3( |$)"
	else
		bad "not delivered"
	fi
	case_end
fi

# --- "Authentication-Results :" (blanks before the colon, obsolete syntax).
# Postfix's milter8 sends the name without the blanks, and cleanup_milter's
# header search matches names by is_header() length, which stops before
# them, so the milter's index names the same field: both spaced forgeries
# go, both foreign fields stay, in order.
if case_begin spaced_authres_name_deleted_by_the_right_index; then
	m=$(signed spaced_ar good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
	{
		echo "Authentication-Results: relay.other.test; spf=pass smtp.mailfrom=good.test"
		echo "Authentication-Results : $AUTHSERV; dmarc=pass (forged spaced) header.from=evil.test"
		echo "Authentication-Results: relay.other.test; dkim=pass header.d=good.test"
		printf 'Authentication-Results\t: %s; dkim=pass (forged tab) header.d=evil.test\n' "$AUTHSERV"
	} | sed 's/$/\r/' | cat - "$m" >"$T/msg/spaced_ar.forged.eml"
	swaks_send "$CASE" "$T/msg/spaced_ar.forged.eml" $FAIL_IP mail.sender.test alice@good.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" spaced_ar); then
		ar=$(tr -d '\r' <"$f" | sed '/^$/q' | grep -i '^Authentication-Results[[:space:]]*:')
		want "forged A-R fields left" "$(printf '%s\n' "$ar" | grep -c 'forged')" 0
		want "foreign A-R fields, in order" \
		    "$(printf '%s\n' "$ar" | grep -o 'relay\.other\.test; [a-z]*' | tr '\n' ' ')" \
		    "relay.other.test; spf relay.other.test; dkim "
		want_re "milter log line" "$(milter_line "$QID")" "removed_ar=2( |$)"
	else
		bad "not delivered"
	fi
	case_end
fi

# --- two From fields, one of a p=reject domain that fails: 550
if case_begin two_from_fields_one_reject_gets_550; then
	m=$(msg two_from "From: a@org.test" "From: b@good.test")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test a@org.test
	want "reply to end of data" "$DATA_REPLY" "$REJECT_GOOD"
	want "queued" "$QID" ""
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER two_from"
	case_end
fi

# --- DNSSEC-bogus domain: the policy cannot be retrieved, 451
if case_begin bogus_dns_gets_451; then
	m=$(msg bogus "From: x@bogus.test")
	swaks_send "$CASE" "$m" $PASS_IP mx.bogus.test x@bogus.test
	want "reply to end of data" "$DATA_REPLY" \
	    "451 4.7.5 DMARC policy for bogus.test could not be retrieved"
	want "queued" "$QID" ""
	want_re "maillog" "$(grep 'milter-reject: END-OF-MESSAGE' "$T/maillog" | grep -F 'from=<x@bogus.test>' | tail -1)" \
	    "4\\.7\\.5 DMARC policy for bogus\\.test could not be retrieved"
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER bogus"
	case_end
fi

# --- no usable author domain: RejectOnNoFrom yes rejects (permerror)
if case_begin no_from_domain_gets_550; then
	m=$(msg no_from_domain "From: undisclosed")
	swaks_send "$CASE" "$m" $PASS_IP mx.good.test alice@good.test
	want_re "reply to end of data" "$DATA_REPLY" "^550 5\\.7\\.1 "
	want "queued" "$QID" ""
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER no_from_domain"
	case_end
fi

# --- three messages in one SMTP session: each gets its own verdict
if case_begin three_messages_one_session_own_verdicts; then
	m1=$(signed sess1 good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
	m2=$(msg sess2 "From: CEO <ceo@good.test>")
	m3=$(msg sess3 "From: x@org.test")
	OUT=$T/out/$CASE.session
	timeout "$SWAKS_TIMEOUT" perl "$SRCDIR/smtp-session.pl" 127.0.0.1 "$SMTP_PORT" \
	    $FAIL_IP mail.sender.test "alice@good.test:$RCPT:$m1" \
	    "ceo@good.test:$RCPT:$m2" "x@org.test:$RCPT:$m3" >"$OUT" 2>&1
	want "smtp-session status" "$?" 0
	want_re "reply 1" "$(grep -F "$m1 " "$OUT")" " 250 2\\.0\\.0 Ok: queued as "
	want "reply 2" "$(grep -F "$m2 " "$OUT")" "$m2 $REJECT_GOOD"
	want_re "reply 3" "$(grep -F "$m3 " "$OUT")" " 250 2\\.0\\.0 Ok: queued as "
	if f=$(delivered "$MAILDIR" sess1); then
		want_delivered_ar "$f" " spf=fail smtp\\.mailfrom=good\\.test;" \
		    " dkim=pass header\\.d=good\\.test" " dmarc=pass .*header\\.from=good\\.test"
	else
		bad "message 1 not delivered"
	fi
	if f=$(delivered "$MAILDIR" sess3); then
		# nothing of messages 1 and 2 (the signature, good.test) may
		# leak into message 3's verdict
		want_delivered_ar "$f" " spf=fail smtp\\.mailfrom=org\\.test;" " dkim=none;" \
		    " dmarc=fail \\(p=none [^)]*dis=none\\) header\\.from=org\\.test"
		want_no_re "message 3 A-R" "$(ar_dmarc "$f")" "good\\.test"
	else
		bad "message 3 not delivered"
	fi
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER sess2"
	case_end
fi

# --- IPv6: connected over ::1, the client address presented is 2001:db8::25
if case_begin ipv6_client_spf_pass; then
	m=$(msg ipv6 "From: Alice <alice@good.test>")
	session_send "$CASE" ::1 "$m" "IPV6:$PASS_IP6" mx.good.test bounce@good.test
	want "smtp-session status" "$RC" 0
	if f=$(delivered "$MAILDIR" ipv6); then
		want_delivered_ar "$f" " spf=pass smtp\\.mailfrom=good\\.test;" \
		    " dmarc=pass .*header\\.from=good\\.test"
	else
		bad "not delivered"
	fi
	want_re "milter log line" "$(milter_line "$QID")" \
	    "ip=$PASS_IP6 helo=mx\\.good\\.test from=good\\.test spf=pass .*action=accept( |$)"
	want_re "smtpd saw IPv6" "$(grep -F "$QID: client=" "$T/maillog")" "\\[$PASS_IP6\\]"
	case_end
fi

if case_begin ipv6_client_spoof_gets_550; then
	m=$(msg ipv6_spoof "From: CEO <ceo@good.test>")
	session_send "$CASE" ::1 "$m" "IPV6:2001:db9::66" mail.attacker.test ceo@good.test
	want "reply to end of data" "$DATA_REPLY" "$REJECT_GOOD"
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER ipv6_spoof"
	case_end
fi

# --- STARTTLS with a client certificate: the verdict is the same
if case_begin starttls_session_ar_right; then
	m=$(signed tls good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
	swaks_send "$CASE" "$m" $FAIL_IP mail.sender.test alice@good.test \
	    --tls --tls-cert "$T/tls/client.crt" --tls-key "$T/tls/client.key"
	want "swaks status" "$RC" 0
	want "STARTTLS done" "$(grep -c 'TLS started' "$OUT")" 1
	if f=$(delivered "$MAILDIR" tls); then
		want_delivered_ar "$f" " spf=fail smtp\\.mailfrom=good\\.test;" \
		    " dkim=pass header\\.d=good\\.test" " dmarc=pass \\(p=reject dis=none\\) header\\.from=good\\.test"
		want_re "Received" "$(fields "$f" | grep -m1 '^Received:')" " with ESMTPS id $QID "
	else
		bad "not delivered"
	fi
	want_re "client certificate verified" "$(grep -F 'Trusted TLS connection established' "$T/maillog" | tail -1)" \
	    "Trusted TLS connection"
	case_end
fi

if case_begin starttls_spoof_gets_550; then
	m=$(msg tls_spoof "From: CEO <ceo@good.test>")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test ceo@good.test --tls
	want "reply to end of data" "$DATA_REPLY" "$REJECT_GOOD"
	MUST_NOT_DELIVER="$MUST_NOT_DELIVER tls_spoof"
	case_end
fi

# The TLS macros of milter_helo_macros (main.cf.dmarctls) reach the
# milter after STARTTLS: its log line names the TLS version, and our
# A-R fields name the client certificate's CN ({cert_subject}, which
# Postfix sends only for a certificate that verified). Uses the message
# of starttls_session_ar_right.
if case_begin starttls_tls_macros_reach_milter; then
	q=$(grep -F '<tls@postfix.test>' "$T/maillog" |
	    sed -n 's/.*: \([0-9A-F]*\): message-id=.*/\1/p' | head -1)
	want_re "milter log line of the STARTTLS message" "$(milter_line "$q")" \
	    " tls=TLSv1\\.[23]( |$)"
	if f=$(delivered "$MAILDIR" tls); then
		want_re "our A-R fields" "$(ar_ours "$f" | tr '\n' ' ')" "client\\.sender\\.test"
	else
		bad "not delivered"
	fi
	case_end
fi

# --- the second milter: Quarantine header, RejectFailures no,
# TempfailOnDNSError no (smtpd on $ALT_PORT)
if case_begin quarantine_header_marks_and_delivers; then
	m=$(msg alt_quar "From: x@quar.test")
	PORT=$ALT_PORT swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test x@quar.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" alt_quar); then
		want "X-Dmarctls-Quarantine fields" "$(names "$f" | grep -c '^X-Dmarctls-Quarantine$')" 1
		want_delivered_ar "$f" " dmarc=fail \\(p=quarantine [^)]*\\) header\\.from=quar\\.test"
	else
		bad "not delivered"
	fi
	want "in the hold queue" "$(queue_of "$QID")" ""
	want_re "milter log line" "$(milter_line "$QID" "$ALT_LOG")" "from=quar\\.test .*action=quarantine( |$)"
	case_end
fi

if case_begin reject_failures_no_delivers_marked_fail; then
	m=$(msg alt_reject "From: CEO <ceo@good.test>")
	PORT=$ALT_PORT swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test ceo@good.test
	want "swaks status" "$RC" 0
	want_re "reply to end of data" "$DATA_REPLY" "^250 "
	if f=$(delivered "$MAILDIR" alt_reject); then
		want_delivered_ar "$f" " dmarc=fail \\(p=reject [^)]*\\) header\\.from=good\\.test" \
		    "policy\\.dmarc=reject"
	else
		bad "not delivered"
	fi
	case_end
fi

if case_begin tempfail_on_dns_error_no_delivers_temperror; then
	m=$(msg alt_bogus "From: x@bogus.test")
	PORT=$ALT_PORT swaks_send "$CASE" "$m" $PASS_IP mx.bogus.test x@bogus.test
	want "swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" alt_bogus); then
		want_delivered_ar "$f" " dmarc=temperror .*header\\.from=bogus\\.test"
	else
		bad "not delivered"
	fi
	case_end
fi

# --- SMFIS_SKIP (MilterSkipBody auto; the milter is on TCP, where body
# chunks are answered anyway): the milter reads a body of several 64 KB
# chunks only as far as DKIM needs it, Postfix still delivers every byte,
# and the verdict is dmarctls-check's on the whole file.
# skip_case NAME FILE SKIPPED -- SKIPPED: yes or no (the log line says so)
skip_case() {
	local name=$1 m=$2 skipped=$3 f ml
	swaks_send "$CASE.$name" "$m" $PASS_IP mail.sender.test alice@good.test
	want "$name: swaks status" "$RC" 0
	if f=$(delivered "$MAILDIR" "$name"); then
		# swaks ends the DATA with an empty line of its own
		want "$name: delivered body = sent body" \
		    "$(sed '1,/^\r\?$/d' "$f" | tr -d '\r' | md5sum)" \
		    "$({ sed '1,/^\r$/d' "$m" | tr -d '\r'; echo; } | md5sum)"
		"$CHECK" -c "$MCONF" --ip $PASS_IP --helo mail.sender.test \
		    --mail-from alice@good.test --authserv-id "$AUTHSERV" --json "$m" \
		    >"$T/out/$name.json" 2>/dev/null
		want "$name: A-R = dmarctls-check's on the whole file" \
		    "$(ar_dmarc "$f" | tr -s ' \t' '  ')" \
		    "$(jq -r '.headers[0]' "$T/out/$name.json" | tr -d '\r' | tr '\n\t' '  ' |
		    tr -s ' ' | sed 's/ *$//')"
	else
		bad "$name not delivered"
	fi
	ml=$(milter_line "$QID")
	if [ "$skipped" = yes ]; then
		want_re "$name: milter log line" "$ml" "action=accept .* body=skipped$"
	else
		want_re "$name: milter log line" "$ml" "action=accept .*removed_ar=[0-9]+$"
	fi
}
if case_begin body_skip_same_verdict_whole_message_delivered; then
	# the long body is appended to the files (too long for an environment variable)
	big=$T/msg/skip_body.txt
	for i in $(seq 4000); do printf 'line %s of a body longer than a milter body chunk\r\n' "$i"; done >"$big"
	skip_from="From: Alice <alice@good.test>"
	u=$(msg skip_unsigned "$skip_from") && cat "$big" >>"$u"
	s=$(msg skip_signed.plain "$skip_from") && cat "$big" >>"$s"
	sed -i 's/<skip_signed.plain@/<skip_signed@/' "$s"
	dkim_sign "$s" "$MSG_DIR/skip_signed.eml" good.test rsa "$W_KEY_RSA2048"
	s=$MSG_DIR/skip_signed.eml
	lp=$(msg skip_l "$skip_from")
	l=$MSG_DIR/skip_l.signed.eml
	{ "$SIGN" -d good.test -s rsa -k "$W_KEY_RSA2048" -l <"$lp" && cat "$big"; } >"$l" ||
	    bad "dt-sign -l failed"
	skip_case skip_unsigned "$u" yes
	want_re "skip_unsigned: dkim" "$(ar_dmarc "$(delivered "$MAILDIR" skip_unsigned)")" " dkim=none"
	skip_case skip_signed "$s" no
	skip_case skip_l "$l" yes
	want_re "skip_l: dkim" "$(ar_dmarc "$(delivered "$MAILDIR" skip_l)")" " dkim=pass header\\.d=good\\.test"
	case_end
fi

# --- the submission service of master.cf.dmarctls has no milter
if case_begin submission_service_has_no_milter; then
	m=$(msg submission "From: CEO <ceo@good.test>")
	OUT=$T/out/$CASE.swaks
	timeout "$SWAKS_TIMEOUT" swaks --server 127.0.0.1 --port "$SUBMIT_PORT" \
	    --helo mail.sender.test --from ceo@good.test --to "$RCPT" \
	    --data "@$m" >"$OUT" 2>&1
	want "swaks status" "$?" 0
	if f=$(delivered "$MAILDIR" submission); then
		want "our A-R fields" "$(ar_ours "$f" | grep -c '^')" 0
	else
		bad "not delivered"
	fi
	case_end
fi

# ----------------------------------------------------------------- shutdown
# Wait for the active and incoming queues to drain (held mail stays), then
# make sure nothing that was refused or held reached the mailbox.
i=0
while [ $i -lt $DELIVERY_TRIES ]; do
	n=$(postqueue -c "$PF" -j 2>/dev/null | jq -s '[.[] | select(.queue_name != "hold")] | length')
	[ "$n" = 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
CASE=refused_and_held_messages_not_delivered
BAD=""
for name in $MUST_NOT_DELIVER; do
	grep -l -s -F "<$name@postfix.test>" "$MAILDIR"/new/* >/dev/null &&
	    bad "$name was delivered"
done
want "messages left in the active queues" "$n" 0
case_end

CASE=postfix_log_no_milter_trouble
BAD=""
want "milter warnings in the maillog" \
    "$(milter_warnings)" ""
case_end

CASE=milter_stops_cleanly_on_sigterm
BAD=""
stop_milter "$MILTER_PID" "$MILTER_LOG" "main milter"
MILTER_PID=""
stop_milter "$ALT_PID" "$ALT_LOG" "second milter"
ALT_PID=""
case_end

# milter_default_action = tempfail (main.cf.dmarctls): with the milter
# gone, mail is deferred, never accepted unchecked.
if case_begin milter_down_postfix_tempfails; then
	m=$(msg milter_down "From: CEO <ceo@good.test>")
	swaks_send "$CASE" "$m" $FAIL_IP mail.attacker.test ceo@good.test
	want_re "reply" "$(grep -E '^<\*\* ' "$OUT" | head -1)" "^<\\*\\* 4[0-9][0-9] 4\\.[0-9]+\\.[0-9]+ "
	want "queued" "$QID" ""
	sleep 0.5
	want "delivered" "$(grep -l -s -F '<milter_down@postfix.test>' "$MAILDIR"/new/* | wc -l)" 0
	case_end
fi

postfix_stop "$PF"
summary_and_exit
