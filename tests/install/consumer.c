/* SPDX-License-Identifier: MIT */
/*
 * What a user of an installed libpvmio writes: read a child's memory through
 * <pvmio.h> and `pkg-config --cflags --libs pvmio`. argv[1] is the version
 * pkg-config reports, which the library must report too.
 */
#include <pvmio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char secret[64];

int main(int argc, char **argv)
{
	char want[64], got[64];
	int fds[2];
	pvmio *io;
	pid_t pid;

	if (argc != 2 || strcmp(argv[1], pvmio_version_string()) != 0)
		return fprintf(stderr, "consumer: version %s\n", pvmio_version_string()), 1;
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return perror("consumer"), 1;
	if (pid == 0) {		/* only the child's copy says this */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(secret, sizeof(secret), "child %d says hello", (int)getpid());
		if (write(fds[1], "!", 1) == 1)
			pause();
		_exit(0);
	}
	snprintf(want, sizeof(want), "child %d says hello", (int)pid);
	if (read(fds[0], got, 1) != 1 || pvmio_open(&io, pid, (uintptr_t)secret, 0) < 0 ||
	    pvmio_read(io, got, sizeof(got)) != (ssize_t)sizeof(got))
		return fprintf(stderr, "consumer: %s\n", pvmio_errmsg()), 1;
	pvmio_close(io);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (strcmp(got, want) != 0)
		return fprintf(stderr, "consumer: read \"%.64s\"\n", got), 1;
	printf("C consumer: read \"%s\" from pid %d with libpvmio %s\n",
	       got, (int)pid, pvmio_version_string());
	return 0;
}
