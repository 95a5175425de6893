/* SPDX-License-Identifier: MIT */
/* Small helpers of pvmio-bench: errors, clock, memory, fill patterns. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* "pvmio-bench: " and the message, after what stdout holds; no newline. */
static void say(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "pvmio-bench: ");
	vfprintf(stderr, fmt, ap);
}

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* A failed call inside a timed loop: say what and why, then stop the run. */
int bench_fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s; pvmio: %s)\n", err, strerror(err),
		pvmio_errmsg());
	return -1;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t bench_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

void *bench_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bench_die("mmap(%zu bytes): %s", len, strerror(errno));
	/* fault every page in now, so that no pass pays for it */
	memset(p, 0, len);
	return p;
}

void bench_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/* xorshift64*: fast, and random enough that a 16-byte needle never recurs. */
void bench_fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull | 1, *w = buf;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		w[i] = x * 0x2545f4914f6cdd1dull;
	}
	memset((char *)buf + n * 8, 0x5a, len - n * 8);
}

/*
 * Computed, never stored as a constant: a forked target must not carry the
 * needle anywhere but where it was planted, or searches would find more.
 */
void bench_needle(unsigned char out[NEEDLE_LEN])
{
	/* volatile: the compiler must not fold the needle into .rodata */
	static volatile unsigned char seed = 0xa7;

	for (int i = 0; i < NEEDLE_LEN; i++)
		out[i] = (unsigned char)(seed ^ (i * 37 + 11));
}

int bench_raw_copy(pid_t pid, void *local, const void *remote, size_t len,
		   bool write)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < 16 * MIB ? len - done : 16 * MIB;
		struct iovec l = { (char *)local + done, n };
		struct iovec r = { (char *)remote + done, n };
		ssize_t got = write ? process_vm_writev(pid, &l, 1, &r, 1, 0)
				    : process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (got != (ssize_t)n)
			return bench_fail("%s(pid %d, %p, %zu) = %zd",
					  write ? "process_vm_writev" :
					  "process_vm_readv", (int)pid,
					  r.iov_base, n, got);
		done += n;
	}
	return 0;
}

const char *bench_size_str(size_t n, char *buf, size_t cap)
{
	if (n >= GIB && !(n % GIB))
		snprintf(buf, cap, "%zu GiB", n / GIB);
	else if (n >= MIB && !(n % MIB))
		snprintf(buf, cap, "%zu MiB", n / MIB);
	else if (n >= KIB && !(n % KIB))
		snprintf(buf, cap, "%zu KiB", n / KIB);
	else
		snprintf(buf, cap, "%zu B", n);
	return buf;
}

int bench_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (v > (SIZE_MAX >> shift))
		return -1;
	v <<= shift;
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || !v)
		return -1;
	*out = (size_t)v;
	return 0;
}
