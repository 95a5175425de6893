/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the TAP tests. The TAP counters live in shared memory,
 * so a forked child (a test run under seccomp, under another uid) can report
 * its own results in the same stream.
 */
#ifndef PVMIO_TEST_HELPERS_H
#define PVMIO_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvmio.h"

/* ---- TAP ---- */
void t_plan(int n);
/* "1..0 # SKIP why" and exit 0: only before any result. */
__attribute__((noreturn, format(printf, 1, 2))) void t_skip_all(const char *fmt, ...);
/* Skip n planned results with a reason. */
__attribute__((format(printf, 2, 3))) void t_skip(int n, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) bool t_ok(bool cond, const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void t_diag(const char *fmt, ...);
/* Compare integers; on failure print both with the errno and pvmio_errmsg. */
bool t_is(long long got, long long want, const char *what);
bool t_is_err(long long ret, int want_errno, const char *what);
/* A formatted description for t_is and t_is_err: errno is kept (it may
 * be evaluated after the call under test), the next t_fmt reuses it. */
__attribute__((format(printf, 1, 2))) const char *t_fmt(const char *fmt, ...);
/* Exit status for main: nonzero when something failed or the plan is off. */
int t_done(void);
/* Abort the test with a diagnostic when a setup step fails. */
__attribute__((noreturn, format(printf, 1, 2))) void t_bail(const char *fmt, ...);

/* ---- memory ---- */
size_t t_page(void);
/* Anonymous pages filled with t_fill(seed); prot applied after filling. */
void *t_map(size_t pages, int prot, unsigned seed);
void t_fill(void *buf, size_t len, unsigned seed);
/* Index of the first byte that differs from t_fill(seed) at offset off, or -1. */
long t_check(const void *buf, size_t len, unsigned seed, size_t off);
void t_unmap_page(void *base, size_t index);
void t_protect_page(void *base, size_t index, int prot);
/* A local pointer as an address in a forked child, which has our layout. */
uint64_t t_addr(const void *p);
/* Does a pread of len bytes at at move them all, equal to want? */
bool t_remote_is(pvmio *io, uint64_t at, const void *want, size_t len);
/* ... all of them, equal to t_fill(seed) at offset off? */
bool t_remote_pattern(pvmio *io, uint64_t at, size_t len, unsigned seed,
		      size_t off);

/* ---- pseudo-random numbers ---- */
/* xorshift64 from a fixed seed: every run of a test draws the same values. */
uint64_t t_rnd(void);

/* ---- handles ---- */
/* pvmio_open, or bail out with the library's message. */
pvmio *t_open(pid_t pid, uint64_t addr, unsigned flags);
/* Does pvmio_tell return 0 (not past the end) with the cursor at want? */
bool t_cursor_is(pvmio *io, uint64_t want, const char *what);

/* ---- processes ---- */
/* fork(2) with stdout flushed first (or the child prints our buffer too). */
pid_t t_fork(void);
/* Fork a child that waits until killed (it dies with its parent). */
pid_t t_fork_target(void);
/* Fork a child that runs fn(arg), then waits until killed. */
pid_t t_fork_run(void (*fn)(void *), void *arg);
/* SIGKILL and reap: afterwards the PID is free for reuse. */
void t_kill(pid_t pid);
/* Fork a waiting child at exactly this PID via ns_last_pid; -1 if we could
 * not (not root, or other processes kept taking the PID). */
pid_t t_fork_at_pid(pid_t want);
/* Fork a child that exits at once: a zombie, not reaped. */
pid_t t_fork_zombie(void);
/* Run fn in a child and wait; returns its exit status (or 128 + signal). */
int t_in_child(int (*fn)(void *), void *arg);
/* Path of a helper target program built beside the tests. */
const char *t_target_path(const char *name);
/*
 * Fork a child (one that dies with its parent) that runs the helper target
 * program name with the arguments up to NULL; read the first line of its
 * standard output (an address, say) into line.
 */
__attribute__((sentinel)) pid_t t_exec_target(char *line, size_t size,
					      const char *name, ...);
/* In a child (t_in_child): drop all uids, gids and groups to nobody. */
#define T_NOBODY 65534
void t_become_nobody(void);
/* pidfd_open(2); -1 with ENOSYS before Linux 5.3 and under valgrind. */
int t_pidfd_open(pid_t pid);

/* ---- how the test runs ---- */
/* PVMIO_VALGRIND is set (make valgrind). */
bool t_under_valgrind(void);
/* 1 in a ThreadSanitizer build (gcc or clang), else 0. */
#if defined(__SANITIZE_THREAD__)
#define T_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define T_UNDER_TSAN 1
#endif
#endif
#ifndef T_UNDER_TSAN
#define T_UNDER_TSAN 0
#endif
/* 1 under any sanitizer (ASan or TSan; gcc or clang), else 0. */
#if defined(__SANITIZE_ADDRESS__) || T_UNDER_TSAN
#define T_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_SANITIZED 1
#endif
#endif
#ifndef T_SANITIZED
#define T_SANITIZED 0
#endif

/* ---- interposing the library's process_vm_readv/writev ---- */
/*
 * The tests link libpvmio.a statically, so a test program that defines
 * process_vm_readv/writev itself takes the library's calls. The definitions
 * must live in that program, not in helpers.c which every test links: at
 * file scope, T_INTERPOSE(hook) defines both functions, T_INTERPOSE_READV
 * only the read. Each call adds one to t_cma_calls (atomically: the
 * library's workers call too) and returns what hook returns; a hook has the
 * signature of t_cma_syscall, the real system call.
 */
extern unsigned long t_cma_calls;
ssize_t t_cma_syscall(bool write, pid_t pid, const struct iovec *l,
		      unsigned long nl, const struct iovec *r,
		      unsigned long nr, unsigned long flags);

#define T_CMA_DEFINE(name, write, hook)					\
	ssize_t name(pid_t pid, const struct iovec *l,			\
		     unsigned long nl, const struct iovec *r,		\
		     unsigned long nr, unsigned long flags)		\
	{								\
		__atomic_add_fetch(&t_cma_calls, 1, __ATOMIC_RELAXED);	\
		return hook(write, pid, l, nl, r, nr, flags);		\
	}
#define T_INTERPOSE_READV(hook) T_CMA_DEFINE(process_vm_readv, false, hook)
#define T_INTERPOSE(hook)						\
	T_INTERPOSE_READV(hook)						\
	T_CMA_DEFINE(process_vm_writev, true, hook)

#endif
