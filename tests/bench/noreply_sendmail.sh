#!/bin/bash
#
# NAME
#	noreply_sendmail.sh -- measure the milter "no reply" options through Sendmail
#
# SYNOPSIS
#	tests/bench/noreply_sendmail.sh BUILDDIR
#
# DESCRIPTION
#	tests/bench/noreply.sh for Sendmail 8.17 (Debian 12's, unpacked from
#	the .debs tests/sendmail/run.sh caches; see there for the cache and
#	the one network step). Does leaving out the milter's replies
#	(SMFIP_NR_HELO, _MAIL, _HDR, _EOH, _BODY) stall Sendmail's milter
#	client on Nagle's algorithm and the milter's delayed ACK, and on
#	which socket type? In a private namespace with the signed DNS world:
#	four dmarctls-milter processes (unix socket / TCP on loopback, each
#	with MilterNoReply yes and no; MilterSkipBody no everywhere, so that
#	only the no-reply options differ) behind four daemon ports of one
#	Sendmail, each port with its own filter (DaemonPortOptions
#	InputMailFilters). Postfix's smtp-source sends COUNT messages on one
#	SMTP session at a time to each port in turn, REPS times
#	(interleaved); Sendmail only queues them (DeliveryMode queueonly).
#	Prints the median milliseconds per message of each combination and
#	the ratios no-reply / reply. A stall shows as tens of ms per message.
#
#	A measurement, not a test: exits 0 once it ran, 1 when it could not.
#
# ENVIRONMENT
#	NR_COUNT (default 200), NR_REPS (default 3), NR_KEEP=1 keeps the
#	directory, DT_SENDMAIL_DEBS as in tests/sendmail/run.sh, NR_QUICKACK=1
#	turns delayed ACKs off on the namespace's loopback route (quickack),
#	NR_STRACE=1 straces each milter into the directory (with NR_KEEP=1).
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
COUNT=${NR_COUNT:-200}
REPS=${NR_REPS:-3}
AUTHSERV=mx.receiver.test
SM_PACKAGES="sendmail-bin sendmail-cf libwrap0"
REPORT_PREFIX=noreply_sendmail
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
builddir_arg "$@"

deb_of() { find "$1" -maxdepth 1 -name "${2}_*.deb" 2>/dev/null | sort -V | tail -n 1; }
if [ "${NR_INNER:-}" != 1 ]; then
	SM_DEBS=${DT_SENDMAIL_DEBS:-/var/cache/dmarctls/sendmail-debs}
	[ -d "$SM_DEBS" ] || SM_DEBS=$BUILDDIR/sendmail-debs
	for p in $SM_PACKAGES; do
		[ -n "$(deb_of "$SM_DEBS" "$p")" ] ||
		    fatal prerequisites "no $p .deb in $SM_DEBS: run tests/sendmail/run.sh once (it fetches them)"
	done
	ns_err=$(unshare_error --net --mount --pid --uts --fork) || fatal namespace "$ns_err"
	exec unshare --net --mount --pid --uts --fork --kill-child --mount-proc --propagation private \
	    env NR_INNER=1 DT_SENDMAIL_DEBS="$SM_DEBS" "$SRCDIR/noreply_sendmail.sh" "$BUILDDIR"
	fatal namespace "exec unshare failed"
fi
SM_DEBS=$DT_SENDMAIL_DEBS
ip link set lo up || fatal namespace "cannot bring up lo"
# NR_QUICKACK=1: no delayed ACKs on loopback (a route attribute), to see
# whether a stall is Nagle waiting for the milter's delayed ACK
if [ "${NR_QUICKACK:-}" = 1 ]; then
	ip route replace local 127.0.0.1 dev lo table local quickack 1 &&
	    ip route replace local 127.0.0.0/8 dev lo table local quickack 1 ||
	    fatal namespace "cannot set quickack on the loopback route"
fi
hostname "$AUTHSERV" || fatal namespace "cannot set the host name"
MILTER=$BUILDDIR/dmarctls-milter
[ -x "$MILTER" ] || fatal prerequisites "no $MILTER"
for tool in smtp-source m4 dpkg-deb bc; do
	command -v "$tool" >/dev/null || fatal prerequisites "no $tool"
done

T=$(mktemp -d /tmp/dmarctls-noreply-sm.XXXXXX) || fatal setup "mktemp failed"
chmod 755 "$T"
export W_SRCDIR=$TOPDIR/tests/integration
# shellcheck source=../integration/world.sh
. "$W_SRCDIR/world.sh"
PIDS=""
SM_PIDFILE=$T/sm/sendmail.pid
cleanup() {
	[ -s "$SM_PIDFILE" ] && kill "$(head -n 1 "$SM_PIDFILE")" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	world_stop
	keep_or_remove "$T" "${NR_KEEP:-}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
printf '127.0.0.1\t%s localhost\n' "$AUTHSERV" >"$T/hosts"
private_resolv_conf "$T" || fatal namespace "cannot mount resolv.conf"
mount --bind "$T/hosts" /etc/hosts || fatal namespace "cannot mount hosts"
world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world"

# COMBO: milter socket, Sendmail port, MilterNoReply
COMBOS="unix_nr unix_reply inet_nr inet_reply"
declare -A SOCK PORT NRV
SOCK[unix_nr]=unix:$T/nr.sock;	PORT[unix_nr]=2601; NRV[unix_nr]=yes
SOCK[unix_reply]=unix:$T/r.sock;	PORT[unix_reply]=2602; NRV[unix_reply]=no
SOCK[inet_nr]=inet:8901@127.0.0.1;	PORT[inet_nr]=2603; NRV[inet_nr]=yes
SOCK[inet_reply]=inet:8902@127.0.0.1; PORT[inet_reply]=2604; NRV[inet_reply]=no
for c in $COMBOS; do
	# IgnoreNetworks: not loopback (the default), smtp-source talks from it
	milter_conf tests/bench/noreply_sendmail.sh "${SOCK[$c]}" MilterNoReply "${NRV[$c]}" \
	    MilterSkipBody no SocketMode 0666 IgnoreNetworks 192.0.2.255/32 >"$T/$c.conf"
	${NR_STRACE:+strace -f -tt -e trace=read,write,poll,sendto,recvfrom,accept,close -o "$T/$c.strace"} \
	    "$MILTER" -f -c "$T/$c.conf" >"$T/$c.log" 2>&1 &
	PIDS="$PIDS $!"
done
for c in $COMBOS; do
	for _ in $(seq 50); do grep -q "started on" "$T/$c.log" && break; sleep 0.1; done
	grep -q "started on" "$T/$c.log" || fatal milter "$c did not start: $(head -2 "$T/$c.log")"
done

# Sendmail, unpacked (setgid dropped so that LD_LIBRARY_PATH finds libwrap)
SMROOT=$T/sm/root
SM=$SMROOT/usr/libexec/sendmail/sendmail
mkdir -p "$SMROOT" "$T/sm/mqueue" || fatal setup "mkdir failed"
for p in $SM_PACKAGES; do
	dpkg-deb -x "$(deb_of "$SM_DEBS" "$p")" "$SMROOT" || fatal sendmail "cannot unpack $p"
done
chmod g-s "$SM" && chmod 700 "$T/sm/mqueue"
wrap=$(find "$SMROOT" -name 'libwrap.so.0' | head -n 1)
export LD_LIBRARY_PATH=${wrap%/*}
printf 'hosts\tfiles\naliases\tfiles\n' >"$T/sm/service.switch"
printf 'postmaster: root\n' >"$T/sm/aliases"
{
	cat <<EOF
divert(0)dnl
include(\`$SMROOT/usr/share/sendmail/cf/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$AUTHSERV')dnl
define(\`QUEUE_DIR', \`$T/sm/mqueue')dnl
define(\`ALIAS_FILE', \`$T/sm/aliases')dnl
define(\`STATUS_FILE', \`$T/sm/statistics')dnl
define(\`confPID_FILE', \`$SM_PIDFILE')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/sm/service.switch')dnl
define(\`confHOSTS_FILE', \`/etc/hosts')dnl
define(\`confHELP_FILE', \`$T/sm/helpfile')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confDELIVERY_MODE', \`queueonly')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confMAX_DAEMON_CHILDREN', \`0')dnl
define(\`confCONNECTION_RATE_THROTTLE', \`0')dnl
define(\`confMILTER_MACROS_EOM', \`i')dnl
MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl
LOCAL_DOMAIN(\`receiver.test')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`no_default_msa')dnl
EOF
	for c in $COMBOS; do
		echo "MAIL_FILTER(\`$c', \`S=${SOCK[$c]}, F=T, T=S:30s;R:30s;E:5m')dnl"
		echo "DAEMON_OPTIONS(\`Port=${PORT[$c]}, Addr=127.0.0.1, Name=$c, InputMailFilters=$c')dnl"
	done
	echo "MAILER(\`local')dnl"
	echo "MAILER(\`smtp')dnl"
} >"$T/sm/sendmail.mc"
m4 "$T/sm/sendmail.mc" >"$T/sm/sendmail.cf" 2>"$T/sm/m4.log" && [ ! -s "$T/sm/m4.log" ] ||
    fatal sendmail "m4: $(head -2 "$T/sm/m4.log")"
"$SM" -C "$T/sm/sendmail.cf" -bi >"$T/sm/newaliases.log" 2>&1 || fatal sendmail "newaliases failed"
"$SM" -C "$T/sm/sendmail.cf" -bd >"$T/sm/daemon.log" 2>&1 ||
    fatal sendmail "sendmail -bd: $(head -2 "$T/sm/daemon.log")"
for c in $COMBOS; do wait_port 127.0.0.1 "${PORT[$c]}" || fatal sendmail "nothing on ${PORT[$c]}"; done

# run COMBO -- ms per message of one smtp-source run (one session at a time)
run() {
	local t0 t1
	t0=$(date +%s%N)
	timeout 300 smtp-source -s 1 -m "$COUNT" -l 2000 -f alice@good.test -t bob@receiver.test \
	    -M client.good.test "127.0.0.1:${PORT[$1]}" >"$T/$1.out" 2>&1 || return 1
	t1=$(date +%s%N)
	echo "scale=3; ($t1 - $t0) / 1000000 / $COUNT" | bc
}
for c in $COMBOS; do COUNT=20 run "$c" >/dev/null || fatal smtp "$c: $(tail -2 "$T/$c.out")"; done
declare -A RES
for r in $(seq "$REPS"); do
	for c in $COMBOS; do
		v=$(run "$c") || fatal smtp "$c: $(tail -2 "$T/$c.out")"
		RES[$c]="${RES[$c]:-} $v"
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "Sendmail $("$SM" -d0.1 -bt </dev/null 2>/dev/null | sed -n 's/^Version //p') -> dmarctls-milter," \
    "smtp-source -s 1 -m $COUNT, $REPS reps interleaved, quickack ${NR_QUICKACK:-0}, $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-11s %-28s %s\n' combo "ms/message (each rep)" median
for c in $COMBOS; do
	printf '%-11s %-28s %s\n' "$c" "${RES[$c]# }" "$(echo "${RES[$c]}" | median)"
done
for s in unix inet; do
	nr=$(echo "${RES[${s}_nr]}" | median) re=$(echo "${RES[${s}_reply]}" | median)
	echo "$s: no-reply / reply = $(echo "scale=2; $nr / $re" | bc)"
done
# every message went through its milter, and libmilter complained of nothing
for c in $COMBOS; do
	echo "$c: $(grep -c 'action=' "$T/$c.log") messages in the milter log," \
	    "$(grep -ci 'milter claimed\|error' "$T/$c.log") errors"
done
exit 0
