/* SPDX-License-Identifier: MIT */
/*
 * Backend fallback: in a child whose seccomp filter makes process_vm_readv
 * and process_vm_writev fail with ENOSYS (a kernel without
 * CONFIG_CROSS_MEMORY_ATTACH), every transfer must go through
 * /proc/PID/mem with the same semantics. The child reports its results in
 * the shared TAP stream; its target is a grandchild.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"

/* the audit arch the filter checks first (x32 numbers carry their own bit) */
#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define ARCH AUDIT_ARCH_S390X
#endif

#define PLAN_CHILD 39

static char *area;	/* 8 pages, page 5 unmapped; seed 21 */
static char *prot;	/* RW, PROT_NONE, RW, PROT_READ; seed 22 */
static char *spare;	/* 8 pages RW for the many-iovec round trip */

#ifdef ARCH
/* ENOSYS for the two CMA syscalls of our own arch; everything else runs. */
static int deny_cma(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv,
			 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev,
			 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	if (!syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return 0;
	/* valgrind 3.19 does not know seccomp(2); the prctl does the same */
	if (errno != ENOSYS)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}
#else
static int deny_cma(void)
{
	errno = ENOTSUP;
	return -1;
}
#endif

/* Both raw syscalls must now say ENOSYS, or the test proves nothing. */
static bool cma_denied(void)
{
	char byte = 0;
	struct iovec l = { &byte, 1 }, r = { &byte, 1 };
	long rd, wr;
	int rd_err, wr_err;

	rd = t_cma_syscall(false, getpid(), &l, 1, &r, 1, 0);
	rd_err = errno;
	wr = t_cma_syscall(true, getpid(), &l, 1, &r, 1, 0);
	wr_err = errno;

	return rd == -1 && rd_err == ENOSYS && wr == -1 && wr_err == ENOSYS;
}

static bool names_procmem(const char *call)
{
	const char *m = pvmio_errmsg();

	return strstr(m, call) && strstr(m, "/proc/") && strstr(m, "mem");
}

static void whole(pvmio *io)
{
	size_t pg = t_page();
	char *buf = malloc(5 * pg), src[300], a[50], b[150], c[100];
	struct iovec wv[3] = {
		{ src, 10 }, { src + 10, 0 }, { src + 10, 290 }
	};
	struct iovec rv[3] = { { a, 50 }, { b, 150 }, { c, 100 } };

	if (!buf)
		t_bail("malloc");
	t_is(pvmio_pread(io, buf, 5 * pg, t_addr(area)), (long long)(5 * pg),
	     "read of 5 pages is whole");
	t_is(t_check(buf, 5 * pg, 21, 0), -1, "the bytes are right");
	t_fill(src, sizeof(src), 23);
	t_is(pvmio_pwrite(io, src, 100, t_addr(area + pg + 10)), 100, "write");
	t_ok(t_remote_is(io, t_addr(area + pg + 10), src, 100),
	     "the write arrived");
	pvmio_seek(io, (int64_t)t_addr(area + 2 * pg - 150), SEEK_SET, NULL);
	t_is(pvmio_writev(io, wv, 3), 300, "writev across a page boundary");
	pvmio_seek(io, (int64_t)t_addr(area + 2 * pg - 150), SEEK_SET, NULL);
	t_is(pvmio_readv(io, rv, 3), 300, "readv across a page boundary");
	t_ok(!memcmp(a, src, 50) && !memcmp(b, src + 50, 150) &&
	     !memcmp(c, src + 200, 100), "readv got what writev wrote");
	free(buf);
}

/* 3000 local iovecs of 0 to 18 bytes: more than one preadv may take. */
static void many(pvmio *io)
{
	enum { N = 3000 };
	static struct iovec wv[N], rv[N];
	static char src[N * 16], dst[N * 16];
	size_t total = 0, pos = 0;

	t_fill(src, sizeof(src), 24);
	for (int i = 0; i < N; i++) {
		wv[i] = (struct iovec){ src + total, (size_t)(i * 5) % 17 };
		total += wv[i].iov_len;
	}
	for (int i = 0; i < N && pos < total; i++) {
		size_t len = (size_t)(i * 7) % 19;

		rv[i] = (struct iovec){ dst + pos, len < total - pos ? len :
							total - pos };
		pos += rv[i].iov_len;
	}
	pvmio_seek(io, (int64_t)t_addr(spare), SEEK_SET, NULL);
	t_is(pvmio_writev(io, wv, N), (long long)total, "writev of 3000 iovecs");
	pvmio_seek(io, (int64_t)t_addr(spare), SEEK_SET, NULL);
	t_ok(pvmio_readv(io, rv, N) == (ssize_t)total &&
	     memcmp(src, dst, total) == 0,
	     "readv of 3000 iovecs gets the same %zu bytes", total);
}

/*
 * Six results: the exact count, the cursor, EFAULT next with a message that
 * names the /proc/PID/mem call, the cursor kept, the data.
 */
static void partial(pvmio *io, bool write, const char *base, size_t off,
		    size_t len, size_t want, unsigned seed, const char *what)
{
	uint64_t start = t_addr(base + off);
	char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		t_bail("malloc");
	memset(buf, 0x6b, len);
	pvmio_seek(io, (int64_t)start, SEEK_SET, NULL);
	n = write ? pvmio_write(io, buf, len) : pvmio_read(io, buf, len);
	t_is(n, (long long)want, what);
	t_cursor_is(io, start + want, "  cursor at the bad page");
	n = write ? pvmio_write(io, buf, 16) : pvmio_read(io, buf, 16);
	t_is_err(n, EFAULT, "  next call fails with EFAULT");
	t_ok(names_procmem(write ? "pwrite" : "pread"),
	     "  message names the /proc/PID/mem call: %s", pvmio_errmsg());
	t_cursor_is(io, start + want, "  cursor unchanged");
	if (write)
		t_ok(t_remote_is(io, start, buf, want), "  the bytes arrived");
	else
		t_is(t_check(buf, want, seed, off), -1, "  the bytes are right");
	free(buf);
}

static void protections(pvmio *io, pvmio *forced)
{
	size_t pg = t_page();
	char src[64];

	memset(src, 0x4d, sizeof(src));
	t_is_err(pvmio_pwrite(io, src, 64, t_addr(prot + 3 * pg + 8)), EFAULT,
		 "read-only page: write without FORCE fails with EFAULT");
	t_ok(t_remote_pattern(io, t_addr(prot + 3 * pg), pg, 22, 3 * pg),
	     "read-only page: nothing changed");
	t_is(pvmio_pwrite(io, src, 64, t_addr(prot + 3 * pg - 20)), 20,
	     "write into a read-only page stops exactly before it");
	t_ok(t_remote_pattern(io, t_addr(prot + 3 * pg), pg, 22, 3 * pg),
	     "read-only page: still unchanged");
	t_is(pvmio_pwrite(forced, src, 64, t_addr(prot + 3 * pg + 8)), 64,
	     "read-only page: write with FORCE");
	t_ok(t_remote_is(io, t_addr(prot + 3 * pg + 8), src, 64),
	     "read-only page: the forced bytes are there");
	t_is(t_remote_pattern(forced, t_addr(prot + pg), pg, 22, pg), 1,
	     "PROT_NONE page: read with FORCE is whole and right");
}

static void pinned(pvmio *io, pvmio *forced, pid_t target)
{
	char buf[16];

	t_kill(target);
	t_is_err(pvmio_pread(io, buf, 16, t_addr(area)), ESRCH,
		 "after the target died: ESRCH");
	t_is_err(pvmio_pread(forced, buf, 16, t_addr(area)), ESRCH,
		 "after the target died: ESRCH with FORCE too");
}

static int run(void *arg)
{
	size_t pg = t_page();
	pvmio *io, *forced;
	pid_t target;

	(void)arg;
	if (deny_cma()) {
		t_skip(PLAN_CHILD, "cannot install a seccomp filter: %s",
		       strerror(errno));
		return 0;
	}
	if (!cma_denied()) {
		t_skip(PLAN_CHILD, "seccomp did not turn process_vm_* into ENOSYS");
		return 0;
	}
	t_ok(true, "process_vm_readv and process_vm_writev now fail with ENOSYS");
	target = t_fork_target();
	t_is(pvmio_open(&io, target, 0, 0), 0, "pvmio_open without CMA");
	forced = t_open(target, 0, PVMIO_FORCE);
	whole(io);
	many(io);
	partial(io, false, area, 3 * pg + 123, 3 * pg, 2 * pg - 123, 21,
		"read from mid-page into a hole: exact count");
	partial(io, true, area, 4 * pg + 1000, 2 * pg, pg - 1000, 0,
		"write from mid-page into a hole: exact count");
	partial(io, false, prot, 123, 2 * pg, pg - 123, 22,
		"read from mid-page into PROT_NONE: exact count");
	t_is(pvmio_pwrite(io, "abcdefgh", 8, t_addr(prot + pg - 5)), 5,
	     "write into PROT_NONE stops exactly before it");
	protections(io, forced);
	pinned(io, forced, target);
	pvmio_close(io);
	pvmio_close(forced);
	return 0;
}

int main(void)
{
	int status;

	t_plan(PLAN_CHILD + 1);
	area = t_map(8, PROT_READ | PROT_WRITE, 21);
	t_unmap_page(area, 5);
	prot = t_map(4, PROT_READ | PROT_WRITE, 22);
	t_protect_page(prot, 1, PROT_NONE);
	t_protect_page(prot, 3, PROT_READ);
	spare = t_map(8, PROT_READ | PROT_WRITE, 0);
	status = t_in_child(run, NULL);
	t_is(status, 0, "the sandboxed child exited cleanly");
	return t_done();
}
