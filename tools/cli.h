/* SPDX-License-Identifier: MIT */
/*
 * The pvmio command: what its pieces share. The tool only parses arguments,
 * formats output and calls libpvmio; every transfer goes through the library.
 */
#ifndef PVMIO_CLI_H
#define PVMIO_CLI_H

#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <pvmio.h>

#include "args.h"

/* Exit statuses: DESIGN.md, "The CLI". */
#define CLI_OK		0
#define CLI_FAIL	1	/* runtime: no such process, no right, no page */
#define CLI_USAGE	2	/* the command line itself is wrong */

/* Levels as lz4cli: 1 errors, 2 notes and progress (default), 3 details. */
extern int cli_level;
#define DISPLAY(...)		fprintf(stderr, __VA_ARGS__)
#define DISPLAYLEVEL(l, ...)				\
	do {						\
		if (cli_level >= (l))			\
			DISPLAY(__VA_ARGS__);		\
	} while (0)

/* Options every subcommand takes; put them first in its long options. */
#define CLI_COMMON_SHORT	":hqv"
#define CLI_COMMON_LONG					\
	{ "help", no_argument, NULL, 'h' },		\
	{ "quiet", no_argument, NULL, 'q' },		\
	{ "verbose", no_argument, NULL, 'v' }

struct cli_cmd {
	const char *name;
	const char *synopsis;	/* what follows the name */
	const char *summary;	/* one line for `pvmio --help` */
	const char *help;	/* the options, one per line */
	const char *short_opts;
	const struct option *long_opts;
	int (*run)(int argc, char **argv);
};

extern const struct cli_cmd cli_cmd_maps, cli_cmd_read, cli_cmd_write,
	cli_cmd_search, cli_cmd_dump, cli_cmd_demo;

/* ---- pvmio.c ---- */
/* Run a subcommand; argv[0] is its name. Also used by the demo. */
int cli_run(const struct cli_cmd *cmd, int argc, char **argv);
void cli_help(const struct cli_cmd *cmd, FILE *out);
/* "pvmio: CMD: message" on stderr; returns CLI_USAGE. */
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "pvmio: message" on stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "pvmio: what: strerror(errno)", plus the library's message with -v. */
int cli_fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* With -v: the library's last message, which names call, address, length. */
void cli_detail(void);

/* ---- opts.c (the parsers themselves are in args.h) ---- */
/* getopt_long for cmd: handles -q, -v; prints help ('h') or the error ('?'). */
int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv);
/* Exactly n operands left after the options, else a usage message. */
int cli_operands(const struct cli_cmd *cmd, int argc, char **argv,
		 const char *const *names, int n);
/* Parse, or report a usage error that names what: CLI_OK or CLI_USAGE. */
int cli_arg_u64(const struct cli_cmd *cmd, const char *what, const char *s,
		uint64_t *out);
int cli_arg_pid(const struct cli_cmd *cmd, const char *s, pid_t *pid);

/* ---- format.c ---- */
/* "4K", "1.5M" (short) or "4.0 KiB", "1.5 MiB" (long). */
const char *cli_human(uint64_t bytes, bool long_units, char *buf, size_t n);
/* "r-xp" */
const char *cli_perms(const struct pvmio_region *r, char buf[5]);
/* The region as /proc/PID/maps prints it, without the newline. */
void cli_maps_line(FILE *out, const struct pvmio_region *r);
/* The region that holds addr, or NULL; regions sorted by address. */
const struct pvmio_region *cli_region_of(const struct pvmio_region *r,
					 size_t n, uint64_t addr);
/* After EFAULT at addr: " (not mapped)", " (a read-only mapping...)"... */
const char *cli_fault_hint(pid_t pid, uint64_t addr, bool write);
/* The path for people: "[anon]" for anonymous mappings. */
const char *cli_path(const struct pvmio_region *r);

/* ---- proc.c ---- */
/* The state letter of pid in /proc/PID/stat ('R', 'S', 'T'...), or -1 with
 * errno set. */
int cli_proc_state(pid_t pid);

/* ---- progress.c: a bar on a terminal, nothing on a pipe ---- */
struct cli_progress {
	bool on, shown;
	const char *label;
	uint64_t total, done;
	double start, last;
};
void cli_progress_start(struct cli_progress *p, const char *label,
			uint64_t total);
void cli_progress_update(struct cli_progress *p, uint64_t done);
/* Erase the bar so that a line of output can be printed. */
void cli_progress_hide(struct cli_progress *p);
void cli_progress_end(struct cli_progress *p);
/* Seconds on the monotonic clock. */
double cli_now(void);

/* ---- ticker.c: a status line for work without progress reports ---- */
struct cli_ticker {
	bool on, shown, stop;
	const char *label;
	char what[64];		/* the work: "2.5 MiB in 23 regions" */
	uint64_t count;		/* matches so far */
	unsigned ticks;
	double start;
	pthread_t thread;	/* redraws every 100 ms */
	pthread_mutex_t lock;	/* the line, count, stop */
	pthread_cond_t cond;
};
void cli_ticker_start(struct cli_ticker *t, const char *label,
		      const char *what);
/* Erase the line and keep it off, so that a line of output can be printed;
 * cli_ticker_release() then shows the new count. */
void cli_ticker_hold(struct cli_ticker *t);
void cli_ticker_release(struct cli_ticker *t, uint64_t count);
void cli_ticker_end(struct cli_ticker *t);

#endif
