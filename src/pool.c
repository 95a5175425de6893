/* SPDX-License-Identifier: MIT */
/*
 * Parallel big reads. The kernel copies in the caller's context, so one
 * process_vm_readv stream is bound by one core; a big read split into
 * pieces that several threads transfer at once moves nearly twice as much
 * on two cores. The workers live as long as the handle's setting, take
 * pieces in address order, and run nothing but the transfer engine.
 *
 * The result is what a serial read would return: pieces are combined in
 * address order and the count stops at the first piece that came back
 * short, so a hole in the second half still yields exactly the bytes
 * before it. Writes are never split: a parallel write could not stop at
 * the first inaccessible page without writing past it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define MAX_THREADS	64
#define PIECE_MIN	((uint64_t)4 << 20)

struct piece {
	struct pvmio__req rq;
	ssize_t result;
	char msg[256];		/* the worker's error message, for the caller */
};

struct pvmio_pool {
	pthread_mutex_t busy;	/* one job at a time; others go serial */
	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t wake, idle;
	struct piece *pieces;
	size_t npieces, next, pending;
	size_t first_short;	/* pieces after it are not read; SIZE_MAX */
	bool stop;
	pid_t owner;		/* a forked child has none of our threads */
	unsigned nworkers;
	pthread_t tid[];
};

static void run_piece(struct piece *p)
{
	p->result = pvmio__run_serial(&p->rq);
	if (p->result < (ssize_t)p->rq.len)
		pvmio__errmsg_copy(p->msg, sizeof(p->msg));
}

/*
 * Take pieces until none is left; called with the lock held. Once a piece
 * came back short the result ends there: the pieces after it are not
 * read, so that the caller's buffer past the count stays as it was (but
 * for pieces already under way) and a hole early on costs no full read.
 */
static void drain(struct pvmio_pool *pool)
{
	while (pool->next < pool->npieces) {
		size_t i = pool->next++;
		struct piece *p = &pool->pieces[i];

		if (i > pool->first_short) {
			p->result = 0;	/* never looked at by combine() */
		} else {
			pthread_mutex_unlock(&pool->lock);
			run_piece(p);
			pthread_mutex_lock(&pool->lock);
			if (p->result < (ssize_t)p->rq.len &&
			    i < pool->first_short)
				pool->first_short = i;
		}
		if (--pool->pending == 0)
			pthread_cond_signal(&pool->idle);
	}
}

static void *worker(void *arg)
{
	struct pvmio_pool *pool = arg;

	pthread_mutex_lock(&pool->lock);
	while (!pool->stop) {
		drain(pool);
		if (!pool->stop)
			pthread_cond_wait(&pool->wake, &pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* Cut rq into pieces of at least PIECE_MIN, page-aligned, in order. */
static size_t cut(const struct pvmio__req *rq, unsigned threads,
		  struct piece *out, size_t max)
{
	uint64_t page = pvmio__page_size(), size = rq->len / (2 * threads);
	uint64_t off = 0;
	size_t n = 0;

	size = size < PIECE_MIN ? PIECE_MIN : (size + page - 1) & ~(page - 1);
	while (off < rq->len && n < max) {
		struct piece *p = &out[n++];
		uint64_t len = rq->len - off;

		if (len > size && n < max)
			len = size;
		p->rq = *rq;
		p->rq.addr = rq->addr + off;
		p->rq.len = len;
		pvmio__lcur_advance(&p->rq.local, (size_t)off);
		p->msg[0] = '\0';
		off += len;
	}
	return n;
}

/* What a serial read would have returned. */
static ssize_t combine(const struct piece *p, size_t n)
{
	ssize_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i].result == (ssize_t)p[i].rq.len) {
			total += p[i].result;
			continue;
		}
		if (p[i].result > 0)
			return total + p[i].result;
		if (total == 0)
			pvmio__errmsg_set(p[i].msg);
		return total ? total : p[i].result;
	}
	return total;
}

static ssize_t run_job(struct pvmio_pool *pool, struct pvmio__req *rq)
{
	size_t max = 2 * ((size_t)pool->nworkers + 1), n;
	struct piece *pieces = malloc(max * sizeof(*pieces));
	ssize_t result;

	if (!pieces)
		return pvmio__run_serial(rq);
	n = cut(rq, pool->nworkers + 1, pieces, max);
	pthread_mutex_lock(&pool->lock);
	pool->pieces = pieces;
	pool->npieces = n;
	pool->next = 0;
	pool->pending = n;
	pool->first_short = SIZE_MAX;
	pthread_cond_broadcast(&pool->wake);
	drain(pool);
	while (pool->pending)
		pthread_cond_wait(&pool->idle, &pool->lock);
	pool->pieces = NULL;
	pool->npieces = pool->next = 0;
	pthread_mutex_unlock(&pool->lock);
	result = combine(pieces, n);
	free(pieces);
	return result;
}

bool pvmio__pool_wants(const struct pvmio *io, const struct pvmio__req *rq)
{
	return io->pool && !rq->write && rq->len >= PVMIO__PAR_MIN;
}

ssize_t pvmio__pool_run(struct pvmio_pool *pool, struct pvmio__req *rq)
{
	ssize_t n;

	/* after fork() the workers are gone and the locks may be held */
	if (pool->owner != getpid() || pthread_mutex_trylock(&pool->busy))
		return pvmio__run_serial(rq);
	n = run_job(pool, rq);
	pthread_mutex_unlock(&pool->busy);
	return n;
}

void pvmio__pool_free(struct pvmio_pool *pool)
{
	if (!pool)
		return;
	if (pool->owner != getpid()) {
		free(pool);	/* inherited: no threads to join, locks untouchable */
		return;
	}
	pthread_mutex_lock(&pool->lock);
	pool->stop = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nworkers; i++)
		pthread_join(pool->tid[i], NULL);
	pthread_cond_destroy(&pool->wake);
	pthread_cond_destroy(&pool->idle);
	pthread_mutex_destroy(&pool->lock);
	pthread_mutex_destroy(&pool->busy);
	free(pool);
}

static int start_workers(struct pvmio_pool *pool, unsigned n)
{
	int err = 0;

	for (; pool->nworkers < n; pool->nworkers++) {
		err = pvmio__thread_start(&pool->tid[pool->nworkers], worker, pool);
		if (err)
			break;
	}
	return err;
}

static struct pvmio_pool *pool_new(unsigned workers, int *err)
{
	struct pvmio_pool *pool = calloc(1, sizeof(*pool) + workers * sizeof(pthread_t));

	*err = ENOMEM;
	if (!pool)
		return NULL;
	pthread_mutex_init(&pool->busy, NULL);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->idle, NULL);
	pool->owner = getpid();
	*err = start_workers(pool, workers);
	if (*err) {
		pvmio__pool_free(pool);
		return NULL;
	}
	return pool;
}

int pvmio_set_threads(pvmio *io, unsigned n)
{
	int err;

	if (!io)
		return pvmio__fail(EINVAL, "pvmio_set_threads: NULL handle");
	if (n == 0)
		n = pvmio__usable_cpus();
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	pvmio__pool_free(io->pool);
	io->pool = NULL;
	if (n == 1)
		return 0;
	io->pool = pool_new(n - 1, &err);
	if (!io->pool)
		return pvmio__fail(err, "pvmio_set_threads(pid %d, %u threads)",
				   (int)io->pid, n);
	return 0;
}
