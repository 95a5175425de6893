/* SPDX-License-Identifier: MIT */
/*
 * A multi-threaded target for the freeze tests: `threads N [vfork|churn]`.
 * N threads each bump their own counter about every 200 us (they sleep in
 * between, so the target costs little CPU); with "churn" each bump is done
 * by a new short-lived thread, so threads come and go all the time. Once
 * every thread exists, the address of the counters goes to stdout as
 * "0x...\n"; each counter sits in its own 64-byte slot.
 * With "vfork" the main thread then blocks in vfork(),
 * a killable sleep (state D) that SIGSTOP cannot stop, so a freeze must
 * time out. The target dies with its parent (set up by whoever execs it).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define SLOT 8			/* uint64_t per counter: one cache line */

static volatile uint64_t counters[MAX_THREADS * SLOT];

static void *bump(void *arg)
{
	volatile uint64_t *c = arg;
	struct timespec nap = { 0, 200000 };

	for (;;) {
		(*c)++;
		nanosleep(&nap, NULL);
	}
	return NULL;
}

static void *bump_once(void *arg)
{
	(*(volatile uint64_t *)arg)++;
	return NULL;
}

/* Each bump is a new thread: the task list keeps changing. */
static void *churn(void *arg)
{
	struct timespec nap = { 0, 100000 };
	pthread_t t;

	for (;;) {
		if (!pthread_create(&t, NULL, bump_once, arg))
			pthread_join(t, NULL);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

static void wait_forever(void)
{
	for (;;)
		pause();
}

static pid_t self;

/* The child only sleeps, and dies with the blocked parent. */
static void block_in_vfork(void)
{
	self = getpid();
	if (vfork() == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(0);
		wait_forever();
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	const char *mode = argc > 2 ? argv[2] : "";
	void *(*fn)(void *) = strcmp(mode, "churn") ? bump : churn;
	pthread_t t;

	if (n < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: threads N [vfork|churn], 1 <= N <= %d\n",
			MAX_THREADS);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, fn,
				   (void *)&counters[i * SLOT])) {
			perror("pthread_create");
			return 1;
		}
	}
	printf("%p\n", (void *)counters);
	fflush(stdout);
	if (!strcmp(mode, "vfork"))
		block_in_vfork();
	wait_forever();
}
