/* SPDX-License-Identifier: MIT */
/*
 * Opening and closing handles: pvmio_open, pvmio_open_pidfd, pvmio_close,
 * pvmio_pid. Bad arguments, processes that are gone (never existed, zombie,
 * reaped), the pidfd's ownership, the initial cursor and the calling process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static void bad_args(pid_t child)
{
	pvmio *io = (pvmio *)&io;	/* must stay untouched on failure */

	t_is_err(pvmio_open(&io, 0, 0, 0), EINVAL, "pid 0: EINVAL");
	t_is_err(pvmio_open(&io, -1, 0, 0), EINVAL, "pid -1: EINVAL");
	t_is_err(pvmio_open(&io, INT_MIN, 0, 0), EINVAL, "pid INT_MIN: EINVAL");
	t_is_err(pvmio_open(NULL, child, 0, 0), EINVAL, "NULL out: EINVAL");
	t_is_err(pvmio_open(&io, child, 0, 1u << 2), EINVAL,
		 "flag 1<<2: EINVAL");
	t_is_err(pvmio_open(&io, child, 0, 0x80000000u), EINVAL,
		 "flag 1<<31: EINVAL");
	t_ok(io == (pvmio *)&io, "a failed open leaves *io alone");
	t_is_err(pvmio_open(&io, INT_MAX, 0, 0), ESRCH, "pid INT_MAX: ESRCH");
	t_is_err(pvmio_open(&io, INT_MAX, 0, PVMIO_UNPINNED), ESRCH,
		 "pid INT_MAX, unpinned: ESRCH");
	pvmio_close(NULL);
	t_ok(1, "pvmio_close(NULL) is a no-op");
	t_is_err(pvmio_pid(NULL), EINVAL, "pvmio_pid(NULL): EINVAL");
}

static void gone(void)
{
	pid_t z = t_fork_zombie();
	pvmio *io;

	t_is_err(pvmio_open(&io, z, 0, 0), ESRCH, "zombie child: ESRCH");
	t_is_err(pvmio_open(&io, z, 0, PVMIO_UNPINNED), ESRCH,
		 "zombie child, unpinned: ESRCH");
	waitpid(z, NULL, 0);
	if (kill(z, 0) == 0) {
		t_skip(1, "PID %d was reused at once", (int)z);
		return;
	}
	t_is_err(pvmio_open(&io, z, 0, 0), ESRCH, "reaped child: ESRCH");
}

static void good(pid_t child, const char *area)
{
	char buf[32];
	pvmio *io;

	if (!t_is(pvmio_open(&io, child, (uintptr_t)area + 5, 0), 0,
		  "open a child"))
		return;
	t_is(pvmio_pid(io), child, "pvmio_pid is the child");
	t_cursor_is(io, t_addr(area + 5), "the initial address is the cursor");
	t_ok(pvmio_read(io, buf, 32) == 32 && t_check(buf, 32, 9, 5) == -1,
	     "a read at the initial address has its bytes");
	pvmio_close(io);

	if (!t_is(pvmio_open(&io, getpid(), (uintptr_t)area, 0), 0,
		  "open self"))
		return;
	t_is(pvmio_pid(io), getpid(), "pvmio_pid is self");
	t_ok(pvmio_read(io, buf, 32) == 32 && t_check(buf, 32, 9, 0) == -1,
	     "read own memory");
	pvmio_close(io);
}

static void pidfd_bad(void)
{
	int fds[2], file, fd;
	pid_t z;
	pvmio *io;

	t_is_err(pvmio_open_pidfd(&io, -1, 0, 0), EBADF, "fd -1: EBADF");
	fd = dup(0);
	close(fd);
	t_is_err(pvmio_open_pidfd(&io, fd, 0, 0), EBADF, "a closed fd: EBADF");
	file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (file < 0 || pipe(fds))
		t_bail("open/pipe");
	t_is_err(pvmio_open_pidfd(&io, file, 0, 0), EINVAL,
		 "a regular file: EINVAL");
	t_is_err(pvmio_open_pidfd(&io, fds[0], 0, 0), EINVAL, "a pipe: EINVAL");
	close(file);
	close(fds[0]);
	close(fds[1]);

	z = t_fork_zombie();
	fd = t_pidfd_open(z);
	if (fd < 0)
		t_bail("pidfd_open zombie");
	t_is_err(pvmio_open_pidfd(&io, fd, 0, 0), ESRCH,
		 "pidfd of a zombie: ESRCH");
	waitpid(z, NULL, 0);
	t_is_err(pvmio_open_pidfd(&io, fd, 0, 0), ESRCH,
		 "pidfd of an exited and reaped process: ESRCH");
	close(fd);
}

static void pidfd_good(pid_t child, const char *area)
{
	int fd = t_pidfd_open(child);
	char buf[32];
	pvmio *io;

	t_is_err(pvmio_open_pidfd(NULL, fd, 0, 0), EINVAL,
		 "pidfd, NULL out: EINVAL");
	t_is_err(pvmio_open_pidfd(&io, fd, 0, 1u << 5), EINVAL,
		 "pidfd, flag 1<<5: EINVAL");
	if (!t_is(pvmio_open_pidfd(&io, fd, (uintptr_t)area + 7, 0), 0,
		  "open a pidfd"))
		return;
	close(fd);
	t_is(pvmio_pid(io), child, "pvmio_pid is the pidfd's process");
	t_cursor_is(io, t_addr(area + 7),
		    "pidfd: the initial address is the cursor");
	t_ok(pvmio_read(io, buf, 32) == 32 && t_check(buf, 32, 9, 7) == -1,
	     "the handle works after the caller closed its fd");
	pvmio_close(io);

	fd = t_pidfd_open(child);
	if (!t_is(pvmio_open_pidfd(&io, fd, 0, PVMIO_UNPINNED), 0,
		  "open a pidfd unpinned"))
		return;
	pvmio_close(io);
	t_ok(fcntl(fd, F_GETFD) >= 0,
	     "closing the handle left the caller's fd open");
	close(fd);

	fd = t_pidfd_open(getpid());
	if (t_is(pvmio_open_pidfd(&io, fd, (uintptr_t)area, 0), 0,
		 "open own pidfd"))
		t_ok(pvmio_read(io, buf, 32) == 32 &&
		     t_check(buf, 32, 9, 0) == -1,
		     "own pidfd: read own memory");
	pvmio_close(io);
	close(fd);
}

int main(void)
{
	char *area = t_map(1, PROT_READ | PROT_WRITE, 9);
	pid_t child = t_fork_target();
	int fd;

	t_plan(11 + 3 + 7 + 6 + 10);
	bad_args(child);
	gone();
	good(child, area);
	fd = t_pidfd_open(getpid());
	if (fd < 0 && errno == ENOSYS) {
		t_skip(16, "no pidfd_open (Linux < 5.3, or under valgrind)");
	} else {
		close(fd);
		pidfd_bad();
		pidfd_good(child, area);
	}
	t_kill(child);
	return t_done();
}
