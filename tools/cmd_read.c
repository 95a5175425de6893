/* SPDX-License-Identifier: MIT */
/*
 * pvmio read PID ADDR LEN [-o FILE] [--raw]: bytes of the target, as an xxd
 * hex dump or raw. A read that meets an inaccessible page keeps what came
 * before it and then says where and why it stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define OPT_RAW 256
#define CHUNK	(1u << 20)	/* a multiple of 16: lines never straddle */

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ "output", required_argument, NULL, 'o' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ NULL, 0, NULL, 0 },
};

struct read_opts {
	pid_t pid;
	uint64_t addr, len;
	const char *output;
	bool raw;
};

/* One xxd line: address, eight groups of two bytes, the ASCII column. */
static void xxd_line(FILE *out, uint64_t addr, const unsigned char *b,
		     size_t n)
{
	size_t i;

	fprintf(out, "%08" PRIx64 ": ", addr);
	for (i = 0; i < 16; i++) {
		if (i < n)
			fprintf(out, "%02x", b[i]);
		else
			fputs("  ", out);
		if (i % 2)
			fputc(' ', out);
	}
	fputc(' ', out);
	for (i = 0; i < n; i++)
		fputc(b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.', out);
	fputc('\n', out);
}

static int emit(FILE *out, bool raw, uint64_t addr, const unsigned char *b,
		size_t n)
{
	size_t i;

	if (raw)
		return fwrite(b, 1, n, out) == n ? 0 : -1;
	for (i = 0; i < n; i += 16)
		xxd_line(out, addr + i, b + i, n - i < 16 ? n - i : 16);
	return ferror(out) ? -1 : 0;
}

static int stopped(const struct read_opts *o, uint64_t done)
{
	int err = errno;
	const char *why = err == EFAULT ?
		cli_fault_hint(o->pid, o->addr + done, false) : "";

	fflush(stdout);		/* what was read comes first */
	if (done == 0)
		cli_fail("read %" PRIu64 " bytes at 0x%" PRIx64 ": %s%s",
			 o->len, o->addr, strerror(err), why);
	else
		cli_fail("read stopped at 0x%" PRIx64 " (%" PRIu64 " of %"
			 PRIu64 " bytes read): %s%s", o->addr + done, done,
			 o->len, strerror(err), why);
	cli_detail();
	return CLI_FAIL;
}

static int copy_out(pvmio *io, const struct read_opts *o, FILE *out,
		    unsigned char *buf)
{
	uint64_t done = 0;
	bool raw = o->raw || o->output;
	ssize_t n;

	while (done < o->len) {
		size_t want = o->len - done < CHUNK ? o->len - done : CHUNK;

		n = pvmio_pread(io, buf, want, o->addr + done);
		if (n <= 0) {
			if (n == 0)
				errno = EFAULT;
			return stopped(o, done);
		}
		if (emit(out, raw, o->addr + done, buf, (size_t)n) < 0)
			return cli_fail_errno("write %s",
					      o->output ? o->output : "stdout");
		done += (uint64_t)n;
	}
	return CLI_OK;
}

static int do_read(const struct read_opts *o)
{
	FILE *out = stdout;
	bool own = false;	/* out is ours to close */
	/* Page-aligned: the kernel copies into a buffer 16 bytes past a page,
	 * where malloc puts big blocks, at a third of the speed
	 * (bench/README.md, "misaligned"). */
	unsigned char *buf = aligned_alloc(4096, CHUNK);
	pvmio *io = NULL;
	int ret;

	if (!buf)
		return cli_fail_errno("read");
	if (pvmio_open(&io, o->pid, o->addr, 0) < 0) {
		ret = cli_fail_errno("open pid %d", (int)o->pid);
		goto out;
	}
	if (o->output) {
		out = fopen(o->output, "wb");
		if (!out) {
			ret = cli_fail_errno("open %s", o->output);
			goto out;
		}
		own = true;
	}
	ret = copy_out(io, o, out, buf);
	if (own && fclose(out) != 0 && ret == CLI_OK)
		ret = cli_fail_errno("write %s", o->output);
out:
	pvmio_close(io);
	free(buf);
	return ret;
}

static int parse(int argc, char **argv, struct read_opts *o)
{
	static const char *const names[] = { "PID", "ADDR", "LEN" };
	const struct cli_cmd *cmd = &cli_cmd_read;
	int c;

	while ((c = cli_getopt(cmd, argc, argv)) != -1) {
		if (c == 'o')
			o->output = optarg;
		else if (c == OPT_RAW)
			o->raw = true;
		else
			return c == 'h' ? -1 : CLI_USAGE;
	}
	if (cli_operands(cmd, argc, argv, names, 3) ||
	    cli_arg_pid(cmd, argv[optind], &o->pid) ||
	    cli_arg_u64(cmd, "address", argv[optind + 1], &o->addr) ||
	    cli_arg_u64(cmd, "length", argv[optind + 2], &o->len))
		return CLI_USAGE;
	if (o->len > UINT64_MAX - o->addr)
		return cli_usage(cmd, "0x%" PRIx64 " + %" PRIu64 " runs past "
				 "the end of the address space", o->addr, o->len);
	return CLI_OK;
}

static int run(int argc, char **argv)
{
	struct read_opts o = { 0 };
	int ret = parse(argc, argv, &o);

	if (ret < 0)
		return CLI_OK;	/* --help */
	if (ret)
		return ret;
	return do_read(&o);
}

const struct cli_cmd cli_cmd_read = {
	.name = "read",
	.synopsis = "PID ADDR LEN [-o FILE] [--raw]",
	.summary = "read LEN bytes at ADDR (an xxd hex dump by default)",
	.help = "Reads LEN bytes at address ADDR of process PID. When the range\n"
		"runs into an inaccessible page, the bytes before it are shown,\n"
		"then where and why the read stopped, and the exit status is 1.\n\n"
		"Options:\n"
		"  -o, --output FILE  write the raw bytes into FILE\n"
		"      --raw      raw bytes to standard output, no hex dump\n",
	.short_opts = CLI_COMMON_SHORT "o:",
	.long_opts = long_opts,
	.run = run,
};
