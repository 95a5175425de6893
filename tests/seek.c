/* SPDX-License-Identifier: MIT */
/*
 * Semantics of seek (DESIGN.md, as the seed's Seek impl): the cursor ranges
 * over the whole 2^64-byte space plus one "past the end" state, which
 * pvmio_tell reports as 1 and UINT64_MAX. Checked on a handle to a child.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define TOP	UINT64_MAX
#define HALF	((uint64_t)1 << 63)
#define PAST	2	/* expected-state marker: past the end */

static pvmio *io;

/* Check the cursor: tell's return, its address, and seek's position. */
static void cursor_is(uint64_t pos, uint64_t want, int state, const char *what)
{
	uint64_t at = 0;
	int r = pvmio_tell(io, &at);
	uint64_t w = state == PAST ? TOP : want;

	if (t_ok(pos == w && at == w && r == (state == PAST),
		 "%s", what))
		return;
	t_diag("  seek gave 0x%llx, tell gave %d and 0x%llx; want 0x%llx%s",
	       (unsigned long long)pos, r, (unsigned long long)at,
	       (unsigned long long)w, state == PAST ? " (past the end)" : "");
}

/* Seek from a given start (SEEK_SET, or past the end if start_past). */
static int seek_from(uint64_t start, bool start_past, int64_t off, int whence,
		     uint64_t *pos)
{
	if (start_past)
		pvmio_seek(io, 1, SEEK_END, NULL);
	else
		pvmio_seek(io, (int64_t)start, SEEK_SET, NULL);
	return pvmio_seek(io, off, whence, pos);
}

/* seek_from, then cursor_is on the position it gave. */
static void seek_case(uint64_t start, bool start_past, int64_t off,
		      int whence, uint64_t want, int state, const char *what)
{
	uint64_t pos = 0x5eed;	/* no case wants it: a seek must set it */

	seek_from(start, start_past, off, whence, &pos);
	cursor_is(pos, want, state, what);
}

static void set_cases(void)
{
	uint64_t pos;

	pvmio_seek(io, 0, SEEK_SET, &pos);
	cursor_is(pos, 0, 0, "SEEK_SET 0");
	pvmio_seek(io, -1, SEEK_SET, &pos);
	cursor_is(pos, TOP, 0, "SEEK_SET -1: 2^64-1, not past the end");
	pvmio_seek(io, INT64_MIN, SEEK_SET, &pos);
	cursor_is(pos, HALF, 0, "SEEK_SET INT64_MIN is address 2^63");
	seek_case(0, true, 0x1234, SEEK_SET, 0x1234, 0,
		  "SEEK_SET from past the end comes back");
}

static void cur_cases(void)
{
	uint64_t pos;

	seek_case(0x1000, false, 0, SEEK_CUR, 0x1000, 0,
		  "SEEK_CUR 0 keeps the cursor");
	seek_case(TOP - 5, false, 5, SEEK_CUR, TOP, 0,
		  "SEEK_CUR forward to exactly 2^64-1");
	seek_case(TOP - 5, false, 6, SEEK_CUR, 0, PAST,
		  "SEEK_CUR forward to 2^64: past the end");
	seek_case(HALF + 1, false, INT64_MAX, SEEK_CUR, 0, PAST,
		  "SEEK_CUR overflow: past the end");
	seek_case(0, true, 0, SEEK_CUR, 0, PAST,
		  "SEEK_CUR 0 from past the end stays there");
	seek_case(0, true, INT64_MAX, SEEK_CUR, 0, PAST,
		  "SEEK_CUR forward from past the end stays there");

	seek_case(0x1000, false, -0x1000, SEEK_CUR, 0, 0,
		  "SEEK_CUR back to exactly 0");
	pos = 42;
	t_is_err(seek_from(0x1000, false, -0x1001, SEEK_CUR, &pos), EINVAL,
		 "SEEK_CUR below 0: EINVAL");
	t_is(pos, 42, "a failed seek leaves *position alone");
	cursor_is(0x1000, 0x1000, 0, "a failed seek leaves the cursor");
	seek_case(HALF, false, INT64_MIN, SEEK_CUR, 0, 0,
		  "SEEK_CUR INT64_MIN from 2^63: 0");
	t_is_err(seek_from(HALF - 1, false, INT64_MIN, SEEK_CUR, NULL), EINVAL,
		 "SEEK_CUR INT64_MIN from 2^63-1: EINVAL");
	cursor_is(HALF - 1, HALF - 1, 0, "... cursor unchanged");

	seek_case(0, true, -1, SEEK_CUR, TOP, 0,
		  "SEEK_CUR -1 from past the end: 2^64-1");
	seek_case(0, true, -4096, SEEK_CUR, TOP - 4095, 0,
		  "SEEK_CUR -4096 from past the end: 2^64-4096");
	seek_case(0, true, INT64_MIN, SEEK_CUR, HALF, 0,
		  "SEEK_CUR INT64_MIN from past the end: 2^63");
}

static void end_cases(void)
{
	seek_case(0x1000, false, 0, SEEK_END, 0, PAST,
		  "SEEK_END 0: past the end");
	seek_case(0x1000, false, INT64_MAX, SEEK_END, 0, PAST,
		  "SEEK_END INT64_MAX: past the end");
	seek_case(0x1000, false, -1, SEEK_END, TOP, 0, "SEEK_END -1: 2^64-1");
	seek_case(0, true, -100, SEEK_END, TOP - 99, 0,
		  "SEEK_END -100 from past the end: 2^64-100");
	seek_case(0x1000, false, INT64_MIN, SEEK_END, HALF, 0,
		  "SEEK_END INT64_MIN: 2^63");
}

static void bad_whence(void)
{
	/* 3 and 4 are SEEK_DATA and SEEK_HOLE, which lseek knows */
	static const int bad[] = { -1, 3, 4, 99 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		t_is_err(seek_from(0x777, false, 0, bad[i], NULL), EINVAL,
			 t_fmt("whence %d: EINVAL", bad[i]));
	cursor_is(0x777, 0x777, 0, "... cursor unchanged");
	t_is_err(seek_from(0, true, -1, 99, NULL), EINVAL,
		 "bad whence from past the end: EINVAL");
	cursor_is(TOP, 0, PAST, "... still past the end");
	t_is(pvmio_seek(io, 0x888, SEEK_SET, NULL), 0,
	     "position NULL is allowed");
	cursor_is(0x888, 0x888, 0, "... and the seek happened");
	t_is(pvmio_tell(io, NULL), 0, "tell with a NULL address returns 0");
	pvmio_seek(io, 0, SEEK_END, NULL);
	t_is(pvmio_tell(io, NULL), 1,
	     "tell with a NULL address past the end returns 1");
}

/* Transfers against the cursor in the child's memory and at its edges. */
static void transfers(const char *area)
{
	char buf[256];
	uint64_t base = (uintptr_t)area;

	pvmio_seek(io, (int64_t)base, SEEK_SET, NULL);
	t_is(pvmio_read(io, buf, 100), 100, "read 100 at the cursor");
	pvmio_seek(io, -50, SEEK_CUR, NULL);
	t_is(pvmio_read(io, buf, 50), 50, "SEEK_CUR -50 and read again");
	t_is(t_check(buf, 50, 3, 50), -1, "... the bytes at cursor 50");
	cursor_is(base + 100, base + 100, 0,
		  "the cursor advanced by the counts");

	pvmio_seek(io, 0, SEEK_END, NULL);
	t_is(pvmio_read(io, buf, sizeof(buf)), 0,
	     "read past the end returns 0");
	t_is(pvmio_write(io, buf, sizeof(buf)), 0,
	     "write past the end returns 0");
	cursor_is(TOP, 0, PAST, "... still past the end");

	pvmio_seek(io, -100, SEEK_END, NULL);
	t_is_err(pvmio_read(io, buf, sizeof(buf)), EFAULT,
		 "read clamped at 2^64 in kernel space: EFAULT");
	cursor_is(TOP - 99, TOP - 99, 0, "... cursor unchanged");
	pvmio_seek(io, -1, SEEK_SET, NULL);
	t_is_err(pvmio_write(io, buf, 1), EFAULT,
		 "write the last byte of the space: EFAULT");
	cursor_is(TOP, TOP, 0, "... cursor unchanged at 2^64-1");
	t_is_err(pvmio_pread(io, buf, sizeof(buf), TOP - 10), EFAULT,
		 "pread across 2^64: EFAULT");
}

/* The /proc/PID/mem path (PVMIO_FORCE) cannot reach >= 2^63: same answer. */
static void forced(pid_t child)
{
	pvmio *f;
	char buf[64];

	f = t_open(child, (uint64_t)-64, PVMIO_FORCE);
	t_is_err(pvmio_read(f, buf, sizeof(buf)), EFAULT,
		 "PVMIO_FORCE: read of the last 64 bytes of the space: EFAULT");
	t_cursor_is(f, (uint64_t)-64, "PVMIO_FORCE: cursor unchanged");
	pvmio_close(f);
}

int main(void)
{
	char *area = t_map(1, PROT_READ | PROT_WRITE, 3);
	pid_t child = t_fork_target();

	t_plan(4 + 16 + 5 + 11 + 12 + 2);
	io = t_open(child, 0, 0);
	set_cases();
	cur_cases();
	end_cases();
	bad_whence();
	transfers(area);
	pvmio_close(io);
	forced(child);
	t_kill(child);
	return t_done();
}
