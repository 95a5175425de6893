/* SPDX-License-Identifier: MIT */
/*
 * What every fuzz target shares: the libFuzzer entry point and a reader that
 * turns the fuzzer's bytes into numbers. An exhausted input reads as zeros,
 * so every input, however short, is a valid program for a target.
 */
#ifndef PVMIO_FUZZ_H
#define PVMIO_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference models count in 128 bits: 2^64 itself is a value there. */
typedef unsigned __int128 u128;
#define TWO64 ((u128)1 << 64)

/* DESIGN.md's seek on a cursor in [0, 2^64], where 2^64 means past the end. */
static inline int ref_seek(u128 *pos, int64_t off, int whence)
{
	__int128 next;

	switch (whence) {
	case SEEK_SET:
		next = (uint64_t)off;
		break;
	case SEEK_CUR:
		next = (__int128)*pos + off;
		break;
	case SEEK_END:
		next = (__int128)TWO64 + off;
		break;
	default:
		return -EINVAL;
	}
	if (next < 0)
		return -EINVAL;
	*pos = next >= (__int128)TWO64 ? TWO64 : (u128)next;
	return 0;
}


struct fz {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fz_bytes(struct fz *f, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		v <<= 8;
		if (f->left) {
			v |= *f->p++;
			f->left--;
		}
	}
	return v;
}

static inline uint8_t fz_u8(struct fz *f)
{
	return (uint8_t)fz_bytes(f, 1);
}

static inline uint64_t fz_u64(struct fz *f)
{
	return fz_bytes(f, 8);
}

/* A value in [0, n), n > 0. */
static inline uint64_t fz_below(struct fz *f, uint64_t n)
{
	unsigned bytes = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : n <= 1ull << 32 ? 4 : 8;

	return fz_bytes(f, bytes) % n;
}

/*
 * A 64-bit number that hits the edges often: near 0, near 2^63 and near
 * 2^64, around a page boundary, or anything.
 */
static inline uint64_t fz_edgy(struct fz *f)
{
	uint64_t small = fz_bytes(f, 2);

	switch (fz_u8(f) & 7) {
	case 0:
		return small;
	case 1:
		return 0 - small;
	case 2:
		return (1ull << 63) + small - 0x8000;
	case 3:
		return (fz_bytes(f, 4) << 12) + small % 0x2000 - 0x1000;
	default:
		return fz_u64(f);
	}
}

/* A finding: print it and abort, so that libFuzzer keeps the input. */
#define FZ_CHECK(cond, ...)                                                   \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
				__LINE__, #cond);                             \
			fprintf(stderr, __VA_ARGS__);                         \
			fprintf(stderr, "\n");                                \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
