/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/maps. The whole file is read before anything is parsed, so a
 * caller never gets half a list; regions and their paths live in one block,
 * so 100,000 mappings cost one allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* The whole file, NUL-terminated; NULL with *err (-errno) on failure. */
static char *read_all(int fd, size_t *size, int *err)
{
	size_t cap = 64 * 1024, len = 0;
	char *b = malloc(cap), *nb;
	ssize_t n;

	*err = -ENOMEM;
	while (b) {
		if (cap - len < 4096) {
			nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		n = read(fd, b + len, cap - len - 1);
		if (n == 0) {
			b[len] = '\0';
			*size = len;
			*err = 0;
			return b;
		}
		if (n < 0 && errno != EINTR) {
			*err = errno > 0 ? -errno : -EIO;	/* never "0 = ok" */
			break;
		}
		len += n > 0 ? (size_t)n : 0;
	}
	free(b);
	return NULL;
}

int pvmio__read_file(const char *path, char **buf, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	*buf = read_all(fd, size, &err);
	close(fd);
	return err;
}

static const char *hex(const char *p, uint64_t *v)
{
	const char *start = p;
	uint64_t x = 0;

	if (!p)		/* an earlier field was missing */
		return NULL;
	for (;; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (x >> 60)
			return NULL;	/* more than 64 bits */
		x = x << 4 | d;
	}
	*v = x;
	return p == start ? NULL : p;
}

static const char *dec(const char *p, uint64_t *v)
{
	const char *start = p;
	uint64_t x = 0;

	if (!p)
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return NULL;
		x = x * 10 + d;
	}
	*v = x;
	return p == start ? NULL : p;
}

static const char *expect(const char *p, char c)
{
	return p && *p == c ? p + 1 : NULL;
}

static const char *perms(const char *p, struct pvmio_region *r)
{
	if (!p || !p[0] || !p[1] || !p[2] || !p[3])
		return NULL;
	r->prot = (p[0] == 'r' ? PROT_READ : 0) | (p[1] == 'w' ? PROT_WRITE : 0) |
		  (p[2] == 'x' ? PROT_EXEC : 0);
	r->shared = p[3] == 's';
	return p + 4;
}

/* One line, without its newline: "start-end perms offset maj:min inode path". */
static int parse_line(const char *p, struct pvmio_region *r, char **pool)
{
	uint64_t maj, min;
	size_t n;

	p = hex(p, &r->start);
	p = hex(expect(p, '-'), &r->end);
	p = perms(expect(p, ' '), r);
	p = hex(expect(p, ' '), &r->offset);
	p = hex(expect(p, ' '), &maj);
	p = hex(expect(p, ':'), &min);
	p = dec(expect(p, ' '), &r->inode);
	if (!p || (*p && *p != ' ') || r->end < r->start || maj > UINT32_MAX ||
	    min > UINT32_MAX)
		return -EIO;
	r->dev_major = (unsigned)maj;
	r->dev_minor = (unsigned)min;
	while (*p == ' ')	/* the kernel pads to a column before the path */
		p++;
	n = strlen(p);
	r->path = memcpy(*pool, p, n + 1);
	*pool += n + 1;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct pvmio_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int pvmio__maps_parse(char *text, size_t size, struct pvmio_region **regions,
		      size_t *count)
{
	size_t lines = 0, n = 0;
	struct pvmio_region *r;
	bool sorted = true;
	char *pool, *p, *nl;

	for (p = text; (p = memchr(p, '\n', size - (size_t)(p - text))); p++)
		lines++;
	lines += size && text[size - 1] != '\n';
	/* regions first, then every path with its NUL: at most the text */
	r = malloc(lines * sizeof(*r) + size + 1);
	if (!r)
		return -ENOMEM;
	pool = (char *)(r + lines);
	for (p = text; p < text + size; p = nl + 1) {
		nl = memchr(p, '\n', size - (size_t)(p - text));
		if (!nl)
			nl = text + size;
		*nl = '\0';
		if (memchr(p, '\0', (size_t)(nl - p)) || parse_line(p, &r[n], &pool)) {
			free(r);
			return -EIO;
		}
		sorted = sorted && (!n || r[n - 1].start <= r[n].start);
		n++;
	}
	if (!sorted)
		qsort(r, n, sizeof(*r), by_start);
	*regions = r;
	*count = n;
	return 0;
}

/* Did the process lose its memory while we read? Then the list may be cut. */
static bool mm_gone(int fd)
{
	char c;

	return pread(fd, &c, 1, 0) != 1;
}

int pvmio_maps(pid_t pid, struct pvmio_region **regions, size_t *count)
{
	char path[32], *text = NULL;
	size_t size = 0;
	int fd, err;

	if (pid <= 0 || !regions || !count)
		return pvmio__fail(EINVAL, "pvmio_maps(pid %d)", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = pvmio__proc_open(pid, "maps", O_RDONLY);
	if (fd < 0)
		return pvmio__fail(-fd, "open(%s)", path);
	text = read_all(fd, &size, &err);
	if (text && size && mm_gone(fd))
		err = -ESRCH;
	close(fd);
	if (text && !err)
		err = pvmio__maps_parse(text, size, regions, count);
	free(text);
	if (err == -EACCES)
		err = -EPERM;
	if (err)
		return pvmio__fail(-err, "read(%s)", path);
	return 0;
}

void pvmio_maps_free(struct pvmio_region *regions, size_t count)
{
	(void)count;	/* one block holds everything */
	free(regions);
}
