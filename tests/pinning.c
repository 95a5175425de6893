/* SPDX-License-Identifier: MIT */
/*
 * PID safety. A handle is pinned to its process by a pidfd: once that
 * process exits, transfers fail with ESRCH, also after it is reaped, and
 * also after another process takes over its PID (forced as root through
 * ns_last_pid): the old handle neither reads the newcomer nor writes into it.
 *
 * The contrast, on purpose: a PVMIO_UNPINNED handle is the seed's
 * (process_vm_io's) behaviour. It holds only the number, so after the reuse
 * it silently reads the new process: the same address, different bytes.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* the pinned kinds first: all_esrch(h, UNPINNED, ...) checks just those */
enum { PINNED, BY_PIDFD, FORCED, UNPINNED, NH };
static const char *const kind[NH] = {
	"pinned", "pidfd", "pinned+FORCE", "unpinned"
};

static char *area;
static size_t len;

static void open_all(pvmio **h, pid_t pid)
{
	int fd = t_pidfd_open(pid);

	if (fd < 0 || pvmio_open(&h[PINNED], pid, 0, 0) ||
	    pvmio_open_pidfd(&h[BY_PIDFD], fd, 0, 0) ||
	    pvmio_open(&h[FORCED], pid, 0, PVMIO_FORCE) ||
	    pvmio_open(&h[UNPINNED], pid, 0, PVMIO_UNPINNED))
		t_bail("open handles on %d: %s", (int)pid, pvmio_errmsg());
	close(fd);
}

static void close_all(pvmio **h)
{
	for (int i = 0; i < NH; i++)
		pvmio_close(h[i]);
}

/* The first n handles, reads and writes, fail with ESRCH. */
static void all_esrch(pvmio **h, int n, const char *when)
{
	uint64_t at = (uintptr_t)area;
	char buf[64];

	memset(buf, 0xa5, sizeof(buf));
	for (int i = 0; i < n; i++) {
		t_is_err(pvmio_pread(h[i], buf, sizeof(buf), at), ESRCH,
			 t_fmt("%s, %s: read fails with ESRCH", when,
			       kind[i]));
		t_is_err(pvmio_pwrite(h[i], buf, sizeof(buf), at), ESRCH,
			 t_fmt("%s, %s: write fails with ESRCH", when,
			       kind[i]));
	}
}

static void exits(void)
{
	pid_t child = t_fork_target();
	pvmio *h[NH];
	char buf[64];
	siginfo_t si;

	open_all(h, child);
	t_ok(pvmio_pread(h[PINNED], buf, 64, (uintptr_t)area) == 64,
	     "a pinned handle reads the live child");
	kill(child, SIGKILL);
	if (waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT))
		t_bail("waitid");
	all_esrch(h, NH, "zombie");
	waitpid(child, NULL, 0);
	if (kill(child, 0) == 0)
		t_skip(2 * NH, "PID %d was reused at once", (int)child);
	else
		all_esrch(h, NH, "reaped");
	close_all(h);
}

/* Read len bytes at area through a fresh handle; do they match seed? */
static bool holds(pid_t pid, unsigned seed)
{
	pvmio *io;
	bool ok;

	if (pvmio_open(&io, pid, 0, 0))
		return false;
	ok = t_remote_pattern(io, t_addr(area), len, seed, 0);
	pvmio_close(io);
	return ok;
}

static void reuse(void)
{
	pid_t old = t_fork_target(), young;
	char buf[8192];
	ssize_t n;
	pvmio *h[NH];

	open_all(h, old);
	t_kill(old);
	t_fill(area, len, 2);	/* the newcomer is forked with other bytes */
	young = t_fork_at_pid(old);
	if (young < 0) {
		t_skip(11, "could not fork a process at PID %d (%s)", (int)old,
		       geteuid() ? "needs root for ns_last_pid"
				 : "others kept taking it");
		close_all(h);
		return;
	}
	t_diag("PID %d reused by a new process", (int)old);
	t_ok(holds(young, 2), "a fresh handle reads the newcomer's bytes");
	all_esrch(h, UNPINNED, "PID reused");
	t_ok(holds(young, 2),
	     "the pinned writes wrote nothing into the newcomer");
	n = pvmio_pread(h[UNPINNED], buf, len, (uintptr_t)area);
	t_ok(n == (ssize_t)len,
	     "unpinned (as the seed): the old handle reads the new process");
	t_ok(t_check(buf, len, 2, 0) == -1,
	     "... and gets the newcomer's bytes: same address, other process");
	t_is(pvmio_pid(h[PINNED]), old, "pvmio_pid still names the old PID");
	close_all(h);
	t_kill(young);
}

int main(void)
{
	int fd = t_pidfd_open(getpid());

	if (fd < 0)
		t_skip_all("no pidfd_open (Linux < 5.3, or under valgrind): "
			   "handles are unpinned");
	close(fd);
	len = 2 * t_page() < 8192 ? 2 * t_page() : 8192;
	area = t_map(2, PROT_READ | PROT_WRITE, 1);
	t_plan(1 + 4 * NH + 11);
	exits();
	reuse();
	return t_done();
}
