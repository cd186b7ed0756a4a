#!/usr/bin/perl
#
# NAME
#	hold.pl -- hostile milter-protocol clients that hold connections (issue 12)
#
# SYNOPSIS
#	hold.pl idle PORT N SECONDS
#	hold.pl half PORT LIMIT
#	hold.pl sessions PORT N SECONDS
#
# DESCRIPTION
#	Plays a misbehaving MTA against a milter on 127.0.0.1:PORT.
#	idle      opens N TCP connections that never send a byte, says
#	          "open N" on stdout, holds them SECONDS, then says how many
#	          the milter still kept open ("kept K").
#	half      sends 3 of the 4 length bytes of a packet and waits up to
#	          LIMIT seconds for the milter to drop the connection; prints
#	          "dropped after S" (whole seconds) or "not dropped".
#	sessions  opens N sessions as far as the connect stage (option
#	          negotiation, then SMFIC_CONNECT for 192.0.2.10) and prints
#	          the milter's reply to each connect: "c" continue, "t"
#	          tempfail, "-" none; holds them SECONDS, then exits.
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my ($mode, $port, $n, $secs) = @ARGV;
die "usage: hold.pl idle|half|sessions PORT N [SECONDS]\n" unless defined $n;

sub conn {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	    Proto => 'tcp');
	die "connect: $!\n" unless $s;
	return $s;
}

# packet CMD DATA -- length (command byte included), command, data
sub packet { my ($cmd, $data) = @_; return pack('N', 1 + length $data) . $cmd . $data; }

# reply SOCK -- the command byte of the milter's next reply, or "-"
sub reply {
	my ($s) = @_;
	my $len;
	return '-' unless defined(sysread($s, $len, 4)) && length($len) == 4;
	my $want = unpack('N', $len);
	my $buf = '';
	while (length($buf) < $want) {
		my $r = sysread($s, $buf, $want - length($buf), length($buf));
		return '-' unless $r;
	}
	return substr($buf, 0, 1);
}

if ($mode eq 'idle') {
	my @s = map { conn() } 1 .. $n;
	$| = 1;
	print "open ", scalar(@s), "\n";
	sleep $secs;
	my $kept = 0;
	for my $s (@s) {
		my $rin = '';
		vec($rin, fileno($s), 1) = 1;
		my $buf;
		# readable now means EOF (the milter closed it): it never writes first
		$kept++ unless select(my $r = $rin, undef, undef, 0) > 0 && !sysread($s, $buf, 1);
	}
	print "kept $kept\n";
} elsif ($mode eq 'half') {
	my $s = conn();
	my $t0 = time;
	syswrite($s, "\0\0\0");
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	my $buf;
	if (select(my $r = $rin, undef, undef, $n) > 0 && !sysread($s, $buf, 1)) {
		printf "dropped after %d\n", time - $t0;
	} else {
		print "not dropped\n";
	}
} elsif ($mode eq 'sessions') {
	my @s;
	$| = 1;
	for (1 .. $n) {
		my $s = conn();
		push @s, $s;
		syswrite($s, packet('O', pack('NNN', 6, 0x1ff, 0x1fffff)));
		my $r = reply($s);
		if ($r ne 'O') { print "-\n"; next; }
		syswrite($s, packet('C', "client.test\0" . '4' . pack('n', 25) . "192.0.2.10\0"));
		print reply($s), "\n";
	}
	sleep $secs;
} else {
	die "hold.pl: unknown mode $mode\n";
}
