/* SPDX-License-Identifier: MIT */
/*
 * pvmio dump PID -o DIR [--freeze]: every readable region into a file of
 * its own, plus DIR/index: one line per region, the file name ("-" when
 * nothing could be read) and the region's maps line. A region that fails
 * alone (EFAULT, EIO) is skipped with a note; ESRCH or EPERM ends the dump,
 * since every later region would fail alike.
 *
 * With --freeze the target is stopped for the dump and resumed on every way
 * out: success, error, and SIGINT/SIGTERM/SIGHUP (caught while frozen, then
 * re-raised once the target runs again). A target that someone else had
 * stopped (state T or t: SIGSTOP, a debugger) stays stopped: pvmio_freeze()
 * succeeds on it all the same, so the state is read before.
 *
 * Each region is written behind its reads: a thread of its own
 * (writer.c) writes each chunk to the file while the next is read, so
 * that both cores work; the files, the index and the notes are the serial
 * dump's, byte for byte. The reads stay on this thread and are not split
 * further (pvmio_set_threads): the other core is the writer's, and the
 * writes bound the dump anyway (tmpfs takes a file's lock for each write,
 * so one region's writes never overlap each other; bench/README.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "writer.h"

#define OPT_FREEZE	256
/* Small enough that the buffers in flight stay in the L3 cache, where the
 * writer's copy finds them (2 MiB: 0.45 s for 1 GiB; 16 MiB: 0.49 s). */
#define CHUNK		(2u << 20)

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ "output", required_argument, NULL, 'o' },
	{ "freeze", no_argument, NULL, OPT_FREEZE },
	{ NULL, 0, NULL, 0 },
};

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))

struct dump {
	pid_t pid;
	const char *dir;
	bool freeze;
	pvmio *io;
	int dirfd;
	FILE *index;
	struct pvmio_region *maps;
	size_t nmaps, dumped, skipped;
	uint64_t pos;		/* bytes of the regions passed (the bar) */
	uint64_t written;	/* the bytes in DIR's files */
	struct cli_writer out;
	struct cli_progress bar;
	struct sigaction old[NSIGNALS];
};

/* Atomic: the handler may run on the writer's thread. */
static atomic_int caught;

static void on_signal(int sig)
{
	caught = sig;
}

/*
 * No SA_RESTART: a blocked open() or write() returns EINTR at once. A signal
 * we were started ignoring (nohup, a background job) stays ignored.
 */
static void catch_signals(struct dump *d)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	caught = 0;
	for (i = 0; i < NSIGNALS; i++) {
		sigaction(stop_signals[i], NULL, &d->old[i]);
		if (d->old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	default:
		return "SIGHUP";
	}
}

static void restore_signals(struct dump *d)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		sigaction(stop_signals[i], &d->old[i], NULL);
}

static void note(struct dump *d, const struct pvmio_region *r,
		 const char *what)
{
	cli_progress_hide(&d->bar);
	DISPLAYLEVEL(2, "pvmio: dump: %012" PRIx64 "-%012" PRIx64 " %s: %s\n",
		     r->start, r->end, cli_path(r), what);
}

/*
 * Region bytes into fd; returns how many, or -1 when fd failed.
 * *err gets the errno that stopped the read early, else 0.
 */
static int64_t copy_region(struct dump *d, const struct pvmio_region *r,
			   int fd, int *err)
{
	uint64_t got = 0, len = r->end - r->start;
	unsigned char *buf;
	ssize_t n;

	*err = 0;
	while (got < len && !caught) {
		size_t want = len - got < CHUNK ? len - got : CHUNK;

		buf = cli_writer_buf(&d->out);
		if (!buf)
			break;	/* a write failed, or a signal: see below */
		n = pvmio_pread(d->io, buf, want, r->start + got);
		if (n <= 0) {
			*err = n < 0 ? errno : EFAULT;
			break;
		}
		cli_writer_push(&d->out, fd, (size_t)n);
		got += (uint64_t)n;
		cli_progress_update(&d->bar, d->pos + got);
	}
	return cli_writer_drain(&d->out) < 0 ? -1 : (int64_t)got;
}

static void index_line(struct dump *d, const char *name,
		       const struct pvmio_region *r)
{
	fprintf(d->index, "%s ", name);
	cli_maps_line(d->index, r);
	fputc('\n', d->index);
}

/* After a short read: keep what was read, or drop an empty file. */
static void account(struct dump *d, const struct pvmio_region *r,
		    const char *name, int64_t got, int err)
{
	char what[160];

	if (got == 0 && !caught) {
		unlinkat(d->dirfd, name, 0);
		snprintf(what, sizeof(what), "skipped: %s", strerror(err));
		note(d, r, what);
		index_line(d, "-", r);
		d->skipped++;
		return;
	}
	if (err) {
		snprintf(what, sizeof(what), "kept the first %" PRId64
			 " bytes: %s at 0x%" PRIx64, got, strerror(err),
			 r->start + (uint64_t)got);
		note(d, r, what);
	}
	index_line(d, name, r);
	d->dumped++;
}

/*
 * ESRCH or EPERM: the process is gone or out of our reach, and every later
 * region would fail the same way. Keep what was read, and stop.
 */
static int lost(struct dump *d, const struct pvmio_region *r,
		const char *name, int64_t got, int err)
{
	if (got > 0) {
		index_line(d, name, r);
		d->dumped++;
	} else {
		unlinkat(d->dirfd, name, 0);
	}
	cli_progress_hide(&d->bar);
	errno = err;
	return cli_fail_errno("dump: read pid %d at 0x%" PRIx64, (int)d->pid,
			      r->start + (uint64_t)got);
}

static int dump_region(struct dump *d, size_t i)
{
	const struct pvmio_region *r = &d->maps[i];
	char name[64];
	int64_t got;
	int fd, err;

	if (!(r->prot & PROT_READ)) {
		note(d, r, "skipped: not readable");
		index_line(d, "-", r);
		d->skipped++;
		return CLI_OK;
	}
	snprintf(name, sizeof(name), "%04zu-%" PRIx64 ".bin", i, r->start);
	fd = openat(d->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
	if (fd < 0)
		return caught ? CLI_FAIL : cli_fail_errno("dump: %s/%s",
							  d->dir, name);
	got = copy_region(d, r, fd, &err);
	if (got < 0) {
		int e = errno;

		close(fd);
		errno = e;
		/* a signal's own message comes from dump_frozen() */
		return caught ? CLI_FAIL : cli_fail_errno("dump: write %s/%s",
							  d->dir, name);
	}
	if (close(fd) < 0)
		return cli_fail_errno("dump: write %s/%s", d->dir, name);
	d->written += (uint64_t)got;
	d->pos += r->end - r->start;
	if (err == ESRCH || err == EPERM)
		return lost(d, r, name, got, err);
	account(d, r, name, got, err);
	return CLI_OK;
}

static int open_dir(struct dump *d)
{
	int fd;

	if (mkdir(d->dir, 0777) < 0 && errno != EEXIST)
		return cli_fail_errno("dump: mkdir %s", d->dir);
	d->dirfd = open(d->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0)
		return cli_fail_errno("dump: %s", d->dir);
	if (pvmio_maps(d->pid, &d->maps, &d->nmaps) < 0)
		return cli_fail_errno("dump: maps of pid %d", (int)d->pid);
	/* May block (a FIFO); a signal then gets us out with EINTR. */
	fd = openat(d->dirfd, "index", O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0666);
	if (fd < 0 || !(d->index = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return caught ? CLI_FAIL : cli_fail_errno("dump: %s/index",
							  d->dir);
	}
	return CLI_OK;
}

static uint64_t readable_bytes(const struct dump *d)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < d->nmaps; i++)
		if (d->maps[i].prot & PROT_READ)
			total += d->maps[i].end - d->maps[i].start;
	return total;
}

static int dump_all(struct dump *d)
{
	char size[32];
	size_t i;
	int ret = open_dir(d);

	if (ret)
		return ret;
	cli_progress_start(&d->bar, "dump", readable_bytes(d));
	for (i = 0; i < d->nmaps && !ret && !caught; i++)
		ret = dump_region(d, i);
	cli_progress_end(&d->bar);
	if (fclose(d->index) != 0 && !ret)
		ret = cli_fail_errno("dump: write %s/index", d->dir);
	d->index = NULL;
	if (ret || caught)
		return CLI_FAIL;
	DISPLAYLEVEL(2, "dumped %zu regions (%s, %" PRIu64 " bytes) into %s, "
		     "skipped %zu\n", d->dumped,
		     cli_human(d->written, true, size, sizeof(size)),
		     d->written, d->dir, d->skipped);
	return CLI_OK;
}

/* Resume the target after the dump's result ret; returns the new result. */
static int thaw(struct dump *d, int ret)
{
	if (pvmio_thaw(d->pid) == 0) {
		DISPLAYLEVEL(3, "pvmio: dump: pid %d resumed\n", (int)d->pid);
		return ret;
	}
	/* A process that died during a failed dump has nothing to resume:
	 * the dump's error already says so. */
	if (ret == CLI_OK || errno != ESRCH)
		ret = cli_fail_errno("dump: thaw pid %d", (int)d->pid);
	return ret;
}

/* Freeze, dump, and thaw whatever happened in between, unless the target
 * was stopped before we came. */
static int dump_frozen(struct dump *d)
{
	int state = cli_proc_state(d->pid);
	bool theirs = state == 'T' || state == 't';
	int ret, sig;

	catch_signals(d);
	if (pvmio_freeze(d->pid) < 0) {
		restore_signals(d);
		return cli_fail_errno("dump: freeze pid %d", (int)d->pid);
	}
	if (theirs)
		DISPLAYLEVEL(2, "pvmio: dump: pid %d was stopped already; it "
			     "stays stopped\n", (int)d->pid);
	else
		DISPLAYLEVEL(3, "pvmio: dump: pid %d frozen\n", (int)d->pid);
	ret = caught ? CLI_FAIL : dump_all(d);
	if (!theirs)
		ret = thaw(d, ret);
	restore_signals(d);
	sig = caught;
	if (sig) {
		cli_fail("dump: interrupted by %s; pid %d %s", signame(sig),
			 (int)d->pid, theirs ? "stays stopped" : "resumed");
		raise(sig);	/* die of it, as the shell expects */
	}
	return ret;
}

static int do_dump(struct dump *d)
{
	int ret;

	if (pvmio_open(&d->io, d->pid, 0, 0) < 0)
		return cli_fail_errno("open pid %d", (int)d->pid);
	if (cli_writer_init(&d->out, CHUNK, &caught) < 0)
		ret = cli_fail_errno("dump");
	else if (d->freeze)
		ret = dump_frozen(d);
	else
		ret = dump_all(d);
	cli_writer_destroy(&d->out);
	pvmio_close(d->io);
	return ret;
}

static int parse(struct dump *d, int argc, char **argv)
{
	static const char *const names[] = { "PID" };
	const struct cli_cmd *cmd = &cli_cmd_dump;
	int c;

	while ((c = cli_getopt(cmd, argc, argv)) != -1) {
		if (c == 'o')
			d->dir = optarg;
		else if (c == OPT_FREEZE)
			d->freeze = true;
		else
			return c == 'h' ? -1 : CLI_USAGE;
	}
	if (cli_operands(cmd, argc, argv, names, 1) ||
	    cli_arg_pid(cmd, argv[optind], &d->pid))
		return CLI_USAGE;
	if (!d->dir)
		return cli_usage(cmd, "missing -o DIR");
	return CLI_OK;
}

static int run(int argc, char **argv)
{
	struct dump d = { .dirfd = -1 };
	int ret = parse(&d, argc, argv);

	if (ret == 0)
		ret = do_dump(&d);
	if (d.dirfd >= 0)
		close(d.dirfd);
	pvmio_maps_free(d.maps, d.nmaps);
	return ret < 0 ? CLI_OK : ret;
}

const struct cli_cmd cli_cmd_dump = {
	.name = "dump",
	.synopsis = "PID -o DIR [--freeze]",
	.summary = "save every readable region into DIR, with an index",
	.help = "Creates DIR if needed and writes each readable region of the\n"
		"process into DIR/NNNN-START.bin, and DIR/index: one line per\n"
		"region, its file name (- when skipped) and its maps line.\n"
		"Regions that cannot be read are skipped with a note. If the\n"
		"process exits or access is lost, the dump stops (exit 1).\n\n"
		"Options:\n"
		"  -o, --output DIR  where to put the files (required)\n"
		"      --freeze   stop the process during the dump, so that\n"
		"                 the regions are consistent; it is always\n"
		"                 resumed, also on an error or on SIGINT,\n"
		"                 SIGTERM, SIGHUP, unless it was stopped\n"
		"                 already (SIGSTOP, a debugger): then it\n"
		"                 stays stopped\n",
	.short_opts = CLI_COMMON_SHORT "o:",
	.long_opts = long_opts,
	.run = run,
};
