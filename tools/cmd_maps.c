/* SPDX-License-Identifier: MIT */
/* pvmio maps PID [--json]: the memory map as a table, like pmap, or JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define OPT_JSON 256

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static int range(const struct pvmio_region *r, char *buf, size_t n)
{
	return snprintf(buf, n, "%012" PRIx64 "-%012" PRIx64, r->start,
			r->end);
}

static void print_table(const struct pvmio_region *r, size_t n)
{
	char perms[5], size[16], buf[40];
	uint64_t total = 0;
	int width = 9;		/* "START-END"; [vsyscall] may be wider */
	size_t i;

	for (i = 0; i < n; i++)
		if (range(&r[i], buf, sizeof(buf)) > width)
			width = range(&r[i], buf, sizeof(buf));
	printf("%-*s %-4s %6s %-8s  %s\n", width, "START-END", "PERM",
	       "SIZE", "OFFSET", "PATH");
	for (i = 0; i < n; i++) {
		range(&r[i], buf, sizeof(buf));
		printf("%-*s %-4s %6s %08" PRIx64 "  %s\n", width, buf,
		       cli_perms(&r[i], perms),
		       cli_human(r[i].end - r[i].start, false, size,
				 sizeof(size)),
		       r[i].offset, cli_path(&r[i]));
		total += r[i].end - r[i].start;
	}
	printf("total %zu regions, %s\n", n,
	       cli_human(total, false, size, sizeof(size)));
}

/* A length of valid UTF-8 at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Paths are bytes; JSON wants UTF-8, so a stray byte becomes U+FFFD. */
static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putchar('"');
	while (*s) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else if (*s < 0x80) {
			putchar(*s++);
		} else if ((n = utf8_len(s)) > 0) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			fputs("\\ufffd", stdout);
			s++;
		}
	}
	putchar('"');
}

static void print_json(const struct pvmio_region *r, size_t n)
{
	char perms[5];
	size_t i;

	putchar('[');
	for (i = 0; i < n; i++) {
		printf("%s\n  {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%"
		       PRIx64 "\", \"size\": %" PRIu64 ", \"perms\": \"%s\", "
		       "\"offset\": %" PRIu64 ", \"dev\": \"%02x:%02x\", "
		       "\"inode\": %" PRIu64 ", \"path\": ", i ? "," : "",
		       r[i].start, r[i].end, r[i].end - r[i].start,
		       cli_perms(&r[i], perms), r[i].offset, r[i].dev_major,
		       r[i].dev_minor, r[i].inode);
		json_string(r[i].path);
		putchar('}');
	}
	printf("%s]\n", n ? "\n" : "");
}

static int run(int argc, char **argv)
{
	static const char *const names[] = { "PID" };
	struct pvmio_region *regions;
	bool json = false;
	size_t n;
	pid_t pid;
	int c;

	while ((c = cli_getopt(&cli_cmd_maps, argc, argv)) != -1) {
		if (c == OPT_JSON)
			json = true;
		else
			return c == 'h' ? CLI_OK : CLI_USAGE;
	}
	if (cli_operands(&cli_cmd_maps, argc, argv, names, 1) ||
	    cli_arg_pid(&cli_cmd_maps, argv[optind], &pid))
		return CLI_USAGE;
	if (pvmio_maps(pid, &regions, &n) < 0)
		return cli_fail_errno("maps of pid %d", (int)pid);
	if (json)
		print_json(regions, n);
	else
		print_table(regions, n);
	pvmio_maps_free(regions, n);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_maps = {
	.name = "maps",
	.synopsis = "PID [--json]",
	.summary = "show the memory map of a process (like pmap)",
	.help = "Prints one line per mapping: start-end, permissions, size,\n"
		"file offset and path ([anon] for anonymous memory).\n\n"
		"Options:\n"
		"      --json     a JSON array of objects instead of the table\n",
	.short_opts = CLI_COMMON_SHORT,
	.long_opts = long_opts,
	.run = run,
};
