/* SPDX-License-Identifier: MIT */
/*
 * The address space ends at 2^64. No kernel maps memory up there, so this
 * program defines process_vm_readv/writev itself (libpvmio.a is linked in
 * statically, the library's calls land here) and serves a readable and
 * writable window [2^64 - 64 KiB, 2^64) from a local buffer; other
 * addresses go to the real syscall. Ranges must be clamped at the end, the
 * cursor must go past it, and no remote iovec may ever wrap around 0.
 * Without the window the real kernel refuses those addresses: checked too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers.h"

#define WIN (64 * 1024)
#define WIN_START (0 - (uint64_t)WIN)
#define END(n) (0 - (uint64_t)(n))	/* 2^64 - n */
#define KERNEL_IOV_MAX 1024

static unsigned char win[WIN];
static bool fake = true;
static pid_t target;
static unsigned long served;	/* calls the window answered */
static unsigned long bad;	/* calls a real kernel would reject */

struct lpos {
	const struct iovec *v;
	unsigned long n, i;
	size_t off;
};

/* Move up to len bytes between the local iovecs and w. */
static size_t copy_local(struct lpos *lp, unsigned char *w, size_t len,
			 bool write)
{
	size_t done = 0;

	while (done < len && lp->i < lp->n) {
		size_t k = lp->v[lp->i].iov_len - lp->off;
		char *p = (char *)lp->v[lp->i].iov_base + lp->off;

		if (k > len - done)
			k = len - done;
		if (write)
			memcpy(w + done, p, k);
		else
			memcpy(p, w + done, k);
		done += k;
		lp->off += k;
		if (lp->off == lp->v[lp->i].iov_len) {
			lp->i++;
			lp->off = 0;
		}
	}
	return done;
}

/* The window is mapped; everything else in the kernel half is not. */
static ssize_t serve(bool write, const struct iovec *l, unsigned long nl,
		     const struct iovec *r, unsigned long nr)
{
	struct lpos lp = { l, nl, 0, 0 };
	bool fault = false;
	size_t total = 0;

	served++;
	for (unsigned long i = 0; i < nr && !fault; i++) {
		uint64_t a = (uintptr_t)r[i].iov_base;
		size_t len = r[i].iov_len, k;

		if (!len)
			continue;
		fault = a < WIN_START;
		if (fault)
			break;
		if (len > 0 - a) {	/* wraps past 2^64: counted in bad */
			errno = EINVAL;
			return -1;
		}
		k = copy_local(&lp, win + (a - WIN_START), len, write);
		total += k;
		if (k < len)
			break;	/* the local iovecs are used up */
	}
	if (fault && !total) {
		errno = EFAULT;
		return -1;
	}
	return (ssize_t)total;
}

static bool in_kernel_half(const struct iovec *r, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		if (r[i].iov_len && (uint64_t)(uintptr_t)r[i].iov_base >> 63)
			return true;
	return false;
}

static ssize_t dispatch(bool write, pid_t pid, const struct iovec *l,
			unsigned long nl, const struct iovec *r,
			unsigned long nr, unsigned long flags)
{
	if (nl > KERNEL_IOV_MAX || nr > KERNEL_IOV_MAX || flags)
		bad++;
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t a = (uintptr_t)r[i].iov_base;

		if (a && r[i].iov_len > 0 - a)
			bad++;	/* a remote iovec that wraps past 2^64 */
	}
	if (fake && pid == target && in_kernel_half(r, nr))
		return serve(write, l, nl, r, nr);
	return t_cma_syscall(write, pid, l, nl, r, nr, flags);
}

T_INTERPOSE(dispatch)

static void seek_to(pvmio *io, uint64_t at)
{
	if (pvmio_seek(io, (int64_t)at, SEEK_SET, NULL))
		t_bail("pvmio_seek: %s", pvmio_errmsg());
}

/* Is the cursor past the end, as pvmio_tell reports it? */
static bool past_end(pvmio *io)
{
	uint64_t pos = 0;

	return pvmio_tell(io, &pos) == 1 && pos == UINT64_MAX;
}

static void reads(pvmio *io)
{
	unsigned char buf[200];
	struct iovec v[3] = { { buf, 8 }, { buf + 8, 8 }, { buf + 16, 8 } };
	unsigned long before = served;

	seek_to(io, END(16));
	t_is(pvmio_read(io, buf, 16), 16, "read of 16 bytes at 2^64 - 16");
	t_ok(served > before, "the window answered (the interposition is on)");
	t_ok(!memcmp(buf, win + WIN - 16, 16), "the 16 bytes are right");
	t_ok(past_end(io), "the cursor is past the end: tell gives 1, UINT64_MAX");
	t_is(pvmio_read(io, buf, 16), 0, "the next read returns 0");
	t_ok(past_end(io), "the cursor stays past the end");
	memset(buf, 0xee, sizeof(buf));
	t_is(pvmio_pread(io, buf, 100, END(10)), 10,
	     "pread of 100 bytes at 2^64 - 10 is clamped to 10");
	t_ok(!memcmp(buf, win + WIN - 10, 10) && buf[10] == 0xee,
	     "the 10 bytes are right, nothing beyond them written");
	seek_to(io, END(10));
	t_is(pvmio_read(io, buf, 100), 10, "read of 100 bytes at 2^64 - 10: 10");
	t_ok(past_end(io), "the clamped read puts the cursor past the end");
	memset(buf, 0xee, sizeof(buf));
	seek_to(io, END(12));
	t_is(pvmio_readv(io, v, 3), 12, "readv of 3 x 8 bytes at 2^64 - 12: 12");
	t_ok(!memcmp(buf, win + WIN - 12, 12) && buf[12] == 0xee,
	     "readv scattered the 12 bytes, nothing more");
	t_ok(past_end(io), "readv puts the cursor past the end");
	t_is(pvmio_readv(io, v, 3), 0, "readv past the end returns 0");
	t_is(pvmio_pread(io, buf, 1, UINT64_MAX), 1, "the last byte reads");
	t_is(pvmio_pread(io, buf, 0, UINT64_MAX), 0, "len 0 at the last byte: 0");
}

static void whole_window(pvmio *io)
{
	unsigned char *buf = malloc(WIN + 4096);

	if (!buf)
		t_bail("malloc");
	t_is(pvmio_pread(io, buf, WIN + 4096, WIN_START), WIN,
	     "read of the whole window and beyond: clamped to 64 KiB");
	t_ok(!memcmp(buf, win, WIN), "the window's bytes are right");
	t_is_err(pvmio_pread(io, buf, 64, WIN_START - 32), EFAULT,
		 "a range that starts below the window: EFAULT");
	free(buf);
}

static void writes(pvmio *io)
{
	unsigned char src[100], keep[WIN];
	struct iovec v[3] = { { src, 8 }, { src + 8, 8 }, { src + 16, 8 } };

	t_fill(src, sizeof(src), 7);
	memcpy(keep, win, WIN);
	t_is(pvmio_pwrite(io, src, 100, END(10)), 10,
	     "pwrite of 100 bytes at 2^64 - 10 is clamped to 10");
	t_ok(!memcmp(win + WIN - 10, src, 10) && !memcmp(win, keep, WIN - 10),
	     "exactly the last 10 bytes changed");
	seek_to(io, END(16));
	t_is(pvmio_write(io, src + 3, 16), 16, "write of 16 bytes at 2^64 - 16");
	t_ok(!memcmp(win + WIN - 16, src + 3, 16), "the 16 bytes arrived");
	t_ok(past_end(io), "the write puts the cursor past the end");
	t_is(pvmio_write(io, src, 16), 0, "the next write returns 0");
	seek_to(io, END(20));
	t_is(pvmio_writev(io, v, 3), 20, "writev of 3 x 8 bytes at 2^64 - 20: 20");
	t_ok(!memcmp(win + WIN - 20, src, 20), "writev gathered the 20 bytes");
	t_ok(past_end(io), "writev puts the cursor past the end");
	t_is(pvmio_writev(io, v, 3), 0, "writev past the end returns 0");
}

static void seek_back(pvmio *io)
{
	unsigned char buf[16];
	uint64_t pos = 0;

	seek_to(io, END(4));
	pvmio_read(io, buf, 16);
	t_is(pvmio_seek(io, -16, SEEK_CUR, &pos), 0, "seek back from past the end");
	t_ok(pos == END(16), "the cursor is 2^64 - 16");
	t_is(pvmio_read(io, buf, 16), 16, "read again: 16 bytes");
	t_ok(!memcmp(buf, win + WIN - 16, 16), "the bytes are right");
	t_is(pvmio_seek(io, -8, SEEK_END, &pos), 0, "seek to 8 before the end");
	t_is(pvmio_read(io, buf, 16), 8, "read there: 8 bytes");
	t_ok(past_end(io), "past the end again");
}

static void real_kernel(pvmio *io, pvmio *forced)
{
	unsigned char buf[100];
	struct iovec l = { buf, 16 }, r = { (void *)(uintptr_t)END(16), 16 };

	memset(buf, 0x21, sizeof(buf));
	fake = false;
	t_is_err(t_cma_syscall(false, target, &l, 1, &r, 1, 0), EFAULT,
		 "real kernel: raw process_vm_readv at 2^64 - 16: EFAULT");
	t_is_err(pvmio_pread(io, buf, 16, END(16)), EFAULT,
		 "real kernel: pread at 2^64 - 16: EFAULT");
	seek_to(io, END(10));
	t_is_err(pvmio_read(io, buf, 100), EFAULT,
		 "real kernel: read of 100 bytes at 2^64 - 10: EFAULT");
	t_cursor_is(io, END(10), "real kernel: the cursor is unchanged");
	t_is_err(pvmio_pwrite(io, buf, 16, END(16)), EFAULT,
		 "real kernel: pwrite at 2^64 - 16: EFAULT");
	t_ok(strstr(pvmio_errmsg(), "process_vm_writev") &&
	     strstr(pvmio_errmsg(), "0xfffffffffffffff0"),
	     "real kernel: the message names the call and address: %s",
	     pvmio_errmsg());
	t_is_err(pvmio_pread(forced, buf, 16, END(16)), EFAULT,
		 "real kernel: a FORCE read at 2^64 - 16: EFAULT");
	t_is_err(pvmio_pwrite(forced, buf, 100, END(10)), EFAULT,
		 "real kernel: a FORCE write at 2^64 - 10: EFAULT");
	fake = true;
}

int main(void)
{
	pvmio *io, *forced;

	if (UINTPTR_MAX < UINT64_MAX)
		t_skip_all("32-bit iovecs cannot name addresses near 2^64");
	t_plan(16 + 3 + 10 + 7 + 8 + 1);
	t_fill(win, WIN, 3);
	target = t_fork_target();
	io = t_open(target, 0, 0);
	forced = t_open(target, 0, PVMIO_FORCE);
	reads(io);
	whole_window(io);
	writes(io);
	seek_back(io);
	real_kernel(io, forced);
	t_is((long long)bad, 0,
	     "no call had a wrapping iovec, too many iovecs or flags");
	pvmio_close(io);
	pvmio_close(forced);
	t_kill(target);
	return t_done();
}
