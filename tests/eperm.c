/* SPDX-License-Identifier: MIT */
/*
 * EPERM comes at open, not at the first read: pvmio_open proves access with
 * a probing transfer. As root, a child drops to uid/gid 65534 and opens a
 * root process (pinned, unpinned, forced, through a pidfd); a process of its
 * own uid still opens, so the refusal is about rights, nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers.h"

static pid_t root_target;
static int root_pidfd = -1;
static char *area;

static void eperm_at_open(pvmio **io, int ret, const char *what)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "pid %d", (int)root_target);
	t_is_err(ret, EPERM, what);
	if (!t_ok(strstr(pvmio_errmsg(), pid) != NULL, "... message names %s",
		  pid))
		t_diag("  message \"%s\"", pvmio_errmsg());
	if (ret == 0)
		pvmio_close(*io);
}

static int as_nobody(void *arg)
{
	pvmio *io = NULL;
	pid_t mine;
	char buf[16];

	(void)arg;
	t_become_nobody();
	eperm_at_open(&io, pvmio_open(&io, root_target, 0, 0),
		      "uid 65534 opens a root process: EPERM");
	eperm_at_open(&io, pvmio_open(&io, root_target, 0, PVMIO_UNPINNED),
		      "... unpinned: EPERM");
	eperm_at_open(&io, pvmio_open(&io, root_target, 0, PVMIO_FORCE),
		      "... forced: EPERM");
	if (root_pidfd >= 0)
		eperm_at_open(&io, pvmio_open_pidfd(&io, root_pidfd, 0, 0),
			      "... through a pidfd root opened: EPERM");
	else
		t_skip(2, "no pidfd_open (Linux < 5.3, or under valgrind)");

	/* changing uid made us undumpable; a fork of ours must be readable */
	prctl(PR_SET_DUMPABLE, 1);
	mine = t_fork_target();
	if (t_is(pvmio_open(&io, mine, (uintptr_t)area, 0), 0,
		 "uid 65534 opens its own child")) {
		t_ok(pvmio_read(io, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
		     t_check(buf, sizeof(buf), 4, 0) == -1, "... and reads it");
		pvmio_close(io);
	} else {
		t_skip(1, "open failed");
	}
	t_kill(mine);
	return 0;
}

int main(void)
{
	if (geteuid() != 0)
		t_skip_all("needs root to drop to uid %d and open a root "
			   "process", T_NOBODY);
	t_plan(4 * 2 + 2);
	area = t_map(1, PROT_READ | PROT_WRITE, 4);
	root_target = t_fork_target();
	root_pidfd = t_pidfd_open(root_target);
	if (t_in_child(as_nobody, NULL) != 0)
		t_diag("the uid %d child did not finish cleanly", T_NOBODY);
	if (root_pidfd >= 0)
		close(root_pidfd);
	t_kill(root_target);
	return t_done();
}
