/*
 * listener.h -- the daemon's listening socket from a Socket value.
 *
 * SYNOPSIS
 *	int  listener_open(const char *spec, unsigned mode, uid_t uid, gid_t gid,
 *		char *err, size_t errlen);
 *	void listener_remove(void);
 *
 * DESCRIPTION
 *	listener_open() parses spec as dmarctls-milter's Socket (inet:PORT@HOST,
 *	inet6:PORT@HOST with HOST an address or [address], unix:/PATH or
 *	local:/PATH), binds and listens, and returns the descriptor, or -1
 *	with err. inet sockets get SO_REUSEADDR and TCP_NODELAY (one small
 *	reply per request: Nagle would add a delayed ACK to each). A unix
 *	socket replaces a stale socket at PATH (never another kind of file),
 *	is made under a umask that gives it no more than mode, then gets
 *	owner uid:gid (-1: unchanged) and exactly mode; smtp(8) needs write
 *	permission to connect, so 0660 with a group postfix is in.
 *	listener_remove() unlinks that unix socket at stop if it is still
 *	the one made (same device and inode).
 */
#ifndef DMARCTLS_LISTENER_H
#define DMARCTLS_LISTENER_H

#include <stddef.h>
#include <sys/types.h>

int	listener_open(const char *spec, unsigned mode, uid_t uid, gid_t gid,
	    char *err, size_t errlen);
void	listener_remove(void);

#endif
