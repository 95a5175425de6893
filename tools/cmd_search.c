/* SPDX-License-Identifier: MIT */
/*
 * pvmio search PID (-s TEXT | -x HEX | --u32 N | --u64 N) [--limit N]:
 * every address where the pattern lies in readable memory, with the path of
 * its region. The scan itself is pvmio_search(); this file only builds the
 * pattern and names the regions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"

enum { OPT_U32 = 256, OPT_U64, OPT_LIMIT };

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ "string", required_argument, NULL, 's' },
	{ "hex", required_argument, NULL, 'x' },
	{ "u32", required_argument, NULL, OPT_U32 },
	{ "u64", required_argument, NULL, OPT_U64 },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ NULL, 0, NULL, 0 },
};

struct search {
	pid_t pid;
	unsigned char *pat, *mask;	/* mask NULL: exact bytes */
	size_t len;
	uint64_t limit, found;
	struct pvmio_region *maps;
	size_t nmaps;
	struct cli_ticker tick;	/* pvmio_search() reports no progress */
};

/* The regions pvmio_search() reads, as DESIGN.md lists them. */
static bool searched(const struct pvmio_region *r)
{
	return (r->prot & PROT_READ) && strcmp(r->path, "[vvar]") &&
	       strcmp(r->path, "[vvar_vclock]") && strcmp(r->path, "[vsyscall]");
}

static int on_match(uint64_t addr, void *arg)
{
	struct search *s = arg;
	const struct pvmio_region *r;

	r = cli_region_of(s->maps, s->nmaps, addr);
	cli_ticker_hold(&s->tick);
	printf("0x%012" PRIx64 "  %s\n", addr, cli_path(r));
	if (s->tick.on)
		fflush(stdout);
	cli_ticker_release(&s->tick, ++s->found);
	return s->found == s->limit;
}

/* "2.5 MiB in 23 regions": what the search has before it. */
static void extent(const struct search *s, char *buf, size_t n)
{
	uint64_t bytes = 0;
	size_t i, regions = 0;
	char size[32];

	for (i = 0; i < s->nmaps; i++) {
		if (!searched(&s->maps[i]))
			continue;
		bytes += s->maps[i].end - s->maps[i].start;
		regions++;
	}
	snprintf(buf, n, "%s in %zu region%s",
		 cli_human(bytes, true, size, sizeof(size)), regions,
		 regions == 1 ? "" : "s");
}

static int do_search(struct search *s)
{
	char what[64];
	ssize_t n;

	if (pvmio_maps(s->pid, &s->maps, &s->nmaps) < 0)
		return cli_fail_errno("maps of pid %d", (int)s->pid);
	extent(s, what, sizeof(what));
	cli_ticker_start(&s->tick, "search", what);
	n = pvmio_search(s->pid, s->pat, s->mask, s->len, on_match, s);
	cli_ticker_end(&s->tick);
	if (n < 0)
		return cli_fail_errno("search pid %d", (int)s->pid);
	if (n == 0)
		DISPLAYLEVEL(2, "no match\n");
	else
		DISPLAYLEVEL(3, "%zd match%s\n", n, n == 1 ? "" : "es");
	return CLI_OK;
}

static int set_bytes(struct search *s, const void *p, size_t n)
{
	s->pat = malloc(n ? n : 1);
	if (!s->pat)
		return cli_fail_errno("search");
	memcpy(s->pat, p, n);
	s->len = n;
	return CLI_OK;
}

static int set_number(struct search *s, const char *arg, int bits)
{
	const struct cli_cmd *cmd = &cli_cmd_search;
	uint64_t v;
	uint32_t v32;

	if (cli_arg_u64(cmd, bits == 32 ? "--u32 value" : "--u64 value",
			arg, &v))
		return CLI_USAGE;
	if (bits == 64)
		return set_bytes(s, &v, sizeof(v));
	if (v > UINT32_MAX)
		return cli_usage(cmd, "invalid --u32 value '%s': too large",
				 arg);
	v32 = (uint32_t)v;
	/* In the target's byte order, which is ours: the same machine. */
	return set_bytes(s, &v32, sizeof(v32));
}

static int set_hex(struct search *s, const char *arg)
{
	if (cli_parse_hex(arg, &s->pat, &s->mask, &s->len) == 0)
		return CLI_OK;
	if (errno == ENOMEM)
		return cli_fail_errno("search");
	return cli_usage(&cli_cmd_search, "invalid hex pattern '%s': want "
			 "pairs of hex digits or ?", arg);
}

static int pattern_option(struct search *s, int c, const char *arg)
{
	/* A second pattern, even of the same kind, is a usage error. */
	if (s->pat)
		return cli_usage(&cli_cmd_search, "give only one of -s, -x, "
				 "--u32, --u64");
	if (c == 's')
		return set_bytes(s, arg, strlen(arg));
	if (c == 'x')
		return set_hex(s, arg);
	return set_number(s, arg, c == OPT_U32 ? 32 : 64);
}

static int check_pattern(const struct search *s)
{
	const struct cli_cmd *cmd = &cli_cmd_search;
	size_t i;

	if (!s->pat)
		return cli_usage(cmd,
				 "missing pattern (-s, -x, --u32 or --u64)");
	if (s->len == 0)
		return cli_usage(cmd, "empty pattern");
	for (i = 0; s->mask && i < s->len; i++)
		if (s->mask[i])
			return CLI_OK;
	if (!s->mask)
		return CLI_OK;
	return cli_usage(cmd, "the pattern is only wildcards");
}

static int parse_limit(struct search *s, const char *arg)
{
	if (cli_arg_u64(&cli_cmd_search, "limit", arg, &s->limit))
		return CLI_USAGE;
	if (s->limit == 0)
		return cli_usage(&cli_cmd_search, "invalid limit '%s': must be "
				 "at least 1", arg);
	return CLI_OK;
}

static int parse(struct search *s, int argc, char **argv)
{
	static const char *const names[] = { "PID" };
	const struct cli_cmd *cmd = &cli_cmd_search;
	int c, ret;

	while ((c = cli_getopt(cmd, argc, argv)) != -1) {
		if (c == 'h')
			return -1;
		if (c == '?')
			return CLI_USAGE;
		if (c == OPT_LIMIT)
			ret = parse_limit(s, optarg);
		else
			ret = pattern_option(s, c, optarg);
		if (ret)
			return ret;
	}
	if (cli_operands(cmd, argc, argv, names, 1) ||
	    cli_arg_pid(cmd, argv[optind], &s->pid))
		return CLI_USAGE;
	return check_pattern(s);
}

static int run(int argc, char **argv)
{
	struct search s = { .limit = 0 };
	int ret = parse(&s, argc, argv);

	if (ret == 0)
		ret = do_search(&s);
	pvmio_maps_free(s.maps, s.nmaps);
	free(s.pat);
	free(s.mask);
	return ret < 0 ? CLI_OK : ret;
}

const struct cli_cmd cli_cmd_search = {
	.name = "search",
	.synopsis = "PID (-s TEXT | -x HEX | --u32 N | --u64 N) [--limit N]",
	.summary = "find a string, bytes or a number in readable memory",
	.help = "Prints one line per match, in address order: the address and\n"
		"the path of its region. Numbers are searched in this machine's\n"
		"byte order; matches may overlap.\n\n"
		"Options:\n"
		"  -s, --string TEXT  the bytes of TEXT (no terminating NUL)\n"
		"  -x, --hex HEX  hex bytes, spaces allowed; ?? matches any byte,\n"
		"                 e? or ?e any value of one nibble: \"de ad ?? e?\"\n"
		"      --u32 N    a 32-bit unsigned number\n"
		"      --u64 N    a 64-bit unsigned number\n"
		"      --limit N  stop after N matches\n",
	.short_opts = CLI_COMMON_SHORT "s:x:",
	.long_opts = long_opts,
	.run = run,
};
