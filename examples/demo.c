/* SPDX-License-Identifier: MIT */
/*
 * A walk through libpvmio on a child process: read its memory, write into
 * it, watch the child react, stop at an unmapped page, and see a pinned
 * handle refuse a process that has exited.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvmio.h>

static char greeting[64] = "hello from the child";
static volatile uint64_t counter;

static void child_loop(int report_fd)
{
	uint64_t last = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		if (counter >= 1000 && last < 1000)
			dprintf(report_fd, "child  : my counter jumped to %" PRIu64
				", my greeting is now \"%s\"\n", counter, greeting);
		last = counter++;
	}
}

static int step(const char *what, int ok)
{
	if (!ok) {
		fprintf(stderr, "demo: %s: %s\n", what, pvmio_errmsg());
		exit(1);
	}
	return ok;
}

static void show_partial(pvmio *io, char *area, size_t page)
{
	char buf[256];
	ssize_t n;

	n = pvmio_pread(io, buf, sizeof(buf), (uintptr_t)(area + page - 100));
	printf("partial: a 256-byte read 100 bytes before an unmapped page returns %zd\n", n);
	n = pvmio_pread(io, buf, sizeof(buf), (uintptr_t)(area + page));
	printf("partial: the next read, at the unmapped page, fails: %s\n",
	       n < 0 ? pvmio_errmsg() : "(unexpectedly succeeded)");
}

int main(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2];
	char buf[64], line[256];
	uint64_t value;
	pvmio *io;
	pid_t pid;

	step("mmap", area != MAP_FAILED && munmap(area + page, page) == 0);
	step("pipe", pipe(fds) == 0);
	pid = fork();
	step("fork", pid >= 0);
	if (pid == 0)
		child_loop(fds[1]);
	printf("pvmio %s demo: child process %d\n", pvmio_version_string(), (int)pid);

	step("pvmio_open", pvmio_open(&io, pid, (uintptr_t)greeting, 0) == 0);
	step("pvmio_read", pvmio_read(io, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	printf("read   : greeting at %p is \"%s\"\n", (void *)greeting, buf);
	usleep(200 * 1000);
	step("pvmio_pread", pvmio_pread(io, &value, sizeof(value), (uintptr_t)&counter) == 8);
	printf("read   : counter at %p is %" PRIu64 " and rising\n", (void *)&counter, value);

	snprintf(buf, sizeof(buf), "rewritten by pvmio in process %d", (int)getpid());
	step("pvmio_pwrite", pvmio_pwrite(io, buf, sizeof(buf), (uintptr_t)greeting) == sizeof(buf));
	value = 1000;
	step("pvmio_pwrite", pvmio_pwrite(io, &value, 8, (uintptr_t)&counter) == 8);
	printf("write  : set the counter to 1000 and replaced the greeting\n");
	step("child report", read(fds[0], line, sizeof(line) - 1) > 0);
	line[strcspn(line, "\n") + 1] = '\0';
	fputs(line, stdout);

	show_partial(io, area, page);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (pvmio_pread(io, buf, 8, (uintptr_t)greeting) < 0 && errno == ESRCH)
		printf("pinned : after the child exited, reads fail: %s\n", pvmio_errmsg());
	else
		step("pinned handle after exit", 0);
	pvmio_close(io);
	printf("done.\n");
	return 0;
}
