/* SPDX-License-Identifier: MIT */
/*
 * pvmio_search does not read never-touched private anonymous memory (it
 * asks PAGEMAP_SCAN, Linux 6.7+): those pages are zeros, so the results
 * stay those of reading everything, but reading them would cost time and
 * page tables in the target (a sanitizer's shadow is terabytes of them).
 * The searchee's sparse layout (tests/target/searchee.c): matches that run
 * into and out of untouched memory are found; a 64 GiB region is searched
 * without growing the target's page tables; a pattern of zeros gives the
 * same count and the same ordered matches as a search that reads it all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "searchee.h"

#define SMALL_MIB 16
#define BIG_MIB (64 * 1024)

/* The kernel's page tables for pid, in KiB. */
static long vm_pte_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static size_t holes_of(pid_t pid)
{
	struct pvmio_region *r;
	struct pvmio__hole *h;
	size_t n, nh = 0;

	if (pvmio_maps(pid, &r, &n))
		t_bail("pvmio_maps: %s", pvmio_errmsg());
	pvmio__holes(pid, r, n, &h, &nh);
	pvmio_maps_free(r, n);
	free(h);
	return nh;
}

static bool found_once(pid_t pid, const uint8_t *p, uint64_t at)
{
	struct got g = { .n = 0 };
	ssize_t n = pvmio_search(pid, p, NULL, 16, collect, &g);

	if (n != 1 || g.addr[0] != at)
		t_diag("  %zd matches, the first at %#llx; want 1 at %#llx", n,
		       (unsigned long long)(g.n ? g.addr[0] : 0),
		       (unsigned long long)at);
	return n == 1 && g.addr[0] == at;
}

static void planted(const struct target *t, size_t mib, const char *what)
{
	size_t len = mib << 20, at5 = len / 16 * 5, at9 = len / 16 * 9;
	uint8_t p[16];

	unit(p, 20);
	memset(p + 8, 0, 8);
	t_ok(found_once(t->pid, p, t->sparse + at5 + page - 8),
	     "%s: a match that runs into untouched memory", what);
	memset(p, 0, 8);
	unit(p + 8, 21);
	t_ok(found_once(t->pid, p, t->sparse + at9 - 8),
	     "%s: a match that comes out of untouched memory", what);
	pat(p, 22, 23);
	t_ok(found_once(t->pid, p, t->sparse + at9 + 100),
	     "%s: a match in a touched page", what);
	pat(p, 24, 25);
	t_ok(found_once(t->pid, p, t->sparse + len - 16),
	     "%s: a match that ends the region", what);
}

/* An order-sensitive digest of every match. */
struct digest {
	uint64_t n, h;
};

static int digest(uint64_t addr, void *arg)
{
	struct digest *d = arg;

	d->n++;
	d->h = (d->h ^ addr) * 0x100000001b3ull;
	return 0;
}

static void zeros(const struct target *t)
{
	uint8_t z[16] = { 0 }, m[16];
	struct digest a = { 0, 0 }, b = { 0, 0 };
	ssize_t skip, all;

	skip = pvmio_search(t->pid, z, NULL, 16, NULL, NULL);
	all = pvmio__search_ex(t->pid, z, NULL, 16, NULL, NULL, 0,
			       PVMIO__SEARCH_READ_ALL);
	t_ok(skip == all && skip > (ssize_t)(SMALL_MIB << 20) / 2,
	     "16 zero bytes, count only: %zd, reading everything %zd", skip, all);
	pvmio_search(t->pid, z, NULL, 16, digest, &a);
	pvmio__search_ex(t->pid, z, NULL, 16, digest, &b, 1,
			 PVMIO__SEARCH_READ_ALL);
	t_ok(a.n == b.n && a.h == b.h,
	     "... every match, in the same order (%llu, digest %#llx)",
	     (unsigned long long)a.n, (unsigned long long)a.h);
	memset(m, 0xff, sizeof(m));
	z[0] = 0x05;	/* under a 0xf0 mask: still zeros */
	m[0] = 0xf0;
	m[7] = 0x00;
	z[7] = 0x77;
	skip = pvmio_search(t->pid, z, m, 16, NULL, NULL);
	all = pvmio__search_ex(t->pid, z, m, 16, NULL, NULL, 0,
			       PVMIO__SEARCH_READ_ALL);
	t_ok(skip == all, "masked pattern that zeros match: %zd, %zd", skip, all);
}

static void big(void)
{
	struct target t;
	char mib[16];
	long before, after;
	uint8_t z[16] = { 0 };
	ssize_t n;

	if (sizeof(void *) < 8) {
		t_skip(6, "a 32-bit searchee cannot map 64 GiB");
		return;
	}
	snprintf(mib, sizeof(mib), "%d", BIG_MIB);
	spawn(&t, "sparse", mib);
	planted(&t, BIG_MIB, "64 GiB");
	before = vm_pte_kib(t.pid);
	n = pvmio_search(t.pid, z, NULL, 16, NULL, NULL);
	after = vm_pte_kib(t.pid);
	t_ok(n > (ssize_t)((uint64_t)BIG_MIB << 20) - (64 << 20),
	     "64 GiB: zeros are counted without reading them (%zd)", n);
	t_ok(before >= 0 && after - before < 1024,
	     "... and the target's page tables did not grow (%ld -> %ld KiB)",
	     before, after);
	t_kill(t.pid);
}

int main(void)
{
	struct target t;
	char mib[16];

	seed = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	page = t_page();
	snprintf(mib, sizeof(mib), "%d", SMALL_MIB);
	spawn(&t, "sparse", mib);
	if (!holes_of(t.pid)) {
		t_kill(t.pid);
		t_skip_all("the kernel does not list untouched pages (PAGEMAP_SCAN, Linux 6.7)");
	}
	t_plan(4 + 3 + 4 + 2);
	planted(&t, SMALL_MIB, "16 MiB");
	zeros(&t);
	t_kill(t.pid);
	big();
	return t_done();
}
