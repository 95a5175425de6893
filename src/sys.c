/* SPDX-License-Identifier: MIT */
/*
 * Small wrappers of the system that several parts share: /proc files with
 * the errno a caller of pvmio expects, pidfd_open, the CPUs we may use,
 * and worker threads that keep out of the application's signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int pvmio__proc_open(pid_t pid, const char *file, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* no such entry: no such process; not ours to read: EPERM (DESIGN.md) */
	return errno == ENOENT ? -ESRCH : errno == EACCES ? -EPERM : -errno;
}

int pvmio__pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

unsigned pvmio__usable_cpus(void)
{
	cpu_set_t set;
	long n;

	/* in a container or under taskset, fewer than are online */
	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

int pvmio__thread_start(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	/* the thread inherits the mask: the application's handlers never
	 * run in our workers, and its signals never interrupt them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
