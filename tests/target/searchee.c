/* SPDX-License-Identifier: MIT */
/*
 * A target for the search tests: `searchee SEED CHUNK [BIG_MIB]`, or
 * `searchee SEED CHUNK sparse MIB` for the sparse layout alone.
 * Its patterns are built from units u(k) = mix(SEED + k), 8 bytes each,
 * written byte by byte into fresh mappings, so no other copy of a whole
 * pattern exists in the process. It prints "NAME 0x..." lines (what the
 * test expects where) and "ready", then sleeps until killed; it dies with
 * its parent (set up by whoever execs it).
 *
 *   chunk  3 CHUNK bytes aligned to CHUNK; P1 = u1 u2 at its very start,
 *          across the chunk border at +CHUNK, across a page border, and
 *          ending at its very end
 *   adj    two pages rw- then r--: P2 = u3 u4 across their border
 *   none   P3 = u5 u6 inside a PROT_NONE page, and from a readable page
 *          into the PROT_NONE page
 *   over   u7 four times in a row: P4 = u7 u7 matches three times
 *   mask   u8 u9 with byte 3 replaced and byte 10's low nibble changed
 *          (matches 8-9 masked), then a copy with byte 10's high nibble
 *          changed (matches nothing)
 *   many   P6 = u10 u11, 32 times in each of two mappings
 *   eof    a 1-page file mapped over 4 pages (reads past its end fail),
 *          then an anonymous page: P8 = u14 u15 in the file's page and in
 *          the anonymous one
 *   big    with BIG_MIB: BIG_MIB MiB of pseudo-random bytes holding
 *          P7 = u12 u13 up to 1000 times ("bign"), one in ten across a
 *          chunk border
 *   sparse MIB MiB of private anonymous memory, untouched but for three
 *          pages: u20 ends the page at 5/16 of it (P9 = u20 + 8 zero bytes
 *          runs into untouched memory), u21 starts the page at 9/16
 *          (P10 = 8 zeros + u21 comes out of untouched memory), P11 =
 *          u22 u23 100 bytes further, P12 = u24 u25 ends the region
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t seed;
static size_t page, chunk;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte by byte from a register: no stray copy of the unit in memory. */
static void unit(unsigned char *dst, unsigned k)
{
	uint64_t v = mix(seed + k);

	for (int i = 0; i < 8; i++)
		dst[i] = (unsigned char)(v >> (8 * i));
}

static void pattern(unsigned char *dst, unsigned k1, unsigned k2)
{
	unit(dst, k1);
	unit(dst + 8, k2);
}

static unsigned char *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("searchee: mmap");
		exit(1);
	}
	return p;
}

static void show(const char *name, const void *addr)
{
	printf("%s %p\n", name, addr);
}

static void chunk_region(void)
{
	unsigned char *raw = map(4 * chunk), *a;

	a = (unsigned char *)(((uintptr_t)raw + chunk - 1) & ~(chunk - 1));
	/* the region starts and ends where the pattern does */
	if (a > raw)
		munmap(raw, (size_t)(a - raw));
	munmap(a + 3 * chunk, (size_t)(raw + 4 * chunk - (a + 3 * chunk)));
	pattern(a, 1, 2);
	pattern(a + chunk - 8, 1, 2);
	pattern(a + chunk + 3 * page - 5, 1, 2);
	pattern(a + 3 * chunk - 16, 1, 2);
	show("chunk", a);
}

static void adjacent_regions(void)
{
	unsigned char *a = map(2 * page);

	pattern(a + page - 7, 3, 4);
	mprotect(a + page, page, PROT_READ);
	show("adj", a);
}

static void none_region(void)
{
	unsigned char *a = map(3 * page);

	pattern(a + page - 8, 5, 6);
	pattern(a + page + 100, 5, 6);
	mprotect(a + page, 2 * page, PROT_NONE);
	show("none", a);
}

static void overlap_and_mask(void)
{
	unsigned char *a = map(page);

	for (int i = 0; i < 4; i++)
		unit(a + 8 * i, 7);
	pattern(a + 100, 8, 9);
	a[103] ^= 0x5a;
	a[110] ^= 0x03;
	pattern(a + 200, 8, 9);
	a[210] ^= 0x30;
	show("over", a);
	show("mask", a + 100);
}

static void many(void)
{
	unsigned char *a = map(65 * page);

	munmap(a + 32 * page, page);
	for (size_t i = 0; i < 64; i++) {
		size_t pg = i < 32 ? i : i + 1;

		pattern(a + pg * page + (i * 37) % (page - 16), 10, 11);
	}
	show("many", a);
}

/* A file mapping past its end: maps says readable, reads fail. */
static void eof_region(void)
{
	char path[] = "/tmp/searchee.XXXXXX";
	unsigned char *a = mmap(NULL, 5 * page, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *buf = calloc(1, page);
	int fd = mkstemp(path);

	if (a == MAP_FAILED || !buf || fd < 0) {
		perror("searchee: eof region");
		exit(1);
	}
	unlink(path);
	pattern(buf + 100, 14, 15);
	if (write(fd, buf, page) != (ssize_t)page ||
	    mmap(a, 4 * page, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != a) {
		perror("searchee: eof mapping");
		exit(1);
	}
	explicit_bzero(buf, page);	/* a plain memset before free is dropped */
	free(buf);
	close(fd);
	mprotect(a + 4 * page, page, PROT_READ | PROT_WRITE);
	pattern(a + 4 * page, 14, 15);
	show("eof", a);
}

static void big(size_t mib)
{
	size_t len = mib << 20, n = len / (2 * chunk), step;
	unsigned char *a = map(len);
	uint64_t x = seed | 1;

	n = n > 1000 ? 1000 : n;
	step = len / n;
	for (size_t i = 0; i < len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(a + i, &x, 8);
	}
	for (size_t i = 0; i < n; i++) {
		uintptr_t at = (uintptr_t)a + i * step + (i * 7919) % (step - 16);

		if (i % 10 == 0)	/* across a chunk border */
			at = (((uintptr_t)a + i * step) | (chunk - 1)) + 1 - 8;
		pattern((unsigned char *)at, 12, 13);
	}
	show("big", a);
	printf("bign %#zx\n", n);
}

static void sparse(size_t mib)
{
	size_t len = mib << 20, at5 = len / 16 * 5, at9 = len / 16 * 9;
	unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				-1, 0);

	if (a == MAP_FAILED) {
		perror("searchee: sparse mmap");
		exit(1);
	}
	unit(a + at5 + page - 8, 20);
	unit(a + at9, 21);
	pattern(a + at9 + 100, 22, 23);
	pattern(a + len - 16, 24, 25);
	show("sparse", a);
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: searchee SEED CHUNK [BIG_MIB | sparse MIB]\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0);
	chunk = strtoull(argv[2], NULL, 0);
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (argc > 4 && !strcmp(argv[3], "sparse")) {
		sparse(strtoull(argv[4], NULL, 0));
		ready();
	}
	chunk_region();
	adjacent_regions();
	none_region();
	overlap_and_mask();
	many();
	eof_region();
	if (argc > 3)
		big(strtoull(argv[3], NULL, 0));
	ready();
}
