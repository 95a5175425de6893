/* SPDX-License-Identifier: MIT */
/*
 * No IOV_MAX surprises: a 64 MiB read in one call, readv/writev with
 * thousands of local iovecs, and one read of more than 2 GiB, beyond the
 * 0x7ffff000 bytes the kernel moves per call. The big source and
 * destination are built from repeated mappings of one 256 MiB memfd each,
 * so the test needs 512 MiB of memory, not 4.5 GiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define MiB (1024u * 1024u)
#define READ64 (64 * (size_t)MiB)
#define PIECE (256 * (size_t)MiB)
#define PIECES 9	/* 2.25 GiB */
#define NWRITE 5003
#define NREAD 6007
#define KERNEL_CAP ((size_t)0x7ffff000)

/* A pattern without short periods: a shift by any page count shows. */
static void fill64(void *buf, size_t len, uint64_t seed)
{
	uint64_t *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

/* Index of the first 8-byte word that differs, or -1. */
static long check64(const void *buf, size_t len, uint64_t seed)
{
	const uint64_t *w = buf;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != ((i + 1) * 0x9e3779b97f4a7c15ull ^ seed))
			return (long)i;
	return -1;
}

static void read_64mib(char *src)
{
	char *buf = malloc(READ64);
	pid_t child;
	pvmio *io;

	if (!buf)
		t_bail("malloc 64 MiB");
	child = t_fork_target();
	io = t_open(child, t_addr(src), 0);
	t_is(pvmio_read(io, buf, READ64), (long long)READ64,
	     "child: 64 MiB in one pvmio_read");
	t_is(check64(buf, READ64, 64), -1, "child: the 64 MiB are right");
	t_cursor_is(io, t_addr(src) + READ64, "child: the cursor moved 64 MiB");
	pvmio_close(io);
	t_kill(child);
	free(buf);
}

/* n iovecs of varied sizes, every ninth empty, with gaps between them. */
static struct iovec *iovecs(char *buf, int n, unsigned mul, unsigned mod,
			    size_t *total)
{
	struct iovec *v = calloc((size_t)n, sizeof(*v));
	size_t pos = 0;

	if (!v)
		t_bail("calloc");
	for (int i = 0; i < n; i++) {
		size_t len = i % 9 ? ((size_t)i * mul) % mod + 1 : 0;

		v[i].iov_base = buf + pos;
		v[i].iov_len = len;
		pos += len + (size_t)(i % 3);
	}
	*total = 0;
	for (int i = 0; i < n; i++)
		*total += v[i].iov_len;
	return v;
}

/* Concatenate what the iovecs hold. */
static char *gather(const struct iovec *v, int n, size_t total)
{
	char *out = malloc(total), *p = out;

	if (!out)
		t_bail("malloc");
	for (int i = 0; i < n; i++) {
		memcpy(p, v[i].iov_base, v[i].iov_len);
		p += v[i].iov_len;
	}
	return out;
}

static void many_iovecs(char *dst)
{
	size_t wtotal, rtotal;
	char *src = malloc(4 * MiB), *back = calloc(1, 4 * MiB), *flat, *got;
	struct iovec *wv = iovecs(src, NWRITE, 7919, 211, &wtotal);
	struct iovec *rv = iovecs(back, NREAD, 131, 307, &rtotal);
	pid_t child = t_fork_target();
	pvmio *io;

	if (!src || !back)
		t_bail("malloc");
	t_fill(src, 4 * MiB, 51);
	io = t_open(child, t_addr(dst), 0);
	t_ok(rtotal >= wtotal, "readv buffers (%zu) hold what writev sends (%zu)",
	     rtotal, wtotal);
	t_is(pvmio_writev(io, wv, NWRITE), (long long)wtotal,
	     "child: writev of 5003 iovecs (some empty) in one call");
	flat = gather(wv, NWRITE, wtotal);
	t_ok(t_remote_is(io, t_addr(dst), flat, wtotal),
	     "child: the remote bytes are the iovecs in order");
	pvmio_seek(io, (int64_t)(uintptr_t)dst, SEEK_SET, NULL);
	t_is(pvmio_readv(io, rv, NREAD), (long long)rtotal,
	     "child: readv of 6007 iovecs (some empty) in one call");
	got = gather(rv, NREAD, rtotal);
	t_ok(memcmp(got, flat, wtotal) == 0,
	     "child: readv scattered the bytes in order");
	pvmio_close(io);
	t_kill(child);
	free(got);
	free(flat);
	free(wv);
	free(rv);
	free(src);
	free(back);
}

/* PIECES mappings of one memfd, back to back; NULL when that fails. */
static char *mirror(const char *name, int *fdp)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	char *base;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)PIECE))
		goto err;
	base = mmap(NULL, PIECES * PIECE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		goto err;
	for (int i = 0; i < PIECES; i++) {
		if (mmap(base + i * PIECE, PIECE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0) ==
		    MAP_FAILED) {
			munmap(base, PIECES * PIECE);
			goto err;
		}
	}
	*fdp = fd;
	return base;
err:
	close(fd);
	return NULL;
}

static void over_2gib(void)
{
	size_t total = PIECES * PIECE;
	int sfd, dfd = -1;
	char *src = mirror("pvmio-big-src", &sfd);
	char *dst = src ? mirror("pvmio-big-dst", &dfd) : NULL;
	struct iovec l, r;
	ssize_t raw;
	pvmio *io;

	if (!dst) {
		t_skip(4, "cannot map 2 x 2.25 GiB over two 256 MiB memfds: %s",
		       strerror(errno));
		if (src) {
			munmap(src, total);
			close(sfd);
		}
		return;
	}
	fill64(src, PIECE, 2);
	l = (struct iovec){ dst, total };
	r = (struct iovec){ src, total };
	raw = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	t_ok(raw > 0 && (size_t)raw <= KERNEL_CAP,
	     "one raw process_vm_readv moves at most 0x7ffff000 bytes (%zd)",
	     raw);
	memset(dst, 0, PIECE);
	io = t_open(getpid(), t_addr(src), 0);
	t_is(pvmio_read(io, dst, total), (long long)total,
	     "self: 2.25 GiB in one pvmio_read");
	t_cursor_is(io, t_addr(src) + total, "self: the cursor moved 2.25 GiB");
	t_is(check64(dst, PIECE, 2), -1, "self: the bytes are right");
	pvmio_close(io);
	munmap(src, total);
	munmap(dst, total);
	close(sfd);
	close(dfd);
}

int main(void)
{
	char *src = mmap(NULL, READ64, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *dst = t_map(4 * MiB / t_page(), PROT_READ | PROT_WRITE, 0);

	if (src == MAP_FAILED)
		t_bail("mmap 64 MiB");
	t_plan(3 + 5 + 4);
	fill64(src, READ64, 64);
	read_64mib(src);
	munmap(src, READ64);
	many_iovecs(dst);
	if (t_under_valgrind())
		t_skip(4, "a 2.25 GiB read takes too long under valgrind");
	else if (T_UNDER_TSAN)	/* 15 GB and minutes for 2.25 GiB */
		t_skip(4, "TSan shadows 2 x 2.25 GiB of aliases: too much memory");
	else
		over_2gib();
	return t_done();
}
