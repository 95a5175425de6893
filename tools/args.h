/* SPDX-License-Identifier: MIT */
/*
 * The pure parsers of the pvmio command: no output, no exit, no state, so
 * that fuzz/args_fuzzer.c can link tools/args.c alone. Each returns 0, or
 * -1 with errno set.
 */
#ifndef PVMIO_CLI_ARGS_H
#define PVMIO_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Decimal, or hex after 0x, then optionally K, M or G (or KiB, MiB, GiB),
 * powers of 1024. No sign, no spaces. EINVAL for bad syntax, ERANGE when
 * the value does not fit 64 bits.
 */
int cli_parse_u64(const char *s, uint64_t *out);

/* A positive decimal integer that fits pid_t: EINVAL, ERANGE. */
int cli_parse_pid(const char *s, pid_t *pid);

/*
 * Bytes as pairs of hex digits, whitespace between pairs ("de ad be ef",
 * "deadbeef"); "?" stands for any nibble ("??", "e?", "?e"). On success
 * *bytes and *mask (mask[i] 0xff exact, 0xf0/0x0f/0x00 with wildcards) are
 * malloc'ed for the caller to free, *mask NULL when no wildcard was given.
 * EINVAL for an odd token, a bad character or no byte at all; ENOMEM.
 */
int cli_parse_hex(const char *s, unsigned char **bytes, unsigned char **mask,
		  size_t *len);

#endif
