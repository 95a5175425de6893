/* SPDX-License-Identifier: MIT */
/*
 * The measuring engine. Every op of a group does the same work; each pass
 * runs every op once, the order rotated from pass to pass, so slow drift of
 * the machine's load hits all of them alike. An op's ratio is the median,
 * over the passes, of its time divided by the base op's time in that same
 * pass: a ratio between neighbours, not between two distant medians.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_GROUPS 64

static struct group *done_groups[MAX_GROUPS];
static int ndone;

bool group_wanted(const struct group *g)
{
	return !opt.only || strstr(g->title, opt.only) ||
	       strstr(g->section, opt.only);
}

void group_add(struct group *g, const char *name, int (*run)(void *, long))
{
	if (g->nops == MAX_OPS)
		bench_die("%s: too many ops", g->title);
	g->op[g->nops].name = name;
	g->op[g->nops].run = run;
	g->nops++;
}

static double timed(struct group *g, struct op *o, long reps)
{
	double t0;

	if (g->reset && g->reset(g->ctx))
		bench_die("%s: resetting before %s failed", g->title, o->name);
	t0 = bench_now();

	if (o->run(g->ctx, reps))
		bench_die("%s: %s failed", g->title, o->name);
	return bench_now() - t0;
}

#define MAX_REPS (LONG_MAX / 64)	/* room to scale, also where long is 32 bits */

static long scaled(long reps, double factor)
{
	double want = (double)reps * factor;

	return want < 1 ? 1 : want > (double)MAX_REPS ? MAX_REPS : (long)want;
}

/* Enough repetitions of the base op to fill one pass. */
static void calibrate(struct group *g)
{
	struct op *b = &g->op[g->base];
	long reps = 1;
	double t;

	for (;;) {
		t = timed(g, b, reps);
		if (t >= opt.pass_s / 4 || reps >= MAX_REPS)
			break;
		reps = t < 1e-6 ? scaled(reps, 16) :
		       scaled(reps, opt.pass_s / 3 / t) + 1;
	}
	g->reps = scaled(reps, opt.pass_s / (t > 0 ? t : 1e-9));
}

/* One untimed pass per op, checked: a contender that moved wrong bytes
 * would make every number meaningless. */
static void warm_up(struct group *g)
{
	for (int i = 0; i < g->nops; i++) {
		struct op *o = &g->op[i];

		if (g->prep && g->prep(g->ctx, g->reps))
			bench_die("%s: preparing %s failed", g->title, o->name);
		timed(g, o, g->reps);
		if (g->check && g->check(g->ctx, g->reps, o->name))
			bench_die("%s: %s moved the wrong bytes", g->title,
				  o->name);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_PASSES];

	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void summarize(struct group *g)
{
	const double *base = g->op[g->base].t;
	double r[MAX_PASSES], lo = base[0], hi = base[0];

	for (int i = 0; i < g->nops; i++) {
		struct op *o = &g->op[i];

		for (int p = 0; p < opt.passes; p++)
			r[p] = o->t[p] / base[p];
		o->ns = median(o->t, opt.passes) / (double)g->reps * 1e9;
		o->ratio = median(r, opt.passes);
	}
	/* how noisy the machine was: the spread of the base row's passes */
	for (int p = 1; p < opt.passes; p++) {
		lo = base[p] < lo ? base[p] : lo;
		hi = base[p] > hi ? base[p] : hi;
	}
	g->spread = (hi - lo) / median(base, opt.passes);
}

void group_measure(struct group *g)
{
	struct group *keep;

	if (!g->nops || !group_wanted(g))
		return;
	if (!g->reps)
		calibrate(g);
	warm_up(g);
	for (int p = 0; p < opt.passes; p++)
		for (int j = 0; j < g->nops; j++) {
			int i = (p + j) % g->nops;

			g->op[i].t[p] = timed(g, &g->op[i], g->reps);
		}
	summarize(g);
	report_group(g);
	keep = malloc(sizeof(*keep));
	if (!keep || ndone == MAX_GROUPS)
		bench_die("out of memory");
	*keep = *g;
	done_groups[ndone++] = keep;
}

const struct op *result_find(const char *section, size_t chunk,
			     const char *op)
{
	for (int i = 0; i < ndone; i++) {
		struct group *g = done_groups[i];

		if (strcmp(g->section, section) || g->chunk != chunk)
			continue;
		for (int j = 0; j < g->nops; j++)
			if (!strcmp(g->op[j].name, op))
				return &g->op[j];
	}
	return NULL;
}
