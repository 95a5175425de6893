/* SPDX-License-Identifier: MIT */
/*
 * Numbers, PIDs and hex bytes of the command line. Pure functions: the
 * messages are made by the callers (tools/opts.c), and fuzz/args_fuzzer.c
 * links this file alone.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static int fail(int err)
{
	errno = err;
	return -1;
}

static int suffix_shift(const char *s, unsigned *shift)
{
	static const char units[] = "KMG";
	const char *u;

	*shift = 0;
	if (*s == '\0')
		return 0;
	u = strchr(units, *s);
	if (!u)
		return -1;
	*shift = 10 * (unsigned)(u - units + 1);
	s++;
	if (*s == '\0' || !strcmp(s, "iB"))
		return 0;
	return -1;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift;
	char *end;
	int base = 10;

	if (!s || !isdigit((unsigned char)s[0]))
		return fail(EINVAL);	/* also " 1", "-1", "+1" */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return fail(EINVAL);
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return fail(ERANGE);
	if (suffix_shift(end, &shift) < 0)
		return fail(EINVAL);
	if (shift && v > (UINT64_MAX >> shift))
		return fail(ERANGE);
	*out = (uint64_t)v << shift;
	return 0;
}

int cli_parse_pid(const char *s, pid_t *pid)
{
	unsigned long long v;
	const char *p;

	if (!s)
		return fail(EINVAL);
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return fail(EINVAL);
	if (p == s)
		return fail(EINVAL);
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE || v > INT_MAX)
		return fail(ERANGE);
	if (v == 0)
		return fail(EINVAL);
	*pid = (pid_t)v;
	return 0;
}

/* One nibble: its value, and its mask in *mask; -1 if c is neither. */
static int nibble(char c, unsigned char *mask)
{
	*mask = 0xf;
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	*mask = 0;
	return c == '?' ? 0 : -1;
}

/* Bytes of one token of n characters into b and m; the count, or -1. */
static long token(const char *s, size_t n, unsigned char *b, unsigned char *m)
{
	unsigned char mh, ml;
	int hi, lo;
	size_t i;

	if (n % 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		hi = nibble(s[i], &mh);
		lo = nibble(s[i + 1], &ml);
		if (hi < 0 || lo < 0)
			return -1;
		b[i / 2] = (unsigned char)(hi << 4 | lo);
		m[i / 2] = (unsigned char)(mh << 4 | ml);
	}
	return (long)(n / 2);
}

static int exact(const unsigned char *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i] != 0xff)
			return 0;
	return 1;
}

int cli_parse_hex(const char *s, unsigned char **bytes, unsigned char **mask,
		  size_t *len)
{
	static const char space[] = " \t\n";
	size_t max = s ? strlen(s) / 2 + 1 : 0, n = 0, tl;
	unsigned char *b = malloc(max + 1), *m = malloc(max + 1);
	long got;

	if (!b || !m)
		goto nomem;
	for (s = s ? s + strspn(s, space) : ""; *s; s += strspn(s, space)) {
		tl = strcspn(s, space);
		got = token(s, tl, b + n, m + n);
		if (got < 0)
			goto inval;
		n += (size_t)got;
		s += tl;
	}
	if (n == 0)
		goto inval;
	if (exact(m, n)) {
		free(m);
		m = NULL;
	}
	*bytes = b;
	*mask = m;
	*len = n;
	return 0;
inval:
	free(b);
	free(m);
	return fail(EINVAL);
nomem:
	free(b);
	free(m);
	return fail(ENOMEM);
}
