/* SPDX-License-Identifier: MIT */
/*
 * The transfer engine and the stream API over a fake address space. The
 * fuzzer binary defines process_vm_readv/writev and preadv/pwritev itself
 * (the library's calls bind to these), and they serve a model: a few areas
 * of pages, each a hole, PROT_NONE, read-only or read-write, anywhere in
 * the 2^64 bytes, also at the very top. Each call is checked against a
 * byte-by-byte reference: the count, the bytes, the cursor, and that no
 * byte outside the requested range is ever named in a syscall.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuzz.h"
#include "internal.h"

#define TOP63 ((uint64_t)1 << 63)
#define FAKE_PID 4242
#define FAKE_MEMFD 1000		/* never a real fd of ours: see fake_fd() */
#define MAX_AREAS 4
#define MAX_PAGES 320
#define MAX_OPS 6
#define MAX_SPANS 24
#define GAP_READ 1024		/* src/spans.c reads gaps up to GAP_MAX */

enum kind { HOLE, NONE, RO, RW };

struct area {
	uint64_t base;
	size_t pages;
	uint8_t kind[MAX_PAGES];
	uint8_t *data, *snap;
};

static struct area areas[MAX_AREAS];
static int nareas;
static size_t pg;

/* What the fake kernel knows about the call in progress. */
static struct {
	uint64_t lo;
	u128 hi;		/* the request: [lo, hi) */
	u128 span_lo[MAX_SPANS], span_hi[MAX_SPANS];	/* or these */
	unsigned nspans;
	unsigned gap;		/* bytes between spans a read may cover */
	uint8_t *buf;
	size_t len;		/* the caller's buffer */
	bool any_local;		/* the open probe: a byte of the library's */
	bool iov_gran;		/* report only whole remote iovecs */
	bool force;
	unsigned calls, fail_at;
	int fail_err;
	bool failed;
	uint64_t moved;
} fk;

static uint8_t *byte_at(uint64_t a, enum kind *k)
{
	for (int i = 0; i < nareas; i++) {
		uint64_t d = a - areas[i].base;

		if (d < areas[i].pages * pg) {
			*k = (enum kind)areas[i].kind[d / pg];
			return areas[i].data + d;
		}
	}
	*k = HOLE;
	return NULL;
}

static bool cma_ok(uint64_t a, bool write)
{
	enum kind k;

	byte_at(a, &k);
	return k == RW || (k == RO && !write);
}

/* /proc/PID/mem: FOLL_FORCE reaches any mapped page, below 2^63 only. */
static bool mem_ok(uint64_t a)
{
	enum kind k;

	byte_at(a, &k);
	return k != HOLE && a < TOP63;
}

static size_t check_local(const struct iovec *lv, unsigned long nl, bool write)
{
	size_t total = 0;

	FZ_CHECK(nl <= PVMIO__IOV_MAX, "%lu local iovecs", nl);
	for (unsigned long i = 0; i < nl; i++) {
		const uint8_t *b = lv[i].iov_base;

		/*
		 * Span reads put the gaps between spans in a scratch buffer,
		 * and after a short span a 1-byte read there asks whether the
		 * remote page was to blame (for writes too).
		 */
		if (fk.nspans && !write && lv[i].iov_len <= GAP_READ &&
		    (b < fk.buf || b >= fk.buf + fk.len)) {
			total += lv[i].iov_len;
			continue;
		}
		FZ_CHECK(lv[i].iov_len == 0 || fk.any_local ||
			 (b >= fk.buf && lv[i].iov_len <= fk.len &&
			  b - fk.buf <= (ptrdiff_t)(fk.len - lv[i].iov_len)),
			 "local iovec %lu (%p+%zu) outside the buffer %p+%zu", i,
			 b, lv[i].iov_len, fk.buf, fk.len);
		total += lv[i].iov_len;
	}
	FZ_CHECK(total <= PVMIO__MAX_RW, "%zu bytes in one call", total);
	return total;
}

/* Is [a, end) inside the spans, with gaps up to fk.gap between them? */
static bool in_spans(u128 a, u128 end)
{
	while (a < end) {
		unsigned i;

		for (i = 0; i < fk.nspans; i++)
			if (fk.span_lo[i] <= a && a < fk.span_hi[i] + fk.gap &&
			    fk.span_lo[i] < fk.span_hi[i])
				break;
		if (i == fk.nspans)
			return false;
		a = fk.span_hi[i] + fk.gap;
	}
	return true;
}

static void check_remote(uint64_t a, uint64_t len)
{
	FZ_CHECK(len <= SSIZE_MAX, "remote length %#lx", len);
	if (fk.nspans) {
		FZ_CHECK(!len || in_spans(a, (u128)a + len),
			 "remote %#lx+%#lx outside the spans", a, len);
		return;
	}
	FZ_CHECK(!len || (a >= fk.lo && (u128)a + len <= fk.hi),
		 "remote %#lx+%#lx outside the request %#lx-%#lx", a, len,
		 fk.lo, (uint64_t)(fk.hi - 1));
}

/* Local stream position while copying. */
struct lpos {
	const struct iovec *v;
	unsigned long i;
	size_t off;
};

/* The area bytes at a, and how many follow in the same area. */
static uint8_t *run_at(uint64_t a, size_t *run)
{
	for (int i = 0; i < nareas; i++) {
		uint64_t d = a - areas[i].base;

		if (d < areas[i].pages * pg) {
			*run = areas[i].pages * pg - (size_t)d;
			return areas[i].data + d;
		}
	}
	return NULL;
}

static void copy(struct lpos *l, uint64_t a, size_t len, bool write)
{
	while (len) {
		size_t room = l->v[l->i].iov_len - l->off, step;
		uint8_t *local = (uint8_t *)l->v[l->i].iov_base + l->off;
		uint8_t *remote = run_at(a, &step);

		if (!room) {
			l->i++;
			l->off = 0;
			continue;
		}
		FZ_CHECK(remote, "copy from a hole at %#lx", a);
		step = step < room ? step : room;
		step = step < len ? step : len;
		if (write)
			memcpy(remote, local, step);
		else
			memcpy(local, remote, step);
		l->off += step;
		a += step;
		len -= step;
	}
}

static bool inject(void)
{
	if (++fk.calls != fk.fail_at)
		return false;
	fk.failed = true;
	errno = fk.fail_err;
	return true;
}

static ssize_t fake_cma(bool write, const struct iovec *lv, unsigned long nl,
			const struct iovec *rv, unsigned long nr,
			unsigned long flags)
{
	size_t left = check_local(lv, nl, write), moved = 0;
	struct lpos l = { lv, 0, 0 };
	bool fault = false;

	FZ_CHECK(flags == 0 && nr <= PVMIO__IOV_MAX, "flags %lu, %lu remote",
		 flags, nr);
	for (unsigned long i = 0; i < nr; i++)
		check_remote((uintptr_t)rv[i].iov_base, rv[i].iov_len);
	if (inject())
		return -1;
	for (unsigned long i = 0; i < nr && left && !fault; i++) {
		uint64_t a = (uintptr_t)rv[i].iov_base;
		size_t want = rv[i].iov_len < left ? rv[i].iov_len : left, ok = 0;

		while (ok < want && cma_ok(a + ok, write)) {
			size_t step = pg - ((a + ok) & (pg - 1));

			ok += step < want - ok ? step : want - ok;
		}
		fault = ok < want;
		if (fault && fk.iov_gran)
			ok = 0;
		copy(&l, a, ok, write);
		moved += ok;
		left -= ok;
	}
	if (!moved && fault) {
		errno = EFAULT;
		return -1;
	}
	fk.moved += moved;
	return (ssize_t)moved;
}

ssize_t process_vm_readv(pid_t pid, const struct iovec *lv, unsigned long nl,
			 const struct iovec *rv, unsigned long nr,
			 unsigned long flags)
{
	FZ_CHECK(pid == FAKE_PID, "pid %d", (int)pid);
	return fake_cma(false, lv, nl, rv, nr, flags);
}

ssize_t process_vm_writev(pid_t pid, const struct iovec *lv, unsigned long nl,
			  const struct iovec *rv, unsigned long nr,
			  unsigned long flags)
{
	FZ_CHECK(pid == FAKE_PID, "pid %d", (int)pid);
	return fake_cma(true, lv, nl, rv, nr, flags);
}

static ssize_t fake_mem(bool write, const struct iovec *lv, int nl, off_t off)
{
	size_t left, ok = 0;
	struct lpos l = { lv, 0, 0 };
	uint64_t a = (uint64_t)off;

	FZ_CHECK(fk.force, "/proc/PID/mem used without PVMIO_FORCE");
	FZ_CHECK(nl >= 0, "%d iovecs", nl);
	left = check_local(lv, (unsigned long)nl, write);
	check_remote(a, left);
	if (inject())
		return -1;
	if (off < 0) {
		errno = EINVAL;	/* what preadv says for offsets >= 2^63 */
		return -1;
	}
	while (ok < left && mem_ok(a + ok)) {
		size_t step = pg - ((a + ok) & (pg - 1));

		ok += step < left - ok ? step : left - ok;
	}
	if (!ok && left) {
		errno = EIO;
		return -1;
	}
	copy(&l, a, ok, write);
	fk.moved += ok;
	return (ssize_t)ok;
}

/* The library opens nothing here: its memfd is preset to FAKE_MEMFD. */
static bool fake_fd(int fd)
{
	return fd == FAKE_MEMFD;
}

ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	if (!fake_fd(fd))
		return syscall(SYS_preadv, fd, iov, cnt, (long)off, 0L);
	return fake_mem(false, iov, cnt, off);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	if (!fake_fd(fd))
		return syscall(SYS_pwritev, fd, iov, cnt, (long)off, 0L);
	return fake_mem(true, iov, cnt, off);
}

/* ---- the model's memory ---- */

static uint8_t pattern(uint64_t a)
{
	return (uint8_t)((a ^ a >> 11 ^ a >> 23 ^ a >> 41 ^ a >> 57) * 131u);
}

static bool overlaps(uint64_t base, u128 size)
{
	for (int i = 0; i < nareas; i++) {
		u128 b = areas[i].base, e = b + areas[i].pages * pg;

		if (base < e && b < base + size)
			return true;
	}
	return false;
}

static enum kind fz_kind(struct fz *f)
{
	static const enum kind k[8] = { RW, RW, RW, RW, RO, RO, NONE, HOLE };

	return k[fz_u8(f) & 7];
}

static void make_area(struct fz *f)
{
	struct area *a = &areas[nareas];
	size_t pages = 1 + (size_t)fz_below(f, fz_u8(f) < 24 ? MAX_PAGES : 12);
	u128 size = (u128)pages * pg;
	uint64_t base = fz_edgy(f) & ~(uint64_t)(pg - 1);

	if (nareas && fz_u8(f) & 1)	/* abut the previous area */
		base = areas[nareas - 1].base + areas[nareas - 1].pages * pg;
	if ((u128)base + size > TWO64)
		base = (uint64_t)(TWO64 - size);
	if (overlaps(base, size))
		return;
	a->base = base;
	a->pages = pages;
	a->data = malloc(pages * pg);
	a->snap = malloc(pages * pg);
	if (!a->data || !a->snap)
		abort();
	for (size_t p = 0; p < pages;) {
		enum kind k = fz_kind(f);
		size_t run = 1 + (size_t)fz_below(f, pages - p);

		while (run-- && p < pages)
			a->kind[p++] = (uint8_t)k;
	}
	for (size_t i = 0; i < pages * pg; i++)
		a->data[i] = pattern(base + i);
	nareas++;
}

static void free_areas(void)
{
	for (int i = 0; i < nareas; i++) {
		free(areas[i].data);
		free(areas[i].snap);
	}
	nareas = 0;
}

/* ---- the reference ---- */

/* DESIGN.md: the accessible prefix; with PVMIO_FORCE, what process_vm_*
 * refuses continues through /proc/PID/mem, which reaches below 2^63. */
static int64_t ref_xfer(bool write, uint64_t addr, size_t len)
{
	u128 n = TWO64 - addr < len ? TWO64 - addr : len, i = 0;

	if (!n)
		return 0;
	while (i < n && cma_ok(addr + (uint64_t)i, write))
		i++;
	while (fk.force && i < n && mem_ok(addr + (uint64_t)i))
		i++;
	return i ? (int64_t)i : -EFAULT;
}

/* ---- one session: a handle, a few operations ---- */

enum op { OP_SEEK, OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_PREAD,
	  OP_PWRITE, OP_RSPANS, OP_WSPANS, OP_COUNT };

struct local {
	struct iovec *iov;
	int cnt;
	uint8_t *buf;
	size_t len;
	bool bad;		/* a NULL buffer or a negative count */
};

/* Mostly small; now and then a few pages, rarely over the engine's
 * 1 MiB page-walk batch. An exhausted input gives 0. */
static size_t fz_size(struct fz *f)
{
	uint8_t how = fz_u8(f);

	if (how == 0xff)
		return (size_t)fz_below(f, 1200 * 1024);
	if (how >= 0xc0)
		return (1 + (size_t)fz_below(f, 16)) * pg + fz_below(f, 65) - 32;
	return (size_t)fz_below(f, 300);
}

static void make_local(struct fz *f, struct local *lc, bool vec, bool write)
{
	size_t left;
	bool even;

	lc->len = left = fz_size(f);
	lc->cnt = vec ? 1 + (int)fz_below(f, fz_u8(f) < 8 ? 1100 : 8) : 1;
	even = fz_u8(f) & 1;
	lc->buf = malloc(lc->len ? lc->len : 1);
	lc->iov = calloc((size_t)lc->cnt, sizeof(*lc->iov));
	if (!lc->buf || !lc->iov)
		abort();
	for (int i = 0; i < lc->cnt; i++) {
		size_t piece = i + 1 == lc->cnt ? left :
			       even ? lc->len / (size_t)lc->cnt :
			       fz_below(f, left + 1);

		lc->iov[i].iov_base = lc->buf + (lc->len - left);
		lc->iov[i].iov_len = piece;
		left -= piece;
	}
	for (size_t i = 0; i < lc->len; i++)
		lc->buf[i] = write ? (uint8_t)(i * 7 + 3) : (uint8_t)(0xa5 ^ i);
	lc->bad = fz_u8(f) == 0x5a;
	if (lc->bad && (!vec || fz_u8(f) & 1)) {
		lc->iov[0].iov_base = NULL;
		lc->iov[0].iov_len += !lc->iov[0].iov_len;
	} else if (lc->bad) {
		lc->cnt = -1 - (int)fz_below(f, 4);
	}
}

static void free_local(struct local *lc)
{
	free(lc->buf);
	free(lc->iov);
}

static uint64_t pick_addr(struct fz *f)
{
	uint8_t how = fz_u8(f);
	const struct area *a = &areas[how % nareas];

	if (how < 32)
		return fz_edgy(f);
	return a->base + fz_below(f, a->pages * pg + 2 * pg) - pg;
}

static void snapshot(void)
{
	for (int i = 0; i < nareas; i++)
		memcpy(areas[i].snap, areas[i].data, areas[i].pages * pg);
}

static void check_read(const struct local *lc, uint64_t addr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum kind k;
		const uint8_t *m = byte_at(addr + i, &k);

		FZ_CHECK(m && lc->buf[i] == *m, "byte %zu of a read at %#lx", i,
			 addr);
	}
	for (size_t i = n; i < lc->len; i++)
		FZ_CHECK(lc->buf[i] == (uint8_t)(0xa5 ^ i),
			 "byte %zu beyond the count %zu changed", i, n);
}

/* Every model byte is as before, except [addr, addr + n), now the buffer. */
static void check_write(const struct local *lc, uint64_t addr, size_t n)
{
	for (int i = 0; i < nareas; i++) {
		const struct area *a = &areas[i];
		size_t size = a->pages * pg;
		u128 lo = addr > a->base ? addr : a->base;
		u128 hi = (u128)addr + n < (u128)a->base + size ?
			  (u128)addr + n : (u128)a->base + size;
		size_t from = (size_t)(lo - a->base), to = (size_t)(hi - a->base);

		if (hi <= lo) {
			FZ_CHECK(!memcmp(a->data, a->snap, size),
				 "a write at %#lx+%zu changed area %#lx", addr,
				 n, a->base);
			continue;
		}
		FZ_CHECK(!memcmp(a->data, a->snap, from) &&
			 !memcmp(a->data + to, a->snap + to, size - to),
			 "a write at %#lx+%zu changed area %#lx beyond it",
			 addr, n, a->base);
		FZ_CHECK(!memcmp(a->data + from, lc->buf + (size_t)(lo - addr),
				 to - from),
			 "a write at %#lx+%zu wrote wrong bytes", addr, n);
	}
}

static ssize_t call(pvmio *io, enum op op, const struct local *lc,
		    uint64_t addr)
{
	switch (op) {
	case OP_READ:
		return pvmio_read(io, lc->iov[0].iov_base, lc->iov[0].iov_len);
	case OP_WRITE:
		return pvmio_write(io, lc->iov[0].iov_base, lc->iov[0].iov_len);
	case OP_READV:
		return pvmio_readv(io, lc->iov, lc->cnt);
	case OP_WRITEV:
		return pvmio_writev(io, lc->iov, lc->cnt);
	case OP_PREAD:
		return pvmio_pread(io, lc->iov[0].iov_base, lc->iov[0].iov_len, addr);
	default:
		return pvmio_pwrite(io, lc->iov[0].iov_base, lc->iov[0].iov_len,
				    addr);
	}
}

/*
 * Scatter/gather: each span's done must be what one pread/pwrite of it
 * would give. Reads may overlap; writes do not (their result would depend
 * on the order), so they are laid out in address order and then shuffled.
 */
static void make_spans(struct fz *f, struct pvmio_span *sp, unsigned n,
		       uint8_t *buf, bool write)
{
	uint64_t a = pick_addr(f);
	size_t used = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = fz_u8(f) < 16 ? (size_t)fz_below(f, 3 * pg) :
			     (size_t)fz_below(f, 200);

		sp[i].address = write ? a : pick_addr(f);
		sp[i].buf = buf + used;
		sp[i].len = len;
		sp[i].done = 12345;
		used += len;
		a += len + (fz_u8(f) < 64 ? 0 : fz_below(f, 3000));
		if (write && a < sp[i].address)
			a = sp[i].address + len;	/* wrapped: stay at the end */
	}
	for (unsigned i = n; write && i > 1; i--) {
		unsigned j = (unsigned)fz_below(f, i);
		struct pvmio_span t = sp[i - 1];

		sp[i - 1] = sp[j];
		sp[j] = t;
	}
}

static void check_span_bytes(const struct pvmio_span *sp, bool write,
			     ssize_t done, unsigned i)
{
	const uint8_t *b = sp->buf;

	for (ssize_t k = 0; k < done; k++) {
		enum kind kind;
		const uint8_t *m = byte_at(sp->address + (uint64_t)k, &kind);

		FZ_CHECK(m && *m == b[k], "span %u (%#lx+%zu): byte %zd wrong%s", i,
			 sp->address, sp->len, k, write ? " in the model" : "");
	}
}

/* Outside the bytes the spans say they wrote, the model is as before. */
static void check_write_spans(const struct pvmio_span *sp, unsigned n)
{
	for (int i = 0; i < nareas; i++) {
		const struct area *a = &areas[i];

		for (size_t off = 0; off < a->pages * pg; off += pg) {
			if (!memcmp(a->data + off, a->snap + off, pg))
				continue;
			for (size_t j = off; j < off + pg; j++) {
				uint64_t at = a->base + j;
				bool ours = false;

				for (unsigned k = 0; k < n && !ours; k++)
					ours = sp[k].done > 0 && at - sp[k].address <
					       (uint64_t)sp[k].done;
				FZ_CHECK(ours || a->data[j] == a->snap[j],
					 "write_spans changed %#lx, in no span", at);
			}
		}
	}
}

static void run_spans(struct fz *f, pvmio *io, bool write)
{
	unsigned n = (unsigned)fz_below(f, MAX_SPANS + 1), complete = 0;
	struct pvmio_span sp[MAX_SPANS];
	int64_t want[MAX_SPANS];
	uint8_t *buf = malloc(MAX_SPANS * 3 * pg);
	ssize_t got;

	if (!buf)
		abort();
	for (size_t i = 0; i < MAX_SPANS * 3 * pg; i++)
		buf[i] = (uint8_t)(i * 11 + 1);
	make_spans(f, sp, n, buf, write);
	memset(&fk.calls, 0, sizeof(fk) - offsetof(typeof(fk), calls));
	fk.buf = buf;
	fk.len = MAX_SPANS * 3 * pg;
	fk.nspans = n;
	fk.gap = write ? 0 : GAP_READ;
	for (unsigned i = 0; i < n; i++) {
		uint64_t len = pvmio__clamp(sp[i].address, sp[i].len);

		want[i] = ref_xfer(write, sp[i].address, sp[i].len);
		complete += want[i] == (int64_t)sp[i].len;
		fk.span_lo[i] = sp[i].address;
		fk.span_hi[i] = (u128)sp[i].address + len;
	}
	if (write)
		snapshot();
	got = write ? pvmio_write_spans(io, sp, n) : pvmio_read_spans(io, sp, n);
	FZ_CHECK(got == (ssize_t)complete, "%s_spans of %u: %zd complete, want %u (%s)",
		 write ? "write" : "read", n, got, complete, pvmio_errmsg());
	for (unsigned i = 0; i < n; i++) {
		FZ_CHECK(sp[i].done == want[i], "span %u (%#lx+%zu): done %zd, want %ld",
			 i, sp[i].address, sp[i].len, sp[i].done, want[i]);
		check_span_bytes(&sp[i], write, sp[i].done, i);
	}
	if (write)
		check_write_spans(sp, n);
	fk.nspans = 0;
	fk.gap = 0;
	free(buf);
}


static void check_result(ssize_t n, int err, int64_t want, uint64_t addr,
			 const char *what)
{
	const char *msg = pvmio_errmsg();
	char at[32];

	if (fk.failed) {	/* an injected error: what moved is reported */
		FZ_CHECK(n < 0 ? !fk.moved && (err == fk.fail_err || err == EFAULT)
			       : (uint64_t)n == fk.moved && n <= want,
			 "%s: %zd (errno %d) after an injected error %d, moved %lu, reference %ld",
			 what, n, err, fk.fail_err, fk.moved, want);
		return;
	}
	FZ_CHECK(n == (want < 0 ? -1 : want) && (n >= 0 || err == -want) &&
		 fk.moved == (n < 0 ? 0 : (uint64_t)n),
		 "%s at %#lx: %zd (errno %d: %s), moved %lu, reference %ld", what,
		 addr, n, err, msg, fk.moved, want);
	if (n >= 0)
		return;
	FZ_CHECK(msg[0], "%s: no message for errno %d", what, err);
	snprintf(at, sizeof(at), "0x%lx,", addr);
	FZ_CHECK(err != EFAULT || (strstr(msg, "pid 4242") && strstr(msg, at)),
		 "%s at %#lx: the message \"%s\" names neither", what, addr,
		 msg);
}

static void check_cursor(pvmio *io, u128 pos)
{
	uint64_t got = 7;
	int rc = pvmio_tell(io, &got);

	FZ_CHECK(rc == (pos == TWO64) &&
		 got == (pos == TWO64 ? UINT64_MAX : (uint64_t)pos),
		 "tell: %d, %#lx; want %#lx%s", rc, got, (uint64_t)pos,
		 pos == TWO64 ? " past" : "");
}

static void run_seek(struct fz *f, pvmio *io, u128 *pos)
{
	int64_t off = (int64_t)fz_edgy(f);
	uint8_t w = fz_u8(f);
	int whence = w < 240 ? w % 3 : (int)(int8_t)w, rc, err;
	uint64_t got = 7;
	u128 next = *pos;
	int want = ref_seek(&next, off, whence);

	errno = 0;
	rc = pvmio_seek(io, off, whence, fz_u8(f) & 1 ? NULL : &got);
	err = errno;
	FZ_CHECK(rc == (want ? -1 : 0) && (!want || err == EINVAL),
		 "seek(%ld, %d): %d errno %d, want %d", off, whence, rc, err,
		 want);
	if (!rc && got != 7)
		FZ_CHECK(got == (next == TWO64 ? UINT64_MAX : (uint64_t)next),
			 "seek(%ld, %d) said %#lx", off, whence, got);
	*pos = next;
	check_cursor(io, *pos);
}

static void run_xfer(struct fz *f, pvmio *io, u128 *pos, enum op op)
{
	bool write = op == OP_WRITE || op == OP_WRITEV || op == OP_PWRITE;
	bool at_cursor = op != OP_PREAD && op != OP_PWRITE;
	uint64_t addr = at_cursor ? (uint64_t)*pos : pick_addr(f);
	bool past = at_cursor && *pos == TWO64;
	struct local lc;
	int64_t want;
	ssize_t n;
	int err;

	make_local(f, &lc, op == OP_READV || op == OP_WRITEV, write);
	fk.lo = addr;
	fk.hi = past || lc.bad ? addr : (u128)addr + pvmio__clamp(addr, lc.len);
	fk.buf = lc.buf;
	fk.len = lc.len;
	fk.calls = fk.moved = 0;
	fk.failed = false;
	fk.fail_at = fz_u8(f) < 16 ? 1 + (unsigned)fz_below(f, 6) : 0;
	fk.fail_err = fz_u8(f) & 1 ? ENOMEM : EFAULT;
	want = lc.bad ? -EINVAL : past ? 0 : ref_xfer(write, addr, lc.len);
	if (write)
		snapshot();
	errno = 0;
	n = call(io, op, &lc, addr);
	err = errno;
	check_result(n, err, want, addr, write ? "write" : "read");
	if (write)
		check_write(&lc, addr, n > 0 ? (size_t)n : 0);
	else if (!lc.bad)
		check_read(&lc, addr, n > 0 ? (size_t)n : 0);
	if (at_cursor && n > 0)
		*pos += (size_t)n;
	check_cursor(io, *pos);
	free_local(&lc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t setup = fz_u8(&f);
	uint64_t start = fz_edgy(&f);
	u128 pos = start;
	pvmio *io;

	pg = pvmio__page_size();
	memset(&fk, 0, sizeof(fk));
	fk.iov_gran = setup & 1;
	fk.force = setup & 2;
	for (int i = 1 + (int)fz_below(&f, MAX_AREAS); i > 0; i--)
		make_area(&f);
	if (!nareas)
		return 0;
	fk.lo = 0;	/* the open probe reads 1 byte at address 0 */
	fk.hi = 1;
	fk.any_local = true;
	if (pvmio_open(&io, FAKE_PID, start,
		       PVMIO_UNPINNED | (fk.force ? PVMIO_FORCE : 0)))
		FZ_CHECK(0, "pvmio_open: %s", pvmio_errmsg());
	fk.any_local = false;
	io->memfd = FAKE_MEMFD;
	check_cursor(io, pos);
	for (int i = 0; i < MAX_OPS && f.left; i++) {
		enum op op = (enum op)(fz_u8(&f) % OP_COUNT);

		if (op == OP_SEEK)
			run_seek(&f, io, &pos);
		else if (op == OP_RSPANS || op == OP_WSPANS)
			run_spans(&f, io, op == OP_WSPANS);
		else
			run_xfer(&f, io, &pos, op);
	}
	io->memfd = -1;
	pvmio_close(io);
	free_areas();
	return 0;
}
