/* SPDX-License-Identifier: MIT */
/*
 * The /proc/PID/maps parser (pvmio__maps_parse) on crafted text: every
 * field of realistic lines, paths the kernel may print (spaces, escapes,
 * " (deleted)", named anonymous memory), 64-bit addresses, a missing final
 * newline, unsorted input, and text that must be refused with EIO.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "internal.h"

static const char text[] =
	"55d0c8a00000-55d0c8a21000 r-xp 00001000 fd:01 1835040                    /usr/bin/cat\n"
	"7f3a1c000000-7f3a1c021000 rw-s 1122334455667788 00:05 18446744073709551615 /tmp/a b  c (deleted)\n"
	"7f3a1d000000-7f3a1d001000 ---p 00000000 00:00 0 \n"
	"7f3a1e000000-7f3a1e002000 rw-p 00000000 00:00 0                          [anon:my  name]\n"
	"7ffd2a9f0000-7ffd2aa11000 rw-p 00000000 00:00 0                          [stack]\n"
	"7fffe0000000-7fffe0001000 r--p 00000000 103:1f 42                        /x/new\\012line\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

/* The parser may write its terminator at text[size], as pvmio_maps allows. */
static int parse(const char *s, size_t size, struct pvmio_region **r, size_t *n)
{
	char *t = malloc(size + 1);
	int rc;

	if (!t)
		t_bail("malloc");
	memcpy(t, s, size);
	t[size] = 'X';
	rc = pvmio__maps_parse(t, size, r, n);
	free(t);
	return rc;
}

static bool region(const struct pvmio_region *r, uint64_t start, uint64_t end,
		   unsigned prot, int shared, uint64_t off, unsigned maj,
		   unsigned min, uint64_t ino, const char *path)
{
	bool ok = r->start == start && r->end == end && r->prot == prot &&
		  r->shared == shared && r->offset == off &&
		  r->dev_major == maj && r->dev_minor == min &&
		  r->inode == ino && !strcmp(r->path, path);

	if (!ok)
		t_diag("  got %#llx-%#llx prot %u shared %d off %#llx %x:%x %llu '%s'",
		       (unsigned long long)r->start, (unsigned long long)r->end,
		       r->prot, r->shared, (unsigned long long)r->offset,
		       r->dev_major, r->dev_minor, (unsigned long long)r->inode,
		       r->path);
	return ok;
}

static void fields(void)
{
	struct pvmio_region *r = NULL;
	size_t n = 0;

	t_is(parse(text, strlen(text), &r, &n), 0,
	     "realistic text, no final newline");
	t_is((long long)n, 7, "seven regions, the last one too");
	if (n != 7)
		t_bail("cannot go on");
	t_ok(region(&r[0], 0x55d0c8a00000, 0x55d0c8a21000, PROT_READ | PROT_EXEC,
		    0, 0x1000, 0xfd, 1, 1835040, "/usr/bin/cat"), "a program's text");
	t_ok(region(&r[1], 0x7f3a1c000000, 0x7f3a1c021000, PROT_READ | PROT_WRITE,
		    1, 0x1122334455667788, 0, 5, UINT64_MAX, "/tmp/a b  c (deleted)"),
	     "shared, 64-bit offset, inode 2^64 - 1, spaces and (deleted) kept");
	t_ok(region(&r[2], 0x7f3a1d000000, 0x7f3a1d001000, 0, 0, 0, 0, 0, 0, ""),
	     "PROT_NONE, anonymous (a trailing space is no path)");
	t_ok(region(&r[3], 0x7f3a1e000000, 0x7f3a1e002000, PROT_READ | PROT_WRITE,
		    0, 0, 0, 0, 0, "[anon:my  name]"), "named anonymous memory");
	t_ok(!strcmp(r[4].path, "[stack]"), "[stack]");
	t_ok(region(&r[5], 0x7fffe0000000, 0x7fffe0001000, PROT_READ, 0, 0, 0x103,
		    0x1f, 42, "/x/new\\012line"), "3-digit major; escape kept as printed");
	t_ok(region(&r[6], 0xffffffffff600000, 0xffffffffff601000, PROT_EXEC, 0, 0,
		    0, 0, 0, "[vsyscall]"), "64-bit addresses");
	pvmio_maps_free(r, n);
}

static void shapes(void)
{
	static const char unsorted[] =
		"3000-4000 r--p 00000000 00:00 0 c\n"
		"1000-2000 r--p 00000000 00:00 0 a\n"
		"2000-3000 r--p 00000000 00:00 0 b\n";
	struct pvmio_region *r = NULL;
	size_t n = 99;

	t_is(parse("", 0, &r, &n), 0, "empty text");
	t_is((long long)n, 0, "... no regions");
	pvmio_maps_free(r, n);
	t_is(parse(unsorted, strlen(unsorted), &r, &n), 0, "unsorted text");
	t_ok(n == 3 && r[0].start == 0x1000 && !strcmp(r[0].path, "a") &&
	     r[1].start == 0x2000 && !strcmp(r[1].path, "b") &&
	     r[2].start == 0x3000 && !strcmp(r[2].path, "c"),
	     "... comes out sorted, paths with their regions");
	pvmio_maps_free(r, n);
}

static void garbage(void)
{
	static const char *bad[] = {
		"hello world\n",
		"1000-2000 r--p 00000000 00:00 0 ok\nnot a line\n",
		"2000-1000 r--p 00000000 00:00 0\n",		/* end < start */
		"10000000000000000-10000000000000001 r--p 0 00:00 0\n",
		"1000:2000 r--p 00000000 00:00 0\n",
		"1000-2000 r--p 00000000 0000 0\n",		/* no dev colon */
		"1000-2000 r--p 00000000 00:00 x\n",		/* inode */
		"1000-2000 r--p 00000000 00:00 12x /p\n",
		"1000-2000 r--p 00000000 00:00 99999999999999999999\n",
		"1000-2000 r--p 00000000 100000000:00 0\n",	/* major > 32 bits */
		"\n",
		"7f00",						/* cut short */
		"7f00-7f01 r",
		"7f00-7f01 rw-p 00000000 00:00",
		"7f00-7f01 rw-p 00000000 00:00 0\n7f02-",
	};
	static const char nul[] = "1000-2000 r--p 00000000 00:00 0 /a\0b\n";
	struct pvmio_region *r;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		t_is(parse(bad[i], strlen(bad[i]), &r, &n), -EIO,
		     "garbage: -EIO");
	}
	t_is(parse(nul, sizeof(nul) - 1, &r, &n), -EIO,
	     "a NUL byte in a line: -EIO");
}

int main(void)
{
	t_plan(9 + 4 + 16);
	fields();
	shapes();
	garbage();
	return t_done();
}
