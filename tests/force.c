/* SPDX-License-Identifier: MIT */
/*
 * PVMIO_FORCE on a forked child: what process_vm_* refuses on a mapped page
 * (a write to a PROT_READ page or to code, a read of PROT_NONE) goes through
 * /proc/PID/mem, as a debugger plants a breakpoint. Without the flag the
 * same transfers fail with EFAULT and change nothing; unmapped addresses
 * fail with EFAULT either way.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define CODE_LEN 4

static char *ro;	/* one PROT_READ page; seed 11 */
static char *none;	/* one PROT_NONE page; seed 12 */
static char *span;	/* RW, PROT_NONE, RW; seed 13 */
static char *gap;	/* RW, unmapped, RW; seed 14 */
static char *rogap;	/* PROT_READ, unmapped, PROT_READ; seed 17 */
static pvmio *plain, *forced;

/* The child never calls this: its first bytes become 0xCC there. */
static __attribute__((noinline)) int victim(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

static uint64_t victim_addr(void)
{
	return (uint64_t)(uintptr_t)&victim;
}

static const char *cmdline_refusal(void)
{
	static char line[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	const char *r = NULL;

	if (!f)
		return NULL;
	if (fgets(line, sizeof(line), f)) {
		if (strstr(line, "proc_mem.force_override=never"))
			r = "proc_mem.force_override=never on the kernel command line";
		else if (strstr(line, "proc_mem.force_override=ptrace"))
			r = "proc_mem.force_override=ptrace on the kernel command line";
	}
	fclose(f);
	return r;
}

/* Does the kernel let /proc/PID/mem write a read-only page at all? */
static void probe_force(pid_t child, const char *probe)
{
	const char *why = cmdline_refusal();
	char path[64], byte = 0x42;
	int fd, ok;

	if (why) {
		t_kill(child);
		t_skip_all("the kernel refuses FOLL_FORCE: %s", why);
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("open %s", path);
	ok = pwrite(fd, &byte, 1, (off_t)t_addr(probe)) == 1;
	if (!ok) {
		int err = errno;

		t_kill(child);
		t_skip_all("the kernel refuses FOLL_FORCE writes through "
			   "/proc/PID/mem (%s)", strerror(err));
	}
	close(fd);
}

static void read_only_page(void)
{
	char src[64], back[64];

	memset(src, 0xa5, sizeof(src));
	t_is_err(pvmio_pwrite(plain, src, 64, t_addr(ro + 100)), EFAULT,
		 "PROT_READ page: write without FORCE fails with EFAULT");
	t_ok(t_remote_pattern(forced, t_addr(ro), t_page(), 11, 0),
	     "PROT_READ page: nothing changed");
	t_is(pvmio_pwrite(forced, src, 64, t_addr(ro + 100)), 64,
	     "PROT_READ page: write with FORCE moves every byte");
	t_ok(t_remote_is(forced, t_addr(ro + 100), src, 64),
	     "PROT_READ page: the forced bytes are there");
	t_ok(pvmio_pread(plain, back, 64, t_addr(ro + 100)) == 64 &&
	     memcmp(back, src, 64) == 0,
	     "PROT_READ page: a plain read sees them too");
	t_ok(t_remote_pattern(forced, t_addr(ro), 100, 11, 0) &&
	     t_remote_pattern(forced, t_addr(ro + 164), t_page() - 164, 11,
			      164),
	     "PROT_READ page: the bytes around them are untouched");
}

static void prot_none_page(void)
{
	size_t pg = t_page();
	char *buf = malloc(pg);

	if (!buf)
		t_bail("malloc");
	t_is_err(pvmio_pread(plain, buf, 16, t_addr(none)), EFAULT,
		 "PROT_NONE page: read without FORCE fails with EFAULT");
	t_is(pvmio_pread(forced, buf, pg, t_addr(none)), (long long)pg,
	     "PROT_NONE page: read with FORCE moves the whole page");
	t_is(t_check(buf, pg, 12, 0), -1, "PROT_NONE page: the bytes are right");
	memset(buf, 0x3c, pg);
	t_is_err(pvmio_pwrite(plain, buf, 32, t_addr(none + 8)), EFAULT,
		 "PROT_NONE page: write without FORCE fails with EFAULT");
	t_ok(t_remote_pattern(forced, t_addr(none), pg, 12, 0),
	     "PROT_NONE page: nothing changed");
	t_is(pvmio_pwrite(forced, buf, 32, t_addr(none + 8)), 32,
	     "PROT_NONE page: write with FORCE");
	t_ok(t_remote_is(forced, t_addr(none + 8), buf, 32),
	     "PROT_NONE page: the forced bytes are there");
	free(buf);
}

static void code(pid_t child)
{
	unsigned char mine[CODE_LEN], theirs[CODE_LEN], trap[CODE_LEN];
	int status;

	memcpy(mine, (const void *)(uintptr_t)victim_addr(), CODE_LEN);
	memset(trap, 0xcc, CODE_LEN);
	t_ok(pvmio_pread(plain, theirs, CODE_LEN, victim_addr()) == CODE_LEN &&
	     memcmp(theirs, mine, CODE_LEN) == 0,
	     "code: the child's function starts with our bytes");
	t_is_err(pvmio_pwrite(plain, trap, CODE_LEN, victim_addr()), EFAULT,
		 "code: write without FORCE fails with EFAULT");
	t_ok(t_remote_is(forced, victim_addr(), mine, CODE_LEN),
	     "code: nothing changed");
	t_is(pvmio_pwrite(forced, trap, CODE_LEN, victim_addr()), CODE_LEN,
	     "code: write of 0xCC with FORCE");
	t_ok(t_remote_is(forced, victim_addr(), trap, CODE_LEN),
	     "code: the child's function now starts with 0xCC");
	t_ok(memcmp((const void *)(uintptr_t)victim_addr(), mine, CODE_LEN) == 0
	     && victim(2) == 7, "code: our own copy is untouched (copy on write)");
	t_ok(waitpid(child, &status, WNOHANG) == 0,
	     "code: the child is still waiting, it never ran the function");
}

static void unmapped(void)
{
	size_t pg = t_page();
	char buf[256];

	memset(buf, 0x99, sizeof(buf));
	t_is_err(pvmio_pread(forced, buf, 16, t_addr(gap + pg)), EFAULT,
		 "unmapped: read with FORCE fails with EFAULT");
	t_is_err(pvmio_pwrite(forced, buf, 16, t_addr(gap + pg)), EFAULT,
		 "unmapped: write with FORCE fails with EFAULT");
	pvmio_seek(forced, (int64_t)t_addr(gap + pg - 100), SEEK_SET, NULL);
	t_is(pvmio_read(forced, buf, sizeof(buf)), 100,
	     "unmapped: a forced read stops exactly before the unmapped page");
	t_is(t_check(buf, 100, 14, pg - 100), -1, "unmapped: the bytes are right");
	t_is_err(pvmio_read(forced, buf, sizeof(buf)), EFAULT,
		 "unmapped: the next forced read fails with EFAULT");
	t_cursor_is(forced, t_addr(gap + pg),
		    "unmapped: the cursor stays at the unmapped page");
	t_is(pvmio_pwrite(forced, buf, sizeof(buf), t_addr(rogap + pg - 60)),
	     60,
	     "unmapped: a forced write over a read-only page stops at the hole");
	t_ok(t_remote_is(forced, t_addr(rogap + pg - 60), buf, 60) &&
	     t_remote_pattern(forced, t_addr(rogap), pg - 60, 17, 0),
	     "unmapped: the 60 bytes arrived, nothing before them changed");
}

static void across(void)
{
	size_t pg = t_page();
	char *buf = malloc(3 * pg), *src = malloc(3 * pg);

	if (!buf || !src)
		t_bail("malloc");
	t_is(pvmio_pread(plain, buf, 3 * pg, t_addr(span)), (long long)pg,
	     "[RW][NONE][RW]: a plain read stops at PROT_NONE");
	t_is(pvmio_pread(forced, buf, 3 * pg, t_addr(span)),
	     (long long)(3 * pg),
	     "[RW][NONE][RW]: a forced read is whole");
	t_is(t_check(buf, 3 * pg, 13, 0), -1, "[RW][NONE][RW]: the bytes are right");
	t_fill(src, 3 * pg, 15);
	t_is(pvmio_pwrite(forced, src + 100, 3 * pg - 200, t_addr(span + 100)),
	     (long long)(3 * pg - 200), "[RW][NONE][RW]: a forced write is whole");
	t_ok(t_remote_is(forced, t_addr(span + 100), src + 100, 3 * pg - 200),
	     "[RW][NONE][RW]: the written bytes are there");
	t_ok(t_remote_pattern(forced, t_addr(span), 100, 13, 0) &&
	     t_remote_pattern(forced, t_addr(span + 3 * pg - 100), 100, 13,
			      3 * pg - 100),
	     "[RW][NONE][RW]: the bytes around them are untouched");
	free(buf);
	free(src);
}

int main(void)
{
	char *probe;
	pid_t child;

	ro = t_map(1, PROT_READ, 11);
	none = t_map(1, PROT_NONE, 12);
	span = t_map(3, PROT_READ | PROT_WRITE, 13);
	t_protect_page(span, 1, PROT_NONE);
	probe = t_map(1, PROT_READ, 16);
	/* holes between two pages: no later mapping can fill them */
	gap = t_map(3, PROT_READ | PROT_WRITE, 14);
	t_unmap_page(gap, 1);
	rogap = t_map(3, PROT_READ, 17);
	t_unmap_page(rogap, 1);
	child = t_fork_target();
	probe_force(child, probe);
	t_plan(6 + 7 + 7 + 8 + 6);
	plain = t_open(child, 0, 0);
	forced = t_open(child, 0, PVMIO_FORCE);
	read_only_page();
	prot_none_page();
	code(child);
	unmapped();
	across();
	pvmio_close(plain);
	pvmio_close(forced);
	t_kill(child);
	return t_done();
}
