/* SPDX-License-Identifier: MIT */
/* Internals of pvmio_search (search.c, scan.c), visible to the tests. */
#ifndef PVMIO_SEARCH_H
#define PVMIO_SEARCH_H

#include "internal.h"

/*
 * Chunks start at multiples of this address (or at the start of a span) and
 * overlap the next by len - 1 bytes. Small enough that the scan reads what
 * the copy has just left in the caches; large enough that the syscall and,
 * with threads, the hand-over between them are noise (at 256 KiB two
 * threads switched context about once a chunk: 15% of the time).
 */
#define PVMIO__SEARCH_CHUNK	((size_t)1024 * 1024)
/* Ring slots per thread: a worker rarely waits for the caller, nor it. */
#define PVMIO__SEARCH_SLOTS	4
/* Below this many readable bytes the search stays in the calling thread. */
#define PVMIO__SEARCH_PAR_MIN	((uint64_t)8 * 1024 * 1024)
/* At most this many worker threads, whatever the machine. */
#define PVMIO__SEARCH_MAX_THREADS 16
/* Private anonymous regions this large are asked for never-touched pages; */
#define PVMIO__SPARSE_MIN	((uint64_t)4 * 1024 * 1024)
/* ... runs of them this long are not read: they are zeros. */
#define PVMIO__HOLE_MIN		((uint64_t)1024 * 1024)
/* pvmio__search_ex flag: read every readable byte, holes too. */
#define PVMIO__SEARCH_READ_ALL	(1u << 0)

/* A compiled pattern: two anchor bytes filter, the whole pattern verifies. */
struct pvmio__pat {
	const uint8_t *want;	/* pattern & mask */
	const uint8_t *mask;	/* NULL: exact bytes */
	size_t len;
	size_t j1, j2;		/* anchor positions */
	uint8_t v1, m1, v2, m2;	/* anchor value (already masked) and mask */
	bool zeros;		/* matches where memory is all zeros */
};

/* Bytes that are known to be zeros: [start, end). */
struct pvmio__hole {
	uint64_t start, end;
};

/* Where the matches of one chunk go: offsets from the chunk's start. */
struct pvmio__hits {
	uint32_t *off;		/* NULL with cap 0 when only counting */
	size_t n, cap;
	bool store;
	bool nomem;		/* an offset could not be stored */
};

/*
 * An exact pattern is used in place; a masked one is copied, masked, into
 * room (2 * len bytes), which must not lie in the memory searched: a
 * search of the calling process would find the copy.
 */
PVMIO__HIDDEN void pvmio__pat_init(struct pvmio__pat *p, const uint8_t *pattern,
				   const uint8_t *mask, size_t len,
				   uint8_t *room);
/*
 * Record every start in [0, limit) of buf where the pattern matches, as
 * base + start; buf holds at least limit + len - 1 bytes.
 */
PVMIO__HIDDEN void pvmio__scan(const struct pvmio__pat *p, const uint8_t *buf,
			       size_t limit, uint32_t base,
			       struct pvmio__hits *h);

/* Record n matches at base, base + 1, ...: a hole of a zero pattern. */
PVMIO__HIDDEN void pvmio__hits_run(struct pvmio__hits *h, uint32_t base,
				   size_t n);

/*
 * The never-touched runs (>= PVMIO__HOLE_MIN) of the private anonymous
 * regions of pid (>= PVMIO__SPARSE_MIN), sorted; none where the kernel
 * cannot tell. Free *holes.
 */
PVMIO__HIDDEN void pvmio__holes(pid_t pid, const struct pvmio_region *r,
				size_t nr, struct pvmio__hole **holes,
				size_t *n);

/* pvmio_search with a thread count: 0 = automatic, 1 = serial. */
PVMIO__HIDDEN ssize_t pvmio__search(pid_t pid, const void *pattern,
				    const void *mask, size_t len,
				    pvmio_match_fn on_match, void *arg,
				    unsigned threads);
/* ... and flags: PVMIO__SEARCH_READ_ALL. */
PVMIO__HIDDEN ssize_t pvmio__search_ex(pid_t pid, const void *pattern,
				       const void *mask, size_t len,
				       pvmio_match_fn on_match, void *arg,
				       unsigned threads, unsigned flags);

#endif
