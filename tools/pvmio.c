/* SPDX-License-Identifier: MIT */
/*
 * pvmio: look at and change the memory of a running process from the shell.
 * This file: global options, dispatch to the subcommands, usage, errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_level = 2;

static const struct cli_cmd *const commands[] = {
	&cli_cmd_maps, &cli_cmd_read, &cli_cmd_write,
	&cli_cmd_search, &cli_cmd_dump, &cli_cmd_demo,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: pvmio [-q|-v] COMMAND [ARGS...]\n"
		"       pvmio --help | --version | help COMMAND\n"
		"Read and write the memory of a running process.\n\n"
		"Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-7s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out,
		"\nOptions:\n"
		"  -q, --quiet    no notes, no progress bar (errors still)\n"
		"  -v, --verbose  also the library's detailed error messages\n"
		"  -h, --help     this text; `pvmio COMMAND --help` for one\n"
		"  -V, --version  the version of pvmio and libpvmio\n\n"
		"Numbers: decimal or 0x hex, with K, M, G (or KiB, MiB, GiB).\n"
		"Exit status: 0 ok, 1 runtime error, 2 usage error.\n"
		"Try `pvmio demo`.\n");
}

void cli_help(const struct cli_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: pvmio %s %s\n%s\n\n%s", cmd->name, cmd->synopsis,
		cmd->summary, cmd->help);
	fprintf(out,
		"  -q, --quiet    no notes, no progress bar\n"
		"  -v, --verbose  detailed error messages\n"
		"  -h, --help     this text\n");
}

static void vmessage(const char *cmd, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("pvmio: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cmd ? cmd->name : NULL, fmt, ap);
	va_end(ap);
	return CLI_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

int cli_fail_errno(const char *fmt, ...)
{
	int err = errno;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cli_fail("%s: %s", what, strerror(err));
	cli_detail();
	errno = err;
	return CLI_FAIL;
}

void cli_detail(void)
{
	if (*pvmio_errmsg())
		DISPLAYLEVEL(3, "pvmio: library: %s\n", pvmio_errmsg());
}

int cli_run(const struct cli_cmd *cmd, int argc, char **argv)
{
	optind = 0;	/* GNU: a full reset, so the demo can run several */
	opterr = 0;
	return cmd->run(argc, argv);
}

static const struct cli_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int help_command(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2) {
		usage(stdout);
		return CLI_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return cli_usage(NULL, "help: unknown command '%s'", argv[1]);
	cli_help(cmd, stdout);
	return CLI_OK;
}

/* Global options before the command; returns the command's index in argv,
 * or -1 when done (*status set). */
static int global_options(int argc, char **argv, int *status)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cli_level--;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli_level++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			*status = CLI_OK;
			return -1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("pvmio %s\n", pvmio_version_string());
			*status = CLI_OK;
			return -1;
		} else {
			*status = cli_usage(NULL, "unknown option '%s'", a);
			return -1;
		}
	}
	if (i == argc) {
		*status = cli_usage(NULL, "missing command (see pvmio --help)");
		return -1;
	}
	return i;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int status = CLI_OK, first;

	first = global_options(argc, argv, &status);
	if (first < 0)
		return status;
	if (!strcmp(argv[first], "help"))
		return help_command(argc - first, argv + first);
	cmd = find_command(argv[first]);
	if (!cmd)
		return cli_usage(NULL, "unknown command '%s' (see pvmio --help)",
				 argv[first]);
	status = cli_run(cmd, argc - first, argv + first);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail_errno("standard output");
	return status;
}
