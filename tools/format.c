/* SPDX-License-Identifier: MIT */
/* Formatting shared by the commands: sizes, permissions, maps lines. */
#include <inttypes.h>
#include <sys/mman.h>

#include "cli.h"

const char *cli_human(uint64_t bytes, bool long_units, char *buf, size_t n)
{
	static const char units[] = "BKMGTPE";
	unsigned u = 0;
	uint64_t scale = 1;

	while (u + 1 < sizeof(units) - 1 && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (long_units && u == 0)
		snprintf(buf, n, "%" PRIu64 " B", bytes);
	else if (long_units)
		snprintf(buf, n, "%.1f %ciB", (double)bytes / (double)scale,
			 units[u]);
	else if (bytes % scale == 0)
		snprintf(buf, n, "%" PRIu64 "%c", bytes / scale, units[u]);
	else
		snprintf(buf, n, "%.1f%c", (double)bytes / (double)scale,
			 units[u]);
	return buf;
}

const char *cli_perms(const struct pvmio_region *r, char buf[5])
{
	buf[0] = r->prot & PROT_READ ? 'r' : '-';
	buf[1] = r->prot & PROT_WRITE ? 'w' : '-';
	buf[2] = r->prot & PROT_EXEC ? 'x' : '-';
	buf[3] = r->shared ? 's' : 'p';
	buf[4] = '\0';
	return buf;
}

void cli_maps_line(FILE *out, const struct pvmio_region *r)
{
	char perms[5];

	fprintf(out, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64
		" %02x:%02x %" PRIu64 "%s%s", r->start, r->end,
		cli_perms(r, perms), r->offset, r->dev_major, r->dev_minor,
		r->inode, *r->path ? " " : "", r->path);
}

const struct pvmio_region *cli_region_of(const struct pvmio_region *r,
					 size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < r[mid].start)
			hi = mid;
		else if (addr >= r[mid].end)
			lo = mid + 1;
		else
			return &r[mid];
	}
	return NULL;
}

const char *cli_path(const struct pvmio_region *r)
{
	return r && *r->path ? r->path : "[anon]";
}

const char *cli_fault_hint(pid_t pid, uint64_t addr, bool write)
{
	const struct pvmio_region *r;
	struct pvmio_region *maps;
	const char *why = "";
	size_t n;

	if (pvmio_maps(pid, &maps, &n) < 0)
		return why;
	r = cli_region_of(maps, n, addr);
	if (!r)
		why = " (not mapped)";
	else if (write && !(r->prot & PROT_WRITE))
		why = " (a read-only mapping; --force writes it)";
	else if (!write && !(r->prot & PROT_READ))
		why = " (mapped without read permission)";
	pvmio_maps_free(maps, n);
	return why;
}
