/* SPDX-License-Identifier: MIT */
/*
 * Sections on the big target (1 GiB, 64 planted needles): pattern search
 * against memmem over a local copy of the same bytes, and a parallel read
 * against one raw stream. Each only when libpvmio.a defines its function.
 */
#include <pthread.h>
#include <string.h>
#include <sys/uio.h>

#include "extra.h"
#ifdef BENCH_HAVE_pvmio__search
#include "search.h"	/* pvmio__search(..., threads): the serial scan */
#endif

#if defined(BENCH_HAVE_pvmio_search) || defined(BENCH_HAVE_pvmio_set_threads) \
	|| (defined(BENCH_CLI) && !defined(BENCH_SANITIZED))

struct big {
	struct target *t;
	char *copy;		/* the target's buffer, local */
	char *buf;		/* parallel reads land here */
	size_t len;		/* bytes a parallel op reads */
	pvmio *serial, *threaded;
	unsigned char needle[NEEDLE_LEN];
	ssize_t found;		/* matches of the last search op */
};

bool big_wanted(void)
{
	return !opt.only || strstr("search parallel dump", opt.only);
}

/* Read the target in 16 MiB calls: the transfer a search cannot avoid. */
static int big_raw(void *ctx, long reps)
{
	struct big *b = ctx;

	for (long r = 0; r < reps; r++)
		if (bench_raw_copy(b->t->pid, b->buf, b->t->buf, b->len, false))
			return -1;
	return 0;
}

#ifdef BENCH_HAVE_pvmio_search
static int search_memmem(void *ctx, long reps)
{
	struct big *b = ctx;
	const char *end = b->copy + b->t->size;

	for (long r = 0; r < reps; r++) {
		const char *p = b->copy;

		b->found = 0;
		while ((p = memmem(p, (size_t)(end - p), b->needle,
				   NEEDLE_LEN))) {
			b->found++;
			p++;
		}
	}
	return 0;
}

static int search_pvmio(void *ctx, long reps)
{
	struct big *b = ctx;

	for (long r = 0; r < reps; r++) {
		b->found = pvmio_search(b->t->pid, b->needle, NULL, NEEDLE_LEN,
					NULL, NULL);
		if (b->found < 0)
			return bench_fail("pvmio_search(pid %d)",
					  (int)b->t->pid);
	}
	return 0;
}

#ifdef BENCH_HAVE_pvmio__search
static int search_serial(void *ctx, long reps)
{
	struct big *b = ctx;

	for (long r = 0; r < reps; r++) {
		b->found = pvmio__search(b->t->pid, b->needle, NULL, NEEDLE_LEN,
					 NULL, NULL, 1);
		if (b->found < 0)
			return bench_fail("pvmio__search(pid %d, 1 thread)",
					  (int)b->t->pid);
	}
	return 0;
}
#endif

/* Exactly the planted needles: the target holds no other copy. */
static int search_check(void *ctx, long reps, const char *op)
{
	struct big *b = ctx;

	(void)reps;
	if (strcmp(op, OP_SEARCH) && strcmp(op, OP_SEARCH1) &&
	    strcmp(op, OP_MEMMEM))
		return 0;
	if (b->found == NEEDLES)
		return 0;
	return bench_fail("%s found %zd matches, want %d", op, b->found,
			  NEEDLES);
}

static void run_search(struct big *b)
{
	struct group g = {
		.section = "search", .unit = "op", .bytes = b->t->size,
		.chunk = b->t->size, .ctx = b, .check = search_check,
	};
	char sz[32];

	snprintf(g.title, sizeof(g.title), "search: 16-byte pattern, %s",
		 bench_size_str(b->t->size, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	b->len = b->t->size;
	group_add(&g, OP_MEMMEM, search_memmem);
	group_add(&g, OP_SEARCH, search_pvmio);
#ifdef BENCH_HAVE_pvmio__search
	group_add(&g, OP_SEARCH1, search_serial);
#endif
	group_add(&g, "process_vm_readv 16 MiB calls (raw)", big_raw);
	group_measure(&g);
}
#endif

#ifdef BENCH_HAVE_pvmio_set_threads
static int par_read(pvmio *io, struct big *b, long reps)
{
	for (long r = 0; r < reps; r++)
		for (size_t off = 0; off < b->len; off += 16 * MIB) {
			size_t n = bench_min(b->len - off, 16 * MIB);
			uint64_t at = (uintptr_t)b->t->buf + off;

			if (pvmio_pread(io, b->buf + off, n, at) != (ssize_t)n)
				return bench_fail("pvmio_pread(16 MiB)");
		}
	return 0;
}

static int par_serial(void *ctx, long reps)
{
	return par_read(((struct big *)ctx)->serial, ctx, reps);
}

static int par_threads(void *ctx, long reps)
{
	return par_read(((struct big *)ctx)->threaded, ctx, reps);
}

struct half {
	struct big *b;
	size_t off, len;
	int err;
};

static void *half_read(void *arg)
{
	struct half *h = arg;

	h->err = bench_raw_copy(h->b->t->pid, h->b->buf + h->off,
				h->b->t->buf + h->off, h->len, false);
	return NULL;
}

/* The machine's own ceiling: two raw streams, a half each, two threads. */
static int par_raw2(void *ctx, long reps)
{
	struct big *b = ctx;
	size_t half = b->len / 2 & ~(bench_page() - 1);

	for (long r = 0; r < reps; r++) {
		struct half h[2] = { { b, 0, half, 0 },
				     { b, half, b->len - half, 0 } };
		pthread_t tid;

		if (pthread_create(&tid, NULL, half_read, &h[1]))
			return bench_fail("pthread_create");
		half_read(&h[0]);
		pthread_join(tid, NULL);
		if (h[0].err || h[1].err)
			return -1;
	}
	return 0;
}

static int par_prep(void *ctx, long reps)
{
	struct big *b = ctx;

	(void)reps;
	memset(b->buf, 0, b->len);
	return 0;
}

static int par_check(void *ctx, long reps, const char *op)
{
	struct big *b = ctx;

	(void)reps;
	(void)op;
	return memcmp(b->buf, b->copy, b->len) ? -1 : 0;
}

static void run_parallel(struct big *b)
{
	struct group g = {
		.section = "parallel", .unit = "op", .ctx = b,
		.prep = par_prep, .check = par_check,
	};
	char sz[32];

	b->len = b->t->size < 512 * MIB ? b->t->size : 512 * MIB;
	g.bytes = g.chunk = b->len;
	snprintf(g.title, sizeof(g.title), "parallel: read %s in 16 MiB calls",
		 bench_size_str(b->len, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	group_add(&g, "process_vm_readv, one stream (raw)", big_raw);
	group_add(&g, "pvmio_read threads=1", par_serial);
	group_add(&g, OP_PAR, par_threads);
	group_add(&g, "process_vm_readv, 2 threads, a half each", par_raw2);
	group_measure(&g);
}
#endif

static pvmio *open_big(struct target *t)
{
	pvmio *io;

	if (pvmio_open(&io, t->pid, (uintptr_t)t->buf, 0))
		bench_die("pvmio_open: %s", pvmio_errmsg());
	return io;
}

void bench_big(struct target *t)
{
	struct big b = { .t = t };

	bench_needle(b.needle);
	b.copy = bench_alloc(t->size);
	b.buf = bench_alloc(t->size);
	if (bench_raw_copy(t->pid, b.copy, t->buf, t->size, false))
		bench_die("cannot read the big target");
	b.serial = open_big(t);
	b.threaded = open_big(t);
#ifdef BENCH_HAVE_pvmio_search
	run_search(&b);
#endif
#ifdef BENCH_HAVE_pvmio_set_threads
	if (pvmio_set_threads(b.threaded, 0))
		bench_die("pvmio_set_threads: %s", pvmio_errmsg());
	run_parallel(&b);
#endif
	bench_dump(t, b.copy);
	pvmio_close(b.serial);
	pvmio_close(b.threaded);
	bench_free(b.copy, t->size);
	bench_free(b.buf, t->size);
}

#else

bool big_wanted(void)
{
	return false;	/* no search, no threads, no dump in the tree yet */
}

void bench_big(struct target *t)
{
	(void)t;
}

#endif
