/* SPDX-License-Identifier: MIT */
/*
 * Write-behind for pvmio dump. A serial dump reads a chunk, writes it,
 * and reads the next: each core waits for the other half of the work.
 * Here the caller keeps reading (the reads keep their order, sizes and
 * thread, so errno and the library's message at a failed read are those
 * of a serial dump) while a writer thread writes the chunks already read,
 * in order, with plain write(2): a file gets the same bytes through the
 * same sequence of writes as serially, a FIFO included.
 *
 * The buffers are page-aligned: the kernel's copy into a buffer 16 bytes
 * past a page (malloc's place for big blocks) runs 2-3x slower on some
 * CPUs (4K aliasing; bench/README.md, "misaligned").
 *
 * Signals: a handler may run on either thread. The caller waits in slices
 * of 100 ms, and once *caught is set while a write is under way, sends the
 * signal to the writer too, so that a write blocked on a FIFO or a slow
 * device returns EINTR as it would serially.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "writer.h"

#define WAIT_NS		100000000L

/* write(2) until all of b is written; EINTR is retried unless *caught is
 * set. 0, or -1 with errno. */
static int write_all(int fd, const unsigned char *b, size_t n,
		     const atomic_int *caught)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, b, n);
		if (k < 0 && errno == EINTR && !*caught)
			continue;
		if (k < 0)
			return -1;
		b += k;
		n -= (size_t)k;
		/* A signal cuts a write to a pipe short rather than fail it:
		 * the next write would block again, the signal long gone. */
		if (n > 0 && *caught) {
			errno = EINTR;
			return -1;
		}
	}
	return 0;
}

/* The head buffer, with the lock held; the lock is dropped meanwhile. */
static void write_head(struct cli_writer *w)
{
	unsigned slot = (unsigned)(w->head % CLI_WRITER_NBUF);

	if (!w->err) {	/* after a failure, nothing more goes out */
		int rc, e;

		w->busy = true;
		pthread_mutex_unlock(&w->lock);
		rc = write_all(w->fd[slot], w->buf[slot], w->len[slot],
			       w->caught);
		e = errno;	/* before the lock, which may touch it */
		pthread_mutex_lock(&w->lock);
		w->busy = false;
		if (rc < 0)
			w->err = e;
	}
	w->head++;
	pthread_cond_broadcast(&w->cond);
}

static void *writer(void *arg)
{
	struct cli_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->head == w->tail)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == w->tail)
			break;
		write_head(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* One slice of waiting for the writer, with the lock held. */
static void wait_writer(struct cli_writer *w)
{
	struct timespec until;
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += WAIT_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->cond, &w->lock, &until);
	sig = *w->caught;
	if (sig && w->started && w->busy && !w->kicked) {
		w->kicked = true;
		pthread_kill(w->thread, sig);
	}
}

int cli_writer_init(struct cli_writer *w, size_t size,
		    const atomic_int *caught)
{
	pthread_condattr_t ca;
	unsigned char *p;
	unsigned i;
	int err;

	memset(w, 0, sizeof(*w));
	p = mmap(NULL, size * CLI_WRITER_NBUF, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < CLI_WRITER_NBUF; i++)
		w->buf[i] = p + i * size;
	w->size = size;
	w->caught = caught;
	err = pthread_condattr_init(&ca);
	if (!err) {
		err = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (!err)
			err = pthread_cond_init(&w->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (!err)
		err = pthread_mutex_init(&w->lock, NULL);
	if (err) {
		munmap(p, size * CLI_WRITER_NBUF);
		errno = err;
		return -1;
	}
	return 0;
}

unsigned char *cli_writer_buf(struct cli_writer *w)
{
	unsigned char *b = NULL;

	pthread_mutex_lock(&w->lock);
	while (!w->err && !*w->caught &&
	       w->tail - w->head >= CLI_WRITER_NBUF)
		wait_writer(w);
	if (w->err)
		errno = w->err;
	else if (*w->caught)
		errno = EINTR;
	else
		b = w->buf[w->tail % CLI_WRITER_NBUF];
	pthread_mutex_unlock(&w->lock);
	return b;
}

void cli_writer_push(struct cli_writer *w, int fd, size_t n)
{
	unsigned slot;

	pthread_mutex_lock(&w->lock);
	slot = (unsigned)(w->tail % CLI_WRITER_NBUF);
	w->fd[slot] = fd;
	w->len[slot] = n;
	w->tail++;
	if (!w->started)
		w->started = !pthread_create(&w->thread, NULL, writer, w);
	if (w->started)
		pthread_cond_broadcast(&w->cond);
	else
		write_head(w);	/* no thread: the write is made here */
	pthread_mutex_unlock(&w->lock);
}

int cli_writer_drain(struct cli_writer *w)
{
	int err;

	pthread_mutex_lock(&w->lock);
	while (w->head != w->tail)
		wait_writer(w);
	err = w->err;
	w->kicked = false;
	pthread_mutex_unlock(&w->lock);
	if (err)
		errno = err;
	return err ? -1 : 0;
}

void cli_writer_destroy(struct cli_writer *w)
{
	if (!w->size)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	munmap(w->buf[0], w->size * CLI_WRITER_NBUF);
	w->size = 0;
}
