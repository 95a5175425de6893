/* SPDX-License-Identifier: MIT */
/*
 * A target that calls execve() is the same process with a new memory: a
 * handle opened before keeps working on the new image, through
 * process_vm_readv and through /proc/PID/mem (PVMIO_FORCE), whose file
 * holds the memory it was opened on and must be opened anew.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers.h"

static char before[32] = "before-exec";

/* The child waits for a byte on go, then becomes cli_target. */
static pid_t fork_exec_later(int *go, FILE **out)
{
	int g[2], o[2];
	pid_t pid;
	char c;

	if (pipe(g) || pipe(o))
		t_bail("pipe");
	pid = t_fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(o[1], 1);
		if (read(g[0], &c, 1) == 1)
			execl(t_target_path("cli_target"), "cli_target", (char *)NULL);
		_exit(127);
	}
	close(g[0]);
	close(o[1]);
	*go = g[1];
	*out = fdopen(o[0], "r");
	return pid;
}

static uint64_t text_address(FILE *out)
{
	char line[128];
	void *p = NULL;

	while (fgets(line, sizeof(line), out))
		if (sscanf(line, "text %p", &p) == 1)
			return t_addr(p);
	t_bail("cli_target printed no text line");
}

int main(void)
{
	char buf[64], want[64];
	pvmio *plain, *forced;
	uint64_t text;
	FILE *out;
	pid_t pid;
	int go;

	t_plan(6);
	pid = fork_exec_later(&go, &out);
	plain = t_open(pid, 0, 0);
	forced = t_open(pid, 0, PVMIO_FORCE);
	t_is(pvmio_pread(forced, buf, 12, t_addr(before)), 12,
	     "a forced read before the exec (opens /proc/PID/mem)");
	t_ok(memcmp(buf, "before-exec", 12) == 0, "reads the old image");
	if (write(go, "x", 1) != 1)
		t_bail("write");
	text = text_address(out);
	snprintf(want, sizeof(want), "cli-target-text-%d", (int)pid);
	memset(buf, 0, sizeof(buf));
	t_is(pvmio_pread(plain, buf, strlen(want) + 1, text), (long long)strlen(want) + 1,
	     "after the exec, a plain read of the new image");
	t_ok(strcmp(buf, want) == 0, "holds the new image's text: %s", buf);
	memset(buf, 0, sizeof(buf));
	t_is(pvmio_pread(forced, buf, strlen(want) + 1, text), (long long)strlen(want) + 1,
	     "a forced read after the exec opens the file anew");
	t_kill(pid);
	t_is_err(pvmio_pread(forced, buf, 8, text), ESRCH,
		 "once the process is gone, the forced handle says ESRCH");
	pvmio_close(plain);
	pvmio_close(forced);
	fclose(out);
	close(go);
	return t_done();
}
