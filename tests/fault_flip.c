/* SPDX-License-Identifier: MIT */
/*
 * The target changes its memory while we read it: a thread in the target
 * mprotects pages to PROT_NONE and back, and unmaps pages and maps them
 * again, in a loop, while the test reads and writes the region. Every
 * result must be EFAULT or a count, and the bytes counted must be right:
 * a short count is fine, a wrong byte or a count of bytes never moved is
 * not. With PVMIO_FORCE, PROT_NONE pages read through /proc/PID/mem.
 *
 * The region is a memfd mapped shared, so a page mapped again holds the
 * same bytes: whatever the race, the only right answer is the pattern.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define PAGES	64
#define ROUNDS	3000
#define SEED	0x3c

static char *region;
static int memfd;

/* In the target: flip forever (the target dies with the test). */
static void *flipper(void *arg)
{
	size_t pg = t_page();
	unsigned x = 1;

	(void)arg;
	for (;;) {
		size_t i;

		x = x * 1103515245u + 12345u;
		i = (x >> 8) % PAGES;
		if (x & 0x10000) {
			mprotect(region + i * pg, pg, PROT_NONE);
			mprotect(region + i * pg, pg, PROT_READ | PROT_WRITE);
		} else {
			munmap(region + i * pg, pg);
			if (mmap(region + i * pg, pg, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, memfd,
				 (off_t)(i * pg)) == MAP_FAILED)
				abort();	/* the test then sees a hole */
		}
	}
	return NULL;
}

static void start_flipper(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, flipper, NULL);
}

struct tally {
	unsigned whole, shorter, efault, bad;
};

static void judge(struct tally *t, ssize_t n, int err, size_t len,
		  const char *buf, size_t off)
{
	if (n < 0) {
		if (err == EFAULT)
			t->efault++;
		else if (t->bad++ == 0)
			t_diag("  errno %d: %s", err, pvmio_errmsg());
		return;
	}
	if ((size_t)n > len || (buf && t_check(buf, (size_t)n, SEED, off) != -1)) {
		if (t->bad++ == 0)
			t_diag("  %zd of %zu bytes at +%zu: wrong", n, len, off);
		return;
	}
	if ((size_t)n == len)
		t->whole++;
	else
		t->shorter++;
}

static void reads(pid_t pid, unsigned flags, const char *what)
{
	size_t pg = t_page(), size = PAGES * pg;
	char *buf = malloc(size);
	struct tally t = { 0 };
	pvmio *io;

	if (pvmio_open(&io, pid, 0, flags))
		t_bail("pvmio_open: %s", pvmio_errmsg());
	for (unsigned r = 0; r < ROUNDS; r++) {
		size_t off = (r * 7919u) % size, len = 1 + (r * 104729u) % (size - off);
		ssize_t n;

		n = pvmio_pread(io, buf, len, (uintptr_t)region + off);
		judge(&t, n, errno, len, buf, off);
	}
	t_diag("  %s: %u whole, %u short, %u EFAULT", what, t.whole, t.shorter,
	       t.efault);
	t_is(t.bad, 0, what);
	pvmio_close(io);
	free(buf);
}

/* Write back the bytes that are there: the region stays checkable. */
static void writes(pid_t pid)
{
	size_t pg = t_page(), size = PAGES * pg;
	char *src = malloc(size), *back = malloc(size);
	struct tally t = { 0 };
	pvmio *io;

	t_fill(src, size, SEED);
	if (pvmio_open(&io, pid, 0, 0))
		t_bail("pvmio_open: %s", pvmio_errmsg());
	for (unsigned r = 0; r < ROUNDS / 3; r++) {
		size_t off = (r * 4099u) % size, len = 1 + (r * 7919u) % (size - off);

		judge(&t, pvmio_pwrite(io, src + off, len, (uintptr_t)region + off),
		      errno, len, NULL, off);
	}
	t_diag("  writes: %u whole, %u short, %u EFAULT", t.whole, t.shorter,
	       t.efault);
	t_is(t.bad, 0, "writes while the target flips: EFAULT or a count");
	memcpy(back, region, size);	/* the memfd: what the target has */
	t_is(t_check(back, size, SEED, 0), -1, "and the bytes are the same");
	pvmio_close(io);
	free(src);
	free(back);
}

int main(void)
{
	size_t size;
	pid_t pid;

	t_plan(4);
	size = PAGES * t_page();
	memfd = memfd_create("fault_flip", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)size))
		t_bail("memfd");
	region = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (region == MAP_FAILED)
		t_bail("mmap");
	t_fill(region, size, SEED);
	pid = t_fork_run(start_flipper, NULL);
	reads(pid, 0, "reads while the target flips: EFAULT or a right prefix");
	reads(pid, PVMIO_FORCE | PVMIO_UNPINNED,
	      "forced reads while the target flips: EFAULT or a right prefix");
	writes(pid);
	t_kill(pid);
	return t_done();
}
