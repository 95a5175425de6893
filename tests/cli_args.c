/* SPDX-License-Identifier: MIT */
/*
 * The command line's parsers (tools/args.c, linked alone as the fuzzer
 * links it; see mk/cli.mk): numbers with
 * 0x and K/M/G at the 64-bit edges, PIDs, and hex bytes with wildcards.
 * tests/cli.sh checks the messages the pvmio command makes of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "helpers.h"

static void u64_is(const char *s, uint64_t want)
{
	uint64_t v = 0;
	char what[128];

	snprintf(what, sizeof(what), "u64 '%s' = %#llx", s,
		 (unsigned long long)want);
	t_ok(cli_parse_u64(s, &v) == 0 && v == want, "%s", what);
}

static void u64_err(const char *s, int err)
{
	uint64_t v = 42;
	char what[128];

	snprintf(what, sizeof(what), "u64 '%s' fails with %s", s,
		 err == ERANGE ? "ERANGE" : "EINVAL");
	t_is_err(cli_parse_u64(s, &v), err, what);
}

static void numbers(void)
{
	u64_is("0", 0);
	u64_is("4096", 4096);
	u64_is("0x7ffd1000", 0x7ffd1000);
	u64_is("0XFF", 255);
	u64_is("4K", 4096);
	u64_is("4KiB", 4096);
	u64_is("0x10M", 16ull << 20);
	u64_is("3G", 3ull << 30);
	u64_is("18446744073709551615", UINT64_MAX);
	u64_is("0xffffffffffffffff", UINT64_MAX);
	u64_is("17179869183G", 17179869183ull << 30);
	u64_err("18446744073709551616", ERANGE);
	u64_err("0x10000000000000000", ERANGE);
	u64_err("17179869184G", ERANGE);
	u64_err("0x40000000000000K", ERANGE);
	u64_err("", EINVAL);
	u64_err("-1", EINVAL);
	u64_err("+1", EINVAL);
	u64_err(" 1", EINVAL);
	u64_err("1 ", EINVAL);
	u64_err("0x", EINVAL);
	u64_err("0xg", EINVAL);
	u64_err("1KB", EINVAL);
	u64_err("1k", EINVAL);
	u64_err("1Ki", EINVAL);
	u64_err("1T", EINVAL);
	u64_err("1.5K", EINVAL);
	u64_err("K", EINVAL);
}

static void pids(void)
{
	pid_t p = 0;

	t_ok(cli_parse_pid("1", &p) == 0 && p == 1, "pid '1'");
	t_ok(cli_parse_pid("2147483647", &p) == 0 && p == 2147483647,
	     "pid INT_MAX");
	t_is_err(cli_parse_pid("2147483648", &p), ERANGE, "pid INT_MAX + 1");
	t_is_err(cli_parse_pid("99999999999999999999999", &p), ERANGE,
		 "pid far too large");
	t_is_err(cli_parse_pid("0", &p), EINVAL, "pid 0");
	t_is_err(cli_parse_pid("-1", &p), EINVAL, "pid -1");
	t_is_err(cli_parse_pid("0x10", &p), EINVAL, "pid in hex");
	t_is_err(cli_parse_pid("1K", &p), EINVAL, "pid with a suffix");
	t_is_err(cli_parse_pid("", &p), EINVAL, "empty pid");
	t_is_err(cli_parse_pid(NULL, &p), EINVAL, "NULL pid");
}

static void hex_is(const char *s, const char *bytes, const char *mask,
		   size_t len)
{
	unsigned char *b = NULL, *m = NULL;
	size_t n = 0;
	bool good;

	good = cli_parse_hex(s, &b, &m, &n) == 0 && n == len &&
	       memcmp(b, bytes, len) == 0 &&
	       (mask ? m && memcmp(m, mask, len) == 0 : m == NULL);
	t_ok(good, "hex '%s': %zu bytes%s", s, len,
	     mask ? " with a mask" : ", no mask");
	free(b);
	free(m);
}

static void hex_err(const char *s)
{
	unsigned char *b = (unsigned char *)"x", *m = b;
	size_t n = 7;
	char what[96];

	snprintf(what, sizeof(what), "hex '%s' fails with EINVAL", s);
	t_is_err(cli_parse_hex(s, &b, &m, &n), EINVAL, what);
}

static void hex_null(void)
{
	unsigned char *b = (unsigned char *)"x", *m = b;
	size_t n = 7;

	t_is_err(cli_parse_hex(NULL, &b, &m, &n), EINVAL,
		 "hex NULL fails with EINVAL");
	t_ok(b == (unsigned char *)"x" && n == 7,
	     "hex NULL: outputs untouched");
}

static void hex(void)
{
	hex_is("deadbeef", "\xde\xad\xbe\xef", NULL, 4);
	hex_is(" de ad\tBE EF ", "\xde\xad\xbe\xef", NULL, 4);
	hex_is("00", "\0", NULL, 1);
	hex_is("de ad ?? e?", "\xde\xad\x00\xe0", "\xff\xff\x00\xf0", 4);
	hex_is("?f", "\x0f", "\x0f", 1);
	hex_err("");
	hex_err("   ");
	hex_err("d");
	hex_err("de a");
	hex_err("d ead");
	hex_err("0xde");
	hex_err("zz");
	hex_err("?");
	hex_err("de-ad");
	hex_null();
}

int main(void)
{
	t_plan(28 + 10 + 5 + 11);
	numbers();
	pids();
	hex();
	return t_done();
}
