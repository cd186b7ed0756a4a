# world.sh -- a signed DNS world on loopback for the integration tests
#
# SYNOPSIS
#	. tests/integration/world.sh
#	world_init DIR		create the world's files under DIR
#	world_start		start nsd, unbound and the black hole
#	world_stop		stop every server world_start started
#
# DESCRIPTION
#	Sourced by run.sh inside a private network namespace (only `lo`).
#	Everything is generated at test time: DKIM keys (openssl), DNSSEC keys
#	(ldns-keygen, ECDSAP256SHA256) and zones (ldns-signzone).
#
#	Servers, all on 127.0.0.1:
#	  5353	nsd: authoritative for every zone below
#	  5354	unbound: validating resolver, trust anchor = the DS of `test.`,
#		one stub zone per zone pointing at nsd
#	  5399	a black hole that accepts UDP and TCP and never answers
#		(for the resolver timeout test)
#
#	Zones:
#	  test.		signed; the trust anchor. Holds most policy domains
#			directly (quar, org, norec, psd, corp, deep, testing,
#			strict) so that one zone serves many cases.
#	  good.test	signed child with DS: SPF, DKIM keys (rsa 2048, ed25519,
#			rsa 1024, rsa 512), _dmarc p=reject.
#	  insecure.test	unsigned child, no DS (DNSSEC-insecure, works normally).
#	  bogus.test	signed child whose DS in test. is for another key
#			(validators answer SERVFAIL: bogus).
#	  _dmarc.halfbogus.test  the same trick for the policy record alone:
#			halfbogus.test (in test.) has working SPF and DKIM,
#			only its DMARC lookup fails.
#	  silent.test	no zone: W_UBCONF forwards it to the black hole, so
#			every lookup under it times out (a HELO name or a
#			DKIM d= whose servers never answer). So does the
#			reverse zone of 203.0.113.0/24 (a client's own PTR
#			servers, for SPF's ptr mechanism).
#
#	TLS (the DANE self-check; later Postfix serves this certificate): a
#	test CA and a server leaf for mx.good.test (also named ta.good.test),
#	plus the "old" leaf it replaced (another key, same CA). TLSA records:
#	  _25._tcp.mx.good.test	3 1 1 <leaf SPKI>, 2 0 1 <CA certificate>
#	  _25._tcp.old.good.test	3 1 1 <old leaf SPKI> only (renewal outage)
#	  _25._tcp.ta.good.test	2 0 1 <CA certificate> only (survives renewal)
#	  _25._tcp.pkix.good.test	1 1 1 <leaf SPKI> (unusable for SMTP)
#	  _25._tcp.mx.insecure.test, _25._tcp.mx.bogus.test  3 1 1 <leaf SPKI>
#
#	A suite may add records to the signed test. zone: W_EXTRA_TEST_RECORDS
#	names a file of zone lines (owner names relative to test.).
#
#	After world_init these variables are set: W (the directory), and
#	W_KEY_RSA2048, W_KEY_RSA1024, W_KEY_RSA512, W_KEY_ED25519 (PEM files),
#	W_TA (trust anchor DS file), W_UBCONF (libunbound config snippet),
#	W_TLS_CA (CA certificate), W_TLS_CHAIN (leaf then CA, PEM), W_TLS_CERT
#	and W_TLS_KEY (leaf alone, its key), W_TLS_OLD_CHAIN, W_TLS_OLD_CERT,
#	W_TLS_OLD_KEY (the replaced leaf), and the hex SHA2-256 digests
#	W_TLS_SPKI_SHA256, W_TLS_OLD_SPKI_SHA256 (leaf public keys) and
#	W_TLS_CA_SHA256 (CA certificate). All exported.
#
#	Names under .test are reserved (RFC 6761 section 6.2); addresses used
#	in SPF records are documentation ranges (RFC 5737, RFC 3849), because
#	libspf2 passes loopback clients unconditionally.

W_NSD_PORT=5353
W_UNBOUND_PORT=5354
W_HOLE_PORT=5399
W_WAIT_TRIES=100		# 100 x 0.1 s for servers to come up
W_SPF_GOOD="v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"
W_SPF_TESTNET="v=spf1 ip4:192.0.2.0/24 -all"

W_PIDS=""

world_log() {
	echo "world: $*" >&2
}

# Print a TXT record's RDATA as quoted strings of at most 250 bytes
# (RFC 1035 section 3.3: a character-string holds at most 255 octets).
txt_strings() {
	local s=$1 out=""
	while [ ${#s} -gt 250 ]; do
		out="$out\"${s:0:250}\" "
		s=${s:250}
	done
	printf '%s"%s"' "$out" "$s"
}

# dkim_txt OWNER K B64 -- a DKIM key record line (RFC 6376 section 3.6.1).
dkim_txt() {
	printf '%s\tTXT\t%s\n' "$1" "$(txt_strings "v=DKIM1; k=$2; p=$3")"
}

world_dkim_keys() {
	local k=$W/keys
	mkdir -p "$k"
	openssl genrsa -out "$k/rsa2048.pem" 2048 2>/dev/null &&
	openssl genrsa -out "$k/rsa1024.pem" 1024 2>/dev/null &&
	openssl genrsa -out "$k/rsa512.pem" 512 2>/dev/null &&
	openssl genpkey -algorithm ed25519 -out "$k/ed25519.pem" || return 1
	W_KEY_RSA2048=$k/rsa2048.pem
	W_KEY_RSA1024=$k/rsa1024.pem
	W_KEY_RSA512=$k/rsa512.pem
	W_KEY_ED25519=$k/ed25519.pem
	# RSA: p= is the DER SubjectPublicKeyInfo. Ed25519: the raw 32-byte
	# key (RFC 8463 section 4.2), the tail of the 44-byte SPKI.
	W_P_RSA2048=$(openssl pkey -in "$W_KEY_RSA2048" -pubout -outform DER | base64 -w0)
	W_P_RSA1024=$(openssl pkey -in "$W_KEY_RSA1024" -pubout -outform DER | base64 -w0)
	W_P_RSA512=$(openssl pkey -in "$W_KEY_RSA512" -pubout -outform DER | base64 -w0)
	W_P_ED25519=$(openssl pkey -in "$W_KEY_ED25519" -pubout -outform DER | tail -c 32 | base64 -w0)
	[ -n "$W_P_RSA2048" ] && [ -n "$W_P_ED25519" ]
}

# tls_leaf NAME -- a P-256 key and a server certificate signed by the test CA
tls_leaf() {
	local t=$W/tls
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$t/$1.key" -out "$t/$1.csr" -subj "/CN=mx.good.test" &&
	openssl x509 -req -in "$t/$1.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
	    -set_serial "0x$(openssl rand -hex 8)" -days 365 -out "$t/$1.pem" \
	    -extfile "$t/leaf.ext" &&
	cat "$t/$1.pem" "$t/ca.pem" >"$t/$1-chain.pem"
}

# sha256_hex -- SHA2-256 of stdin in lower-case hex (TLSA matching type 1)
sha256_hex() {
	openssl dgst -sha256 -r | cut -d' ' -f1
}

spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256_hex
}

# world_tls_certs -- CA, leaf, replaced leaf; must run before the zones
# are written, since the TLSA records carry their digests.
world_tls_certs() {
	local t=$W/tls
	mkdir -p "$t"
	printf '%s\n' "subjectAltName=DNS:mx.good.test,DNS:ta.good.test" \
	    "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" >"$t/leaf.ext"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$t/ca.key" -out "$t/ca.pem" -days 3650 -subj "/CN=dmarctls test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" &&
	tls_leaf old && tls_leaf leaf || return 1
	export W_TLS_CA=$t/ca.pem
	export W_TLS_CHAIN=$t/leaf-chain.pem W_TLS_CERT=$t/leaf.pem W_TLS_KEY=$t/leaf.key
	export W_TLS_OLD_CHAIN=$t/old-chain.pem W_TLS_OLD_CERT=$t/old.pem W_TLS_OLD_KEY=$t/old.key
	W_TLS_SPKI_SHA256=$(spki_sha256 "$W_TLS_CERT")
	W_TLS_OLD_SPKI_SHA256=$(spki_sha256 "$W_TLS_OLD_CERT")
	W_TLS_CA_SHA256=$(openssl x509 -in "$W_TLS_CA" -outform DER | sha256_hex)
	export W_TLS_SPKI_SHA256 W_TLS_OLD_SPKI_SHA256 W_TLS_CA_SHA256
	[ ${#W_TLS_SPKI_SHA256} -eq 64 ] && [ ${#W_TLS_OLD_SPKI_SHA256} -eq 64 ] &&
	    [ ${#W_TLS_CA_SHA256} -eq 64 ] && [ "$W_TLS_SPKI_SHA256" != "$W_TLS_OLD_SPKI_SHA256" ]
}

soa_ns() {
	# $1 = zone origin
	cat <<EOF
\$ORIGIN $1
\$TTL 300
@	SOA	ns.$1 hostmaster.$1 1 3600 600 86400 300
@	NS	ns.$1
ns	A	127.0.0.1
EOF
}

zone_good() {
	soa_ns good.test.
	cat <<EOF
@	A	192.0.2.1
@	TXT	"$W_SPF_GOOD"
_dmarc	TXT	"v=DMARC1; p=reject"
mail	A	192.0.2.2
mail	TXT	"$W_SPF_TESTNET"
mx	A	192.0.2.25
mx	TXT	"$W_SPF_TESTNET"
helo	A	198.51.100.25
helo	TXT	"v=spf1 ip4:198.51.100.0/24 -all"
sub	A	192.0.2.3
; DANE (RFC 7672): the served chain matches mx; old names the replaced key
_25._tcp.mx	TLSA	3 1 1 $W_TLS_SPKI_SHA256
_25._tcp.mx	TLSA	2 0 1 $W_TLS_CA_SHA256
old	A	192.0.2.26
_25._tcp.old	TLSA	3 1 1 $W_TLS_OLD_SPKI_SHA256
ta	A	192.0.2.27
_25._tcp.ta	TLSA	2 0 1 $W_TLS_CA_SHA256
pkix	A	192.0.2.28
_25._tcp.pkix	TLSA	1 1 1 $W_TLS_SPKI_SHA256
EOF
	dkim_txt rsa._domainkey rsa "$W_P_RSA2048"
	dkim_txt ed._domainkey ed25519 "$W_P_ED25519"
	dkim_txt r1024._domainkey rsa "$W_P_RSA1024"
	dkim_txt r512._domainkey rsa "$W_P_RSA512"
	dkim_txt rsa._domainkey.mail rsa "$W_P_RSA2048"
}

zone_insecure() {
	soa_ns insecure.test.
	cat <<EOF
@	A	192.0.2.1
@	TXT	"$W_SPF_TESTNET"
_dmarc	TXT	"v=DMARC1; p=reject"
_25._tcp.mx	TLSA	3 1 1 $W_TLS_SPKI_SHA256
EOF
	dkim_txt rsa._domainkey rsa "$W_P_RSA2048"
}

zone_halfbogus_dmarc() {
	soa_ns _dmarc.halfbogus.test.
	echo '@	TXT	"v=DMARC1; p=reject"'
}

zone_bogus() {
	soa_ns bogus.test.
	cat <<EOF
@	A	192.0.2.1
@	TXT	"$W_SPF_TESTNET"
_dmarc	TXT	"v=DMARC1; p=reject"
_25._tcp.mx	TLSA	3 1 1 $W_TLS_SPKI_SHA256
EOF
	dkim_txt rsa._domainkey rsa "$W_P_RSA2048"
}

# An unsigned reverse zone for TEST-NET-2 (only dmarctls-check's libunbound
# is pointed at it, W_UBCONF): the client 198.51.100.7 names a host under
# silent.test, whose A lookup never gets an answer (SPF ptr, RFC 7208 5.5).
zone_reverse_testnet2() {
	soa_ns 100.51.198.in-addr.arpa.
	printf '7\tPTR\thost.silent.test.\n'
}

# The parent: delegations, plus policy domains that need no zone of their own.
zone_test() {
	soa_ns test.
	cat <<EOF
good	NS	ns.good
ns.good	A	127.0.0.1
insecure	NS	ns.insecure
ns.insecure	A	127.0.0.1
bogus	NS	ns.bogus
ns.bogus	A	127.0.0.1
_dmarc.halfbogus	NS	ns._dmarc.halfbogus
ns._dmarc.halfbogus	A	127.0.0.1

; SPF and DKIM work; the policy lives in a bogus child zone
halfbogus	A	192.0.2.1
halfbogus	TXT	"$W_SPF_TESTNET"

; p=quarantine
quar	A	192.0.2.1
quar	TXT	"$W_SPF_TESTNET"
_dmarc.quar	TXT	"v=DMARC1; p=quarantine"

; p=none at the org domain, sp for existing subdomains, np for NXDOMAIN
org	A	192.0.2.1
org	TXT	"$W_SPF_TESTNET"
_dmarc.org	TXT	"v=DMARC1; p=none; sp=quarantine; np=reject"
sub.org	A	192.0.2.3

; no DMARC record anywhere up the tree
norec	A	192.0.2.1
norec	TXT	"$W_SPF_TESTNET"

; a PSD-like zone: org1.psd.test and other.psd.test are separate orgs
_dmarc.psd	TXT	"v=DMARC1; p=reject; psd=y"
org1.psd	A	192.0.2.1
mail.org1.psd	A	192.0.2.2
other.psd	A	192.0.2.4

; psd=n below a p=reject parent: dept.corp.test is its own org domain
corp	A	192.0.2.1
_dmarc.corp	TXT	"v=DMARC1; p=reject; sp=reject; np=reject"
dept.corp	A	192.0.2.5
mail.dept.corp	A	192.0.2.6
_dmarc.dept.corp	TXT	"v=DMARC1; p=none; psd=n"

; ten labels; the 9-label record is a trap a one-label-at-a-time walk finds
deep	A	192.0.2.1
_dmarc.deep	TXT	"v=DMARC1; p=reject; sp=quarantine; np=reject"
a.b.c.d.e.f.g.h.deep	A	192.0.2.7
_dmarc.b.c.d.e.f.g.h.deep	TXT	"v=DMARC1; p=none"

; SPF with ptr (RFC 7208 5.5): the client's reverse zone is the sender's,
; and W_UBCONF sends 113.0.203.in-addr.arpa to the black hole
ptr	A	192.0.2.1
ptr	TXT	"v=spf1 ptr -all"
_dmarc.ptr	TXT	"v=DMARC1; p=reject"

; tag names in upper case (README: read case-insensitively)
upper	A	192.0.2.1
_dmarc.upper	TXT	"V=DMARC1; P=reject"

; t=y: reject is applied as quarantine
testing	A	192.0.2.1
_dmarc.testing	TXT	"v=DMARC1; p=reject; t=y"

; strict alignment
strict	A	192.0.2.1
strict	TXT	"$W_SPF_TESTNET"
_dmarc.strict	TXT	"v=DMARC1; p=reject; adkim=s; aspf=s"
mail.strict	A	192.0.2.2
mail.strict	TXT	"$W_SPF_TESTNET"
EOF
	dkim_txt rsa._domainkey.norec rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.halfbogus rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.org1.psd rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.other.psd rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.corp rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.strict rsa "$W_P_RSA2048"
	dkim_txt rsa._domainkey.mail.strict rsa "$W_P_RSA2048"
}

# dnssec_key ZONE -- make a combined signing key, print its base name.
dnssec_key() {
	(cd "$W/dnssec" && ldns-keygen -a ECDSAP256SHA256 -k "$1") || return 1
}

# sign_zone ZONE FILE KEYBASE -- writes FILE.signed. The inception is an
# hour back so that a validator's clock a second behind still accepts it.
sign_zone() {
	local inception
	inception=$(date -u -d '-1 hour' +%Y%m%d%H%M%S)
	(cd "$W/dnssec" && ldns-signzone -i "$inception" -o "$1" "$2" "$3") || return 1
}

ds_of() {
	(cd "$W/dnssec" && ldns-key2ds -n -2 "$1.key") || return 1
}

world_zones() {
	local d=$W/dnssec k_test k_good k_bogus k_other k_half
	mkdir -p "$d" "$W/zones"
	k_test=$(dnssec_key test.) && k_good=$(dnssec_key good.test.) &&
	k_bogus=$(dnssec_key bogus.test.) && k_other=$(dnssec_key bogus.test.) &&
	k_half=$(dnssec_key _dmarc.halfbogus.test.) || return 1

	zone_good >"$d/good.test.zone" && sign_zone good.test. good.test.zone "$k_good" || return 1
	zone_bogus >"$d/bogus.test.zone" && sign_zone bogus.test. bogus.test.zone "$k_bogus" || return 1
	zone_halfbogus_dmarc >"$d/_dmarc.halfbogus.test.zone" &&
	    sign_zone _dmarc.halfbogus.test. _dmarc.halfbogus.test.zone "$k_half" || return 1
	zone_insecure >"$W/zones/insecure.test.zone" || return 1
	zone_reverse_testnet2 >"$W/zones/100.51.198.in-addr.arpa.zone" || return 1

	# The parent carries the DS of good.test, and for bogus.test the DS
	# of a key that never signed it.
	{
		zone_test
		# a suite's own records for test. (W_EXTRA_TEST_RECORDS: a file)
		[ -z "${W_EXTRA_TEST_RECORDS:-}" ] || cat "$W_EXTRA_TEST_RECORDS"
		ds_of "$k_good"
		ds_of "$k_other"
		# a DS under the right owner name whose digest matches no key
		ds_of "$k_other" | sed 's/^bogus\.test\./_dmarc.halfbogus.test./'
	} >"$d/test.zone" || return 1
	sign_zone test. test.zone "$k_test" || return 1

	cp "$d/good.test.zone.signed" "$d/bogus.test.zone.signed" \
	    "$d/_dmarc.halfbogus.test.zone.signed" "$d/test.zone.signed" \
	    "$W/zones/" || return 1
	ds_of "$k_test" >"$W/test.ds" || return 1
	W_TA=$W/test.ds
}

world_nsd_conf() {
	cat <<EOF
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
zone:
	name: "test."
	zonefile: "test.zone.signed"
zone:
	name: "good.test."
	zonefile: "good.test.zone.signed"
zone:
	name: "bogus.test."
	zonefile: "bogus.test.zone.signed"
zone:
	name: "_dmarc.halfbogus.test."
	zonefile: "_dmarc.halfbogus.test.zone.signed"
zone:
	name: "insecure.test."
	zonefile: "insecure.test.zone"
zone:
	name: "100.51.198.in-addr.arpa."
	zonefile: "100.51.198.in-addr.arpa.zone"
EOF
}

# world_unbound_server -- the validating resolver's server: section (every
# world adds its own stub zones after it)
world_unbound_server() {
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $W_UNBOUND_PORT
	do-ip6: no
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$W"
	pidfile: "$W/unbound.pid"
	use-syslog: no
	logfile: "$W/unbound.log"
	verbosity: 1
	val-log-level: 2
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "validator iterator"
	trust-anchor-file: "$W_TA"
	local-zone: "test." nodefault
	# a bogus answer is retried quickly, not after the default 60 s
	val-bogus-ttl: 5
remote-control:
	control-enable: no
EOF
}

world_unbound_conf() {
	local z
	world_unbound_server
	for z in test. good.test. bogus.test. _dmarc.halfbogus.test. insecure.test.; do
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$z" "$W_NSD_PORT"
	done
}

# world_init DIR -- generate keys, zones and configs; start nothing.
world_init() {
	W=$1
	mkdir -p "$W" || return 1
	world_dkim_keys || { world_log "DKIM key generation failed"; return 1; }
	world_tls_certs >"$W/tls.log" 2>&1 || {
		world_log "TLS certificate generation failed:"; cat "$W/tls.log" >&2; return 1; }
	world_zones >"$W/zones.log" 2>&1 || {
		world_log "zone signing failed:"; cat "$W/zones.log" >&2; return 1; }
	world_nsd_conf >"$W/nsd.conf"
	world_unbound_conf >"$W/unbound.conf"
	# What dmarctls-check's libunbound needs on top of Resolver and
	# TrustAnchorFile: libunbound, like unbound, answers NXDOMAIN for
	# .test unless its built-in local zone is switched off.
	# silent.test is forwarded to the black hole: a domain whose name
	# servers never answer, chosen by an attacker (a HELO name, a d=).
	# Each dmarctls-check has a fresh libunbound, so every run waits the
	# full timeout for it. So is the reverse zone of TEST-NET-3; that of
	# TEST-NET-2 is nsd's. Both are built-in empty zones of libunbound
	# (RFC 6303) unless switched off.
	{
		printf 'server:\n\tlocal-zone: "test." nodefault\n'
		printf '\tlocal-zone: "%s" nodefault\n' 113.0.203.in-addr.arpa. 100.51.198.in-addr.arpa.
		printf 'forward-zone:\n\tname: "%s"\n\tforward-addr: 127.0.0.1@%s\n' \
		    silent.test. "$W_HOLE_PORT" 113.0.203.in-addr.arpa. "$W_HOLE_PORT" \
		    100.51.198.in-addr.arpa. "$W_NSD_PORT"
	} >"$W/libunbound.conf"
	export W_UBCONF=$W/libunbound.conf
	nsd-checkconf "$W/nsd.conf" || return 1
	unbound-checkconf "$W/unbound.conf" >/dev/null || return 1
}

# world_wait_dns PORT NAME TYPE -- wait until a server answers NOERROR.
world_wait_dns() {
	local i=0
	while [ $i -lt $W_WAIT_TRIES ]; do
		if dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" "$3" 2>/dev/null |
		    grep -q 'status: NOERROR'; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# world_start_servers ZONE -- start nsd, unbound and the black hole; wait
# until nsd serves test. and unbound resolves ZONE (every world uses this)
world_start_servers() {
	nsd -d -c "$W/nsd.conf" >>"$W/nsd.log" 2>&1 &
	W_PIDS="$W_PIDS $!"
	unbound -d -c "$W/unbound.conf" >>"$W/unbound.log" 2>&1 &
	W_PIDS="$W_PIDS $!"
	perl "$W_SRCDIR/blackhole.pl" 127.0.0.1 "$W_HOLE_PORT" >>"$W/blackhole.log" 2>&1 &
	W_PIDS="$W_PIDS $!"

	world_wait_dns "$W_NSD_PORT" test. SOA ||
	    { world_log "nsd did not come up"; tail -5 "$W/nsd.log" >&2; return 1; }
	world_wait_dns "$W_UNBOUND_PORT" "$1" SOA ||
	    { world_log "unbound did not come up"; tail -5 "$W/unbound.log" >&2; return 1; }
}

world_start() {
	world_start_servers good.test. && world_check_dnssec
}

# Fail early, with a clear message, when the world is not what the cases
# assume: secure good.test, insecure insecure.test, bogus bogus.test.
world_check_dnssec() {
	local q="dig +time=2 +tries=1 +dnssec -p $W_UNBOUND_PORT @127.0.0.1"
	$q _dmarc.good.test TXT | grep -q 'flags:.* ad[ ;]' ||
	    { world_log "good.test is not DNSSEC-secure"; return 1; }
	$q _dmarc.insecure.test TXT | grep -q 'status: NOERROR' ||
	    { world_log "insecure.test does not resolve"; return 1; }
	$q _dmarc.insecure.test TXT | grep -q 'flags:.* ad[ ;]' &&
	    { world_log "insecure.test is unexpectedly secure"; return 1; }
	$q _dmarc.bogus.test TXT | grep -q 'status: SERVFAIL' ||
	    { world_log "bogus.test is not bogus"; return 1; }
	$q _dmarc.halfbogus.test TXT | grep -q 'status: SERVFAIL' ||
	    { world_log "_dmarc.halfbogus.test is not bogus"; return 1; }
	$q rsa._domainkey.halfbogus.test TXT | grep -q 'flags:.* ad[ ;]' ||
	    { world_log "halfbogus.test keys are not secure"; return 1; }
	$q _25._tcp.mx.good.test TLSA | grep -q 'flags:.* ad[ ;]' ||
	    { world_log "_25._tcp.mx.good.test TLSA is not DNSSEC-secure"; return 1; }
	# nothing is listening to UDP answers from the black hole
	dig +time=1 +tries=1 -p "$W_HOLE_PORT" @127.0.0.1 test. SOA >/dev/null 2>&1 &&
	    { world_log "the black hole answered"; return 1; }
	return 0
}

world_stop() {
	local p
	for p in $W_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $W_PIDS; do
		wait "$p" 2>/dev/null
	done
	W_PIDS=""
}
