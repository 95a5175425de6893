/* SPDX-License-Identifier: MIT */
/*
 * The test side of tests/target/searchee: its patterns, its addresses, and
 * a callback that collects matches. Included by the search tests only.
 */
#ifndef PVMIO_TEST_SEARCHEE_H
#define PVMIO_TEST_SEARCHEE_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers.h"
#include "search.h"

#define MAX_GOT 2048

struct target {
	pid_t pid;
	uint64_t chunk, adj, none, over, mask, many, eof, big, bign, sparse;
};

struct got {
	uint64_t addr[MAX_GOT];
	size_t n, stop_at;
};

static uint64_t seed;
static size_t page;

static inline uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The searchee's unit u(k), 8 bytes. */
static inline void unit(uint8_t *dst, unsigned k)
{
	uint64_t v = mix(seed + k);

	for (int i = 0; i < 8; i++)
		dst[i] = (uint8_t)(v >> (8 * i));
}

/* The searchee's pattern u(k1) u(k2), 16 bytes. */
static inline void pat(uint8_t *dst, unsigned k1, unsigned k2)
{
	unit(dst, k1);
	unit(dst + 8, k2);
}

static inline void field(struct target *t, const char *name, uint64_t v)
{
	static const char *names[] = { "chunk", "adj", "none", "over", "mask",
				       "many", "eof", "big", "bign", "sparse" };
	uint64_t *slots[] = { &t->chunk, &t->adj, &t->none, &t->over, &t->mask,
			      &t->many, &t->eof, &t->big, &t->bign,
			      &t->sparse };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			*slots[i] = v;
}

/* searchee SEED CHUNK [a3 [a4]]: see tests/target/searchee.c. */
static inline void spawn(struct target *t, const char *a3, const char *a4)
{
	char s[32], c[32], line[128], name[32];
	unsigned long long v;
	int fd[2];
	FILE *f;

	memset(t, 0, sizeof(*t));
	snprintf(s, sizeof(s), "%llu", (unsigned long long)seed);
	snprintf(c, sizeof(c), "%zu", PVMIO__SEARCH_CHUNK);
	if (pipe2(fd, O_CLOEXEC))
		t_bail("pipe");
	fflush(stdout);
	t->pid = fork();
	if (t->pid < 0)
		t_bail("fork");
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], 1);
		execl(t_target_path("searchee"), "searchee", s, c, a3, a4,
		      (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	while (f && fgets(line, sizeof(line), f) && strcmp(line, "ready\n"))
		if (sscanf(line, "%31s %llx", name, &v) == 2)
			field(t, name, v);
	if (!f || (!t->many && !t->sparse))
		t_bail("searchee %s did not start", t_target_path("searchee"));
	fclose(f);
}

static inline int collect(uint64_t addr, void *arg)
{
	struct got *g = arg;

	if (g->n < MAX_GOT)
		g->addr[g->n] = addr;
	g->n++;
	return g->stop_at && g->n == g->stop_at;
}

static inline bool same(const struct got *g, const uint64_t *want, size_t n)
{
	bool ok = g->n == n;

	for (size_t i = 0; ok && i < n; i++)
		ok = g->addr[i] == want[i];
	for (size_t i = 0; !ok && i < g->n && i < 8; i++)
		t_diag("  match %zu at %#llx, want %#llx", i,
		       (unsigned long long)g->addr[i],
		       (unsigned long long)(i < n ? want[i] : 0));
	return ok;
}

#endif
