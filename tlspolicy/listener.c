/*
 * listener.c -- bind and listen on the configured socket (see listener.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "listener.h"

#define LISTEN_BACKLOG	256

static char	made_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t	made_dev;
static ino_t	made_ino;

static int
fail(char *err, size_t errlen, const char *spec, const char *what, int fd)
{
	snprintf(err, errlen, "%s: %s: %s", spec, what, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
open_unix(const char *spec, const char *path, unsigned mode, uid_t uid, gid_t gid,
	  char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t	old;
	int	fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", spec);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket", spec);
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail(err, errlen, spec, "socket", -1);
	old = umask((mode_t)(~mode & 0777));
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0)
		return fail(err, errlen, spec, "bind", fd);
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0)
		return fail(err, errlen, spec, "chown", fd);
	if (chmod(path, (mode_t)mode) < 0)
		return fail(err, errlen, spec, "chmod", fd);
	if (stat(path, &st) == 0) {
		snprintf(made_path, sizeof(made_path), "%s", path);
		made_dev = st.st_dev;
		made_ino = st.st_ino;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0)
		return fail(err, errlen, spec, "listen", fd);
	return fd;
}

static int
open_inet(const char *spec, int family, const char *rest, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	char	host[128];
	const char *at = strchr(rest, '@');
	size_t	hl;
	long	port;
	int	fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	port = strtol(rest, NULL, 10);
	if (at == NULL || port <= 0 || port > 65535) {
		snprintf(err, errlen, "%s: expected PORT@ADDRESS", spec);
		return -1;
	}
	snprintf(host, sizeof(host), "%s", at + 1);
	hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	if (family == AF_INET ? inet_pton(AF_INET, host, &in4->sin_addr) != 1
	    : inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
		snprintf(err, errlen, "%s: the host must be an address literal", spec);
		return -1;
	}
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		in4->sin_port = htons((unsigned short)port);
	else
		in6->sin6_port = htons((unsigned short)port);
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail(err, errlen, spec, "socket", -1);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, family == AF_INET ? sizeof(*in4)
		 : sizeof(*in6)) < 0)
		return fail(err, errlen, spec, "bind", fd);
	if (listen(fd, LISTEN_BACKLOG) < 0)
		return fail(err, errlen, spec, "listen", fd);
	return fd;
}

int
listener_open(const char *spec, unsigned mode, uid_t uid, gid_t gid, char *err,
	      size_t errlen)
{
	if (strncasecmp(spec, "unix:", 5) == 0)
		return open_unix(spec, spec + 5, mode, uid, gid, err, errlen);
	if (strncasecmp(spec, "local:", 6) == 0)
		return open_unix(spec, spec + 6, mode, uid, gid, err, errlen);
	if (strncasecmp(spec, "inet:", 5) == 0)
		return open_inet(spec, AF_INET, spec + 5, err, errlen);
	if (strncasecmp(spec, "inet6:", 6) == 0)
		return open_inet(spec, AF_INET6, spec + 6, err, errlen);
	snprintf(err, errlen, "%s: unknown socket type", spec);
	return -1;
}

void
listener_remove(void)
{
	struct stat st;

	if (made_path[0] != '\0' && lstat(made_path, &st) == 0
	    && st.st_dev == made_dev && st.st_ino == made_ino)
		unlink(made_path);
}
