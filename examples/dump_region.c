/* SPDX-License-Identifier: MIT */
/*
 * Dump one region of a process's memory to a file: pvmio_maps() finds the
 * mapping that holds an address, then pvmio_read() copies it page run by
 * page run, the way a core dumper or a memory forensics tool does.
 *
 *   dump_region PID ADDRESS FILE   the region holding ADDRESS (0x hex)
 *   dump_region                    dump a child's 3-page mapping to a
 *                                  temporary file and check every byte
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvmio.h>

#define PAGES 3

static int fail(const char *what)
{
	fprintf(stderr, "dump_region: %s: %s\n", what, pvmio_errmsg());
	return -1;
}

/* Copy [start, end) of pid to out; returns the bytes written or -1. */
static long long copy_range(pid_t pid, uint64_t start, uint64_t end, FILE *out)
{
	static char buf[1 << 16];
	long long total = 0;
	pvmio *io;

	if (pvmio_open(&io, pid, start, 0) < 0)
		return fail("pvmio_open");
	while (start + total < end) {
		size_t want = end - start - total < sizeof(buf) ?
			      end - start - total : sizeof(buf);
		ssize_t n = pvmio_read(io, buf, want);

		if (n <= 0 || fwrite(buf, 1, n, out) != (size_t)n) {
			pvmio_close(io);
			return n < 0 ? fail("pvmio_read") : -1;
		}
		total += n;
	}
	pvmio_close(io);
	return total;
}

/* Dump the region of pid that holds address into path. */
static long long dump(pid_t pid, uint64_t address, const char *path)
{
	struct pvmio_region *r;
	size_t n, i;
	long long done = -1;
	FILE *out;

	if (pvmio_maps(pid, &r, &n) < 0)
		return fail("pvmio_maps");
	for (i = 0; i < n && !(r[i].start <= address && address < r[i].end); i++)
		;
	if (i == n) {
		fprintf(stderr, "dump_region: no mapping of pid %d holds %#" PRIx64 "\n",
			(int)pid, address);
	} else if (!(out = fopen(path, "wb"))) {
		perror(path);
	} else {
		done = copy_range(pid, r[i].start, r[i].end, out);
		if (fclose(out) != 0)
			done = -1;
		printf("%#" PRIx64 "-%#" PRIx64 " %s -> %s: %lld bytes\n", r[i].start,
		       r[i].end, r[i].path[0] ? r[i].path : "(anonymous)", path, done);
	}
	pvmio_maps_free(r, n);
	return done;
}

/*
 * The child maps PAGES pages, fills them with i * 13, sends the address.
 * A PROT_NONE guard page on each side keeps the kernel from merging the
 * mapping with an anonymous neighbour, which would make "the region" bigger.
 */
static void child(int fd, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *guarded = mmap(NULL, size + 2 * page, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *area = guarded + page;
	uintptr_t where = (uintptr_t)area;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (guarded == MAP_FAILED || mprotect(area, size, PROT_READ | PROT_WRITE))
		_exit(1);
	for (size_t i = 0; i < size; i++)
		area[i] = (unsigned char)(i * 13);
	if (write(fd, &where, sizeof(where)) == sizeof(where))
		pause();
	_exit(0);
}

/* Every byte of the file is what the child wrote. */
static int check_file(const char *path, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t i = 0;
	int c;

	while (f && (c = getc(f)) != EOF && c == (unsigned char)(i * 13))
		i++;
	if (f)
		fclose(f);
	printf("%s: %zu of %zu bytes as the child wrote them\n", path, i, size);
	return i == size ? 0 : 1;
}

static int demo(void)
{
	size_t size = PAGES * (size_t)sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/pvmio-dump-XXXXXX";
	uintptr_t where;
	int fds[2], fd, ret = 1;
	pid_t pid;

	if (pipe(fds) < 0 || (fd = mkstemp(path)) < 0 || (pid = fork()) < 0)
		return perror("dump_region"), 1;
	close(fd);
	if (pid == 0)
		child(fds[1], size);
	if (read(fds[0], &where, sizeof(where)) == sizeof(where) &&
	    dump(pid, where + 5, path) == (long long)size)
		ret = check_file(path, size);
	unlink(path);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ret;
}

/* A number from the command line (0x hex too); -1 if it is not one. */
static int number(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long long pid, address;

	if (argc == 1)
		return demo();
	if (argc != 4 || number(argv[1], &pid) < 0 || pid == 0 ||
	    pid > INT_MAX || number(argv[2], &address) < 0) {
		fprintf(stderr, "usage: dump_region [PID ADDRESS FILE]\n");
		return 2;
	}
	return dump((pid_t)pid, address, argv[3]) < 0;
}
