/* SPDX-License-Identifier: MIT */
/*
 * Pure arithmetic of a transfer: clamping at 2^64, walking the caller's
 * iovecs, page-sized remote iovecs for the boundary search, and seek.
 * No syscalls here, so the fuzzers can drive all of it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

size_t pvmio__page_size(void)
{
	static size_t page;	/* threads may race to fill it: atomically */
	size_t pg = __atomic_load_n(&page, __ATOMIC_RELAXED);

	if (!pg) {
		long p = sysconf(_SC_PAGESIZE);

		/* a power of two is assumed everywhere; 4 KiB is the safe floor */
		pg = (p > 0 && !(p & (p - 1))) ? (size_t)p : 4096;
		__atomic_store_n(&page, pg, __ATOMIC_RELAXED);
	}
	return pg;
}

uint64_t pvmio__clamp(uint64_t addr, uint64_t len)
{
	/* 0 - addr is 2^64 - addr; address 0 has the whole space ahead */
	if (addr != 0 && len > 0 - addr)
		return 0 - addr;
	return len;
}

size_t pvmio__lcur_fill(const struct pvmio__lcur *c, struct iovec *out,
			size_t max_iov, size_t max_bytes, size_t *nout)
{
	size_t idx = c->idx, off = c->off, n = 0, total = 0;

	while (idx < c->cnt && n < max_iov && total < max_bytes) {
		size_t left = c->iov[idx].iov_len - off;

		if (left) {
			if (left > max_bytes - total)
				left = max_bytes - total;
			out[n].iov_base = (char *)c->iov[idx].iov_base + off;
			out[n].iov_len = left;
			n++;
			total += left;
		}
		idx++;
		off = 0;
	}
	*nout = n;
	return total;
}

void pvmio__lcur_advance(struct pvmio__lcur *c, size_t n)
{
	while (n && c->idx < c->cnt) {
		size_t left = c->iov[c->idx].iov_len - c->off;

		if (n < left) {
			c->off += n;
			return;
		}
		n -= left;
		c->idx++;
		c->off = 0;
	}
}

size_t pvmio__page_iovecs(uint64_t addr, uint64_t len, struct iovec *out,
			  size_t max_iov, size_t page)
{
	size_t n = 0;

	while (len && n < max_iov) {
		uint64_t step = page - (addr & (page - 1));

		if (step > len)
			step = len;
		out[n].iov_base = (void *)(uintptr_t)addr;
		out[n].iov_len = (size_t)step;
		n++;
		addr += step;	/* wraps to 0 only when len is used up */
		len -= step;
	}
	return n;
}

int pvmio__seek_calc(uint64_t cur, bool past, int64_t off, int whence,
		     uint64_t *ncur, bool *npast)
{
	/* |off| as unsigned, also for INT64_MIN */
	uint64_t mag = off < 0 ? 0 - (uint64_t)off : (uint64_t)off;

	switch (whence) {
	case SEEK_SET:
		*ncur = (uint64_t)off;
		*npast = false;
		return 0;
	case SEEK_CUR:
		if (off >= 0) {
			*npast = past || cur > UINT64_MAX - mag;
			*ncur = *npast ? 0 : cur + mag;
			return 0;
		}
		if (past) {
			*ncur = 0 - mag;
			*npast = false;
			return 0;
		}
		if (mag > cur)
			return -EINVAL;
		*ncur = cur - mag;
		*npast = false;
		return 0;
	case SEEK_END:
		*npast = off >= 0;
		*ncur = *npast ? 0 : 0 - mag;
		return 0;
	}
	return -EINVAL;
}

int pvmio__iov_total(const struct iovec *iov, size_t cnt, size_t *total)
{
	size_t sum = 0;

	if (cnt && !iov)
		return -EINVAL;
	for (size_t i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		if (!iov[i].iov_base || iov[i].iov_len > SSIZE_MAX - sum)
			return -EINVAL;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return 0;
}
