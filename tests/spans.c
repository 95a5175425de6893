/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather spans on a child: dense spans share remote iovecs, sparse
 * ones share syscalls, and a hole in one span or in a gap never costs the
 * others their exact result. The test counts the library's syscalls by
 * interposing process_vm_readv/writev (it links libpvmio.a statically).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

/* Count the library's syscalls. */
T_INTERPOSE(t_cma_syscall)

#define PAGES 64
#define N 1000
#define SPARSE (64 * 1024)

static char *area, *wide;
static struct pvmio_span sp[N];
static char bufs[N][64];

static void setup(size_t stride, size_t len, uint64_t base)
{
	for (size_t i = 0; i < N; i++)
		sp[i] = (struct pvmio_span){ base + i * stride, bufs[i], len, 12345 };
	memset(bufs, 0, sizeof(bufs));
}

static bool spans_right(size_t stride, size_t len, size_t skip_from, size_t skip_to)
{
	for (size_t i = 0; i < N; i++) {
		if (i >= skip_from && i < skip_to)
			continue;
		if (sp[i].done != (ssize_t)len ||
		    t_check(bufs[i], len, 3, i * stride) != -1) {
			t_diag("span %zu: done %zd", i, sp[i].done);
			return false;
		}
	}
	return true;
}

static void dense_and_sparse(pvmio *io)
{
	uint64_t base = (uintptr_t)area;

	setup(128, 64, base);
	t_cma_calls = 0;
	t_is(pvmio_read_spans(io, sp, N), N, "1000 dense spans all complete");
	t_ok(t_cma_calls <= 3, "dense spans took %lu syscalls (<= 3)",
	     t_cma_calls);
	t_ok(spans_right(128, 64, 0, 0), "dense spans hold the right bytes");
	setup(SPARSE, 16, (uintptr_t)wide);
	t_cma_calls = 0;
	t_is(pvmio_read_spans(io, sp, N), N, "1000 sparse spans (one per 64 KiB) all complete");
	t_ok(t_cma_calls == 1, "sparse spans took %lu syscall (1)",
	     t_cma_calls);
	t_ok(spans_right(SPARSE, 16, 0, 0), "sparse spans hold the right bytes");
}

static void holes(pvmio *io)
{
	size_t pg = t_page(), per_page = pg / 128;
	uint64_t base = (uintptr_t)area;
	size_t first = 10 * per_page, last = 11 * per_page;	/* page 10 */
	bool ok = true;

	setup(128, 64, base);
	t_is(pvmio_read_spans(io, sp, N), N - (long long)per_page,
	     "a hole (page 10) fails only the spans inside it");
	for (size_t i = first; i < last; i++)
		ok = ok && sp[i].done == -EFAULT;
	t_ok(ok, "spans in the hole report -EFAULT");
	t_ok(spans_right(128, 64, first, last), "spans around the hole are whole and right");
	/* spans straddling into the hole get the exact prefix */
	setup(128, 64, base + 10 * pg - 32);
	pvmio_read_spans(io, sp, 2);
	t_is(sp[0].done, 32, "a span running into the hole gets the bytes before it");
	/* a hole only in a gap: spans on both sides complete */
	sp[0] = (struct pvmio_span){ base + 10 * pg - 64, bufs[0], 64, 0 };
	sp[1] = (struct pvmio_span){ base + 11 * pg + 100, bufs[1], 64, 0 };
	t_is(pvmio_read_spans(io, sp, 2), 2, "a hole in the gap between two spans costs nothing");
}

static void odd_inputs(pvmio *io)
{
	uint64_t base = (uintptr_t)area;
	struct pvmio_span s[5] = {
		{ base + 500, bufs[0], 64, 0 },
		{ base + 100, bufs[1], 64, 0 },		/* unsorted */
		{ base + 120, bufs[2], 64, 0 },		/* overlaps the previous */
		{ base, NULL, 8, 0 },			/* NULL buffer */
		{ base, bufs[4], 0, 7 },		/* empty */
	};

	t_is(pvmio_read_spans(io, s, 5), 4, "unsorted, overlapping and empty spans complete");
	t_ok(t_check(bufs[0], 64, 3, 500) == -1 && t_check(bufs[1], 64, 3, 100) == -1 &&
	     t_check(bufs[2], 64, 3, 120) == -1, "each gets its own bytes");
	t_is(s[3].done, -EINVAL, "a NULL buffer span gets -EINVAL");
	t_is(s[4].done, 0, "an empty span gets 0");
	t_is_err(pvmio_read_spans(NULL, s, 1), EINVAL, "NULL handle: EINVAL");
	t_is_err(pvmio_read_spans(io, NULL, 1), EINVAL, "NULL spans: EINVAL");
	t_is(pvmio_read_spans(io, s, 0), 0, "no spans: 0");
}

/* A bad LOCAL buffer fails its own span, not the others on that page. */
static void bad_local(pvmio *io)
{
	char *bad = t_map(1, PROT_NONE, 0);
	uint64_t base = (uintptr_t)area;
	struct pvmio_span s[3] = {
		{ base + 1000, bufs[0], 64, 0 },
		{ base + 3000, bad, 64, 0 },		/* unwritable here */
		{ base + 3100, bufs[2], 64, 0 },	/* same remote page */
	};

	t_is(pvmio_read_spans(io, s, 3), 2, "a span with an unwritable local buffer fails alone");
	t_ok(s[1].done == -EFAULT && s[2].done == 64 && t_check(bufs[2], 64, 3, 3100) == -1,
	     "the next span on the same remote page still reads (done %zd, %zd)",
	     s[1].done, s[2].done);
	munmap(bad, t_page());
}

static void writes(pvmio *io)
{
	uint64_t base = (uintptr_t)area;
	char back[64];
	bool ok = true;

	setup(256, 32, base);
	for (size_t i = 0; i < N; i++)
		memset(bufs[i], (int)(i & 0xff), 32);
	t_cma_calls = 0;
	t_is(pvmio_write_spans(io, sp, N), N - 16, "1000 written spans; the 16 in the hole fail");
	t_ok(t_cma_calls <= 6,
	     "writes took %lu syscalls (the hole's page is asked once)",
	     t_cma_calls);
	for (size_t i = 0; i < N; i += 37) {
		if (sp[i].done != 32)
			continue;
		pvmio_pread(io, back, 64, base + i * 256);
		ok = ok && memcmp(back, bufs[i], 32) == 0 &&
		     t_check(back + 32, 32, 3, i * 256 + 32) == -1;
	}
	t_ok(ok, "written spans arrived and the gaps between them are untouched");
}

int main(void)
{
	pid_t child;
	pvmio *io;

	t_plan(6 + 5 + 7 + 2 + 3 + 2);
	area = t_map(PAGES, PROT_READ | PROT_WRITE, 3);
	wide = t_map(N * SPARSE / t_page(), PROT_READ | PROT_WRITE, 3);
	child = t_fork_target();
	io = t_open(child, 0, 0);
	dense_and_sparse(io);
	t_unmap_page(area, 10);
	pvmio_close(io);
	t_kill(child);
	child = t_fork_target();
	io = t_open(child, 0, 0);
	holes(io);
	odd_inputs(io);
	bad_local(io);
	writes(io);
	t_kill(child);
	setup(128, 64, (uintptr_t)area);
	t_is_err(pvmio_read_spans(io, sp, 4), ESRCH, "the target died: ESRCH");
	t_is(sp[0].done, -ESRCH, "and every span says so");
	pvmio_close(io);
	return t_done();
}
