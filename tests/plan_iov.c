/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the local-iovec half of src/plan.c: walking the caller's
 * iovecs under limits on iovecs and bytes (pvmio__lcur_fill/advance), and
 * summing them (pvmio__iov_total). Random walks use a fixed seed.
 */
#include <errno.h>
#include <limits.h>

#include "helpers.h"
#include "internal.h"

/* The caller's iovecs, as slices of one buffer with gaps between them. */
#define NIOV 200
static char store[NIOV * 40];
static struct iovec liov[NIOV];
static char *flat[NIOV * 40];	/* flat stream position -> local byte */

static size_t make_iovecs(size_t cnt)
{
	size_t at = 0, pos = 0;

	for (size_t i = 0; i < cnt; i++) {
		/* many empty */
		size_t len = t_rnd() % 4 == 0 ? 0 : t_rnd() % 32;

		at += t_rnd() % 4;
		liov[i].iov_base = len ? store + at : NULL;
		liov[i].iov_len = len;
		for (size_t j = 0; j < len; j++)
			flat[pos++] = store + at + j;
		at += len;
	}
	return pos;
}

/* Walk the stream with random limits and advances; 0 when all is right. */
static int lcur_walk(size_t cnt, size_t sum)
{
	struct pvmio__lcur c = { liov, cnt, 0, 0 };
	struct iovec out[8];
	size_t pos = 0, n;

	while (pos < sum) {
		size_t max_iov = 1 + t_rnd() % 8, max_b = 1 + t_rnd() % 100;
		size_t got, k = 0;
		size_t want = sum - pos < max_b ? sum - pos : max_b;

		got = pvmio__lcur_fill(&c, out, max_iov, max_b, &n);
		if (n > max_iov || got > want || !got ||
		    (n < max_iov && got != want))
			return 1;
		for (size_t i = 0; i < n; i++) {
			if (!out[i].iov_len)
				return 2;	/* an empty one wastes a slot */
			for (size_t j = 0; j < out[i].iov_len; j++)
				if ((char *)out[i].iov_base + j !=
				    flat[pos + k + j])
					return 3;
			k += out[i].iov_len;
		}
		if (k != got)
			return 4;
		/* short moves too */
		k = t_rnd() % 3 ? got : t_rnd() % (got + 1);
		pvmio__lcur_advance(&c, k);
		pos += k;
	}
	pvmio__lcur_advance(&c, 1);	/* beyond the end: nothing happens */
	return pvmio__lcur_fill(&c, out, 8, 100, &n) || n ? 5 : 0;
}

static void lcur(void)
{
	struct pvmio__lcur c = { liov, 0, 0, 0 };
	struct iovec out[4];
	size_t n = 99, sum;
	int bad = 0;

	sum = make_iovecs(NIOV);
	c.cnt = NIOV;
	t_ok(pvmio__lcur_fill(&c, out, 0, 100, &n) == 0 && n == 0,
	     "lcur_fill: max_iov 0 fills nothing");
	t_ok(pvmio__lcur_fill(&c, out, 4, 0, &n) == 0 && n == 0,
	     "lcur_fill: max_bytes 0 fills nothing");
	pvmio__lcur_advance(&c, 0);
	t_ok(c.idx == 0 && c.off == 0, "lcur_advance 0 stays put");
	t_is(lcur_walk(NIOV, sum), 0,
	     "lcur: one walk over 200 iovecs with empty ones");
	for (int i = 0; i < 300; i++) {
		size_t cnt = 1 + t_rnd() % NIOV;

		bad += lcur_walk(cnt, make_iovecs(cnt)) != 0;
	}
	t_is(bad, 0, "lcur: 300 random walks, limits on iovecs and bytes");
	liov[0] = (struct iovec){ NULL, 0 };
	liov[1] = (struct iovec){ NULL, 0 };
	c = (struct pvmio__lcur){ liov, 2, 0, 0 };
	t_ok(pvmio__lcur_fill(&c, out, 4, 100, &n) == 0 && n == 0,
	     "lcur_fill: only empty iovecs fill nothing");
}

static void iov_total(void)
{
	char b[4];
	struct iovec v[3] = { { b, 1 }, { NULL, 0 }, { b, 3 } };
	size_t t = 99;

	t_ok(pvmio__iov_total(v, 3, &t) == 0 && t == 4, "iov_total: 1 + 0 + 3");
	t_ok(pvmio__iov_total(NULL, 0, &t) == 0 && t == 0,
	     "iov_total: no iovecs");
	t_is(pvmio__iov_total(NULL, 1, &t), -EINVAL, "iov_total: NULL array");
	v[1].iov_len = 1;
	t_is(pvmio__iov_total(v, 3, &t), -EINVAL,
	     "iov_total: NULL base with a length");
	v[0].iov_len = SSIZE_MAX - 4;
	v[1] = (struct iovec){ b, 1 };
	t_ok(pvmio__iov_total(v, 3, &t) == 0 && t == SSIZE_MAX,
	     "iov_total: exactly SSIZE_MAX");
	v[0].iov_len++;
	t_is(pvmio__iov_total(v, 3, &t), -EINVAL, "iov_total: SSIZE_MAX + 1");
	v[0].iov_len = SIZE_MAX;
	t_is(pvmio__iov_total(v, 1, &t), -EINVAL,
	     "iov_total: SIZE_MAX in one iovec");
	/* SSIZE_MAX * 2 + 2 wraps a size_t to 0 */
	v[0].iov_len = v[1].iov_len = SSIZE_MAX;
	v[2].iov_len = 2;
	t_is(pvmio__iov_total(v, 3, &t), -EINVAL,
	     "iov_total: a sum that wraps to 0");
}

int main(void)
{
	t_plan(6 + 8);
	lcur();
	iov_total();
	return t_done();
}
