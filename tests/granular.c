/* SPDX-License-Identifier: MIT */
/*
 * Exact partial transfers on a kernel that reports a short transfer only at
 * iovec granularity, as process_vm_readv(2) allows. This program defines
 * process_vm_readv/writev itself; libpvmio.a is linked in statically, so the
 * library's calls land here. Each call runs the real syscall and rounds a
 * short count down to the end of the last complete remote iovec: an exact
 * count can then only come from the library's page-by-page walk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers.h"

/* atomic: with pvmio_set_threads the library calls from its workers */
static unsigned long walks;	/* calls with more than one remote iovec */

static ssize_t granular(bool write, pid_t pid, const struct iovec *l,
			unsigned long nl, const struct iovec *r,
			unsigned long nrv, unsigned long flags)
{
	ssize_t n = t_cma_syscall(write, pid, l, nl, r, nrv, flags);
	size_t whole = 0, rtotal = 0, ltotal = 0;

	if (nrv > 1)
		__atomic_add_fetch(&walks, 1, __ATOMIC_RELAXED);
	if (n <= 0)
		return n;
	for (unsigned long i = 0; i < nl; i++)
		ltotal += l[i].iov_len;
	for (unsigned long i = 0; i < nrv; i++)
		rtotal += r[i].iov_len;
	if ((size_t)n == rtotal || (size_t)n == ltotal)
		return n;
	for (unsigned long i = 0; i < nrv; i++) {
		if (whole + r[i].iov_len > (size_t)n)
			break;
		whole += r[i].iov_len;
	}
	if (!whole) {
		errno = EFAULT;
		return -1;
	}
	return (ssize_t)whole;
}

T_INTERPOSE(granular)

#define BIG (6u << 20)
#define HUGE (24u << 20)	/* over the size that pvmio_set_threads splits */

/* Set up before the fork, so the child has the same layout. */
static char *hole;	/* 8 pages, page 5 unmapped; seed 1 */
static char *prot;	/* 4 pages: RW, PROT_NONE, RW, PROT_READ; seed 2 */
static char *big;	/* 6 MiB, one page unmapped past the middle; seed 3 */
static size_t big_hole;	/* offset of that page */
static char *huge;	/* 24 MiB, one page unmapped at 17 MiB; seed 4 */

/* A transfer of len bytes at base + off that must stop after want bytes. */
struct scene {
	const char *what;
	const char *base;
	size_t off, len, want;
	unsigned seed;		/* a read's remote pattern, a write's bytes */
	bool small;		/* many small local iovecs instead of one */
};

/* Five results: count, cursor, page walk, EFAULT next, cursor kept. */
static void expect_exact(pvmio *io, const char *who, bool write,
			 const struct scene *s, const struct iovec *iov,
			 int cnt)
{
	uint64_t start = t_addr(s->base + s->off);
	unsigned long before = walks;
	char next[64];
	ssize_t n;

	memset(next, 0x11, sizeof(next));
	pvmio_seek(io, (int64_t)start, SEEK_SET, NULL);
	n = write ? pvmio_writev(io, iov, cnt) : pvmio_readv(io, iov, cnt);
	t_is(n, (long long)s->want, t_fmt("%s: %s: exact count", who, s->what));
	t_cursor_is(io, start + s->want,
		    t_fmt("%s: %s: cursor at the bad page", who, s->what));
	t_ok(walks > before,
	     "%s: %s: the page walk ran (%lu multi-iovec calls)", who, s->what,
	     walks - before);
	n = write ? pvmio_write(io, next, sizeof(next))
		  : pvmio_read(io, next, sizeof(next));
	t_is_err(n, EFAULT, t_fmt("%s: %s: next call fails with EFAULT", who,
				s->what));
	t_cursor_is(io, start + s->want,
		    t_fmt("%s: %s: cursor unchanged by the failure", who,
			  s->what));
}

/* Many small local iovecs, some empty, carved from one buffer. */
static struct iovec *small_iovecs(char *buf, size_t len, int *cnt)
{
	struct iovec *v = calloc(len + 1, sizeof(*v));
	size_t pos = 0;
	int n = 0;

	if (!v)
		t_bail("calloc");
	while (pos < len) {
		size_t sz = (size_t)(n * 7) % 23;

		if (sz > len - pos)
			sz = len - pos;
		v[n].iov_base = buf + pos;
		v[n].iov_len = sz;
		pos += sz;
		n++;
	}
	*cnt = n;
	return v;
}

/* Six results: expect_exact's five and the bytes that moved. */
static void play(pvmio *io, const char *who, bool write, const struct scene *s)
{
	char *buf = malloc(s->len), iovecs[32] = "";
	struct iovec one = { buf, s->len }, *v = &one;
	int cnt = 1;

	if (!buf)
		t_bail("malloc");
	if (write)
		t_fill(buf, s->len, s->seed);
	if (s->small) {
		v = small_iovecs(buf, s->len, &cnt);
		snprintf(iovecs, sizeof(iovecs), " (%d iovecs)", cnt);
	}
	expect_exact(io, who, write, s, v, cnt);
	if (write)
		t_ok(t_remote_is(io, t_addr(s->base + s->off), buf, s->want),
		     "%s: %s: the bytes arrived%s", who, s->what, iovecs);
	else
		t_is(t_check(buf, s->want, s->seed, s->off), -1,
		     t_fmt("%s: %s: the bytes are right%s", who, s->what,
			 iovecs));
	if (v != &one)
		free(v);
	free(buf);
}

static void reads(pvmio *io, const char *who)
{
	size_t pg = t_page(), off = 4 * pg - 3000;
	const struct scene s[] = {
		{ "read from mid-page into an unmapped page",
		  hole, 3 * pg + 123, 4 * pg, 2 * pg - 123, 1, false },
		{ "read from mid-page into PROT_NONE",
		  prot, 123, 3 * pg, pg - 123, 2, false },
		{ "read of several MiB with a hole in the middle",
		  big, 777, BIG - 777 - pg, big_hole - 777, 3, false },
		{ "readv of many small iovecs across a hole",
		  hole, off, 4 * pg, 5 * pg - off, 1, true },
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		play(io, who, false, &s[i]);
}

static void writes(pvmio *io, const char *who)
{
	size_t pg = t_page(), off = 2 * pg + 1000, off2 = 4 * pg - 2500;
	const struct scene s[] = {
		{ "write from mid-page into an unmapped page",
		  hole, off, 4 * pg, 5 * pg - off, 41, false },
		{ "write from mid-page into PROT_NONE",
		  prot, 200, 2 * pg, pg - 200, 42, false },
		{ "write from mid-page into a read-only page",
		  prot, 2 * pg + 300, 2 * pg, pg - 300, 43, false },
		{ "write of several MiB with a hole in the middle",
		  big, 4321, BIG - 4321 - pg, big_hole - 4321, 44, false },
		{ "writev of many small iovecs across a hole",
		  hole, off2, 3 * pg, 5 * pg - off2, 45, true },
	};

	play(io, who, true, &s[0]);
	t_ok(t_remote_pattern(io, t_addr(hole + off - 1000), 1000, 1,
			      off - 1000),
	     "%s: the bytes before the write are untouched", who);
	t_ok(t_remote_pattern(io, t_addr(hole + 6 * pg), pg, 1, 6 * pg),
	     "%s: the page after the hole is untouched", who);
	play(io, who, true, &s[1]);
	play(io, who, true, &s[2]);
	t_ok(t_remote_pattern(io, t_addr(prot + 3 * pg), pg, 2, 3 * pg),
	     "%s: the read-only page is unchanged", who);
	play(io, who, true, &s[3]);
	play(io, who, true, &s[4]);
}

/* The emulation itself must be iovec-granular, or this test proves nothing. */
static void check_emulation(void)
{
	size_t pg = t_page();
	char *buf = malloc(2 * pg);
	struct iovec l = { buf, 2 * pg }, r1 = { hole + 4 * pg, 2 * pg };
	struct iovec r2[2] = { { hole + 4 * pg, pg }, { hole + 5 * pg, pg } };
	unsigned long before = t_cma_calls;
	pvmio *io;

	if (!buf)
		t_bail("malloc");
	t_is_err(process_vm_readv(getpid(), &l, 1, &r1, 1, 0), EFAULT,
		 "emulation: one iovec into a hole gives EFAULT, no short count");
	t_is(process_vm_readv(getpid(), &l, 1, r2, 2, 0), (long long)pg,
	     "emulation: a short count ends on an iovec boundary");
	io = t_open(getpid(), t_addr(hole), 0);
	pvmio_read(io, buf, 16);
	pvmio_close(io);
	if (!t_ok(t_cma_calls > before + 2,
		  "the library's calls reach the emulation"))
		t_bail("process_vm_readv is not interposed; nothing here is tested");
	free(buf);
}

static void battery(pid_t pid, const char *who)
{
	const struct scene two_threads = {
		"read of 24 MiB on 2 threads, hole at 17 MiB",
		huge, 999, HUGE - 999 - t_page(), (17u << 20) - 999, 4, false
	};
	pvmio *io;

	io = t_open(pid, 0, 0);
	reads(io, who);
	writes(io, who);
	pvmio_close(io);
	/* the workers' pieces must keep the rules, each on its own */
	io = t_open(pid, 0, 0);
	if (pvmio_set_threads(io, 2))
		t_bail("pvmio_set_threads %s: %s", who, pvmio_errmsg());
	play(io, who, false, &two_threads);
	pvmio_close(io);
}

int main(void)
{
	size_t pg = t_page();
	pid_t child;

	t_plan(3 + 2 * (4 * 6 + 4 * 6 + 2 + 1 + 6 + 6));
	hole = t_map(8, PROT_READ | PROT_WRITE, 1);
	t_unmap_page(hole, 5);
	prot = t_map(4, PROT_READ | PROT_WRITE, 2);
	t_protect_page(prot, 1, PROT_NONE);
	t_protect_page(prot, 3, PROT_READ);
	big = t_map(BIG / pg, PROT_READ | PROT_WRITE, 3);
	big_hole = (BIG / pg / 2 + 3) * pg;
	t_unmap_page(big, big_hole / pg);
	huge = t_map(HUGE / pg, PROT_READ | PROT_WRITE, 4);
	t_unmap_page(huge, (17u << 20) / pg);
	check_emulation();
	child = t_fork_target();
	battery(child, "child");
	t_kill(child);
	battery(getpid(), "self");
	return t_done();
}
