/* SPDX-License-Identifier: MIT */
/*
 * Threads: pvmio_pread/pvmio_pwrite on ONE handle from several threads at
 * once (each thread its own region of a child; every byte verified), a
 * shared PVMIO_FORCE handle whose /proc/PID/mem fd the threads race to open,
 * and separate handles with cursors in separate threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define NT	4		/* threads */
#define PAGES	16		/* per region; the last one is PROT_NONE */
#define ROUNDS	40

static size_t reg;		/* bytes per region */
static char *area;		/* the same address in the child */
static pvmio *shared, *forced;
static pthread_barrier_t start;

struct job {
	int id;
	unsigned rs;		/* rand_r state */
	int bad_io, bad_data, bad_force;
	unsigned last;		/* the seed the region holds at the end */
};

static size_t chunk(struct job *j, size_t left)
{
	size_t n = 1 + (size_t)rand_r(&j->rs) % 9000;

	return n < left ? n : left;
}

/* One round: write a new pattern in random chunks, read it back. */
static void round_trip(struct job *j, char *buf, unsigned seed)
{
	size_t rw = reg - t_page(), off, n;
	uint64_t base = (uintptr_t)area + (uint64_t)j->id * reg;

	t_fill(buf, rw, seed);
	for (off = 0; off < rw; off += n) {
		n = chunk(j, rw - off);
		j->bad_io += pvmio_pwrite(shared, buf + off, n, base + off) !=
			     (ssize_t)n;
	}
	memset(buf, 0, rw);
	for (off = 0; off < rw; off += n) {
		n = chunk(j, rw - off);
		j->bad_io += pvmio_pread(shared, buf + off, n, base + off) !=
			     (ssize_t)n;
	}
	j->bad_data += t_check(buf, rw, seed, 0) != -1;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t pg = t_page(), at = (size_t)(j->id + 1) * reg - pg;
	char *buf = malloc(reg);

	if (!buf)
		abort();
	pthread_barrier_wait(&start);
	/* first thing after the barrier: all threads open the mem fd at once;
	 * the region's last page is PROT_NONE */
	j->bad_force += pvmio_pread(forced, buf, pg, (uintptr_t)area + at) !=
			(ssize_t)pg || t_check(buf, pg, 1, at) != -1;
	for (int r = 0; r < ROUNDS; r++) {
		j->last = (unsigned)(j->id * 1000 + r);
		round_trip(j, buf, j->last);
	}
	free(buf);
	return NULL;
}

/* Separate handles: each thread opens its own and uses the cursor. */
static void *own_handle(void *arg)
{
	struct job *j = arg;
	char *buf = malloc(reg), *back = malloc(reg);
	size_t rw = reg - t_page();
	uint64_t base = (uintptr_t)area + (uint64_t)j->id * reg, at = 0;
	pvmio *io = NULL;

	if (!buf || !back)
		abort();
	pthread_barrier_wait(&start);
	if (pvmio_open(&io, pvmio_pid(shared), base, 0)) {
		j->bad_io++;
		goto out;
	}
	for (int r = 0; r < ROUNDS; r++) {
		j->last = (unsigned)(j->id * 1000 + 500 + r);
		t_fill(buf, rw, j->last);
		pvmio_seek(io, (int64_t)base, SEEK_SET, NULL);
		j->bad_io += pvmio_write(io, buf, rw) != (ssize_t)rw;
		j->bad_io += pvmio_seek(io, -(int64_t)rw, SEEK_CUR, NULL) != 0;
		j->bad_io += pvmio_read(io, back, rw) != (ssize_t)rw;
		j->bad_data += memcmp(buf, back, rw) != 0;
		j->bad_io += pvmio_tell(io, &at) != 0 || at != base + rw;
	}
out:
	pvmio_close(io);
	free(buf);
	free(back);
	return NULL;
}

static void run(void *(*fn)(void *), struct job *jobs)
{
	pthread_t th[NT];

	pthread_barrier_init(&start, NULL, NT);
	for (int i = 0; i < NT; i++) {
		jobs[i] = (struct job){ .id = i, .rs = (unsigned)i + 1 };
		if (pthread_create(&th[i], NULL, fn, &jobs[i]))
			t_bail("pthread_create");
	}
	for (int i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

/* What the child finally holds, through a fresh handle. */
static void verify(struct job *jobs, const char *what)
{
	int bad = 0, io_err = 0, data = 0;

	for (int i = 0; i < NT; i++) {
		io_err += jobs[i].bad_io;
		data += jobs[i].bad_data;
		bad += !t_remote_pattern(shared, t_addr(area + i * reg),
					 reg - t_page(), jobs[i].last, 0);
	}
	t_is(io_err, 0, what);
	t_is(data, 0, "... every byte read back is the one written");
	t_is(bad, 0, "... each region holds its thread's last pattern");
}

int main(void)
{
	struct job jobs[NT];
	pid_t child;

	t_plan(3 + 2 + 3);
	reg = PAGES * t_page();
	area = t_map(NT * PAGES, PROT_READ | PROT_WRITE, 1);
	for (int i = 0; i < NT; i++)
		t_protect_page(area, (size_t)(i + 1) * PAGES - 1, PROT_NONE);
	child = t_fork_target();
	shared = t_open(child, 0x1234, 0);
	forced = t_open(child, 0, PVMIO_FORCE);
	run(worker, jobs);
	verify(jobs, "4 threads, one handle: every pread/pwrite moved it all");
	t_is(jobs[0].bad_force + jobs[1].bad_force + jobs[2].bad_force +
	     jobs[3].bad_force, 0,
	     "4 threads, one forced handle: PROT_NONE pages read at once");
	t_cursor_is(shared, 0x1234,
		    "pread/pwrite from threads left the cursor alone");
	run(own_handle, jobs);
	verify(jobs, "4 threads, a handle each: every read/write moved it all");
	pvmio_close(forced);
	pvmio_close(shared);
	t_kill(child);
	return t_done();
}
