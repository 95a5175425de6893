/* SPDX-License-Identifier: MIT */
/*
 * Write-behind (writer.c): the calling thread fills page-aligned buffers
 * and a thread of the writer's own writes them, in order, while the next
 * one is filled. Used by pvmio dump, whose reads and file writes would
 * otherwise take turns on one core.
 */
#ifndef PVMIO_CLI_WRITER_H
#define PVMIO_CLI_WRITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define CLI_WRITER_NBUF	3

struct cli_writer {
	size_t size;			/* of each buffer */
	unsigned char *buf[CLI_WRITER_NBUF];
	int fd[CLI_WRITER_NBUF];	/* where each queued buffer goes */
	size_t len[CLI_WRITER_NBUF];
	unsigned long head, tail;	/* next to write, next to fill */
	int err;			/* errno of the first failed write */
	bool started, stop, busy, kicked;
	const atomic_int *caught;	/* the signal that stops the work */
	pthread_t thread;
	pthread_mutex_t lock;		/* everything above but buf, size */
	pthread_cond_t cond;		/* a buffer written, or one queued */
};

/* Buffers of size bytes; the thread starts at the first cli_writer_push().
 * caught: nonzero once a signal asks to stop (its handler sets it); a write
 * it interrupts fails with EINTR. 0, or -1 with errno. */
int cli_writer_init(struct cli_writer *w, size_t size,
		    const atomic_int *caught);
/* A free buffer to fill, waiting for one if needed; NULL (errno set) once a
 * write failed or *caught is set. */
unsigned char *cli_writer_buf(struct cli_writer *w);
/* Queue the first n bytes of the buffer cli_writer_buf() just returned, to
 * be written to fd after those queued before. */
void cli_writer_push(struct cli_writer *w, int fd, size_t n);
/* Wait until every queued buffer is written: 0, or -1 with the errno of
 * the first write that failed (the writes after it were not made). */
int cli_writer_drain(struct cli_writer *w);
void cli_writer_destroy(struct cli_writer *w);

#endif
