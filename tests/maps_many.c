/* SPDX-License-Identifier: MIT */
/*
 * pvmio_maps on a process with 100,000 mappings (the uninstrumented helper
 * tests/target/manymaps): every one of them comes back, in order, with its
 * own protection. The time of the whole call and of the parse alone go out
 * as TAP diagnostics, never asserted. Needs vm.max_map_count above 100,000:
 * as root the test raises it and puts it back; otherwise it skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"

#define N 100000
#define MAX_MAP_COUNT "/proc/sys/vm/max_map_count"

static long saved_max = -1;

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f)
		return -1;
	bad = fprintf(f, "%ld\n", v) < 0;
	return fclose(f) || bad ? -1 : 0;
}

static void restore_max(void)
{
	if (saved_max > 0)
		write_long(MAX_MAP_COUNT, saved_max);
}

static void raise_max(void)
{
	long max = read_long(MAX_MAP_COUNT), want = N + 10000;

	if (max >= want)
		return;
	if (getuid() != 0)
		t_skip_all("vm.max_map_count is %ld, below %ld, and only root may raise it",
			   max, want);
	if (write_long(MAX_MAP_COUNT, want))
		t_skip_all("cannot raise vm.max_map_count to %ld: %s", want,
			   strerror(errno));
	saved_max = max;
	atexit(restore_max);
}

static pid_t spawn(uint64_t *inner)
{
	char line[128], n[16];
	int fd[2];
	pid_t pid;
	FILE *f;

	snprintf(n, sizeof(n), "%d", N);
	if (pipe2(fd, O_CLOEXEC))
		t_bail("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		t_bail("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd[1], 1);
		execl(t_target_path("manymaps"), "manymaps", n, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%" SCNx64, inner) != 1)
		t_bail("%s: %s", t_target_path("manymaps"), f ? line : "no output");
	fclose(f);
	return pid;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The time of the parse alone, on the text pvmio_maps would read. */
static void parse_time(pid_t pid)
{
	char path[64], *text;
	struct pvmio_region *r;
	struct timespec t0;
	size_t size, n;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (pvmio__read_file(path, &text, &size))
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!pvmio__maps_parse(text, size, &r, &n)) {
		t_diag("pvmio__maps_parse alone: %zu regions (%zu bytes of text) in %.1f ms",
		       n, size, ms_since(&t0));
		pvmio_maps_free(r, n);
	}
	free(text);
}

static void check(const struct pvmio_region *r, size_t n, uint64_t inner)
{
	size_t page = t_page(), first = n, k = 0;
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		if (r[i].start < inner || r[i].end > inner + (uint64_t)N * page)
			continue;
		if (first == n)
			first = i;
		ok = ok && i == first + k && r[i].start == inner + k * page &&
		     r[i].end == r[i].start + page &&
		     r[i].prot == (k % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
		k++;
	}
	t_is((long long)k, N, "exactly 100,000 regions in the area");
	t_ok(ok, "... one page each, in order, alternating r--/rw-");
}

int main(void)
{
	struct pvmio_region *r = NULL;
	struct timespec t0;
	uint64_t inner;
	size_t n = 0;
	pid_t pid;
	int rc;

	raise_max();
	t_plan(3);
	pid = spawn(&inner);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pvmio_maps(pid, &r, &n);
	t_diag("pvmio_maps: %zu regions in %.1f ms (read and parse)", n,
	       ms_since(&t0));
	t_is(rc, 0, "pvmio_maps on a process with 100,000 mappings");
	check(r, n, inner);
	pvmio_maps_free(r, n);
	parse_time(pid);
	t_kill(pid);
	return t_done();
}
