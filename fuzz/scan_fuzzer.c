/* SPDX-License-Identifier: MIT */
/*
 * The search's scanner (src/scan.c: anchor bytes, vector filter, masked
 * verify) against the plain definition: start i matches when every byte j
 * has (buf[i + j] & mask[j]) == (pattern[j] & mask[j]). Copies of the
 * pattern, wildcards filled at random, are planted so that matches happen.
 */
#include <string.h>

#include "fuzz.h"
#include "search.h"

#define MAX_PAT 40
#define MAX_BUF 8192

static bool match_at(const uint8_t *buf, const uint8_t *pat,
		     const uint8_t *mask, size_t len)
{
	for (size_t j = 0; j < len; j++) {
		uint8_t m = mask ? mask[j] : 0xff;

		if ((buf[j] & m) != (pat[j] & m))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t len = 1 + (size_t)fz_below(&f, MAX_PAT), limit, n = 0;
	bool masked = fz_u8(&f) & 1, zeros = true;
	uint8_t pat[MAX_PAT], mask[MAX_PAT], room[2 * MAX_PAT];
	uint32_t base = (uint32_t)fz_bytes(&f, 4);
	size_t buflen = len + (size_t)fz_below(&f, MAX_BUF);
	uint8_t *buf = malloc(buflen);
	struct pvmio__hits h = { .store = true };
	struct pvmio__pat p;

	if (!buf)
		abort();
	for (size_t j = 0; j < len; j++) {
		pat[j] = fz_u8(&f);
		mask[j] = masked ? (uint8_t[]){ 0xff, 0x00, 0xf0, 0x0f }[fz_u8(&f) & 3] : 0xff;
		zeros &= (pat[j] & mask[j]) == 0;
	}
	for (size_t i = 0; i < buflen; i++)
		buf[i] = fz_u8(&f);
	for (unsigned k = fz_u8(&f) % 8; k > 0; k--) {	/* plant copies */
		size_t at = (size_t)fz_below(&f, buflen - len + 1);

		for (size_t j = 0; j < len; j++)
			buf[at + j] = (uint8_t)((pat[j] & mask[j]) |
						(buf[at + j] & (uint8_t)~mask[j]));
	}
	limit = buflen - len + 1;
	pvmio__pat_init(&p, pat, masked ? mask : NULL, len, room);
	FZ_CHECK(p.zeros == zeros, "zeros %d, want %d", p.zeros, zeros);
	pvmio__scan(&p, buf, limit, base, &h);
	FZ_CHECK(!h.nomem, "no memory for the hits");
	for (size_t i = 0; i < limit; i++) {
		if (!match_at(buf + i, pat, masked ? mask : NULL, len))
			continue;
		FZ_CHECK(n < h.n && h.off[n] == (uint32_t)(base + i),
			 "match at %zu missed or out of order (hit %zu of %zu)",
			 i, n, h.n);
		n++;
	}
	FZ_CHECK(n == h.n, "%zu hits, %zu matches", h.n, n);
	free(h.off);
	free(buf);
	return 0;
}
