#!/bin/sh
#
# NAME
#	deliver.sh -- the local mailer of the test Sendmail
#
# SYNOPSIS
#	deliver.sh DIR USER < message
#
# DESCRIPTION
#	tests/sendmail/run.sh builds a sendmail.cf whose local mailer is this
#	script (F=S: it runs with Sendmail's own identity), so that every
#	accepted message lands, exactly as Sendmail hands it over, in one
#	file DIR/USER.TIME.PID.eml that the cases can read. The file appears
#	under its final name only once it is complete.
#
# EXIT STATUS
#	0 when the message is stored; 75 (EX_TEMPFAIL) otherwise, so that
#	Sendmail keeps it in the queue instead of losing it.

umask 022
dir=$1
user=$2
# the recipient's local part names the file: keep it to a safe alphabet
case $user in
""|.*|*[!A-Za-z0-9._+-]*) user=unsafe-local-part ;;
esac
f=$dir/$user.$(date +%s%N).$$
cat >"$f.tmp" || exit 75
mv "$f.tmp" "$f.eml" || exit 75
exit 0
