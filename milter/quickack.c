/*
 * quickack.c -- the accept(2) and read(2) interposers of quickack.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "quickack.h"

#define DT_QUICKACK_FDS	65536	/* descriptors tracked; above: read as libc reads */
#define DT_MILTER_HEADER	5	/* a command's length (4 bytes) and code */

typedef int (*accept_fn)(int, struct sockaddr *, socklen_t *);
typedef ssize_t (*read_fn)(int, void *, size_t);

static atomic_int quickack_on;
static atomic_uchar quickack_fd[DT_QUICKACK_FDS];	/* accepted by libmilter, TCP */
static _Atomic(accept_fn) libc_accept;
static _Atomic(read_fn) libc_read;

void
dt_quickack_enable(void)
{
	atomic_store(&quickack_on, 1);
}

int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	accept_fn f = atomic_load(&libc_accept);
	int	c;

	if (f == NULL) {
		if ((f = (accept_fn)dlsym(RTLD_NEXT, "accept")) == NULL) {
			errno = ENOSYS;
			return -1;
		}
		atomic_store(&libc_accept, f);
	}
	c = f(fd, addr, len);
	if (c >= 0 && c < DT_QUICKACK_FDS)
		atomic_store(&quickack_fd[c], (unsigned char)atomic_load(&quickack_on));
	return c;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	read_fn	f = atomic_load(&libc_read);
	ssize_t	r;
	int	one = 1;

	if (f == NULL) {
		if ((f = (read_fn)dlsym(RTLD_NEXT, "read")) == NULL) {
			errno = ENOSYS;
			return -1;
		}
		atomic_store(&libc_read, f);
	}
	r = f(fd, buf, n);
	/* one setsockopt per command: after libmilter's read of its header */
	if (r == DT_MILTER_HEADER && fd >= 0 && fd < DT_QUICKACK_FDS && atomic_load(&quickack_fd[fd]))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	return r;
}
