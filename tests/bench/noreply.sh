#!/bin/bash
#
# NAME
#	noreply.sh -- measure the milter "no reply" options through real Postfix
#
# SYNOPSIS
#	tests/bench/noreply.sh BUILDDIR
#
# DESCRIPTION
#	Does leaving out the milter's replies (SMFIP_NR_HELO, _MAIL, _HDR,
#	_EOH, _BODY) stall Debian's Postfix 3.7 on Nagle's algorithm and the
#	milter's delayed ACK, and on which socket type? Measured, not assumed
#	(issue 10): in a private namespace with the signed DNS world, four
#	dmarctls-milter processes (unix socket / TCP on loopback, each with
#	MilterNoReply yes and no) behind four smtpd services of one Postfix
#	instance (smtpd_milters per service). Postfix's own smtp-source sends
#	COUNT messages on one SMTP session at a time, to each service in
#	turn, REPS times (interleaved, so that load from elsewhere on the
#	machine hits all four alike); the mail is put on hold, not delivered.
#	Prints the median milliseconds per message of each combination and
#	the ratios no-reply / reply. A stall shows as tens of ms per message.
#
#	A measurement, not a test: exits 0 once it ran, 1 when it could not.
#
# ENVIRONMENT
#	NR_COUNT (default 200), NR_REPS (default 3), NR_KEEP=1 keeps the directory.
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
INTEG=$TOPDIR/tests/integration
COUNT=${NR_COUNT:-200}
REPS=${NR_REPS:-3}
AUTHSERV=mx.receiver.test
REPORT_PREFIX=noreply
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
# shellcheck source=../lib/postfix.sh
. "$TOPDIR/tests/lib/postfix.sh"
builddir_arg "$@"
postfix_namespace "$SRCDIR/noreply.sh"
ip link set lo up || fatal namespace "cannot bring up lo"
MILTER=$BUILDDIR/dmarctls-milter
SIGN=$BUILDDIR/tests/integration/dt-sign
postfix_prerequisites
command -v smtp-source >/dev/null || fatal prerequisites "no smtp-source (package postfix)"

T=$(mktemp -d /tmp/dmarctls-noreply.XXXXXX) || fatal setup "mktemp failed"
chmod 755 "$T"
PF=$T/etc
export W_SRCDIR=$INTEG
# shellcheck source=../integration/world.sh
. "$INTEG/world.sh"
PIDS=""
cleanup() {
	postfix_stop "$PF"
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	world_stop
	keep_or_remove "$T" "${NR_KEEP:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
private_resolv_conf "$T" 2>/dev/null || true
world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world"

# COMBO: name milter-socket smtpd-port
COMBOS="unix_nr unix_reply inet_nr inet_reply"
declare -A SOCK PORT NRV
SOCK[unix_nr]=unix:$T/nr.sock;	PORT[unix_nr]=2601; NRV[unix_nr]=yes
SOCK[unix_reply]=unix:$T/r.sock;	PORT[unix_reply]=2602; NRV[unix_reply]=no
SOCK[inet_nr]=inet:8901@127.0.0.1;	PORT[inet_nr]=2603; NRV[inet_nr]=yes
SOCK[inet_reply]=inet:8902@127.0.0.1; PORT[inet_reply]=2604; NRV[inet_reply]=no
pf_spec() {	# the milter address as Postfix writes it
	case $1 in
	unix:*) echo "$1" ;;
	inet:*) local p=${1#inet:}; echo "inet:${p#*@}:${p%@*}" ;;
	esac
}
for c in $COMBOS; do
	# IgnoreNetworks: not loopback (the default), smtp-source talks from it
	milter_conf tests/bench/noreply.sh "${SOCK[$c]}" MilterNoReply "${NRV[$c]}" SocketMode 0666 \
	    IgnoreNetworks 192.0.2.255/32 >"$T/$c.conf"
	${NR_STRACE:+strace -f -tt -e trace=read,write,poll,sendto,recvfrom -o "$T/$c.strace"} \
	    "$MILTER" -f -c "$T/$c.conf" >"$T/$c.log" 2>&1 &
	PIDS="$PIDS $!"
done
for c in $COMBOS; do
	for _ in $(seq 50); do grep -q "started on" "$T/$c.log" && break; sleep 0.1; done
	grep -q "started on" "$T/$c.log" || fatal milter "$c did not start: $(head -2 "$T/$c.log")"
done

mkdir -p "$PF"
postfix_dirs "$T"
{
	main_cf_base
	echo "smtpd_recipient_restrictions = check_recipient_access inline:{ bob@receiver.test=HOLD }"
} >"$PF/main.cf" || fatal postfix "cannot write main.cf"
{
	cat "$TOPDIR/tests/postfix/master.cf.in"
	for c in $COMBOS; do
		printf '%s inet n - n - - smtpd\n  -o smtpd_milters=%s\n' "${PORT[$c]}" "$(pf_spec "${SOCK[$c]}")"
	done
} >"$PF/master.cf"
postfix -c "$PF" check >"$T/postfix-ctl.log" 2>&1 || fatal postfix "postfix check: $(head -3 "$T/postfix-ctl.log")"
touch "$T/spool/quick-start" 2>/dev/null
postfix_start "$PF" || fatal postfix "postfix start failed: $(tail -3 "$T/postfix-ctl.log")"
for c in $COMBOS; do wait_port 127.0.0.1 "${PORT[$c]}" || fatal postfix "no smtpd on ${PORT[$c]}"; done

# run COMBO -- ms per message of one smtp-source run (one session at a time)
run() {
	local t0 t1
	t0=$(date +%s%N)
	timeout 300 smtp-source -s 1 -m "$COUNT" -l 2000 -f alice@good.test -t bob@receiver.test \
	    -M client.good.test "127.0.0.1:${PORT[$1]}" >"$T/$1.out" 2>&1 || return 1
	t1=$(date +%s%N)
	echo "scale=3; ($t1 - $t0) / 1000000 / $COUNT" | bc
}
# warm: DNS caches, smtpd processes
for c in $COMBOS; do COUNT=20 run "$c" >/dev/null || fatal smtp "$c: $(tail -2 "$T/$c.out")"; done
declare -A RES
for r in $(seq "$REPS"); do
	for c in $COMBOS; do
		v=$(run "$c") || fatal smtp "$c: $(tail -2 "$T/$c.out")"
		RES[$c]="${RES[$c]:-} $v"
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "Postfix $(postconf -d -h mail_version) -> dmarctls-milter, smtp-source -s 1 -m $COUNT, $REPS reps interleaved, $(date -u +%F)"
printf '%-11s %-28s %s\n' combo "ms/message (each rep)" median
for c in $COMBOS; do
	printf '%-11s %-28s %s\n' "$c" "${RES[$c]# }" "$(echo "${RES[$c]}" | median)"
done
for s in unix inet; do
	nr=$(echo "${RES[${s}_nr]}" | median) re=$(echo "${RES[${s}_reply]}" | median)
	echo "$s: no-reply / reply = $(echo "scale=2; $nr / $re" | bc)"
done
# the milter really negotiated what it was told: errors from libmilter?
for c in $COMBOS; do
	n=$(grep -c 'action=' "$T/$c.log")
	echo "$c: $n messages in the milter log, $(grep -ci 'milter claimed\|error' "$T/$c.log") errors"
done
grep -i 'milter' "$T/maillog" | grep -iE 'warn|error|fatal' | head -5
exit 0
