/* SPDX-License-Identifier: MIT */
/*
 * Scan a process's memory for a pattern with pvmio_search(), and name the
 * region of each match with pvmio_maps().
 *
 *   scan PID TEXT     every address where TEXT is in PID's readable memory
 *   scan              a child hides a string in two places; find both, then
 *                     again with a wildcard mask
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pvmio.h>

#define MAX_HITS 64

struct hits {
	uint64_t at[MAX_HITS];
	size_t n;
};

static int on_match(uint64_t address, void *arg)
{
	struct hits *h = arg;

	h->at[h->n++] = address;
	return h->n == MAX_HITS;	/* nonzero stops the search */
}

static const char *region_of(const struct pvmio_region *r, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start <= a && a < r[i].end)
			return r[i].path[0] ? r[i].path : "(anonymous)";
	return "?";
}

static int has(const struct hits *h, uint64_t address)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->at[i] == address)
			return 1;
	return 0;
}

/* Search pid; print each hit and its region; -1 on failure. */
static ssize_t scan(pid_t pid, const void *pat, const void *mask, size_t len,
		    struct hits *h)
{
	struct pvmio_region *r;
	size_t nr;
	ssize_t found;

	h->n = 0;
	found = pvmio_search(pid, pat, mask, len, on_match, h);
	if (found < 0 || pvmio_maps(pid, &r, &nr) < 0) {
		fprintf(stderr, "scan: %s\n", pvmio_errmsg());
		return -1;
	}
	for (size_t i = 0; i < h->n; i++)
		printf("  %#018" PRIx64 "  %s\n", h->at[i], region_of(r, nr, h->at[i]));
	pvmio_maps_free(r, nr);
	return found;
}

/* The child: its own text (with its PID, so nobody else has it) on the
 * heap and in a static array; both addresses go up the pipe. */
static char in_data[64];

static void child(int fd)
{
	char *on_heap = malloc(64);
	uintptr_t where[2] = { (uintptr_t)on_heap, (uintptr_t)in_data };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!on_heap)
		_exit(1);
	snprintf(on_heap, 64, "pvmio-needle-%08d", (int)getpid());
	memcpy(in_data, on_heap, 64);
	if (write(fd, where, sizeof(where)) == sizeof(where))
		pause();
	_exit(0);
}

static int demo(void)
{
	char needle[64], mask[64];
	uintptr_t where[2];
	struct hits h;
	ssize_t exact, masked;
	int fds[2], ok;
	size_t len;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return perror("scan"), 1;
	if (pid == 0)
		child(fds[1]);
	if (read(fds[0], where, sizeof(where)) != sizeof(where))
		return 1;
	len = (size_t)snprintf(needle, sizeof(needle), "pvmio-needle-%08d", (int)pid);
	printf("child %d hid \"%s\" at %#" PRIxPTR " and %#" PRIxPTR "\n",
	       (int)pid, needle, where[0], where[1]);
	exact = scan(pid, needle, NULL, len, &h);
	printf("found %zd exact\n", exact);
	ok = has(&h, where[0]) && has(&h, where[1]);

	/* 0x00 in the mask: any byte; the last digit of the PID is free. */
	memset(mask, 0xff, len);
	mask[len - 1] = 0;
	needle[len - 1] = '?';
	masked = scan(pid, needle, mask, len, &h);
	printf("found %zd with \"%s\" (mask 00 on the last byte)\n", masked, needle);
	ok = ok && has(&h, where[0]) && has(&h, where[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ok ? 0 : 1;
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
	unsigned long long pid;
	struct hits h;
	ssize_t found;

	if (argc == 1)
		return demo();
	if (argc != 3 || number(argv[1], &pid) < 0 || pid == 0 || pid > INT_MAX) {
		fprintf(stderr, "usage: scan [PID TEXT]\n");
		return 2;
	}
	found = scan((pid_t)pid, argv[2], NULL, strlen(argv[2]), &h);
	if (found < 0)
		return 1;
	printf("%zd match%s%s\n", found, found == 1 ? "" : "es",
	       found > MAX_HITS ? " (the first ones shown)" : "");
	return 0;
}
