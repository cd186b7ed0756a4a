/*
 * quickack.h -- ACK the MTA's milter packets at once on a TCP listener.
 *
 * SYNOPSIS
 *	void dt_quickack_enable(void);
 *
 * DESCRIPTION
 *	Sendmail's milter client writes a macro packet and then the command
 *	it belongs to as two writes on a socket with Nagle's algorithm on;
 *	no reply follows a macro packet, so the command waits until the
 *	milter host ACKs the macro packet, which Linux delays by up to 40 ms
 *	on a connection it thinks interactive. Measured (tests/bench/
 *	noreply_sendmail.sh, Sendmail 8.17 over TCP on loopback): 294 ms per
 *	message with replies, 149 ms with the no-reply options, 8 ms with
 *	delayed ACKs off (quickack on the loopback route) or on a unix
 *	socket. libmilter reads the packets itself, so this module defines
 *	accept(2) and read(2) in the executable, which the dynamic linker
 *	prefers over libc's for libmilter's calls (as sighup.h does with
 *	sigwait): once dt_quickack_enable() was called (the milter listens on
 *	TCP), every connection libmilter accepts is remembered, and after
 *	each read of a command header (libmilter reads the 5 bytes of length
 *	and code first, then the rest) from one of them TCP_QUICKACK is set,
 *	which sends the pending ACK for all that arrived now: one setsockopt
 *	per command. Other descriptors are read as libc reads them. A descriptor
 *	number reused for something else after the connection closed only
 *	gets a setsockopt that fails or does nothing; errors are ignored.
 */
#ifndef DMARCTLS_QUICKACK_H
#define DMARCTLS_QUICKACK_H

void	dt_quickack_enable(void);

#endif
