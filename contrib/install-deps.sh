#!/bin/sh
#
# NAME
#	install-deps.sh -- install the Debian packages dmarctls needs
#
# SYNOPSIS
#	contrib/install-deps.sh		(as root, Debian 12 or later)
#
# DESCRIPTION
#	Installs everything the build, the unit tests, the fuzz targets and
#	the integration tests use: compilers and autotools, the libraries
#	(libmilter, libopendkim, libspf2, OpenSSL, libunbound, libpsl,
#	libidn2, cmocka), and the tools of the test world (nsd, unbound,
#	ldns-signzone, dig, jq, ip, unshare; Postfix, swaks and miltertest
#	for the MTA tests).
#
#	Idempotent and fast on a second run: when dpkg already lists every
#	package as installed, apt-get is not run at all. Non-interactive:
#	Postfix is preseeded to "No configuration" so it neither asks nor
#	writes a main.cf; the tests bring their own configuration.
#
#	On a systemd host the nsd and unbound packages start daemons that
#	take port 53; the integration tests do not care (they run in a
#	private network namespace), but you may want to disable them.
#
# EXIT STATUS
#	0 when everything is installed, non-zero otherwise.

# The package lists are word-split on purpose.
# shellcheck disable=SC2086
set -eu

PACKAGES="
autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
libmilter-dev libopendkim-dev libspf2-dev libssl-dev libunbound-dev
libpsl-dev libidn2-dev libcmocka-dev publicsuffix dns-root-data
nsd unbound ldnsutils bind9-dnsutils openssl iproute2 jq util-linux
ca-certificates perl
postfix swaks libnet-ssleay-perl miltertest
opendkim opendmarc m4
libsqlite3-dev sqlite3 libpq-dev postgresql-15 libxml2-dev libxml2-utils zlib1g-dev
dmarc-cat
"

# Print the packages dpkg does not list as fully installed.
missing_packages() {
	for pkg in $PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || status=
		[ "$status" = installed ] || echo "$pkg"
	done
}

missing=$(missing_packages)
if [ -z "$missing" ]; then
	echo "install-deps: all packages already installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: must run as root; missing:" $missing >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

echo "install-deps: installing:" $missing
apt-get update -q
apt-get install -y -q --no-install-recommends $missing

missing=$(missing_packages)
if [ -n "$missing" ]; then
	echo "install-deps: still missing:" $missing >&2
	exit 1
fi
echo "install-deps: done"
