# shellcheck shell=bash
# common.sh -- the world, the milters and the corpus of the benchmark runs
#
# SYNOPSIS
#	. tests/bench/common.sh			(from run.sh and diff.sh)
#	builddir_arg "$@"			BUILDDIR (tests/lib/report.sh)
#	bench_namespace SCRIPT BUILDDIR		re-execute SCRIPT in a private namespace
#	bench_world				DNS world, port-53 resolver, mload
#	start_dmarctls / start_opendkim / start_opendmarc
#	msg_from NAME FROM...			an unsigned message; prints its path
#	signed_from NAME FROM D S KEY [ALG]	the same, signed with dt-sign
#						(both tests/lib/messages.sh)
#	bench_stop				stop what was started
#
# DESCRIPTION
#	Shared by run.sh (the benchmark) and diff.sh (the differential run
#	against OpenDKIM -> OpenDMARC). Inside a private network, mount and
#	PID namespace (only `lo`; every process dies with the namespace):
#
#	- tests/integration/world.sh: nsd with the DNSSEC-signed test zones
#	  on 127.0.0.1:5353, a validating unbound on 127.0.0.1:5354.
#	- a second validating unbound on 127.0.0.1:53 with the same zones,
#	  and /etc/resolv.conf (bind-mounted, private) pointing at it with
#	  "options edns0 trust-ad": OpenDMARC and its libspf2 use the libc
#	  resolver, which only talks to port 53.
#	- dmarctls-milter: Resolver 127.0.0.1@5354 with the test trust anchor.
#	- opendkim (Mode v): libunbound forwarding to 127.0.0.1@5354, with a
#	  config file that switches off libunbound's built-in `test.` zone.
#	- opendmarc: IgnoreHosts is an empty file (nothing ignored), SPF done
#	  by itself (SPFSelfValidate, SPFIgnoreResults), trusts OpenDKIM's
#	  Authentication-Results (same authserv-id), holds quarantined mail,
#	  rejects failures; its public suffix list is Debian's plus `test`.
#	- ubserial.so preloaded into opendkim (see ubserial.c).
#	All milters listen on unix sockets under $T/sock (Postfix's usual
#	setup; no Nagle or delayed-ACK effects in the figures).
#
#	Client addresses are documentation ranges: libspf2 passes loopback.
#
# ENVIRONMENT
#	BENCH_KEEP=1 keeps the temporary directory (configs, logs, corpus).

# Variables below are used by the scripts that source this file.
# shellcheck disable=SC2034
BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TOP=$(cd "$BENCH_SRC/../.." && pwd)
AUTHSERV=mx.receiver.test
PASS_IP=192.0.2.10		# inside every test SPF record
FAIL_IP=198.51.100.7		# outside them
BENCH_WAIT_TRIES=100		# x 0.1 s for a milter socket to appear
BENCH_PIDS=""

# shellcheck source=tests/lib/report.sh
. "$BENCH_TOP/tests/lib/report.sh"		# builddir_arg
# shellcheck source=tests/lib/sandbox.sh
. "$BENCH_TOP/tests/lib/sandbox.sh"
# shellcheck source=tests/lib/messages.sh
. "$BENCH_TOP/tests/lib/messages.sh"
MSG_SUBJECT="dmarctls benchmark message"
MSG_DOMAIN=bench.test
MSG_BODY="This message was written by tests/bench for the case @NAME@.
It is a few lines long, like most mail that people write to
each other, so that the body hash costs what it usually costs."

bench_log() {
	echo "bench: $*" >&2
}

bench_fatal() {
	bench_log "$*"
	exit 1
}

# bench_namespace SCRIPT BUILDDIR -- run SCRIPT again inside unshare (once).
bench_namespace() {
	local userns=""
	[ "${BENCH_INNER:-}" = 1 ] && return 0
	[ "$(id -u)" -eq 0 ] || userns="--user --map-root-user"
	# shellcheck disable=SC2086
	ns_err=$(unshare_error $userns --net --mount --pid --fork) ||
	    bench_fatal "$ns_err"
	# shellcheck disable=SC2086
	exec unshare $userns --net --mount --pid --fork --kill-child \
	    --mount-proc --propagation private env BENCH_INNER=1 "$1" "$2"
}

bench_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null ||
		    bench_fatal "$tool is not installed (apt-get install opendkim opendmarc; contrib/install-deps.sh)"
	done
}

bench_cleanup() {
	bench_stop
	world_stop
	keep_or_remove "$T" "${BENCH_KEEP:-}" bench:
}

# bench_world -- everything up to the milters: tmpdir, DNS, mload.
bench_world() {
	ip link set lo up || bench_fatal "cannot bring up lo"
	bench_need nsd unbound ldns-keygen ldns-signzone dig openssl perl gcc
	SIGN=$BUILDDIR/tests/integration/dt-sign
	[ -x "$SIGN" ] || bench_fatal "no $SIGN: make tests/integration/dt-sign"
	T=$(mktemp -d /tmp/dmarctls-bench.XXXXXX) || bench_fatal "mktemp failed"
	mkdir -p "$T/sock" "$T/conf" "$T/msg" "$T/out" "$T/log"
	MSG_DIR=$T/msg
	export W_SRCDIR=$BENCH_TOP/tests/integration
	# shellcheck source=tests/integration/world.sh
	. "$W_SRCDIR/world.sh"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM

	private_resolv_conf "$T" "edns0 trust-ad" ||
	    bench_fatal "cannot bind-mount a private /etc/resolv.conf"
	world_init "$T/world" || bench_fatal "could not build the DNS world"
	world_start || bench_fatal "could not start the DNS world (logs: $T/world)"
	bench_unbound53 || bench_fatal "the port-53 resolver did not come up"
	bench_build_mload
}

# The libc resolver can only ask port 53: a second validating unbound there.
bench_unbound53() {
	local rc
	resolver_on_53 "$T/conf/unbound53.conf" "$T/log/unbound53.log" "$T/unbound53.pid"
	rc=$?
	BENCH_PIDS="$BENCH_PIDS $RESOLVER53_PID"
	return $rc
}

bench_build_mload() {
	MLOAD=$T/mload
	gcc -O2 -Wall -Wextra -Werror -pthread -I"$BENCH_TOP/util" -o "$MLOAD" \
	    "$BENCH_SRC/mload.c" "$BENCH_TOP/util/strbuf.c" ||
	    bench_fatal "mload did not compile"
	UBSERIAL=$T/ubserial.so
	gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$UBSERIAL" "$BENCH_SRC/ubserial.c" \
	    -ldl -lpthread || bench_fatal "ubserial.so did not compile"
}

# bench_wait_socket PATH PID NAME -- wait for a unix socket, or the milter's death
bench_wait_socket() {
	local i=0
	while [ $i -lt $BENCH_WAIT_TRIES ]; do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || { bench_log "$3 exited:"; tail -5 "$T/log/$3.log" >&2; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	bench_log "$3 did not create $1"
	return 1
}

# start_dmarctls -- sets DMARCTLS_SOCK, DMARCTLS_PID
start_dmarctls() {
	local milter=$BUILDDIR/dmarctls-milter conf=$T/conf/dmarctls.conf
	[ -x "$milter" ] || { bench_log "no $milter (make dmarctls-milter)"; return 1; }
	DMARCTLS_SOCK=$T/sock/dmarctls.sock
	milter_conf tests/bench "unix:$DMARCTLS_SOCK" RejectFailures yes Quarantine hold \
	    TempfailOnDNSError yes RejectOnNoFrom yes >"$conf"
	"$milter" -f -c "$conf" >"$T/log/dmarctls.log" 2>&1 &
	DMARCTLS_PID=$!
	BENCH_PIDS="$BENCH_PIDS $DMARCTLS_PID"
	bench_wait_socket "$DMARCTLS_SOCK" "$DMARCTLS_PID" dmarctls
}

# start_dmarctls_on NAME SOCKET [KEY VALUE]... -- one more dmarctls-milter
# with the benchmark's rules on SOCKET (unix:/path or inet:PORT@127.0.0.1);
# its pid is printed into $T/NAME.pid
start_dmarctls_on() {
	local milter=$BUILDDIR/dmarctls-milter name=$1 sock=$2 conf=$T/conf/$1.conf pid
	shift 2
	milter_conf tests/bench "$sock" RejectFailures yes Quarantine hold \
	    TempfailOnDNSError yes RejectOnNoFrom yes "$@" >"$conf"
	"$milter" -f -c "$conf" >"$T/log/$name.log" 2>&1 &
	pid=$!
	BENCH_PIDS="$BENCH_PIDS $pid"
	echo "$pid" >"$T/$name.pid"
	bench_wait_spec "$sock" "$pid" "$name"
}

# bench_wait_spec SOCKET PID NAME -- a unix socket file or a TCP port listening
bench_wait_spec() {
	local i=0 port
	case $1 in
	unix:*|local:*) bench_wait_socket "${1#*:}" "$2" "$3"; return ;;
	esac
	port=${1#inet:}
	port=${port%@*}
	while [ $i -lt $BENCH_WAIT_TRIES ]; do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	bench_log "$3 does not listen on $1"
	return 1
}

# opendkim_resolver UBCONF -- how opendkim finds the DNS world: a
# libunbound config that forwards to 127.0.0.1@5354 and switches off the
# built-in `test.` zone. opendkim 2.11 parses it for every message from
# many threads at once and dies of it (see ubserial.c), so start_opendkim
# preloads ubserial.so. BENCH_OPENDKIM_NS=1 uses Nameservers 127.0.0.1
# instead (no crash, but every key is NXDOMAIN: .test is a local zone).
# start_dmarctls_reports -- a second dmarctls-milter, the same rules plus
# Reports yes into a SQLite store in $T: the cost of recording
start_dmarctls_reports() {
	local milter=$BUILDDIR/dmarctls-milter conf=$T/conf/dmarctls-reports.conf
	[ -x "$milter" ] || return 1
	REPORTS_SOCK=$T/sock/dmarctls-reports.sock
	milter_conf tests/bench "unix:$REPORTS_SOCK" RejectFailures yes Quarantine hold \
	    TempfailOnDNSError yes RejectOnNoFrom yes Reports yes \
	    ReportStore "sqlite:$T/reports.db" ReportSpool "$T/reports.spool" >"$conf"
	"$milter" -f -c "$conf" >"$T/log/reports.log" 2>&1 &
	REPORTS_PID=$!
	BENCH_PIDS="$BENCH_PIDS $REPORTS_PID"
	bench_wait_socket "$REPORTS_SOCK" "$REPORTS_PID" reports
}

opendkim_resolver() {
	if [ "${BENCH_OPENDKIM_NS:-}" = 1 ]; then
		printf 'Nameservers\t\t127.0.0.1\n'
	else
		printf 'ResolverConfiguration\t%s\n' "$1"
	fi
}

# start_opendkim [SOCKET NAME] -- verify mode; sets OPENDKIM_SOCK, OPENDKIM_PID
# (SOCKET: an opendkim Socket value, default local:$T/sock/opendkim.sock)
start_opendkim() {
	local conf=$T/conf/${2:-opendkim}.conf ub=$T/conf/opendkim-unbound.conf
	local spec=${1:-local:$T/sock/opendkim.sock}
	OPENDKIM_SOCK=${spec#local:}
	cat >"$ub" <<EOF
server:
	do-not-query-localhost: no
	local-zone: "test." nodefault
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$W_UNBOUND_PORT
EOF
	cat >"$conf" <<EOF
# generated by tests/bench
Mode			v
Socket			$spec
PidFile			$T/${2:-opendkim}.pid
AuthservID		$AUTHSERV
$(opendkim_resolver "$ub")
TrustAnchorFile		$W_TA
Syslog			no
Canonicalization	relaxed/simple
EOF
	LD_PRELOAD=$UBSERIAL opendkim -f -x "$conf" >"$T/log/${2:-opendkim}.log" 2>&1 &
	OPENDKIM_PID=$!
	BENCH_PIDS="$BENCH_PIDS $OPENDKIM_PID"
	case $spec in
	local:*) bench_wait_socket "$OPENDKIM_SOCK" "$OPENDKIM_PID" opendkim ;;
	*) bench_wait_spec "$spec" "$OPENDKIM_PID" opendkim ;;
	esac
}

# start_opendmarc [SOCKET NAME] -- sets OPENDMARC_SOCK, OPENDMARC_PID
start_opendmarc() {
	local conf=$T/conf/${2:-opendmarc}.conf
	local spec=${1:-local:$T/sock/opendmarc.sock}
	OPENDMARC_SOCK=${spec#local:}
	: >"$T/conf/opendmarc-ignore"
	# The PSL does not list test., and libopendmarc then takes the From
	# domain for the Organizational Domain (no fallback to org.test for
	# sub.org.test). List it, as com. is listed, so that the comparison
	# is RFC 9989's tree walk against a PSL that knows the test world.
	{ cat /usr/share/publicsuffix/public_suffix_list.dat 2>/dev/null; echo test; } \
	    >"$T/conf/psl.dat"
	cat >"$conf" <<EOF
# generated by tests/bench
Socket			$spec
PidFile			$T/${2:-opendmarc}.pid
AuthservID		$AUTHSERV
TrustedAuthservIDs	$AUTHSERV
IgnoreHosts		$T/conf/opendmarc-ignore
PublicSuffixList	$T/conf/psl.dat
RejectFailures		true
HoldQuarantinedMessages	true
SPFSelfValidate		true
SPFIgnoreResults	true
FailureReports		false
Syslog			false
DNSTimeout		3
EOF
	opendmarc -f -c "$conf" >"$T/log/${2:-opendmarc}.log" 2>&1 &
	OPENDMARC_PID=$!
	BENCH_PIDS="$BENCH_PIDS $OPENDMARC_PID"
	case $spec in
	local:*) bench_wait_socket "$OPENDMARC_SOCK" "$OPENDMARC_PID" opendmarc ;;
	*) bench_wait_spec "$spec" "$OPENDMARC_PID" opendmarc ;;
	esac
}

# bench_stop -- SIGTERM, then wait (libmilter polls every 5 s; do not wait long)
bench_stop() {
	local p
	for p in $BENCH_PIDS; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $BENCH_PIDS; do
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	BENCH_PIDS=""
}
