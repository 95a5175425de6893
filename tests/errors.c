/* SPDX-License-Identifier: MIT */
/*
 * errno and pvmio_errmsg(): the thread-local message names the failing call,
 * the PID, the address and the length; a success does not clear it; bad
 * arguments give EINVAL at every entry point, and length 0 moves nothing.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

static pvmio *io;
static uint64_t hole;	/* an unmapped page in the child */

/* Does the message name the call, PID, 0x address and length? */
static void msg_names(const char *call, pid_t pid, uint64_t addr, size_t len,
		      const char *what)
{
	const char *m = pvmio_errmsg();
	char p[32], a[32], l[32];

	snprintf(p, sizeof(p), "pid %d", (int)pid);
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)addr);
	snprintf(l, sizeof(l), ", %zu)", len);
	bool ok = strncmp(m, call, strlen(call)) == 0 && m[strlen(call)] == '(';

	ok = ok && strstr(m, p) && strstr(m, a) && strstr(m, l) &&
	     strstr(m, strerror(EFAULT));
	if (!t_ok(ok, "%s", what))
		t_diag("  message \"%s\", want %s(%s, %s%s: %s", m, call, p, a,
		       l, strerror(EFAULT));
}

static void *fresh_thread(void *arg)
{
	const char *m = pvmio_errmsg();
	char buf[8];

	*(int *)arg = m && m[0] == '\0';
	pvmio_pread(io, buf, 1, hole);	/* fails here, not in main */
	return NULL;
}

static void messages(pid_t child)
{
	char buf[64], saved[256];
	pthread_t th;
	int empty = 0;
	pvmio *f;

	memset(buf, 0x3c, sizeof(buf));
	t_ok(pvmio_errmsg() && pvmio_errmsg()[0] == '\0',
	     "\"\" before any failure");
	t_is_err(pvmio_pread(io, buf, 40, hole), EFAULT,
		 "pread of a hole: EFAULT");
	msg_names("process_vm_readv", child, hole, 40,
		  "... message names the read");
	t_is_err(pvmio_pwrite(io, buf, 33, hole + 8), EFAULT,
		 "pwrite of a hole: EFAULT");
	msg_names("process_vm_writev", child, hole + 8, 33,
		  "... message names the write");
	pvmio_seek(io, (int64_t)(hole - 10), SEEK_SET, NULL);
	t_is(pvmio_read(io, buf, 64), 10, "read up to the hole");
	t_is_err(pvmio_read(io, buf, 64), EFAULT, "next read: EFAULT");
	msg_names("process_vm_readv", child, hole, 64,
		  "... message names the hole");

	snprintf(saved, sizeof(saved), "%s", pvmio_errmsg());
	t_is(pvmio_pread(io, buf, 8, hole - 8), 8, "a successful read");
	t_ok(strcmp(saved, pvmio_errmsg()) == 0,
	     "... leaves the message alone");

	if (pthread_create(&th, NULL, fresh_thread, &empty) ||
	    pthread_join(th, NULL))
		t_bail("pthread");
	t_ok(empty, "\"\" in a fresh thread while main has a message");
	t_ok(strcmp(saved, pvmio_errmsg()) == 0,
	     "the thread's failure is not main's");

	f = t_open(child, hole, PVMIO_FORCE);
	t_is_err(pvmio_read(f, buf, 16), EFAULT,
		 "forced read of a hole: EFAULT");
	msg_names("pread(/proc/PID/mem)", child, hole, 16,
		  "... message names /proc/PID/mem");
	pvmio_close(f);
	t_is_err(pvmio_open(&f, INT_MAX, 0, 0), ESRCH,
		 "open a PID with no process");
	snprintf(saved, sizeof(saved), "pid %d", INT_MAX);
	t_ok(strstr(pvmio_errmsg(), saved) != NULL,
	     "... message names the PID");
}

/* Leave a different message behind, so an EINVAL must write its own. */
static void prime(void)
{
	char b;

	pvmio_pread(io, &b, 1, hole);
}

/* EINVAL, and a message of its own. */
static void einval_is(long long ret, const char *what)
{
	int err = errno;
	const char *m = pvmio_errmsg();

	if (!t_ok(ret == -1 && err == EINVAL && strstr(m, strerror(EINVAL)),
		  "%s: EINVAL", what))
		t_diag("  got %lld, errno %d, message \"%s\"", ret, err, m);
}

#define EINVAL_CASE(call, what) \
	do { \
		prime(); \
		einval_is((call), what); \
	} while (0)

static void bad_args(char *buf)
{
	size_t half = (size_t)SSIZE_MAX / 2 + 1;
	struct iovec nul = { NULL, 5 }, one = { buf, 1 };
	struct iovec big[2] = { { buf, half }, { buf, half } };
	size_t over = (size_t)SSIZE_MAX + 1;

	EINVAL_CASE(pvmio_read(NULL, buf, 1), "read: NULL handle");
	EINVAL_CASE(pvmio_write(NULL, buf, 1), "write: NULL handle");
	EINVAL_CASE(pvmio_readv(NULL, &one, 1), "readv: NULL handle");
	EINVAL_CASE(pvmio_writev(NULL, &one, 1), "writev: NULL handle");
	EINVAL_CASE(pvmio_pread(NULL, buf, 1, 0), "pread: NULL handle");
	EINVAL_CASE(pvmio_pwrite(NULL, buf, 1, 0), "pwrite: NULL handle");
	EINVAL_CASE(pvmio_seek(NULL, 0, SEEK_SET, NULL), "seek: NULL handle");
	EINVAL_CASE(pvmio_tell(NULL, NULL), "tell: NULL handle");
	EINVAL_CASE(pvmio_pid(NULL), "pid: NULL handle");

	EINVAL_CASE(pvmio_read(io, NULL, 1), "read: NULL buffer");
	EINVAL_CASE(pvmio_write(io, NULL, 1), "write: NULL buffer");
	EINVAL_CASE(pvmio_pread(io, NULL, 1, hole - 1), "pread: NULL buffer");
	EINVAL_CASE(pvmio_pwrite(io, NULL, 1, hole - 1), "pwrite: NULL buffer");
	EINVAL_CASE(pvmio_readv(io, &nul, 1), "readv: NULL iov_base");
	EINVAL_CASE(pvmio_writev(io, &nul, 1), "writev: NULL iov_base");
	EINVAL_CASE(pvmio_readv(io, NULL, 1), "readv: NULL iov");
	EINVAL_CASE(pvmio_writev(io, NULL, 1), "writev: NULL iov");

	EINVAL_CASE(pvmio_readv(io, &one, -1), "readv: iovcnt -1");
	EINVAL_CASE(pvmio_writev(io, &one, -1), "writev: iovcnt -1");
	EINVAL_CASE(pvmio_readv(io, &one, INT_MIN), "readv: iovcnt INT_MIN");
	EINVAL_CASE(pvmio_writev(io, &one, INT_MIN), "writev: iovcnt INT_MIN");

	EINVAL_CASE(pvmio_readv(io, big, 2),
		    "readv: iovecs sum over SSIZE_MAX");
	EINVAL_CASE(pvmio_writev(io, big, 2),
		    "writev: iovecs sum over SSIZE_MAX");
	EINVAL_CASE(pvmio_read(io, buf, over), "read: len over SSIZE_MAX");
	EINVAL_CASE(pvmio_write(io, buf, over), "write: len over SSIZE_MAX");
	EINVAL_CASE(pvmio_pread(io, buf, over, 0), "pread: len over SSIZE_MAX");
	EINVAL_CASE(pvmio_pwrite(io, buf, over, 0),
		    "pwrite: len over SSIZE_MAX");

	pvmio_seek(io, 0, SEEK_END, NULL);
	EINVAL_CASE(pvmio_read(io, NULL, 1), "read past the end: NULL buffer");
	EINVAL_CASE(pvmio_readv(io, big, 2),
		    "readv past the end: over SSIZE_MAX");
}

static void zero_len(void)
{
	struct iovec zeros[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };

	pvmio_seek(io, (int64_t)hole, SEEK_SET, NULL);
	t_is(pvmio_read(io, NULL, 0), 0, "read len 0 at a hole: 0");
	t_is(pvmio_write(io, NULL, 0), 0, "write len 0 at a hole: 0");
	t_is(pvmio_readv(io, NULL, 0), 0, "readv of 0 iovecs: 0");
	t_is(pvmio_writev(io, zeros, 3), 0, "writev of empty iovecs: 0");
	t_is(pvmio_pread(io, NULL, 0, hole), 0, "pread len 0: 0");
	t_is(pvmio_pwrite(io, NULL, 0, hole), 0, "pwrite len 0: 0");
	t_cursor_is(io, hole, "len 0 leaves the cursor");
}

int main(void)
{
	char *area = t_map(4, PROT_READ | PROT_WRITE, 5), buf[16] = { 0 };
	pid_t child;

	t_plan(16 + 29 + 7);
	t_unmap_page(area, 2);
	hole = (uintptr_t)area + 2 * t_page();
	child = t_fork_target();
	io = t_open(child, 0, 0);
	messages(child);
	bad_args(buf);
	zero_len();
	pvmio_close(io);
	t_kill(child);
	return t_done();
}
