/* SPDX-License-Identifier: MIT */
/*
 * Across ABIs: this test, 64- or 32-bit, against a 32-bit and a 64-bit
 * target (tests/peers/peer.c). A 64-bit pvmio reads a 32-bit process up to
 * the end of its 4 GiB and no further; a 32-bit pvmio, whose iovecs cannot
 * name addresses above 4 GiB, reaches a 64-bit process's memory through
 * /proc/PID/mem, with the same exact semantics, also for one range that
 * crosses the 4 GiB line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define PER_PEER 11
#define FOUR_GIB ((uint64_t)1 << 32)

struct peer {
	pid_t pid;
	int bits;
	uint64_t area, top;
};

static bool spawn(int abi, struct peer *p)
{
	char path[4096], line[128];
	const char *o = getenv("O");
	int fd[2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/peers/peer%d", o ? o : "build", abi);
	if (access(path, X_OK) || pipe(fd))
		return false;
	fflush(stdout);
	p->pid = fork();
	if (p->pid < 0)
		t_bail("fork");
	if (p->pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%d %llx %llx", &p->bits, (unsigned long long *)&p->area,
		   (unsigned long long *)&p->top) != 3)
		t_bail("peer%d said nothing", abi);
	fclose(f);
	return true;
}

static int note(uint64_t address, void *arg)
{
	uint64_t *found = arg;

	if (!found[0] || address == found[1])
		found[0] = address;
	return 0;
}

/* The end of the readable run of regions from addr, by the maps. */
static uint64_t run_end(pid_t pid, uint64_t addr)
{
	struct pvmio_region *r;
	uint64_t at = addr;
	size_t n;

	if (pvmio_maps(pid, &r, &n))
		t_bail("pvmio_maps: %s", pvmio_errmsg());
	for (size_t i = 0; i < n; i++)
		if (r[i].start <= at && at < r[i].end && (r[i].prot & PROT_READ))
			at = r[i].end;
	pvmio_maps_free(r, n);
	return at;
}

static void edges(pvmio *io, const struct peer *p)
{
	size_t pg = t_page(), len;
	uint64_t end;
	char *buf;

	if (!p->top) {
		t_skip(2, "the peer found no room at the 4 GiB line");
		return;
	}
	if (p->bits == 64) {	/* 4 pages across 2^32: CMA below, maybe not above */
		buf = malloc(4 * pg);
		t_ok(pvmio_pread(io, buf, 4 * pg, p->top) == (ssize_t)(4 * pg) &&
		     t_check(buf, 4 * pg, 0x42, 0) == -1,
		     "a read across 4 GiB in a 64-bit target is whole and right");
		t_ok(pvmio_pwrite(io, buf, 4 * pg, p->top) == (ssize_t)(4 * pg),
		     "so is a write");
		free(buf);
		return;
	}
	/* from the top page over 2^32: exactly to the end of the mappings */
	end = run_end(p->pid, p->top);
	len = (size_t)(FOUR_GIB + pg - p->top);
	buf = malloc(len);
	t_is(pvmio_pread(io, buf, len, p->top), (long long)(end - p->top),
	     "a read over 4 GiB stops where the 32-bit target's memory ends");
	t_is_err(pvmio_pread(io, buf, 1, FOUR_GIB), EFAULT,
		 "at 4 GiB a 32-bit target has nothing: EFAULT");
	free(buf);
}

static void one_peer(int abi)
{
	size_t pg = t_page();
	struct peer p;
	uint64_t found[2] = { 0, 0 };
	char buf[3 * 4096], back[16], what[96];
	pvmio *io;

	if (!spawn(abi, &p)) {
		t_skip(PER_PEER, "no %d-bit peer (needs gcc-multilib)", abi);
		return;
	}
	snprintf(what, sizeof(what), "%d-bit pvmio opens a %d-bit target",
		 (int)sizeof(void *) * 8, p.bits);
	if (!t_ok(pvmio_open(&io, p.pid, 0, 0) == 0, "%s", what)) {
		t_skip(PER_PEER - 1, "%s", pvmio_errmsg());
		t_kill(p.pid);
		return;
	}
	t_is(pvmio_pread(io, buf, 2 * pg, p.area), (long long)(2 * pg),
	     "read two pages");
	t_is(t_check(buf, 2 * pg, 0x21, 0), -1, "the bytes are right");
	t_is(pvmio_pread(io, buf, 2 * pg, p.area + pg + 100), (long long)(pg - 100),
	     "a read into the hole stops before it, to the byte");
	t_is_err(pvmio_pread(io, buf, 8, p.area + 2 * pg), EFAULT,
		 "the hole itself: EFAULT");
	t_diag("  %s", pvmio_errmsg());
	memset(back, 0x77, sizeof(back));
	t_is(pvmio_pwrite(io, back, sizeof(back), p.area + 3 * pg + 5), 16,
	     "write 16 bytes");
	memset(back, 0, sizeof(back));
	t_ok(pvmio_pread(io, back, sizeof(back), p.area + 3 * pg + 5) == 16 &&
	     back[0] == 0x77 && back[15] == 0x77, "and read them back");
	t_ok(run_end(p.pid, p.area) == p.area + 2 * pg,
	     "pvmio_maps shows the area up to the hole");
	found[1] = p.area + pg + 77;
	t_fill(buf, 2 * pg, 0x21);
	t_ok(pvmio_search(p.pid, buf + pg + 77, NULL, 12, note, found) > 0 &&
	     found[0] == found[1], "pvmio_search finds the pattern at %#llx",
	     (unsigned long long)found[1]);
	edges(io, &p);
	pvmio_close(io);
	t_kill(p.pid);
}

int main(void)
{
	t_plan(2 * PER_PEER);
	one_peer(32);
	one_peer(64);
	return t_done();
}
