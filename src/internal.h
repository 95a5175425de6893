/* SPDX-License-Identifier: MIT */
/* Internal interfaces of libpvmio; nothing here is exported. */
#ifndef PVMIO_INTERNAL_H
#define PVMIO_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "pvmio.h"

#define PVMIO__HIDDEN __attribute__((visibility("hidden")))

/* The kernel moves at most this much per read/write-like call. */
#define PVMIO__MAX_RW	((size_t)0x7ffff000)
/* Kernel limit on iovecs per call (UIO_MAXIOV). */
#define PVMIO__IOV_MAX	1024


struct pvmio_pool;

struct pvmio {
	pid_t pid;
	int pidfd;		/* -1: unpinned (by flag, by kernel, or self) */
	int epfd;		/* epoll set watching pidfd, or -1 */
	int memfd;		/* /proc/PID/mem, opened on first need; atomic */
	unsigned flags;
	bool past_end;		/* the cursor went beyond 2^64 - 1 */
	uint64_t cursor;
	struct pvmio_pool *pool;	/* parallel workers; NULL: serial */
};

/* ---- error.c: thread-local message, errno conventions ---- */
/* Record "what: strerror(err)" and set errno; returns -1. */
PVMIO__HIDDEN int pvmio__fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Around a transfer: a release without failure restores the message and
 * errno that were there at the hold (a short count is a success). */
PVMIO__HIDDEN void pvmio__err_hold(void);
PVMIO__HIDDEN void pvmio__err_release(bool failed);
/* Copy the calling thread's message out, or set it from a copy. */
PVMIO__HIDDEN void pvmio__errmsg_copy(char *dst, size_t size);
PVMIO__HIDDEN void pvmio__errmsg_set(const char *msg);
/* Record a failed transfer call: "call(pid P, 0xADDR, LEN): strerror". */
PVMIO__HIDDEN int pvmio__fail_xfer(int err, const char *call, pid_t pid,
				   uint64_t addr, uint64_t len);

/* ---- plan.c: pure arithmetic, no syscalls ---- */
struct pvmio__lcur {		/* position in the caller's local iovecs */
	const struct iovec *iov;
	size_t cnt, idx, off;
};
PVMIO__HIDDEN size_t pvmio__page_size(void);
/* Bytes of [addr, addr + len) below 2^64. */
PVMIO__HIDDEN uint64_t pvmio__clamp(uint64_t addr, uint64_t len);
/* Copy up to max_iov iovecs, at most max_bytes, from the cursor into out. */
PVMIO__HIDDEN size_t pvmio__lcur_fill(const struct pvmio__lcur *c,
				      struct iovec *out, size_t max_iov,
				      size_t max_bytes, size_t *nout);
PVMIO__HIDDEN void pvmio__lcur_advance(struct pvmio__lcur *c, size_t n);
/* One remote iovec per page of [addr, addr + len), at most max_iov of them. */
PVMIO__HIDDEN size_t pvmio__page_iovecs(uint64_t addr, uint64_t len,
					struct iovec *out, size_t max_iov,
					size_t page);
/* Seek arithmetic of DESIGN.md; 0 or -EINVAL. */
PVMIO__HIDDEN int pvmio__seek_calc(uint64_t cur, bool past, int64_t off,
				   int whence, uint64_t *ncur, bool *npast);
/* Sum iovec lengths; -EINVAL for NULL bases or a total over SSIZE_MAX. */
PVMIO__HIDDEN int pvmio__iov_total(const struct iovec *iov, size_t cnt,
				   size_t *total);

/* ---- target.c: process identity ---- */
PVMIO__HIDDEN int pvmio__pin(struct pvmio *io);
PVMIO__HIDDEN int pvmio__pidfd_pid(int pidfd, pid_t *pid);
/* Set up the cheap liveness check of a pinned handle (best effort). */
PVMIO__HIDDEN void pvmio__watch(struct pvmio *io);
/* 0 while the pinned process lives, -ESRCH once it has exited. */
PVMIO__HIDDEN int pvmio__alive(const struct pvmio *io);
PVMIO__HIDDEN int pvmio__probe(struct pvmio *io);

/* ---- transfer.c: the engine ---- */
struct pvmio__req {
	struct pvmio *io;
	bool write;
	struct pvmio__lcur local;
	uint64_t addr;
	uint64_t len;		/* already clamped, <= SSIZE_MAX */
};
/* Bytes moved (exact at the first inaccessible page) or -errno, message set. */
PVMIO__HIDDEN ssize_t pvmio__run(struct pvmio__req *rq);
/* As pvmio__run, without the liveness check. */
PVMIO__HIDDEN ssize_t pvmio__run_serial(struct pvmio__req *rq);
/* The public transfer: fn names the entry point in messages. */
PVMIO__HIDDEN ssize_t pvmio__transfer(struct pvmio *io, bool write,
				      const struct iovec *iov, size_t cnt,
				      uint64_t addr, const char *fn);
PVMIO__HIDDEN bool pvmio__cma_missing(void);
/* One process_vm_readv/writev; -errno on failure (ENOSYS is remembered). */
PVMIO__HIDDEN ssize_t pvmio__cma(pid_t pid, bool write, const struct iovec *l,
				 size_t nl, const struct iovec *r, size_t nr);

/* ---- procmem.c: the /proc/PID/mem backend ---- */
PVMIO__HIDDEN int pvmio__memfd(struct pvmio *io);
/*
 * Exact like the CMA path; unless forced, only pages whose protection lets
 * process_vm_* through. Returns the bytes moved; *err gets 0 when all moved,
 * else the -errno that stopped it (message recorded).
 */
PVMIO__HIDDEN size_t pvmio__mem_run(struct pvmio__req *rq, bool force,
				    int *err);

/* ---- maps.c ---- */
PVMIO__HIDDEN int pvmio__maps_parse(char *text, size_t size,
				    struct pvmio_region **regions,
				    size_t *count);
PVMIO__HIDDEN int pvmio__read_file(const char *path, char **buf, size_t *size);

/* ---- sys.c: shared wrappers of the system ---- */
/* open /proc/PID/file; -ESRCH for no such entry, -EPERM for EACCES. */
PVMIO__HIDDEN int pvmio__proc_open(pid_t pid, const char *file, int flags);
/* pidfd_open(2): -1 with ENOSYS before Linux 5.3. */
PVMIO__HIDDEN int pvmio__pidfd_open(pid_t pid, unsigned flags);
/* The CPUs this thread may run on. */
PVMIO__HIDDEN unsigned pvmio__usable_cpus(void);
/* pthread_create with every signal blocked in the new thread; 0 or errno. */
PVMIO__HIDDEN int pvmio__thread_start(pthread_t *tid, void *(*fn)(void *),
				      void *arg);

/* ---- pool.c: parallel workers for big reads ---- */
/* Reads from this size up are split (measured: see bench/README.md). */
#define PVMIO__PAR_MIN	((uint64_t)8 << 20)
PVMIO__HIDDEN bool pvmio__pool_wants(const struct pvmio *io,
				     const struct pvmio__req *rq);
PVMIO__HIDDEN ssize_t pvmio__pool_run(struct pvmio_pool *pool,
				      struct pvmio__req *rq);
PVMIO__HIDDEN void pvmio__pool_free(struct pvmio_pool *pool);

#endif
