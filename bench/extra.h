/* SPDX-License-Identifier: MIT */
/* Contexts of the extra sections (extra.c, spans.c, big.c). */
#ifndef PVMIO_BENCH_EXTRA_H
#define PVMIO_BENCH_EXTRA_H

#include "bench.h"

#define OP_HOLES "pvmio_read, holes, seek past each"
#define OP_SPANS "pvmio_read_spans"
#define OP_WSPANS "pvmio_write_spans"
#define OP_SEARCH "pvmio_search"
#define OP_SEARCH1 "pvmio_search, 1 thread"
#define OP_MEMMEM "memmem over a local copy"
#define OP_PAR "pvmio_read threads=0"
#define OP_DUMP "pvmio dump (CLI, write-behind)"
#define OP_MISALIGNED "pvmio_read, buffer at page+16"

struct holes {
	struct target *t;
	pvmio *io;
	char *buf;		/* where the reads land */
	char *clean, *holed_copy;	/* the expected bytes */
	const char *last;	/* which of them the last op read */
	size_t count;		/* and how many bytes it moved */
};

#endif
