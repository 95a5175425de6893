/* SPDX-License-Identifier: MIT */
/*
 * Extra sections on the stream target: the cost of pvmio_open itself, and a
 * read over a range with holes (one unmapped page per MiB).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chunks.h"
#include "extra.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* ---- open ---- */

static int probe(pid_t pid)
{
	char byte;
	struct iovec l = { &byte, 1 }, r = { NULL, 1 };

	if (process_vm_readv(pid, &l, 1, &r, 1, 0) >= 0 || errno == EFAULT)
		return 0;
	return bench_fail("probe of pid %d", (int)pid);
}

/*
 * What pvmio_open + pvmio_close of a pinned handle do in syscalls (strace),
 * with nothing around: getpid, pidfd_open, the probe, a poll of the pidfd,
 * an epoll set watching it, and the two closes.
 */
static int open_raw_pinned(void *ctx, long reps)
{
	pid_t pid = ((struct target *)ctx)->pid;

	for (long i = 0; i < reps; i++) {
		int fd = (int)syscall(SYS_pidfd_open, pid, 0), ep;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct epoll_event ev = { .events = EPOLLIN };

		if (getpid() < 0 || fd < 0)
			return bench_fail("pidfd_open(%d)", (int)pid);
		if (probe(pid) || poll(&p, 1, 0) < 0)
			return bench_fail("probe or poll");
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			return bench_fail("epoll set");
		close(fd);
		close(ep);
	}
	return 0;
}

static int open_raw_unpinned(void *ctx, long reps)
{
	pid_t pid = ((struct target *)ctx)->pid;

	for (long i = 0; i < reps; i++)
		if (probe(pid))
			return -1;
	return 0;
}

/* The crate's new(): kill(pid, 0) proves existence, not access. */
static int open_crate(void *ctx, long reps)
{
	pid_t pid = ((struct target *)ctx)->pid;

	for (long i = 0; i < reps; i++)
		if (kill(pid, 0))
			return bench_fail("kill(%d, 0)", (int)pid);
	return 0;
}

static int open_close(struct target *t, long reps, unsigned flags)
{
	for (long i = 0; i < reps; i++) {
		pvmio *io;

		if (pvmio_open(&io, t->pid, (uintptr_t)t->buf, flags))
			return bench_fail("pvmio_open(%d)", (int)t->pid);
		pvmio_close(io);
	}
	return 0;
}

static int open_pinned(void *ctx, long reps)
{
	return open_close(ctx, reps, 0);
}

static int open_unpinned(void *ctx, long reps)
{
	return open_close(ctx, reps, PVMIO_UNPINNED);
}

void bench_open(struct target *t)
{
	struct group pinned = {
		.title = "open + close, pinned", .section = "open",
		.unit = "call", .chunk = 0, .ctx = t,
	};
	struct group unpinned = {
		.title = "open + close, unpinned", .section = "open",
		.unit = "call", .chunk = 1, .ctx = t,
	};

	int fd = (int)syscall(SYS_pidfd_open, t->pid, 0);

	/* without pidfd_open (old kernel, valgrind) handles are not pinned */
	if (fd >= 0) {
		close(fd);
		group_add(&pinned, "the same syscalls, bare (raw)",
			  open_raw_pinned);
		group_add(&pinned, "pvmio_open+pvmio_close", open_pinned);
		group_measure(&pinned);
	}
	group_add(&unpinned, "probe: process_vm_readv 1 B (raw)",
		  open_raw_unpinned);
	group_add(&unpinned, "pvmio_open+pvmio_close UNPINNED",
		  open_unpinned);
	group_add(&unpinned, "crate: kill(pid, 0)", open_crate);
	group_measure(&unpinned);
}

/* ---- holes ---- */

static int holes_raw(void *ctx, long reps)
{
	struct holes *h = ctx;
	struct iovec l = { h->buf, h->t->holes_size };
	struct iovec r = { h->t->clean, h->t->holes_size };

	for (long i = 0; i < reps; i++)
		if (process_vm_readv(h->t->pid, &l, 1, &r, 1, 0) !=
		    (ssize_t)l.iov_len)
			return bench_fail("process_vm_readv(64 MiB)");
	h->last = h->clean;
	h->count = l.iov_len;
	return 0;
}

static int holes_pvmio_clean(void *ctx, long reps)
{
	struct holes *h = ctx;
	size_t len = h->t->holes_size;

	for (long i = 0; i < reps; i++)
		if (pvmio_pread(h->io, h->buf, len, (uintptr_t)h->t->clean) !=
		    (ssize_t)len)
			return bench_fail("pvmio_pread(64 MiB)");
	h->last = h->clean;
	h->count = len;
	return 0;
}

/* Read it all as a user would: on EFAULT, seek past the page and go on. */
static int holes_pvmio(void *ctx, long reps)
{
	struct holes *h = ctx;
	size_t len = h->t->holes_size, page = bench_page();

	for (long i = 0; i < reps; i++) {
		size_t done = 0;

		h->count = 0;
		if (pvmio_seek(h->io, (int64_t)(uintptr_t)h->t->holed,
			       SEEK_SET, NULL))
			return bench_fail("pvmio_seek");
		while (done < len) {
			ssize_t n = pvmio_read(h->io, h->buf + done,
					       len - done);

			if (n > 0) {
				done += (size_t)n;
				h->count += (size_t)n;
			} else if (n < 0 && errno == EFAULT) {
				if (pvmio_seek(h->io, (int64_t)page, SEEK_CUR,
					       NULL))
					return bench_fail("pvmio_seek");
				done += page;
			} else {
				return bench_fail("pvmio_read = %zd", n);
			}
		}
	}
	h->last = h->holed_copy;
	return 0;
}

/* The same loop over the crate's transfer. */
static int holes_crate(void *ctx, long reps)
{
	struct holes *h = ctx;
	size_t len = h->t->holes_size, page = bench_page();

	for (long i = 0; i < reps; i++) {
		size_t done = 0;

		h->count = 0;
		while (done < len) {
			uint64_t at = (uintptr_t)h->t->holed + done;
			ssize_t n = crate_transfer(h->t->pid, false,
						   h->buf + done, len - done,
						   at);

			if (n > 0) {
				done += (size_t)n;
				h->count += (size_t)n;
			} else if (n < 0 && errno == EFAULT) {
				done += page;
			} else {
				return bench_fail("crate transfer = %zd", n);
			}
		}
	}
	h->last = h->holed_copy;
	return 0;
}

static int holes_prep(void *ctx, long reps)
{
	struct holes *h = ctx;

	(void)reps;
	memset(h->buf, 0, h->t->holes_size);
	return 0;
}

/* Every byte outside the holes, and the right count. */
static int holes_check(void *ctx, long reps, const char *op)
{
	struct holes *h = ctx;
	size_t len = h->t->holes_size, page = bench_page(), want = len;

	(void)reps;
	(void)op;
	if (h->last == h->clean)
		return memcmp(h->buf, h->clean, len) ? -1 : 0;
	for (size_t off = 0; off < len; off += HOLES_EVERY) {
		size_t hole = off + HOLES_EVERY / 2;

		if (memcmp(h->buf + off, h->last + off, HOLES_EVERY / 2) ||
		    memcmp(h->buf + hole + page, h->last + hole + page,
			   HOLES_EVERY / 2 - page))
			return -1;
		want -= page;
	}
	return h->count == want ? 0 : -1;
}

void bench_holes(struct target *t)
{
	size_t len = t->holes_size;
	struct holes h = { .t = t };
	struct group g = {
		.section = "holes", .unit = "op", .bytes = len, .chunk = len,
		.ctx = &h, .prep = holes_prep, .check = holes_check,
	};
	char sz[32];

	snprintf(g.title, sizeof(g.title), "holes: read %s, 1 hole per MiB",
		 bench_size_str(len, sz, sizeof(sz)));
	if (!group_wanted(&g))
		return;
	h.buf = bench_alloc(len);
	h.clean = bench_alloc(len);
	h.holed_copy = bench_alloc(len);
	bench_fill(h.clean, len, 2);
	bench_fill(h.holed_copy, len, 3);
	if (pvmio_open(&h.io, t->pid, 0, 0))
		bench_die("pvmio_open: %s", pvmio_errmsg());
	group_add(&g, "process_vm_readv, no holes (raw)", holes_raw);
	group_add(&g, "pvmio_read, no holes", holes_pvmio_clean);
	group_add(&g, OP_HOLES, holes_pvmio);
	group_add(&g, "crate method, holes, skip each", holes_crate);
	group_measure(&g);
	pvmio_close(h.io);
	bench_free(h.buf, len);
	bench_free(h.clean, len);
	bench_free(h.holed_copy, len);
}
