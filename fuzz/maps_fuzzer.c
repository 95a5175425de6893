/* SPDX-License-Identifier: MIT */
/*
 * pvmio__maps_parse() on arbitrary text: never a crash, and the result is
 * the one a second, independent parser of the same grammar gets, sorted,
 * each region with start <= end and its path inside the one block.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "internal.h"

typedef unsigned __int128 u128;

static int digit(char c, unsigned base)
{
	const char *all = "0123456789abcdef", *p;

	if (c >= 'A' && c <= 'F')
		c = (char)(c - 'A' + 'a');
	p = c ? strchr(all, c) : NULL;
	return p && (unsigned)(p - all) < base ? (int)(p - all) : -1;
}

/* One number in the base; NULL unless at least one digit and < 2^64. */
static const char *num(const char *p, unsigned base, uint64_t *v)
{
	u128 x = 0;
	int d, n = 0;

	if (!p)
		return NULL;
	for (; (d = digit(*p, base)) >= 0; p++, n++) {
		x = x * base + (unsigned)d;
		if (x >> 64)
			return NULL;
	}
	*v = (uint64_t)x;
	return n ? p : NULL;
}

static const char *lit(const char *p, char c)
{
	return p && *p == c ? p + 1 : NULL;
}

/* "start-end perms offset maj:min inode[ +path]" */
static int ref_line(const char *p, const char *end, struct pvmio_region *r)
{
	uint64_t maj = 0, min = 0;

	if (memchr(p, '\0', (size_t)(end - p)))
		return -1;
	p = lit(num(p, 16, &r->start), '-');
	p = num(p, 16, &r->end);
	p = lit(p, ' ');
	if (!p || end - p < 4)
		return -1;
	r->prot = (p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0) |
		  (p[2] == 'x' ? PROT_EXEC : 0);
	r->shared = p[3] == 's';
	p = lit(p + 4, ' ');
	p = lit(num(p, 16, &r->offset), ' ');
	p = lit(num(p, 16, &maj), ':');
	p = num(num(p, 16, &min) ? lit(num(p, 16, &min), ' ') : NULL, 10,
		&r->inode);
	if (!p || r->end < r->start || maj >> 32 || min >> 32)
		return -1;
	if (p < end && *p != ' ')
		return -1;
	r->dev_major = (unsigned)maj;
	r->dev_minor = (unsigned)min;
	while (p < end && *p == ' ')
		p++;
	r->path = strndup(p, (size_t)(end - p));
	return r->path ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
	const struct pvmio_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->prot != y->prot || x->shared != y->shared)
		return (int)(x->prot * 2 + (unsigned)x->shared) -
		       (int)(y->prot * 2 + (unsigned)y->shared);
	if (x->dev_major != y->dev_major || x->dev_minor != y->dev_minor)
		return x->dev_major != y->dev_major ?
		       (x->dev_major < y->dev_major ? -1 : 1) :
		       (x->dev_minor < y->dev_minor ? -1 : 1);
	return strcmp(x->path, y->path);
}

/* The reference: -1 for a bad line, else the count. */
static long ref_parse(const char *text, size_t size, struct pvmio_region *out)
{
	const char *p = text, *end = text + size;
	long n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		if (ref_line(p, nl, &out[n]))
			return -1 - n;
		n++;
		p = nl + 1;
	}
	return n;
}

static void free_ref(struct pvmio_region *r, long n)
{
	for (long i = 0; i < n; i++)
		free(r[i].path);
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parser writes a NUL at text[size]: its caller leaves room */
	char *text = malloc(size + 1), *copy = malloc(size + 1);
	struct pvmio_region *got = NULL, *want = calloc(size + 1, sizeof(*want));
	size_t count = 12345;
	long n;
	int rc;

	if (!text || !copy || !want)
		abort();
	memcpy(text, data, size);
	text[size] = 'X';
	memcpy(copy, data, size);
	copy[size] = '\0';	/* the reference's numbers stop there */
	n = ref_parse(copy, size, want);
	free(copy);
	rc = pvmio__maps_parse(text, size, &got, &count);
	FZ_CHECK(rc == (n < 0 ? -EIO : 0), "parse: %d, reference %ld", rc, n);
	if (n < 0) {
		free_ref(want, -1 - n);
		free(text);
		return 0;
	}
	FZ_CHECK(count == (size_t)n, "%zu regions, reference %ld", count, n);
	for (size_t i = 0; i < count; i++) {
		FZ_CHECK(got[i].start <= got[i].end, "region %zu: %#lx-%#lx", i,
			 got[i].start, got[i].end);
		FZ_CHECK(!i || got[i - 1].start <= got[i].start,
			 "region %zu not sorted", i);
		FZ_CHECK((char *)got[i].path >= (char *)(got + count) &&
			 !strchr(got[i].path, '\n'),
			 "region %zu: path outside the block", i);
	}
	qsort(got, count, sizeof(*got), cmp);
	qsort(want, count, sizeof(*want), cmp);
	for (size_t i = 0; i < count; i++)
		FZ_CHECK(!cmp(&got[i], &want[i]),
			 "region %zu: %#lx-%#lx %u %lu \"%s\", reference %#lx-%#lx %u %lu \"%s\"",
			 i, got[i].start, got[i].end, got[i].prot, got[i].inode,
			 got[i].path, want[i].start, want[i].end, want[i].prot,
			 want[i].inode, want[i].path);
	pvmio_maps_free(got, count);
	free_ref(want, n);
	free(text);
	return 0;
}
