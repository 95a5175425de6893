/* SPDX-License-Identifier: MIT */
/*
 * The thread-local message behind pvmio_errmsg(), as dlerror() keeps one.
 * A short transfer succeeds although the engine met (and described) the
 * fault that ended it; the caller must still see the last *failure*. So
 * there are two slots: while a transfer holds the state, messages go to
 * the slot it does not show, and a release without failure shows the old
 * one again, with the old errno.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct errstate {
	char msg[2][256];
	unsigned cur;		/* the slot pvmio_errmsg() shows */
	unsigned held;		/* nesting of pvmio__err_hold() */
	unsigned base;		/* the slot shown when the hold began */
	int saved_errno;
};

static __thread struct errstate st;

/* The slot a new message goes to. */
static char *next_slot(void)
{
	st.cur = (st.held ? st.base : st.cur) ^ 1;
	return st.msg[st.cur];
}

void pvmio__err_hold(void)
{
	if (!st.held++) {
		st.base = st.cur;
		st.saved_errno = errno;
	}
}

void pvmio__err_release(bool failed)
{
	if (--st.held || failed)
		return;
	st.cur = st.base;
	errno = st.saved_errno;
}

int pvmio__fail(int err, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(next_slot(), sizeof(st.msg[0]), "%s: %s", what, strerror(err));
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
	snprintf(dst, size, "%s", st.msg[st.cur]);
}

void pvmio__errmsg_set(const char *msg)
{
	snprintf(next_slot(), sizeof(st.msg[0]), "%s", msg);
}

const char *pvmio_errmsg(void)
{
	return st.msg[st.cur];
}

const char *pvmio_version_string(void)
{
#define PVMIO__STR2(x) #x
#define PVMIO__STR(x) PVMIO__STR2(x)
	return PVMIO__STR(PVMIO_VERSION_MAJOR) "." PVMIO__STR(PVMIO_VERSION_MINOR)
		"." PVMIO__STR(PVMIO_VERSION_PATCH);
}
