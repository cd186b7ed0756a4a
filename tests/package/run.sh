#!/bin/bash
#
# NAME
#	run.sh -- the Debian packages: built, lintian, installed, run behind a chrooted Postfix
#
# SYNOPSIS
#	tests/package/run.sh BUILDDIR
#
# DESCRIPTION
#	BUILDDIR is a configured tree (for `make dist`, and its
#	tests/integration/dt-sign for a signed message). Steps:
#	  1. `make dist`, unpacked in a temporary directory, and
#	     `dpkg-buildpackage -us -uc -b` there: every package of
#	     debian/control is built;
#	  2. lintian on the .changes: no error or warning (informational
#	     tags are printed; overrides carry their reason);
#	  3. in a private network/mount/pid namespace, with a tmpfs overlay
#	     on /etc, /usr and /var (dpkg, adduser and Postfix write there;
#	     the machine does not see it): `dpkg -i` of the packages; the
#	     dmarctls user and group, the conffile, every unit of
#	     contrib/systemd installed, enabled (the reports timer too) and
#	     not started, /var/spool/postfix/dmarctls as README.Debian says;
#	     `systemd-analyze verify` on every installed unit;
#	  4. the chroot recipe of README.Debian: Socket in
#	     /var/spool/postfix/dmarctls, Postfix's stock Debian master.cf
#	     (smtpd chroot y) and the installed main.cf.dmarctls with
#	     smtpd_milters = unix:dmarctls/dmarctls.sock; the milter started
#	     from the installed unit's ExecStartPre and ExecStart lines, as
#	     its User, Group and UMask (under strace: every system call it
#	     made must pass the unit's SystemCallFilter, every path it wrote
#	     must lie where ProtectSystem=strict lets it); a signed message is
#	     delivered with our Authentication-Results (dmarc=pass); smtpd
#	     ran chrooted as postfix; the socket is gone after SIGTERM;
#	  5. `dpkg --purge` of every package: the user, group, /etc/dmarctls,
#	     /var/lib/dmarctls, the unit links and the socket directory are gone.
#	systemd itself does not run here (no PID 1 systemd in a namespace on
#	this machine), so the unit is verified and its command lines run, not
#	`systemctl start`. Last line: "package: N passed, M failed".
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOPDIR=$(cd "$SRCDIR/../.." && pwd)
INTEG=$TOPDIR/tests/integration
AUTHSERV=mx.receiver.test
RCPT=bob@receiver.test
PASS_IP=192.0.2.10
UNIT=/lib/systemd/system/dmarctls-milter.service
SOCKDIR=/var/spool/postfix/dmarctls
REPORT_PREFIX=package
# shellcheck source=../lib/report.sh
. "$TOPDIR/tests/lib/report.sh"
# shellcheck source=../lib/check.sh
. "$TOPDIR/tests/lib/check.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOPDIR/tests/lib/sandbox.sh"
# shellcheck source=../lib/messages.sh
. "$TOPDIR/tests/lib/messages.sh"
builddir_arg "$@"

# want NAME GOT EXPECTED
want_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; return 1; fi
}

if [ "${DT_PKG_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || fatal prerequisites "dpkg -i and Postfix need root"
	for tool in dpkg-buildpackage dh lintian fakeroot systemd-analyze postfix swaks nsd unbound; do
		command -v "$tool" >/dev/null || fatal prerequisites "$tool not installed (contrib/install-deps.sh)"
	done
	T=$(mktemp -d /tmp/dmarctls-package.XXXXXX) || fatal setup "mktemp failed"
	trap 'keep_or_remove "$T" "${DT_PKG_KEEP:-}"' EXIT
	chmod 755 "$T"
	# 1. build from the release tarball, as a packager would
	make -s -C "$BUILDDIR" dist >"$T/dist.log" 2>&1 || fatal make_dist "$(tail -2 "$T/dist.log")"
	tarball=$(ls "$BUILDDIR"/dmarctls-*.tar.gz | head -1)
	tar xzf "$tarball" -C "$T" && mv "$T"/dmarctls-*/ "$T/src" || fatal unpack "$tarball"
	(cd "$T/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
	    >"$T/build.log" 2>&1
	rc=$?
	want_eq dpkg_buildpackage_exit_status "$rc" 0
	[ "$rc" -eq 0 ] || { tail -20 "$T/build.log" | sed 's/^/#   /'; summary_and_exit; }
	missing=""
	for p in $(sed -n 's/^Package: //p' "$T/src/debian/control"); do
		ls "$T/${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
	done
	want_eq every_package_of_debian_control_built "${missing# }" ""
	# 2. lintian: E and W are failures; I and N are printed
	lintian --allow-root "$T"/dmarctls_*.changes >"$T/lintian.log" 2>&1
	grep '^I:' "$T/lintian.log" | sed 's/^/#   lintian /'
	bad=$(grep -E '^(E|W):' "$T/lintian.log")
	want_eq lintian_no_errors_or_warnings "$(echo "$bad" | head -3 | tr '\n' ' ' | sed 's/ $//')" ""
	ns_err=$(unshare_error --net --mount --pid --fork) || fatal namespace "$ns_err"
	# 3.-5. inside; its "package-inner:" line adds to ours
	inner=$(unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	    env DT_PKG_INNER=1 DT_PKG_T="$T" "$SRCDIR/run.sh" "$BUILDDIR" 2>&1)
	echo "$inner" | grep -v '^package-inner: '
	read -r p f < <(echo "$inner" | sed -n 's/^package-inner: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -z "${p:-}" ]; then
		not_ok namespace_run "the run inside printed no summary"
	else
		NPASS=$((NPASS + p))
		NFAIL=$((NFAIL + f))
	fi
	summary_and_exit
fi

# ---------------------------------------------------------------- inside
T=$DT_PKG_T
REPORT_PREFIX=package-inner
ip link set lo up || fatal namespace "cannot bring up lo"
MILTER_PID=""
cleanup() {
	[ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
	postfix stop >/dev/null 2>&1
	world_stop
}
trap cleanup EXIT

# A private /etc, /usr and /var: writes land in a tmpfs and vanish with us.
mkdir -p "$T/ov"
mount -t tmpfs tmpfs "$T/ov" || fatal overlay "cannot mount a tmpfs"
for d in etc usr var; do
	mkdir -p "$T/ov/$d.up" "$T/ov/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d.up,workdir=$T/ov/$d.work" "/$d" ||
	    fatal overlay "cannot overlay /$d"
done
for d in lib bin sbin; do
	[ -L "/$d" ] || fatal overlay "/$d is not a symlink into /usr (merged /usr expected)"
done

export W_SRCDIR=$INTEG
# shellcheck source=../integration/world.sh
. "$INTEG/world.sh"
private_resolv_conf "$T" 2>/dev/null || true
world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world"
chmod -R a+rX "$T/world"

# 3. install
debs=$(ls "$T"/*.deb | grep -v dbgsym)
# shellcheck disable=SC2086
dpkg -i $debs >"$T/dpkg.log" 2>&1
want_eq dpkg_install_exit_status "$?" 0
want_eq system_user_dmarctls "$(id -nu dmarctls 2>/dev/null):$(id -ng dmarctls 2>/dev/null)" \
    dmarctls:dmarctls
uid=$(id -u dmarctls 2>/dev/null || echo 99999)
[ "$uid" -lt 1000 ] && ok system_user_has_system_uid || not_ok system_user_has_system_uid "uid $uid"
conff=$(dpkg-query -W -f='${Conffiles}' dmarctls | awk '{ print $1 }' | tr '\n' ' ')
want_eq config_is_a_conffile "$conff" "/etc/dmarctls/dmarctls.conf "
# every unit of contrib/systemd installed; each with an [Install] section enabled
units=$(cd /lib/systemd/system && ls dmarctls-*.service dmarctls-*.timer 2>/dev/null)
want_eq every_unit_installed "$(echo $units)" "$(cd "$T/src/contrib/systemd" && echo $(ls dmarctls-*.service dmarctls-*.timer))"
notlinked=""
for u in $units; do
	target=$(sed -n 's/^WantedBy=//p' "/lib/systemd/system/$u")
	[ -z "$target" ] || [ -L "/etc/systemd/system/$target.wants/$u" ] || notlinked="$notlinked $u"
done
want_eq units_enabled "${notlinked# }" ""
pgrep -f '^/usr/sbin/dmarctls-' >/dev/null && not_ok units_not_started "a daemon runs" ||
    ok units_not_started
want_eq socket_directory_made_for_chrooted_postfix "$(stat -c '%U:%G %a' "$SOCKDIR" 2>/dev/null)" \
    "dmarctls:dmarctls 750"
# shellcheck disable=SC2086
out=$(cd /lib/systemd/system && systemd-analyze verify $units 2>&1)
want_eq systemd_analyze_verify_installed_units "$?:$out" "0:"

# 4. the chroot recipe of README.Debian
cat >>/etc/dmarctls/dmarctls.conf <<CONF
# tests/package/run.sh: README.Debian's chroot recipe, the test world's DNS
Socket unix:$SOCKDIR/dmarctls.sock
AuthservID $AUTHSERV
Resolver 127.0.0.1@$W_UNBOUND_PORT
TrustAnchorFile $W_TA
UnboundConfigFile $W_UBCONF
DNSTimeout 3
CONF
sed -e "s|@T@/spool|/var/spool/postfix|" -e "s|@T@/data|/var/lib/postfix|" \
    -e "s|@T@/mail|$T/mail|" -e "s|^maillog_file_prefixes = .*|maillog_file_prefixes = $T|" \
    -e "s|^maillog_file = .*|maillog_file = $T/maillog|" -e '/smtpd_tls/d' \
    -e "s|@MAILUID@|$(id -u nobody)|" -e "s|@MAILGID@|$(id -g nobody)|" \
    -e 's|^inet_interfaces = .*|inet_interfaces = 127.0.0.1|' -e 's|^inet_protocols = .*|inet_protocols = ipv4|' \
    "$TOPDIR/tests/postfix/main.cf.in" >/etc/postfix/main.cf
sed 's|^smtpd_milters = .*|smtpd_milters = unix:dmarctls/dmarctls.sock|' \
    /usr/share/doc/dmarctls/contrib/postfix/main.cf.dmarctls >>/etc/postfix/main.cf
mkdir -p "$T/mail" && chown nobody:nogroup "$T/mail"
chroot_col=$(awk '$1 == "smtp" && $2 == "inet" { print $5 }' /etc/postfix/master.cf)
want_eq stock_master_cf_runs_smtpd_chrooted "$chroot_col" y
/usr/lib/postfix/configure-instance.sh - >"$T/postfix-ctl.log" 2>&1	# the chroot's etc/
ExecStartPre=$(sed -n 's/^ExecStartPre=//p' "$UNIT")
ExecStart=$(sed -n 's/^ExecStart=//p' "$UNIT")
unit_user=$(sed -n 's/^User=//p' "$UNIT")
unit_group=$(sed -n 's/^Group=//p' "$UNIT")
unit_umask=$(sed -n 's/^UMask=//p' "$UNIT")
# as_unit LOG CMD... -- what systemd does for the service: User, Group
# (strace -u also sets the user's other groups) and UMask; every system
# call from the execve on goes to LOG (call it in a subshell: it execs)
as_unit() {
	local log=$1
	shift
	umask "$unit_umask" && exec strace -f -qq -o "$log" -u "$unit_user" "$@"
}
# shellcheck disable=SC2086
(as_unit "$T/strace-pre.log" $ExecStartPre) >"$T/execstartpre.log" 2>&1
want_eq unit_execstartpre_check_passes "$?" 0
# shellcheck disable=SC2086
(as_unit "$T/strace.log" $ExecStart) >"$T/milter.log" 2>&1 &
MILTER_PID=$!
for _ in $(seq 50); do [ -S "$SOCKDIR/dmarctls.sock" ] && break; sleep 0.1; done
want_eq socket_owner_group_mode "$(stat -c '%U:%G %a' "$SOCKDIR/dmarctls.sock" 2>/dev/null)" \
    "dmarctls:dmarctls 660"
MSG_DIR=$T/msg MSG_TO=$RCPT MSG_SUBJECT="dmarctls package case" MSG_DOMAIN=postfix.test
MSG_BODY="Written by tests/package/run.sh."
SIGN=$BUILDDIR/tests/integration/dt-sign
mkdir -p "$MSG_DIR"
m=$(signed installed good.test rsa "$W_KEY_RSA2048" "From: Alice <alice@good.test>")
# send OUT -- the signed message through smtpd (chrooted) to the milter
send() {
	timeout 30 swaks --server 127.0.0.1 --port 25 --helo mail.good.test --from alice@good.test \
	    --to "$RCPT" --xclient-addr "$PASS_IP" --data "@$m" >"$1" 2>&1
}
# pf_start -- postfix check + start, until smtpd listens
pf_start() {
	postfix check >>"$T/postfix-ctl.log" 2>&1 && postfix start >>"$T/postfix-ctl.log" 2>&1 &&
	    wait_port 127.0.0.1 25
}
# The recipe's "adduser postfix dmarctls" is needed: without it smtpd
# cannot write to the socket, and milter_default_action tempfails.
pf_start || { sed 's/^/#   /' "$T/postfix-ctl.log" | tail -5; fatal postfix "postfix start failed"; }
send "$T/swaks0.out"
got=$(grep -E '^<[-*]+ ' "$T/swaks0.out" | tail -2 | head -1 | sed -E 's/^<[-*]+ +//; s/ .*//')
want_eq without_adduser_postfix_smtpd_cannot_connect "$got" 451
postfix stop >>"$T/postfix-ctl.log" 2>&1
for _ in $(seq 100); do postfix status >/dev/null 2>&1 || break; sleep 0.1; done
adduser --quiet postfix dmarctls
pf_start || { sed 's/^/#   /' "$T/postfix-ctl.log" | tail -5; fatal postfix "postfix start failed"; }

send "$T/swaks.out"
grep -q '^<- *250 .*queued as' "$T/swaks.out" && ok message_accepted ||
    not_ok message_accepted "$(grep -E '^<[-*]' "$T/swaks.out" | tail -1)"
f=""
for _ in $(seq 100); do
	f=$(grep -l -s -F "<installed@postfix.test>" "$T"/mail/bob/new/* | head -1)
	[ -n "$f" ] && break
	sleep 0.1
done
if [ -n "$f" ] && ar_dmarc "$f" | grep -q "^Authentication-Results: $AUTHSERV;.* dmarc=pass"; then
	ok delivered_with_our_authentication_results
else
	not_ok delivered_with_our_authentication_results "${f:-not delivered}: $(grep -m2 -E 'milter|reject|defer' "$T/maillog" | tr '\n' ' ')"
fi
# smtpd ran chrooted, as postfix, and it was smtpd that spoke to the milter
smtpd=$(pgrep -x smtpd | head -1)
want_eq smtpd_chrooted_as_postfix \
    "$(readlink "/proc/${smtpd:-0}/root" 2>/dev/null) $(stat -c %U "/proc/${smtpd:-0}" 2>/dev/null)" \
    "/var/spool/postfix postfix"
grep -q "ip=$PASS_IP helo=mail.good.test from=good.test .*dmarc=pass" "$T/milter.log" &&
    ok milter_logged_the_message || not_ok milter_logged_the_message "$(tail -2 "$T/milter.log")"
postfix stop >/dev/null 2>&1
pkill -TERM -u "$unit_user" -x dmarctls-milter
wait "$MILTER_PID"
want_eq milter_exit_status "$?" 0
MILTER_PID=""
[ -e "$SOCKDIR/dmarctls.sock" ] && not_ok socket_removed_on_stop "still there" ||
    ok socket_removed_on_stop

# The unit's SystemCallFilter, checked against what the milter really
# called while it checked its configuration, started, served the
# messages and stopped (systemd cannot run here to enforce it).
# sc_expand GROUP... -- the system calls of systemd's groups, nested ones too
sc_expand() {
	local g x
	for g in "$@"; do
		systemd-analyze syscall-filter "$g" | sed -e '1d' -e 's/^[[:space:]]*//' |
		    grep -v -e '^#' -e '^$' | while read -r x; do
			case $x in @*) sc_expand "$x" ;; *) echo "$x" ;; esac
		done
	done
}
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$UNIT")
deny=$(sed -n 's/^SystemCallFilter=~//p' "$UNIT")
# shellcheck disable=SC2086
sc_expand $allow | sort -u >"$T/sc-allow"
# shellcheck disable=SC2086
sc_expand $deny | sort -u >"$T/sc-deny"
sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$T/strace-pre.log" "$T/strace.log" | sort -u >"$T/sc-used"
outside=$( (comm -23 "$T/sc-used" "$T/sc-allow"; comm -12 "$T/sc-used" "$T/sc-deny") | sort -u | tr '\n' ' ')
[ -s "$T/sc-used" ] && [ -s "$T/sc-allow" ] || outside="no trace ($(wc -l <"$T/sc-used") calls)"
want_eq milter_syscalls_within_unit_filter "${outside% }" ""

# ProtectSystem=strict: the milter may write only below ReadWritePaths,
# its RuntimeDirectory and StateDirectory, and the private /tmp and /dev.
rw="$(sed -n 's/^ReadWritePaths=-\{0,1\}//p' "$UNIT") /tmp /var/tmp /dev"
for k in RuntimeDirectory:/run StateDirectory:/var/lib; do
	for d in $(sed -n "s/^${k%%:*}=//p" "$UNIT"); do rw="$rw ${k#*:}/$d"; done
done
# the paths of calls that write: opens for writing, creating, removing, binding
sed -nE -e 's/^[0-9]+ +openat\([^"]*"([^"]*)", [^)]*O_(WRONLY|RDWR|CREAT).*/\1/p' \
    -e 's/^[0-9]+ +(unlink|unlinkat|mkdir|mkdirat|rmdir|chmod|fchmodat|chown|fchownat|rename|renameat2?|symlink|link)\([^"]*"([^"]*)".*/\2/p' \
    -e 's/^[0-9]+ +bind\(.*sun_path="([^"]*)".*/\1/p' "$T/strace.log" | sort -u >"$T/written"
outside=""
while read -r path; do
	inside=no
	for d in $rw; do case $path in "$d"/*) inside=yes ;; esac; done
	[ $inside = yes ] || outside="$outside $path"
done <"$T/written"
[ -s "$T/written" ] || outside="no write seen (the socket at least is one)"
want_eq milter_writes_only_where_the_unit_allows "${outside# }" ""

# 5. purge
# shellcheck disable=SC2046
dpkg --purge $(sed -n 's/^Package: //p' "$T/src/debian/control") >"$T/purge.log" 2>&1
want_eq dpkg_purge_exit_status "$?" 0
left=""
id dmarctls >/dev/null 2>&1 && left="$left user"
getent group dmarctls >/dev/null && left="$left group"
[ -e /etc/dmarctls ] && left="$left /etc/dmarctls"
[ -e "$SOCKDIR" ] && left="$left $SOCKDIR"
ls /etc/systemd/system/*.wants/dmarctls-* >/dev/null 2>&1 && left="$left unit-links"
[ -e /var/lib/dmarctls ] && left="$left /var/lib/dmarctls"
want_eq purge_removes_what_postinst_made "${left# }" "" ||
    sed 's/^/#   /' "$T/purge.log"
summary_and_exit
