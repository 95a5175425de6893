/* SPDX-License-Identifier: MIT */
/*
 * pvmio_maps on real processes: a forked child inherits a shared file
 * mapping whose directory and name contain spaces, a deleted file's
 * mapping, an anonymous region, a heap, a stack and the vDSO; every field
 * is checked against stat(2) and against what this process knows. Then a
 * zombie (no mappings), a reaped child, another user's process, bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static char dir[64] = "/tmp/pvmio maps  XXXXXX";
static char fpath[128], dpath[128];
static struct stat fst;
static void *fmap, *dmap, *anon;

static void *map_file(const char *path, size_t pages, int prot, int flags,
		      size_t off_pages)
{
	size_t pg = t_page();
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	void *p;

	if (fd < 0 || ftruncate(fd, (off_t)((pages + off_pages) * pg)))
		t_bail("create %s", path);
	p = mmap(NULL, pages * pg, prot, flags, fd, (off_t)(off_pages * pg));
	if (p == MAP_FAILED)
		t_bail("mmap %s", path);
	if (path == fpath && fstat(fd, &fst))
		t_bail("fstat");
	close(fd);
	return p;
}

static void setup(void)
{
	if (!mkdtemp(dir))
		t_bail("mkdtemp");
	snprintf(fpath, sizeof(fpath), "%s/a file  with spaces.bin", dir);
	snprintf(dpath, sizeof(dpath), "%s/gone", dir);
	fmap = map_file(fpath, 2, PROT_READ | PROT_WRITE, MAP_SHARED, 1);
	dmap = map_file(dpath, 1, PROT_READ, MAP_PRIVATE, 0);
	unlink(dpath);
	anon = mmap(NULL, 3 * t_page(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (anon == MAP_FAILED || sbrk((intptr_t)t_page()) == (void *)-1)
		t_bail("mmap/sbrk");	/* sbrk: a [heap] even under ASan */
}

static const struct pvmio_region *at(const struct pvmio_region *r, size_t n,
				     const void *addr)
{
	uint64_t a = (uintptr_t)addr;

	for (size_t i = 0; i < n; i++)
		if (r[i].start <= a && a < r[i].end)
			return &r[i];
	return NULL;
}

static size_t lines_of(pid_t pid)
{
	char path[64], buf[4096];
	size_t lines = 0;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (got = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < got; i++)
			lines += buf[i] == '\n';
	if (fd >= 0)
		close(fd);
	return lines;
}

static void check_file(const struct pvmio_region *r, size_t n)
{
	const struct pvmio_region *f = at(r, n, fmap), *d = at(r, n, dmap);
	char deleted[160];

	t_ok(f && f->start == (uintptr_t)fmap &&
	     f->end == (uintptr_t)fmap + 2 * t_page(), "file mapping: its range");
	t_ok(f && f->prot == (PROT_READ | PROT_WRITE) && f->shared,
	     "file mapping: rw, shared");
	t_ok(f && f->offset == t_page(), "file mapping: offset one page");
	t_ok(f && f->dev_major == major(fst.st_dev) &&
	     f->dev_minor == minor(fst.st_dev) && f->inode == fst.st_ino,
	     "file mapping: device and inode as stat(2) says");
	t_ok(f && !strcmp(f->path, fpath), "path with spaces, whole: '%s'",
	     f ? f->path : "(none)");
	snprintf(deleted, sizeof(deleted), "%s (deleted)", dpath);
	t_ok(d && !strcmp(d->path, deleted) && d->prot == PROT_READ &&
	     !d->shared, "deleted file: '%s'", d ? d->path : "(none)");
}

static void check_special(const struct pvmio_region *r, size_t n)
{
	const struct pvmio_region *a = at(r, n, anon), *s, *h, *v;

	if (t_under_valgrind()) {
		t_skip(4, "valgrind gives its guest its own stack, brk and vDSO");
		return;
	}
	s = at(r, n, __builtin_frame_address(0));	/* never a fake stack */
	h = at(r, n, (char *)sbrk(0) - 1);
	v = at(r, n, (void *)getauxval(AT_SYSINFO_EHDR));
	t_ok(a && !strcmp(a->path, "") && a->inode == 0 &&
	     a->prot == PROT_READ && !a->dev_major && !a->dev_minor,
	     "anonymous region: empty path, no inode");
	t_ok(s && !strcmp(s->path, "[stack]") &&
	     s->prot == (PROT_READ | PROT_WRITE), "[stack] holds this frame");
	t_ok(h && !strcmp(h->path, "[heap]"), "[heap] holds the break");
	t_ok(v && !strcmp(v->path, "[vdso]") && (v->prot & PROT_EXEC),
	     "[vdso] at AT_SYSINFO_EHDR");
}

/* Read the map while the line count holds still (valgrind's guests move). */
static int steady_maps(pid_t pid, struct pvmio_region **r, size_t *n,
		       size_t *lines)
{
	int rc = -1;

	for (int i = 0; i < 20; i++) {
		*lines = lines_of(pid);
		rc = pvmio_maps(pid, r, n);
		if (rc || lines_of(pid) == *lines)
			break;
		pvmio_maps_free(*r, *n);
		*r = NULL;
		*n = 0;
	}
	return rc;
}

static void live(void)
{
	struct pvmio_region *r = NULL;
	size_t n = 0, lines;
	bool sorted = true;
	pid_t child = t_fork_target();

	t_is(steady_maps(child, &r, &n, &lines), 0, "pvmio_maps on a child");
	t_is((long long)n, (long long)lines, "one region per line");
	for (size_t i = 0; i < n; i++)
		sorted = sorted && r[i].start < r[i].end &&
			 (!i || r[i - 1].end <= r[i].start);
	t_ok(n && sorted, "sorted, non-empty, non-overlapping");
	check_file(r, n);
	check_special(r, n);
	pvmio_maps_free(r, n);
	t_kill(child);
}

static void gone(void)
{
	struct pvmio_region *r = (void *)1;
	size_t n = 99;
	siginfo_t si;
	pid_t z = fork();

	if (z == 0)
		_exit(0);
	/* WNOWAIT: wait until it is a zombie, and leave it one */
	if (z < 0 || waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT))
		t_bail("zombie");
	t_is(pvmio_maps(z, &r, &n), 0, "a zombie: success");
	t_is((long long)n, 0, "... with no regions");
	pvmio_maps_free(r, n);
	waitpid(z, NULL, 0);
	t_is_err(pvmio_maps(z, &r, &n), ESRCH, "a reaped child: ESRCH");
}

static int as_nobody(void *arg)
{
	struct pvmio_region *r;
	size_t n;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 2;
	t_is_err(pvmio_maps(*(pid_t *)arg, &r, &n), EPERM,
		 "uid 65534 on a root process: EPERM");
	return 0;
}

static void bad_input(void)
{
	struct pvmio_region *r;
	size_t n;
	pid_t self = getpid();

	t_is_err(pvmio_maps(0, &r, &n), EINVAL, "pid 0: EINVAL");
	t_is_err(pvmio_maps(-5, &r, &n), EINVAL, "pid -5: EINVAL");
	t_is_err(pvmio_maps(self, NULL, &n), EINVAL, "NULL regions: EINVAL");
	t_is_err(pvmio_maps(self, &r, NULL), EINVAL, "NULL count: EINVAL");
	pvmio_maps_free(NULL, 0);
	if (getuid() != 0)
		t_skip(1, "EPERM needs root to drop to another uid");
	else if (t_in_child(as_nobody, &self) == 2)
		t_skip(1, "could not become uid 65534");
}

int main(void)
{
	t_plan(3 + 6 + 4 + 3 + 5);
	setup();
	live();
	gone();
	bad_input();
	munmap(fmap, 2 * t_page());
	unlink(fpath);
	rmdir(dir);
	return t_done();
}
