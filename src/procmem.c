/* SPDX-License-Identifier: MIT */
/*
 * The /proc/PID/mem backend: for kernels without process_vm_readv/writev
 * (ENOSYS) and for PVMIO_FORCE. The kernel reads and writes this file with
 * FOLL_FORCE, so unless forced we first cut the range to the pages whose
 * protection process_vm_* would have accepted: the semantics stay the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

int pvmio__memfd(struct pvmio *io)
{
	int fd = __atomic_load_n(&io->memfd, __ATOMIC_ACQUIRE), none = -1;
	char path[32];

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)io->pid);
	fd = pvmio__proc_open(io->pid, "mem", O_RDWR);
	if (fd < 0)
		return pvmio__fail(-fd, "open(%s)", path);
	/* the file holds the mm it was opened on: make sure it is ours */
	if (pvmio__alive(io) < 0) {
		close(fd);
		return pvmio__fail(ESRCH, "open(%s): the process exited", path);
	}
	if (!__atomic_compare_exchange_n(&io->memfd, &none, fd, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);	/* another thread opened it first */
		fd = none;
	}
	return fd;
}

/*
 * The file holds the mm it was opened on, and an execve() replaces the mm:
 * then the old file reads as EOF although the process lives. Open it again
 * and put it in place of the stale one with dup3(), which swaps the file
 * under the same number: a thread in preadv() on it never sees the number
 * free, let alone reused by an unrelated open().
 */
static int memfd_renew(struct pvmio *io, int stale)
{
	int fd, err = 0;

	if (pvmio__alive(io) < 0)
		return -ESRCH;
	fd = pvmio__proc_open(io->pid, "mem", O_RDWR);
	if (fd < 0)
		return fd;
	if (pvmio__alive(io) < 0)
		err = -ESRCH;
	else if (dup3(fd, stale, O_CLOEXEC) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Bytes of [addr, addr + len) covered by consecutive regions with prot. */
static int allowed_prefix(pid_t pid, uint64_t addr, uint64_t len,
			  unsigned prot, uint64_t *out)
{
	struct pvmio_region *r;
	uint64_t at = addr, end = addr + len;	/* len is clamped: no wrap past 0 */
	size_t n;

	if (pvmio_maps(pid, &r, &n) < 0)
		return -errno;
	for (size_t i = 0; i < n && (at < end || end == 0); i++) {
		if (r[i].end <= at)
			continue;
		if (r[i].start > at || (r[i].prot & prot) != prot)
			break;
		at = r[i].end;
		if (at == 0)
			break;
	}
	pvmio_maps_free(r, n);
	*out = at - addr < len ? at - addr : len;
	return 0;
}

static const char *mem_call(bool write)
{
	return write ? "pwrite(/proc/PID/mem)" : "pread(/proc/PID/mem)";
}

/* One preadv/pwritev; returns bytes or -errno in the engine's terms. */
static ssize_t mem_call_once(struct pvmio__req *rq, int fd, uint64_t addr,
			     uint64_t left)
{
	struct iovec lv[PVMIO__IOV_MAX];
	size_t nl;
	ssize_t n;

	pvmio__lcur_fill(&rq->local, lv, PVMIO__IOV_MAX,
			 left < PVMIO__MAX_RW ? (size_t)left : PVMIO__MAX_RW, &nl);
	/* offsets >= 2^63 pass as negative off_t: the file takes them unsigned */
	n = rq->write ? pwritev(fd, lv, (int)nl, (off_t)addr)
		      : preadv(fd, lv, (int)nl, (off_t)addr);
	if (n > 0)
		return n;
	if (n == 0)	/* the file says EOF once its mm is gone */
		return 0;
	if (errno == EIO || errno == EINVAL || errno == EOVERFLOW)
		return -EFAULT;	/* nothing mapped there, or beyond 2^64 - 1 */
	return -errno;
}

size_t pvmio__mem_run(struct pvmio__req *rq, bool force, int *err)
{
	uint64_t limit = rq->len, done = 0;
	int fd = pvmio__memfd(rq->io);
	unsigned prot = rq->write ? PROT_WRITE : PROT_READ;
	bool renewed = false;

	*err = fd < 0 ? -errno : 0;
	if (!*err && !force)
		*err = allowed_prefix(rq->io->pid, rq->addr, rq->len, prot, &limit);
	while (!*err && done < limit) {
		ssize_t n = mem_call_once(rq, fd, rq->addr + done, limit - done);

		if (n == 0 && !renewed) {	/* exited, or exec'd */
			renewed = true;
			n = memfd_renew(rq->io, fd);
			if (!n)
				continue;
		}
		if (n == 0)
			n = -ESRCH;
		if (n < 0) {
			*err = (int)n;
			pvmio__fail_xfer((int)-n, mem_call(rq->write), rq->io->pid,
					 rq->addr + done, limit - done);
			break;
		}
		pvmio__lcur_advance(&rq->local, (size_t)n);
		done += (uint64_t)n;
	}
	if (!*err && done < rq->len) {
		*err = -EFAULT;	/* the protection ends the run here */
		pvmio__fail_xfer(EFAULT, mem_call(rq->write), rq->io->pid,
				 rq->addr + done, rq->len - done);
	}
	return (size_t)done;
}
