/*
 * listen_socket.c -- the listening socket: directory checked first, owner,
 * group and mode set, removed on stop (see listen_socket.h).
 *
 * DESCRIPTION
 *	libmilter binds the socket with the process umask and as the user
 *	that starts it (root, before UserID takes effect), so without this a
 *	unix socket is root-owned 0755 and the MTA, which must write to it to
 *	connect, is refused. OpenDKIM answers with a UMask key; we take the
 *	mode itself (SocketMode) and a group (SocketGroup), and chmod after
 *	bind so that the result never depends on the umask the service
 *	manager left us.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "listen_socket.h"
#include "log.h"

#define DT_ERR_MAX	512

static char	made_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t	made_dev;
static ino_t	made_ino;

int
dt_socket_path(const char *socket, char *path, size_t len)
{
	const char *p;

	if (strncasecmp(socket, "unix:", 5) == 0)
		p = socket + 5;
	else if (strncasecmp(socket, "local:", 6) == 0)
		p = socket + 6;
	else
		return 0;
	if (strlen(p) >= len)
		return -1;
	memcpy(path, p, strlen(p) + 1);
	return 1;
}

int
dt_socket_dir_check(const char *path, char *err, size_t errlen)
{
	char	dir[sizeof(made_path)], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "socket directory %s: %s (create it, e.g. "
		    "install -d -o dmarctls -g dmarctls -m 0750 %s)", dir, strerror(errno), dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "socket directory %s is not a directory", dir);
		return -1;
	}
	return 0;
}

/* name_to_gid - a group name or number */
static int
name_to_gid(const char *name, gid_t *gid)
{
	struct group *gr;

	if ((gr = getgrnam(name)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (name[0] != '\0' && strspn(name, "0123456789") == strlen(name)) {
		*gid = (gid_t)strtoul(name, NULL, 10);
		return 0;
	}
	return -1;
}

int
dt_socket_owner(const dt_config *cfg, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	char	user[256], *group = NULL;
	struct passwd *pw = NULL;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (cfg->user_id != NULL) {
		snprintf(user, sizeof(user), "%s", cfg->user_id);
		if ((group = strchr(user, ':')) != NULL)
			*group++ = '\0';
		if ((pw = getpwnam(user)) == NULL) {
			snprintf(err, errlen, "UserID %s: no such user (create it, e.g. "
			    "adduser --system --group %s)", cfg->user_id, user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		if (group != NULL && name_to_gid(group, gid) < 0) {
			snprintf(err, errlen, "UserID %s: no such group %s", cfg->user_id, group);
			return -1;
		}
	}
	if (cfg->socket_group != NULL && name_to_gid(cfg->socket_group, gid) < 0) {
		snprintf(err, errlen, "SocketGroup %s: no such group", cfg->socket_group);
		return -1;
	}
	return 0;
}

/* dt_socket_finish - owner, group and mode of the socket just bound */
static int
dt_socket_finish(const dt_config *cfg, const char *path)
{
	char	err[DT_ERR_MAX];
	uid_t	uid;
	gid_t	gid;
	struct stat st;

	if (dt_socket_owner(cfg, &uid, &gid, err, sizeof(err)) < 0) {
		dt_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	if (geteuid() != 0)
		uid = (uid_t)-1;	/* only root gives files away */
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0) {
		dt_log(LOG_ERR, "socket %s: cannot set owner/group: %s", path, strerror(errno));
		return EX_OSERR;
	}
	if (chmod(path, (mode_t)cfg->socket_mode) < 0 || stat(path, &st) < 0) {
		dt_log(LOG_ERR, "socket %s: cannot set mode %04o: %s", path, cfg->socket_mode,
		    strerror(errno));
		return EX_OSERR;
	}
	snprintf(made_path, sizeof(made_path), "%s", path);
	made_dev = st.st_dev;
	made_ino = st.st_ino;
	return 0;
}

int
dt_socket_open(const dt_config *cfg, const char *spec)
{
	char	path[sizeof(made_path)], err[DT_ERR_MAX];
	int	is_unix, rc;
	mode_t	old;

	if ((is_unix = dt_socket_path(cfg->socket, path, sizeof(path))) < 0) {
		dt_log(LOG_ERR, "socket %s: path too long", cfg->socket);
		return EX_CONFIG;
	}
	if (is_unix && dt_socket_dir_check(path, err, sizeof(err)) < 0) {
		dt_log(LOG_ERR, "cannot listen on %s: %s", cfg->socket, err);
		return EX_OSERR;
	}
	if (smfi_setconn((char *)spec) != MI_SUCCESS)
		return EX_OSERR;
	/* never more than SocketMode, even for the moment before chmod */
	old = umask((mode_t)(~cfg->socket_mode & 0777));
	rc = smfi_opensocket(1) == MI_SUCCESS ? 0 : EX_OSERR;
	umask(old);
	if (rc != 0 || !is_unix)
		return rc;
	return dt_socket_finish(cfg, path);
}

void
dt_socket_remove(void)
{
	struct stat st;

	if (made_path[0] == '\0')
		return;
	if (lstat(made_path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == made_dev
	    && st.st_ino == made_ino && unlink(made_path) < 0)
		dt_log(LOG_WARNING, "cannot remove socket %s: %s", made_path, strerror(errno));
	made_path[0] = '\0';
}
