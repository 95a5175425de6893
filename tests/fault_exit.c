/* SPDX-License-Identifier: MIT */
/*
 * The target dies in the middle of a long transfer: a 1 GiB read (pinned,
 * unpinned, forced through /proc/PID/mem, split over threads) and a search,
 * while another thread SIGKILLs the target. Every outcome must be clean:
 * ESRCH, or a count whose bytes are right (unpinned handles may return a
 * short count; pinned ones never report data from a dead process). No
 * crash, no hang, and no fd left behind.
 *
 * Both sides of the gigabyte are one 16 MiB memfd mapped again and again,
 * so the test needs 32 MiB of memory, not 2 GiB.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define SLOT	((size_t)16 << 20)
#define TRIES	8

static size_t big;		/* 1 GiB, less under valgrind */
static char *remote, *local;	/* big bytes each, SLOT bytes of memory */
static struct iovec *iov;	/* local in 4 KiB pieces */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		t_bail("opendir /proc/self/fd");
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3;	/* ".", ".." and the directory's own fd */
}

/* big bytes of address space, every SLOT of them the same memfd. */
static char *repeated(unsigned seed)
{
	int fd = memfd_create("fault_exit", MFD_CLOEXEC);
	char *base = mmap(NULL, big, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (fd < 0 || ftruncate(fd, (off_t)SLOT) || base == MAP_FAILED)
		t_bail("memfd of %zu bytes", SLOT);
	for (size_t off = 0; off < big; off += SLOT)
		if (mmap(base + off, SLOT, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
			t_bail("mmap memfd");
	close(fd);
	t_fill(base, SLOT, seed);
	return base;
}

struct killer {
	pid_t pid;
	unsigned delay_us;
};

static void *kill_later(void *arg)
{
	const struct killer *k = arg;

	usleep(k->delay_us);
	kill(k->pid, SIGKILL);
	return NULL;
}

enum mode { PINNED, UNPINNED, FORCED, THREADS, SEARCH, MODES };

static const char *const names[MODES] = {
	"pinned read", "unpinned readv of 4 KiB pieces", "forced read (/proc/PID/mem)",
	"read over 4 threads", "search"
};

static int never(uint64_t address, void *arg)
{
	(void)address;
	(void)arg;
	return 0;
}

static ssize_t transfer(enum mode m, pid_t pid, int *err)
{
	unsigned flags = m == UNPINNED ? PVMIO_UNPINNED : m == FORCED ? PVMIO_FORCE : 0;
	static const char absent[] = "no such bytes \x01\x02\x03 here";
	pvmio *io;
	ssize_t n;

	if (m == SEARCH) {
		n = pvmio_search(pid, absent, NULL, sizeof(absent), never, NULL);
		*err = errno;
		return n;
	}
	if (pvmio_open(&io, pid, (uintptr_t)remote, flags)) {
		*err = errno;
		return -2;	/* killed before the open */
	}
	if (m == THREADS && pvmio_set_threads(io, 4))
		t_bail("pvmio_set_threads: %s", pvmio_errmsg());
	/* unpinned: 4 KiB local iovecs, so that the engine makes hundreds of
	 * calls and the kill falls between two (one call keeps the mm alive) */
	n = m == UNPINNED ? pvmio_readv(io, iov, (int)(big / 4096))
			  : pvmio_read(io, local, big);
	*err = errno;
	/* whatever the outcome, the dead process stays unreachable */
	if (n >= 0 && n < (ssize_t)big)
		t_diag("  %s: short count %zd of %zu", names[m], n, big);
	pvmio_close(io);
	return n;
}

/* One attempt; true when the kill landed during the transfer. */
static bool attempt(enum mode m, unsigned delay_us, bool *clean)
{
	struct killer k = { 0, delay_us };
	pthread_t t;
	ssize_t n;
	int err = 0;

	if (m == FORCED)
		mprotect(remote, big, PROT_NONE);	/* CMA refuses all */
	k.pid = t_fork_target();
	if (m == FORCED)
		mprotect(remote, big, PROT_READ | PROT_WRITE);
	memset(local, 0, SLOT);
	if (pthread_create(&t, NULL, kill_later, &k))
		t_bail("pthread_create");
	n = transfer(m, k.pid, &err);
	pthread_join(t, NULL);
	waitpid(k.pid, NULL, 0);
	if (n == -2)
		return false;
	if (m == SEARCH)
		*clean = n == 0 || (n == -1 && err == ESRCH);
	else if (n < 0)
		*clean = n == -1 && err == ESRCH;
	else
		*clean = (m == UNPINNED || (size_t)n == big) &&
			 t_check(local, (size_t)n < SLOT ? (size_t)n : SLOT, 7, 0) == -1;
	if (!*clean)
		t_diag("  %s after %u us: %zd, errno %d (%s)", names[m], delay_us,
		       n, err, pvmio_errmsg());
	return n < 0 || (m != SEARCH && (size_t)n < big);
}

static void one_mode(enum mode m)
{
	int fds = count_fds(), landed = 0, tries = 0;
	bool all_clean = true;

	/* from 64 ms down: early enough to hit a transfer of a gigabyte */
	for (unsigned delay = 64000; tries < TRIES && landed < 2; tries++) {
		bool clean = true;

		landed += attempt(m, delay, &clean);
		all_clean &= clean;
		delay = delay > 1000 ? delay / 2 : delay;
	}
	t_ok(all_clean, "%s: the target killed mid-way gives ESRCH or right bytes",
	     names[m]);
	if (landed)
		t_ok(true, "%s: the kill landed mid-transfer %d of %d times",
		     names[m], landed, tries);
	else
		t_skip(1, "%s: every transfer finished before the kill", names[m]);
	t_is(count_fds(), fds, "no fd left behind");
}

int main(void)
{
	t_plan(3 * MODES + 2);
	big = t_under_valgrind() ? (size_t)64 << 20 : (size_t)1 << 30;
	remote = repeated(7);
	local = repeated(0);
	iov = calloc(big / 4096, sizeof(*iov));
	if (!iov)
		t_bail("calloc");
	for (size_t i = 0; i < big / 4096; i++)
		iov[i] = (struct iovec){ local + i * 4096, 4096 };
	for (enum mode m = 0; m < MODES; m++)
		one_mode(m);

	/* and afterwards: a handle on a process that died is refused */
	{
		pid_t pid = t_fork_target();
		pvmio *io;
		char b;

		if (pvmio_open(&io, pid, (uintptr_t)remote, 0))
			t_bail("pvmio_open: %s", pvmio_errmsg());
		t_kill(pid);
		t_is_err(pvmio_read(io, &b, 1), ESRCH, "read after the exit: ESRCH");
		t_ok(strstr(pvmio_errmsg(), "No such process") != NULL,
		     "the message says so: %s", pvmio_errmsg());
		pvmio_close(io);
	}
	free(iov);
	return t_done();
}
