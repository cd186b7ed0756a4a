/*
 * daemon_user.h -- what every dmarctls daemon does once at start as root:
 * write its pid file, then become UserID.
 *
 * SYNOPSIS
 *	int dt_write_pidfile(const char *path);
 *	int dt_drop_privileges(const char *spec);
 *
 * DESCRIPTION
 *	dt_write_pidfile() writes the process id and a newline to path (NULL:
 *	nothing to do). It is called before the privilege drop, so the file
 *	may live in a directory only root can write.
 *
 *	dt_drop_privileges() becomes spec ("user" or "user:group"; NULL: stay)
 *	when running as root: supplementary groups of the user (so that a
 *	socket group such as postfix's works), then the group, then the user,
 *	and checks that root cannot be regained.
 *
 * DIAGNOSTICS
 *	Both log the reason with dt_log() and return -1 on failure, 0 on success.
 */
#ifndef DMARCTLS_DAEMON_USER_H
#define DMARCTLS_DAEMON_USER_H

int	dt_write_pidfile(const char *path);
int	dt_drop_privileges(const char *spec);

#endif
