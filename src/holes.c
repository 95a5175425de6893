/* SPDX-License-Identifier: MIT */
/*
 * Never-touched memory, for pvmio_search: a page of private anonymous
 * memory that the process never wrote is not in its page table and reads
 * as zeros. Reading it anyway is slow (a sanitizer's shadow is terabytes
 * of such pages) and harmful: each page read maps the zero page and adds
 * page tables to the target. PAGEMAP_SCAN (Linux 6.7) lists the pages of a
 * range that are present or swapped, walking only the page tables that
 * exist; the rest of a region is a hole of zeros that need not be read.
 * Where the kernel cannot say, there are no holes and everything is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "search.h"

#ifndef PAGEMAP_SCAN	/* <linux/fs.h> before 6.7; the ABI is fixed */
#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_SWAPPED	(1 << 4)
#define PAGE_IS_PFNZERO	(1 << 5)

struct page_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
#endif

#define RUNS 512	/* page_regions per ioctl */

struct list {
	struct pvmio__hole *v;
	size_t n, cap;
};

/* Private anonymous memory: only there is an absent page a zero page. */
static bool anonymous(const struct pvmio_region *r)
{
	if (r->shared || r->inode || !(r->prot & PROT_READ))
		return false;
	return !r->path[0] || !strcmp(r->path, "[heap]") ||
	       !strcmp(r->path, "[stack]") || !strncmp(r->path, "[anon:", 6);
}

static int add(struct list *l, uint64_t start, uint64_t end)
{
	if (end <= start || end - start < PVMIO__HOLE_MIN)
		return 0;	/* small holes cost less to read than track */
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct pvmio__hole *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct pvmio__hole){ start, end };
	return 0;
}

/* One ioctl from *walk on; the holes before each populated run. */
static int scan_once(int fd, const struct pvmio_region *r, uint64_t *walk,
		     uint64_t *gap, struct page_region *vec, struct list *l)
{
	struct pm_scan_arg a = {
		.size = sizeof(a), .start = *walk, .end = r->end,
		.vec = (uintptr_t)vec, .vec_len = RUNS,
		/* present or swapped, but not the shared zero page */
		.category_inverted = PAGE_IS_PFNZERO,
		.category_mask = PAGE_IS_PFNZERO,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	long n;

	memset(vec, 0, RUNS * sizeof(*vec));	/* defined for valgrind */
	n = ioctl(fd, PAGEMAP_SCAN, &a);
	if (n < 0)
		return -errno;
	for (long i = 0; i < n; i++) {
		if (add(l, *gap, vec[i].start))
			return -ENOMEM;
		*gap = vec[i].end;
	}
	if (a.walk_end <= *walk || a.walk_end > r->end)
		return -EIO;	/* no progress: do not trust it */
	*walk = a.walk_end;
	return 0;
}

static int scan_region(int fd, const struct pvmio_region *r,
		       struct page_region *vec, struct list *l)
{
	uint64_t walk = r->start, gap = r->start;
	int err = 0;

	while (walk < r->end && !err)
		err = scan_once(fd, r, &walk, &gap, vec, l);
	return err ? err : add(l, gap, r->end);
}

static int scan_all(int fd, const struct pvmio_region *r, size_t nr,
		    struct list *l)
{
	struct page_region *vec = malloc(RUNS * sizeof(*vec));
	int err = vec ? 0 : -ENOMEM;

	for (size_t i = 0; i < nr && !err; i++)
		if (anonymous(&r[i]) &&
		    r[i].end - r[i].start >= PVMIO__SPARSE_MIN)
			err = scan_region(fd, &r[i], vec, l);
	free(vec);
	return err;
}

void pvmio__holes(pid_t pid, const struct pvmio_region *r, size_t nr,
		  struct pvmio__hole **holes, size_t *n)
{
	struct list l = { NULL, 0, 0 };
	int fd;

	*holes = NULL;
	*n = 0;
	fd = pvmio__proc_open(pid, "pagemap", O_RDONLY);
	if (fd < 0)
		return;
	if (scan_all(fd, r, nr, &l)) {
		free(l.v);	/* all or nothing: then read everything */
		l.v = NULL;
		l.n = 0;
	}
	close(fd);
	*holes = l.v;
	*n = l.n;
}
