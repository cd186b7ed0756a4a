/*
 * preflight.c -- the -n checks: users, directories, readable files, each
 * with the file and line that named them (see preflight.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "generation.h"
#include "listen_socket.h"
#include "log.h"
#include "preflight.h"

#define PF_MSG_MAX	1024
#define PF_WHERE_MAX	512
#define PF_GROUPS_MAX	256	/* supplementary groups of the UserID user */

/* pf_problem - one line naming where the key was set (ep: DANEEndpoint index, or -1) */
static void
pf_problem_at(const dt_config *c, const char *key, long ep, const char *value,
    const char *what)
{
	char	where[PF_WHERE_MAX];

	dt_log(LOG_ERR, "%s: %s %s: %s", ep >= 0
	    ? dt_config_endpoint_origin(c, (size_t)ep, where, sizeof(where))
	    : dt_config_origin(c, key, where, sizeof(where)), key, value, what);
}

static void
pf_problem(const dt_config *c, const char *key, const char *value, const char *what)
{
	pf_problem_at(c, key, -1, value, what);
}

/* pf_users - UserID and SocketGroup name users and groups that exist */
static int
pf_users(const dt_config *c)
{
	char	err[PF_MSG_MAX];
	uid_t	uid;
	gid_t	gid;
	dt_config only = *c;

	if (c->user_id != NULL) {
		only.socket_group = NULL;
		if (dt_socket_owner(&only, &uid, &gid, err, sizeof(err)) < 0) {
			pf_problem(c, "UserID", c->user_id, strchr(err, ':') + 2);
			return 1;
		}
	}
	if (c->socket_group != NULL) {
		only.user_id = NULL;
		only.socket_group = c->socket_group;
		if (dt_socket_owner(&only, &uid, &gid, err, sizeof(err)) < 0) {
			pf_problem(c, "SocketGroup", c->socket_group, "no such group");
			return 1;
		}
	}
	return 0;
}

/* pf_dirs - the socket's directory and the pid file's */
static int
pf_dirs(const dt_config *c)
{
	char	path[PF_WHERE_MAX], err[PF_MSG_MAX];
	int	bad = 0;

	if (dt_socket_path(c->socket, path, sizeof(path)) > 0
	    && dt_socket_dir_check(path, err, sizeof(err)) < 0) {
		pf_problem(c, "Socket", c->socket, err);
		bad++;
	}
	if (c->pid_file != NULL && dt_socket_dir_check(c->pid_file, err, sizeof(err)) < 0) {
		pf_problem(c, "PidFile", c->pid_file,
		    "its directory does not exist or is not a directory");
		bad++;
	}
	return bad;
}

/* pf_readable - one file; 1 when it cannot be opened */
static int
pf_readable(const dt_config *c, const char *key, long ep, const char *file, const char *as)
{
	char	what[PF_MSG_MAX];
	int	fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) >= 0) {
		close(fd);
		return 0;
	}
	snprintf(what, sizeof(what), "cannot read %s%s%s: %s", file, as ? " as " : "",
	    as ? as : "", strerror(errno));
	pf_problem_at(c, key, ep, file, what);
	return 1;
}

/* pf_list - each path of "a,b" (the normalised list form) */
static int
pf_list(const dt_config *c, const char *key, long ep, const char *list, const char *as)
{
	char	*copy, *p, *save = NULL;
	int	bad = 0;

	if (list == NULL || (copy = strdup(list)) == NULL)
		return 0;
	for (p = strtok_r(copy, ", \t", &save); p != NULL; p = strtok_r(NULL, ", \t", &save))
		bad += pf_readable(c, key, ep, p, as);
	free(copy);
	return bad;
}

/* pf_writable_dir - the directory of file must let us create files in it */
static int
pf_writable_dir(const dt_config *c, const char *key, const char *value, const char *file,
    const char *as)
{
	char	dir[PF_WHERE_MAX], what[PF_MSG_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", file);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	if (access(dir[0] ? dir : "/", W_OK | X_OK) == 0)
		return 0;
	snprintf(what, sizeof(what), "directory %s not writable%s%s: %s", dir[0] ? dir : "/",
	    as ? " as " : "", as ? as : "", strerror(errno));
	pf_problem(c, key, value, what);
	return 1;
}

static int
pf_files(const dt_config *c, const char *as)
{
	int	bad = 0;
	size_t	i;

	if (strcmp(c->trust_anchor_file, "none") != 0)
		bad += pf_readable(c, "TrustAnchorFile", -1, c->trust_anchor_file, as);
	if (c->unbound_config_file != NULL)
		bad += pf_readable(c, "UnboundConfigFile", -1, c->unbound_config_file, as);
	if (c->discovery_psl)
		bad += pf_readable(c, "PublicSuffixList", -1, c->psl_file, as);
	bad += pf_list(c, "TLSCertificate", -1, c->tls_certificate, as);
	for (i = 0; i < c->ndane_endpoints; i++)
		bad += pf_list(c, "DANEEndpoint", (long)i, c->dane_endpoints[i].certs, as);
	/* the report store (SQLite) and spool are created after the drop */
	if (c->reports && c->report_store && strncmp(c->report_store, "sqlite:", 7) == 0)
		bad += pf_writable_dir(c, "ReportStore", c->report_store, c->report_store + 7, as);
	if (c->reports && c->report_spool)
		bad += pf_writable_dir(c, "ReportSpool", c->report_spool, c->report_spool, as);
	return bad;
}

/*
 * pf_files_as_user - root with UserID: open the files as that user, in a
 * child (the process is still single-threaded here), so that root's
 * right to read everything does not hide a file dmarctls cannot read.
 */
static int
pf_files_as_user(const dt_config *c)
{
	char	user[256], *colon;
	struct passwd *pw;
	uid_t	uid;
	gid_t	gid, groups[PF_GROUPS_MAX];
	int	ngroups = PF_GROUPS_MAX, status;
	pid_t	pid;
	char	err[PF_MSG_MAX];

	if (c->user_id == NULL || geteuid() != 0)
		return pf_files(c, NULL);
	snprintf(user, sizeof(user), "%s", c->user_id);
	if ((colon = strchr(user, ':')) != NULL)
		*colon = '\0';
	if (dt_socket_owner(c, &uid, &gid, err, sizeof(err)) < 0 || (pw = getpwnam(user)) == NULL)
		return pf_files(c, NULL);	/* pf_users said why; files as we are */
	if (colon != NULL) {
		dt_config only = *c;

		only.socket_group = NULL;
		(void)dt_socket_owner(&only, &uid, &gid, err, sizeof(err));
	} else {
		gid = pw->pw_gid;
	}
	if (getgrouplist(pw->pw_name, gid, groups, &ngroups) < 0)
		ngroups = 0;
	fflush(stderr);
	if ((pid = fork()) < 0) {
		dt_log(LOG_ERR, "cannot fork to check files as %s: %s", c->user_id, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (setgroups((size_t)ngroups, groups) < 0 || setgid(gid) < 0
		    || setuid(pw->pw_uid) < 0) {
			dt_log(LOG_ERR, "cannot become %s to check files: %s", c->user_id,
			    strerror(errno));
			_exit(1);
		}
		_exit(pf_files(c, c->user_id) > 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
dt_preflight(const char *path, const char *socket)
{
	dt_config c;
	char	err[PF_MSG_MAX];
	int	bad = 0;

	dt_config_defaults(&c);
	if ((path && dt_config_load(&c, path, err, sizeof(err)) < 0)
	    || (socket && dt_config_set(&c, "Socket", socket, err, sizeof(err)) < 0)) {
		dt_log(LOG_ERR, "%s", err);
		dt_config_free(&c);
		return EX_CONFIG;
	}
	bad += pf_users(&c);
	bad += pf_dirs(&c);
	bad += pf_files_as_user(&c);
	dt_config_free(&c);
	if (bad > 0)
		return EX_CONFIG;
	if (dt_gen_load(path, socket, err, sizeof(err)) < 0) {
		dt_log(LOG_ERR, "%s", err);
		return EX_CONFIG;
	}
	dt_gen_shutdown();
	return 0;
}
