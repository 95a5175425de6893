/* SPDX-License-Identifier: MIT */
/*
 * The target of tests/cross_abi.c, built once per ABI the compiler can target
 * (peer32, peer64; mk/hardening.mk). It maps four pages of a known
 * pattern with a hole in page 2 and an EDGE: when 32 bits wide, one page as
 * close to the top of its 4 GiB as it can, when 64 bits wide, four pages
 * across the 4 GiB line. It prints "BITS AREA EDGE" and waits to be killed. Not instrumented and without the test helpers, so that it
 * builds wherever a C compiler for the ABI does.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The formula of t_fill() in tests/helpers.c. */
static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131u) ^ (i >> 8) ^ (i >> 16) ^ seed);
}

static void *map(void *at, size_t len, int flags)
{
	void *p = mmap(at, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* pages at exactly at, filled; NULL where something else lives */
static unsigned char *map_at(uint64_t at, size_t len)
{
	unsigned char *p = map((void *)(uintptr_t)at, len, MAP_FIXED_NOREPLACE);

	if (p && p != (void *)(uintptr_t)at) {
		munmap(p, len);	/* an old kernel took it as a hint */
		p = NULL;
	}
	if (p)
		fill(p, len, 0x42);
	return p;
}

/* 32-bit: the highest free page under 4 GiB; 64-bit: 4 pages across it. */
static unsigned char *edge(size_t pg)
{
	uint64_t at = ((uint64_t)1 << 32) - pg;
	unsigned char *p = NULL;

	if (sizeof(void *) != 4)
		return map_at(at - pg, 4 * pg);
	for (int tries = 0; tries < 4096 && !p; tries++, at -= pg)
		p = map_at(at, pg);
	return p;
}

int main(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *area = map(NULL, 4 * pg, 0), *top = edge(pg);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!area)
		return 1;
	fill(area, 4 * pg, 0x21);
	munmap(area + 2 * pg, pg);
	printf("%d %llx %llx\n", (int)sizeof(void *) * 8,
	       (unsigned long long)(uintptr_t)area,
	       (unsigned long long)(uintptr_t)top);
	fflush(stdout);
	for (;;)
		pause();
}
