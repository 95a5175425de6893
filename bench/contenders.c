/* SPDX-License-Identifier: MIT */
/*
 * The contenders of the stream table. Each one moves reps chunks, walking
 * the target's buffer from its start, and fails on any short transfer: the
 * target is fully mapped, so a short count is a bug, not a result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chunks.h"

static inline size_t step(const struct chunks *c, size_t off)
{
	off += c->chunk;
	return off < c->span ? off : 0;
}

static inline char *local(const struct chunks *c, size_t off)
{
	return (c->write ? c->copy : c->buf) + off;
}

static inline uint64_t remote(const struct chunks *c, size_t off)
{
	return (uintptr_t)(c->t->buf + off);
}

int op_memcpy(void *ctx, long reps)
{
	struct chunks *c = ctx;
	size_t off = 0;

	for (long i = 0; i < reps; i++) {
		memcpy(c->buf + off, c->copy + off, c->chunk);
		off = step(c, off);
	}
	__asm__ volatile("" ::: "memory");
	return 0;
}

int op_raw(void *ctx, long reps)
{
	struct chunks *c = ctx;
	pid_t pid = c->t->pid;
	size_t off = 0;

	for (long i = 0; i < reps; i++) {
		void *at = (void *)(uintptr_t)remote(c, off);
		struct iovec l = { local(c, off), c->chunk };
		struct iovec r = { at, c->chunk };
		ssize_t n = c->write ? process_vm_writev(pid, &l, 1, &r, 1, 0)
				     : process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (n != (ssize_t)c->chunk)
			return bench_fail("process_vm_%sv(%p, %zu) = %zd",
					  c->write ? "write" : "read",
					  r.iov_base, c->chunk, n);
		off = step(c, off);
	}
	return 0;
}

static size_t iov_max(void)
{
	static size_t max;

	if (!max) {
		long v = sysconf(_SC_IOV_MAX);

		max = v > 0 ? (size_t)v : 1024;
	}
	return max;
}

/*
 * One call of process_vm_io 1.0.5 (the seed): the remote range is cut at
 * page boundaries into one iovec per page, at most IOV_MAX of them (the
 * rest is left to the caller's next call), held on the heap beyond three
 * entries (SmallVec<[iovec; 3]>), and sent with the whole local buffer.
 */
ssize_t crate_transfer(pid_t pid, bool write, void *buf, size_t len,
		       uint64_t addr)
{
	size_t page = bench_page(), cnt, i = 0, covered = 0;
	struct iovec small[3], *r = small, l = { buf, len };
	ssize_t n;

	cnt = (size_t)((addr + len - 1) / page - addr / page + 1);
	if (cnt > iov_max())
		cnt = iov_max();
	if (cnt > 3 && !(r = malloc(cnt * sizeof(*r))))
		return -1;
	for (; i < cnt && covered < len; i++) {
		size_t in_page = page - (size_t)((addr + covered) % page);

		r[i].iov_base = (void *)(uintptr_t)(addr + covered);
		r[i].iov_len = bench_min(in_page, len - covered);
		covered += r[i].iov_len;
	}
	n = write ? process_vm_writev(pid, &l, 1, r, i, 0)
		  : process_vm_readv(pid, &l, 1, r, i, 0);
	if (r != small)
		free(r);
	return n;
}

/* The crate's users loop over short counts (Read::read_exact). */
int op_crate(void *ctx, long reps)
{
	struct chunks *c = ctx;
	size_t off = 0;

	for (long i = 0; i < reps; i++) {
		for (size_t done = 0; done < c->chunk;) {
			uint64_t at = remote(c, off + done);
			ssize_t n = crate_transfer(c->t->pid, c->write,
						   local(c, off + done),
						   c->chunk - done, at);

			if (n <= 0)
				return bench_fail("crate method at 0x%llx",
						  (unsigned long long)at);
			done += (size_t)n;
		}
		off = step(c, off);
	}
	return 0;
}

int op_procmem(void *ctx, long reps)
{
	struct chunks *c = ctx;
	size_t off = 0;

	for (long i = 0; i < reps; i++) {
		for (size_t done = 0; done < c->chunk;) {
			char *l = local(c, off + done);
			off_t at = (off_t)remote(c, off + done);
			size_t len = c->chunk - done;
			ssize_t n = c->write ? pwrite(c->memfd, l, len, at)
					     : pread(c->memfd, l, len, at);

			if (n <= 0)
				return bench_fail("%s(/proc/PID/mem, 0x%llx)",
						  c->write ? "pwrite" : "pread",
						  (unsigned long long)at);
			done += (size_t)n;
		}
		off = step(c, off);
	}
	return 0;
}

static int seek_start(const struct chunks *c, pvmio *io)
{
	if (pvmio_seek(io, (int64_t)remote(c, 0), SEEK_SET, NULL))
		return bench_fail("pvmio_seek");
	return 0;
}

/* pvmio_read/pvmio_write at the cursor, as a stream user would. */
static int cursor_pass(struct chunks *c, pvmio *io, long reps)
{
	size_t off = 0;

	if (seek_start(c, io))
		return -1;
	for (long i = 0; i < reps; i++) {
		ssize_t n = c->write ? pvmio_write(io, local(c, off), c->chunk)
				     : pvmio_read(io, local(c, off), c->chunk);

		if (n != (ssize_t)c->chunk)
			return bench_fail("pvmio_%s(%zu) = %zd",
					  c->write ? "write" : "read",
					  c->chunk, n);
		off = step(c, off);
		if (!off && seek_start(c, io))
			return -1;
	}
	return 0;
}

int op_pvmio(void *ctx, long reps)
{
	return cursor_pass(ctx, ((struct chunks *)ctx)->pinned, reps);
}

int op_pvmio_unpinned(void *ctx, long reps)
{
	return cursor_pass(ctx, ((struct chunks *)ctx)->unpinned, reps);
}

int op_pvmio_p(void *ctx, long reps)
{
	struct chunks *c = ctx;
	size_t off = 0;

	for (long i = 0; i < reps; i++) {
		ssize_t n = c->write
			? pvmio_pwrite(c->pinned, local(c, off), c->chunk,
				       remote(c, off))
			: pvmio_pread(c->pinned, local(c, off), c->chunk,
				      remote(c, off));

		if (n != (ssize_t)c->chunk)
			return bench_fail("pvmio_p%s(%zu) = %zd",
					  c->write ? "write" : "read",
					  c->chunk, n);
		off = step(c, off);
	}
	return 0;
}

#ifdef BENCH_HAVE_pvmio_set_threads
int op_pvmio_threads(void *ctx, long reps)
{
	return cursor_pass(ctx, ((struct chunks *)ctx)->threaded, reps);
}
#endif

#ifdef BENCH_HAVE_pvmio_fopen
static int stdio_seek(const struct chunks *c, FILE *f)
{
	if (fseeko(f, (off_t)remote(c, 0), SEEK_SET))
		return bench_fail("fseeko(pvmio_fopen stream)");
	return 0;
}

/* Through stdio's buffer; a write pass ends with the flush it owes. */
int op_stdio(void *ctx, long reps)
{
	struct chunks *c = ctx;
	FILE *f = c->write ? c->fw : c->fr;
	size_t off = 0;

	if (stdio_seek(c, f))
		return -1;
	for (long i = 0; i < reps; i++) {
		size_t n = c->write ? fwrite(local(c, off), 1, c->chunk, f)
				    : fread(local(c, off), 1, c->chunk, f);

		if (n != c->chunk)
			return bench_fail("f%s(%zu) = %zu",
					  c->write ? "write" : "read",
					  c->chunk, n);
		off = step(c, off);
		if (!off && stdio_seek(c, f))
			return -1;
	}
	if (c->write && fflush(f))
		return bench_fail("fflush(pvmio_fopen stream)");
	return 0;
}
#endif
