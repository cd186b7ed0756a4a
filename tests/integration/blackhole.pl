#!/usr/bin/perl
#
# NAME
#	blackhole.pl -- a DNS server that never answers
#
# SYNOPSIS
#	perl blackhole.pl ADDR PORT
#
# DESCRIPTION
#	Binds UDP and TCP on ADDR:PORT, accepts every TCP connection and
#	reads every datagram, and never writes a byte. A resolver pointed at
#	it sees neither an answer nor a refusal (no ICMP port unreachable),
#	which is what a dead or firewalled server looks like; the client
#	must give up on its own timeout. Used by the integration tests for
#	the DNSTimeout case. Runs until killed. Only core Perl modules.

use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;

my ($addr, $port) = @ARGV;
die "usage: blackhole.pl ADDR PORT\n" unless defined $port;

my $udp = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port,
    Proto => 'udp') or die "blackhole: udp $addr:$port: $!\n";
my $tcp = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port,
    Proto => 'tcp', Listen => 64, ReuseAddr => 1)
    or die "blackhole: tcp $addr:$port: $!\n";

my $sel = IO::Select->new($udp, $tcp);
my $max_held = 256;	# bound the connections kept open
my @held;

while (1) {
	for my $fh ($sel->can_read) {
		if ($fh == $udp) {
			my $buf;
			$udp->recv($buf, 65535);	# drop it
		} elsif ($fh == $tcp) {
			my $c = $tcp->accept or next;
			push @held, $c;			# keep it open, silent
			shift(@held)->close while @held > $max_held;
		}
	}
}
