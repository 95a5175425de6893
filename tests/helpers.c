/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct tap {
	int planned, run, failed;
};

static struct tap *tap;

static struct tap *state(void)
{
	if (!tap) {
		tap = mmap(NULL, sizeof(*tap), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (tap == MAP_FAILED) {
			printf("Bail out! mmap: %s\n", strerror(errno));
			exit(1);
		}
	}
	return tap;
}

void t_plan(int n)
{
	state()->planned = n;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", n);
}

void t_skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

static void result(bool cond, const char *directive, const char *fmt, va_list ap)
{
	struct tap *t = state();

	t->run++;
	if (!cond)
		t->failed++;
	printf("%sok %d - ", cond ? "" : "not ", t->run);
	vprintf(fmt, ap);
	printf("%s\n", directive);
	fflush(stdout);
}

void t_skip(int n, const char *fmt, ...)
{
	char why[256], directive[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(directive, sizeof(directive), " # SKIP %s", why);
	for (int i = 0; i < n; i++) {
		struct tap *t = state();

		t->run++;
		printf("ok %d - skipped%s\n", t->run, directive);
	}
	fflush(stdout);
}

bool t_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result(cond, "", fmt, ap);
	va_end(ap);
	return cond;
}

void t_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

bool t_is(long long got, long long want, const char *what)
{
	int err = errno;

	if (t_ok(got == want, "%s", what))
		return true;
	t_diag("  got %lld, want %lld (errno %d %s; pvmio: %s)", got, want, err,
	       strerror(err), pvmio_errmsg());
	return false;
}

bool t_is_err(long long ret, int want_errno, const char *what)
{
	int err = errno;

	if (t_ok(ret == -1 && err == want_errno, "%s", what))
		return true;
	t_diag("  got %lld with errno %d (%s), want -1 with errno %d (%s); pvmio: %s",
	       ret, ret == -1 ? err : 0, ret == -1 ? strerror(err) : "-",
	       want_errno, strerror(want_errno), pvmio_errmsg());
	return false;
}

const char *t_fmt(const char *fmt, ...)
{
	static char buf[256];
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errno = err;
	return buf;
}

int t_done(void)
{
	struct tap *t = state();

	if (t->run != t->planned)
		printf("# planned %d tests but ran %d\n", t->planned, t->run);
	return t->failed || t->run != t->planned;
}

void t_bail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno %d: %s)\n", err, strerror(err));
	fflush(stdout);
	exit(1);
}

size_t t_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

void t_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131u) ^ (i >> 8) ^ (i >> 16) ^ seed);
}

long t_check(const void *buf, size_t len, unsigned seed, size_t off)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		size_t j = i + off;

		if (p[i] != (unsigned char)((j * 131u) ^ (j >> 8) ^ (j >> 16) ^ seed))
			return (long)i;
	}
	return -1;
}

void *t_map(size_t pages, int prot, unsigned seed)
{
	size_t len = pages * t_page();
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		t_bail("mmap %zu pages", pages);
	t_fill(p, len, seed);
	if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, len, prot))
		t_bail("mprotect");
	return p;
}

void t_unmap_page(void *base, size_t index)
{
	if (munmap((char *)base + index * t_page(), t_page()))
		t_bail("munmap");
}

void t_protect_page(void *base, size_t index, int prot)
{
	if (mprotect((char *)base + index * t_page(), t_page(), prot))
		t_bail("mprotect");
}

uint64_t t_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* The len bytes at at, or NULL when the pread moves fewer. */
static char *read_back(pvmio *io, uint64_t at, size_t len)
{
	char *back = malloc(len ? len : 1);

	if (!back)
		t_bail("malloc");
	if (pvmio_pread(io, back, len, at) == (ssize_t)len)
		return back;
	free(back);
	return NULL;
}

bool t_remote_is(pvmio *io, uint64_t at, const void *want, size_t len)
{
	char *back = read_back(io, at, len);
	bool ok = back && memcmp(back, want, len) == 0;

	free(back);
	return ok;
}

bool t_remote_pattern(pvmio *io, uint64_t at, size_t len, unsigned seed,
		      size_t off)
{
	char *back = read_back(io, at, len);
	bool ok = back && t_check(back, len, seed, off) == -1;

	free(back);
	return ok;
}

uint64_t t_rnd(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

pvmio *t_open(pid_t pid, uint64_t addr, unsigned flags)
{
	pvmio *io;

	if (pvmio_open(&io, pid, addr, flags))
		t_bail("pvmio_open(pid %d, 0x%llx, flags 0x%x): %s", (int)pid,
		       (unsigned long long)addr, flags, pvmio_errmsg());
	return io;
}

bool t_cursor_is(pvmio *io, uint64_t want, const char *what)
{
	uint64_t at = 0;
	int r = pvmio_tell(io, &at);

	if (t_ok(r == 0 && at == want, "%s", what))
		return true;
	t_diag("  tell gave %d and 0x%llx, want 0 and 0x%llx", r,
	       (unsigned long long)at, (unsigned long long)want);
	return false;
}

pid_t t_fork(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		t_bail("fork");
	return pid;
}

static void wait_forever(void)
{
	for (;;)
		pause();
}

pid_t t_fork_run(void (*fn)(void *), void *arg)
{
	pid_t parent = getpid(), pid = t_fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		if (fn)
			fn(arg);
		wait_forever();
	}
	return pid;
}

pid_t t_fork_target(void)
{
	return t_fork_run(NULL, NULL);
}

void t_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int write_last_pid(pid_t pid)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	int n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	return ok ? 0 : -1;
}

pid_t t_fork_at_pid(pid_t want)
{
	/* other processes fork too: try a few times before giving up */
	for (int attempt = 0; attempt < 50; attempt++) {
		pid_t pid;

		if (write_last_pid(want - 1))
			return -1;
		pid = t_fork_target();
		if (pid == want)
			return pid;
		t_kill(pid);
		usleep(1000);
	}
	return -1;
}

pid_t t_fork_zombie(void)
{
	pid_t pid = t_fork();
	siginfo_t si;

	if (pid == 0)
		_exit(0);
	/* WNOWAIT: wait until it is a zombie, but leave it one */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT))
		t_bail("waitid");
	return pid;
}

int t_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = t_fork();
	int status;

	if (pid == 0) {
		fflush(stdout);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		t_bail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *t_target_path(const char *name)
{
	static char path[4096];
	const char *o = getenv("O");

	snprintf(path, sizeof(path), "%s/tests/target/%s", o ? o : "build", name);
	return path;
}

struct exec_args {
	const char *path;
	char **argv;
	int out;
};

static void exec_target(void *arg)
{
	const struct exec_args *a = arg;

	if (dup2(a->out, 1) == 1)
		execv(a->path, a->argv);
	_exit(127);
}

pid_t t_exec_target(char *line, size_t size, const char *name, ...)
{
	char *argv[16] = { (char *)name };
	struct exec_args a = { t_target_path(name), argv, -1 };
	int fds[2], n = 1;
	va_list ap;
	pid_t pid;
	FILE *f;

	va_start(ap, name);
	while ((argv[n] = va_arg(ap, char *)))
		if (++n == 16)
			t_bail("t_exec_target %s: too many arguments", name);
	va_end(ap);
	if (pipe2(fds, O_CLOEXEC))
		t_bail("pipe2");
	a.out = fds[1];
	pid = t_fork_run(exec_target, &a);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f || !fgets(line, (int)size, f))
		t_bail("no line from %s", a.path);
	fclose(f);
	return pid;
}

void t_become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(T_NOBODY, T_NOBODY, T_NOBODY) ||
	    setresuid(T_NOBODY, T_NOBODY, T_NOBODY) || geteuid() != T_NOBODY)
		t_bail("dropping to uid %d", T_NOBODY);
}

int t_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool t_under_valgrind(void)
{
	return getenv("PVMIO_VALGRIND") != NULL;
}

unsigned long t_cma_calls;

ssize_t t_cma_syscall(bool write, pid_t pid, const struct iovec *l,
		      unsigned long nl, const struct iovec *r,
		      unsigned long nr, unsigned long flags)
{
	return syscall(write ? SYS_process_vm_writev : SYS_process_vm_readv,
		       pid, l, nl, r, nr, flags);
}
