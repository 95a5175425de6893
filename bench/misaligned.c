/* SPDX-License-Identifier: MIT */
/*
 * Misaligned: big reads into a buffer that starts 16 bytes past a page,
 * where malloc() puts every block of 128 KiB and more. On some CPUs the
 * kernel's copy slows down severalfold when (destination - source) mod 4096
 * is small (4K aliasing); this section shows whether pvmio pays it.
 */
#include <string.h>
#include <sys/uio.h>

#include "extra.h"

#define MIS_CHUNK MIB
#define MIS_OFF 16	/* malloc's offset from the page of a big block */

struct mis {
	struct target *t;
	pvmio *io;
	char *area;		/* span + a page */
	char *expect;		/* the target's first span bytes */
	size_t span;		/* bytes walked: a whole number of chunks */
};

static int mis_walk(struct mis *m, size_t off, bool lib, long reps)
{
	for (long r = 0; r < reps; r++)
		for (size_t at = 0; at < m->span; at += MIS_CHUNK) {
			char *dst = m->area + off + at;
			struct iovec l = { dst, MIS_CHUNK };
			struct iovec rv = { m->t->buf + at, MIS_CHUNK };
			ssize_t n = lib
				? pvmio_pread(m->io, dst, MIS_CHUNK,
					      (uintptr_t)m->t->buf + at)
				: process_vm_readv(m->t->pid, &l, 1, &rv, 1, 0);

			if (n != (ssize_t)MIS_CHUNK)
				return bench_fail("read of 1 MiB at +%zu", off);
		}
	return 0;
}

static int mis_raw(void *ctx, long reps)
{
	return mis_walk(ctx, 0, false, reps);
}

static int mis_raw16(void *ctx, long reps)
{
	return mis_walk(ctx, MIS_OFF, false, reps);
}

static int mis_pvmio16(void *ctx, long reps)
{
	return mis_walk(ctx, MIS_OFF, true, reps);
}

static int mis_prep(void *ctx, long reps)
{
	struct mis *m = ctx;

	(void)reps;
	memset(m->area, 0, m->span + bench_page());
	return 0;
}

static int mis_check(void *ctx, long reps, const char *op)
{
	struct mis *m = ctx;
	size_t off = strstr(op, "page+16") ? MIS_OFF : 0;

	(void)reps;
	return memcmp(m->area + off, m->expect, m->span) ? -1 : 0;
}

void bench_misaligned(struct target *t)
{
	struct mis m = { .t = t, .span = bench_min(t->size, 64 * MIB) };
	struct group g = {
		.section = "misaligned", .unit = "op", .ctx = &m,
		.chunk = MIS_CHUNK, .prep = mis_prep, .check = mis_check,
	};
	char sz[32];

	m.span -= m.span % MIS_CHUNK;
	if (!m.span)
		return;
	g.bytes = m.span;
	snprintf(g.title, sizeof(g.title), "misaligned: read %s in 1 MiB calls",
		 bench_size_str(m.span, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	m.area = bench_alloc(m.span + bench_page());
	m.expect = bench_alloc(m.span);
	bench_fill(m.expect, m.span, 1);	/* as the target filled it */
	if (pvmio_open(&m.io, t->pid, 0, 0))
		bench_die("pvmio_open: %s", pvmio_errmsg());
	group_add(&g, "process_vm_readv, buffer aligned (raw)", mis_raw);
	group_add(&g, "process_vm_readv, buffer at page+16", mis_raw16);
	group_add(&g, OP_MISALIGNED, mis_pvmio16);
	group_measure(&g);
	pvmio_close(m.io);
	bench_free(m.area, m.span + bench_page());
	bench_free(m.expect, m.span);
}
