/* SPDX-License-Identifier: MIT */
/*
 * Read a struct out of another process: a child keeps a `struct player` on
 * its heap and tells us where; we read it whole with pvmio_pread(), then
 * two fields alone with pvmio_read_spans(), the way a tool follows a few
 * fields without copying what lies between them.
 *
 *   read_struct
 */
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvmio.h>

struct player {
	char name[16];
	uint32_t level;
	double health;
	uint64_t gold;
};

/* The child: one player on the heap; its address goes up the pipe. */
static void child(int fd)
{
	struct player *p = calloc(1, sizeof(*p));
	uintptr_t where = (uintptr_t)p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!p)
		_exit(1);
	strcpy(p->name, "ada");
	p->level = 42;
	p->health = 97.5;
	p->gold = UINT64_C(1) << 40;
	if (write(fd, &where, sizeof(where)) == sizeof(where))
		pause();
	_exit(0);
}

static int fail(const char *what)
{
	fprintf(stderr, "read_struct: %s: %s\n", what, pvmio_errmsg());
	return 1;
}

int main(void)
{
	struct player p;
	uint32_t level;
	uint64_t gold;
	struct pvmio_span spans[2] = {
		{ .buf = &level, .len = sizeof(level) },
		{ .buf = &gold, .len = sizeof(gold) },
	};
	uintptr_t where;
	int fds[2], ret = 1;
	pvmio *io = NULL;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return perror("read_struct"), 1;
	if (pid == 0)
		child(fds[1]);
	if (read(fds[0], &where, sizeof(where)) != sizeof(where))
		goto out;
	if (pvmio_open(&io, pid, where, 0) < 0) {
		ret = fail("pvmio_open");
		goto out;
	}
	if (pvmio_pread(io, &p, sizeof(p), where) != sizeof(p)) {
		ret = fail("pvmio_pread");
		goto out;
	}
	p.name[sizeof(p.name) - 1] = '\0';
	printf("player at %#" PRIxPTR " in pid %d: name \"%s\", level %" PRIu32
	       ", health %.1f, gold %" PRIu64 "\n",
	       where, (int)pid, p.name, p.level, p.health, p.gold);

	spans[0].address = where + offsetof(struct player, level);
	spans[1].address = where + offsetof(struct player, gold);
	if (pvmio_read_spans(io, spans, 2) != 2) {
		ret = fail("pvmio_read_spans");
		goto out;
	}
	printf("two fields by spans: level %" PRIu32 ", gold %" PRIu64 "\n",
	       level, gold);
	ret = level == 42 && gold == p.gold ? 0 : 1;
out:
	pvmio_close(io);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ret;
}
