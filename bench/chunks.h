/* SPDX-License-Identifier: MIT */
/* The contenders of the stream table (chunks.c, contenders.c). */
#ifndef PVMIO_BENCH_CHUNKS_H
#define PVMIO_BENCH_CHUNKS_H

#include <stdio.h>

#include "bench.h"

#define OP_MEMCPY "memcpy (local copy)"
#define OP_CRATE "crate method (iovec per page)"

struct chunks {
	struct target *t;
	char *copy;		/* the target's bytes: writes send these */
	char *buf;		/* reads land here */
	size_t chunk;		/* bytes per call */
	size_t span;		/* the buffer rounded down to whole chunks */
	bool write;
	pvmio *pinned, *unpinned, *threaded;
	int memfd;		/* /proc/PID/mem */
	FILE *fr, *fw;		/* pvmio_fopen "r" and "r+" */
};

int op_memcpy(void *ctx, long reps);
int op_raw(void *ctx, long reps);
int op_crate(void *ctx, long reps);
int op_procmem(void *ctx, long reps);
int op_pvmio(void *ctx, long reps);
int op_pvmio_unpinned(void *ctx, long reps);
int op_pvmio_p(void *ctx, long reps);
int op_stdio(void *ctx, long reps);
int op_pvmio_threads(void *ctx, long reps);

/* process_vm_io 1.0.5's transfer, re-implemented: see contenders.c. */
ssize_t crate_transfer(pid_t pid, bool write, void *local, size_t len,
		       uint64_t remote);

#endif
