/* SPDX-License-Identifier: MIT */
/*
 * Patch a value in a running process: a child counts down its lives and
 * reports every change; we overwrite the counter with pvmio_pwrite() and
 * the child, which never stopped, reports the new value itself.
 *
 *   patch_value
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvmio.h>

static volatile int lives = 3;

/* The child: polls its counter and writes each new value up the pipe. */
static void child(int fd)
{
	int seen = lives;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dprintf(fd, "%d\n", seen);
	for (;;) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (lives != seen) {
			seen = lives;
			dprintf(fd, "%d\n", seen);
		}
	}
}

/* One line the child wrote: the value it sees (-1 if none). */
static int child_says(FILE *from)
{
	char line[32];

	return fgets(line, sizeof(line), from) ? (int)strtol(line, NULL, 10) : -1;
}

int main(void)
{
	int fds[2], ninety_nine = 99, before, after, now;
	FILE *from;
	pvmio *io;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return perror("patch_value"), 1;
	if (pid == 0)
		child(fds[1]);
	close(fds[1]);
	from = fdopen(fds[0], "r");
	before = child_says(from);
	printf("child %d says: lives = %d\n", (int)pid, before);

	/* lives has the same address in the child: it is a fork of us. */
	if (pvmio_open(&io, pid, (uintptr_t)&lives, 0) < 0 ||
	    pvmio_read(io, &now, sizeof(now)) != sizeof(now) ||
	    pvmio_pwrite(io, &ninety_nine, sizeof(ninety_nine),
			 (uintptr_t)&lives) != sizeof(ninety_nine)) {
		fprintf(stderr, "patch_value: %s\n", pvmio_errmsg());
		kill(pid, SIGKILL);
		return 1;
	}
	printf("we read lives = %d at %p and wrote %d there\n", now,
	       (void *)&lives, ninety_nine);
	after = child_says(from);
	printf("child %d says: lives = %d\n", (int)pid, after);
	pvmio_close(io);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	fclose(from);
	return before == 3 && after == 99 ? 0 : 1;
}
