/* SPDX-License-Identifier: MIT */
/*
 * Exact partial transfers: a read or write that runs into an inaccessible
 * page returns the bytes before it, to the byte, and the next call fails
 * with EFAULT with the cursor unchanged. Against a forked child and self.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define PAGES 8
#define HOLE 5		/* pages 0-4 readable, 5 unmapped, 6-7 mapped again */

static char *area;

static void read_into_hole(pvmio *io, const char *who)
{
	size_t pg = t_page(), off = 3 * pg + 123, want = HOLE * pg - off;
	char *buf = malloc(PAGES * pg);

	pvmio_seek(io, (int64_t)(uintptr_t)(area + off), SEEK_SET, NULL);
	t_is(pvmio_read(io, buf, PAGES * pg), (long long)want,
	     t_fmt("%s: read from mid-page stops at the hole", who));
	t_is(t_check(buf, want, 1, off), -1,
	     t_fmt("%s: the bytes before the hole are right", who));
	t_cursor_is(io, t_addr(area + HOLE * pg),
		    t_fmt("%s: cursor advanced to the hole", who));
	t_is_err(pvmio_read(io, buf, 10), EFAULT,
		 t_fmt("%s: next read fails with EFAULT", who));
	t_cursor_is(io, t_addr(area + HOLE * pg),
		    t_fmt("%s: cursor unchanged by the failure", who));
	free(buf);
}

static void small_edges(pvmio *io)
{
	size_t pg = t_page();
	char buf[64];
	uint64_t hole = (uintptr_t)(area + HOLE * pg);

	t_is(pvmio_pread(io, buf, 64, hole - 1), 1, "1 byte before the hole, inside one call");
	t_is(pvmio_pread(io, buf, 64, hole - 64), 64, "a range ending right at the hole is whole");
	t_is_err(pvmio_pread(io, buf, 1, hole), EFAULT, "first byte in the hole: EFAULT");
	t_is_err(pvmio_pread(io, buf, 64, hole + pg - 10), EFAULT,
		 "range starting in the hole and ending beyond it: EFAULT");
	t_is(pvmio_pread(io, buf, 64, hole + pg), 64, "past the hole memory reads again");
}

static void write_into_hole(pvmio *io, pid_t child)
{
	size_t pg = t_page(), off = 4 * pg + 1000, want = HOLE * pg - off;
	char *src = malloc(2 * pg), *back = malloc(2 * pg);

	memset(src, 0x5a, 2 * pg);
	t_is(pvmio_pwrite(io, src, 2 * pg, (uintptr_t)(area + off)), (long long)want,
	     "child: write into the hole stops before it");
	t_is(pvmio_pread(io, back, want, (uintptr_t)(area + off)), (long long)want,
	     "child: read back the written part");
	t_ok(memcmp(back, src, want) == 0, "child: the written bytes arrived");
	t_is(pvmio_pread(io, back, 1000, (uintptr_t)(area + off - 1000)), 1000,
	     "child: read the bytes before the write");
	t_is(t_check(back, 1000, 1, off - 1000), -1, "child: nothing before the range changed");
	t_is(pvmio_pread(io, back, pg, (uintptr_t)(area + (HOLE + 1) * pg)),
	     (long long)pg, "child: read the page after the hole");
	t_is(t_check(back, pg, 1, (HOLE + 1) * pg), -1,
	     "child: the page after the hole is untouched");
	(void)child;
	free(src);
	free(back);
}

/* A short count is a success: the last failure's message and errno stay. */
static void short_is_success(pvmio *io)
{
	size_t pg = t_page();
	char buf[256], before[256];

	pvmio_pread(io, buf, 1, (uintptr_t)(area + HOLE * pg));
	snprintf(before, sizeof(before), "%s", pvmio_errmsg());
	errno = 1234;
	t_is(pvmio_pread(io, buf, 256, (uintptr_t)(area + HOLE * pg - 100)), 100,
	     "a short read");
	t_ok(errno == 1234 && strcmp(before, pvmio_errmsg()) == 0,
	     "leaves errno and the last failure's message (%s)", pvmio_errmsg());
}

static void protections(pvmio *io)
{
	size_t pg = t_page();
	char *p = t_map(4, PROT_READ | PROT_WRITE, 7), buf[2 * 4096 + 64];

	t_protect_page(p, 1, PROT_NONE);
	t_protect_page(p, 3, PROT_READ);
	t_is(pvmio_pread(io, buf, 2 * pg, (uintptr_t)(p + pg - 17)), 17,
	     "read stops at a PROT_NONE page");
	t_is_err(pvmio_pread(io, buf, 8, (uintptr_t)(p + pg)), EFAULT,
		 "reading a PROT_NONE page: EFAULT");
	memset(buf, 0xee, sizeof(buf));
	t_is(pvmio_pwrite(io, buf, 2 * pg, (uintptr_t)(p + 3 * pg - 100)), 100,
	     "write stops at a read-only page");
	t_is(t_check(p + 3 * pg, pg, 7, 3 * pg), -1, "the read-only page is unchanged");
	t_is_err(pvmio_pwrite(io, buf, 8, (uintptr_t)(p + 3 * pg)), EFAULT,
		 "writing a read-only page: EFAULT");
	munmap(p, 4 * pg);
}

int main(void)
{
	pvmio *io;
	pid_t child;

	t_plan(5 * 2 + 5 + 7 + 2 + 5);
	area = t_map(PAGES, PROT_READ | PROT_WRITE, 1);
	t_unmap_page(area, HOLE);
	child = t_fork_target();
	io = t_open(child, 0, 0);
	read_into_hole(io, "child");
	small_edges(io);
	write_into_hole(io, child);
	pvmio_close(io);
	t_kill(child);
	io = t_open(getpid(), 0, 0);
	read_into_hole(io, "self");
	short_is_success(io);
	protections(io);
	pvmio_close(io);
	return t_done();
}
