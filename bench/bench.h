/* SPDX-License-Identifier: MIT */
/*
 * pvmio-bench: every contender measured in the same run, in alternation, so
 * that ratios stay meaningful on a noisy shared machine. See bench/README.md.
 *
 * The build generates bench-have.h from the symbols that libpvmio.a really
 * defines (BENCH_HAVE_pvmio_search, ...): rows for parts of the library that
 * have not landed yet are left out, never faked.
 */
#ifndef PVMIO_BENCH_H
#define PVMIO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench-have.h"
#include "pvmio.h"

/*
 * A sanitizer's shadow memory (terabytes, readable) is in every process the
 * bench forks: searching or dumping such a target would take hours, so a
 * sanitized build (make check SANITIZE=1 runs the smoke test) leaves
 * those sections out.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BENCH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BENCH_SANITIZED 1
#endif
#endif
#ifdef BENCH_SANITIZED
#undef BENCH_HAVE_pvmio_search
#undef BENCH_HAVE_pvmio__search
#endif

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

#define MAX_OPS 12
#define MAX_PASSES 101

/* One measured contender: run() repeats its operation reps times. */
struct op {
	const char *name;
	/* 0, or -1 after bench_fail() */
	int (*run)(void *ctx, long reps);
	/* results */
	double t[MAX_PASSES];	/* seconds per pass */
	double ns;		/* median ns per repetition */
	double ratio;		/* median of t / t(base) over the passes */
};

/*
 * A table section: contenders that do the same work (bytes per rep), with
 * ratios against ops[base] (the raw syscall, or the section's reference).
 */
struct group {
	char title[64];		/* "read 64 B", "holes 64 MiB" */
	const char *section;	/* "read", "write", "holes", ... (JSON) */
	const char *unit;	/* what one repetition is: "call", "op" */
	uint64_t bytes;		/* payload per repetition; 0: no MB/s column */
	size_t chunk;		/* for read/write sections */
	void *ctx;
	/* before/after the checked warm-up of each op; may be NULL */
	int (*prep)(void *ctx, long reps);
	int (*check)(void *ctx, long reps, const char *op);
	/* before every run, untimed (removing a dump's files); may be NULL */
	int (*reset)(void *ctx);
	int nops, base;
	long reps;		/* calibrated on the base op; 0: calibrate */
	double spread;		/* (max - min) / median of the base's passes */
	struct op op[MAX_OPS];
};

struct options {
	size_t size;		/* --size: the stream target's buffer */
	size_t big;		/* --big-size: search / parallel target */
	int passes;		/* --passes */
	double pass_s;		/* --pass-ms / 1000 */
	const char *only;	/* --only: sections whose name contains this */
	bool json;
	bool smoke;		/* --smoke: tiny sizes, one pass, checks only */
};

extern struct options opt;

/* A forked target process and where its buffers live. */
struct target {
	pid_t pid;
	char *buf;		/* filled with bench_fill(seed) */
	size_t size;
	/* holes_size bytes each; holed lacks one page per HOLES_EVERY */
	char *clean, *holed;
	size_t holes_size;
};

#define HOLES_EVERY MIB		/* one unmapped page per MiB */
#define NEEDLE_LEN 16
#define NEEDLES 64		/* planted in the big target */

/* ---- util.c ---- */
__attribute__((noreturn, format(printf, 1, 2)))
void bench_die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) int bench_fail(const char *fmt, ...);
double bench_now(void);
static inline size_t bench_min(size_t a, size_t b)
{
	return a < b ? a : b;
}
size_t bench_page(void);
void *bench_alloc(size_t len);	/* zeroed, faulted in; dies on failure */
void bench_free(void *p, size_t len);
void bench_fill(void *buf, size_t len, uint64_t seed);
void bench_needle(unsigned char out[NEEDLE_LEN]);
/* Raw process_vm_readv/writev of a whole range in 16 MiB calls. */
int bench_raw_copy(pid_t pid, void *local, const void *remote, size_t len,
		   bool write);
const char *bench_size_str(size_t n, char *buf, size_t cap);
int bench_parse_size(const char *s, size_t *out);

/* ---- target.c ---- */
/* Fork a target holding size bytes (and, if holes, two 64 MiB areas). */
void target_start(struct target *t, size_t size, bool holes, bool needles);
void target_stop(struct target *t);

/* ---- measure.c ---- */
bool group_wanted(const struct group *g);
void group_add(struct group *g, const char *name, int (*run)(void *, long));
/* Calibrate, warm up and check each op, then the passes; prints the group. */
void group_measure(struct group *g);
const struct op *result_find(const char *section, size_t chunk,
			     const char *op);
void report_begin(void);
void report_group(const struct group *g);
void report_end(void);

/* ---- chunks.c: the stream table ---- */
void bench_chunks(struct target *t);

/* ---- extra.c: open cost, holes, spans ---- */
void bench_open(struct target *t);
void bench_holes(struct target *t);
void bench_spans(struct target *t);
void bench_misaligned(struct target *t);

/* ---- big.c: search, parallel read; dump.c: pvmio dump ---- */
bool big_wanted(void);
void bench_big(struct target *t);
void bench_dump(struct target *t, const char *copy);

/* ---- targets.c: the goals of the issues, met or missed ---- */
void report_targets(void);

#endif
