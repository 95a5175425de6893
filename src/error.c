/* SPDX-License-Identifier: MIT */
/* The thread-local message behind pvmio_errmsg(), as dlerror() keeps one. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static __thread char last_msg[256];

int pvmio__fail(int err, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(last_msg, sizeof(last_msg), "%s: %s", what, strerror(err));
	errno = err;
	return -1;
}

int pvmio__fail_xfer(int err, const char *call, pid_t pid, uint64_t addr,
		     uint64_t len)
{
	return pvmio__fail(err, "%s(pid %d, 0x%" PRIx64 ", %" PRIu64 ")", call,
			   (int)pid, addr, len);
}

void pvmio__errmsg_copy(char *dst, size_t size)
{
	snprintf(dst, size, "%s", last_msg);
}

void pvmio__errmsg_set(const char *msg)
{
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

const char *pvmio_errmsg(void)
{
	return last_msg;
}

const char *pvmio_version_string(void)
{
#define PVMIO__STR2(x) #x
#define PVMIO__STR(x) PVMIO__STR2(x)
	return PVMIO__STR(PVMIO_VERSION_MAJOR) "." PVMIO__STR(PVMIO_VERSION_MINOR)
		"." PVMIO__STR(PVMIO_VERSION_PATCH);
}
