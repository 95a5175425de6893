/* SPDX-License-Identifier: MIT */
/*
 * The command line's parsers (tools/args.c, linked alone) on arbitrary
 * strings, each against a reference written another way (128-bit values,
 * a walk of its own), and numbers printed then parsed back.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "args.h"
#include "fuzz.h"

typedef unsigned __int128 u128;

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0' :
		c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;

	return d < (int)base ? d : -1;
}

/* DIGITS | 0x HEXDIGITS, then nothing, K, M or G, each maybe with iB. */
static int ref_u64(const char *p, uint64_t *out)
{
	unsigned base = 10, shift = 0;
	bool over = false;
	u128 v = 0;
	int d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit(p[2], 16) >= 0) {
		base = 16;
		p += 2;
	} else if (digit(p[0], 10) < 0) {
		return EINVAL;
	}
	for (; (d = digit(*p, base)) >= 0; p++) {
		v = v * base + (unsigned)d;
		over |= v >> 64 != 0;
		v &= UINT64_MAX;
	}
	if (over)
		return ERANGE;
	if (*p) {
		const char *u = strchr("KMG", *p);

		if (!u || !*p)
			return EINVAL;
		shift = 10 * (unsigned)(u - "KMG" + 1);
		if (p[1] && strcmp(p + 1, "iB"))
			return EINVAL;
	}
	if ((v << shift) >> 64)
		return ERANGE;
	*out = (uint64_t)(v << shift);
	return 0;
}

static int ref_pid(const char *p, pid_t *pid)
{
	u128 v = 0;

	if (!*p)
		return EINVAL;
	for (; *p; p++) {
		if (digit(*p, 10) < 0)
			return EINVAL;
		if (v <= INT_MAX)
			v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > INT_MAX)
		return ERANGE;
	if (!v)
		return EINVAL;
	*pid = (pid_t)v;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Tokens of whole bytes between blanks; '?' is a wildcard nibble. */
static int ref_hex(const char *p, uint8_t *b, uint8_t *m, size_t *len)
{
	size_t n = 0;

	for (;;) {
		const char *t;

		while (blank(*p))
			p++;
		if (!*p)
			break;
		for (t = p; *t && !blank(*t); t++)
			;
		if ((t - p) % 2)
			return EINVAL;
		for (; p < t; p += 2, n++) {
			int hi = p[0] == '?' ? 0 : digit(p[0], 16);
			int lo = p[1] == '?' ? 0 : digit(p[1], 16);

			if (hi < 0 || lo < 0)
				return EINVAL;
			b[n] = (uint8_t)(hi << 4 | lo);
			m[n] = (uint8_t)((p[0] == '?' ? 0 : 0xf0) |
					 (p[1] == '?' ? 0 : 0x0f));
		}
	}
	*len = n;
	return n ? 0 : EINVAL;
}

static void check_u64(const char *s)
{
	uint64_t got = 7, want = 7;
	int w = ref_u64(s, &want), g;

	errno = 0;
	g = cli_parse_u64(s, &got);
	FZ_CHECK(g == (w ? -1 : 0) && (!w || errno == w) && (w || got == want),
		 "u64 \"%s\": %d errno %d value %#lx; want %d value %#lx", s, g,
		 errno, got, w, want);
}

static void check_pid(const char *s)
{
	pid_t got = 7, want = 7;
	int w = ref_pid(s, &want), g;

	errno = 0;
	g = cli_parse_pid(s, &got);
	FZ_CHECK(g == (w ? -1 : 0) && (!w || errno == w) && (w || got == want),
		 "pid \"%s\": %d errno %d value %d; want %d value %d", s, g,
		 errno, (int)got, w, (int)want);
}

static void check_hex(const char *s)
{
	size_t max = strlen(s) / 2 + 1, n = 0, wn = 0;
	uint8_t *wb = malloc(max), *wm = malloc(max);
	unsigned char *b = NULL, *m = NULL;
	int w, g, exact = 1;

	if (!wb || !wm)
		abort();
	w = ref_hex(s, wb, wm, &wn);
	errno = 0;
	g = cli_parse_hex(s, &b, &m, &n);
	FZ_CHECK(g == (w ? -1 : 0) && (!w || errno == w),
		 "hex \"%s\": %d errno %d; want %d", s, g, errno, w);
	if (!g) {
		for (size_t i = 0; i < wn; i++)
			exact &= wm[i] == 0xff;
		FZ_CHECK(n == wn && !memcmp(b, wb, n) &&
			 (exact ? !m : m && !memcmp(m, wm, n)),
			 "hex \"%s\": %zu bytes%s, want %zu%s", s, n,
			 m ? " and a mask" : "", wn, exact ? "" : " and a mask");
		free(b);
		free(m);
	}
	free(wb);
	free(wm);
}

/* Every number printed as the CLI's user would writes back to itself. */
static void check_round_trip(uint64_t v)
{
	static const char *const suffix[] = { "", "K", "MiB", "G" };
	char s[64];

	for (unsigned k = 0; k < 4; k++) {
		uint64_t unit = (uint64_t)1 << (10 * k), got = 0;

		if (v % unit)
			continue;
		snprintf(s, sizeof(s), "%llu%s", (unsigned long long)(v / unit),
			 suffix[k]);
		FZ_CHECK(!cli_parse_u64(s, &got) && got == v, "\"%s\" -> %#lx", s, got);
		snprintf(s, sizeof(s), "0x%llX%s", (unsigned long long)(v / unit),
			 suffix[k]);
		FZ_CHECK(!cli_parse_u64(s, &got) && got == v, "\"%s\" -> %#lx", s, got);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t which = fz_u8(&f);
	char *s = malloc(f.left + 1);

	if (!s)
		abort();
	memcpy(s, f.p, f.left);
	s[f.left] = '\0';	/* an inner NUL ends the string early: fine */
	switch (which % 4) {
	case 0:
		check_u64(s);
		break;
	case 1:
		check_pid(s);
		break;
	case 2:
		check_hex(s);
		break;
	default:
		check_round_trip(fz_u64(&f));
	}
	free(s);
	return 0;
}
