/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the address arithmetic in src/plan.c: clamping at 2^64, page
 * iovecs, seek (the tests link the static library, so the hidden pvmio__*
 * functions are callable). Each is checked on its edges and against a small
 * independent model on many pseudo-random inputs (fixed seed: every run is
 * the same). The local-iovec half of plan.c is in plan_iov.c.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"

#define TOP	UINT64_MAX
#define HALF	((uint64_t)1 << 63)

/* hi * 2^64 + lo: room for 2^64 and below 0, without __int128 (i686) */
struct wide {
	int64_t hi;
	uint64_t lo;
};
#define SPACE	((struct wide){ 1, 0 })

static struct wide w_add(struct wide a, int64_t off)
{
	uint64_t lo = a.lo + (uint64_t)off;

	return (struct wide){ a.hi + (lo < a.lo) - (off < 0), lo };
}

/* Random, but often near 0, near 2^63 or near 2^64. */
static uint64_t rnd_edge(void)
{
	static const uint64_t edge[] = {
		0, 1, HALF - 1, HALF, HALF + 1, TOP - 1, TOP
	};
	uint64_t r = t_rnd();

	switch (r & 3) {
	case 0:
		return edge[(r >> 2) % 7];
	case 1:
		return edge[(r >> 2) % 7] + (t_rnd() % 9) - 4;
	default:
		return t_rnd() >> (t_rnd() & 63);
	}
}

static void clamp(void)
{
	int bad = 0;

	t_ok(pvmio__clamp(0, TOP) == TOP && pvmio__clamp(0, 0) == 0,
	     "clamp: address 0 has the whole space ahead");
	t_ok(pvmio__clamp(TOP, 1) == 1 && pvmio__clamp(TOP, 2) == 1 &&
	     pvmio__clamp(TOP, TOP) == 1 && pvmio__clamp(TOP, 0) == 0,
	     "clamp: from 2^64-1 one byte is left");
	t_ok(pvmio__clamp(TOP - 9, 10) == 10 &&
	     pvmio__clamp(TOP - 9, 11) == 10 && pvmio__clamp(TOP - 9, 9) == 9,
	     "clamp: ranges ending before, at and after 2^64");
	t_ok(pvmio__clamp(HALF, TOP) == HALF && pvmio__clamp(1, TOP) == TOP,
	     "clamp: 2^63 and 1 with the longest length");
	for (int i = 0; i < 100000; i++) {
		uint64_t a = rnd_edge(), l = rnd_edge(), end;

		/* on overflow, what fits is 2^64 - a */
		bad += pvmio__clamp(a, l) !=
		       (__builtin_add_overflow(a, l, &end) ? 0 - a : l);
	}
	t_is(bad, 0, "clamp: min(len, 2^64 - addr) on 100000 random ranges");
}

/* The page iovecs cover [addr, addr + len) in order, one page at most each. */
static int pages_ok(uint64_t addr, uint64_t len, size_t max, size_t page)
{
	struct iovec out[16];
	uint64_t at = addr, end = addr + len;	/* 2^64 wraps to 0 */
	uint64_t first = addr / page, last = (addr + (len - 1)) / page;
	size_t n = pvmio__page_iovecs(addr, len, out, max, page);
	uint64_t touched = len ? last - first + 1 : 0;

	if (n != (touched < max ? touched : max))
		return 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t b = (uintptr_t)out[i].iov_base, l = out[i].iov_len;

		if (b != at || !l || b / page != (b + (l - 1)) / page)
			return 2;
		if (i + 1 < n && (b + l) % page)
			return 3;	/* only the last may end mid-page */
		at += l;
	}
	return n == touched && at != end ? 4 : 0;
}

static void page_iovecs(void)
{
	struct iovec o[4];
	int bad = 0;

	t_ok(pvmio__page_iovecs(100, 10000, o, 4, 4096) == 3 &&
	     o[0].iov_len == 3996 && o[1].iov_len == 4096 &&
	     o[2].iov_len == 1908 && (uintptr_t)o[1].iov_base == 4096,
	     "page_iovecs: partial first and last page");
	t_ok(pvmio__page_iovecs(8192, 4096, o, 4, 4096) == 1 &&
	     o[0].iov_len == 4096, "page_iovecs: exactly one page");
	t_ok(pvmio__page_iovecs(0, 10 * 4096, o, 3, 4096) == 3 &&
	     (uintptr_t)o[2].iov_base == 8192, "page_iovecs: max_iov stops it");
	t_is(pvmio__page_iovecs(4096, 0, o, 4, 4096), 0, "page_iovecs: len 0");
#if UINTPTR_MAX == UINT64_MAX
	t_ok(pvmio__page_iovecs(TOP - 4095, 4096, o, 4, 4096) == 1 &&
	     pvmio__page_iovecs(TOP, 1, o, 4, 4096) == 1 && o[0].iov_len == 1 &&
	     pvmio__page_iovecs(0 - 12280ull, 12280, o, 4, 4096) == 3 &&
	     o[0].iov_len == 4088 && o[2].iov_len == 4096 &&
	     (uintptr_t)o[2].iov_base == TOP - 4095,
	     "page_iovecs: ranges ending at 2^64");
#else
	t_skip(1, "32-bit pointers cannot name addresses near 2^64");
#endif
	for (int i = 0; i < 100000; i++) {
		size_t page = (size_t)1 << (12 + t_rnd() % 5);
		uint64_t addr = (uintptr_t)rnd_edge();
		uint64_t len = t_rnd() % (20 * page);
		/* what a pointer can name after addr */
		uint64_t room = (uint64_t)UINTPTR_MAX - addr;

		if (len && len - 1 > room)
			len = room + 1;
		bad += pages_ok(addr, len, 1 + t_rnd() % 16, page) != 0;
	}
	t_is(bad, 0,
	     "page_iovecs: 100000 random ranges, pages 4 KiB to 64 KiB");
}

/* The seek rules with the past-the-end state as position 2^64. */
static int seek_model(struct wide cur, int64_t off, int whence,
		      struct wide *out)
{
	switch (whence) {
	case SEEK_SET:
		*out = (struct wide){ 0, (uint64_t)off };
		return 0;
	case SEEK_CUR:
		*out = w_add(cur, off);
		if (out->hi < 0)
			return -EINVAL;
		if (out->hi > 0)
			*out = SPACE;
		return 0;
	case SEEK_END:
		*out = off >= 0 ? SPACE : w_add(SPACE, off);
		return 0;
	}
	return -EINVAL;
}

static int seek_one(uint64_t c, bool past, int64_t off, int whence)
{
	struct wide want, cur = past ? SPACE : (struct wide){ 0, c };
	int rm = seek_model(cur, off, whence, &want);
	uint64_t ncur = 7;
	bool npast = false;
	int r = pvmio__seek_calc(c, past, off, whence, &ncur, &npast);

	if (r != rm)
		return 1;
	return !r && (npast != (want.hi == 1) || (!npast && ncur != want.lo));
}

static void seek_calc(void)
{
	static const int64_t offs[] = { INT64_MIN, INT64_MIN + 1, -4096, -1, 0,
					1, 4096, INT64_MAX - 1, INT64_MAX };
	static const uint64_t curs[] = { 0, 1, 4095, HALF - 1, HALF, HALF + 1,
					 TOP - 4096, TOP - 1, TOP };
	static const int whences[] = {
		SEEK_SET, SEEK_CUR, SEEK_END, -1, 3, 4, 99
	};
	int bad = 0;

	for (size_t w = 0; w < 7; w++)
		for (size_t c = 0; c < 9; c++)
			for (size_t o = 0; o < 9; o++)
				bad += seek_one(curs[c], false, offs[o],
						whences[w]) +
				       seek_one(curs[c], true, offs[o],
						whences[w]);
	t_is(bad, 0, "seek_calc: every edge cursor x offset x whence");
	for (int i = 0; i < 200000; i++)
		bad += seek_one(rnd_edge(), t_rnd() % 5 == 0,
				(int64_t)rnd_edge(), whences[t_rnd() % 4]);
	t_is(bad, 0, "seek_calc: 200000 random seeks agree with the model");
}

int main(void)
{
	t_plan(5 + 6 + 2);
	clamp();
	page_iovecs();
	seek_calc();
	return t_done();
}
