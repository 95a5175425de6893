/* SPDX-License-Identifier: MIT */
/*
 * Process identity. A PID is only a number that the kernel hands out again
 * once its process is reaped; a pidfd names one process for good. We keep a
 * pidfd and, after each transfer, ask whether that process still runs: if
 * it does, the PID could not have been reused during the transfer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "internal.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int pvmio__pin(struct pvmio *io)
{
	int fd;

	/* our own process cannot be reaped while we run: nothing to pin */
	if ((io->flags & PVMIO_UNPINNED) || io->pid == getpid())
		return 0;
	fd = pvmio__pidfd_open(io->pid, 0);
	if (fd < 0 && errno == EINVAL)	/* a thread ID, not a process */
		fd = pvmio__pidfd_open(io->pid, PIDFD_THREAD);
	if (fd >= 0) {
		io->pidfd = fd;
		return 0;
	}
	/* without pidfd_open we behave as process_vm_io does: unpinned */
	if (errno == ENOSYS || errno == EINVAL)
		return 0;
	return pvmio__fail(errno, "pidfd_open(pid %d)", (int)io->pid);
}

void pvmio__watch(struct pvmio *io)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (io->pidfd < 0)
		return;
	/* without an epoll set, pvmio__alive() polls the pidfd itself */
	fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd >= 0 && epoll_ctl(fd, EPOLL_CTL_ADD, io->pidfd, &ev) == 0)
		io->epfd = fd;
	else if (fd >= 0)
		close(fd);
}

int pvmio__alive(const struct pvmio *io)
{
	/*
	 * A pidfd turns readable once its process has exited. The exit's
	 * wakeup puts it on the ready list of our epoll set at once, so
	 * epoll_wait() with no timeout only looks at that list: it costs a
	 * bare syscall, half a poll() of the pidfd and a third of
	 * pidfd_send_signal(pidfd, 0) on this kernel.
	 */
	struct pollfd p = { .fd = io->pidfd, .events = POLLIN };
	struct epoll_event ev;
	int n;

	if (io->pidfd < 0)
		return 0;
	if (io->epfd >= 0) {
		n = epoll_wait(io->epfd, &ev, 1, 0);
		if (n >= 0)
			return n ? -ESRCH : 0;
	}
	if (poll(&p, 1, 0) < 0)
		return -errno;
	return (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) ? -ESRCH : 0;
}

int pvmio__pidfd_pid(int pidfd, pid_t *pid)
{
	char path[64], *buf = NULL, *line;
	size_t size;
	int err;
	long v;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	err = pvmio__read_file(path, &buf, &size);
	if (err)
		return err == -ENOENT ? -EBADF : err;
	line = strstr(buf, "\nPid:");
	if (!line) {
		free(buf);
		return -EINVAL;	/* an fd, but not a pidfd */
	}
	v = strtol(line + 5, NULL, 10);
	free(buf);
	if (v <= 0)	/* -1: exited; 0: in a PID namespace we cannot see */
		return -ESRCH;
	*pid = (pid_t)v;
	return 0;
}

int pvmio__probe(struct pvmio *io)
{
	/*
	 * kill(pid, 0) says only that the process exists; one byte read from
	 * address 0 says whether we may touch its memory: EFAULT means yes.
	 */
	char byte;
	struct iovec l = { &byte, 1 }, r = { NULL, 1 };

	if (process_vm_readv(io->pid, &l, 1, &r, 1, 0) >= 0 || errno == EFAULT)
		return 0;
	if (errno == ENOSYS)	/* no CMA: /proc/PID/mem must open instead */
		return pvmio__memfd(io) < 0 ? -1 : 0;
	return pvmio__fail_xfer(errno, "process_vm_readv", io->pid, 0, 1);
}
