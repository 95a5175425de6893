/* SPDX-License-Identifier: MIT */
/* Output: the human table, or JSON with the same numbers (--json). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

static int groups_printed;

static void loadavg(char *buf, size_t cap)
{
	double l[3];

	if (getloadavg(l, 3) == 3)
		snprintf(buf, cap, "%.2f %.2f %.2f", l[0], l[1], l[2]);
	else
		snprintf(buf, cap, "?");
}

void report_begin(void)
{
	char sz[32], big[32], load[64];
	struct utsname u;

	uname(&u);
	loadavg(load, sizeof(load));
	bench_size_str(opt.size, sz, sizeof(sz));
	bench_size_str(opt.big, big, sizeof(big));
	if (opt.json) {
		printf("{\"bench\": \"pvmio-bench\", \"pvmio\": \"%s\", "
		       "\"kernel\": \"%s\", \"cpus\": %ld, \"size\": %zu, "
		       "\"big_size\": %zu, \"passes\": %d, \"pass_ms\": %.1f, "
		       "\"load_before\": \"%s\",\n \"groups\": [\n",
		       pvmio_version_string(), u.release,
		       sysconf(_SC_NPROCESSORS_ONLN), opt.size, opt.big,
		       opt.passes, opt.pass_s * 1e3, load);
		return;
	}
	printf("pvmio-bench (pvmio %s), Linux %s, %ld CPUs, load %s\n"
	       "target %s, big target %s; median of %d passes of ~%.0f ms\n"
	       "x * = median over the passes of this row's ratio to the * row "
	       "in the same pass\n", pvmio_version_string(), u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), load, sz, big, opt.passes,
	       opt.pass_s * 1e3);
}

/* "421 ns", "2.81 ms": one column for 64-byte calls and 1 GiB scans. */
static const char *time_str(double ns, char *buf, size_t cap)
{
	if (ns < 1e4)
		snprintf(buf, cap, "%.0f ns", ns);
	else if (ns < 1e7)
		snprintf(buf, cap, "%.1f us", ns / 1e3);
	else
		snprintf(buf, cap, "%.1f ms", ns / 1e6);
	return buf;
}

static void table_group(const struct group *g)
{
	char per[24];

	snprintf(per, sizeof(per), "time/%s", g->unit);
	printf("\n%-44s %8s %6s %10s %6s  %ld %ss/pass, * spread %.0f%%\n",
	       g->title, g->bytes ? "MB/s" : "", g->bytes ? "x *" : "", per,
	       "x *", g->reps, g->unit, g->spread * 100);
	for (int i = 0; i < g->nops; i++) {
		const struct op *o = &g->op[i];
		char t[32];

		time_str(o->ns, t, sizeof(t));
		if (g->bytes)
			printf("%c %-42s %8.0f %6.2f %10s %6.2f\n",
			       i == g->base ? '*' : ' ', o->name,
			       (double)g->bytes / o->ns * 1e3, 1 / o->ratio,
			       t, o->ratio);
		else
			printf("%c %-42s %8s %6s %10s %6.2f\n",
			       i == g->base ? '*' : ' ', o->name, "", "", t,
			       o->ratio);
	}
	fflush(stdout);
}

static void json_group(const struct group *g)
{
	printf("%s  {\"title\": \"%s\", \"section\": \"%s\", \"chunk\": %zu, "
	       "\"bytes\": %llu, \"unit\": \"%s\", \"reps\": %ld, "
	       "\"base\": \"%s\", \"base_spread\": %.4f, \"rows\": [\n",
	       groups_printed ? ",\n" : "", g->title, g->section, g->chunk,
	       (unsigned long long)g->bytes, g->unit, g->reps,
	       g->op[g->base].name, g->spread);
	for (int i = 0; i < g->nops; i++) {
		const struct op *o = &g->op[i];
		double mbs = g->bytes ? (double)g->bytes / o->ns * 1e3 : 0;

		printf("    {\"name\": \"%s\", \"ns\": %.1f, \"mb_s\": %.1f, "
		       "\"time_ratio\": %.4f, \"mb_s_ratio\": %.4f}%s\n",
		       o->name, o->ns, mbs, o->ratio, 1 / o->ratio,
		       i + 1 < g->nops ? "," : "");
	}
	printf("  ]}");
	fflush(stdout);
}

void report_group(const struct group *g)
{
	if (opt.json)
		json_group(g);
	else
		table_group(g);
	groups_printed++;
}

void report_end(void)
{
	char load[64];

	loadavg(load, sizeof(load));
	if (opt.json)
		printf(",\n \"load_after\": \"%s\"}\n", load);
	else
		printf("\nload at the end: %s\n", load);
}
