/* SPDX-License-Identifier: MIT */
/*
 * Out of file descriptors: with RLIMIT_NOFILE at 0 no new fd can be made
 * (under valgrind, which refuses that limit, the fd table is filled).
 * And with 1, 2, 3 fds left, a pinned open (pidfd + epoll fd) and a forced
 * read (+ /proc/PID/mem) either work or fail with EMFILE, and leave as
 * many fds free as they found: nothing half-opened stays behind.
 * Whatever needs one (a pidfd, /proc/PID/maps, /proc/PID/mem, a dup, the
 * task directory) fails with EMFILE and a message naming it; what needs
 * none (an unpinned handle's reads) still works. Run in a child, so that
 * the limit does not outlive the test.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"

static pid_t target;
static char *page;	/* readable in the target */
static char *none;	/* PROT_NONE in the target */

static void emfile(long long ret, const char *what, const char *names)
{
	int err = errno;
	char label[160];

	snprintf(label, sizeof(label), "%s: EMFILE", what);
	errno = err;
	t_is_err(ret, EMFILE, label);
	t_ok(strstr(pvmio_errmsg(), names) &&
	     strstr(pvmio_errmsg(), "Too many open files"),
	     "%s: the message names %s: \"%s\"", what, names, pvmio_errmsg());
}

static int no_fds(void *arg)
{
	struct rlimit zero = { 0, 0 };
	int pidfd = *(int *)arg;
	struct pvmio_region *r;
	pvmio *io = NULL;
	size_t n;
	char b[16];
	char pid[16];
	FILE *f;
	int err;

	/* valgrind keeps fds of its own and refuses 0: then use up the rest */
	if (setrlimit(RLIMIT_NOFILE, &zero)) {
		t_diag("setrlimit(RLIMIT_NOFILE, 0): %s; filling the fd table",
		       strerror(errno));
		while (dup(0) >= 0)
			;
		if (errno != EMFILE)
			t_bail("dup until EMFILE");
	}
	if (pidfd >= 0) {
		emfile(pvmio_open(&io, target, 0, 0), "pvmio_open (pinned)",
		       "pidfd_open");
		emfile(pvmio_open_pidfd(&io, pidfd, 0, 0), "pvmio_open_pidfd",
		       "pvmio_open_pidfd(fd");
	} else {
		t_skip(4, "no pidfd_open here (valgrind?): handles need no fd");
	}
	emfile(pvmio_maps(target, &r, &n), "pvmio_maps", "/maps");
	snprintf(pid, sizeof(pid), "%d", (int)target);
	emfile(pvmio_search(target, "x", NULL, 1, NULL, NULL), "pvmio_search",
	       pid);
	errno = 0;
	f = pvmio_fopen(target, 0, "r");
	err = errno;
	if (pidfd >= 0)
		t_ok(!f && err == EMFILE, "pvmio_fopen: NULL with EMFILE (errno %d)",
		     err);
	else
		t_ok(f && !fclose(f), "pvmio_fopen: unpinned, it needs no fd");
	if (!t_ok(pvmio_open(&io, target, (uintptr_t)page, PVMIO_UNPINNED) == 0,
		  "an unpinned handle needs no fd: %s", pvmio_errmsg()))
		return 1;
	t_is(pvmio_read(io, b, sizeof(b)), sizeof(b), "and it reads");
	t_is(t_check(b, sizeof(b), 5, 0), -1, "the right bytes");
	pvmio_close(io);
	if (pvmio_open(&io, target, (uintptr_t)none, PVMIO_UNPINNED | PVMIO_FORCE))
		t_bail("pvmio_open: %s", pvmio_errmsg());
	emfile(pvmio_read(io, b, sizeof(b)), "a forced read of PROT_NONE",
	       "/mem");
	pvmio_close(io);
	return 0;
}

/* Fill the fd table; the fds taken go to fds[], their count is returned. */
static int fill(int *fds, int max)
{
	int n = 0;

	while (n < max && (fds[n] = dup(0)) >= 0)
		n++;
	if (n == max || errno != EMFILE)
		t_bail("dup until EMFILE");
	return n;
}

static int free_fds(void)
{
	int fds[64], n = fill(fds, 64);

	for (int i = 0; i < n; i++)
		close(fds[i]);
	return n;
}

static int few_fds(void *arg)
{
	struct rlimit small = { 48, 48 };
	int fds[64], n;

	(void)arg;
	if (setrlimit(RLIMIT_NOFILE, &small)) {
		t_skip(2 * 3, "setrlimit(RLIMIT_NOFILE, 48): %s", strerror(errno));
		return 0;
	}
	n = fill(fds, 64);
	if (n < 3)
		t_bail("only %d fds under a limit of 48", n);
	for (int k = 1; k <= 3; k++) {
		pvmio *io;
		char b[8];
		long long got = -1;
		int err = 0;

		close(fds[--n]);	/* now k fds are free */
		if (pvmio_open(&io, target, (uintptr_t)none, PVMIO_FORCE) == 0) {
			got = pvmio_read(io, b, sizeof(b));
			err = got < 0 ? errno : 0;
			pvmio_close(io);
		} else {
			err = errno;
		}
		t_ok(got == sizeof(b) || err == EMFILE,
		     "%d fds free: a pinned, forced read works or fails with EMFILE (%lld, %s)",
		     k, got, strerror(err));
		t_is(free_fds(), k, "and leaves them free");
	}
	return 0;
}

int main(void)
{
	int pidfd, status;

	t_plan(2 * 5 + 5 + 2 * 3 + 1);
	page = t_map(1, PROT_READ | PROT_WRITE, 5);
	none = t_map(1, PROT_NONE, 6);
	target = t_fork_target();
	pidfd = (int)syscall(SYS_pidfd_open, target, 0);
	status = t_in_child(no_fds, &pidfd);
	t_ok(status == 0, "no crash with RLIMIT_NOFILE at 0 (status %d)", status);
	status = t_in_child(few_fds, NULL);
	t_ok(status == 0, "no crash with 1 to 3 fds free (status %d)", status);
	if (pidfd >= 0)
		close(pidfd);
	t_kill(target);
	return t_done();
}
