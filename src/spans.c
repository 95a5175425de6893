/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather spans. The kernel charges per remote iovec, so reads that
 * lie close together share one remote iovec and the small gaps between
 * them land in a scratch buffer. Far-apart spans still share a syscall,
 * one remote iovec each. When a batch comes back short, the unit that
 * failed is split (a coalesced run into its spans, a span into one exact
 * transfer), so a hole in one span or gap never costs the others.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Gaps up to this size are read rather than skipped: copying 1 KiB costs
 * less than the ~250 ns the kernel spends on another remote iovec. */
#define GAP_MAX		1024
#define RUN_SPANS	500		/* a run's local iovecs stay < IOV_MAX */
#define RUN_BYTES	(1u << 20)

struct unit {			/* one remote iovec of a batch */
	uint64_t addr, len;
	size_t first, count;	/* its spans: order[first .. first + count) */
};

struct spanjob {
	pvmio *io;
	bool write;
	struct pvmio_span *spans;
	size_t *order;		/* batched spans, by address */
	uint64_t bad_page;	/* an exact transfer stopped there; ~0: none */
	char scratch[GAP_MAX];
	/* one batch's iovecs: here, not on the stack, for run_units()
	 * recurses; a batch is dead once its call returned */
	struct iovec lv[PVMIO__IOV_MAX], rv[PVMIO__IOV_MAX];
};

static struct pvmio_span *nth(struct spanjob *j, size_t i)
{
	return &j->spans[j->order[i]];
}

/*
 * Did the transfer stop at addr because of the remote page? A bad local
 * buffer stops it too, and must not condemn the other spans on that page:
 * one byte read into scratch tells (with the handle's FORCE, if any).
 */
static bool remote_bad(struct spanjob *j, uint64_t addr)
{
	struct iovec v = { j->scratch, 1 };
	struct pvmio__req rq = {
		.io = j->io, .addr = addr, .len = 1,
		.local = { .iov = &v, .cnt = 1 },
	};

	return pvmio__run_serial(&rq) != 1;
}

/* The rules of one pvmio_pread/pwrite, for a span that cannot be batched. */
static int exact(struct spanjob *j, struct pvmio_span *s)
{
	struct iovec v = { s->buf, s->len };
	struct pvmio__req rq = {
		.io = j->io, .write = j->write, .addr = s->address,
		.len = pvmio__clamp(s->address, s->len),
		.local = { .iov = &v, .cnt = 1 },
	};
	ssize_t n = rq.len ? pvmio__run_serial(&rq) : 0;
	uint64_t stop = s->address + (uint64_t)(n > 0 ? n : 0);

	s->done = n;
	if (((n >= 0 && (uint64_t)n < rq.len) || n == -EFAULT) &&
	    remote_bad(j, stop))
		j->bad_page = stop & ~(uint64_t)(pvmio__page_size() - 1);
	/* the process, not the span, failed: the whole call fails */
	return (n == -ESRCH || n == -EPERM || n == -ENOMEM) ? (int)n : 0;
}

/* Local iovecs of unit u: each span, with the gap before it into scratch. */
static size_t unit_local(struct spanjob *j, const struct unit *u,
			 struct iovec *out)
{
	uint64_t at = u->addr;
	size_t n = 0;

	for (size_t i = u->first; i < u->first + u->count; i++) {
		struct pvmio_span *s = nth(j, i);

		if (s->address > at)
			out[n++] = (struct iovec){ j->scratch, s->address - at };
		out[n++] = (struct iovec){ s->buf, s->len };
		at = s->address + s->len;
	}
	return n;
}

static void unit_done(struct spanjob *j, const struct unit *u)
{
	for (size_t i = u->first; i < u->first + u->count; i++)
		nth(j, i)->done = (ssize_t)nth(j, i)->len;
}

static int run_units(struct spanjob *j, struct unit *units, size_t nu);

/* A unit came back short: retry its spans one by one, or exactly. */
static int split(struct spanjob *j, const struct unit *u)
{
	struct unit *each;
	int err;

	if (u->count == 1)
		return exact(j, nth(j, u->first));
	each = malloc(u->count * sizeof(*each));
	if (!each)
		return -ENOMEM;
	for (size_t i = 0; i < u->count; i++) {
		struct pvmio_span *s = nth(j, u->first + i);

		each[i] = (struct unit){ s->address, s->len, u->first + i, 1 };
	}
	err = run_units(j, each, u->count);
	free(each);
	return err;
}

/* Units [u, end) that fit one call; returns end and fills the iovecs. */
static size_t batch(struct spanjob *j, const struct unit *units, size_t u,
		    size_t nu, struct iovec *lv, size_t *nl, struct iovec *rv)
{
	size_t bytes = 0, nr = 0;

	*nl = 0;
	for (; u < nu && nr < PVMIO__IOV_MAX; u++, nr++) {
		if (*nl + 2 * units[u].count > PVMIO__IOV_MAX ||
		    units[u].len > PVMIO__MAX_RW - bytes)
			break;
		*nl += unit_local(j, &units[u], lv + *nl);
		rv[nr] = (struct iovec){ (void *)(uintptr_t)units[u].addr,
					 (size_t)units[u].len };
		bytes += units[u].len;
	}
	return u;
}

/* Single spans that start on the page where a transfer just stopped fail
 * at their first byte: answer them without asking the kernel again. */
static size_t skip_bad_page(struct spanjob *j, const struct unit *units,
			    size_t u, size_t nu)
{
	uint64_t mask = ~(uint64_t)(pvmio__page_size() - 1);

	for (; u < nu && units[u].count == 1; u++) {
		if (j->bad_page == UINT64_MAX || (units[u].addr & mask) != j->bad_page)
			break;
		nth(j, units[u].first)->done = -EFAULT;
	}
	return u;
}

static int run_units(struct spanjob *j, struct unit *units, size_t nu)
{
	struct iovec *lv = j->lv, *rv = j->rv;
	size_t u = 0, end, nl;

	while (u < nu) {
		ssize_t n;
		int err;

		end = batch(j, units, u, nu, lv, &nl, rv);
		n = pvmio__cma(j->io->pid, j->write, lv, nl, rv, end - u);
		if (n < 0 && n != -EFAULT && n != -ENOSYS)
			return (int)n;
		/* units wholly inside the count are done; the next one failed */
		for (; u < end && n >= (ssize_t)units[u].len; u++) {
			unit_done(j, &units[u]);
			n -= (ssize_t)units[u].len;
		}
		if (u == end)
			continue;
		j->bad_page = UINT64_MAX;
		err = split(j, &units[u++]);
		if (err)
			return err;
		u = skip_bad_page(j, units, u, nu);
	}
	return 0;
}

/* Can s join the run that ends at run_end? Reads may read the gap. */
static bool joins(const struct spanjob *j, const struct unit *run,
		  uint64_t run_end, const struct pvmio_span *s)
{
	uint64_t gap = s->address - run_end;

	return !j->write && s->address >= run_end && gap <= GAP_MAX &&
	       run->count < RUN_SPANS && s->address + s->len - run->addr <= RUN_BYTES;
}

static size_t make_runs(struct spanjob *j, size_t n, struct unit *units)
{
	size_t nu = 0;

	for (size_t i = 0; i < n; i++) {
		struct pvmio_span *s = nth(j, i);
		struct unit *run = nu ? &units[nu - 1] : NULL;

		if (run && joins(j, run, run->addr + run->len, s)) {
			run->len = s->address + s->len - run->addr;
			run->count++;
		} else {
			units[nu++] = (struct unit){ s->address, s->len, i, 1 };
		}
	}
	return nu;
}

/* Spans that one remote iovec can carry whole; the others go exactly. */
static bool batchable(const struct pvmio_span *s)
{
	return !pvmio__cma_missing() && s->len <= PVMIO__MAX_RW &&
	       s->address <= UINT64_MAX - s->len &&
	       s->address + s->len - 1 <= UINTPTR_MAX;
}

static int by_address(const void *a, const void *b, void *arg)
{
	const struct pvmio_span *spans = arg;
	const struct pvmio_span *x = &spans[*(const size_t *)a];
	const struct pvmio_span *y = &spans[*(const size_t *)b];

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/*
 * Sort out the spans: invalid and empty ones are answered at once, the
 * batchable ones fill order[] from the front (sorted by address), and the
 * rest, which get one exact transfer each, fill it from the back.
 */
static size_t triage(struct spanjob *j, size_t n, size_t *nexact)
{
	bool sorted = true;
	size_t nb = 0;

	*nexact = 0;
	for (size_t i = 0; i < n; i++) {
		struct pvmio_span *s = &j->spans[i];

		s->done = 0;
		if (s->len && (!s->buf || s->len > SSIZE_MAX)) {
			s->done = -EINVAL;
		} else if (s->len && batchable(s)) {
			sorted = sorted && (!nb || nth(j, nb - 1)->address <= s->address);
			j->order[nb++] = i;
		} else if (s->len) {
			j->order[n - ++*nexact] = i;
		}
	}
	if (!sorted)
		qsort_r(j->order, nb, sizeof(*j->order), by_address, j->spans);
	return nb;
}

static int run_exact(struct spanjob *j, size_t n, size_t nexact)
{
	for (size_t k = 1; k <= nexact; k++) {
		int err = exact(j, &j->spans[j->order[n - k]]);

		if (err)
			return err;
	}
	return 0;
}

static int run_all(struct spanjob *j, size_t n)
{
	struct unit *units = malloc(n * sizeof(*units) + 1);	/* n may be 0 */
	size_t nb, nexact;
	int err;

	if (!units)
		return -ENOMEM;
	nb = triage(j, n, &nexact);
	err = run_units(j, units, make_runs(j, nb, units));
	if (!err)
		err = run_exact(j, n, nexact);
	free(units);
	return err;
}

static ssize_t spans_io(pvmio *io, bool write, struct pvmio_span *spans,
			size_t n)
{
	const char *fn = write ? "pvmio_write_spans" : "pvmio_read_spans";
	struct spanjob *j;
	ssize_t complete = 0;
	int err;

	if (!io || (n && !spans) || n > SIZE_MAX / sizeof(struct unit))
		return pvmio__fail(EINVAL, "%s: %s", fn, io ? "bad spans" : "NULL handle");
	if (write && (err = pvmio__alive(io)) < 0)
		goto fail;
	j = malloc(sizeof(*j));
	if (j)
		j->order = malloc(n * sizeof(*j->order) + 1);
	if (!j || !j->order) {
		free(j);
		return pvmio__fail(ENOMEM, "%s(pid %d, %zu spans)", fn, (int)io->pid, n);
	}
	j->io = io;
	j->write = write;
	j->spans = spans;
	j->bad_page = UINT64_MAX;
	err = run_all(j, n);
	free(j->order);
	free(j);
	if (!err)
		err = pvmio__alive(io);
	if (err)
		goto fail;
	for (size_t i = 0; i < n; i++)
		complete += spans[i].done == (ssize_t)spans[i].len;
	return complete;
fail:
	for (size_t i = 0; i < n; i++)
		spans[i].done = err;
	return pvmio__fail(-err, "%s(pid %d, %zu spans)%s", fn, (int)io->pid, n,
			   err == -ESRCH ? ": the process exited" : "");
}

/* A span that stopped at a fault is a result, not a failure of the call. */
static ssize_t spans_held(pvmio *io, bool write, struct pvmio_span *spans,
			  size_t n)
{
	ssize_t r;

	pvmio__err_hold();
	r = spans_io(io, write, spans, n);
	pvmio__err_release(r < 0);
	return r;
}

ssize_t pvmio_read_spans(pvmio *io, struct pvmio_span *spans, size_t n)
{
	return spans_held(io, false, spans, n);
}

ssize_t pvmio_write_spans(pvmio *io, struct pvmio_span *spans, size_t n)
{
	return spans_held(io, true, spans, n);
}
