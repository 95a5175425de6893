/* SPDX-License-Identifier: MIT */
/*
 * The inner loop of pvmio_search: every start of a (masked) pattern in a
 * local buffer. Two anchor bytes of the pattern are tested at 32 positions
 * at once, and only where both agree is the whole pattern compared. Two
 * bytes let through about one position in 65,536 on ordinary memory, so
 * the loop runs near cache bandwidth whatever the pattern; memchr on one
 * byte stops every few hundred bytes and is several times slower.
 */
#include <stdlib.h>
#include <string.h>

#include "search.h"

#define LANES 32

typedef uint8_t vu8 __attribute__((vector_size(LANES)));
typedef int8_t vs8 __attribute__((vector_size(LANES)));
typedef uint64_t vu64 __attribute__((vector_size(LANES)));

/* How often a byte turns up in process memory: 0 rare .. 7 everywhere. */
static int commonness(uint8_t b)
{
	if (b == 0x00)
		return 7;
	if (b == 0xff)
		return 6;
	/* small integers, their negatives, the top bytes of user pointers */
	if (b < 0x10 || b >= 0xf0 || b == 0x7f || b == 0x55 || b == 0x56)
		return 5;
	if (b == ' ' || (b >= 'a' && b <= 'z'))
		return 4;
	if (b >= 0x20 && b < 0x7f)
		return 3;
	if (b < 0x20)
		return 2;
	return 1;
}

/* How well byte i of the pattern filters: more mask bits, rarer value. */
static int selectivity(const struct pvmio__pat *p, size_t i)
{
	uint8_t m = p->mask ? p->mask[i] : 0xff;

	return __builtin_popcount(m) * 8 -
	       (m == 0xff ? commonness(p->want[i]) : 0);
}

static size_t best_anchor(const struct pvmio__pat *p, size_t skip)
{
	size_t best = skip == 0 && p->len > 1 ? 1 : 0;

	for (size_t i = 0; i < p->len; i++)
		if (i != skip && selectivity(p, i) > selectivity(p, best))
			best = i;
	return best;
}

void pvmio__pat_init(struct pvmio__pat *p, const uint8_t *pattern,
		     const uint8_t *mask, size_t len, uint8_t *room)
{
	bool exact = true;

	for (size_t i = 0; mask && i < len; i++)
		exact = exact && mask[i] == 0xff;
	memset(p, 0, sizeof(*p));
	p->len = len;
	p->want = pattern;
	if (!exact) {
		for (size_t i = 0; i < len; i++) {
			room[i] = pattern[i] & mask[i];
			room[len + i] = mask[i];
		}
		p->want = room;
		p->mask = room + len;
	}
	p->j1 = best_anchor(p, (size_t)-1);
	p->j2 = len > 1 ? best_anchor(p, p->j1) : p->j1;
	p->m1 = p->mask ? p->mask[p->j1] : 0xff;
	p->m2 = p->mask ? p->mask[p->j2] : 0xff;
	p->v1 = p->want[p->j1];
	p->v2 = p->want[p->j2];
	p->zeros = true;
	for (size_t i = 0; i < len && p->zeros; i++)
		p->zeros = p->want[i] == 0;
}

static bool verify(const struct pvmio__pat *p, const uint8_t *s)
{
	if (!p->mask)
		return memcmp(s, p->want, p->len) == 0;
	for (size_t i = 0; i < p->len; i++)
		if ((s[i] & p->mask[i]) != p->want[i])
			return false;
	return true;
}

static void hit(struct pvmio__hits *h, uint32_t off)
{
	if (h->store) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? 2 * h->cap : 1024;
			uint32_t *o = realloc(h->off, cap * sizeof(*o));

			if (!o) {
				h->nomem = true;
				return;
			}
			h->off = o;
			h->cap = cap;
		}
		h->off[h->n] = off;
	}
	h->n++;
}

void pvmio__hits_run(struct pvmio__hits *h, uint32_t base, size_t n)
{
	if (!h->store) {
		h->n += n;
		return;
	}
	for (size_t i = 0; i < n; i++)
		hit(h, base + (uint32_t)i);
}

static void check(const struct pvmio__pat *p, const uint8_t *buf, size_t i,
		  uint32_t base, struct pvmio__hits *h)
{
	if ((buf[i + p->j1] & p->m1) == p->v1 &&
	    (buf[i + p->j2] & p->m2) == p->v2 && verify(p, buf + i))
		hit(h, base + (uint32_t)i);
}

/* Through a pointer: a vector return value would change with the ISA. */
static inline __attribute__((always_inline)) void splat(vu8 *v, uint8_t b)
{
	for (int k = 0; k < LANES; k++)
		(*v)[k] = b;
}

/* Compiled twice: for the baseline ISA, and with AVX2 where it exists. */
static inline __attribute__((always_inline)) void
scan_body(const struct pvmio__pat *p, const uint8_t *buf, size_t limit,
	  uint32_t base, struct pvmio__hits *h)
{
	const uint8_t *a1 = buf + p->j1, *a2 = buf + p->j2;
	/* zeroed first: analyzers do not see splat() set every lane */
	vu8 m1 = { 0 }, v1 = { 0 }, m2 = { 0 }, v2 = { 0 };
	size_t i = 0;

	splat(&m1, p->m1);
	splat(&v1, p->v1);
	splat(&m2, p->m2);
	splat(&v2, p->v2);
	for (; i + 2 * LANES <= limit; i += 2 * LANES) {
		vu8 x0, y0, x1, y1;
		vs8 eq;
		vu64 any;

		memcpy(&x0, a1 + i, LANES);
		memcpy(&y0, a2 + i, LANES);
		memcpy(&x1, a1 + i + LANES, LANES);
		memcpy(&y1, a2 + i + LANES, LANES);
		eq = (((x0 & m1) == v1) & ((y0 & m2) == v2)) |
		     (((x1 & m1) == v1) & ((y1 & m2) == v2));
		any = (vu64)eq;
		if (!(any[0] | any[1] | any[2] | any[3]))
			continue;
		/* rare: find the candidates again, one by one */
		for (size_t k = i; k < i + 2 * LANES; k++)
			check(p, buf, k, base, h);
	}
	for (; i < limit; i++)
		check(p, buf, i, base, h);
}

static void scan_base(const struct pvmio__pat *p, const uint8_t *buf,
		      size_t limit, uint32_t base, struct pvmio__hits *h)
{
	scan_body(p, buf, limit, base, h);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2")))
static void scan_avx2(const struct pvmio__pat *p, const uint8_t *buf,
		      size_t limit, uint32_t base, struct pvmio__hits *h)
{
	scan_body(p, buf, limit, base, h);
}

static bool have_avx2(void)
{
	static int known;	/* 0 unknown, 1 no, 2 yes */
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (!k) {
		__builtin_cpu_init();
		k = __builtin_cpu_supports("avx2") ? 2 : 1;
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k == 2;
}
#endif

void pvmio__scan(const struct pvmio__pat *p, const uint8_t *buf, size_t limit,
		 uint32_t base, struct pvmio__hits *h)
{
#if defined(__x86_64__) || defined(__i386__)
	if (have_avx2()) {
		scan_avx2(p, buf, limit, base, h);
		return;
	}
#endif
	scan_base(p, buf, limit, base, h);
}
