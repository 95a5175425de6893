/* SPDX-License-Identifier: MIT */
/*
 * One handle, many callers, everything at once: two threads make big
 * preads that the handle's worker pool splits (pvmio_set_threads), one
 * reads spans with a hole among them, one runs into the hole again and
 * again and checks that its own thread-local message names its own
 * address, while the main thread lists the maps and searches. Every byte
 * and every count is checked; under `make check TSAN=1` the run must also
 * be free of data races.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"

#define AREA_PAGES	((size_t)8192)	/* 32 MiB of 4 KiB pages */
#define SEED		0x5d

static pvmio *shared;
static char *area;		/* AREA_PAGES + 1 hole + 1 page, in the target */
static size_t pg, big;
static unsigned rounds;
static int bad[4];

static uint64_t at(size_t off)
{
	return (uintptr_t)area + off;
}

static void *big_reads(void *arg)
{
	int id = (int)(intptr_t)arg;
	char *buf = malloc(big);

	for (unsigned r = 0; buf && r < rounds; r++) {
		size_t off = ((size_t)(r * 7 + (unsigned)id) % 16) * pg + 13;
		ssize_t n = pvmio_pread(shared, buf, big, at(off));

		bad[id] += n != (ssize_t)big || t_check(buf, big, SEED, off) != -1;
	}
	free(buf);
	return NULL;
}

static void *spans(void *arg)
{
	size_t hole = AREA_PAGES * pg;

	(void)arg;
	for (unsigned r = 0; r < rounds * 8; r++) {
		char b[4][100];
		struct pvmio_span s[4] = {
			{ at(r * 1000 % hole), b[0], 100, 0 },
			{ at(hole - 40), b[1], 100, 0 },	/* runs into the hole */
			{ at(hole + 10), b[2], 100, 0 },	/* in it */
			{ at(hole + pg + 7), b[3], 100, 0 },	/* past it */
		};
		ssize_t n = pvmio_read_spans(shared, s, 4);

		bad[2] += n != 2 || s[0].done != 100 || s[1].done != 40 ||
			  s[2].done != -EFAULT || s[3].done != 100 ||
			  t_check(b[0], 100, SEED, r * 1000 % hole) != -1 ||
			  t_check(b[1], 40, SEED, hole - 40) != -1;
	}
	return NULL;
}

static void *holes(void *arg)
{
	size_t hole = AREA_PAGES * pg;
	char b[64], want[32];

	(void)arg;
	snprintf(want, sizeof(want), "0x%llx,", (unsigned long long)at(hole));
	for (unsigned r = 0; r < rounds * 8; r++) {
		bad[3] += pvmio_pread(shared, b, 64, at(hole - 16)) != 16;
		bad[3] += pvmio_pread(shared, b, 8, at(hole)) != -1 ||
			  errno != EFAULT || !strstr(pvmio_errmsg(), want);
	}
	return NULL;
}

static int count(uint64_t address, void *arg)
{
	(void)address;
	++*(long *)arg;
	return 0;
}

int main(void)
{
	pthread_t t[4];
	void *(*fn[4])(void *) = { big_reads, big_reads, spans, holes };
	long maps_bad = 0, found = 0;
	pid_t pid;

	t_plan(6);
	pg = t_page();
	big = t_under_valgrind() ? (size_t)1 << 20 : (size_t)12 << 20;
	rounds = t_under_valgrind() ? 2 : 6;
	area = t_map(AREA_PAGES + 2, PROT_READ | PROT_WRITE, SEED);
	t_unmap_page(area, AREA_PAGES);
	pid = t_fork_target();
	if (pvmio_open(&shared, pid, 0, 0) || pvmio_set_threads(shared, 3))
		t_bail("pvmio_open: %s", pvmio_errmsg());
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fn[i], (void *)(intptr_t)i))
			t_bail("pthread_create");
	for (unsigned r = 0; r < rounds; r++) {
		struct pvmio_region *reg;
		size_t n;

		if (pvmio_maps(pid, &reg, &n))
			maps_bad++;
		else
			pvmio_maps_free(reg, n);
		if (pvmio_search(pid, area + 5 * pg + 3, NULL, 16, count, &found) < 1)
			maps_bad++;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	t_is(bad[0], 0, "thread 0: big preads over the shared pool, every byte right");
	t_is(bad[1], 0, "thread 1: the same, at the same time");
	t_is(bad[2], 0, "thread 2: spans with a hole, every span's count right");
	t_is(bad[3], 0, "thread 3: EFAULT at the hole, its own message names its address");
	t_is(maps_bad, 0, "main thread: maps and search meanwhile");
	pvmio_close(shared);
	t_kill(pid);
	t_ok(found >= (long)rounds, "the searches found the pattern (%ld times)", found);
	return t_done();
}
