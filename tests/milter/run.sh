#!/bin/bash
#
# NAME
#	run.sh -- dmarctls-milter over the real milter protocol (miltertest)
#
# SYNOPSIS
#	tests/milter/run.sh BUILDDIR
#
# DESCRIPTION
#	In a private network/mount/pid namespace: the signed DNS world of
#	tests/integration/world.sh, one dmarctls-milter from BUILDDIR on a
#	loopback port, and miltertest (libmilter's own protocol, as an MTA
#	speaks it) running the Lua cases of this folder:
#	  basic.lua          verdicts, replies, A-R insertion and forged removal,
#	                     sessions, abort, IPv6, null sender, REQUIRETLS arg
#	  tls.lua            TLS state in its own A-R field, REQUIRETLS fields
#	  hostile.lua        1,000 fields, >64 KB fields, bare CR/LF, junk, 50 MB
#	                     body, a client vanishing mid-body
#	  skip.lua           SMFIS_SKIP: unsigned body cut after its first chunk, a
#	                     signature without l= gets every chunk, with l= the
#	                     chunk that completes it is the last; same verdicts
#	                     again after SIGHUP with MilterSkipBody no
#	  (mload, hold.pl)   20,000 forged A-R fields all removed; the fd limit
#	                     raised for MaxSessions; a message beside 1,100 idle
#	                     connections; a second milter (MilterTimeout 2,
#	                     MaxSessions 3): half a packet dropped, the fourth
#	                     session tempfailed at connect
#	  (SIGHUP)           new config: Quarantine header, IgnoreNetworks, AUTH
#	  reload_header.lua  the new rules apply, the milter kept serving
#	  (SIGHUP)           a broken config: refused, the old one stays
#	  reload_header.lua  again: still the same rules
#	  (SIGHUP) dryrun.lua DryRun: nothing refused or quarantined
#	  (SIGHUP) attacks.lua TempfailOnDNSError no: an invalid DKIM selector, a
#	                     silent HELO, a silent d= before an aligned one,
#	                     silent extra From domains, a silent PTR zone: 550
#	  (SIGHUP) dane.lua  TLSATarget/TLSCertificate: x-dane=pass; the served
#	                     file replaced by an old key: x-dane=fail, logged
#	  (SIGHUP) load.lua  defaults again; 10,000 messages (DT_LOAD_SESSIONS x 10)
#	  admin.sh           -n checks (user, socket directory, unreadable
#	                     certificate, with file:line), socket owner, group,
#	                     mode and removal
#	then SIGTERM: the milter must stop promptly, exit 0, and (for a
#	sanitizer build) have reported no error and no leak.
#
#	Output: "ok - NAME" / "not ok - NAME (why)" lines, last line
#	"milter: N passed, M failed"; exit 0 only if M is 0.
set -u
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$SRCDIR/../.." && pwd)
PORT=18893
STOP_MAX=15			# seconds SIGTERM may take (libmilter polls every 5 s)
AUTHSERV=mx.receiver.test
REPORT_PREFIX=milter
# shellcheck source=../lib/report.sh
. "$TOP/tests/lib/report.sh"
# shellcheck source=../lib/sandbox.sh
. "$TOP/tests/lib/sandbox.sh"
builddir_arg "$@"

if [ "${DT_MILTER_INNER:-}" != 1 ]; then
	ns_err=$(unshare_error --net --mount --pid --fork) || fatal namespace "$ns_err"
	exec unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	    env DT_MILTER_INNER=1 "$SRCDIR/run.sh" "$BUILDDIR"
	fatal namespace "exec unshare failed"
fi
ip link set lo up || fatal namespace "cannot bring up lo"
MILTER=$BUILDDIR/dmarctls-milter
[ -x "$MILTER" ] || fatal prerequisites "no $MILTER: build it first"
command -v miltertest >/dev/null || fatal prerequisites "miltertest not installed"

T=$(mktemp -d /tmp/dmarctls-milter.XXXXXX) || fatal setup "mktemp failed"
export W_SRCDIR=$TOP/tests/integration
# shellcheck source=../integration/world.sh
. "$TOP/tests/integration/world.sh"
MPID=""
cleanup() {
	[ -n "$MPID" ] && kill -KILL "$MPID" 2>/dev/null
	world_stop
	keep_or_remove "$T" "${DT_MILTER_KEEP:-}"
}
trap cleanup EXIT
private_resolv_conf "$T" 2>/dev/null || true

sanitizer_env

world_init "$T/world" || fatal world "could not build the DNS world"
world_start || fatal world "could not start the DNS world"

# write_conf [KEY VALUE]... -- the milter's configuration file (a later
# Socket overrides the first)
write_conf() {
	milter_conf tests/milter/run.sh "inet:$PORT@127.0.0.1" "$@" >"$T/dmarctls.conf"
}

# lua NAME -- run one case file; its ok/not ok lines count
lua() {
	local line out
	out=$(DT_SOCK="inet:$PORT@127.0.0.1" DT_LIB="$SRCDIR/lib.lua" DT_DANE="${DT_DANE:-}" \
	    DT_DANE_OWNER="${DT_DANE_OWNER:-}" \
	    timeout 600 miltertest -s "$SRCDIR/$1" 2>&1)
	local rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) NFAIL=$((NFAIL + 1)); echo "$line" ;;
		esac
	done <<<"$out"
	[ "$rc" -eq 0 ] || not_ok "$1" "miltertest exited $rc: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
}

# log_has TEXT -- the milter's log mentions TEXT
log_has() { grep -qF -- "$1" "$T/milter.log"; }

# a config check first: -n accepts a good file and refuses a bad one
write_conf
if "$MILTER" -n -c "$T/dmarctls.conf" 2>/dev/null; then ok "config_check_accepts_good_file"
else not_ok "config_check_accepts_good_file" "-n refused it"; fi
printf 'Socket nonsense\n' >"$T/bad.conf"
"$MILTER" -n -c "$T/bad.conf" 2>"$T/bad.err"
rc=$?
if [ "$rc" -eq 78 ] && grep -q 'bad.conf:1' "$T/bad.err"; then ok "config_check_refuses_bad_file_78"
else not_ok "config_check_refuses_bad_file_78" "exit $rc: $(head -1 "$T/bad.err")"; fi
# -n names the line of the DANEEndpoint whose certificate is missing (the
# key is repeatable: the first of two lines, not the last)
write_conf
n=$(($(wc -l <"$T/dmarctls.conf") + 1))
printf 'DANEEndpoint mx2 _25._tcp.mx.good.test %s\nDANEEndpoint mx3 _25._tcp.mx.good.test %s\n' \
    "$T/no-such-chain.pem" "$W_TLS_CHAIN" >>"$T/dmarctls.conf"
"$MILTER" -n -c "$T/dmarctls.conf" 2>"$T/dane-n.err"
rc=$?
if [ "$rc" -eq 78 ] && grep -q "dmarctls.conf:$n: DANEEndpoint $T/no-such-chain.pem: cannot read" "$T/dane-n.err"
then ok "config_check_dane_endpoint_missing_cert_names_file_line"
else not_ok "config_check_dane_endpoint_missing_cert_names_file_line" "exit $rc: $(head -1 "$T/dane-n.err")"; fi
write_conf

ulimit -Sn 1024			# the common default: the milter must raise it itself
"$MILTER" -f -c "$T/dmarctls.conf" 2>"$T/milter.log" &
MPID=$!
for _ in $(seq 50); do log_has "started on" && break; sleep 0.1; done
log_has "started on" || fatal start "the milter did not start: $(head -3 "$T/milter.log")"

lua basic.lua
lua tls.lua
lua hostile.lua

# SMFIS_SKIP (skip.lua): messages signed here, one without l=, one with l=
# and text appended after signing, one with l= and a byte inside it changed
SIGN=$BUILDDIR/tests/integration/dt-sign
skip_messages() {
	local plain='From: Alice <alice@good.test>\r\nTo: bob@receiver.test\r\nSubject: skip\r\n'
	plain+='Date: Mon, 01 Jun 2026 10:00:00 +0000\r\n\r\nThe signed part of the body.\r\n'
	mkdir -p "$T/skip" && printf "$plain" >"$T/skip/plain.eml" &&
	    "$SIGN" -d good.test -s rsa -k "$W_KEY_RSA2048" <"$T/skip/plain.eml" >"$T/skip/signed.eml" &&
	    "$SIGN" -d good.test -s rsa -k "$W_KEY_RSA2048" -l <"$T/skip/plain.eml" >"$T/skip/l.eml" &&
	    { cat "$T/skip/l.eml"; printf 'Appended after signing, never hashed.\r\n%.0s' $(seq 3000); } \
	    >"$T/skip/signed_l.eml" &&
	    sed 's/The signed part/The signed pArt/' "$T/skip/signed_l.eml" >"$T/skip/tampered_l.eml"
}
if [ -x "$SIGN" ] && skip_messages; then
	DT_SKIP_DIR=$T/skip DT_SKIP=yes lua skip.lua
else
	not_ok "skip_messages_signed" "no $SIGN (make tests/integration/dt-sign) or it failed"
fi

# Hostile input that miltertest cannot send (it aborts on fields of a few KB),
# through tests/bench/mload, a milter-protocol client of our own that sends
# as Postfix does. Each message must get exactly the answer named.
MLOAD=$BUILDDIR/tests/bench/mload
printf 'From: Alice <alice@good.test>\r\nTo: bob@receiver.test\r\nSubject: hostile\r\n\r\nbody\r\n' \
    >"$T/hostile.eml"
{
	printf 'From: Alice <alice'
	head -c 70000 /dev/zero | tr '\0' 'a'
	printf '@good.test>\r\nSubject: long From\r\n\r\nbody\r\n'
} >"$T/longfrom.eml"
# mload_case NAME EXPECT MESSAGE [MLOAD-FLAGS]... -- one message, one answer
mload_case() {
	local name=$1 want=$2 msg=$3 out
	shift 3
	if [ ! -x "$MLOAD" ]; then
		not_ok "$name" "no $MLOAD (make check builds it)"
		return
	fi
	out=$(timeout 120 "$MLOAD" -s "${MLOAD_SOCK:-inet:$PORT@127.0.0.1}" -c 1 -n 1 \
	    --ip 192.0.2.10 --helo mx.good.test --mail-from alice@good.test \
	    --expect "$want" -v "$@" "$msg" 2>&1)
	if [ $? -eq 0 ]; then ok "$name"
	else not_ok "$name" "$(echo "$out" | grep -m1 -E '^msg|error|mismatch')"; fi
}
mload_case header_field_over_64k accept/pass "$T/hostile.eml" --big-header 70000
mload_case thousand_fields_as_postfix_sends accept/pass "$T/hostile.eml" --many-headers 1000
mload_case nul_bytes_in_field_and_body accept/pass "$T/hostile.eml" --nul
mload_case bare_cr_in_field_and_body accept/pass "$T/hostile.eml" --bare-cr
# a signed message: DKIM needs all of its body, so there is no SMFIS_SKIP
# (the replaced body fails the hash; SPF still aligns)
mload_case fifty_megabyte_body_as_postfix_sends accept/pass "$T/skip/signed.eml" --big-body 52428800
mload_case client_gone_mid_body aborted "$T/skip/signed.eml" --abort-body
mload_case next_message_after_gone_client accept/pass "$T/hostile.eml"
# decoded keys are reused (milter/pubkey_cache.c), but only for the same key
# bytes: with rsa._domainkey.good.test (2048 bits) and r1024 (1024 bits) both
# known, a signature made with the 2048-bit key under selector r1024 fails
# (from an address outside the SPF record: DMARC fails, p=reject), and each
# right signature passes before and after it
if "$SIGN" -d good.test -s r1024 -k "$W_KEY_RSA1024" <"$T/skip/plain.eml" >"$T/r1024.eml" &&
    "$SIGN" -d good.test -s r1024 -k "$W_KEY_RSA2048" <"$T/skip/plain.eml" >"$T/wrongkey.eml"; then
	mload_case cached_key_rsa2048_passes accept/pass "$T/skip/signed.eml" --ip 198.51.100.7
	mload_case cached_key_rsa1024_passes accept/pass "$T/r1024.eml" --ip 198.51.100.7
	mload_case cached_key_other_selectors_key_fails reject/fail "$T/wrongkey.eml" --ip 198.51.100.7
	mload_case cached_key_rsa2048_passes_again accept/pass "$T/skip/signed.eml" --ip 198.51.100.7
	mload_case cached_key_rsa1024_passes_again accept/pass "$T/r1024.eml" --ip 198.51.100.7
else
	not_ok cached_key_messages_signed "dt-sign failed"
fi
mload_case from_field_over_64k_is_permerror reject/permerror "$T/longfrom.eml"
# 20,000 forged A-R fields (ours, in two spellings of the authserv-id) around
# two foreign ones: every forged one is removed, last first, the foreign ones
# (A-R index 1 and 10,002) stay, and the log line says how many went (issue 12).
{
	printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=good.test\r\n'
	for _ in $(seq 10000); do printf 'Authentication-Results: %s; dmarc=pass header.from=good.test\r\n' "$AUTHSERV"; done
	printf 'Authentication-Results: other.example; dkim=pass header.d=good.test\r\n'
	for _ in $(seq 10000); do printf 'Authentication-Results: MX.Receiver.TEST; dmarc=pass\r\n'; done
	printf 'From: Alice <alice@good.test>\r\nTo: bob@receiver.test\r\nSubject: forged\r\n\r\nbody\r\n'
} >"$T/forged20k.eml"
forged_ar_case() {
	local out want
	out=$(timeout 120 "$MLOAD" -s "inet:$PORT@127.0.0.1" -c 1 -n 1 --ip 192.0.2.10 \
	    --helo mx.good.test --mail-from alice@good.test --expect accept/pass -H \
	    "$T/forged20k.eml" 2>&1) || { not_ok forged_ar_20000_all_removed "mload: $(echo "$out" | head -1)"; return; }
	want=$( { seq 20002 -1 10003; seq 10001 -1 2; } | sed 's/.*/- Authentication-Results[&]/')
	if [ "$(echo "$out" | sed -n 's/^ *\(- Authentication-Results\[\)/\1/p')" = "$want" ] &&
	    log_has "action=accept tls=TLSv1.3 removed_ar=20000"; then
		ok forged_ar_20000_all_removed
	else
		not_ok forged_ar_20000_all_removed "$(echo "$out" | grep -c '^ *- Auth') deletions"
	fi
}
forged_ar_case

# Connections that hold threads (issue 12), tests/milter/hold.pl. With the
# default MaxSessions (1000) the milter raises its own RLIMIT_NOFILE from
# 1,024; 1,100 idle connections (more than the old limit) stay open and a
# normal message still gets through beside them.
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$MPID/limits")
[ "${soft:-0}" -ge 2256 ] && ok "fd_limit_raised_for_max_sessions" ||
    not_ok "fd_limit_raised_for_max_sessions" "soft RLIMIT_NOFILE ${soft:-?}, want >= 2256"
( ulimit -n 4096; exec perl "$SRCDIR/hold.pl" idle "$PORT" 1100 8 ) >"$T/idle.out" 2>&1 &
HOLD=$!
for _ in $(seq 100); do grep -q '^open 1100' "$T/idle.out" && break; sleep 0.1; done
if grep -q '^open 1100' "$T/idle.out"; then
	mload_case message_beside_1100_idle_connections accept/pass "$T/hostile.eml"
else
	not_ok message_beside_1100_idle_connections "idle client: $(head -1 "$T/idle.out")"
fi
wait "$HOLD"
grep -q '^kept 1100' "$T/idle.out" && ok "idle_connections_kept_within_timeout" ||
    not_ok "idle_connections_kept_within_timeout" "$(tail -1 "$T/idle.out")"

# A second milter with MilterTimeout 2 and MaxSessions 3: half a packet is
# dropped after the timeout, the fourth concurrent session gets a tempfail
# at connect (and is logged), and a slot freed is a slot served again.
milter_conf tests/milter/run.sh "inet:$((PORT + 2))@127.0.0.1" MilterTimeout 2 MaxSessions 3 \
    >"$T/limits.conf"
"$MILTER" -f -c "$T/limits.conf" 2>"$T/limits.log" &
LPID=$!
for _ in $(seq 50); do grep -q "started on" "$T/limits.log" && break; sleep 0.1; done
out=$(perl "$SRCDIR/hold.pl" half "$((PORT + 2))" 10)
[ "$out" = "dropped after 2" ] || [ "$out" = "dropped after 3" ] &&
    ok "half_packet_dropped_after_milter_timeout" ||
    not_ok "half_packet_dropped_after_milter_timeout" "$out"
out=$(perl "$SRCDIR/hold.pl" sessions "$((PORT + 2))" 4 1 | tr '\n' ' ')
[ "$out" = "c c c t " ] && grep -q "MaxSessions 3 reached: tempfail" "$T/limits.log" &&
    ok "session_over_max_sessions_tempfails" ||
    not_ok "session_over_max_sessions_tempfails" "connect replies: $out"
sleep 0.5			# the held sessions are closed: their slots are free
out=$(perl "$SRCDIR/hold.pl" sessions "$((PORT + 2))" 3 0 | tr '\n' ' ')
[ "$out" = "c c c " ] && ok "sessions_freed_are_served_again" ||
    not_ok "sessions_freed_are_served_again" "connect replies: $out"
kill -TERM "$LPID"; wait "$LPID"
log_has "ip=$( printf '192.0.2.10' ) helo=mx.good.test from=good.test spf=pass" &&
    ok "summary_log_line_per_message" || not_ok "summary_log_line_per_message" "no such line"

# reload CONF-ARGS... -- rewrite the config, SIGHUP, wait for the log to say so
reload() {
	local n
	n=$(grep -c 'reloaded' "$T/milter.log")
	write_conf "$@"
	kill -HUP "$MPID"
	for _ in $(seq 50); do [ "$(grep -c 'reloaded' "$T/milter.log")" -gt "$n" ] && return 0; sleep 0.1; done
	return 1
}

reload Quarantine header IgnoreNetworks 203.0.113.0/24 IgnoreAuthenticatedClients yes \
    TrustedNetworks 192.0.2.0/24 TrustedAuthservIDs relay.receiver.test &&
    ok "sighup_reloads" || not_ok "sighup_reloads" "no reload logged"
lua reload_header.lua

# Which A-R fields go (policy/authres_fate.c): the relay's id (TrustedAuthservIDs)
# stays from a TrustedNetworks client and goes from a stranger; an unparseable
# foreign field goes; a readable foreign one stays. mload -H lists deletions.
printf '%s\r\n' 'Authentication-Results: relay.receiver.test; spf=pass smtp.mailfrom=good.test' \
    'Authentication-Results: other.example; spf=' \
    'Authentication-Results: other.example; dkim=pass header.d=good.test' \
    'From: Alice <alice@good.test>' 'To: bob@receiver.test' 'Subject: fates' '' 'body' \
    >"$T/fates.eml"
# ar_deletions NAME IP WANT -- the A-R indexes deleted, last first, space-separated
ar_deletions() {
	local got
	got=$(timeout 60 "$MLOAD" -s "inet:$PORT@127.0.0.1" -c 1 -n 1 --ip "$2" \
	    --helo mx.good.test --mail-from alice@good.test --expect any -H "$T/fates.eml" 2>&1 |
	    sed -n 's/^ *- Authentication-Results\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	[ "$got" = "$3" ] && ok "$1" || not_ok "$1" "deleted A-R [${got% }], want [${3% }]"
}
ar_deletions trusted_authserv_id_kept_from_trusted_network 192.0.2.10 "2 "
ar_deletions trusted_authserv_id_removed_from_stranger 198.51.100.7 "2 1 "

cp "$T/dmarctls.conf" "$T/good.conf"
printf 'DNSTimeout forever\n' >>"$T/dmarctls.conf"
kill -HUP "$MPID"
for _ in $(seq 50); do log_has "reload of" && break; sleep 0.1; done
log_has "keeping the configuration in force" && ok "broken_reload_keeps_old_config" ||
    not_ok "broken_reload_keeps_old_config" "no refusal logged"
lua reload_header.lua		# the same rules still hold

reload DryRun yes || not_ok "sighup_reloads_dry_run" "no reload logged"
lua dryrun.lua

reload TempfailOnDNSError no DNSTimeout 1 || not_ok "sighup_reloads_no_tempfail" "no reload logged"
lua attacks.lua

# DANE: our TLSA records against the chain we serve, checked in the background
# dane_wait OWNER RESULT -- the background check has logged RESULT for OWNER
dane_wait() {
	for _ in $(seq 50); do log_has "DANE $1: $2" && return 0; sleep 0.1; done
	return 1
}
cp "$W_TLS_CHAIN" "$T/served.pem"
reload TLSATarget _25._tcp.mx.good.test TLSCertificate "$T/served.pem" ||
    not_ok "sighup_reloads_dane" "no reload logged"
dane_wait _25._tcp.mx.good.test pass
DT_DANE=pass DT_DANE_OWNER=_25._tcp.mx.good.test lua dane.lua
# _25._tcp.old.good.test has only "3 1 1" of the old key: serve the old chain,
# then renew it without a TLSA update; noticed from the file alone, no SIGHUP
cp "$W_TLS_OLD_CHAIN" "$T/served.pem"
reload TLSATarget _25._tcp.old.good.test TLSCertificate "$T/served.pem" ||
    not_ok "sighup_reloads_dane" "no reload logged"
dane_wait _25._tcp.old.good.test pass
DT_DANE=pass DT_DANE_OWNER=_25._tcp.old.good.test lua dane.lua
sleep 1.1			# a new mtime second
cp "$W_TLS_CHAIN" "$T/served.pem"
dane_wait _25._tcp.old.good.test fail && log_has "DANE senders will refuse to deliver to us" &&
    ok "dane_renewal_without_tlsa_update_logged_as_error" ||
    not_ok "dane_renewal_without_tlsa_update_logged_as_error" "no error logged"
DT_DANE=fail DT_DANE_OWNER=_25._tcp.old.good.test lua dane.lua
# one state per listener: DANEEndpoint lines beside the TLSATarget default
reload TLSATarget _25._tcp.mx.good.test TLSCertificate "$W_TLS_CHAIN" \
    DANEEndpoint "mx2 _25._tcp.old.good.test $W_TLS_OLD_CHAIN" \
    DANEEndpoint "192.0.2.26 _25._tcp.old.good.test $W_TLS_OLD_CHAIN" ||
    not_ok "sighup_reloads_endpoints" "no reload logged"
dane_wait _25._tcp.mx.good.test pass
for _ in $(seq 50); do [ "$(grep -c 'DANE _25._tcp.old.good.test: pass' "$T/milter.log")" -ge 3 ] &&
    break; sleep 0.1; done
lua endpoint.lua

# MilterSkipBody no: every chunk answered, the same verdicts as with skips
if reload MilterSkipBody no; then
	[ -s "$T/skip/tampered_l.eml" ] && DT_SKIP_DIR=$T/skip DT_SKIP=no lua skip.lua
else
	not_ok "sighup_reloads_skip_body_no" "no reload logged"
fi

reload || not_ok "sighup_reloads_defaults" "no reload logged"
lua load.lua

t0=$(date +%s)
kill -TERM "$MPID"
wait "$MPID"
rc=$?
MPID=""
secs=$(( $(date +%s) - t0 ))
if [ "$rc" -eq 0 ] && [ "$secs" -le "$STOP_MAX" ]; then ok "sigterm_stops_cleanly"
else not_ok "sigterm_stops_cleanly" "exit $rc after ${secs}s"; fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/milter.log"; then
	not_ok "no_sanitizer_reports" "$(grep -m1 -E 'Sanitizer|runtime error' "$T/milter.log")"
	grep -A30 -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/milter.log" | sed 's/^/#   /'
else
	ok "no_sanitizer_reports"
fi
# Other sockets, and UserID: bound as root, then nobody, and still serving.
write_conf Socket "unix:$T/milter.sock" UserID nobody
chmod 755 "$T"
"$MILTER" -f -c "$T/dmarctls.conf" 2>>"$T/milter.log" &
UPID=$!
for _ in $(seq 50); do [ -S "$T/milter.sock" ] && break; sleep 0.1; done
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$UPID/status" 2>/dev/null)
[ "$uid" = "$(id -u nobody)" ] && ok "userid_drops_root_after_binding" ||
    not_ok "userid_drops_root_after_binding" "uid ${uid:-?}"
MLOAD_SOCK="unix:$T/milter.sock" mload_case unix_socket_as_nobody accept/pass "$T/hostile.eml"
kill -TERM "$UPID"; wait "$UPID"
# shellcheck source=admin.sh
. "$SRCDIR/admin.sh"
write_conf Socket "inet6:$PORT@[::1]"
"$MILTER" -f -c "$T/dmarctls.conf" 2>>"$T/milter.log" &
UPID=$!
sleep 1
MLOAD_SOCK="inet6:$PORT@::1" mload_case inet6_socket accept/pass "$T/hostile.eml"
kill -TERM "$UPID"; wait "$UPID"

# Detached (no -f): pid file, DNS and the DANE check work after the fork.
write_conf TLSATarget _25._tcp.mx.good.test TLSCertificate "$W_TLS_CHAIN" \
    PidFile "$T/milter.pid" Socket "inet:$((PORT + 1))@127.0.0.1"
"$MILTER" -c "$T/dmarctls.conf" 2>>"$T/milter.log"
for _ in $(seq 50); do [ -s "$T/milter.pid" ] && break; sleep 0.1; done
DPID=$(cat "$T/milter.pid" 2>/dev/null)
if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
	ok "daemon_mode_detaches_and_writes_pid_file"
	sleep 1.5		# the first DANE check runs in the background
	PORT=$((PORT + 1)) lua daemon.lua
	kill -TERM "$DPID"
	for _ in $(seq "$((STOP_MAX * 10))"); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$DPID" 2>/dev/null && not_ok "daemon_mode_stops" "still running" ||
	    ok "daemon_mode_stops"
else
	not_ok "daemon_mode_detaches_and_writes_pid_file" "no live pid in $T/milter.pid"
fi
summary_and_exit
