/* SPDX-License-Identifier: MIT */
/*
 * The target processes. They are forked before the bench allocates anything
 * big, so that a search of a target scans its own buffer and little else.
 * Each maps and fills its buffers, reports their addresses through a pipe,
 * then sleeps until killed (or until the bench dies: PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

struct layout {
	char *buf, *clean, *holed;
};

static char *map_filled(size_t len, uint64_t seed)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	bench_fill(p, len, seed);
	return p;
}

/* From here, not in the child: no stray copy of the needle may remain in
 * the target (a stack slot, a register spill), or searches would find it. */
static void plant_needles(pid_t pid, char *buf, size_t size)
{
	unsigned char needle[NEEDLE_LEN];
	size_t step = size / NEEDLES;

	bench_needle(needle);
	for (size_t k = 0; k < NEEDLES; k++) {
		size_t off = k * step + (k * 4099 + 7) % (step - NEEDLE_LEN);
		char *at = buf + off;

		if (bench_raw_copy(pid, needle, at, NEEDLE_LEN, true))
			bench_die("cannot plant the search pattern");
	}
}

static void punch_holes(char *area, size_t size)
{
	size_t page = bench_page();

	for (size_t off = HOLES_EVERY / 2; off < size; off += HOLES_EVERY)
		munmap(area + off, page);
}

static void __attribute__((noreturn))
child(int fd, size_t size, size_t holes)
{
	struct layout l = { 0 };

	l.buf = map_filled(size, 1);
	if (l.buf && holes) {
		l.clean = map_filled(holes, 2);
		l.holed = map_filled(holes, 3);
		if (l.holed)
			punch_holes(l.holed, holes);
		if (!l.clean || !l.holed)
			l.buf = NULL;
	}
	if (write(fd, &l, sizeof(l)) != sizeof(l))
		_exit(1);
	close(fd);
	for (;;)
		pause();
}

void target_start(struct target *t, size_t size, bool holes, bool needles)
{
	struct layout l;
	pid_t parent = getpid();
	int fds[2];
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->size = size;
	t->holes_size = holes ? (opt.smoke ? 4 * MIB : 64 * MIB) : 0;
	if (pipe(fds))
		bench_die("pipe: %s", strerror(errno));
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		close(fds[0]);
		child(fds[1], size, t->holes_size);
	}
	close(fds[1]);
	do
		n = read(fds[0], &l, sizeof(l));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != sizeof(l) || !l.buf)
		bench_die("target pid %d could not map %zu bytes", (int)t->pid,
			  size);
	t->buf = l.buf;
	t->clean = l.clean;
	t->holed = l.holed;
	if (needles)
		plant_needles(t->pid, t->buf, size);
}

void target_stop(struct target *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	t->pid = 0;
}
