/* SPDX-License-Identifier: MIT */
/*
 * Spans: 1,000 small remote pieces of 64 bytes, dense (one every 128
 * bytes) and sparse (one per 64 KiB), against 1,000 raw 64-byte calls at the
 * same addresses. Only when libpvmio.a defines pvmio_read_spans.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "extra.h"

#ifdef BENCH_HAVE_pvmio_read_spans

#define SPAN_LEN 64
#define SPANS 1000

struct spans {
	struct target *t;
	pvmio *io;
	size_t stride, n;
	bool write;
	char *buf;		/* n * SPAN_LEN: reads land, writes come from */
	char *expect;		/* the bytes at the spans */
	struct pvmio_span sp[SPANS];
	struct iovec lv[SPANS], rv[SPANS];
};

static char *at(const struct spans *s, size_t i)
{
	return s->t->clean + i * s->stride;
}

static int spans_raw(void *ctx, long reps)
{
	struct spans *s = ctx;

	for (long r = 0; r < reps; r++)
		for (size_t i = 0; i < s->n; i++) {
			ssize_t n = s->write
				? process_vm_writev(s->t->pid, &s->lv[i], 1,
						    &s->rv[i], 1, 0)
				: process_vm_readv(s->t->pid, &s->lv[i], 1,
						   &s->rv[i], 1, 0);

			if (n != SPAN_LEN)
				return bench_fail("process_vm_%sv(64 B)",
						  s->write ? "write" : "read");
		}
	return 0;
}

/* One remote iovec per span: what the kernel offers with no coalescing. */
static int spans_iov(void *ctx, long reps)
{
	struct spans *s = ctx;
	struct iovec l = { s->buf, s->n * SPAN_LEN };
	ssize_t want = (ssize_t)l.iov_len;

	for (long r = 0; r < reps; r++) {
		ssize_t n = s->write
			? process_vm_writev(s->t->pid, &l, 1, s->rv, s->n, 0)
			: process_vm_readv(s->t->pid, &l, 1, s->rv, s->n, 0);

		if (n != want)
			return bench_fail("process_vm_%sv(%zu iovecs)",
					  s->write ? "write" : "read", s->n);
	}
	return 0;
}

static int spans_pvmio(void *ctx, long reps)
{
	struct spans *s = ctx;

	for (long r = 0; r < reps; r++) {
		ssize_t n;
#ifdef BENCH_HAVE_pvmio_write_spans
		if (s->write)
			n = pvmio_write_spans(s->io, s->sp, s->n);
		else
#endif
			n = pvmio_read_spans(s->io, s->sp, s->n);
		if (n != (ssize_t)s->n)
			return bench_fail("pvmio_%s_spans(%zu) = %zd",
					  s->write ? "write" : "read", s->n, n);
	}
	return 0;
}

/* Reads: clear the landing zone. Writes: zero the remote spans first. */
static int spans_prep(void *ctx, long reps)
{
	struct spans *s = ctx;
	struct iovec l = { s->buf, s->n * SPAN_LEN };

	(void)reps;
	memset(s->buf, 0, s->n * SPAN_LEN);
	if (!s->write)
		return 0;
	if (process_vm_writev(s->t->pid, &l, 1, s->rv, s->n, 0) !=
	    (ssize_t)l.iov_len)
		return bench_fail("poisoning the spans");
	memcpy(s->buf, s->expect, s->n * SPAN_LEN);
	return 0;
}

/* Reads: what landed. Writes: what the target now holds. */
static int spans_check(void *ctx, long reps, const char *op)
{
	struct spans *s = ctx;
	struct iovec l = { s->buf, s->n * SPAN_LEN };

	(void)reps;
	(void)op;
	if (s->write &&
	    process_vm_readv(s->t->pid, &l, 1, s->rv, s->n, 0) !=
	    (ssize_t)l.iov_len)
		return bench_fail("reading the spans back");
	return memcmp(s->buf, s->expect, s->n * SPAN_LEN) ? -1 : 0;
}

static void spans_setup(struct spans *s, struct target *t, size_t stride,
			const char *clean)
{
	s->t = t;
	s->stride = stride;
	s->n = t->holes_size / stride < SPANS ? t->holes_size / stride : SPANS;
	for (size_t i = 0; i < s->n; i++) {
		memcpy(s->expect + i * SPAN_LEN, clean + i * stride, SPAN_LEN);
		s->sp[i] = (struct pvmio_span){
			.address = (uintptr_t)at(s, i),
			.buf = s->buf + i * SPAN_LEN, .len = SPAN_LEN,
		};
		s->lv[i] = (struct iovec){ s->buf + i * SPAN_LEN, SPAN_LEN };
		s->rv[i] = (struct iovec){ at(s, i), SPAN_LEN };
	}
}

static void run_spans(struct spans *s, size_t stride, const char *clean,
		      bool write)
{
	struct group g = {
		.section = write ? "write spans" : "spans", .unit = "op",
		.chunk = stride, .ctx = s, .prep = spans_prep,
		.check = spans_check,
	};
	char sz[32];

	spans_setup(s, s->t, stride, clean);
	s->write = write;
	g.bytes = s->n * SPAN_LEN;
	snprintf(g.title, sizeof(g.title), "%s: %zu x 64 B, one per %s",
		 g.section, s->n, bench_size_str(stride, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	group_add(&g, write ? "1000 x process_vm_writev 64 B (raw)"
			    : "1000 x process_vm_readv 64 B (raw)", spans_raw);
	group_add(&g, "1 call, one remote iovec per span", spans_iov);
	group_add(&g, write ? OP_WSPANS : OP_SPANS, spans_pvmio);
	group_measure(&g);
}

void bench_spans(struct target *t)
{
	static struct spans s;
	size_t len = t->holes_size;
	char *clean = bench_alloc(len);

	bench_fill(clean, len, 2);
	s.t = t;
	s.buf = bench_alloc(SPANS * SPAN_LEN);
	s.expect = bench_alloc(SPANS * SPAN_LEN);
	if (pvmio_open(&s.io, t->pid, 0, 0))
		bench_die("pvmio_open: %s", pvmio_errmsg());
	run_spans(&s, 128, clean, false);
	run_spans(&s, 64 * KIB, clean, false);
#ifdef BENCH_HAVE_pvmio_write_spans
	/* writes send the bytes already there: the target stays as it was */
	run_spans(&s, 128, clean, true);
	run_spans(&s, 64 * KIB, clean, true);
#endif
	pvmio_close(s.io);
	bench_free(s.buf, SPANS * SPAN_LEN);
	bench_free(s.expect, SPANS * SPAN_LEN);
	bench_free(clean, len);
}

#else

void bench_spans(struct target *t)
{
	(void)t;	/* pvmio_read_spans has not landed in libpvmio.a */
}

#endif
