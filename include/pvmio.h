/* SPDX-License-Identifier: MIT */
/*
 * pvmio: read and write the virtual memory of a running Linux process.
 *
 * The one public header of libpvmio. Every function that can fail returns -1
 * (or NULL) and sets errno; pvmio_errmsg() then says what failed.
 */
#ifndef PVMIO_H
#define PVMIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PVMIO_VERSION_MAJOR 0
#define PVMIO_VERSION_MINOR 1
#define PVMIO_VERSION_PATCH 0

#ifndef PVMIO_API
#define PVMIO_API __attribute__((visibility("default")))
#endif

/** @brief The handle: one target process and a cursor in its address space. */
typedef struct pvmio pvmio;

/** Transfers refused by process_vm_* on a mapped page (a write to read-only
 *  code, a read of PROT_NONE) go through /proc/PID/mem, as a debugger does. */
#define PVMIO_FORCE	(1u << 0)
/** Skip the pidfd liveness check: raw speed, but a reused PID is not noticed. */
#define PVMIO_UNPINNED	(1u << 1)

/**
 * @brief **pvmio_open()** opens the memory of process @p pid.
 * @param io receives the handle
 * @param pid the target; the calling process's own PID works too
 * @param address the initial cursor
 * @param flags PVMIO_FORCE, PVMIO_UNPINNED or 0
 * @return 0, or -1 with errno EINVAL, ESRCH, EPERM, ENOMEM, EMFILE
 *
 * Access is proved with a probing transfer, so EPERM comes here rather than
 * at the first read.
 */
PVMIO_API int pvmio_open(pvmio **io, pid_t pid, uint64_t address, unsigned flags);

/**
 * @brief **pvmio_open_pidfd()** opens the process that @p pidfd refers to.
 * The fd is duplicated; the caller keeps (and closes) its own.
 * @return 0, or -1 with errno EBADF, EINVAL (not a pidfd), ESRCH, EPERM
 */
PVMIO_API int pvmio_open_pidfd(pvmio **io, int pidfd, uint64_t address, unsigned flags);

/** @brief **pvmio_close()** frees the handle; NULL is a no-op. */
PVMIO_API void pvmio_close(pvmio *io);

/** @brief **pvmio_pid()** returns the target's PID (-1 with EINVAL for NULL). */
PVMIO_API pid_t pvmio_pid(const pvmio *io);

/**
 * @brief **pvmio_read()** reads up to @p len bytes at the cursor and advances it.
 * @return the bytes read, short only where an inaccessible page begins (the
 * next call then fails with EFAULT); 0 for len 0 or a cursor past the end;
 * -1 with errno EINVAL, EFAULT, ESRCH, EPERM, ENOMEM.
 */
PVMIO_API ssize_t pvmio_read(pvmio *io, void *buf, size_t len);
/** @brief **pvmio_write()**: as pvmio_read(), in the other direction. */
PVMIO_API ssize_t pvmio_write(pvmio *io, const void *buf, size_t len);
/** @brief **pvmio_readv()**: scatter into any number of local iovecs. */
PVMIO_API ssize_t pvmio_readv(pvmio *io, const struct iovec *iov, int iovcnt);
/** @brief **pvmio_writev()**: gather from any number of local iovecs. */
PVMIO_API ssize_t pvmio_writev(pvmio *io, const struct iovec *iov, int iovcnt);
/** @brief **pvmio_pread()** reads at @p address; the cursor is untouched.
 *  Safe to call from several threads on one handle. */
PVMIO_API ssize_t pvmio_pread(pvmio *io, void *buf, size_t len, uint64_t address);
/** @brief **pvmio_pwrite()** writes at @p address; the cursor is untouched. */
PVMIO_API ssize_t pvmio_pwrite(pvmio *io, const void *buf, size_t len, uint64_t address);

/** @brief One piece of a scatter/gather transfer. */
struct pvmio_span {
	uint64_t address;	/* remote */
	void *buf;		/* local */
	size_t len;
	ssize_t done;		/* out: bytes moved, or -errno (EFAULT, ...) */
};

/**
 * @brief **pvmio_read_spans()** reads many small remote pieces in as few
 * syscalls as possible. A hole in one span never stops the others; each
 * span's @c done obeys the rules of one pvmio_pread(). The cursor is untouched.
 * @return how many spans moved completely, or -1 (EINVAL, ESRCH, EPERM, ENOMEM)
 */
PVMIO_API ssize_t pvmio_read_spans(pvmio *io, struct pvmio_span *spans, size_t n);
/** @brief **pvmio_write_spans()**: as pvmio_read_spans(), writing. */
PVMIO_API ssize_t pvmio_write_spans(pvmio *io, struct pvmio_span *spans, size_t n);

/**
 * @brief **pvmio_set_threads()** splits big transfers over @p n threads
 * (0 = the online CPUs, 1 = off, the default). Semantics do not change.
 */
PVMIO_API int pvmio_set_threads(pvmio *io, unsigned n);

/**
 * @brief **pvmio_seek()** moves the cursor over the 2^64-byte address space.
 * @param whence SEEK_SET, SEEK_CUR or SEEK_END
 * @param position may be NULL; receives the new cursor, UINT64_MAX past the end
 * @return 0, or -1 with EINVAL (bad whence, before address 0)
 */
PVMIO_API int pvmio_seek(pvmio *io, int64_t offset, int whence, uint64_t *position);
/** @brief **pvmio_tell()**: 0 and the cursor, or 1 and UINT64_MAX past the end. */
PVMIO_API int pvmio_tell(const pvmio *io, uint64_t *address);

/** @brief **pvmio_errmsg()**: the calling thread's last failure; never NULL. */
PVMIO_API const char *pvmio_errmsg(void);
/** @brief **pvmio_version_string()**: "MAJOR.MINOR.PATCH" of the library. */
PVMIO_API const char *pvmio_version_string(void);

/**
 * @brief **pvmio_fopen()**: a stdio stream over the target's memory.
 * @param mode "r", "w", "r+", "w+" ("b" ignored; "w" truncates nothing)
 */
PVMIO_API FILE *pvmio_fopen(pid_t pid, uint64_t address, const char *mode);

/** @brief One line of /proc/PID/maps. */
struct pvmio_region {
	uint64_t start, end, offset;	/* [start, end) */
	unsigned prot;			/* PROT_READ | PROT_WRITE | PROT_EXEC */
	int shared;			/* 's' in maps */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *path;			/* "" for anonymous; "[stack]", "[heap]", ... */
};

/**
 * @brief **pvmio_maps()** reads the memory map of @p pid, sorted by address.
 * @return 0, or -1 with EINVAL, ESRCH, EPERM, ENOMEM, EIO (unparsable line)
 */
PVMIO_API int pvmio_maps(pid_t pid, struct pvmio_region **regions, size_t *count);
/** @brief **pvmio_maps_free()** frees what pvmio_maps() returned. */
PVMIO_API void pvmio_maps_free(struct pvmio_region *regions, size_t count);

/** @brief **pvmio_freeze()**: SIGSTOP, return once every thread is stopped. */
PVMIO_API int pvmio_freeze(pid_t pid);
/** @brief **pvmio_thaw()**: SIGCONT. */
PVMIO_API int pvmio_thaw(pid_t pid);

/** @brief Called once per match, in address order; nonzero stops the search. */
typedef int (*pvmio_match_fn)(uint64_t address, void *arg);

/**
 * @brief **pvmio_search()** finds every occurrence of a pattern in the
 * readable memory of @p pid. With a @p mask, byte i matches when
 * (mem[i] & mask[i]) == (pattern[i] & mask[i]).
 * @return the number of matches, or -1
 */
PVMIO_API ssize_t pvmio_search(pid_t pid, const void *pattern, const void *mask,
			       size_t len, pvmio_match_fn on_match, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* PVMIO_H */
