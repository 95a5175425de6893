/* SPDX-License-Identifier: MIT */
/*
 * pvmio-bench: pvmio against the raw syscall, the reference crate's method
 * and /proc/PID/mem, side by side, in one run. `make bench`; see
 * bench/README.md for what each row and column means.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct options opt = {
	.size = 256 * MIB,
	.big = GIB,
	.passes = 7,
	.pass_s = 0.03,
};

static struct target stream_target, big_target;

static void usage(FILE *f)
{
	fprintf(f,
"usage: pvmio-bench [options]\n"
"  --size SIZE      the stream target's buffer (default 256M)\n"
"  --big-size SIZE  the search / parallel target (default 1G)\n"
"  --passes N       passes per measurement, median taken (default 7)\n"
"  --pass-ms MS     the length of one pass of the base row (default 30)\n"
"  --only TEXT      only the sections whose title contains TEXT\n"
"  --json           print JSON instead of the table\n"
"  --smoke          tiny sizes and one pass: checks that every row works\n");
}

/* A bad option value: say which and why, exit 2 as for any usage error. */
static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pvmio-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void parse_num(const char *name, const char *s, double lo, double hi,
		      double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		bad_usage("%s: expected a number in [%g, %g], got '%s'", name,
			  lo, hi, s);
	*out = v;
}

static void parse_size(const char *name, const char *s, size_t lo,
		       size_t *out)
{
	char min[32];

	if (bench_parse_size(s, out) || *out < lo)
		bad_usage("%s: expected a size of at least %s, got '%s'", name,
			  bench_size_str(lo, min, sizeof(min)), s);
}

static void parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "size", required_argument, NULL, 's' },
		{ "big-size", required_argument, NULL, 'b' },
		{ "passes", required_argument, NULL, 'p' },
		{ "pass-ms", required_argument, NULL, 'm' },
		{ "only", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "smoke", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			parse_size("--size", optarg, 4 * KIB, &opt.size);
			break;
		case 'b':
			parse_size("--big-size", optarg, MIB, &opt.big);
			break;
		case 'p':
			parse_num("--passes", optarg, 1, MAX_PASSES, &v);
			opt.passes = (int)v;
			break;
		case 'm':
			parse_num("--pass-ms", optarg, 0.1, 10000, &v);
			opt.pass_s = v / 1e3;
			break;
		case 'o':
			opt.only = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'S':
			opt.smoke = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pvmio-bench: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		exit(2);
	}
}

static void stop_targets(void)
{
	target_stop(&stream_target);
	target_stop(&big_target);
}

int main(int argc, char **argv)
{
	parse(argc, argv);
	if (opt.smoke) {
		opt.size = 8 * MIB;
		opt.big = 32 * MIB;
		opt.passes = 1;
		opt.pass_s = 0.001;
	}
	atexit(stop_targets);
	/* fork the targets while this process is still small */
	target_start(&stream_target, opt.size, true, false);
	if (big_wanted())
		target_start(&big_target, opt.big, false, true);
	report_begin();
	bench_chunks(&stream_target);
	bench_misaligned(&stream_target);
	bench_holes(&stream_target);
	bench_spans(&stream_target);
	bench_open(&stream_target);
	if (big_wanted())
		bench_big(&big_target);
	report_targets();
	report_end();
	return 0;
}
