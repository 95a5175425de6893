/* SPDX-License-Identifier: MIT */
/*
 * Out of memory: this binary defines malloc, calloc and realloc (libc's
 * own calls inside the library come here too) and, once armed, lets N
 * calls through and fails every later one. Each entry point runs for every
 * N from 0 until it succeeds: every failure must be ENOMEM with a message,
 * never a crash, and no allocation or fd may be left behind (what was
 * allocated and freed while armed, and /proc/self/fd before and after).
 *
 * Sanitizers bring their own allocator, which an interposed malloc would
 * bypass: under ASan and TSan the test skips.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"


#if !T_SANITIZED
/* glibc's own allocator, under the names it exports for interposers */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

static int armed;
static long budget, injected, live;	/* live: allocated less freed */

static void *counted(void *p)
{
	if (p && __atomic_load_n(&armed, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
	return p;
}

static bool fail_now(void)
{
	if (!__atomic_load_n(&armed, __ATOMIC_ACQUIRE) ||
	    __atomic_sub_fetch(&budget, 1, __ATOMIC_RELAXED) >= 0)
		return false;
	__atomic_add_fetch(&injected, 1, __ATOMIC_RELAXED);
	errno = ENOMEM;
	return true;
}

void *malloc(size_t n)
{
	return fail_now() ? NULL : counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : counted(__libc_calloc(n, size));
}

void *realloc(void *p, size_t n)
{
	if (fail_now())
		return NULL;
	return p ? __libc_realloc(p, n) : counted(__libc_realloc(p, n));
}

/* A free of what was allocated before arming only makes live smaller. */
void free(void *p)
{
	if (p && __atomic_load_n(&armed, __ATOMIC_ACQUIRE))
		__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	__libc_free(p);
}

static void arm(long n)
{
	budget = n;
	injected = live = 0;
	__atomic_store_n(&armed, 1, __ATOMIC_RELEASE);
}

static void disarm(void)
{
	__atomic_store_n(&armed, 0, __ATOMIC_RELEASE);
}

#define BIG	((size_t)16 << 20)	/* over PVMIO__PAR_MIN: the pool works */
#define MAX_N	2000

static pid_t target;
static char *page, *area, *bigbuf;
static int pidfd;

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		t_bail("opendir");
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int do_open(void)
{
	pvmio *io;

	if (pvmio_open(&io, target, 0, 0))
		return -1;
	pvmio_close(io);
	return 0;
}

static int do_open_pidfd(void)
{
	pvmio *io;

	if (pvmio_open_pidfd(&io, pidfd, 0, 0))
		return -1;
	pvmio_close(io);
	return 0;
}

static int do_maps(void)
{
	struct pvmio_region *r;
	size_t n;

	if (pvmio_maps(target, &r, &n))
		return -1;
	pvmio_maps_free(r, n);
	return 0;
}

static int do_fopen(void)
{
	FILE *f = pvmio_fopen(target, (uintptr_t)page, "r");
	char b[64];
	size_t n;

	if (!f)
		return -1;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (n != sizeof(b) || t_check(b, n, 9, 0) != -1)
		return errno = EIO, -1;
	return 0;
}

static int do_search(void)
{
	ssize_t n = pvmio_search(target, page + 100, NULL, 12, NULL, NULL);

	return n < 0 ? -1 : n ? 0 : (errno = EIO, -1);
}

static int do_spans(void)
{
	char b[3][32];
	struct pvmio_span s[3] = {
		{ (uintptr_t)page, b[0], 32, 0 },
		{ (uintptr_t)page + 999, b[1], 32, 0 },
		{ 16, b[2], 32, 0 },	/* a hole */
	};
	ssize_t n;
	pvmio *io;

	if (pvmio_open(&io, target, 0, 0))
		return -1;
	n = pvmio_read_spans(io, NULL, 0);	/* nothing: 0, not ENOMEM */
	if (!n)
		n = pvmio_read_spans(io, s, 3);
	else if (n > 0)
		n = (errno = EIO, -1);
	pvmio_close(io);
	return n < 0 ? -1 : n == 2 ? 0 : (errno = EIO, -1);
}

static int do_threads(void)
{
	pvmio *io;
	ssize_t n = -1;

	if (pvmio_open(&io, target, 0, 0))
		return -1;
	if (!pvmio_set_threads(io, 3))
		n = pvmio_pread(io, bigbuf, BIG, (uintptr_t)area);
	pvmio_close(io);
	return n < 0 ? -1 : (size_t)n == BIG ? 0 : (errno = EIO, -1);
}

static int do_forced(void)
{
	pvmio *io;
	char b[32];
	ssize_t n;

	if (pvmio_open(&io, target, (uintptr_t)page, PVMIO_FORCE))
		return -1;
	n = pvmio_read(io, b, sizeof(b));
	pvmio_close(io);
	return n < 0 ? -1 : 0;
}

static int do_freeze(void)
{
	if (pvmio_freeze(target))
		return -1;
	return pvmio_thaw(target);
}

static const struct scenario {
	const char *name;
	int (*run)(void);
} scenarios[] = {
	{ "pvmio_open", do_open },
	{ "pvmio_open_pidfd", do_open_pidfd },
	{ "pvmio_maps", do_maps },
	{ "pvmio_fopen + fread", do_fopen },
	{ "pvmio_search", do_search },
	{ "pvmio_read_spans", do_spans },
	{ "pvmio_set_threads + 16 MiB pread", do_threads },
	{ "forced read", do_forced },
	{ "pvmio_freeze + pvmio_thaw", do_freeze },
};
#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

static void one(const struct scenario *s)
{
	long n, bad = 0, leaks = 0, fdleaks = 0;
	bool ok = false;

	s->run();	/* warm up: libc's own one-time allocations */
	for (n = 0; n < MAX_N && !ok; n++) {
		int fds = count_fds(), rc, err;

		arm(n);
		errno = 0;
		rc = s->run();
		err = errno;
		disarm();
		if (s->run == do_freeze)
			pvmio_thaw(target);
		ok = rc == 0 && !injected;
		if (rc && err != ENOMEM && bad++ == 0)
			t_diag("  %s, %ld allocations allowed: errno %d (%s)",
			       s->name, n, err, pvmio_errmsg());
		if (rc && !pvmio_errmsg()[0] && bad++ == 0)
			t_diag("  %s, %ld allocations allowed: no message", s->name, n);
		if (live > 0 && leaks++ == 0)
			t_diag("  %s, %ld allocations allowed: %ld blocks leaked",
			       s->name, n, live);
		fdleaks += count_fds() != fds;
	}
	t_ok(ok, "%s succeeds once %ld allocations may succeed", s->name, n - 1);
	t_is(bad, 0, "every failure before that is ENOMEM with a message");
	t_is(leaks + fdleaks, 0, "nothing leaked");
}

int main(void)
{
	t_plan(3 * (int)NSCEN);
	page = t_map(1, PROT_READ | PROT_WRITE, 9);
	area = mmap(NULL, BIG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bigbuf = malloc(BIG);
	if (area == MAP_FAILED || !bigbuf)
		t_bail("buffers");
	target = t_fork_target();
	pidfd = (int)syscall(SYS_pidfd_open, target, 0);
	for (size_t i = 0; i < NSCEN; i++) {
		if (pidfd < 0 && scenarios[i].run == do_open_pidfd)
			t_skip(3, "no pidfd_open on this kernel");
		else
			one(&scenarios[i]);
	}
	t_kill(target);
	free(bigbuf);
	return t_done();
}

#else

int main(void)
{
	t_skip_all("the sanitizer's allocator cannot be interposed");
}

#endif
