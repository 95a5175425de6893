/* SPDX-License-Identifier: MIT */
/* The handle and its cursor: the stream API of pvmio.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static int open_common(pvmio **out, pvmio *io)
{
	int err;

	if (pvmio__probe(io) < 0) {
		err = errno;
		goto err;
	}
	/* the probe proved access to whatever held the PID: was it ours? */
	if (pvmio__alive(io) < 0) {
		err = ESRCH;
		pvmio__fail(err, "pvmio_open(pid %d): the process exited",
			    (int)io->pid);
		goto err;
	}
	if ((io->flags & PVMIO_UNPINNED) && io->pidfd >= 0) {
		close(io->pidfd);
		io->pidfd = -1;
	}
	pvmio__watch(io);
	*out = io;
	return 0;
err:
	pvmio_close(io);
	errno = err;
	return -1;
}

static pvmio *handle_new(pid_t pid, uint64_t address, unsigned flags)
{
	pvmio *io = calloc(1, sizeof(*io));

	if (!io) {
		pvmio__fail(ENOMEM, "pvmio_open(pid %d)", (int)pid);
		return NULL;
	}
	io->pid = pid;
	io->pidfd = -1;
	io->epfd = -1;
	io->memfd = -1;
	io->flags = flags;
	io->cursor = address;
	return io;
}

static bool flags_ok(unsigned flags)
{
	return !(flags & ~(PVMIO_FORCE | PVMIO_UNPINNED));
}

int pvmio_open(pvmio **out, pid_t pid, uint64_t address, unsigned flags)
{
	pvmio *io;

	if (!out || pid <= 0 || !flags_ok(flags))
		return pvmio__fail(EINVAL, "pvmio_open(pid %d)", (int)pid);
	io = handle_new(pid, address, flags);
	if (!io)
		return -1;
	if (pvmio__pin(io) < 0) {
		pvmio_close(io);
		return -1;
	}
	return open_common(out, io);
}

int pvmio_open_pidfd(pvmio **out, int pidfd, uint64_t address, unsigned flags)
{
	pid_t pid;
	pvmio *io;
	int err;

	if (!out || !flags_ok(flags))
		return pvmio__fail(EINVAL, "pvmio_open_pidfd(fd %d)", pidfd);
	if (pidfd < 0 || fcntl(pidfd, F_GETFD) < 0)
		return pvmio__fail(EBADF, "pvmio_open_pidfd(fd %d)", pidfd);
	err = pvmio__pidfd_pid(pidfd, &pid);
	if (err)
		return pvmio__fail(-err, "pvmio_open_pidfd(fd %d)", pidfd);
	io = handle_new(pid, address, flags);
	if (!io)
		return -1;
	io->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (io->pidfd < 0) {
		err = errno;
		pvmio_close(io);
		return pvmio__fail(err, "pvmio_open_pidfd(fd %d): dup", pidfd);
	}
	return open_common(out, io);
}

void pvmio_close(pvmio *io)
{
	if (!io)
		return;
	pvmio__pool_free(io->pool);
	if (io->pidfd >= 0)
		close(io->pidfd);
	if (io->epfd >= 0)
		close(io->epfd);
	if (io->memfd >= 0)
		close(io->memfd);
	free(io);
}

pid_t pvmio_pid(const pvmio *io)
{
	if (!io)
		return pvmio__fail(EINVAL, "pvmio_pid(NULL)");
	return io->pid;
}

/* The public face of a transfer: errno and -1 instead of -errno. */
static ssize_t finish(ssize_t n)
{
	if (n < 0) {
		errno = (int)-n;
		return -1;
	}
	return n;
}

static ssize_t at_cursor(pvmio *io, bool write, const struct iovec *iov,
			 int cnt, const char *fn)
{
	ssize_t n;

	if (!io || cnt < 0)
		return pvmio__fail(EINVAL, "%s: %s", fn,
				   io ? "negative iovcnt" : "NULL handle");
	if (io->past_end) {
		size_t total;

		if (pvmio__iov_total(iov, (size_t)cnt, &total))
			return pvmio__fail(EINVAL, "%s(pid %d): NULL buffer or length over SSIZE_MAX",
					   fn, (int)io->pid);
		return 0;
	}
	n = finish(pvmio__transfer(io, write, iov, (size_t)cnt, io->cursor, fn));
	if (n > 0) {
		io->cursor += (uint64_t)n;
		io->past_end = io->cursor == 0;	/* wrapped: we reached 2^64 */
	}
	return n;
}

ssize_t pvmio_readv(pvmio *io, const struct iovec *iov, int iovcnt)
{
	return at_cursor(io, false, iov, iovcnt, "pvmio_readv");
}

ssize_t pvmio_writev(pvmio *io, const struct iovec *iov, int iovcnt)
{
	return at_cursor(io, true, iov, iovcnt, "pvmio_writev");
}

ssize_t pvmio_read(pvmio *io, void *buf, size_t len)
{
	struct iovec v = { buf, len };

	return at_cursor(io, false, &v, 1, "pvmio_read");
}

ssize_t pvmio_write(pvmio *io, const void *buf, size_t len)
{
	struct iovec v = { (void *)buf, len };

	return at_cursor(io, true, &v, 1, "pvmio_write");
}

static ssize_t at_address(pvmio *io, bool write, const void *buf, size_t len,
			  uint64_t address, const char *fn)
{
	struct iovec v = { (void *)buf, len };

	if (!io)
		return pvmio__fail(EINVAL, "%s: NULL handle", fn);
	return finish(pvmio__transfer(io, write, &v, 1, address, fn));
}

ssize_t pvmio_pread(pvmio *io, void *buf, size_t len, uint64_t address)
{
	return at_address(io, false, buf, len, address, "pvmio_pread");
}

ssize_t pvmio_pwrite(pvmio *io, const void *buf, size_t len, uint64_t address)
{
	return at_address(io, true, buf, len, address, "pvmio_pwrite");
}

int pvmio_seek(pvmio *io, int64_t offset, int whence, uint64_t *position)
{
	uint64_t cur;
	bool past;

	if (!io)
		return pvmio__fail(EINVAL, "pvmio_seek: NULL handle");
	if (pvmio__seek_calc(io->cursor, io->past_end, offset, whence, &cur,
			     &past))
		return pvmio__fail(EINVAL, "pvmio_seek(pid %d, %lld, whence %d)",
				   (int)io->pid, (long long)offset, whence);
	io->cursor = cur;
	io->past_end = past;
	if (position)
		*position = past ? UINT64_MAX : cur;
	return 0;
}

int pvmio_tell(const pvmio *io, uint64_t *address)
{
	if (!io)
		return pvmio__fail(EINVAL, "pvmio_tell: NULL handle");
	if (address)
		*address = io->past_end ? UINT64_MAX : io->cursor;
	return io->past_end ? 1 : 0;
}
