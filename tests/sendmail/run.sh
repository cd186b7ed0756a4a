#!/bin/bash
#
# NAME
#	run.sh -- dmarctls-milter behind a real Sendmail 8.17
#
# SYNOPSIS
#	tests/sendmail/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR holds the built dmarctls-milter and tests/integration/dt-sign.
#
#	Sendmail conflicts with Postfix as a Debian package, so it is not
#	installed: the setup phase fetches sendmail-bin, sendmail-cf and
#	libwrap0 with "apt-get download" (the only step that needs the
#	network: the Debian mirror) into a cache, and every later run is
#	offline. The cache is $DT_SENDMAIL_DEBS if set, else
#	/var/cache/dmarctls/sendmail-debs when that is writable (root), else
#	BUILDDIR/sendmail-debs. Populate it in advance for an offline machine.
#
#	Then the script re-executes itself in a private network, mount, PID
#	and UTS namespace (unshare), as tests/integration/run.sh does: only
#	`lo` exists (with the documentation addresses the cases send from),
#	the host name is mx.receiver.test, /etc/hosts and /etc/resolv.conf
#	are private, every server dies with the script, runs never collide.
#	Inside:
#	  - tests/integration/world.sh builds the DNSSEC-signed DNS world
#	    (nsd 5353, validating unbound 5354);
#	  - the .debs are unpacked with dpkg-deb -x into the temporary
#	    directory; that sendmail binary runs with LD_LIBRARY_PATH for
#	    libwrap (its setgid bit is dropped so the loader honours it);
#	  - dmarctls-milter runs in the foreground with Socket
#	    inet:8893@127.0.0.1 and Syslog no (its log is a file);
#	  - sendmail.cf is generated with m4 from an .mc that includes
#	    contrib/sendmail/dmarctls.mc -- the very lines we tell
#	    administrators to use -- and Sendmail runs as a daemon (-bd) on
#	    127.0.0.1:2526 with its own queue, interactive delivery (250
#	    after DATA means delivered), and a local mailer
#	    (tests/sendmail/deliver.sh) that stores each message in a file;
#	  - swaks sends each case from 192.0.2.10 (inside the test SPF
#	    records) or 198.51.100.7 (outside), both on `lo`: libspf2
#	    passes loopback clients unconditionally.
#
#	Output, one line per case: "ok - NAME" or "not ok - NAME (what was
#	expected, what came)", "#" lines of diagnostics after a failure, and
#	a last line "sendmail: N passed, M failed". Exit 0 only if M is 0.
#
#	Environment: DT_SENDMAIL_KEEP=1 keeps the temporary directory (the
#	.cf, queue, mailbox, SMTP transcripts, milter and server logs) and
#	prints its path; DT_SENDMAIL_DEBS as above.
#
# REQUIREMENTS
#	root (or unprivileged user namespaces), apt-get and dpkg-deb, m4,
#	swaks, and what tests/integration/run.sh needs (nsd, unbound,
#	ldnsutils, bind9-dnsutils, openssl, iproute2, util-linux, perl).

# shellcheck disable=SC2317
set -u

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
SM_PACKAGES="sendmail-bin sendmail-cf libwrap0"
SMTP_PORT=2526
MILTER_PORT=8893		# as in contrib/sendmail/dmarctls.mc
SMTP_TIMEOUT=40			# seconds one SMTP session may take
WAIT_TRIES=100			# 100 x 0.1 s for a server to listen
PASS_IP=192.0.2.10		# inside every test SPF record
FAIL_IP=198.51.100.7		# outside them
AUTHSERV=mx.receiver.test
RCPT=bob@receiver.test

REPORT_PREFIX=sendmail
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/check.sh
. "$TOPDIR/tests/lib/check.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
# shellcheck source=../lib/messages.sh
. "$TOPDIR/tests/lib/messages.sh"
builddir_arg "$@"
# A reason is often a whole log or queue file: keep it to one short line.
CHECK_SHORT=1
CHECK_DIAG=sendmail_diag

# ------------------------------------------------------- packages (outside)
# deb_of DIR PACKAGE -- the newest cached .deb of PACKAGE, if any.
deb_of() {
	find "$1" -maxdepth 1 -name "${2}_*.deb" 2>/dev/null | sort -V | tail -n 1
}

# fetch_debs -- make sure the cache holds every package; sets SM_DEBS,
# and FETCH_ERR when it fails.
fetch_debs() {
	local missing="" p
	if [ -n "${DT_SENDMAIL_DEBS:-}" ]; then
		SM_DEBS=$DT_SENDMAIL_DEBS
	elif mkdir -p /var/cache/dmarctls/sendmail-debs 2>/dev/null &&
	    [ -w /var/cache/dmarctls/sendmail-debs ]; then
		SM_DEBS=/var/cache/dmarctls/sendmail-debs
	else
		SM_DEBS=$BUILDDIR/sendmail-debs
	fi
	mkdir -p "$SM_DEBS" || { FETCH_ERR="cannot create $SM_DEBS"; return 1; }
	for p in $SM_PACKAGES; do
		[ -n "$(deb_of "$SM_DEBS" "$p")" ] || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null || { FETCH_ERR="no apt-get to fetch$missing"; return 1; }
	# apt verifies each file against the signed index. As root it warns
	# that the _apt sandbox user cannot write here; that is harmless.
	# shellcheck disable=SC2086
	(cd "$SM_DEBS" && apt-get download -q $missing) >"$SM_DEBS/download.log" 2>&1
	for p in $missing; do
		[ -n "$(deb_of "$SM_DEBS" "$p")" ] || {
			FETCH_ERR="apt-get download $p failed: $(grep -m1 '^E:' "$SM_DEBS/download.log")"
			return 1
		}
	done
}

# ---------------------------------------------------------------- namespace
if [ "${DT_SENDMAIL_INNER:-}" != 1 ]; then
	FETCH_ERR=""
	fetch_debs || fatal sendmail_packages "${FETCH_ERR:-cannot fetch $SM_PACKAGES}"
	userns=""
	[ "$(id -u)" -eq 0 ] || userns="--user --map-root-user"
	# shellcheck disable=SC2086
	ns_err=$(unshare_error $userns --net --mount --pid --uts --fork) ||
	    fatal namespace "$ns_err"
	# shellcheck disable=SC2086
	exec unshare $userns --net --mount --pid --uts --fork --kill-child \
	    --mount-proc --propagation private \
	    env DT_SENDMAIL_INNER=1 DT_SENDMAIL_DEBS="$SM_DEBS" "$SRCDIR/run.sh" "$BUILDDIR"
	fatal namespace "exec unshare failed"
fi
SM_DEBS=$DT_SENDMAIL_DEBS

ip link set lo up || fatal namespace "cannot bring up lo"
for a in "$PASS_IP" "$FAIL_IP"; do
	ip addr add "$a/32" dev lo || fatal namespace "cannot add $a to lo"
done
hostname "$AUTHSERV" || fatal namespace "cannot set the host name"

MILTER=$BUILDDIR/dmarctls-milter
SIGN=$BUILDDIR/tests/integration/dt-sign
for tool in nsd unbound ldns-keygen ldns-signzone ldns-key2ds dig openssl perl timeout \
    m4 swaks dpkg-deb; do
	command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
done
[ -x "$MILTER" ] || fatal prerequisites "no $MILTER: make dmarctls-milter"
[ -x "$SIGN" ] || fatal prerequisites "no $SIGN: make tests/integration/dt-sign"

T=$(mktemp -d /tmp/dmarctls-sendmail.XXXXXX) || fatal setup "mktemp failed"
export W_SRCDIR=$TOPDIR/tests/integration
# shellcheck source-path=SCRIPTDIR source=../integration/world.sh
. "$TOPDIR/tests/integration/world.sh"

MILTER_PID=""
SM_PIDFILE=$T/sm/sendmail.pid

# stop_milter -- SIGTERM, and wait; sets MILTER_STATUS to its exit status.
# libmilter polls for the stop every few seconds: the wait is bounded by
# the script's own end (--kill-child), not here.
MILTER_STATUS=""
stop_milter() {
	[ -n "$MILTER_PID" ] || return 0
	kill "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	MILTER_STATUS=$?
	MILTER_PID=""
}

stop_sendmail() {
	local pid
	[ -s "$SM_PIDFILE" ] || return 0
	pid=$(head -n 1 "$SM_PIDFILE")
	case $pid in ''|*[!0-9]*) return 0 ;; esac
	kill "$pid" 2>/dev/null
	# the daemon is not our child (it detaches): wait for it to go
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	rm -f "$SM_PIDFILE"
}

cleanup() {
	stop_sendmail
	stop_milter
	world_stop
	keep_or_remove "$T" "${DT_SENDMAIL_KEEP:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Nothing in here may reach a resolver outside, and the host name must
# resolve without DNS: Sendmail canonifies its own name at start.
printf '127.0.0.1\t%s localhost\n' "$AUTHSERV" >"$T/hosts"
private_resolv_conf "$T" || fatal namespace "cannot mount resolv.conf"
mount --bind "$T/hosts" /etc/hosts || fatal namespace "cannot mount hosts"

# ASan keeps its fast unwinder here (the other suites turn it off)
SANITIZER_ASAN_OPTIONS=detect_leaks=1
sanitizer_env

# -------------------------------------------------------------- DNS world
world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world (logs: $T/world)"

# ------------------------------------------------------------------ milter
write_conf() {
	milter_conf tests/sendmail/run.sh "inet:$MILTER_PORT@127.0.0.1" RejectFailures yes \
	    Quarantine hold TempfailOnDNSError yes RejectOnNoFrom yes
}

MCONF=$T/dmarctls.conf
MLOG=$T/milter.log
write_conf >"$MCONF"
"$MILTER" -n -c "$MCONF" >"$T/milter-n.log" 2>&1 ||
    fatal milter_config "dmarctls-milter -n rejects the test configuration: $(head -n 1 "$T/milter-n.log")"
"$MILTER" -f -c "$MCONF" >"$MLOG" 2>&1 &
MILTER_PID=$!
wait_port 127.0.0.1 "$MILTER_PORT" "$WAIT_TRIES" || fatal milter_start "dmarctls-milter does not listen: $(head -n 3 "$MLOG")"

# ---------------------------------------------------------------- sendmail
SM=$T/sm/root/usr/libexec/sendmail/sendmail
CFDIR=$T/sm/root/usr/share/sendmail/cf
MQ=$T/sm/mqueue
MBOX=$T/sm/mail

# sm_unpack -- the cached packages into $T/sm/root, sendmail ready to run.
sm_unpack() {
	local p deb
	mkdir -p "$T/sm/root" "$MQ" "$MBOX" || return 1
	for p in $SM_PACKAGES; do
		deb=$(deb_of "$SM_DEBS" "$p")
		[ -n "$deb" ] && dpkg-deb -x "$deb" "$T/sm/root" || return 1
	done
	# setgid would make the loader ignore LD_LIBRARY_PATH (secure mode)
	chmod g-s "$SM" && chmod 700 "$MQ" && chmod 755 "$MBOX"
}

# sm_mc -- the test's sendmail.mc. The dmarctls lines are included from
# contrib, not copied: the test checks the recipe we publish. Everything
# else points into $T/sm; TrustStickyBit lets Sendmail accept paths under
# /tmp, and the service switch keeps host lookups out of the DNS. RefuseLA
# and QueueLA high: Sendmail stops listening (and queues instead of
# delivering) above a load average of 12 by default, which a shared test
# machine reaches.
sm_mc() {
	cat <<EOF
divert(-1)
# generated by tests/sendmail/run.sh
divert(0)dnl
include(\`$CFDIR/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$AUTHSERV')dnl
define(\`QUEUE_DIR', \`$MQ')dnl
define(\`ALIAS_FILE', \`$T/sm/aliases')dnl
define(\`STATUS_FILE', \`$T/sm/statistics')dnl
define(\`confPID_FILE', \`$SM_PIDFILE')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/sm/service.switch')dnl
define(\`confHOSTS_FILE', \`/etc/hosts')dnl
define(\`confHELP_FILE', \`$T/sm/helpfile')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confDELIVERY_MODE', \`interactive')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confMILTER_LOG_LEVEL', \`9')dnl
define(\`LOCAL_MAILER_PATH', \`$SRCDIR/deliver.sh')dnl
define(\`LOCAL_MAILER_ARGS', \`deliver.sh $MBOX \$u')dnl
define(\`LOCAL_MAILER_FLAGS', \`SPmn')dnl
MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl
DAEMON_OPTIONS(\`Port=$SMTP_PORT, Addr=127.0.0.1, Name=MTA')dnl
LOCAL_DOMAIN(\`receiver.test')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`nocanonify')dnl
include(\`$TOPDIR/contrib/sendmail/dmarctls.mc')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
}

sm_unpack || fatal sendmail_unpack "cannot unpack $SM_PACKAGES from $SM_DEBS"
# wherever the architecture put it: usr/lib/<multiarch triplet>/
wrap=$(find "$T/sm/root" -name 'libwrap.so.0' | head -n 1)
[ -n "$wrap" ] || fatal sendmail_unpack "no libwrap.so.0 in the libwrap0 package"
export LD_LIBRARY_PATH=${wrap%/*}
"$SM" -C /dev/null -d0.1 -bt </dev/null >"$T/sm/version.log" 2>&1
grep -q '^Version 8\.1[7-9]' "$T/sm/version.log" ||
    fatal sendmail_unpack "the unpacked sendmail does not run: $(head -n 1 "$T/sm/version.log")"
CF=$T/sm/sendmail.cf
printf 'hosts\tfiles\naliases\tfiles\n' >"$T/sm/service.switch"
printf 'postmaster: root\n' >"$T/sm/aliases"
sm_mc >"$T/sm/sendmail.mc"
# m4 warnings (a mistyped macro in the .mc) count as failures too
if ! m4 "$T/sm/sendmail.mc" >"$CF" 2>"$T/sm/m4.log" || [ -s "$T/sm/m4.log" ]; then
	fatal sendmail_cf "m4 failed: $(head -n 2 "$T/sm/m4.log")"
fi
"$SM" -C "$CF" -bi >"$T/sm/newaliases.log" 2>&1 ||
    fatal sendmail_aliases "newaliases failed: $(head -n 2 "$T/sm/newaliases.log")"
# -X: a transcript of every SMTP and milter-visible exchange, for failures
"$SM" -C "$CF" -bd -X "$T/sm/traffic.log" >"$T/sm/daemon.log" 2>&1 ||
    fatal sendmail_start "sendmail -bd failed: $(head -n 2 "$T/sm/daemon.log")"
wait_port 127.0.0.1 "$SMTP_PORT" "$WAIT_TRIES" || fatal sendmail_start "sendmail does not listen on $SMTP_PORT"

# ---------------------------------------------------------------- messages
mkdir -p "$T/msg" "$T/out"

# Each message's Message-ID names the case: <NAME@sendmail.test>.
MSG_DIR=$T/msg
MSG_TO=$RCPT
MSG_SUBJECT="dmarctls sendmail case"
MSG_DOMAIN=sendmail.test
MSG_BODY="This message was written by tests/sendmail/run.sh
for the case @NAME@."

# ------------------------------------------------------------ SMTP session
# send NAME IP HELO MAILFROM MSG -- one SMTP session through Sendmail.
# Sets REPLY (the answer to the end of DATA, or to whatever ended the
# session), QID (the queue ID in a 250 reply), LOG (the milter log lines
# this session wrote) and DELIVERED (the delivered file, if any).
send() {
	local name=$1 ip=$2 helo=$3 mf=$4 m=$5 t=$T/out/$1.smtp before
	before=$(wc -l <"$MLOG")
	timeout "$SMTP_TIMEOUT" swaks --server "127.0.0.1:$SMTP_PORT" --local-interface "$ip" \
	    --helo "$helo" --from "$mf" --to "$RCPT" --data "$m" --suppress-data \
	    --timeout "$SMTP_TIMEOUT" >"$t" 2>&1
	# the server's last word before our QUIT (or the end, if none)
	REPLY=$(awk '/^<(-|\*\*) / { last = substr($0, 5) } /^ -> QUIT/ { exit }
	    END { print last }' "$t")
	QID=""
	case $REPLY in 250\ *) QID=$(echo "$REPLY" | awk '{ print $3 }') ;; esac
	LOG=$(tail -n +"$((before + 1))" "$MLOG")
	DELIVERED=$(grep -l -i "^Message-ID: <$name@sendmail.test>" "$MBOX"/*.eml 2>/dev/null | head -n 1)
}

# ------------------------------------------------------------- assertions
# Each check appends to BAD (tests/lib/check.sh); report NAME then prints
# one verdict per case.
LOG=""

# report NAME [TRANSCRIPT] -- the verdict of the checks made since the last
report() {
	CASE=$1
	OUT=${2:-}
	case_end
}

# sendmail_diag -- after a failure: the server's last replies, and the
# milter log lines of the session (LOG)
sendmail_diag() {
	[ -n "$OUT" ] && [ -f "$OUT" ] && sed -n '/^<\*\*\|^<- /s/^/#   /p' "$OUT" | tail -n 4
	[ -n "$LOG" ] && printf '%s\n' "$LOG" | tail -n 3 | sed 's/^/#   milter: /'
}

# unfold FILE -- FILE with every continuation line joined to the line
# before it (header fields, and Sendmail's H lines in queue files).
unfold() {
	awk 'NR > 1 && /^[ \t]/ { sub(/^[ \t]+/, " "); cur = cur $0; next }
		NR > 1 { print cur } { cur = $0 } END { if (NR) print cur }' "$1"
}

# qfile QID -- Sendmail's queue control file for QID: "hf" while
# quarantined, "qf" otherwise.
qfile() {
	local f
	for f in "$MQ/hf$1" "$MQ/qf$1"; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
}

LOGRE_QID='^dmarctls-milter\[[0-9]+\]: '

# --------------------------------------------------------------- the cases

# The generated .cf carries the published recipe, unchanged.
# cf_line PREFIX -- the .cf line that starts with PREFIX.
cf_line() {
	grep -F -m 1 -e "$1" "$CF"
}
want "filter list" "$(cf_line 'O InputMailFilters=')" "O InputMailFilters=dmarctls"
want "filter definition" "$(cf_line 'Xdmarctls,')" \
    "Xdmarctls, S=inet:8893@127.0.0.1, F=T, T=S:30s;R:30s;E:5m"
want "HELO macros" "$(cf_line 'O Milter.macros.helo=')" \
    "O Milter.macros.helo={tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}, {verify}"
want "MAIL macros" "$(cf_line 'O Milter.macros.envfrom=')" \
    "O Milter.macros.envfrom=i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}, {tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}, {verify}"
want "end-of-header macros" "$(cf_line 'O Milter.macros.eoh=')" "O Milter.macros.eoh=i"
want "end-of-message macros" "$(cf_line 'O Milter.macros.eom=')" "O Milter.macros.eom={msg_id}, i"
report sendmail_cf_from_contrib_mc

# --- DMARC pass: delivered, our A-R on top, the forged one gone
m=$(signed pass good.test rsa "$W_KEY_RSA2048" \
    "Authentication-Results: $AUTHSERV; dmarc=pass (forged by the sender) header.from=good.test" \
    "From: Alice <alice@good.test>")
send pass "$PASS_IP" mx.good.test alice@good.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 [A-Za-z0-9]+ Message accepted'
want_re "delivered file" "${DELIVERED:-none}" '\.eml$'
if [ -n "$DELIVERED" ]; then
	ar=$(field "$DELIVERED" Authentication-Results)
	# ours (SPF, DKIM, DMARC), then ours again with the session's TLS state
	want "number of Authentication-Results fields" "$(printf '%s\n' "$ar" | grep -c .)" 2
	want_re "TLS A-R" "$(printf '%s\n' "$ar" | sed -n 2p)" \
	    "^Authentication-Results: $AUTHSERV;[[:space:]]*x-tls=none \\(plaintext SMTP session\\)"
	want_no_re "delivered A-R" "$ar" 'forged'
	want_re "delivered A-R" "$ar" "^Authentication-Results: $AUTHSERV;"
	want_re "delivered A-R" "$ar" ' spf=pass smtp\.mailfrom=[^ ;]*good\.test[ ;]'
	# header.b: the signature's first 8 characters (RFC 6008), quoted
	# when they hold a "/" (a MIME tspecial, RFC 8601 section 2.2)
	b8=$(field "$DELIVERED" DKIM-Signature | tr -d ' ' | sed -n 's/.*;b=\([^;]\{8\}\).*/\1/p')
	b8=${b8//+/\\+}
	want_re "delivered A-R" "$ar" " dkim=pass [^;]*header\\.d=good\\.test header\\.s=rsa header\\.a=rsa-sha256 header\\.b=(${b8:-NOSIG}|\"${b8:-NOSIG}\");"
	want_re "delivered A-R" "$ar" ' dmarc=pass \(p=reject dis=none\) header\.from=good\.test'
	# "at the top": above every field Sendmail or the sender wrote,
	# below only Return-Path, which the local mailer adds at delivery
	want "first fields" "$(names "$DELIVERED" | head -n 2 | tr '\n' ' ')" \
	    "Return-Path Authentication-Results "
	want_re "DKIM-Signature kept" "$(field "$DELIVERED" DKIM-Signature)" 'd=good\.test'
fi
want_re "milter log" "$LOG" "${LOGRE_QID}${QID:-NOQID}: ip=$PASS_IP helo=mx\.good\.test from=good\.test spf=pass dkim=pass dmarc=pass policy=reject action=accept tls=none removed_ar=1"
report dmarc_pass_delivered_with_authres_forged_removed "$T/out/pass.smtp"

# --- p=reject, unsigned, SPF fails: 550 at the client, nothing delivered
m=$(msg reject "From: CEO <ceo@good.test>")
send reject "$FAIL_IP" mail.attacker.example ceo@good.test "$m"
want "reply" "$REPLY" "550 5.7.1 Email rejected per DMARC policy for good.test"
want "delivered file" "${DELIVERED:-none}" none
want_re "milter log" "$LOG" "${LOGRE_QID}[A-Za-z0-9]+: ip=$FAIL_IP helo=mail\.attacker\.example from=good\.test spf=fail dkim=none dmarc=fail policy=reject action=reject"
report dmarc_reject_550_not_delivered "$T/out/reject.smtp"

# --- p=quarantine with Quarantine hold: accepted into Sendmail's quarantine
m=$(msg quarantine "From: x@quar.test")
send quarantine "$FAIL_IP" mail.attacker.example x@quar.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 [A-Za-z0-9]+ Message accepted'
want "delivered file" "${DELIVERED:-none}" none
qf=$(qfile "${QID:-none}")
want "queue file" "${qf##*/}" "hf${QID:-none}"
if [ -n "$qf" ]; then
	want_re "queue file q line" "$(cat "$qf")" $'\nqDMARC policy of quar\\.test\n'
	want_re "queued A-R" "$(unfold "$qf")" $'\nH\\?\\?Authentication-Results: '"$AUTHSERV"$'; [^\n]* dmarc=fail \\(p=quarantine dis=quarantine\\) header\\.from=quar\\.test'
fi
mq=$("$SM" -C "$CF" -bp -qQ 2>&1)
want_re "mailq -qQ" "$mq" "${QID:-NOQID}[^"$'\n'"]*"$'\n[^\n]*\n?[^\n]*QUARANTINE: DMARC policy of quar\\.test'
want_re "milter log" "$LOG" "${LOGRE_QID}${QID:-NOQID}: ip=$FAIL_IP helo=mail\.attacker\.example from=quar\.test spf=fail dkim=none dmarc=fail policy=quarantine action=quarantine"
report dmarc_quarantine_held_in_sendmail_quarantine "$T/out/quarantine.smtp"

# The recipe in contrib/sendmail/dmarctls.mc releases it: -Q without a
# reason clears the quarantine, a queue run then delivers it.
if [ -n "$QID" ] && [ -n "$qf" ]; then
	"$SM" -C "$CF" -qQ -qI"$QID" -Q >"$T/out/release.log" 2>&1
	want "queue file after release" "$(qfile "$QID" | sed 's,.*/,,')" "qf$QID"
	"$SM" -C "$CF" -qI"$QID" >>"$T/out/release.log" 2>&1
	# the queue run delivers from a process of its own: give it time
	d=""
	for _ in $(seq "$WAIT_TRIES"); do
		d=$(grep -l -i '^Message-ID: <quarantine@sendmail.test>' "$MBOX"/*.eml 2>/dev/null |
		    head -n 1)
		[ -n "$d" ] && [ -z "$(qfile "$QID")" ] && break
		sleep 0.1
	done
	want_re "delivered after release" "${d:-none}" '\.eml$'
	[ -n "$d" ] && want_re "released A-R" "$(field "$d" Authentication-Results)" \
	    " dmarc=fail \(p=quarantine dis=quarantine\) header\.from=quar\.test"
	want "queue after release" "$(qfile "$QID")" ""
else
	bad "nothing was quarantined"
fi
LOG=""
report quarantine_released_by_the_documented_command

# --- the policy lookup fails (bogus DNSSEC): 451 and not delivered
m=$(signed tempfail halfbogus.test rsa "$W_KEY_RSA2048" "From: x@halfbogus.test")
send tempfail "$PASS_IP" mx.halfbogus.test x@halfbogus.test "$m"
want "reply" "$REPLY" "451 4.7.5 DMARC policy for halfbogus.test could not be retrieved"
want "delivered file" "${DELIVERED:-none}" none
want_re "milter log" "$LOG" "${LOGRE_QID}[A-Za-z0-9]+: ip=$PASS_IP [^"$'\n'"]* from=halfbogus\.test [^"$'\n'"]* dmarc=temperror [^"$'\n'"]*action=tempfail"
report dmarc_temperror_451_not_delivered "$T/out/tempfail.smtp"

# --- no From field: permerror, refused with RejectOnNoFrom yes. Sendmail
# adds a From field only when it delivers (H?F?From), after the milter.
m=$(msg nofrom)
send nofrom "$PASS_IP" mx.good.test alice@good.test "$m"
want_re "reply" "$REPLY" '^550 5\.7\.1 '
want "delivered file" "${DELIVERED:-none}" none
want_re "milter log" "$LOG" "${LOGRE_QID}[A-Za-z0-9]+: ip=$PASS_IP [^"$'\n'"]* dmarc=permerror [^"$'\n'"]*action=reject"
report dmarc_permerror_no_from_550 "$T/out/nofrom.smtp"

# --- p=none fails, and a domain with no DMARC record: both delivered
m=$(msg pnone "From: x@org.test")
send pnone "$FAIL_IP" mail.attacker.example x@org.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 '
want_re "delivered file" "${DELIVERED:-none}" '\.eml$'
[ -n "$DELIVERED" ] && want_re "delivered A-R" "$(field "$DELIVERED" Authentication-Results)" \
    " dmarc=fail \(p=none [^)]*dis=none\) header\.from=org\.test"
report dmarc_p_none_fail_delivered "$T/out/pnone.smtp"

# --- several A-R fields: both of ours go (whatever the case of the
# authserv-id), a foreign one stays, in place. Sendmail numbers the fields
# of one name from 1 for smfi_chgheader, as libmilter documents.
m=$(msg forged3 \
    "Authentication-Results: $AUTHSERV; dkim=pass (forged one) header.d=good.test" \
    "Authentication-Results: other.example; spf=pass smtp.mailfrom=other.example" \
    "Authentication-Results: MX.Receiver.TEST; dmarc=pass (forged two) header.from=good.test" \
    "From: Alice <alice@good.test>")
send forged3 "$PASS_IP" mx.good.test alice@good.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 '
want_re "delivered file" "${DELIVERED:-none}" '\.eml$'
if [ -n "$DELIVERED" ]; then
	ar=$(field "$DELIVERED" Authentication-Results)
	want "A-R fields" "$(printf '%s\n' "$ar" | sed 's/;.*//' | tr '\n' ' ')" \
	    "Authentication-Results: $AUTHSERV Authentication-Results: $AUTHSERV Authentication-Results: other.example "
	want_no_re "delivered A-R" "$ar" 'forged'
	want_re "delivered A-R" "$ar" "^Authentication-Results: $AUTHSERV;[^"$'\n'"]* spf=pass smtp\.mailfrom=[^ ;]*good\.test;[^"$'\n'"]* dmarc=pass "
fi
want_re "milter log" "$LOG" "${LOGRE_QID}${QID:-NOQID}: ip=$PASS_IP [^"$'\n'"]* from=good\.test spf=pass dkim=none dmarc=pass [^"$'\n'"]*action=accept tls=none removed_ar=2"
report forged_authres_removed_foreign_kept "$T/out/forged3.smtp"

# --- "Authentication-Results :" (blanks before the colon, RFC 5322 4.5.3
# obsolete syntax). Sendmail's chompheader() cuts the name at the blank and
# milter_changeheader() counts fields by that name, so the milter sees
# "Authentication-Results" and its index names the same field: both spaced
# forgeries go, both foreign fields stay, in order.
m=$(msg spaced_ar \
    "Authentication-Results: other.example; spf=pass smtp.mailfrom=other.example" \
    "Authentication-Results : $AUTHSERV; dmarc=pass (forged spaced) header.from=good.test" \
    "Authentication-Results: other.example; dkim=pass header.d=other.example" \
    "Authentication-Results"$'\t'": $AUTHSERV; dkim=pass (forged tab) header.d=good.test" \
    "From: Alice <alice@good.test>")
send spaced_ar "$PASS_IP" mx.good.test alice@good.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 '
if [ -n "$DELIVERED" ]; then
	ar=$(unfold "$DELIVERED" | sed '/^\r\{0,1\}$/q' | grep -i '^Authentication-Results[[:space:]]*:')
	want_no_re "delivered A-R" "$ar" 'forged'
	want "foreign A-R fields, in order" "$(printf '%s\n' "$ar" | grep -o 'other\.example; [a-z]*' | tr '\n' ' ')" \
	    "other.example; spf other.example; dkim "
else
	bad "not delivered"
fi
want_re "milter log" "$LOG" "removed_ar=2"
report spaced_authres_name_deleted_by_the_right_index "$T/out/spaced_ar.smtp"

# --- Quarantine header, after a SIGHUP reload: accepted and delivered,
# marked with X-Dmarctls-Quarantine instead of held.
write_conf | sed 's/^Quarantine hold$/Quarantine header/' >"$MCONF"
before=$(grep -c 'reloaded' "$MLOG")
kill -HUP "$MILTER_PID"
for _ in $(seq "$WAIT_TRIES"); do
	[ "$(grep -c 'reloaded' "$MLOG")" -gt "$before" ] && break
	sleep 0.1
done
m=$(msg quarheader "From: x@quar.test")
send quarheader "$FAIL_IP" mail.attacker.example x@quar.test "$m"
want_re "reply" "$REPLY" '^250 2\.0\.0 [A-Za-z0-9]+ Message accepted'
want_re "delivered file" "${DELIVERED:-none}" '\.eml$'
[ -n "$DELIVERED" ] && want "quarantine mark" "$(field "$DELIVERED" X-Dmarctls-Quarantine)" \
    "X-Dmarctls-Quarantine: DMARC policy of quar.test"
want "queue file" "$(qfile "${QID:-none}")" ""
want_re "milter log" "$LOG" "${LOGRE_QID}${QID:-NOQID}: [^"$'\n'"]* from=quar\.test [^"$'\n'"]* action=quarantine"
report quarantine_header_after_reload_delivered_marked "$T/out/quarheader.smtp"

# --- F=T: with the milter gone Sendmail answers 4xx, it never delivers
# unchecked mail.
stop_milter
m=$(msg nomilter "From: Alice <alice@good.test>")
send nomilter "$PASS_IP" mx.good.test alice@good.test "$m"
want "reply" "$REPLY" "451 4.3.2 Please try again later"
want "delivered file" "${DELIVERED:-none}" none
report milter_down_tempfails_per_f_t "$T/out/nomilter.smtp"

# --- the milter stopped on SIGTERM with status 0, and a sanitizer build
# reported nothing (ASan, LSan and UBSan write to the log, stderr).
want "exit status after SIGTERM" "$MILTER_STATUS" 0
want_no_re "milter log" "$(cat "$MLOG")" 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer'
LOG=$(grep -v "^dmarctls-milter\[[0-9]*\]: " "$MLOG" | head -n 5)
report milter_clean_stop_no_sanitizer_report

summary_and_exit
