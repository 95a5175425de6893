/* SPDX-License-Identifier: MIT */
/*
 * pvmio_freeze / pvmio_thaw on a real multi-threaded target (the helper
 * tests/target/threads, 8 threads bumping counters): every thread stops,
 * the counters stand still, thawing moves them again; freezing twice, an
 * already stopped target, zombies, reaped children, another uid, threads
 * that come and go, and a target whose main thread cannot stop (blocked
 * in vfork) so that the freeze times out and resumes what it stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define NTHREADS 8
#define SLOT 8			/* as in tests/target/threads.c */

struct target {
	pid_t pid;
	uint64_t counters;
	pvmio *io;
};

struct census {
	int total, stopped, other;
	char main_state;
};

static void nap_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* tests/target/threads with 8 threads; mode "vfork", "churn" or NULL */
static void spawn(struct target *t, const char *mode)
{
	char line[64];

	t->pid = t_exec_target(line, sizeof(line), "threads", "8", mode,
			       (char *)NULL);
	t->counters = strtoull(line, NULL, 16);
	t->io = t_open(t->pid, 0, 0);
}

static void finish(struct target *t)
{
	pvmio_close(t->io);
	t_kill(t->pid);
}

static void read_counters(struct target *t, uint64_t *out)
{
	uint64_t all[NTHREADS * SLOT];

	if (pvmio_pread(t->io, all, sizeof(all), t->counters) != sizeof(all))
		t_bail("pvmio_pread counters: %s", pvmio_errmsg());
	for (int i = 0; i < NTHREADS; i++)
		out[i] = all[i * SLOT];
}

/* Our own look at /proc/PID/task, independent of the library's. */
static struct census look(pid_t pid)
{
	struct census c = { 0, 0, 0, '?' };
	char path[300], buf[512], *p;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		t_bail("opendir %s", path);
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			 e->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(buf, sizeof(buf), f) || !(p = strrchr(buf, ')')))
			t_bail("read %s", path);
		fclose(f);
		c.total++;
		if (p[2] == 'T')
			c.stopped++;
		else
			c.other++;
		if (atoi(e->d_name) == pid)
			c.main_state = p[2];
	}
	closedir(d);
	return c;
}

/* Wait (bounded) until the target is in the wanted state, for setup. */
static bool settle(pid_t pid, bool (*cond)(struct census))
{
	for (int i = 0; i < 500; i++) {
		if (cond(look(pid)))
			return true;
		nap_ms(10);
	}
	return false;
}

static bool every_thread_stopped(struct census c)
{
	return c.total == NTHREADS + 1 && c.stopped == c.total;
}

static bool main_in_vfork(struct census c)
{
	return c.main_state == 'D';
}

/* Bounded wait until every thread has bumped its counter. */
static bool counters_move(struct target *t)
{
	uint64_t a[NTHREADS], b[NTHREADS];
	int moved = 0;

	read_counters(t, a);
	for (int round = 0; round < 500 && moved != NTHREADS; round++) {
		nap_ms(10);
		read_counters(t, b);
		moved = 0;
		for (int i = 0; i < NTHREADS; i++)
			moved += b[i] != a[i];
	}
	return moved == NTHREADS;
}

static void bad_args(void)
{
	t_is_err(pvmio_freeze(0), EINVAL, "freeze pid 0: EINVAL");
	t_ok(strstr(pvmio_errmsg(), "pvmio_freeze(pid 0)") != NULL,
	     "the message names the call and the pid: %s", pvmio_errmsg());
	t_is_err(pvmio_freeze(-1), EINVAL, "freeze pid -1: EINVAL, no group signalled");
	t_is_err(pvmio_thaw(0), EINVAL, "thaw pid 0: EINVAL");
	t_is_err(pvmio_thaw(-1), EINVAL, "thaw pid -1: EINVAL");
	t_is_err(pvmio_freeze(getpid()), EINVAL, "freeze of the caller: EINVAL");
}

static void freeze_and_thaw(void)
{
	uint64_t a[NTHREADS], b[NTHREADS];
	struct target t;
	struct census c;

	spawn(&t, NULL);
	t_is(pvmio_freeze(t.pid), 0, "freeze an 8-thread target");
	c = look(t.pid);
	t_ok(every_thread_stopped(c), "all %d threads are in state T when it returns (%d stopped)",
	     c.total, c.stopped);
	read_counters(&t, a);
	nap_ms(100);
	read_counters(&t, b);
	t_ok(!memcmp(a, b, sizeof(a)), "no counter moves over 100 ms");
	t_is(pvmio_freeze(t.pid), 0, "freezing it again returns 0");
	t_ok(every_thread_stopped(look(t.pid)), "still every thread in T");
	t_is(pvmio_thaw(t.pid), 0, "thaw");
	c = look(t.pid);
	t_ok(c.stopped == 0, "no thread in T when thaw returns (%d of %d)",
	     c.stopped, c.total);
	t_ok(counters_move(&t), "every counter moves again");
	t_is(pvmio_thaw(t.pid), 0, "thawing a running target returns 0");
	t_ok(look(t.pid).stopped == 0, "and it still runs");
	finish(&t);
}

static void already_stopped(void)
{
	struct target t;

	spawn(&t, NULL);
	kill(t.pid, SIGSTOP);
	if (!settle(t.pid, every_thread_stopped))
		t_bail("the target did not stop on SIGSTOP");
	t_is(pvmio_freeze(t.pid), 0, "freeze a target stopped by someone else");
	t_ok(every_thread_stopped(look(t.pid)), "it stays stopped");
	t_is(pvmio_thaw(t.pid), 0, "thaw it");
	t_ok(counters_move(&t), "it runs again");
	finish(&t);
}

static void gone(void)
{
	pid_t pid = t_fork_zombie();

	t_is_err(pvmio_freeze(pid), ESRCH, "freeze a zombie: ESRCH");
	t_ok(strstr(pvmio_errmsg(), "zombie") != NULL, "the message says why: %s",
	     pvmio_errmsg());
	t_is_err(pvmio_thaw(pid), ESRCH, "thaw a zombie: ESRCH");
	waitpid(pid, NULL, 0);
	t_is_err(pvmio_freeze(pid), ESRCH, "freeze a reaped child: ESRCH");
	t_is_err(pvmio_thaw(pid), ESRCH, "thaw a reaped child: ESRCH");
}

static int as_nobody(void *arg)
{
	pid_t pid = *(pid_t *)arg;

	t_become_nobody();
	t_is_err(pvmio_freeze(pid), EPERM, "uid 65534 freezing a root process: EPERM");
	t_is_err(pvmio_thaw(pid), EPERM, "uid 65534 thawing a root process: EPERM");
	return 0;
}

static void not_ours(void)
{
	struct target t;

	if (geteuid() != 0) {
		t_skip(3, "needs root to drop to another uid");
		return;
	}
	spawn(&t, NULL);
	t_is(t_in_child(as_nobody, &t.pid), 0, "the unprivileged child ran");
	finish(&t);
}

static bool each_one_stopped(struct census c)
{
	return c.stopped == c.total;
}

/*
 * Threads that come and go while the freeze waits: whatever moment the
 * SIGSTOP hits, the freeze must return with every thread, also one created
 * a moment before, stopped. Which case a round meets is luck, so many rounds.
 */
static void churning(void)
{
	uint64_t a[NTHREADS], b[NTHREADS];
	int frozen = 0, still = 0, rounds = 20;
	struct target t;

	spawn(&t, "churn");
	for (int i = 0; i < rounds; i++) {
		frozen += !pvmio_freeze(t.pid) && each_one_stopped(look(t.pid));
		read_counters(&t, a);
		nap_ms(5);
		read_counters(&t, b);
		still += !memcmp(a, b, sizeof(a));
		if (pvmio_thaw(t.pid))
			t_bail("pvmio_thaw: %s", pvmio_errmsg());
		nap_ms(3);
	}
	t_is(frozen, rounds, "threads created all the time: each freeze stops all");
	t_is(still, rounds, "and no counter moves while frozen");
	t_ok(counters_move(&t), "the churn goes on after the last thaw");
	finish(&t);
}

static void cannot_stop(void)
{
	struct target t;
	struct census c;

	spawn(&t, "vfork");
	if (!settle(t.pid, main_in_vfork))
		t_bail("the target's main thread never blocked in vfork");
	t_is_err(pvmio_freeze(t.pid), ETIMEDOUT,
		 "main thread blocked in vfork (state D): ETIMEDOUT");
	t_ok(strstr(pvmio_errmsg(), "state D") != NULL,
	     "the message names the thread that did not stop: %s",
	     pvmio_errmsg());
	c = look(t.pid);
	t_ok(c.stopped == 0, "what it stopped was resumed (%d of %d in T)",
	     c.stopped, c.total);
	t_ok(counters_move(&t), "the other threads run again");
	finish(&t);
}

int main(void)
{
	t_plan(6 + 10 + 4 + 5 + 3 + 3 + 4);
	bad_args();
	freeze_and_thaw();
	already_stopped();
	gone();
	not_ours();
	churning();
	cannot_stop();
	return t_done();
}
