/* SPDX-License-Identifier: MIT */
/*
 * The pure arithmetic of src/plan.c against reference models written
 * another way: 128-bit integers instead of careful 64-bit ones, and a
 * flattened byte position instead of (iovec, offset) cursors.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "internal.h"

#define MAX_IOV 48

static void check_clamp(struct fz *f)
{
	uint64_t addr = fz_edgy(f), len = fz_edgy(f);
	u128 room = TWO64 - addr;
	uint64_t want = (u128)len < room ? len : (uint64_t)room;
	uint64_t got = pvmio__clamp(addr, len);

	FZ_CHECK(got == want, "clamp(%#lx, %#lx) = %#lx, want %#lx", addr, len,
		 got, want);
}

static int fz_whence(struct fz *f)
{
	uint8_t w = fz_u8(f);

	return w < 240 ? w % 3 : (int)(int8_t)w;	/* now and then a bad one */
}

static void check_seek(struct fz *f)
{
	bool past = fz_u8(f) & 1, npast = false;
	uint64_t cur = past ? 0 : fz_edgy(f), ncur = 0;
	int64_t off = (int64_t)fz_edgy(f);
	int whence = fz_whence(f);
	u128 pos = past ? TWO64 : cur;
	int want = ref_seek(&pos, off, whence);
	int got = pvmio__seek_calc(cur, past, off, whence, &ncur, &npast);

	FZ_CHECK(got == want, "seek(%#lx%s, %ld, %d) = %d, want %d", cur,
		 past ? " past" : "", off, whence, got, want);
	if (got)
		return;
	FZ_CHECK(npast == (pos == TWO64) && (npast || ncur == (uint64_t)pos),
		 "seek(%#lx%s, %ld, %d) -> %#lx%s, want %#lx%s", cur,
		 past ? " past" : "", off, whence, ncur, npast ? " past" : "",
		 (uint64_t)pos, pos == TWO64 ? " past" : "");
}

static size_t fz_len(struct fz *f)
{
	switch (fz_u8(f) & 3) {
	case 0:
		return 0;
	case 1:
		return (size_t)fz_edgy(f);
	default:
		return (size_t)fz_below(f, 64);
	}
}

/* iovecs whose bases are never dereferenced: base i is 0x1000 * (i + 1). */
static size_t make_iov(struct fz *f, struct iovec *iov, u128 *total)
{
	size_t cnt = (size_t)fz_below(f, MAX_IOV + 1);

	*total = 0;
	for (size_t i = 0; i < cnt; i++) {
		uintptr_t base = 0x1000 * (i + 1);
		size_t len = fz_len(f);

		/* a real buffer never wraps around the address space */
		iov[i].iov_base = (void *)base;
		iov[i].iov_len = len < UINTPTR_MAX - base ? len : UINTPTR_MAX - base;
		*total += iov[i].iov_len;
	}
	return cnt;
}

/* Position of a cursor in the flattened stream of its iovecs. */
static u128 flat(const struct pvmio__lcur *c)
{
	u128 p = c->off;

	for (size_t i = 0; i < c->idx; i++)
		p += c->iov[i].iov_len;
	return p;
}

static void check_cursor_shape(const struct pvmio__lcur *c)
{
	FZ_CHECK(c->idx <= c->cnt, "idx %zu > cnt %zu", c->idx, c->cnt);
	FZ_CHECK(c->idx < c->cnt ? c->off == 0 || c->off < c->iov[c->idx].iov_len
				 : c->off == 0,
		 "idx %zu off %zu", c->idx, c->off);
}

static void check_advance(struct pvmio__lcur *c, u128 total, u128 by)
{
	u128 from = flat(c), want = from + by > total ? total : from + by;

	pvmio__lcur_advance(c, (size_t)by);
	check_cursor_shape(c);
	FZ_CHECK(flat(c) == want, "advance by %zu from %zu: at %zu, want %zu",
		 (size_t)by, (size_t)from, (size_t)flat(c), (size_t)want);
}

/* The filled iovecs must be the stream's next bytes, as few as possible. */
static size_t check_fill(const struct pvmio__lcur *c, u128 total,
			 size_t max_iov, size_t max_bytes)
{
	struct iovec out[MAX_IOV + 1];
	size_t n = SIZE_MAX, got, j = c->idx, o = c->off;
	u128 sum = 0, left = total - flat(c);

	got = pvmio__lcur_fill(c, out, max_iov, max_bytes, &n);
	FZ_CHECK(n <= max_iov, "%zu iovecs, max %zu", n, max_iov);
	for (size_t k = 0; k < n; k++) {
		while (j < c->cnt && c->iov[j].iov_len == o) {
			j++;
			o = 0;
		}
		FZ_CHECK(j < c->cnt, "iovec %zu beyond the stream", k);
		FZ_CHECK(out[k].iov_base == (char *)c->iov[j].iov_base + o &&
			 out[k].iov_len && out[k].iov_len <= c->iov[j].iov_len - o &&
			 (k + 1 == n || out[k].iov_len == c->iov[j].iov_len - o),
			 "iovec %zu: %p+%zu, stream at %zu+%zu", k, out[k].iov_base,
			 out[k].iov_len, j, o);
		sum += out[k].iov_len;
		o += out[k].iov_len;
	}
	FZ_CHECK(sum == got && got <= max_bytes, "fill: %zu bytes, sum %zu, max %zu",
		 got, (size_t)sum, max_bytes);
	FZ_CHECK(n == max_iov || sum == (left < max_bytes ? left : max_bytes),
		 "fill stopped early: %zu of %zu bytes in %zu iovecs", got,
		 (size_t)left, n);
	return got;
}

static void check_lcur(struct fz *f)
{
	struct iovec iov[MAX_IOV];
	struct pvmio__lcur c = { .iov = iov };
	u128 total;

	c.cnt = make_iov(f, iov, &total);
	check_advance(&c, total, fz_u8(f) & 1 ? fz_edgy(f) : fz_below(f, 200));
	for (int round = 0; round < 4; round++) {
		size_t max_iov = (size_t)fz_below(f, MAX_IOV + 1);
		size_t max_bytes = (size_t)fz_edgy(f);
		size_t got = check_fill(&c, total, max_iov, max_bytes);

		check_advance(&c, total, fz_u8(f) < 200 || got == SIZE_MAX ?
			      got : fz_below(f, got + 1));
	}
}

static void check_pages(struct fz *f)
{
	size_t page = (size_t)1 << fz_below(f, 17), max_iov = 1 + fz_below(f, 300);
	uint64_t addr = fz_edgy(f), len = pvmio__clamp(addr, fz_edgy(f));
	struct iovec *out = malloc(max_iov * sizeof(*out));
	u128 at = addr, sum = 0, pages;
	size_t n;

	if (!out)
		abort();
	pages = len ? ((u128)addr + len - 1) / page - addr / page + 1 : 0;
	n = pvmio__page_iovecs(addr, len, out, max_iov, page);
	FZ_CHECK(n == (pages < max_iov ? pages : max_iov),
		 "%zu iovecs for %#lx+%#lx, page %zu", n, addr, len, page);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = (uintptr_t)out[i].iov_base;
		size_t l = out[i].iov_len, in_page = (size_t)(b & (page - 1));

		FZ_CHECK(b == (uint64_t)at && l && in_page + l <= page &&
			 (i + 1 == n || in_page + l == page),
			 "iovec %zu of %#lx+%#lx: %#lx+%zu", i, addr, len, b, l);
		at += l;
		sum += l;
	}
	FZ_CHECK(sum <= len && (n == max_iov || sum == len),
		 "page iovecs cover %#lx of %#lx", (uint64_t)sum, len);
	free(out);
}

static void check_total(struct fz *f)
{
	struct iovec iov[MAX_IOV];
	size_t cnt = (size_t)fz_below(f, 8), total = 7;
	bool bad = false;
	u128 sum = 0;
	int got;

	for (size_t i = 0; i < cnt; i++) {
		uint8_t how = fz_u8(f);

		iov[i].iov_base = how & 1 ? NULL : iov;
		iov[i].iov_len = how & 2 ? (size_t)fz_edgy(f) : (size_t)(how >> 2);
		bad |= !iov[i].iov_base && iov[i].iov_len;
		sum += iov[i].iov_len;
	}
	bad |= sum > SSIZE_MAX;
	got = pvmio__iov_total(cnt || fz_u8(f) & 1 ? iov : NULL, cnt, &total);
	FZ_CHECK(got == (bad ? -EINVAL : 0) && (bad || total == (size_t)sum),
		 "iov_total of %zu: %d, %zu; want %d, %zu", cnt, got, total,
		 bad ? -EINVAL : 0, (size_t)sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };

	while (f.left) {
		switch (fz_u8(&f) % 5) {
		case 0:
			check_clamp(&f);
			break;
		case 1:
			check_seek(&f);
			break;
		case 2:
			check_lcur(&f);
			break;
		case 3:
			check_pages(&f);
			break;
		default:
			check_total(&f);
		}
	}
	return 0;
}
