/* SPDX-License-Identifier: MIT */
/*
 * Stack use: pvmio(3) promises that the library's deepest paths (spans
 * split over holes, the page walk, /proc/PID/mem with PVMIO_FORCE) fit in
 * 32 KiB. Run them in a thread whose stack we painted, then measure how
 * deep the paint was overwritten. Only library calls run in that thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

/* TSan wants more than 900 KiB of a thread stack for itself */
#define STACK (T_SANITIZED ? 4096 * 1024 : 256 * 1024)
#define PAINT 0xa5
#define LIMIT (32 * 1024)
#define N 600

static char *area, *local;
static pid_t child;
static ssize_t results[4];
static struct pvmio_span sp[N];

static void *deep_paths(void *arg)
{
	size_t pg = t_page();
	pvmio *io = arg;

	(void)arg;
	for (size_t i = 0; i < N; i++)	/* dense spans across two holes */
		sp[i] = (struct pvmio_span){ t_addr(area) + i * 100, local + i * 64, 64, 0 };
	results[0] = pvmio_read_spans(io, sp, N);
	results[1] = pvmio_pread(io, local, 16 * pg, t_addr(area) + 100);
	results[2] = pvmio_pread(io, local, 3 * pg, t_addr(area) + 4 * pg);	/* PROT_NONE: forced */
	results[3] = pvmio_write_spans(io, sp, N);
	return NULL;
}

static size_t depth(const unsigned char *stack)
{
	size_t i = 0;

	while (i < STACK && stack[i] == PAINT)
		i++;
	return STACK - i;
}

int main(void)
{
	unsigned char *stack;
	pthread_attr_t attr;
	pthread_t th;
	size_t used;
	pvmio *io;

	t_plan(5);
	area = t_map(16, PROT_READ | PROT_WRITE, 9);
	local = calloc(1, N * 64 + 16 * t_page());	/* holes leave parts unread */
	t_unmap_page(area, 3);
	t_protect_page(area, 4, PROT_NONE);
	t_unmap_page(area, 7);
	child = t_fork_target();
	io = t_open(child, 0, PVMIO_FORCE);
	stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		t_bail("mmap");
	memset(stack, PAINT, STACK);
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stack, STACK);
	if (pthread_create(&th, &attr, deep_paths, io))
		t_bail("pthread_create");
	pthread_join(th, NULL);
	/* valgrind marks a dead thread's stack unreadable: no measure there */
	used = t_under_valgrind() ? 0 : depth(stack);
	t_ok(results[0] > 0 && results[0] < N, "spans across holes ran (%zd of %d whole)",
	     results[0], N);
	t_is(results[1], (long long)(3 * t_page() - 100), "a forced read stops at the first hole");
	t_is(results[2], (long long)(3 * t_page()), "a forced read of PROT_NONE");
	t_ok(results[3] > 0, "write spans ran");
	if (T_SANITIZED || t_under_valgrind())
		t_skip(1, "sanitizers and valgrind change frames and stacks (used %zu bytes)", used);
	else
		t_ok(used < LIMIT, "the thread used %zu bytes of stack (< %d)", used, LIMIT);
	t_kill(child);
	pvmio_close(io);
	return t_done();
}
