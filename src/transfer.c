/* SPDX-License-Identifier: MIT */
/*
 * The transfer engine. The fast path hands the kernel one remote iovec as
 * large as a call may carry. Linux reports a short transfer at the first
 * page it could not pin, but the man page only promises iovec granularity,
 * so after any short result we find the boundary with one remote iovec per
 * page: whatever the kernel's granularity, that count is exact.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

#include "internal.h"

/* Page-walk batch; small so that the engine's stack stays modest. */
#define WALK_PAGES 256

static bool cma_gone;

bool pvmio__cma_missing(void)
{
	return __atomic_load_n(&cma_gone, __ATOMIC_RELAXED);
}

static const char *cma_name(bool write)
{
	return write ? "process_vm_writev" : "process_vm_readv";
}

ssize_t pvmio__cma(pid_t pid, bool write, const struct iovec *l, size_t nl,
		   const struct iovec *r, size_t nr)
{
	ssize_t n = write ? process_vm_writev(pid, l, nl, r, nr, 0)
			  : process_vm_readv(pid, l, nl, r, nr, 0);

	if (n >= 0)
		return n;
	if (errno == ENOSYS)
		__atomic_store_n(&cma_gone, true, __ATOMIC_RELAXED);
	return -errno;
}

/* Bytes from addr that a process_vm_* iovec can name (all of them on LP64). */
static uint64_t cma_reach(uint64_t addr, uint64_t left)
{
	if (UINTPTR_MAX < UINT64_MAX) {
		if (addr > UINTPTR_MAX)
			return 0;
		if (left > (uint64_t)UINTPTR_MAX - addr + 1)
			return (uint64_t)UINTPTR_MAX - addr + 1;
	}
	return left;
}

static size_t min_sz(uint64_t a, size_t b)
{
	return a < b ? (size_t)a : b;
}

/* Record the failed call and hand its -errno on. */
static int call_failed(const struct pvmio__req *rq, int err, uint64_t addr,
		       uint64_t len)
{
	pvmio__fail_xfer(err, cma_name(rq->write), rq->io->pid, addr, len);
	return -err;
}

/* Advance both sides by n moved bytes. */
static void moved(struct pvmio__req *rq, uint64_t *done, size_t n)
{
	pvmio__lcur_advance(&rq->local, n);
	*done += n;
}

/*
 * Find the exact end of the accessible run that starts at rq->addr + *done,
 * moving what lies before it. 0: a whole batch moved (back to the fast
 * path); -errno: stopped there, with the message recorded.
 */
static int page_walk(struct pvmio__req *rq, uint64_t *done, uint64_t left)
{
	struct iovec lv[WALK_PAGES], rv[WALK_PAGES + 1];
	uint64_t addr = rq->addr + *done;
	size_t page = pvmio__page_size(), nl, nr, bytes;
	ssize_t n;

	bytes = pvmio__lcur_fill(&rq->local, lv, WALK_PAGES,
				 min_sz(left, (WALK_PAGES - 1) * page), &nl);
	nr = pvmio__page_iovecs(addr, bytes, rv, WALK_PAGES + 1, page);
	n = pvmio__cma(rq->io->pid, rq->write, lv, nl, rv, nr);
	if (n == (ssize_t)bytes) {
		moved(rq, done, bytes);
		return 0;
	}
	if (n < 0)
		return call_failed(rq, (int)-n, addr, bytes);
	moved(rq, done, (size_t)n);
	return call_failed(rq, EFAULT, addr + (size_t)n, bytes - (size_t)n);
}

/* One call, one remote iovec over up to len bytes; moves what it moved.
 * Returns the kernel's answer and, in *asked, what it was asked for. */
static ssize_t one_call(struct pvmio__req *rq, uint64_t *done, uint64_t len,
			size_t *asked)
{
	struct iovec lv[PVMIO__IOV_MAX], rv;
	size_t nl;
	ssize_t n;

	*asked = pvmio__lcur_fill(&rq->local, lv, PVMIO__IOV_MAX,
				  min_sz(len, PVMIO__MAX_RW), &nl);
	rv.iov_base = (void *)(uintptr_t)(rq->addr + *done);
	rv.iov_len = *asked;
	n = pvmio__cma(rq->io->pid, rq->write, lv, nl, &rv, 1);
	if (n > 0)
		moved(rq, done, (size_t)n);
	return n;
}

/*
 * A fault lies within the next `left` bytes, yet the page walk found a
 * whole batch accessible: this kernel reports faults per iovec, not per
 * page. Halve the window until it is small enough for the page walk, so
 * the search costs O(log n) calls instead of a walk over every page.
 */
static int bisect(struct pvmio__req *rq, uint64_t *done, uint64_t left)
{
	uint64_t page = pvmio__page_size(), walk = (WALK_PAGES - 1) * page;

	while (left > walk) {
		uint64_t half = (left / 2 + page - 1) & ~(page - 1);
		size_t asked;
		ssize_t n = one_call(rq, done, half, &asked);

		if (n == (ssize_t)asked) {
			left -= asked;
			continue;
		}
		if (n < 0 && n != -EFAULT)
			return call_failed(rq, (int)-n, rq->addr + *done, asked);
		left = asked - (size_t)(n > 0 ? n : 0);
	}
	return left ? page_walk(rq, done, left) : 0;
}

/* One fast call; on a short result, find the exact boundary. */
static int cma_step(struct pvmio__req *rq, uint64_t *done, uint64_t left)
{
	uint64_t before;
	size_t asked;
	ssize_t n = one_call(rq, done, left, &asked);
	int err;

	if (n == (ssize_t)asked || n == -ENOSYS)
		return 0;	/* on ENOSYS the loop moves to /proc/PID/mem */
	if (n < 0 && n != -EFAULT)
		return call_failed(rq, (int)-n, rq->addr + *done, asked);
	/* Linux stops at the faulting page: one walk call confirms it */
	left = asked - (size_t)(n > 0 ? n : 0);
	before = *done;
	err = page_walk(rq, done, left);
	if (err)
		return err;
	return bisect(rq, done, left - (*done - before));
}

/* The rest of the request through /proc/PID/mem. */
static int mem_step(struct pvmio__req *rq, uint64_t *done, bool force)
{
	struct pvmio__req sub = *rq;
	int err = 0;

	sub.addr = rq->addr + *done;
	sub.len = rq->len - *done;
	moved(rq, done, pvmio__mem_run(&sub, force, &err));
	return err;
}

ssize_t pvmio__run_serial(struct pvmio__req *rq)
{
	bool force = rq->io->flags & PVMIO_FORCE;
	uint64_t done = 0;
	int err = 0;

	while (done < rq->len && !err) {
		uint64_t addr = rq->addr + done;
		uint64_t left = cma_reach(addr, rq->len - done);

		if (pvmio__cma_missing() || !left)
			err = mem_step(rq, &done, force);
		else
			err = cma_step(rq, &done, left);
	}
	/* what process_vm_* refused on a mapped page, a debugger may force */
	if (err == -EFAULT && force && done < rq->len && !pvmio__cma_missing())
		err = mem_step(rq, &done, true);
	if (done)
		return (ssize_t)done;	/* the error waits for the next call */
	return err;
}

ssize_t pvmio__run(struct pvmio__req *rq)
{
	struct pvmio *io = rq->io;
	ssize_t n;
	int dead;

	/* a write must not land in a process that took over a reused PID */
	if (rq->write && (dead = pvmio__alive(io)) < 0)
		goto gone;
	n = pvmio__pool_wants(io, rq) ? pvmio__pool_run(io->pool, rq)
				       : pvmio__run_serial(rq);
	if ((dead = pvmio__alive(io)) < 0)
		goto gone;
	return n;
gone:
	pvmio__fail(-dead, "%s(pid %d): the process exited; its PID may be reused",
		    rq->write ? "write" : "read", (int)io->pid);
	return dead;
}

/*
 * The common case, one local buffer that one call moves whole, without the
 * engine's bookkeeping: it is most of the cost of a 64-byte read otherwise.
 * Returns the bytes moved: all of them (checks done), or a prefix that the
 * engine goes on from, with errno as the caller left it.
 */
static size_t fast_prefix(struct pvmio__req *rq)
{
	struct pvmio *io = rq->io;
	struct iovec r = { (void *)(uintptr_t)rq->addr, (size_t)rq->len };
	int saved = errno;
	ssize_t n;

	if (rq->local.cnt != 1 || rq->len > PVMIO__MAX_RW ||
	    cma_reach(rq->addr, rq->len) != rq->len || pvmio__cma_missing() ||
	    pvmio__pool_wants(io, rq) || (rq->write && pvmio__alive(io)))
		return 0;
	n = pvmio__cma(io->pid, rq->write, rq->local.iov, 1, &r, 1);
	errno = saved;
	if (n == (ssize_t)rq->len && pvmio__alive(io) < 0)
		return 0;	/* the engine finds it dead and says so */
	return n > 0 ? (size_t)n : 0;
}

ssize_t pvmio__transfer(struct pvmio *io, bool write, const struct iovec *iov,
			size_t cnt, uint64_t addr, const char *fn)
{
	struct pvmio__req rq = { .io = io, .write = write, .addr = addr };
	size_t total, first;
	ssize_t n;

	if (pvmio__iov_total(iov, cnt, &total))
		return pvmio__fail(EINVAL, "%s(pid %d): NULL buffer or length over SSIZE_MAX",
				   fn, (int)io->pid), -EINVAL;
	rq.local.iov = iov;
	rq.local.cnt = cnt;
	rq.len = pvmio__clamp(addr, total);
	if (!rq.len)
		return 0;
	first = fast_prefix(&rq);
	if (first == rq.len)
		return (ssize_t)first;
	pvmio__lcur_advance(&rq.local, first);
	rq.addr += first;
	rq.len -= first;
	pvmio__err_hold();
	n = pvmio__run(&rq);
	/* a prefix moved, then the target died: the call fails as a whole */
	if (n > 0 || (n < 0 && n != -ESRCH && first))
		n = (ssize_t)first + (n > 0 ? n : 0);
	pvmio__err_release(n < 0);
	return n;
}
