/* SPDX-License-Identifier: MIT */
/*
 * Options and operands of the subcommands, and the usage messages for bad
 * ones: every mistake becomes one line naming the offending text.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* The long option named by argv element el ("--name" or "--name=x"). */
static const struct option *long_option(const struct cli_cmd *cmd,
					const char *el)
{
	const struct option *o;
	size_t n;

	if (strncmp(el, "--", 2) != 0)
		return NULL;
	el += 2;
	n = strcspn(el, "=");
	for (o = cmd->long_opts; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, el, n))
			return o;
	return NULL;
}

/*
 * GNU getopt leaves optopt 0 for an unknown long option, the option's value
 * for a known one used wrongly, and the letter for a short one; optind is
 * past the element unless a short option sat inside a group ("-qz").
 */
static void option_error(const struct cli_cmd *cmd, int c, int argc,
			 char **argv)
{
	const char *el = optind > 0 ? argv[optind - 1] : "";
	const struct option *o;

	if (c == ':') {
		el = argv[argc - 1];	/* only the last can lack its value */
		if (!strncmp(el, "--", 2))
			cli_usage(cmd, "option '%s' needs an argument", el);
		else
			cli_usage(cmd, "option '-%c' needs an argument", optopt);
		return;
	}
	o = long_option(cmd, el);
	if (optopt >= '0' && optopt <= '9')
		cli_usage(cmd, "invalid argument '%s': PIDs, addresses and "
			  "numbers cannot be negative", el);
	else if (optopt == 0)
		cli_usage(cmd, "unknown option '%.*s'", (int)strcspn(el, "="),
			  el);
	else if (o && o->val == optopt)
		cli_usage(cmd, "option '--%s' takes no argument", o->name);
	else
		cli_usage(cmd, "unknown option '-%c'", optopt);
}

int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv)
{
	int c;

	for (;;) {
		c = getopt_long(argc, argv, cmd->short_opts, cmd->long_opts,
				NULL);
		switch (c) {
		case 'q':
			cli_level--;
			break;
		case 'v':
			cli_level++;
			break;
		case 'h':
			cli_help(cmd, stdout);
			return 'h';
		case ':':
		case '?':
			option_error(cmd, c, argc, argv);
			return '?';
		default:
			return c;
		}
	}
}

int cli_operands(const struct cli_cmd *cmd, int argc, char **argv,
		 const char *const *names, int n)
{
	int have = argc - optind;

	if (have < n)
		return cli_usage(cmd, "missing %s", names[have]);
	if (have > n)
		return cli_usage(cmd, "unexpected argument '%s'",
				 argv[optind + n]);
	return CLI_OK;
}

int cli_arg_u64(const struct cli_cmd *cmd, const char *what, const char *s,
		uint64_t *out)
{
	if (cli_parse_u64(s, out) == 0)
		return CLI_OK;
	if (errno == ERANGE)
		return cli_usage(cmd, "invalid %s '%s': too large", what, s);
	return cli_usage(cmd, "invalid %s '%s': not a number (decimal or 0x "
			 "hex, optional K/M/G)", what, s);
}

int cli_arg_pid(const struct cli_cmd *cmd, const char *s, pid_t *pid)
{
	if (cli_parse_pid(s, pid) < 0)
		return cli_usage(cmd, "invalid PID '%s': must be a positive "
				 "integer", s);
	return CLI_OK;
}
