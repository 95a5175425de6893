/* SPDX-License-Identifier: MIT */
/*
 * The one thing the command reads from /proc itself: a process's state
 * letter, so that dump --freeze can tell a stop of someone else's (SIGSTOP,
 * a debugger), which it must not undo, from a running process.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_proc_state(pid_t pid)
{
	char path[40], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? ESRCH : errno;
		return -1;
	}
	buf[n] = '\0';
	/* The command name may hold ") ": the state follows the last ')'.
	 * The fields after it are numbers, so a cut-off read does no harm. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		errno = EIO;
		return -1;
	}
	return (unsigned char)p[2];
}
