/* SPDX-License-Identifier: MIT */
/*
 * pvmio_search on a real process: the uninstrumented helper
 * tests/target/searchee (under ASan a forked copy of this test would carry
 * terabytes of readable shadow memory) lays out patterns at known places:
 * across a chunk border, across two regions with different protections, in
 * PROT_NONE pages, overlapping, masked, past the end of a file mapping, and
 * (for the parallel part) 256 MiB of noise with hundreds of copies.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "searchee.h"


/* Search u(k1) u(k2), optionally masked; the matches land in g. */
static ssize_t find(pid_t pid, unsigned k1, unsigned k2, const uint8_t *mask,
		    struct got *g, unsigned threads)
{
	uint8_t p[16];

	pat(p, k1, k2);
	g->n = 0;
	return pvmio__search(pid, p, mask, 16, collect, g, threads);
}

static void borders(const struct target *t, struct got *g)
{
	const uint64_t c = PVMIO__SEARCH_CHUNK, a = t->chunk;
	uint64_t want[] = { a, a + c - 8, a + c + 3 * page - 5,
			    a + 3 * c - 16 };
	uint64_t adj = t->adj + page - 7;
	uint64_t eof[] = { t->eof + 100, t->eof + 4 * page };
	uint8_t ff[16], f0[16];

	memset(ff, 0xff, 16);
	memset(f0, 0xf0, 16);
	t_is(find(t->pid, 1, 2, NULL, g, 1), 4,
	     "4 matches: region start and end, chunk and page borders");
	t_ok(same(g, want, 4), "... at the right addresses, in order");
	t_is(find(t->pid, 1, 2, ff, g, 1), 4,
	     "an all-0xff mask is the exact search");
	t_is(find(t->pid, 1, 2, f0, g, 1), 4,
	     "a 0xf0 mask on every byte (no full anchor byte)");
	t_ok(same(g, want, 4), "... finds the same addresses");
	t_is(find(t->pid, 3, 4, NULL, g, 1), 1,
	     "across two adjacent regions rw-/r--");
	t_ok(same(g, &adj, 1), "... at the right address");
	t_is(find(t->pid, 5, 6, NULL, g, 1), 0,
	     "nothing in or into PROT_NONE pages");
	t_is(find(t->pid, 14, 15, NULL, g, 1), 2,
	     "unreadable pages past a file's end are skipped, the search goes on");
	t_ok(same(g, eof, 2),
	     "... in the file page and the page after the hole");
}

static void overlap_and_mask(const struct target *t, struct got *g)
{
	uint64_t over[] = { t->over, t->over + 8, t->over + 16 };
	uint8_t p[16], m[16];

	t_is(find(t->pid, 7, 7, NULL, g, 1), 3,
	     "overlapping matches each count");
	t_ok(same(g, over, 3), "... at +0, +8, +16");
	memset(m, 0xff, 16);
	m[3] = 0x00;
	m[10] = 0xf0;
	t_is(find(t->pid, 8, 9, NULL, g, 1), 0,
	     "altered copies: no exact match");
	t_is(find(t->pid, 8, 9, m, g, 1), 1,
	     "wildcard byte and nibble: one match");
	t_ok(same(g, &t->mask, 1), "... the copy whose high nibble is intact");
	pat(p, 8, 9);
	p[3] ^= 0xff;	/* masked-out pattern bits do not matter */
	p[10] ^= 0x0f;
	g->n = 0;
	t_is(pvmio__search(t->pid, p, m, 16, collect, g, 1), 1,
	     "pattern bits under a zero mask are ignored");
}

static void order_and_stop(const struct target *t, struct got *g)
{
	uint64_t want[64];
	uint8_t p[16];
	bool sorted = true;

	for (size_t i = 0; i < 64; i++)
		want[i] = t->many + (i < 32 ? i : i + 1) * page +
			  (i * 37) % (page - 16);
	t_is(find(t->pid, 10, 11, NULL, g, 1), 64,
	     "64 copies over two mappings");
	for (size_t i = 1; i < g->n && i < MAX_GOT; i++)
		sorted = sorted && g->addr[i - 1] < g->addr[i];
	t_ok(sorted && same(g, want, 64), "... all of them, in address order");
	g->stop_at = 5;
	t_is(find(t->pid, 10, 11, NULL, g, 1), 5,
	     "a nonzero return stops; the count includes it");
	t_ok(same(g, want, 5), "... after the callback saw the first 5");
	g->stop_at = 0;
	pat(p, 10, 11);
	t_is(pvmio_search(t->pid, p, NULL, 16, NULL, NULL), 64,
	     "NULL callback: count only");
}

static void errors(const struct target *t)
{
	uint8_t p[16] = { 1 };
	pid_t dead;

	t_is_err(pvmio_search(0, p, NULL, 16, NULL, NULL), EINVAL,
	         "pid 0: EINVAL");
	t_is_err(pvmio_search(-1, p, NULL, 16, NULL, NULL), EINVAL,
	         "pid -1: EINVAL");
	t_is_err(pvmio_search(t->pid, NULL, NULL, 16, NULL, NULL), EINVAL,
	         "NULL pattern: EINVAL");
	t_is_err(pvmio_search(t->pid, p, NULL, 0, NULL, NULL), EINVAL,
	         "len 0: EINVAL");
	dead = t_fork_target();
	t_kill(dead);
	t_is_err(pvmio_search(dead, p, NULL, 16, NULL, NULL), ESRCH,
	         "reaped pid: ESRCH");
}

/* The calling process: the pattern it passes is the only copy there is. */
static void self(struct got *g)
{
	uint8_t *a, m[16];

	/* sanitizers map terabytes of shadow memory: a search of self reads them */
	if (T_SANITIZED || t_under_valgrind()) {
		t_skip(2, "a sanitizer's or valgrind's own memory would be searched");
		return;
	}
	a = t_map(1, PROT_READ | PROT_WRITE, 0);
	pat(a, 16, 17);
	memset(m, 0xff, sizeof(m));
	m[5] = 0;
	g->n = 0;
	t_is(pvmio_search(getpid(), a, NULL, 16, collect, g), 1,
	     "self, exact: the caller's pattern, once");
	g->n = 0;
	t_is(pvmio_search(getpid(), a, m, 16, collect, g), 1,
	     "self, masked: the search's own masked copy is not found");
	munmap(a, t_page());
}

/* A pattern longer than a chunk: 1.5 chunks of the big target's noise. */
static void long_pattern(const struct target *t, struct got *g)
{
	size_t len = PVMIO__SEARCH_CHUNK + PVMIO__SEARCH_CHUNK / 2;
	uint64_t at = t->big + 12345;
	uint8_t *p = malloc(len), *m = malloc(len);
	pvmio *io;

	if (!p || !m || pvmio_open(&io, t->pid, 0, 0))
		t_bail("long pattern: %s", pvmio_errmsg());
	if (pvmio_pread(io, p, len, at) != (ssize_t)len)
		t_bail("pvmio_pread: %s", pvmio_errmsg());
	pvmio_close(io);
	memset(m, 0xff, len);
	m[len / 2] = 0;
	g->n = 0;
	t_is(pvmio__search(t->pid, p, NULL, len, collect, g, 2), 1,
	     "a pattern of 1.5 chunks: found once");
	t_ok(same(g, &at, 1), "... where it was read from");
	g->n = 0;
	t_is(pvmio__search(t->pid, p, m, len, collect, g, 2), 1,
	     "... and with a wildcard byte in the middle");
	free(p);
	free(m);
}

struct forker {
	pid_t parent, child;
	size_t seen;
};

/* At the first match, fork: the child's search must end, not hang. */
static int fork_once(uint64_t addr, void *arg)
{
	struct forker *f = arg;

	(void)addr;
	if (++f->seen == 1 && getpid() == f->parent) {
		fflush(stdout);
		f->child = fork();
		if (f->child == 0)
			alarm(20);	/* a hang dies of SIGALRM */
	}
	return 0;
}

static void forking_callback(const struct target *t, const uint8_t *p)
{
	struct forker f = { .parent = getpid(), .child = -1 };
	ssize_t n = pvmio__search(t->pid, p, NULL, 16, fork_once, &f, 2);
	int status = -1;

	if (getpid() != f.parent)
		_exit(n == 1 ? 0 : 1);	/* the child: the count so far */
	if (f.child > 0)
		waitpid(f.child, &status, 0);
	t_ok(f.child > 0 && WIFEXITED(status) && !WEXITSTATUS(status),
	     "a callback forks: in the child the search returns 1 (status %#x)",
	     status);
	t_is(n, (long long)t->bign, "... in the parent it goes on to the end");
}

struct killer {
	pid_t pid;
};

static int kill_target(uint64_t addr, void *arg)
{
	struct killer *k = arg;

	(void)addr;
	t_kill(k->pid);
	return 0;
}

/* The target dies during the search: ESRCH, and strerror once. */
static void target_dies(void)
{
	struct target t;
	struct killer k;
	const char *msg, *first;
	uint8_t p[16];
	ssize_t n;

	spawn(&t, NULL, NULL);
	k.pid = t.pid;
	pat(p, 10, 11);
	n = pvmio__search(t.pid, p, NULL, 16, kill_target, &k, 1);
	t_is_err(n, ESRCH, "the target dies during the search: ESRCH");
	msg = pvmio_errmsg();
	first = strstr(msg, "No such process");
	t_ok(first && !strstr(first + 1, "No such process"),
	     "... said once: '%s'", msg);
}

/* Parallel and serial give the same matches, counts and early stops. */
static void parallel(struct got *g, struct got *g2)
{
	struct target t;
	const char *mib = t_under_valgrind() ? "64" : "256";
	uint8_t p[16];

	spawn(&t, mib, NULL);
	pat(p, 12, 13);
	t_is(find(t.pid, 12, 13, NULL, g, 1), (long long)t.bign,
	     "big target, serial: every copy");
	t_is(find(t.pid, 12, 13, NULL, g2, 2), (long long)t.bign,
	     "2 threads: the same count");
	t_ok(same(g2, g->addr, g->n),
	     "... the same addresses in the same order");
	t_is(find(t.pid, 12, 13, NULL, g2, 0), (long long)t.bign,
	     "automatic threads: the same count");
	t_ok(same(g2, g->addr, g->n), "... the same addresses");
	g2->stop_at = t.bign / 2 + 1;
	t_is(find(t.pid, 12, 13, NULL, g2, 4), (long long)g2->stop_at,
	     "4 threads: stop at a match in the middle");
	t_ok(same(g2, g->addr, g2->stop_at),
	     "... after the first ones of the serial list");
	t_is(pvmio__search(t.pid, p, NULL, 16, NULL, NULL, 4), (long long)t.bign,
	     "4 threads, count only: the same count");
	long_pattern(&t, g);
	forking_callback(&t, p);
	t_kill(t.pid);
}

int main(void)
{
	static struct got g, g2;
	struct target t;

	t_plan(10 + 6 + 5 + 5 + 2 + 8 + 3 + 2 + 2);
	seed = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	page = t_page();
	spawn(&t, NULL, NULL);
	borders(&t, &g);
	overlap_and_mask(&t, &g);
	order_and_stop(&t, &g);
	errors(&t);
	t_kill(t.pid);
	self(&g);
	target_dies();
	parallel(&g, &g2);
	return t_done();
}
