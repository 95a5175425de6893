/* SPDX-License-Identifier: MIT */
/*
 * Parallel reads (pvmio_set_threads): the same bytes, counts, errors and
 * cursor as a serial read, also with a hole hidden in the second half;
 * writes stay serial; the handle survives fork() in the caller. The test
 * interposes process_vm_readv to see which threads called it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define MIB (1u << 20)
#define AREA (48 * MIB)

static pid_t tids[8];
static int ntids;
static pthread_mutex_t tid_lock = PTHREAD_MUTEX_INITIALIZER;

/* Note the calling thread, then make the real call. */
static ssize_t note_tid(bool write, pid_t pid, const struct iovec *l,
			unsigned long nl, const struct iovec *r,
			unsigned long nr, unsigned long flags)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	int i;

	pthread_mutex_lock(&tid_lock);
	for (i = 0; i < ntids && tids[i] != me; i++)
		;
	if (i == ntids && ntids < 8)
		tids[ntids++] = me;
	pthread_mutex_unlock(&tid_lock);
	return t_cma_syscall(write, pid, l, nl, r, nr, flags);
}

T_INTERPOSE_READV(note_tid)

static char *area;

static void same_as_serial(pvmio *par, pvmio *ser, uint64_t off, size_t len,
			   const char *what)
{
	char *a = malloc(len), *b = malloc(len);
	ssize_t na, nb;
	int ea, eb;

	errno = 0;
	na = pvmio_pread(par, a, len, (uintptr_t)area + off);
	ea = errno;
	errno = 0;
	nb = pvmio_pread(ser, b, len, (uintptr_t)area + off);
	eb = errno;
	t_ok(na == nb && (na >= 0 || ea == eb) &&
	     (na <= 0 || memcmp(a, b, (size_t)na) == 0),
	     "%s: parallel %zd (errno %d) = serial %zd (errno %d)", what, na, ea, nb, eb);
	free(a);
	free(b);
}

static void holes(pvmio *par, pvmio *ser)
{
	size_t pg = t_page();
	uint64_t hole = 36 * MIB;	/* in the second half of what follows */
	uint64_t from = 20 * MIB + pg + 123;	/* just after the PROT_NONE page */
	char *buf = malloc(AREA);

	same_as_serial(par, ser, 0, AREA, "PROT_NONE at 20 MiB stops the whole area");
	pvmio_seek(par, (int64_t)((uintptr_t)area + from), SEEK_SET, NULL);
	t_is(pvmio_read(par, buf, AREA), (long long)(hole - from),
	     "parallel read returns exactly the bytes before the hidden hole");
	t_is(t_check(buf, hole - from, 5, from), -1, "and they are right");
	t_cursor_is(par, t_addr(area) + hole, "the cursor is at the hole");
	t_is_err(pvmio_read(par, buf, AREA), EFAULT, "the next parallel read fails with EFAULT");
	t_ok(strstr(pvmio_errmsg(), "process_vm_readv(pid") != NULL,
	     "the caller's message names the call: %s", pvmio_errmsg());
	same_as_serial(par, ser, from, 20 * MIB, "a hole in the second half");
	same_as_serial(par, ser, hole + pg, AREA - hole - pg, "the part after the hole");
	free(buf);
}

static void writes_stay_serial(pvmio *par)
{
	size_t len = 24 * MIB;
	char *src = malloc(len), back[64];
	uint64_t start = (uintptr_t)area + 28 * MIB;

	memset(src, 0x77, len);
	t_is(pvmio_pwrite(par, src, len, start), 8 * MIB, "a big write stops at the hole");
	t_is(pvmio_pread(par, back, 64, start + 8 * MIB + t_page()), 64,
	     "read past the hole");
	t_is(t_check(back, 64, 5, 36 * MIB + t_page()), -1, "nothing was written past the hole");
	free(src);
}

static int forked_child(void *arg)
{
	pvmio *par = arg;
	char *buf = malloc(16 * MIB);
	int bad = 0;

	/* the inherited handle reads serially; a new setting brings workers */
	bad |= pvmio_pread(par, buf, 16 * MIB, (uintptr_t)area) != 16 * MIB;
	if (!T_UNDER_TSAN) {	/* TSan cannot start threads in a fork */
		bad |= pvmio_set_threads(par, 2) != 0;
		bad |= pvmio_pread(par, buf, 16 * MIB, (uintptr_t)area) != 16 * MIB;
	}
	bad |= t_check(buf, 16 * MIB, 5, 0) != -1;
	pvmio_close(par);
	free(buf);
	return bad;
}

int main(void)
{
	pvmio *par, *ser;
	char *buf;
	pid_t child;

	t_plan(4 + 8 + 3 + 5);
	area = t_map(AREA / t_page(), PROT_READ | PROT_WRITE, 5);
	child = t_fork_target();
	par = t_open(child, 0, 0);
	ser = t_open(child, 0, 0);
	/* 0 means the usable CPUs, maybe one (taskset): ask for 2 explicitly */
	t_is(pvmio_set_threads(par, 0) | pvmio_set_threads(par, 2), 0,
	     "pvmio_set_threads(io, 0), then (io, 2)");
	t_is_err(pvmio_set_threads(NULL, 2), EINVAL, "pvmio_set_threads(NULL): EINVAL");
	buf = malloc(AREA);
	ntids = 0;
	t_is(pvmio_pread(par, buf, AREA, (uintptr_t)area), AREA, "a 48 MiB parallel read");
	/* valgrind runs one thread at a time: the caller may take every piece */
	t_ok((ntids >= 2 || t_under_valgrind()) && t_check(buf, AREA, 5, 0) == -1,
	     "it ran in %d threads and the bytes are right", ntids);
	t_kill(child);
	t_protect_page(area, 20 * MIB / t_page(), PROT_NONE);
	t_unmap_page(area, 36 * MIB / t_page());
	child = t_fork_target();
	pvmio_close(par);
	pvmio_close(ser);
	par = t_open(child, 0, 0);
	ser = t_open(child, 0, 0);
	pvmio_set_threads(par, 4);
	holes(par, ser);
	writes_stay_serial(par);
	t_is(t_in_child(forked_child, par), 0, "after fork() the child's handle works, also with new workers");
	t_is(pvmio_pread(par, buf, 16 * MIB, (uintptr_t)area), 16 * MIB,
	     "the parent's workers still work after the fork");
	t_is(pvmio_set_threads(par, 1), 0, "threads 1 switches the workers off");
	t_is(pvmio_pread(par, buf, 16 * MIB, (uintptr_t)area), 16 * MIB, "and reads go on serially");
	t_kill(child);
	t_is_err(pvmio_pread(ser, buf, 16 * MIB, (uintptr_t)area), ESRCH,
		 "a dead target: ESRCH");
	pvmio_close(par);
	pvmio_close(ser);
	free(buf);
	return t_done();
}
