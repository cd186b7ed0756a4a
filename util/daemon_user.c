/*
 * daemon_user.c -- pid file and privilege drop shared by the daemons (see daemon_user.h).
 */
#include <sys/types.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon_user.h"
#include "log.h"

int
dt_write_pidfile(const char *path)
{
	FILE	*fp;

	if (path == NULL)
		return 0;
	if ((fp = fopen(path, "w")) == NULL) {
		dt_log(LOG_ERR, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	return fclose(fp) == 0 ? 0 : -1;
}

int
dt_drop_privileges(const char *spec)
{
	char	user[256], *group;
	struct passwd *pw;
	struct group *gr;
	gid_t	gid;

	if (spec == NULL || geteuid() != 0)
		return 0;
	snprintf(user, sizeof(user), "%s", spec);
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	if ((pw = getpwnam(user)) == NULL) {
		dt_log(LOG_ERR, "UserID: no user %s", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			dt_log(LOG_ERR, "UserID: no group %s", group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (setgroups(0, NULL) < 0 || initgroups(pw->pw_name, gid) < 0 || setgid(gid) < 0
	    || setuid(pw->pw_uid) < 0) {
		dt_log(LOG_ERR, "cannot become %s: %s", spec, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		dt_log(LOG_ERR, "could regain root after dropping privileges");
		return -1;
	}
	return 0;
}
