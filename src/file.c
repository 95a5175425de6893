/* SPDX-License-Identifier: MIT */
/*
 * A stdio stream over a process's memory (fopencookie): the cookie owns a
 * pvmio handle, and stdio's buffering sits on top of it. Stream positions are
 * off64_t, so addresses from 2^63 on can be read and written through an
 * open stream but never reported or sought to: those fail with EOVERFLOW.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * glibc gives a cookie stream an 8 KiB buffer at a place the kernel copies
 * slowly into; a 64 KiB page-aligned one of our own doubles what fread()
 * moves (measured in make bench).
 */
#define STREAM_BUF	(64 * 1024)

struct cookie {
	pvmio *io;
	bool can_read, can_write;
	char *buf;		/* stdio's buffer, freed with the cookie */
};

static ssize_t cookie_read(void *c, char *buf, size_t size)
{
	struct cookie *ck = c;

	if (!ck->can_read) {
		pvmio__fail(EBADF, "pvmio_fopen(pid %d): read, mode \"w\"",
			    (int)ck->io->pid);
		return -1;
	}
	/*
	 * pvmio_read is short at an inaccessible page and fails with EFAULT on
	 * the next call, so stdio hands out the exact bytes, then sets ferror.
	 */
	return pvmio_read(ck->io, buf, size);
}

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
	struct cookie *ck = c;
	size_t done = 0;

	if (!ck->can_write) {
		pvmio__fail(EBADF, "pvmio_fopen(pid %d): write, mode \"r\"",
			    (int)ck->io->pid);
		return 0;
	}
	/* stdio treats a short count as an error: make errno say which one */
	while (done < size) {
		ssize_t n = pvmio_write(ck->io, buf + done, size - done);

		if (n < 0)
			break;
		if (n == 0) {
			pvmio__fail(ENOSPC, "pvmio_fopen(pid %d): %s",
				    (int)ck->io->pid,
				    "write past the end of the address space");
			break;
		}
		done += (size_t)n;
	}
	/* never negative: glibc wants 0 for a failure that moved nothing */
	return (ssize_t)done;
}

static int cookie_seek(void *c, off64_t *offset, int whence)
{
	struct cookie *ck = c;
	struct pvmio *io = ck->io;
	uint64_t cur;
	bool past;

	if (pvmio__seek_calc(io->cursor, io->past_end, *offset, whence, &cur,
			     &past))
		return pvmio__fail(EINVAL, "pvmio_fopen(pid %d): seek %" PRId64
				   ", whence %d", (int)io->pid,
				   (int64_t)*offset, whence);
	/* SEEK_END always lands here: the stream is 2^64 bytes long */
	if (past || cur > (uint64_t)INT64_MAX)
		return pvmio__fail(EOVERFLOW,
				   "pvmio_fopen(pid %d): position %s0x%" PRIx64,
				   (int)io->pid, past ? "past " : "",
				   past ? UINT64_MAX : cur);
	io->cursor = cur;
	io->past_end = false;
	*offset = (off64_t)cur;
	return 0;
}

static int cookie_close(void *c)
{
	struct cookie *ck = c;

	pvmio_close(ck->io);
	free(ck->buf);
	free(ck);
	return 0;
}

/* "r", "w", "r+", "w+", with one "b" anywhere; the stdio mode or NULL. */
static const char *parse_mode(const char *mode, struct cookie *ck)
{
	char core[4] = "";	/* the analyzers do not model strcmp() */
	size_t n = 0;
	bool b = false;

	if (!mode)
		return NULL;
	for (const char *p = mode; *p; p++) {
		if (*p == 'b' && !b)
			b = true;
		else if (n < sizeof(core) - 1)
			core[n++] = *p;
		else
			return NULL;
	}
	core[n] = '\0';
	if (strcmp(core, "r") && strcmp(core, "w") && strcmp(core, "r+") &&
	    strcmp(core, "w+"))
		return NULL;
	ck->can_read = core[0] == 'r' || core[1] == '+';
	ck->can_write = core[0] == 'w' || core[1] == '+';
	/* fopencookie never truncates; hand it the mode without the "b" */
	return core[0] == 'r' ? (core[1] ? "r+" : "r") : (core[1] ? "w+" : "w");
}

FILE *pvmio_fopen(pid_t pid, uint64_t address, const char *mode)
{
	static const cookie_io_functions_t fns = {
		.read = cookie_read,
		.write = cookie_write,
		.seek = cookie_seek,
		.close = cookie_close,
	};
	struct cookie *ck = calloc(1, sizeof(*ck));
	const char *smode;
	int saved;
	FILE *f;

	if (!ck) {
		pvmio__fail(ENOMEM, "pvmio_fopen(pid %d)", (int)pid);
		return NULL;
	}
	smode = parse_mode(mode, ck);
	if (!smode) {
		pvmio__fail(EINVAL, "pvmio_fopen(pid %d): mode \"%s\"",
			    (int)pid, mode ? mode : "(null)");
		goto err;
	}
	if (pvmio_open(&ck->io, pid, address, 0))
		goto err;
	f = fopencookie(ck, smode, fns);
	if (!f) {
		pvmio__fail(errno, "pvmio_fopen(pid %d): fopencookie",
			    (int)pid);
		goto err;
	}
	/* without it, stdio keeps its own smaller buffer: slower, still right */
	ck->buf = aligned_alloc(4096, STREAM_BUF);
	if (ck->buf && setvbuf(f, ck->buf, _IOFBF, STREAM_BUF)) {
		free(ck->buf);
		ck->buf = NULL;
	}
	return f;
err:
	saved = errno;
	pvmio_close(ck->io);
	free(ck);
	errno = saved;
	return NULL;
}
