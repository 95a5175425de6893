/* SPDX-License-Identifier: MIT */
/*
 * Pause and resume every thread of a process. SIGSTOP only asks: each thread
 * stops when it next leaves the kernel, so kill() returning says nothing
 * about the state of the threads. We watch /proc/PID/task/TID/stat until
 * each of them says T (or t, stopped under a tracer), and read the task list
 * anew on every round because threads may still be created while we wait.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define WAIT_NS		2000000000LL	/* DESIGN.md: at most 2 s */
#define FIRST_NAP_NS	50000L		/* most stops take microseconds */
#define LONGEST_NAP_NS	10000000L

/* The target, pinned by a pidfd where the kernel has one. */
struct proc {
	pid_t pid;
	int pidfd;
};

/* What the threads were doing at one look at /proc/PID/task. */
struct census {
	unsigned total;
	unsigned stopped;	/* T: group stop */
	unsigned traced;	/* t: ptrace stop; counts as stopped */
	unsigned dead;		/* Z, X: exited, not yet reaped */
	pid_t running_tid;	/* one thread that is not stopped, or 0 */
	char running_state;
	pid_t stopped_tid;	/* one thread in T, or 0 */
};

static int proc_signal(const struct proc *p, int sig)
{
	if (p->pidfd >= 0) {
		/* the pidfd cannot name a process that reused the PID */
		if (!syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0))
			return 0;
		if (errno != ENOSYS)
			return -errno;
	}
	return kill(p->pid, sig) ? -errno : 0;
}

static int proc_open(struct proc *p, pid_t pid)
{
	p->pid = pid;
	p->pidfd = pvmio__pidfd_open(pid, 0);
	if (p->pidfd < 0 && errno == ESRCH)
		return -ESRCH;
	/* ENOSYS, or EINVAL for a thread ID: plain kill() then */
	return proc_signal(p, 0);
}

static void proc_close(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
}

/* The state letter of one thread, 0 if it is gone, or -errno. */
static int thread_state(int taskfd, const char *tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/stat", tid);
	fd = openat(taskfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;	/* it exited between open and read */
	buf[n] = '\0';
	/* the command name may hold ") ": the state follows the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EIO;
	return (unsigned char)p[2];
}

static void count(struct census *c, const char *tid, int state)
{
	c->total++;
	if (state == 'T') {
		c->stopped++;
		if (!c->stopped_tid)
			c->stopped_tid = (pid_t)strtol(tid, NULL, 10);
	} else if (state == 't') {
		c->traced++;
	} else if (state == 'Z' || state == 'X') {
		c->dead++;
	} else if (!c->running_tid) {
		c->running_tid = (pid_t)strtol(tid, NULL, 10);
		c->running_state = (char)state;
	}
}

static int take_census(pid_t pid, struct census *c)
{
	char path[40];
	struct dirent *e;
	int err = 0;
	DIR *d;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((errno = 0, e = readdir(d))) {
		int state;

		if (e->d_name[0] == '.')
			continue;
		state = thread_state(dirfd(d), e->d_name);
		if (state < 0) {
			err = state;
			break;
		}
		if (state)
			count(c, e->d_name, state);
	}
	if (!err && errno)
		err = errno == ENOENT ? -ESRCH : -errno;
	closedir(d);
	return err;
}

/* A census of a process that still lives: a zombie cannot stop or run. */
static int census_live(const struct proc *p, struct census *c)
{
	struct pollfd pf = { .fd = p->pidfd, .events = POLLIN };
	int err = take_census(p->pid, c);

	if (err)
		return err;
	if (c->dead == c->total)
		return -ESRCH;
	/* exited since: what we counted may already be another process */
	if (p->pidfd >= 0 && poll(&pf, 1, 0) > 0)
		return -ESRCH;
	return 0;
}

static long long elapsed_ns(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000LL +
	       (t.tv_nsec - t0->tv_nsec);
}

/* The kernel's count of threads, "Threads:" in /proc/PID/status, or -errno. */
static long thread_count(pid_t pid)
{
	char path[40], buf[4096], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, "\nThreads:");
	return p ? strtol(p + 9, NULL, 10) : -EIO;
}

static bool all_stopped(const struct census *c, pid_t pid)
{
	long n;

	if (c->running_tid)
		return false;
	/*
	 * The list we read may predate a thread that a thread created just
	 * before it stopped. Stopped threads create none, so if the kernel
	 * counts no more threads than we saw, none was missed.
	 */
	n = thread_count(pid);
	return n == -ENOENT || n == -ESRCH ? false : n <= (long)c->total;
}

static bool none_stopped(const struct census *c, pid_t pid)
{
	(void)pid;
	return !c->stopped;
}

/* Poll the threads with growing naps until done() holds, for at most 2 s. */
static int wait_for(const struct proc *p,
		    bool (*done)(const struct census *, pid_t),
		    struct census *c)
{
	struct timespec t0, nap = { 0, FIRST_NAP_NS };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long long left;
		int err = census_live(p, c);

		if (err || done(c, p->pid))
			return err;
		left = WAIT_NS - elapsed_ns(&t0);
		if (left <= 0)
			return -ETIMEDOUT;
		if (nap.tv_nsec > left)
			nap.tv_nsec = (long)left;
		nanosleep(&nap, NULL);
		nap.tv_nsec = nap.tv_nsec * 2 > LONGEST_NAP_NS ?
			      LONGEST_NAP_NS : nap.tv_nsec * 2;
	}
}

static int report(int err, const char *call, pid_t pid, const struct census *c)
{
	int tid = c->running_tid ? c->running_tid : c->stopped_tid;
	char state = c->running_tid ? c->running_state : 'T';

	if (err == ESRCH && c->total && c->dead == c->total)
		return pvmio__fail(err, "%s(pid %d): a zombie", call, (int)pid);
	if (err == ETIMEDOUT)
		return pvmio__fail(err,
				   "%s(pid %d): thread %d in state %c after 2s",
				   call, (int)pid, tid, state);
	return pvmio__fail(err, "%s(pid %d)", call, (int)pid);
}

/* Undo our SIGSTOP, and wait so that the caller finds the target running. */
static void resume(const struct proc *p)
{
	struct census c;

	if (!proc_signal(p, SIGCONT))
		wait_for(p, none_stopped, &c);
}

/* Is pid this very process, or one of its threads? */
static bool is_self(pid_t pid)
{
	char path[48];

	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)pid);
	return pid == getpid() || access(path, F_OK) == 0;
}

int pvmio_freeze(pid_t pid)
{
	struct census c = { 0 };
	bool was_stopped;
	struct proc p;
	int err;

	if (pid <= 0)
		return pvmio__fail(EINVAL, "pvmio_freeze(pid %d)", (int)pid);
	if (is_self(pid))
		return pvmio__fail(EINVAL, "pvmio_freeze(pid %d): the caller",
				   (int)pid);
	err = proc_open(&p, pid);
	if (!err)
		err = census_live(&p, &c);
	if (err)
		goto out;
	/* someone else's stop is in force or under way: not ours to undo */
	was_stopped = c.stopped > 0;
	err = proc_signal(&p, SIGSTOP);
	if (!err)
		err = wait_for(&p, all_stopped, &c);
	if (err == -ETIMEDOUT && !was_stopped)
		resume(&p);
out:
	proc_close(&p);
	return err ? report(-err, "pvmio_freeze", pid, &c) : 0;
}

int pvmio_thaw(pid_t pid)
{
	struct census c = { 0 };
	struct proc p;
	int err;

	if (pid <= 0)
		return pvmio__fail(EINVAL, "pvmio_thaw(pid %d)", (int)pid);
	err = proc_open(&p, pid);
	if (!err)
		err = census_live(&p, &c);
	if (!err)
		err = proc_signal(&p, SIGCONT);
	/* SIGCONT wakes the threads, but a wakeup may land a moment later */
	if (!err)
		err = wait_for(&p, none_stopped, &c);
	proc_close(&p);
	return err ? report(-err, "pvmio_thaw", pid, &c) : 0;
}
