/* SPDX-License-Identifier: MIT */
/*
 * pvmio_search: every match of a pattern in the readable memory of a
 * process. Readable regions, merged where adjacent, are cut into chunks at
 * multiples of PVMIO__SEARCH_CHUNK; each chunk reads len - 1 bytes beyond
 * its end, and a match belongs to the chunk where it starts, so matches
 * across chunk, page and region borders are found exactly once.
 *
 * On large scans worker threads read and scan chunks into a ring of slots
 * while the calling thread hands each slot's matches to the callback in
 * chunk order: the callback runs only in the caller's thread and sees what
 * a serial scan would show it, stop and errors included. A serial scan is
 * the same loop with one slot and no workers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "search.h"

struct span {
	uint64_t start, end;
};

struct chunk {
	uint64_t start;		/* first byte read and first start owned */
	uint64_t stop;		/* end of the starts owned */
	uint64_t end;		/* end of the bytes read: stop + len - 1 */
	bool zero;		/* all in a hole: nothing to read */
};

enum { FREE, BUSY, DONE };

struct slot {
	struct chunk c;
	uint8_t *buf;		/* buf[i] holds the byte at c.start + i */
	struct pvmio__hits hits;
	int state;
	int err;		/* 0, or the errno that ended this chunk */
	char msg[256];		/* its pvmio_errmsg(), from the thread that
				   saw it */
};

struct job {
	pvmio *io;
	struct pvmio__pat pat;
	struct span *spans;
	size_t nspans;
	struct pvmio__hole *holes;	/* zeros, not read */
	size_t nholes;
	/* the chunk enumerator and the ring, under mu */
	size_t next_span, next_hole;
	uint64_t next_pos;
	bool exhausted, stop;
	bool store;		/* matches go to a callback, not just counted */
	struct slot *slots;
	size_t nslots;
	uint64_t claimed, delivered;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the slots' buffers and the masked pattern, one mapping */
	uint8_t *bufs;
	size_t bufs_len;
	unsigned threads;
	pid_t owner;		/* a child that the callback forked is not */
};

static bool special(const char *path)
{
	/* the kernel's own pages: reading them is refused or meaningless */
	return !strcmp(path, "[vvar]") || !strcmp(path, "[vvar_vclock]") ||
	       !strcmp(path, "[vsyscall]");
}

/*
 * The readable regions of pid, adjacent ones merged into one span, and
 * the holes of never-touched memory in them.
 */
static int make_spans(struct job *j, pid_t pid, unsigned flags)
{
	struct pvmio_region *r;
	size_t n, k = 0;

	if (pvmio_maps(pid, &r, &n))
		return -1;
	j->spans = malloc((n ? n : 1) * sizeof(*j->spans));
	if (!j->spans) {
		pvmio_maps_free(r, n);
		return pvmio__fail(ENOMEM, "pvmio_search(pid %d)", (int)pid);
	}
	for (size_t i = 0; i < n; i++) {
		if (!(r[i].prot & PROT_READ) || special(r[i].path))
			continue;
		if (k && j->spans[k - 1].end == r[i].start)
			j->spans[k - 1].end = r[i].end;
		else
			j->spans[k++] = (struct span){ r[i].start, r[i].end };
	}
	if (!(flags & PVMIO__SEARCH_READ_ALL))
		pvmio__holes(pid, r, n, &j->holes, &j->nholes);
	pvmio_maps_free(r, n);
	j->nspans = k;
	return 0;
}

/* The bytes to read: readable ones but for holes. */
static uint64_t readable_bytes(const struct job *j, uint64_t *longest)
{
	uint64_t total = 0;

	*longest = 0;
	for (size_t i = 0; i < j->nspans; i++) {
		uint64_t n = j->spans[i].end - j->spans[i].start;

		total += n;
		if (n > *longest)
			*longest = n;
	}
	for (size_t i = 0; i < j->nholes; i++)
		total -= j->holes[i].end - j->holes[i].start;
	return total;
}

/*
 * Cut [pos, *stop) where the starts whose len bytes all lie in a hole
 * begin or end; true when the starts left are such starts. Locked.
 */
static bool hole_cut(struct job *j, uint64_t pos, uint64_t *stop)
{
	const uint64_t len = j->pat.len;

	for (; j->next_hole < j->nholes; j->next_hole++) {
		const struct pvmio__hole *h = &j->holes[j->next_hole];
		uint64_t zend;

		if (h->end - h->start < len)
			continue;
		zend = h->end - len + 1;
		if (zend <= pos)
			continue;
		if (h->start <= pos) {
			/* no offsets to keep: one chunk for the whole hole */
			if (zend < *stop || !j->store || !j->pat.zeros)
				*stop = zend;
			return true;
		}
		if (h->start < *stop)
			*stop = h->start;
		return false;
	}
	return false;
}

/* The next chunk in address order; false when there is none. Locked. */
static bool next_chunk(struct job *j, struct chunk *c)
{
	const uint64_t len = j->pat.len;

	for (; j->next_span < j->nspans; j->next_span++) {
		const struct span *s = &j->spans[j->next_span];
		uint64_t pos = j->next_pos > s->start ? j->next_pos : s->start;
		uint64_t last, bound;

		if (s->end - s->start < len)
			continue;
		last = s->end - len + 1;	/* no match starts from here */
		if (pos >= last)
			continue;
		bound = (pos | (PVMIO__SEARCH_CHUNK - 1)) + 1;
		c->start = pos;
		c->stop = bound && bound < last ? bound : last;
		c->zero = hole_cut(j, pos, &c->stop);
		c->end = c->stop + len - 1;
		j->next_pos = c->stop;
		return true;
	}
	return false;
}

static void slot_fail(struct slot *s, int err)
{
	s->err = err;
	snprintf(s->msg, sizeof(s->msg), "%s", pvmio_errmsg());
}

/*
 * Read and scan one chunk. A page that cannot be read (the map changed,
 * or it never could be: I/O mappings, a file mapping past its end) splits
 * the chunk; the scan resumes on the page after it.
 */
static void read_scan(struct job *j, struct slot *s)
{
	const uint64_t page = pvmio__page_size(), len = j->pat.len;
	const struct chunk *c = &s->c;
	uint64_t pos = c->start;

	while (pos < c->stop) {
		uint64_t off = pos - c->start, want = c->end - pos;
		ssize_t n = pvmio_pread(j->io, s->buf + off, want, pos);

		if (n < 0 && errno != EFAULT) {
			slot_fail(s, errno);
			return;
		}
		if (n >= (ssize_t)len) {
			uint64_t limit = (uint64_t)n - len + 1;

			if (limit > c->stop - pos)
				limit = c->stop - pos;
			pvmio__scan(&j->pat, s->buf + off, limit, (uint32_t)off,
				    &s->hits);
		}
		if (n == (ssize_t)want)
			break;
		pos = ((pos + (uint64_t)(n > 0 ? n : 0)) & ~(page - 1)) + page;
	}
}

/* A chunk in a hole matches everywhere or nowhere: the bytes are zeros. */
static void work(struct job *j, struct slot *s)
{
	s->err = 0;
	s->hits.n = 0;
	s->hits.nomem = false;
	if (!s->c.zero)
		read_scan(j, s);
	else if (j->pat.zeros)
		pvmio__hits_run(&s->hits, 0, s->c.stop - s->c.start);
	if (!s->err && s->hits.nomem) {
		pvmio__fail(ENOMEM, "pvmio_search(pid %d): match list",
			    (int)pvmio_pid(j->io));
		slot_fail(s, ENOMEM);
	}
}

/* Take the next chunk into a free slot, or NULL. Locked. */
static struct slot *claim(struct job *j)
{
	struct slot *s;

	if (j->stop || j->exhausted || j->claimed - j->delivered == j->nslots)
		return NULL;
	s = &j->slots[j->claimed % j->nslots];
	if (!next_chunk(j, &s->c)) {
		j->exhausted = true;
		pthread_cond_broadcast(&j->cv);
		return NULL;
	}
	s->state = BUSY;
	j->claimed++;
	return s;
}

/* Work on a claimed slot outside the lock. Locked on entry and exit. */
static void run_claimed(struct job *j, struct slot *s)
{
	pthread_mutex_unlock(&j->mu);
	work(j, s);
	pthread_mutex_lock(&j->mu);
	s->state = DONE;
	pthread_cond_broadcast(&j->cv);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct slot *s;

	pthread_mutex_lock(&j->mu);
	while (!j->stop && !j->exhausted) {
		s = claim(j);
		if (s)
			run_claimed(j, s);
		else if (!j->stop && !j->exhausted)
			pthread_cond_wait(&j->cv, &j->mu);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Hand one chunk's matches to the callback; true when it asks to stop. */
static bool deliver(const struct slot *s, pvmio_match_fn fn, void *arg,
		    ssize_t *count)
{
	if (!fn) {
		*count += (ssize_t)s->hits.n;
		return false;
	}
	for (size_t i = 0; i < s->hits.n; i++) {
		++*count;
		if (fn(s->c.start + s->hits.off[i], arg))
			return true;
	}
	return false;
}

/*
 * The calling thread: deliver the oldest chunk when it is done, else work
 * on the next one itself, else wait for a worker. Locked throughout but
 * for the callback and the work.
 */
static ssize_t pump(struct job *j, pvmio_match_fn fn, void *arg, int *err)
{
	ssize_t count = 0;
	bool stop = false;
	struct slot *s;

	while (!stop) {
		s = &j->slots[j->delivered % j->nslots];
		if (j->delivered < j->claimed && s->state == DONE) {
			if (s->err) {
				*err = s->err;
				break;
			}
			pthread_mutex_unlock(&j->mu);
			stop = deliver(s, fn, arg, &count);
			if (fn && s->hits.n && getpid() != j->owner)
				return count;	/* unlocked: see run() */
			pthread_mutex_lock(&j->mu);
			s->state = FREE;
			j->delivered++;
			pthread_cond_broadcast(&j->cv);
		} else if ((s = claim(j))) {
			run_claimed(j, s);
		} else if (j->exhausted && j->delivered == j->claimed) {
			break;
		} else {
			pthread_cond_wait(&j->cv, &j->mu);
		}
	}
	return count;
}

static unsigned spawn(struct job *j, pthread_t *tids, unsigned want)
{
	unsigned n;

	for (n = 0; n < want; n++)
		if (pvmio__thread_start(&tids[n], worker, j))
			break;	/* fewer workers: slower, still right */
	return n;
}

static ssize_t run(struct job *j, pvmio_match_fn fn, void *arg)
{
	pthread_t tids[PVMIO__SEARCH_MAX_THREADS];
	ssize_t count;
	unsigned n;
	int err = 0;

	j->store = fn != NULL;
	for (size_t i = 0; i < j->nslots; i++)
		j->slots[i].hits.store = j->store;
	n = spawn(j, tids, j->threads - 1);
	pthread_mutex_lock(&j->mu);
	count = pump(j, fn, arg, &err);
	/*
	 * The callback forked and this is the child: the workers, and the
	 * lock or slots they held, stayed in the parent. Its search ends here,
	 * as if the callback had stopped it.
	 */
	if (getpid() != j->owner)
		return count;
	j->stop = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	while (n)
		pthread_join(tids[--n], NULL);
	if (err) {
		/* the slot kept the whole message, strerror included */
		pvmio__errmsg_set(j->slots[j->delivered % j->nslots].msg);
		errno = err;
		return -1;
	}
	return count;
}

static unsigned pick_threads(unsigned asked, uint64_t bytes)
{
	if (!asked)
		asked = bytes < PVMIO__SEARCH_PAR_MIN ? 1
						      : pvmio__usable_cpus();
	return asked < PVMIO__SEARCH_MAX_THREADS ? asked
						 : PVMIO__SEARCH_MAX_THREADS;
}

/*
 * Slots, their page-aligned buffers (the kernel copies fastest so) and the
 * pattern, in a mapping made after the map was read: it is never searched.
 */
static int setup(struct job *j, const void *pattern, const void *mask,
		 size_t len, unsigned threads, uint64_t bytes)
{
	size_t page = pvmio__page_size(), each, room;

	each = (PVMIO__SEARCH_CHUNK + len - 1 + page - 1) & ~(page - 1);
	j->threads = pick_threads(threads, bytes);
	if (each > 64 * PVMIO__SEARCH_CHUNK)
		j->threads = 1;	/* huge patterns: keep the buffers few */
	j->nslots = j->threads > 1 ? PVMIO__SEARCH_SLOTS * (size_t)j->threads
				   : 1;
	j->slots = calloc(j->nslots, sizeof(*j->slots));
	if (!j->slots || __builtin_mul_overflow(each, j->nslots, &room) ||
	    __builtin_add_overflow(room, 2 * len, &j->bufs_len))
		return pvmio__fail(ENOMEM, "pvmio_search: %zu slots",
				   j->nslots);
	j->bufs = mmap(NULL, j->bufs_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (j->bufs == MAP_FAILED) {
		j->bufs = NULL;
		return pvmio__fail(ENOMEM, "pvmio_search: mmap(%zu)",
				   j->bufs_len);
	}
	for (size_t i = 0; i < j->nslots; i++)
		j->slots[i].buf = j->bufs + i * each;
	pvmio__pat_init(&j->pat, pattern, mask, len, j->bufs + room);
	return 0;
}

/* Jobs left in children that a callback forked: reachable, never freed. */
static struct job *volatile orphans;

/*
 * In a child that the callback forked, the slots are left alone (a worker
 * of the parent may have been changing one) but kept reachable, and the
 * lock is never touched.
 */
static void orphan(const struct job *j)
{
	struct job *k = malloc(sizeof(*k));

	if (k)
		*k = *j;
	orphans = k;
}

static void teardown(struct job *j)
{
	int err = errno;

	if (getpid() != j->owner) {
		orphan(j);
	} else {
		for (size_t i = 0; j->slots && i < j->nslots; i++)
			free(j->slots[i].hits.off);
		free(j->slots);
		pthread_mutex_destroy(&j->mu);
		pthread_cond_destroy(&j->cv);
	}
	if (j->bufs)
		munmap(j->bufs, j->bufs_len);
	free(j->spans);
	free(j->holes);
	pvmio_close(j->io);
	errno = err;
}

static int check_args(pid_t pid, const void *pattern, size_t len)
{
	if (pid <= 0)
		return pvmio__fail(EINVAL, "pvmio_search(pid %d)", (int)pid);
	if (!pattern || !len)
		return pvmio__fail(EINVAL, "pvmio_search(pid %d): %s",
				   (int)pid, pattern ? "empty pattern"
						     : "NULL pattern");
	return 0;
}

ssize_t pvmio__search_ex(pid_t pid, const void *pattern, const void *mask,
			 size_t len, pvmio_match_fn on_match, void *arg,
			 unsigned threads, unsigned flags)
{
	struct job j = { .mu = PTHREAD_MUTEX_INITIALIZER,
			 .cv = PTHREAD_COND_INITIALIZER };
	uint64_t bytes, longest;
	ssize_t ret = -1;

	if (check_args(pid, pattern, len))
		return -1;
	j.owner = getpid();
	if (pvmio_open(&j.io, pid, 0, 0) || make_spans(&j, pid, flags))
		goto out;
	bytes = readable_bytes(&j, &longest);
	if (len > longest) {
		ret = 0;	/* nowhere long enough: nothing to read */
		goto out;
	}
	if (!setup(&j, pattern, mask, len, threads, bytes))
		ret = run(&j, on_match, arg);
out:
	teardown(&j);
	return ret;
}

ssize_t pvmio__search(pid_t pid, const void *pattern, const void *mask,
		      size_t len, pvmio_match_fn on_match, void *arg,
		      unsigned threads)
{
	return pvmio__search_ex(pid, pattern, mask, len, on_match, arg,
				threads, 0);
}

ssize_t pvmio_search(pid_t pid, const void *pattern, const void *mask,
		     size_t len, pvmio_match_fn on_match, void *arg)
{
	return pvmio__search(pid, pattern, mask, len, on_match, arg, 0);
}
