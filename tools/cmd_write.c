/* SPDX-License-Identifier: MIT */
/*
 * pvmio write PID ADDR HEX... | -i FILE [--force]: put bytes into the
 * target. Anything less than every byte is an error that says where the
 * write stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"

#define OPT_FORCE 256

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ "input", required_argument, NULL, 'i' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

struct write_opts {
	pid_t pid;
	uint64_t addr;
	const char *input;
	bool force;
	unsigned char *data;
	size_t len, cap;
};

/* Room for n more bytes of data. */
static int grow(struct write_opts *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 4096;
	unsigned char *d;

	while (cap - o->len < n)
		cap *= 2;
	if (cap == o->cap)
		return 0;
	d = realloc(o->data, cap);
	if (!d)
		return -1;
	o->data = d;
	o->cap = cap;
	return 0;
}

static int slurp(FILE *in, struct write_opts *o)
{
	size_t n;

	do {
		if (grow(o, 4096) < 0)
			return -1;
		n = fread(o->data + o->len, 1, o->cap - o->len, in);
		o->len += n;
	} while (n > 0);
	return ferror(in) ? -1 : 0;
}

static int read_input(struct write_opts *o)
{
	bool std = !strcmp(o->input, "-");
	FILE *in = std ? stdin : fopen(o->input, "rb");
	int ret;

	if (!in)
		return cli_fail_errno("open %s", o->input);
	ret = slurp(in, o);
	if (ret < 0)
		cli_fail_errno("read %s", o->input);
	if (!std)
		fclose(in);
	return ret < 0 ? CLI_FAIL : CLI_OK;
}

static int stopped(const struct write_opts *o, size_t done, int err)
{
	const char *why = "";

	if (err == EFAULT && !o->force)
		why = cli_fault_hint(o->pid, o->addr + done, true);
	cli_fail("write stopped at 0x%" PRIx64 " (%zu of %zu bytes written): "
		 "%s%s", o->addr + done, done, o->len, strerror(err), why);
	cli_detail();
	return CLI_FAIL;
}

static int do_write(struct write_opts *o)
{
	size_t len = o->len, done = 0;
	pvmio *io;
	ssize_t n;

	if (pvmio_open(&io, o->pid, o->addr, o->force ? PVMIO_FORCE : 0) < 0)
		return cli_fail_errno("open pid %d", (int)o->pid);
	while (done < len) {
		n = pvmio_pwrite(io, o->data + done, len - done,
				 o->addr + done);
		if (n <= 0) {
			if (n == 0)
				errno = EFAULT;
			break;
		}
		done += (size_t)n;
	}
	if (done < len) {
		int err = errno;

		pvmio_close(io);
		return stopped(o, done, err);
	}
	pvmio_close(io);
	printf("wrote %zu bytes at 0x%" PRIx64 "\n", done, o->addr);
	return CLI_OK;
}

/* One HEX argument, appended to the data. */
static int add_hex(struct write_opts *o, const char *arg)
{
	const struct cli_cmd *cmd = &cli_cmd_write;
	unsigned char *b, *m;
	size_t n;

	if (cli_parse_hex(arg, &b, &m, &n) < 0) {
		if (errno == ENOMEM)
			return cli_fail_errno("write");
		return cli_usage(cmd, "invalid hex bytes '%s': want pairs of "
				 "hex digits", arg);
	}
	free(m);
	if (m) {
		free(b);
		return cli_usage(cmd, "invalid hex bytes '%s': wildcards are "
				 "for search", arg);
	}
	if (grow(o, n) < 0) {
		free(b);
		return cli_fail_errno("write");
	}
	memcpy(o->data + o->len, b, n);
	o->len += n;
	free(b);
	return CLI_OK;
}

static int parse_data(struct write_opts *o, int argc, char **argv)
{
	const struct cli_cmd *cmd = &cli_cmd_write;
	int i, ret;

	if (o->input && optind + 2 < argc)
		return cli_usage(cmd, "give either HEX bytes or -i FILE, "
				 "not both");
	if (o->input)
		return read_input(o);
	if (optind + 2 >= argc)
		return cli_usage(cmd, "missing HEX bytes (or -i FILE)");
	for (i = optind + 2; i < argc; i++) {
		ret = add_hex(o, argv[i]);
		if (ret)
			return ret;
	}
	return CLI_OK;
}

static int check_range(const struct write_opts *o)
{
	if (o->len && o->len - 1 > UINT64_MAX - o->addr)
		return cli_usage(&cli_cmd_write, "0x%" PRIx64 " + %zu runs "
				 "past the end of the address space", o->addr,
				 o->len);
	return CLI_OK;
}

static int parse(struct write_opts *o, int argc, char **argv)
{
	static const char *const names[] = { "PID", "ADDR" };
	const struct cli_cmd *cmd = &cli_cmd_write;
	int c;

	while ((c = cli_getopt(cmd, argc, argv)) != -1) {
		if (c == 'i')
			o->input = optarg;
		else if (c == OPT_FORCE)
			o->force = true;
		else
			return c == 'h' ? -1 : CLI_USAGE;
	}
	if (argc - optind < 2)
		return cli_operands(cmd, argc, argv, names, 2);
	if (cli_arg_pid(cmd, argv[optind], &o->pid) ||
	    cli_arg_u64(cmd, "address", argv[optind + 1], &o->addr))
		return CLI_USAGE;
	return parse_data(o, argc, argv);
}

static int run(int argc, char **argv)
{
	struct write_opts o = { 0 };
	int ret = parse(&o, argc, argv);

	if (ret == 0)
		ret = check_range(&o);
	if (ret == 0)
		ret = do_write(&o);
	free(o.data);
	return ret < 0 ? CLI_OK : ret;
}

const struct cli_cmd cli_cmd_write = {
	.name = "write",
	.synopsis = "PID ADDR HEX... | PID ADDR -i FILE [--force]",
	.summary = "write bytes at ADDR (hex on the command line, or a file)",
	.help = "Writes the bytes given as hex (\"de ad be ef\", \"deadbeef\";\n"
		"several arguments are joined) or the contents of FILE at\n"
		"address ADDR of process PID, and reports how many were written.\n"
		"A write that stops early is an error (exit status 1).\n\n"
		"Options:\n"
		"  -i, --input FILE  the bytes to write (- for standard input)\n"
		"      --force    also write pages that are mapped without write\n"
		"                 permission (code, constants), as a debugger does\n",
	.short_opts = CLI_COMMON_SHORT "i:",
	.long_opts = long_opts,
	.run = run,
};
