# shellcheck shell=bash
# e2e.sh -- tests/tlspolicy/run.sh's end-to-end cases: two Postfix instances
#
# DESCRIPTION
#	Sourced by run.sh (inside its namespace, with the world, the port-53
#	resolver and the daemon on $PORT). Postfix A is the sender: mail is
#	handed to it with its sendmail(1), and its smtp(8) asks the daemon
#	through smtp_tls_policy_maps = socketmap:inet:127.0.0.1:$PORT:postfix,
#	with smtp_dns_support_level = dnssec and the lines of
#	contrib/postfix/main.cf.policyd. Postfix B is every next hop: it
#	listens on port 25 of the MX addresses of dane.test and serves the
#	world's leaf certificate (its SPKI is in the usable TLSA records).
#	What happened is read from A's log and A's queue (postqueue -j).
#	Last, A's smtp(8) is chrooted (master.cf chroot y) and asks a second
#	daemon on a unix socket under A's queue directory: named relative to
#	it the policy comes through, named by its host path the lookup fails
#	and the mail waits (contrib/postfix/chroot-policyd.md).

E2E_TRIES=150			# x 0.1 s for a delivery or a deferral

pw_resolver_on_53 "$T/unbound53.conf" "$T/unbound53.log" "$T/unbound53.pid"
e2e_rc=$?
UB53_PID=$RESOLVER53_PID
[ "$e2e_rc" -eq 0 ] || fatal e2e "the port-53 resolver did not come up"
private_resolv_conf "$T" "edns0 trust-ad" || fatal e2e "cannot bind-mount /etc/resolv.conf"

mkdir -p "$PF" "$B/etc" "$T/tls"
postfix_dirs "$T/a"
postfix_dirs "$B"
cp "$W_TLS_CHAIN" "$T/tls/server-chain.pem"
install -m 600 "$W_TLS_KEY" "$T/tls/server.key"
# MTA-STS next hops: the right name, another name (same CA), and for the
# testing policy a certificate no one trusts
sts_cert mx1enforce ca mx1.enforce.sts.test >>"$T/tls/sts-certs.log" 2>&1 &&
    sts_cert othername ca other.sts.test >>"$T/tls/sts-certs.log" 2>&1 ||
    fatal e2e "cannot make the MX certificates"
chmod 644 "$STS_W"/tls/*.key

# smtpd_on ADDR CHAIN KEY -- a receiver smtpd on ADDR:25 serving CHAIN
smtpd_on() {
	printf '%s:25 inet n - n - - smtpd\n  -o smtpd_tls_cert_file=%s\n  -o smtpd_tls_key_file=%s\n' \
	    "$1" "$2" "$3"
}

e2e_master_cf() {
	local a
	sed -e '/^2526[[:space:]]/,/^[^[:space:]]/{/^2526[[:space:]]/d;/^[[:space:]]/d}' \
	    "$TOPDIR/tests/postfix/master.cf.in"
	[ "$1" = receiver ] || return 0
	for a in 192.0.2.31 192.0.2.32 192.0.2.33 192.0.2.34; do
		smtpd_on "$a" "$T/tls/server-chain.pem" "$T/tls/server.key"
	done
	smtpd_on 192.0.2.41 "$STS_W/tls/mx1enforce-chain.pem" "$STS_W/tls/mx1enforce.key"
	smtpd_on 192.0.2.42 "$STS_W/tls/othername-chain.pem" "$STS_W/tls/othername.key"
	smtpd_on 192.0.2.43 "$STS_W/tls/untrusted-chain.pem" "$STS_W/tls/untrusted.key"
}

e2e_common_cf() {
	cat <<CF
compatibility_level = 3.6
queue_directory = $1/spool
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $1
maillog_file = $1/maillog
mydestination =
inet_protocols = ipv4
alias_maps =
alias_database =
notify_classes =
delay_warning_time = 0
biff = no
CF
}

{
	e2e_common_cf "$T/a"
	cat <<CF
myhostname = sender.postfix.test
inet_interfaces = 127.0.0.1
mynetworks = 127.0.0.0/8
smtp_tls_loglevel = 1
smtp_tls_CAfile = $STS_CA
CF
	# the recipe's lines, with the test's port
	sed -e "s/127.0.0.1:8461/127.0.0.1:$PORT/" -e "/^smtp_tls_CAfile/d" \
	    "$TOPDIR/contrib/postfix/main.cf.policyd"
} >"$PF/main.cf"
e2e_master_cf sender >"$PF/master.cf"

{
	e2e_common_cf "$B"
	cat <<CF
myhostname = mx.usable.dane.test
inet_interfaces = all
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_relay_restrictions = reject_unauth_destination
virtual_mailbox_domains = usable.dane.test mismatch.dane.test badtlsa.dane.test both.dane.test
    enforce.sts.test wild.sts.test testing.sts.test
virtual_mailbox_base = $B/mail
virtual_mailbox_maps = inline:{ bob@usable.dane.test=usable/, bob@mismatch.dane.test=mismatch/,
    bob@badtlsa.dane.test=badtlsa/, bob@both.dane.test=both/, bob@enforce.sts.test=enforce/,
    bob@wild.sts.test=wild/, bob@testing.sts.test=testing/ }
virtual_uid_maps = static:$MAILUID
virtual_gid_maps = static:$MAILGID
virtual_minimum_uid = 1
local_transport = error:no local delivery here
smtpd_tls_security_level = may
smtpd_tls_cert_file = $T/tls/server-chain.pem
smtpd_tls_key_file = $T/tls/server.key
smtpd_tls_loglevel = 1
CF
} >"$B/etc/main.cf"
e2e_master_cf receiver >"$B/etc/master.cf"

for d in "$PF" "$B/etc"; do
	postfix -c "$d" check >>"$T/postfix-ctl.log" 2>&1 ||
	    { sed -n '1,5s/^/#   /p' "$T/postfix-ctl.log"; fatal e2e "postfix check failed for $d"; }
done
postfix_start "$B/etc" || fatal e2e "postfix start failed for B"
postfix_start "$PF" || fatal e2e "postfix start failed for A"
for a in $B_ADDRS; do
	wait_port "$a" 25 || { sed -n '1,5s/^/#   /p' "$B/maillog"; fatal e2e "B does not listen on $a:25"; }
done

# e2e_send NAME DOMAIN -- hand A a message for bob@DOMAIN; MSGID is its id
e2e_send() {
	MSGID="<$1@postfix.test>"
	printf 'From: sender@postfix.test\nTo: bob@%s\nSubject: %s\nMessage-ID: %s\n\n%s\n' \
	    "$2" "$1" "$MSGID" "tests/tlspolicy/e2e.sh case $1" |
	    sendmail -C "$PF" -f sender@postfix.test "bob@$2"
}

# e2e_delivered DIR -- the file B delivered with MSGID, waiting for it
e2e_delivered() {
	local i=0 f
	while [ $i -lt $E2E_TRIES ]; do
		f=$(grep -l -s -F "$MSGID" "$B/mail/$1"/new/* | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# e2e_deferred RCPT -- A's delay reason for RCPT once the message is deferred
e2e_deferred() {
	local i=0 r
	while [ $i -lt $E2E_TRIES ]; do
		r=$(postqueue -c "$PF" -j 2>/dev/null | jq -r --arg r "$1" \
		    'select(.queue_name == "deferred") | .recipients[] | select(.address == $r) | .delay_reason')
		[ -n "$r" ] && { echo "$r"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

e2e_diag() {
	grep -F -e "$MSGID" -e "$CASE" "$T/a/maillog" | tail -3 | sed 's/^/#   A: /'
	tail -3 "$T/a/maillog" | sed 's/^/#   A: /'
	tp_diag
}

CHECK_DIAG=e2e_diag

e2e_verified() {
	local name=$1 domain=$2 host=$3 addr=$4
	if case_begin "$name"; then
		e2e_send "$name" "$domain"
		e2e_delivered "${domain%%.*}" >/dev/null || bad "not delivered to B"
		want_re "A's log" "$(cat "$T/a/maillog")" \
		    "Verified TLS connection established to $host\[$addr\]:25"
		want_re "A's log" "$(cat "$T/a/maillog")" \
		    "to=<bob@$domain>, relay=$host\[$addr\]:25, .*status=sent"
		case_end
	fi
}

e2e_verified e2e_dane_matching_tlsa_delivered_verified usable.dane.test \
    mx.usable.dane.test 192.0.2.31
e2e_verified e2e_dane_and_sts_goes_dane both.dane.test mx.both.dane.test 192.0.2.34

if case_begin e2e_dane_tlsa_mismatch_deferred; then
	e2e_send "$CASE" mismatch.dane.test
	reason=$(e2e_deferred bob@mismatch.dane.test) || bad "not deferred"
	want "delay reason" "$reason" "Server certificate not verified"
	[ -n "$(ls -A "$B/mail/mismatch/new" 2>/dev/null)" ] && bad "B received it"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "server certificate verification failed for mx.mismatch.dane.test\[192.0.2.32\]:25: num=65:no matching DANE TLSA records"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "to=<bob@mismatch.dane.test>, relay=mx.mismatch.dane.test\[192.0.2.32\]:25, .*dsn=4.7.5, status=deferred"
	case_end
fi

if case_begin e2e_bogus_tlsa_deferred_4_7_5; then
	e2e_send "$CASE" badtlsa.dane.test
	reason=$(e2e_deferred bob@badtlsa.dane.test) || bad "not deferred"
	want "delay reason" "$reason" "client TLS configuration problem"
	[ -n "$(ls -A "$B/mail/badtlsa/new" 2>/dev/null)" ] && bad "B received it"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    'smtp_tls_policy_maps, next-hop destination "badtlsa.dane.test": policy table lookup error'
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "to=<bob@badtlsa.dane.test>, relay=none, .*dsn=4.7.5, status=deferred \(client TLS configuration problem\)"
	case_end
fi

e2e_verified e2e_sts_enforce_right_certificate_delivered_verified enforce.sts.test \
    mx1.enforce.sts.test 192.0.2.41

if case_begin e2e_sts_enforce_certificate_for_other_name_deferred; then
	e2e_send "$CASE" wild.sts.test
	reason=$(e2e_deferred bob@wild.sts.test) || bad "not deferred"
	want "delay reason" "$reason" "Server certificate not verified"
	[ -n "$(ls -A "$B/mail/wild/new" 2>/dev/null)" ] && bad "B received it"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "to=<bob@wild.sts.test>, relay=a.mx.wild.sts.test\\[192.0.2.42\\]:25, .*dsn=4.7.5, status=deferred \\(Server certificate not verified\\)"
	case_end
fi

if case_begin e2e_sts_testing_bad_certificate_delivered; then
	e2e_send "$CASE" testing.sts.test
	e2e_delivered testing >/dev/null || bad "not delivered to B"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "Untrusted TLS connection established to mx.testing.sts.test\\[192.0.2.43\\]:25"
	want_re "A's log" "$(cat "$T/a/maillog")" \
	    "to=<bob@testing.sts.test>, relay=mx.testing.sts.test\\[192.0.2.43\\]:25, .*status=sent"
	case_end
fi

CHECK_DIAG=tp_diag

# ------------------------------------------------ chrooted smtp(8), unix socket
# A's smtp(8) chrooted (master.cf chroot y, as Debian ships it) asks a
# second daemon over a unix socket under A's queue directory: the policy
# must come through (enforce.sts.test is delivered "Verified" only with
# the map's "secure" answer; without it Postfix's own level, dane, gives
# an unverified "Trusted" session), for each spelling of the path that
# contrib/postfix/chroot-policyd.md documents. A is put back afterwards.
CHR_DIR=$T/a/spool/dmarctls
CHR_SOCK=$CHR_DIR/policyd.sock
mkdir -p "$CHR_DIR" "$T/a/spool/etc"
chown root:postfix "$CHR_DIR"
chmod 750 "$CHR_DIR"
# what Debian's postfix start copies into the chroot for smtp(8)'s resolver
for f in resolv.conf hosts services nsswitch.conf host.conf localtime; do
	[ -e "/etc/$f" ] && cp -L "/etc/$f" "$T/a/spool/etc/$f"
done
policyd_conf "unix:$CHR_SOCK" SocketMode 0660 SocketGroup postfix >"$T/chroot.conf"
"$PD" -f -c "$T/chroot.conf" >"$T/chroot-policyd.log" 2>&1 &
CHR_PID=$!
i=0
while [ $i -lt 50 ] && [ ! -S "$CHR_SOCK" ]; do sleep 0.1; i=$((i + 1)); done
cp "$PF/main.cf" "$PF/main.cf.orig"
cp "$PF/master.cf" "$PF/master.cf.orig"
sed -i -E 's/^(smtp[[:space:]]+unix[[:space:]]+-[[:space:]]+-[[:space:]]+)n/\1y/' "$PF/master.cf"

# chroot_case NAME MAP -- A's map set to MAP, one message to enforce.sts.test
chroot_case() {
	if case_begin "$1"; then
		want "A's smtp service chrooted" \
		    "$(postconf -c "$PF" -M smtp/unix 2>&1 | awk '{ print $5 }')" y
		postconf -c "$PF" -e "smtp_tls_policy_maps = $2"
		postfix -c "$PF" reload >>"$T/postfix-ctl.log" 2>&1 || bad "reload of A failed"
		sleep 0.5
		n0=$(wc -l <"$T/a/maillog")
		e2e_send "$1" enforce.sts.test
		e2e_delivered enforce >/dev/null || bad "not delivered to B"
		sleep 0.3
		new=$(tail -n +"$((n0 + 1))" "$T/a/maillog")
		want_re "A's log since the send" "$new" \
		    "postfix/smtp\[[0-9]+\]: Verified TLS connection established to mx1.enforce.sts.test\[192.0.2.41\]:25"
		want_re "A's log since the send: status" "$new" \
		    "to=<bob@enforce.sts.test>, relay=mx1.enforce.sts.test\[192.0.2.41\]:25, .*status=sent"
		want "policy table errors since the send" "$(grep -c 'policy table lookup error' <<<"$new")" 0
		case_end
	fi
}
chroot_case e2e_chrooted_smtp_unix_socket_relative_path \
    "socketmap:unix:dmarctls/policyd.sock:postfix"
# the absolute path outside the chroot does not exist inside it: the
# lookup fails, the mail waits (4.7.5), it does not go out unverified
if case_begin e2e_chrooted_smtp_absolute_host_path_defers; then
	postconf -c "$PF" -e "smtp_tls_policy_maps = socketmap:unix:$CHR_SOCK:postfix"
	postfix -c "$PF" reload >>"$T/postfix-ctl.log" 2>&1 || bad "reload of A failed"
	sleep 0.5
	n0=$(wc -l <"$T/a/maillog")
	e2e_send "$CASE" enforce.sts.test
	reason=$(e2e_deferred bob@enforce.sts.test) || bad "not deferred"
	want "delay reason" "$reason" "client TLS configuration problem"
	new=$(tail -n +"$((n0 + 1))" "$T/a/maillog")
	want_re "A's log since the send" "$new" \
	    "socketmap:unix:$CHR_SOCK:postfix.*(No such file or directory|lookup error)"
	postsuper -c "$PF" -d ALL deferred >>"$T/postfix-ctl.log" 2>&1
	case_end
fi

postfix -c "$PF" stop >>"$T/postfix-ctl.log" 2>&1
cp "$PF/main.cf.orig" "$PF/main.cf"
cp "$PF/master.cf.orig" "$PF/master.cf"
postfix -c "$PF" start >>"$T/postfix-ctl.log" 2>&1
kill "$CHR_PID"
wait "$CHR_PID"
