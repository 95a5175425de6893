/* SPDX-License-Identifier: MIT */
/*
 * pvmio demo: a walk through the commands on a process of our own. A forked
 * target keeps a greeting and a counter and tells us, through a pipe, when
 * either changes under it; the demo runs the real subcommands on it, so
 * what it prints is what you would see typing them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/*
 * A sanitizer maps terabytes of shadow memory, readable, into the forked
 * target: searching it would take minutes and fill the target's page
 * tables with zero pages. In such a build the demo skips its search.
 */
#if defined(__SANITIZE_ADDRESS__)
#define DEMO_SANITIZER "AddressSanitizer"
#elif defined(__SANITIZE_THREAD__)
#define DEMO_SANITIZER "ThreadSanitizer"
#elif defined(__SANITIZE_HWADDRESS__)
#define DEMO_SANITIZER "HWAddressSanitizer"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEMO_SANITIZER "AddressSanitizer"
#elif __has_feature(thread_sanitizer)
#define DEMO_SANITIZER "ThreadSanitizer"
#elif __has_feature(memory_sanitizer)
#define DEMO_SANITIZER "MemorySanitizer"
#elif __has_feature(hwaddress_sanitizer)
#define DEMO_SANITIZER "HWAddressSanitizer"
#endif
#endif

#define JUMP		1000000u	/* the counter value we write */
#define WAIT_MS		10000		/* for a line from the target */

static const struct option long_opts[] = {
	CLI_COMMON_LONG,
	{ NULL, 0, NULL, 0 },
};

/* The target's state: in the child, at the same addresses as here. */
static char greeting[64];
static volatile uint64_t counter;

struct demo {
	pid_t pid;
	int fd;			/* the target's reports */
	uint64_t greeting, counter, hole;
	pvmio *io;
};

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The child. It keeps a hash, not a copy, of its greeting: a copy would be
 * a second match for the search. */
static __attribute__((noreturn)) void target(int fd, pid_t parent)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *area = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t h;
	uint64_t c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || area == MAP_FAILED)
		_exit(1);
	memset(area, '=', (size_t)pg);
	munmap(area + pg, (size_t)pg);	/* a hole right after the page */
	snprintf(greeting, sizeof(greeting), "hello-from-pid-%d", (int)getpid());
	h = hash(greeting);
	dprintf(fd, "%p %p %p\n", (void *)greeting, (void *)&counter,
		(void *)(area + pg));
	for (;;) {
		pause_ms(10);
		if (hash(greeting) != h) {
			h = hash(greeting);
			dprintf(fd, "my greeting is now \"%s\"\n", greeting);
		}
		/* One instruction: a freeze never falls between the load
		 * and the store, so a value written while frozen stays. */
		c = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
		if (c == JUMP)
			dprintf(fd, "my counter jumped to %" PRIu64 "\n", c);
	}
}

/* One line from the target, or -1 after WAIT_MS. */
static int target_line(struct demo *d, char *buf, size_t n)
{
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	size_t len = 0;
	ssize_t r;

	while (len + 1 < n) {
		if (poll(&pfd, 1, WAIT_MS) <= 0)
			return -1;
		r = read(d->fd, buf + len, 1);
		if (r <= 0)
			return -1;
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return 0;
}

static int start_target(struct demo *d)
{
	char line[256];
	void *g, *c, *h;
	pid_t parent = getpid();
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return cli_fail_errno("demo: pipe");
	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0)
		return cli_fail_errno("demo: fork");
	if (d->pid == 0) {
		close(p[0]);
		target(p[1], parent);
	}
	close(p[1]);
	d->fd = p[0];
	if (target_line(d, line, sizeof(line)) < 0 ||
	    sscanf(line, "%p %p %p", &g, &c, &h) != 3)
		return cli_fail("demo: the target did not start");
	d->greeting = (uintptr_t)g;
	d->counter = (uintptr_t)c;
	d->hole = (uintptr_t)h;
	if (pvmio_open(&d->io, d->pid, 0, 0) < 0)
		return cli_fail_errno("demo: open pid %d", (int)d->pid);
	return CLI_OK;
}

/* Print the command line, then run it as `pvmio` would. */
static int shell(const struct cli_cmd *cmd, const char *fmt, ...)
{
	char line[256], *argv[16], *save = NULL, *t;
	int argc = 0, ret;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("$ pvmio %s %s\n", cmd->name, line);
	fflush(stdout);
	argv[argc++] = (char *)cmd->name;
	for (t = strtok_r(line, " ", &save); t && argc < 15;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	ret = cli_run(cmd, argc, argv);
	fflush(stdout);
	fflush(stderr);
	return ret;
}

static void title(const char *text)
{
	printf("\n== %s\n", text);
}

static uint64_t counter_now(struct demo *d)
{
	uint64_t v = 0;

	pvmio_pread(d->io, &v, sizeof(v), d->counter);
	return v;
}

static int find_and_read(struct demo *d)
{
	title("maps: where the target's memory is");
	if (shell(&cli_cmd_maps, "%d", (int)d->pid))
		return CLI_FAIL;
	title("search: find the greeting by its text");
#ifdef DEMO_SANITIZER
	printf("(skipped: this pvmio is built with " DEMO_SANITIZER ", and "
	       "its forked target\n carries terabytes of shadow memory)\n");
#else
	if (shell(&cli_cmd_search, "%d -s hello-from-pid-%d", (int)d->pid,
		  (int)d->pid))
		return CLI_FAIL;
#endif
	title("read: the bytes there, as xxd shows them");
	return shell(&cli_cmd_read, "%d 0x%" PRIx64 " 32", (int)d->pid,
		     d->greeting) ? CLI_FAIL : CLI_OK;
}

static int freeze_and_write(struct demo *d)
{
	uint64_t a, b;

	title("the counter runs: the target adds 1 every 10 ms");
	a = counter_now(d);
	pause_ms(100);
	b = counter_now(d);
	printf("counter %" PRIu64 ", 100 ms later %" PRIu64 "\n", a, b);
	title("freeze: pvmio_freeze() stops every thread of the target");
	if (pvmio_freeze(d->pid) < 0)
		return cli_fail_errno("demo: freeze pid %d", (int)d->pid);
	a = counter_now(d);
	pause_ms(100);
	b = counter_now(d);
	printf("counter %" PRIu64 ", 100 ms later still %" PRIu64 "\n", a, b);
	title("write: while it stands still, change its greeting and counter");
	if (shell(&cli_cmd_write, "%d 0x%" PRIx64 " 48454c4c4f", (int)d->pid,
		  d->greeting) ||
	    shell(&cli_cmd_write, "%d 0x%" PRIx64 " 40420f00 00000000",
		  (int)d->pid, d->counter))
		return CLI_FAIL;
	return CLI_OK;
}

static int thaw_and_watch(struct demo *d)
{
	char line[256];
	int i;

	title("thaw: pvmio_thaw() lets it run; it notices both changes");
	if (pvmio_thaw(d->pid) < 0)
		return cli_fail_errno("demo: thaw pid %d", (int)d->pid);
	for (i = 0; i < 2; i++) {
		if (target_line(d, line, sizeof(line)) < 0)
			return cli_fail("demo: the target did not react");
		printf("target %d says: %s\n", (int)d->pid, line);
	}
	title("a read that runs into an unmapped page stops there (exit 1)");
	if (shell(&cli_cmd_read, "%d 0x%" PRIx64 " 32", (int)d->pid,
		  d->hole - 16) != CLI_FAIL)
		return cli_fail("demo: the read past the hole did not stop");
	return CLI_OK;
}

static int demo(void)
{
	struct demo d = { .pid = -1, .fd = -1 };
	int ret;

	printf("pvmio demo: the pvmio commands on a process of our own\n");
	ret = start_target(&d);
	if (ret == CLI_OK) {
		printf("target: pid %d, greeting at 0x%" PRIx64 ", counter at "
		       "0x%" PRIx64 "\n", (int)d.pid, d.greeting, d.counter);
		ret = find_and_read(&d);
	}
	if (ret == CLI_OK)
		ret = freeze_and_write(&d);
	if (ret == CLI_OK)
		ret = thaw_and_watch(&d);
	pvmio_close(d.io);
	if (d.pid > 0) {
		kill(d.pid, SIGKILL);
		waitpid(d.pid, NULL, 0);
	}
	if (d.fd >= 0)
		close(d.fd);
	if (ret == CLI_OK)
		printf("\ndone: target %d stopped. See pvmio --help.\n",
		       (int)d.pid);
	return ret;
}

static int run(int argc, char **argv)
{
	static const char *const names[] = { NULL };
	int c;

	while ((c = cli_getopt(&cli_cmd_demo, argc, argv)) != -1)
		return c == 'h' ? CLI_OK : CLI_USAGE;
	if (cli_operands(&cli_cmd_demo, argc, argv, names, 0))
		return CLI_USAGE;
	return demo();
}

const struct cli_cmd cli_cmd_demo = {
	.name = "demo",
	.synopsis = "",
	.summary = "a walkthrough on a target process of its own",
	.help = "Starts a small target process holding a greeting and a\n"
		"counter, then runs maps, search, read, freeze, write and thaw\n"
		"on it, printing each command and its output, and shows the\n"
		"target reacting to the written values.\n",
	.short_opts = CLI_COMMON_SHORT,
	.long_opts = long_opts,
	.run = run,
};
