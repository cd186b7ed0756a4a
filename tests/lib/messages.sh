# shellcheck shell=bash
# messages.sh -- the test messages of the real-server suites: written,
# signed, and the header of a delivered one read back.
#
# SYNOPSIS
#	. "$TOPDIR/tests/lib/messages.sh"
#	MSG_DIR=$T/msg  MSG_TO=ADDR  MSG_SUBJECT=TEXT  MSG_DOMAIN=DOMAIN
#	MSG_BODY=LINES  SIGN=$BUILDDIR/tests/integration/dt-sign
#
#	msg NAME [FIELD]...			MSG_DIR/NAME.eml; prints its path
#	msg_from NAME FROM...			msg with a "From: FROM" field each
#	signed NAME DOMAIN SELECTOR KEY [FIELD]...
#						msg, signed rsa-sha256 into
#						MSG_DIR/NAME.signed.eml; prints it
#	signed_from NAME FROM DOMAIN SELECTOR KEY [ALG]
#						msg_from NAME.plain FROM, signed
#						with ALG into MSG_DIR/NAME.eml
#	dkim_sign IN OUT DOMAIN SELECTOR KEY [ALG]
#						dt-sign IN into OUT (rsa-sha256)
#	b_tag FILE				b= of the first DKIM-Signature
#
#	fields FILE				the header fields, unfolded, no CR
#	names FILE				their names, in order
#	field FILE NAME				every NAME field, blanks squeezed
#	count_field FILE NAME			how many NAME fields
#	ar_ours FILE				our Authentication-Results fields
#	ar_dmarc FILE				ours with the DMARC result
#	ar_tls FILE				ours with the TLS state (x-tls)
#
# DESCRIPTION
#	A message is its FIELDs (whole header fields, in the order given:
#	From, forged Authentication-Results, ...), then To: MSG_TO, Subject:
#	MSG_SUBJECT NAME, a fixed Date, Message-ID: <NAME@MSG_DOMAIN>,
#	MIME-Version and a text/plain Content-Type, an empty line and the
#	lines of MSG_BODY with each @NAME@ replaced by NAME. Lines end in CRLF,
#	as on the wire (RFC 5322 section 2.1). The Message-ID is how a suite
#	finds the message again after delivery.
#
#	Signing is dt-sign's: relaxed/relaxed over every header field. A
#	failure is said on stderr ("# dt-sign failed for OUT: ..."), OUT is
#	then empty or partial and the case that uses it fails.
#
#	The readers take a file as delivered (CRLF or LF); the header ends at
#	the first empty line. "Ours" means authserv-id $AUTHSERV, in any case.
#	The A-R readers print nothing when there is no such field.

MSG_DIR=${MSG_DIR:-}
MSG_TO=${MSG_TO:-bob@receiver.test}
MSG_SUBJECT=${MSG_SUBJECT:-dmarctls test case}
MSG_DOMAIN=${MSG_DOMAIN:-dmarctls.test}
MSG_BODY=${MSG_BODY:-This message is dmarctls test case @NAME@.}

msg() {
	local name=$1 f=$MSG_DIR/$1.eml
	shift
	{
		[ $# -gt 0 ] && printf '%s\n' "$@"
		echo "To: $MSG_TO"
		echo "Subject: $MSG_SUBJECT $name"
		echo "Date: Mon, 01 Jun 2026 10:00:00 +0000"
		echo "Message-ID: <$name@$MSG_DOMAIN>"
		echo "MIME-Version: 1.0"
		echo "Content-Type: text/plain; charset=us-ascii"
		echo
		echo "${MSG_BODY//@NAME@/"$name"}"
	} | sed 's/$/\r/' >"$f"
	echo "$f"
}

msg_from() {
	local name=$1 from
	local -a from_fields=()
	shift
	for from in "$@"; do
		from_fields+=("From: $from")
	done
	msg "$name" ${from_fields[@]+"${from_fields[@]}"}
}

dkim_sign() {
	if ! "$SIGN" -d "$3" -s "$4" -k "$5" -a "${6:-rsa-sha256}" <"$1" >"$2" 2>"$2.err"; then
		echo "# dt-sign failed for $2: $(head -n 1 "$2.err")" >&2
	fi
}

signed() {
	local name=$1 d=$2 sel=$3 key=$4 plain
	shift 4
	plain=$(msg "$name" "$@")
	dkim_sign "$plain" "$MSG_DIR/$name.signed.eml" "$d" "$sel" "$key"
	echo "$MSG_DIR/$name.signed.eml"
}

signed_from() {
	local plain
	plain=$(msg_from "$1.plain" "$2")
	dkim_sign "$plain" "$MSG_DIR/$1.eml" "$3" "$4" "$5" "${6:-}"
	echo "$MSG_DIR/$1.eml"
}

b_tag() {
	sed -n '/^DKIM-Signature:/,/^[^ \t]/p' "$1" | head -n -1 | tr -d ' \t\r\n' |
	    sed -n 's/.*;b=\([^;]*\).*/\1/p' | head -1
}

fields() {
	tr -d '\r' <"$1" | awk '/^$/ { exit }
	    /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
	    { if (line != "") print line; line = $0 }
	    END { if (line != "") print line }'
}

names() {
	fields "$1" | sed 's/:.*//'
}

field() {
	fields "$1" | grep -i "^$2:" | tr -s ' \t' ' '
}

count_field() {
	fields "$1" | grep -c -i "^$2:"
}

ar_ours() {
	fields "$1" | grep -i "^Authentication-Results: *$AUTHSERV;"
}

ar_dmarc() {
	ar_ours "$1" | grep ' dmarc='
}

ar_tls() {
	ar_ours "$1" | grep ' x-tls='
}
