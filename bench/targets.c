/* SPDX-License-Identifier: MIT */
/*
 * The goals of issues 2, 3, 6 and 8, checked against this run's ratios.
 * A goal whose rows were not measured (a part not landed yet, --only) is
 * left out rather than reported as met.
 */
#include <stdio.h>

#include "extra.h"

struct goal {
	int issue;
	const char *section;
	size_t chunk;
	const char *op;
	const char *vs;		/* NULL: against the section's base row */
	bool speed;		/* compare MB/s (>=), else time (<=) */
	double limit;
};

static const struct goal goals[] = {
	{ 6, "read", 64 * KIB, "pvmio_read", NULL, true, 0.97 },
	{ 6, "read", MIB, "pvmio_read", NULL, true, 0.97 },
	{ 6, "read", 16 * MIB, "pvmio_read", NULL, true, 0.97 },
	{ 6, "write", 64 * KIB, "pvmio_write", NULL, true, 0.97 },
	{ 6, "write", MIB, "pvmio_write", NULL, true, 0.97 },
	{ 6, "write", 16 * MIB, "pvmio_write", NULL, true, 0.97 },
	{ 6, "read", 64, "pvmio_read UNPINNED", NULL, false, 1.05 },
	{ 6, "write", 64, "pvmio_write UNPINNED", NULL, false, 1.05 },
	{ 6, "read", 64, "pvmio_read", NULL, false, 1.4 },
	{ 6, "write", 64, "pvmio_write", NULL, false, 1.4 },
	{ 2, "read", 16 * MIB, "pvmio_read", NULL, true, 0.95 },
	{ 6, "holes", 64 * MIB, OP_HOLES, NULL, false, 1.5 },
	{ 3, "spans", 128, OP_SPANS, NULL, false, 0.1 },
	{ 3, "spans", 64 * KIB, OP_SPANS, NULL, false, 0.5 },
	{ 3, "search", GIB, OP_SEARCH, NULL, true, 0.8 },
	{ 8, "parallel", 512 * MIB, OP_PAR, NULL, true, 1.6 },
	{ 8, "search", GIB, OP_SEARCH, OP_SEARCH1, true, 1.5 },
	{ 8, "dump", GIB, OP_DUMP, NULL, true, 1.5 },
	{ 8, "read", 64, "pvmio_read threads=0", "pvmio_read", false, 1.05 },
	{ 8, "write", 64, "pvmio_write threads=0", "pvmio_write", false, 1.05 },
};

static int printed;

static void emit(const struct goal *g, double value, bool met)
{
	char sz[32], what[160];

	snprintf(what, sizeof(what), "%s %s: %s, %s vs %s", g->section,
		 bench_size_str(g->chunk, sz, sizeof(sz)), g->op,
		 g->speed ? "MB/s" : "time", g->vs ? g->vs : "*");
	if (opt.json) {
		printf("%s  {\"issue\": %d, \"what\": \"%s\", "
		       "\"value\": %.4f, \"goal\": \"%s %.2f\", \"met\": %s}",
		       printed ? ",\n" : "", g->issue, what, value,
		       g->speed ? ">=" : "<=", g->limit,
		       met ? "true" : "false");
	} else {
		if (!printed)
			printf("\n%-63s %6s %8s\n",
			       "targets (issue: ratio in this run)", "value",
			       "goal");
		printf("  #%d %-58s %6.3f %2s %5.2f  %s\n", g->issue, what,
		       value, g->speed ? ">=" : "<=", g->limit,
		       met ? "met" : "MISSED");
	}
	printed++;
}

void report_targets(void)
{
	if (opt.smoke && !opt.json)
		return;	/* one tiny pass: no number here means anything */
	if (opt.json)
		printf("\n ],\n \"targets\": [\n");
	for (size_t i = 0; i < sizeof(goals) / sizeof(*goals); i++) {
		const struct goal *g = &goals[i];
		const struct op *o = result_find(g->section, g->chunk, g->op);
		const struct op *vs = g->vs ?
			result_find(g->section, g->chunk, g->vs) : NULL;
		double r;

		if (!o || (g->vs && !vs) || opt.smoke)
			continue;
		r = vs ? o->ratio / vs->ratio : o->ratio;
		if (g->speed)
			emit(g, 1 / r, 1 / r >= g->limit);
		else
			emit(g, r, r <= g->limit);
	}
	if (opt.json)
		printf("\n ]");
}
