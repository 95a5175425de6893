/* SPDX-License-Identifier: MIT */
/*
 * The status line of work whose progress nobody reports: pvmio_search()
 * scans without a progress hook, so a bar could only guess. The line says
 * what there is to scan, the time so far and the matches so far, with a
 * spinner; a thread of its own redraws it every 100 ms, so it moves while
 * the library works. Like the bar (progress.c): on a terminal's stderr
 * only, never on a pipe or with -q.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define TICK_NS		100000000L

/* With t->lock held. */
static void draw(struct cli_ticker *t)
{
	static const char spin[] = "|/-\\";

	fprintf(stderr, "\r%s [%c] %s  %.1f s  %" PRIu64 " match%s\033[K",
		t->label, spin[t->ticks % 4], t->what, cli_now() - t->start,
		t->count, t->count == 1 ? "" : "es");
	fflush(stderr);
	t->shown = true;
}

static void erase(struct cli_ticker *t)
{
	if (!t->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	t->shown = false;
}

static void *tick(void *arg)
{
	struct cli_ticker *t = arg;
	struct timespec until;

	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += TICK_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock,
							  &until) != ETIMEDOUT)
			;
		if (!t->stop) {
			t->ticks++;
			draw(t);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static bool start_thread(struct cli_ticker *t)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	bool ok;

	if (pthread_condattr_init(&ca))
		return false;
	ok = !pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) &&
	     !pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (!ok)
		return false;
	pthread_mutex_init(&t->lock, NULL);
	/* SIGINT and the like are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ok = !pthread_create(&t->thread, NULL, tick, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
	}
	return ok;
}

void cli_ticker_start(struct cli_ticker *t, const char *label,
		      const char *what)
{
	memset(t, 0, sizeof(*t));
	t->label = label;
	snprintf(t->what, sizeof(t->what), "%s", what);
	t->start = cli_now();
	/* Without a thread there is no line: better none than a frozen one. */
	t->on = cli_level >= 2 && isatty(STDERR_FILENO) && start_thread(t);
	if (t->on) {
		/* the first line before any match, however fast the search */
		pthread_mutex_lock(&t->lock);
		draw(t);
		pthread_mutex_unlock(&t->lock);
	}
}

void cli_ticker_hold(struct cli_ticker *t)
{
	if (!t->on)
		return;
	pthread_mutex_lock(&t->lock);
	erase(t);
}

void cli_ticker_release(struct cli_ticker *t, uint64_t count)
{
	if (!t->on)
		return;
	t->count = count;
	draw(t);
	pthread_mutex_unlock(&t->lock);
}

void cli_ticker_end(struct cli_ticker *t)
{
	if (!t->on)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	erase(t);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	t->on = false;
}
