#!/usr/bin/perl
#
# NAME
#	smtp-session.pl -- several messages in one SMTP session
#
# SYNOPSIS
#	perl smtp-session.pl HOST PORT CLIENT-ADDR HELO SENDER:RCPT:FILE...
#
# DESCRIPTION
#	swaks sends one message per session; the milter must keep per-message
#	state apart from per-connection state, which only shows with several
#	transactions on one connection. This client connects to HOST:PORT,
#	says EHLO, presents CLIENT-ADDR with XCLIENT (Postfix then starts a
#	new session: EHLO again), and sends each message in turn: MAIL FROM,
#	RCPT TO, DATA, the FILE (line ends made CRLF, dot-stuffed, RFC 5321
#	section 4.5.2), and ".". SENDER may be empty (the null sender).
#
#	Output: one line per message, "FILE REPLY", where REPLY is the
#	server's last reply to that transaction (the end-of-data reply, or
#	the MAIL/RCPT/DATA reply that refused it; multi-line replies are
#	joined with " | "). Exit 0 when the dialogue ran to QUIT, 1 when the
#	server misbehaved (no banner, refused EHLO or XCLIENT, timeout), 64
#	on bad usage. Only core Perl modules.

use strict;
use warnings;
use IO::Socket::IP;

my $TIMEOUT = 30;		# seconds any one reply may take

die "usage: smtp-session.pl HOST PORT CLIENT-ADDR HELO SENDER:RCPT:FILE...\n"
    if @ARGV < 5;
my ($host, $port, $client, $helo, @msgs) = @ARGV;

$SIG{ALRM} = sub { die "timeout waiting for the server\n" };

my $s;

# Read one reply (RFC 5321 section 4.2: "CODE-" continues, "CODE " ends).
sub reply {
	my @lines;
	alarm $TIMEOUT;
	while (defined(my $l = <$s>)) {
		$l =~ s/\r?\n\z//;
		push @lines, $l;
		last if $l =~ /^\d{3}(?: |\z)/;
	}
	alarm 0;
	die "connection closed by the server\n" unless @lines;
	return join(' | ', @lines);
}

sub cmd {
	print $s "$_[0]\r\n";
	return reply();
}

sub expect {
	my ($r, $code, $what) = @_;
	die "$what: $r\n" unless $r =~ /^$code/;
}

sub session {
	$s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port,
	    Timeout => $TIMEOUT) or die "connect $host:$port: $@\n";
	binmode $s;

	expect(reply(), '220', 'banner');
	expect(cmd("EHLO $helo"), '250', 'EHLO');
	# XCLIENT ends the session and starts a new one with the new address.
	expect(cmd("XCLIENT ADDR=$client"), '220', 'XCLIENT');
	expect(cmd("EHLO $helo"), '250', 'EHLO after XCLIENT');

	for my $m (@msgs) {
		my ($from, $rcpt, $file) = split /:/, $m, 3;
		die "bad message argument: $m\n" unless defined $file;
		my $r = cmd("MAIL FROM:<$from>");
		if ($r !~ /^250/) { print "$file $r\n"; cmd('RSET'); next; }
		$r = cmd("RCPT TO:<$rcpt>");
		if ($r !~ /^250/) { print "$file $r\n"; cmd('RSET'); next; }
		$r = cmd('DATA');
		if ($r !~ /^354/) { print "$file $r\n"; cmd('RSET'); next; }
		open(my $fh, '<:raw', $file) or die "$file: $!\n";
		while (my $l = <$fh>) {
			$l =~ s/\r?\n\z//;
			$l = ".$l" if $l =~ /^\./;
			print $s "$l\r\n";
		}
		close $fh;
		print "$file ", cmd('.'), "\n";
	}
	cmd('QUIT');
}

eval { session(); 1 } or do { print STDERR "smtp-session: $@"; exit 1 };
exit 0;
