/* SPDX-License-Identifier: MIT */
/*
 * The stream table: for each chunk size and direction, every way to move
 * chunk-sized pieces between the bench and the target's buffer, walking the
 * buffer sequentially (the same addresses for every contender).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"
#include "chunks.h"

static const size_t chunk_sizes[] = { 64, 4 * KIB, 64 * KIB, MIB, 16 * MIB };
#define NCHUNKS (sizeof(chunk_sizes) / sizeof(*chunk_sizes))

/* Bytes that the checked warm-up verifies: enough, and cheap. */
#define VERIFY_MAX (4 * MIB)

static size_t verified(const struct chunks *c, long reps)
{
	size_t v = c->span;

	if ((size_t)reps < v / c->chunk)
		v = (size_t)reps * c->chunk;
	return v < VERIFY_MAX ? v : VERIFY_MAX;
}

/* Reads: clear what the op must fill. Writes: poison what it must write. */
static int prep(void *ctx, long reps)
{
	struct chunks *c = ctx;
	size_t v = verified(c, reps);

	memset(c->buf, 0, v);
	if (!c->write)
		return 0;
	return bench_raw_copy(c->t->pid, c->buf, c->t->buf, v, true);
}

static int check(void *ctx, long reps, const char *op)
{
	struct chunks *c = ctx;
	size_t v = verified(c, reps);

	if (!c->write || !strcmp(op, OP_MEMCPY)) {
		if (memcmp(c->buf, c->copy, v))
			return -1;
		/* memcpy left the poisoned target alone: restore it */
		return c->write ? bench_raw_copy(c->t->pid, c->copy, c->t->buf,
						 v, true) : 0;
	}
	if (bench_raw_copy(c->t->pid, c->buf, c->t->buf, v, false))
		return -1;
	return memcmp(c->buf, c->copy, v) ? -1 : 0;
}

static void add_ops(struct group *g, bool w)
{
	group_add(g, OP_MEMCPY, op_memcpy);
	g->base = g->nops;
	group_add(g, w ? "process_vm_writev (raw)" : "process_vm_readv (raw)",
		  op_raw);
	group_add(g, OP_CRATE, op_crate);
	group_add(g, w ? "pwrite /proc/PID/mem" : "pread /proc/PID/mem",
		  op_procmem);
	group_add(g, w ? "pvmio_write" : "pvmio_read", op_pvmio);
	group_add(g, w ? "pvmio_write UNPINNED" : "pvmio_read UNPINNED",
		  op_pvmio_unpinned);
	group_add(g, w ? "pvmio_pwrite" : "pvmio_pread", op_pvmio_p);
#ifdef BENCH_HAVE_pvmio_fopen
	group_add(g, w ? "fwrite (pvmio_fopen)" : "fread (pvmio_fopen)",
		  op_stdio);
#endif
#ifdef BENCH_HAVE_pvmio_set_threads
	group_add(g, w ? "pvmio_write threads=0" : "pvmio_read threads=0",
		  op_pvmio_threads);
#endif
}

static void run_size(struct chunks *c, size_t chunk, bool write)
{
	struct group g = {
		.section = write ? "write" : "read", .unit = "call",
		.bytes = chunk, .chunk = chunk, .ctx = c,
		.prep = prep, .check = check,
	};
	char sz[32];

	snprintf(g.title, sizeof(g.title), "%s %s", g.section,
		 bench_size_str(chunk, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	c->chunk = chunk;
	c->span = c->t->size / chunk * chunk;
	c->write = write;
	add_ops(&g, write);
	group_measure(&g);
}

static pvmio *open_handle(pid_t pid, void *at, unsigned flags)
{
	pvmio *io;

	if (pvmio_open(&io, pid, (uintptr_t)at, flags))
		bench_die("pvmio_open(pid %d): %s", (int)pid, pvmio_errmsg());
	return io;
}

static void open_all(struct chunks *c)
{
	char path[64];

	c->pinned = open_handle(c->t->pid, c->t->buf, 0);
	c->unpinned = open_handle(c->t->pid, c->t->buf, PVMIO_UNPINNED);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c->t->pid);
	c->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (c->memfd < 0)
		bench_die("open(%s): %s", path, strerror(errno));
#ifdef BENCH_HAVE_pvmio_fopen
	c->fr = pvmio_fopen(c->t->pid, (uintptr_t)c->t->buf, "r");
	c->fw = pvmio_fopen(c->t->pid, (uintptr_t)c->t->buf, "r+");
	if (!c->fr || !c->fw)
		bench_die("pvmio_fopen(pid %d): %s", (int)c->t->pid,
			  pvmio_errmsg());
#endif
#ifdef BENCH_HAVE_pvmio_set_threads
	c->threaded = open_handle(c->t->pid, c->t->buf, 0);
	if (pvmio_set_threads(c->threaded, 0))
		bench_die("pvmio_set_threads: %s", pvmio_errmsg());
#endif
}

static void close_all(struct chunks *c)
{
	pvmio_close(c->pinned);
	pvmio_close(c->unpinned);
	pvmio_close(c->threaded);
	close(c->memfd);
	if (c->fr)
		fclose(c->fr);
	if (c->fw)
		fclose(c->fw);
}

void bench_chunks(struct target *t)
{
	struct chunks c = { .t = t };

	c.copy = bench_alloc(t->size);
	c.buf = bench_alloc(t->size);
	if (bench_raw_copy(t->pid, c.copy, t->buf, t->size, false))
		bench_die("cannot read the target's buffer");
	open_all(&c);
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < NCHUNKS; i++)
			if (chunk_sizes[i] <= t->size)
				run_size(&c, chunk_sizes[i], w);
	close_all(&c);
	bench_free(c.copy, t->size);
	bench_free(c.buf, t->size);
}
