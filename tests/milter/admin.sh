# shellcheck shell=bash
# admin.sh -- the admin-facing start checks of dmarctls-milter, sourced by
# tests/milter/run.sh (uses its MILTER, MLOAD, T, W_TLS_CHAIN, write_conf,
# mload_case, ok, not_ok).
#
# DESCRIPTION
#	-n: a missing UserID user, a missing socket directory and a
#	certificate the UserID user cannot read each exit 78 with the
#	file:line of the key; all three at once give three lines.
#	Start: a missing socket directory is named (exit 71, not libmilter's
#	"Unable to bind"); the unix socket gets UserID's user, SocketGroup
#	and SocketMode; a client in that group is served, one outside it is
#	refused; the socket is gone after SIGTERM.

# want_check NAME WANT-RC PATTERN -- -n on $T/dmarctls.conf
want_check() {
	local rc
	"$MILTER" -n -c "$T/dmarctls.conf" 2>"$T/check.err"
	rc=$?
	if grep -qE 'Sanitizer|runtime error:' "$T/check.err"; then
		not_ok "$1" "sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error:' "$T/check.err")"
	elif [ "$rc" -eq "$2" ] && { [ -z "$3" ] || grep -qE -- "$3" "$T/check.err"; }; then ok "$1"
	else not_ok "$1" "exit $rc: $(head -2 "$T/check.err" | tr '\n' ' ')"; fi
}

# line_of KEY -- the line of the config file that sets KEY (last one)
line_of() { grep -n "^$1 " "$T/dmarctls.conf" | tail -1 | cut -d: -f1; }

CONF_RE="$T/dmarctls.conf"
write_conf UserID no-such-user-dt
want_check preflight_missing_user_names_file_line 78 \
    "$CONF_RE:$(line_of UserID): UserID no-such-user-dt: no such user"
write_conf Socket "unix:$T/no-such-dir/milter.sock"
want_check preflight_missing_socket_directory_names_file_line 78 \
    "$CONF_RE:$(line_of Socket): Socket unix:$T/no-such-dir/milter.sock: socket directory $T/no-such-dir: No such file"
cp "$W_TLS_CHAIN" "$T/private-chain.pem"
chmod 0600 "$T/private-chain.pem"
write_conf UserID nobody TLSATarget _25._tcp.mx.good.test TLSCertificate "$T/private-chain.pem"
want_check preflight_unreadable_certificate_as_userid 78 \
    "$CONF_RE:$(line_of TLSCertificate): TLSCertificate $T/private-chain.pem: cannot read $T/private-chain.pem as nobody: Permission denied"
chmod 0644 "$T/private-chain.pem"
want_check preflight_readable_certificate_passes 0 ''
install -d -o root -m 0755 "$T/root-only"
write_conf UserID nobody Reports yes ReportStore "sqlite:$T/root-only/reports.db" \
    ReportSpool "$T/root-only/reports.spool"
want_check preflight_report_store_directory_not_writable 78 \
    "$CONF_RE:$(line_of ReportStore): ReportStore sqlite:$T/root-only/reports.db: directory $T/root-only not writable as nobody: Permission denied"
write_conf UserID no-such-user-dt Socket "unix:$T/no-such-dir/milter.sock" \
    TLSATarget _25._tcp.mx.good.test TLSCertificate "$T/no-such-chain.pem"
"$MILTER" -n -c "$T/dmarctls.conf" 2>"$T/check.err"
n=$(grep -c "$CONF_RE:[0-9]*: " "$T/check.err")
[ "$n" -eq 3 ] && ok "preflight_reports_every_problem" ||
    not_ok "preflight_reports_every_problem" "$n problem lines: $(tr '\n' ' ' <"$T/check.err")"

# A start on a missing directory: exit 71 naming it.
write_conf Socket "unix:$T/no-such-dir/milter.sock"
timeout 20 "$MILTER" -f -c "$T/dmarctls.conf" 2>"$T/start.err"
rc=$?
if [ "$rc" -eq 71 ] && grep -q "socket directory $T/no-such-dir" "$T/start.err"; then
	ok "start_names_missing_socket_directory"
else
	not_ok "start_names_missing_socket_directory" "exit $rc: $(head -1 "$T/start.err")"
fi

# Owner, group, mode; who may connect; removal at stop.
install -d -o nobody -g daemon -m 0750 "$T/sockdir"
write_conf Socket "unix:$T/sockdir/milter.sock" UserID nobody SocketGroup daemon SocketMode 0660
"$MILTER" -f -c "$T/dmarctls.conf" 2>>"$T/milter.log" &
SPID=$!
for _ in $(seq 50); do [ -S "$T/sockdir/milter.sock" ] && break; sleep 0.1; done
got=$(stat -c '%U:%G %a' "$T/sockdir/milter.sock" 2>/dev/null)
[ "$got" = "nobody:daemon 660" ] && ok "unix_socket_owner_group_mode" ||
    not_ok "unix_socket_owner_group_mode" "${got:-no socket}"
chmod 0644 "$T/hostile.eml"
# as_user USER [MLOAD-ARGS]... -- one message through the socket as USER
as_user() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --clear-groups timeout 60 \
	    "$BUILDDIR/tests/bench/mload" -s "unix:$T/sockdir/milter.sock" -c 1 -n 1 \
	    --ip 192.0.2.10 --helo mx.good.test --mail-from alice@good.test "$@" "$T/hostile.eml"
}
if as_user daemon --expect accept/pass >"$T/served.out" 2>&1; then
	ok "unix_socket_serves_its_group"
else
	not_ok "unix_socket_serves_its_group" "$(grep -m1 -E 'error|mismatch|refused|denied' "$T/served.out")"
fi
# connect(2) as bin (neither nobody nor in group daemon): EACCES
if setpriv --reuid=bin --regid=bin --clear-groups perl -MIO::Socket::UNIX \
    -e 'IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!\n"' "$T/sockdir/milter.sock" \
    >"$T/refused.out" 2>&1; then
	not_ok "unix_socket_refuses_other_users" "bin could connect"
elif grep -qx 'Permission denied' "$T/refused.out"; then
	ok "unix_socket_refuses_other_users"
else
	not_ok "unix_socket_refuses_other_users" "$(head -1 "$T/refused.out")"
fi
kill -TERM "$SPID"
wait "$SPID"
rc=$?
[ "$rc" -eq 0 ] && ok unix_socket_milter_stops_cleanly || not_ok unix_socket_milter_stops_cleanly "exit $rc"
[ -e "$T/sockdir/milter.sock" ] && not_ok "unix_socket_removed_on_stop" "still there" ||
    ok "unix_socket_removed_on_stop"
