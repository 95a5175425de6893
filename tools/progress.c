/* SPDX-License-Identifier: MIT */
/*
 * The progress bar of long work that knows how far it is (dump; search has
 * a status line instead, ticker.c): bytes, percent and rate on
 * a terminal's stderr, redrawn at most ten times a second; nothing at all
 * when stderr is a pipe or a file, so logs stay clean.
 */
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define BAR_WIDTH	20
#define REDRAW_SEC	0.1

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(struct cli_progress *p)
{
	char bar[BAR_WIDTH + 1], done[32], total[32], rate[32];
	double secs = cli_now() - p->start;
	uint64_t d = p->done < p->total ? p->done : p->total;
	unsigned pct = p->total ? (unsigned)(d * 100.0 / (double)p->total) : 100;
	unsigned fill = pct * BAR_WIDTH / 100, i;

	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	cli_human(d, true, done, sizeof(done));
	cli_human(p->total, true, total, sizeof(total));
	if (secs > 0.001)
		cli_human((uint64_t)((double)d / secs), true, rate,
			  sizeof(rate));
	else
		snprintf(rate, sizeof(rate), "-");
	fprintf(stderr, "\r%s [%s] %3u%%  %s / %s  %s/s\033[K", p->label,
		bar, pct, done, total, rate);
	fflush(stderr);
	p->shown = true;
	p->last = cli_now();
}

void cli_progress_start(struct cli_progress *p, const char *label,
			uint64_t total)
{
	p->on = cli_level >= 2 && isatty(STDERR_FILENO);
	p->shown = false;
	p->label = label;
	p->total = total;
	p->done = 0;
	p->start = cli_now();
	if (p->on)
		draw(p);
}

void cli_progress_update(struct cli_progress *p, uint64_t done)
{
	p->done = done;
	if (p->on && cli_now() - p->last >= REDRAW_SEC)
		draw(p);
}

void cli_progress_hide(struct cli_progress *p)
{
	if (!p->on || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
	p->last = 0;	/* redraw at the next update */
}

void cli_progress_end(struct cli_progress *p)
{
	if (!p->on)
		return;
	draw(p);	/* the final state is always seen once */
	cli_progress_hide(p);
	p->on = false;
}
