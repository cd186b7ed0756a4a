# shellcheck shell=bash
# world.sh -- the DNS world of the dmarctls-policyd tests (DANE and MTA-STS)
#
# SYNOPSIS
#	. tests/tlspolicy/world.sh
#	pw_init DIR		keys, certificates, signed zones, server configs
#	pw_start		nsd, validating unbound, the black hole
#	world_stop		stop them (tests/integration/world.sh)
#
# DESCRIPTION
#	Built on the helpers of tests/integration/world.sh (sourced: soa_ns,
#	dnssec_key, sign_zone, ds_of, world_tls_certs, world_wait_dns,
#	world_stop), with its own zones. Servers on 127.0.0.1: nsd 5353,
#	unbound 5354 (trust anchor: the DS of test.), the black hole 5399.
#
#	test.		signed, the trust anchor; delegations below.
#	dane.test	signed child (DS in test.):
#	  usable	MX mx.usable (192.0.2.31), TLSA 3 1 1 <leaf SPKI>: dane-only
#	  mismatch	MX mx.mismatch (192.0.2.32), TLSA 3 1 1 <old leaf SPKI>:
#			dane-only, but the served chain does not match
#	  unusable	MX mx.unusable, TLSA 1 1 1 (PKIX-EE: unusable for SMTP)
#	  half		MX 10 mxa.half (TLSA 3 1 1), 20 mxb.half (no TLSA): dane
#	  implicit	no MX, A + TLSA at _25._tcp.implicit: implicit MX, dane-only
#	  nullmx	MX 0 . (RFC 7505)
#	  insecaddr	MX mx.insecure.test (address in an unsigned zone)
#	  both		MX mx.both (192.0.2.34), usable TLSA, and an MTA-STS TXT
#			record: DANE must win
#	  xn--bcher-kva	("bücher") MX + usable TLSA: the U-label key
#	  badtlsa	MX mx.badtlsa (192.0.2.33); _25._tcp.mx.badtlsa is a
#			signed child zone whose DS is for another key: bogus TLSA
#	  slowtlsa	MX mx.slowtlsa; _25._tcp.mx.slowtlsa is a child zone with
#			a DS whose server (the black hole) never answers
#	bogus.test	signed child whose DS in test. is for another key: bogus MX
#	insecure.test	unsigned child: MX mx.insecure.test and a TLSA record
#			that must not count (not DNSSEC)
#	sts.test	unsigned: the records of tests/tlspolicy/sts_world.sh's
#			sts_world_records and of the suite's pw_sts_extra_records
#			when those functions exist
#	slow.test	delegated to the black hole (never answers)
#
#	TLS: world_tls_certs' CA and leaves (W_TLS_*). After pw_init: W, W_TA,
#	W_UBCONF as in world.sh.

PW_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export W_SRCDIR=${W_SRCDIR:-$PW_SRCDIR/../integration}
# shellcheck source=../integration/world.sh
. "$PW_SRCDIR/../integration/world.sh"

PW_ADDR_USABLE=192.0.2.31
PW_ADDR_MISMATCH=192.0.2.32
PW_ADDR_BADTLSA=192.0.2.33
PW_ADDR_BOTH=192.0.2.34
PW_ADDR_OTHER=192.0.2.40	# hosts nothing listens on
PW_ZONES_SIGNED="test. dane.test. bogus.test. _25._tcp.mx.badtlsa.dane.test."
PW_ZONES_PLAIN="insecure.test. sts.test."

zone_dane() {
	soa_ns dane.test.
	cat <<ZONE
usable	MX	10 mx.usable
mx.usable	A	$PW_ADDR_USABLE
_25._tcp.mx.usable	TLSA	3 1 1 $W_TLS_SPKI_SHA256
mismatch	MX	10 mx.mismatch
mx.mismatch	A	$PW_ADDR_MISMATCH
_25._tcp.mx.mismatch	TLSA	3 1 1 $W_TLS_OLD_SPKI_SHA256
unusable	MX	10 mx.unusable
mx.unusable	A	$PW_ADDR_OTHER
_25._tcp.mx.unusable	TLSA	1 1 1 $W_TLS_SPKI_SHA256
half	MX	10 mxa.half
half	MX	20 mxb.half
mxa.half	A	$PW_ADDR_OTHER
mxb.half	A	$PW_ADDR_OTHER
_25._tcp.mxa.half	TLSA	3 1 1 $W_TLS_SPKI_SHA256
implicit	A	$PW_ADDR_OTHER
_25._tcp.implicit	TLSA	3 1 1 $W_TLS_SPKI_SHA256
nullmx	MX	0 .
insecaddr	MX	10 mx.insecure.test.
both	MX	10 mx.both
mx.both	A	$PW_ADDR_BOTH
_25._tcp.mx.both	TLSA	3 1 1 $W_TLS_SPKI_SHA256
_mta-sts.both	TXT	"v=STSv1; id=20260101"
mta-sts.both	A	127.0.0.1
xn--bcher-kva	MX	10 mx.xn--bcher-kva
mx.xn--bcher-kva	A	$PW_ADDR_OTHER
_25._tcp.mx.xn--bcher-kva	TLSA	3 1 1 $W_TLS_SPKI_SHA256
badtlsa	MX	10 mx.badtlsa
mx.badtlsa	A	$PW_ADDR_BADTLSA
_25._tcp.mx.badtlsa	NS	ns._25._tcp.mx.badtlsa
ns._25._tcp.mx.badtlsa	A	127.0.0.1
slowtlsa	MX	10 mx.slowtlsa
mx.slowtlsa	A	$PW_ADDR_OTHER
_25._tcp.mx.slowtlsa	NS	ns._25._tcp.mx.slowtlsa
ns._25._tcp.mx.slowtlsa	A	127.0.0.1
ZONE
}

zone_badtlsa() {
	soa_ns _25._tcp.mx.badtlsa.dane.test.
	echo "@	TLSA	3 1 1 $W_TLS_SPKI_SHA256"
}

zone_pw_bogus() {
	soa_ns bogus.test.
	cat <<ZONE
@	MX	10 mx
mx	A	$PW_ADDR_OTHER
_25._tcp.mx	TLSA	3 1 1 $W_TLS_SPKI_SHA256
ZONE
}

zone_pw_insecure() {
	soa_ns insecure.test.
	cat <<ZONE
@	MX	10 mx
mx	A	$PW_ADDR_OTHER
_25._tcp.mx	TLSA	3 1 1 $W_TLS_SPKI_SHA256
ZONE
}

zone_sts() {
	soa_ns sts.test.
	if declare -F sts_world_records >/dev/null; then
		sts_world_records
	fi
	# a suite's own sts.test records (run.sh: the MX hosts of its e2e cases)
	if declare -F pw_sts_extra_records >/dev/null; then
		pw_sts_extra_records
	fi
}

zone_pw_test() {
	local z
	soa_ns test.
	for z in dane bogus insecure sts slow; do
		printf '%s\tNS\tns.%s\nns.%s\tA\t127.0.0.1\n' "$z" "$z" "$z"
	done
}

pw_zones() {
	local d=$W/dnssec k_test k_dane k_bogus k_other k_bad k_badother k_slow
	mkdir -p "$d" "$W/zones"
	k_test=$(dnssec_key test.) && k_dane=$(dnssec_key dane.test.) &&
	k_bogus=$(dnssec_key bogus.test.) && k_other=$(dnssec_key bogus.test.) &&
	k_bad=$(dnssec_key _25._tcp.mx.badtlsa.dane.test.) &&
	k_badother=$(dnssec_key _25._tcp.mx.badtlsa.dane.test.) &&
	k_slow=$(dnssec_key _25._tcp.mx.slowtlsa.dane.test.) || return 1

	zone_badtlsa >"$d/badtlsa.zone" &&
	    sign_zone _25._tcp.mx.badtlsa.dane.test. badtlsa.zone "$k_bad" || return 1
	{
		zone_dane
		ds_of "$k_badother"	# not the key that signed the child: bogus
		ds_of "$k_slow"		# a signed path to a server that never answers
	} >"$d/dane.test.zone" && sign_zone dane.test. dane.test.zone "$k_dane" || return 1
	zone_pw_bogus >"$d/bogus.test.zone" &&
	    sign_zone bogus.test. bogus.test.zone "$k_bogus" || return 1
	zone_pw_insecure >"$W/zones/insecure.test.zone" || return 1
	zone_sts >"$W/zones/sts.test.zone" || return 1
	{
		zone_pw_test
		ds_of "$k_dane"
		ds_of "$k_other"
	} >"$d/test.zone" && sign_zone test. test.zone "$k_test" || return 1
	cp "$d/test.zone.signed" "$d/dane.test.zone.signed" "$d/bogus.test.zone.signed" \
	    "$d/badtlsa.zone.signed" "$W/zones/" || return 1
	ds_of "$k_test" >"$W/test.ds" || return 1
	W_TA=$W/test.ds
}

world_nsd_conf() {
	local z f
	cat <<CONF
server:
	ip-address: 127.0.0.1
	port: $W_NSD_PORT
	username: ""
	chroot: ""
	zonesdir: "$W/zones"
	pidfile: "$W/nsd.pid"
	database: ""
	zonelistfile: "$W/nsd.zonelist"
	xfrdfile: "$W/nsd.xfrd"
	xfrdir: "$W"
	logfile: "$W/nsd.log"
	hide-version: yes
	verbosity: 1
remote-control:
	control-enable: no
CONF
	for z in test. dane.test. bogus.test. _25._tcp.mx.badtlsa.dane.test. insecure.test. sts.test.; do
		case $z in
		_25.*) f=badtlsa.zone.signed ;;
		insecure.test.|sts.test.) f=${z}zone ;;
		*) f=${z}zone.signed ;;
		esac
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$z" "$f"
	done
}

world_unbound_conf() {
	local z
	world_unbound_server
	for z in $PW_ZONES_SIGNED $PW_ZONES_PLAIN; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$W_NSD_PORT"
	done
	for z in slow.test. _25._tcp.mx.slowtlsa.dane.test.; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$W_HOLE_PORT"
	done
}

pw_init() {
	W=$1
	mkdir -p "$W" || return 1
	world_tls_certs >"$W/tls.log" 2>&1 || {
		world_log "TLS certificate generation failed:"; cat "$W/tls.log" >&2; return 1; }
	pw_zones >"$W/zones.log" 2>&1 || {
		world_log "zone signing failed:"; cat "$W/zones.log" >&2; return 1; }
	world_nsd_conf >"$W/nsd.conf"
	world_unbound_conf >"$W/unbound.conf"
	printf 'server:\n\tlocal-zone: "test." nodefault\n' >"$W/libunbound.conf"
	export W_UBCONF=$W/libunbound.conf W_TA
	nsd-checkconf "$W/nsd.conf" || return 1
	unbound-checkconf "$W/unbound.conf" >/dev/null || return 1
}

pw_check_dnssec() {
	local q="dig +time=2 +tries=1 +dnssec -p $W_UNBOUND_PORT @127.0.0.1"
	$q _25._tcp.mx.usable.dane.test TLSA | grep -q 'flags:.* ad[ ;]' ||
	    { world_log "dane.test is not DNSSEC-secure"; return 1; }
	$q bogus.test MX | grep -q 'status: SERVFAIL' ||
	    { world_log "bogus.test is not bogus"; return 1; }
	$q _25._tcp.mx.badtlsa.dane.test TLSA | grep -q 'status: SERVFAIL' ||
	    { world_log "the badtlsa TLSA is not bogus"; return 1; }
	$q insecure.test MX | grep -q 'status: NOERROR' ||
	    { world_log "insecure.test does not resolve"; return 1; }
	return 0
}

pw_start() {
	world_start_servers dane.test. && pw_check_dnssec
}

# pw_resolver_on_53 CONF LOG PIDFILE -- sandbox.sh's resolver_on_53 for
# this world (it waits for good.test, which is not here)
pw_resolver_on_53() {
	world_unbound_conf | sed -e "s/port: $W_UNBOUND_PORT/port: 53/" \
	    -e "s#pidfile: .*#pidfile: \"$3\"#" \
	    -e "s#logfile: .*#logfile: \"$2\"#" >"$1"
	unbound -d -c "$1" >>"$2" 2>&1 &
	RESOLVER53_PID=$!
	world_wait_dns 53 dane.test. SOA
}
