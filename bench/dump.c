/* SPDX-License-Identifier: MIT */
/*
 * Dump: every readable region of the big target into a file of its own,
 * as `pvmio dump` does, against the same done serially in the bench with
 * raw process_vm_readv (the base) and with pvmio_pread on one thread. The
 * files go to a directory on /dev/shm (memory: no disk writeback noise),
 * emptied before every run, outside the timing. Only when the tree has the
 * CLI's dump (the build passes its path as BENCH_CLI).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "extra.h"

#if defined(BENCH_CLI) && !defined(BENCH_SANITIZED)

#define DUMP_CHUNK (16 * MIB)

extern char **environ;

struct dump {
	struct target *t;
	const char *copy;	/* the target's buffer, local */
	char dir[256];
	char *buf;
	pvmio *serial;		/* threads=1 */
};

static int empty_dir(void *ctx)
{
	struct dump *d = ctx;
	DIR *dir = opendir(d->dir);
	struct dirent *e;

	if (!dir)
		return bench_fail("opendir(%s)", d->dir);
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.' &&
		    unlinkat(dirfd(dir), e->d_name, 0) && errno != ENOENT) {
			closedir(dir);
			return bench_fail("unlink(%s/%s)", d->dir, e->d_name);
		}
	closedir(dir);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One region in 16 MiB reads; it ends at the first read that fails. */
static int copy_region(struct dump *d, const struct pvmio_region *r, int fd,
		       bool raw)
{
	for (uint64_t at = r->start; at < r->end;) {
		size_t want = bench_min(r->end - at, DUMP_CHUNK);
		struct iovec l = { d->buf, want };
		struct iovec rv = { (void *)(uintptr_t)at, want };
		ssize_t got = raw
			? process_vm_readv(d->t->pid, &l, 1, &rv, 1, 0)
			: pvmio_pread(d->serial, d->buf, want, at);

		if (got <= 0)
			return 0;
		if (write_all(fd, d->buf, (size_t)got))
			return bench_fail("write(%s)", d->dir);
		at += (uint64_t)got;
	}
	return 0;
}

static int dump_serial(struct dump *d, bool raw)
{
	struct pvmio_region *r;
	size_t n;
	int err = 0;

	if (pvmio_maps(d->t->pid, &r, &n))
		return bench_fail("pvmio_maps(%d)", (int)d->t->pid);
	for (size_t i = 0; i < n && !err; i++) {
		char name[320];
		int fd;

		if (!(r[i].prot & PROT_READ))
			continue;
		snprintf(name, sizeof(name), "%s/%04zu-%" PRIx64 ".bin",
			 d->dir, i, r[i].start);
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err = bench_fail("open(%s)", name);
			break;
		}
		err = copy_region(d, &r[i], fd, raw);
		close(fd);
	}
	pvmio_maps_free(r, n);
	return err;
}

static int dump_raw(void *ctx, long reps)
{
	for (long i = 0; i < reps; i++)
		if (dump_serial(ctx, true))
			return -1;
	return 0;
}

static int dump_pvmio(void *ctx, long reps)
{
	for (long i = 0; i < reps; i++)
		if (dump_serial(ctx, false))
			return -1;
	return 0;
}

/* posix_spawn (vfork): no copy of this big process's page tables. */
static int dump_cli(void *ctx, long reps)
{
	struct dump *d = ctx;
	char pid[16];
	char *argv[] = { "pvmio", "dump", "-q", pid, "-o", d->dir, NULL };
	posix_spawn_file_actions_t fa;

	snprintf(pid, sizeof(pid), "%d", (int)d->t->pid);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (long i = 0; i < reps; i++) {
		pid_t c;
		int st, err = posix_spawn(&c, BENCH_CLI, &fa, NULL, argv,
					  environ);

		if (err || waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			posix_spawn_file_actions_destroy(&fa);
			errno = err;
			return bench_fail("%s dump %s -o %s", BENCH_CLI, pid,
					  d->dir);
		}
	}
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}

/* The file of the region holding the buffer has the buffer's bytes. */
static int dump_check(void *ctx, long reps, const char *op)
{
	struct dump *d = ctx;
	struct pvmio_region *r;
	uint64_t at = (uintptr_t)d->t->buf;
	char name[320];
	size_t n, i;
	int ret = -1;

	(void)reps;
	if (pvmio_maps(d->t->pid, &r, &n))
		return bench_fail("pvmio_maps(%d)", (int)d->t->pid);
	for (i = 0; i < n && !(r[i].start <= at && at < r[i].end); i++)
		;
	if (i < n) {
		int fd;
		char *map;

		snprintf(name, sizeof(name), "%s/%04zu-%" PRIx64 ".bin",
			 d->dir, i, r[i].start);
		fd = open(name, O_RDONLY | O_CLOEXEC);
		map = fd < 0 ? MAP_FAILED : mmap(NULL, r[i].end - r[i].start,
						  PROT_READ, MAP_SHARED, fd, 0);
		if (map != MAP_FAILED) {
			ret = memcmp(map + (at - r[i].start), d->copy,
				     d->t->size) ? -1 : 0;
			munmap(map, r[i].end - r[i].start);
		}
		if (fd >= 0)
			close(fd);
	}
	pvmio_maps_free(r, n);
	if (ret)
		bench_fail("%s: %s lacks the target's buffer", op, name);
	return ret;
}

static void dump_dir(struct dump *d)
{
	struct stat st;
	const char *base = getenv("TMPDIR");

	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode) &&
	    !access("/dev/shm", W_OK))
		base = "/dev/shm";
	snprintf(d->dir, sizeof(d->dir), "%s/pvmio-bench-dump.XXXXXX",
		 base ? base : "/tmp");
	if (!mkdtemp(d->dir))
		bench_die("mkdtemp(%s): %s", d->dir, strerror(errno));
}

void bench_dump(struct target *t, const char *copy)
{
	struct dump d = { .t = t, .copy = copy };
	struct group g = {
		.section = "dump", .unit = "op", .bytes = t->size,
		.chunk = t->size, .ctx = &d, .check = dump_check,
		.reset = empty_dir,
	};
	char sz[32];

	snprintf(g.title, sizeof(g.title), "dump: a %s process, %s",
		 bench_size_str(t->size, sz, sizeof(sz)), "file per region");
	if (!group_wanted(&g))
		return;
	dump_dir(&d);
	d.buf = bench_alloc(DUMP_CHUNK);
	if (pvmio_open(&d.serial, t->pid, 0, 0))
		bench_die("pvmio_open: %s", pvmio_errmsg());
	group_add(&g, "serial, process_vm_readv 16 MiB (raw)", dump_raw);
	group_add(&g, "serial, pvmio_pread 16 MiB", dump_pvmio);
	group_add(&g, OP_DUMP, dump_cli);
	group_measure(&g);
	empty_dir(&d);
	rmdir(d.dir);
	pvmio_close(d.serial);
	bench_free(d.buf, DUMP_CHUNK);
}

#else

void bench_dump(struct target *t, const char *copy)
{
	(void)t;	/* no `pvmio dump` in the tree, or a sanitized build */
	(void)copy;
}

#endif
