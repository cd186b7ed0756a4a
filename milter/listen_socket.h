/*
 * listen_socket.h -- the milter's listening socket, made so that the MTA can reach it.
 *
 * SYNOPSIS
 *	int  dt_socket_path(const char *socket, char *path, size_t len);
 *	int  dt_socket_dir_check(const char *path, char *err, size_t errlen);
 *	int  dt_socket_owner(const dt_config *cfg, uid_t *uid, gid_t *gid,
 *		char *err, size_t errlen);
 *	int  dt_socket_open(const dt_config *cfg, const char *spec);
 *	void dt_socket_remove(void);
 *
 * DESCRIPTION
 *	dt_socket_path() copies the file name of a unix: or local: socket
 *	into path and returns 1; 0 for inet sockets; -1 when it does not fit.
 *
 *	dt_socket_dir_check() returns 0 when the directory of path exists and
 *	is a directory; else -1 and err names the directory and how to make it.
 *
 *	dt_socket_owner() resolves who should own a unix socket: the UserID
 *	user (uid -1 when UserID is unset) and the SocketGroup, else the
 *	UserID group, else the user's primary group (gid -1 when none of them
 *	is set). -1 with err when a name does not exist.
 *
 *	dt_socket_open() registers spec (libmilter's form) and opens it. For a
 *	unix socket the directory is checked first (a clear error instead of
 *	libmilter's "Unable to bind"), the socket is created under a umask
 *	that gives it no more than SocketMode, then given the owner above and
 *	exactly SocketMode: Postfix's smtpd needs write permission to
 *	connect(2), so SocketMode 0660 with a group Postfix is in is the
 *	recipe. Returns 0 or an exit status (EX_OSERR, EX_CONFIG); logs why.
 *
 *	dt_socket_remove() unlinks the unix socket dt_socket_open() made, if
 *	it is still that socket (same device and inode), at stop. This needs
 *	write permission on its directory as the user the milter runs as.
 */
#ifndef DMARCTLS_LISTEN_SOCKET_H
#define DMARCTLS_LISTEN_SOCKET_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

int	dt_socket_path(const char *socket, char *path, size_t len);
int	dt_socket_dir_check(const char *path, char *err, size_t errlen);
int	dt_socket_owner(const dt_config *cfg, uid_t *uid, gid_t *gid, char *err,
	    size_t errlen);
int	dt_socket_open(const dt_config *cfg, const char *spec);
void	dt_socket_remove(void);

#endif
