/* SPDX-License-Identifier: MIT */
/*
 * A target for tests/cli.sh. It prints "NAME 0xADDR" lines, then "ready",
 * and sleeps until killed (it dies with its parent):
 *
 *   text   "cli-target-text-PID", built at run time: no other copy exists
 *   u32    0x9e3779b9 ^ PID, a 4-byte number
 *   u64    0x0123456789abcdef ^ PID * 0x100000001, an 8-byte number
 *   buf    64 writable bytes of '.'
 *   hole   an unmapped page, right after a page of 'A'
 *   ro     a read-only page of 'R'
 *   none   a PROT_NONE page
 *   short  two pages mapping a one-page memfd: the second page is past the
 *          end of the file, so a read of it fails (EFAULT) and a dump of
 *          the region keeps only the first page ((nil) without memfd)
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Two pages of which only the first can be read, or NULL. */
static char *short_map(size_t pg)
{
	int fd = memfd_create("cli-short", MFD_CLOEXEC);
	char *p;

	if (fd < 0 || ftruncate(fd, (off_t)pg) < 0)
		return NULL;
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 'S', pg);
	return p;
}

static char text[64];
static char buf[64];
static volatile uint32_t u32;
static volatile uint64_t u64;

static char *pages(size_t n, int c)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("cli_target: mmap");
		_exit(1);
	}
	memset(p, c, n * pg);
	return p;
}

int main(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	pid_t pid = getpid();
	char *hole = pages(2, 'A') + pg, *ro = pages(1, 'R');
	char *none = pages(1, 'N'), *shrt = short_map(pg);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	munmap(hole, pg);
	mprotect(ro, pg, PROT_READ);
	mprotect(none, pg, PROT_NONE);
	snprintf(text, sizeof(text), "cli-target-text-%d", (int)pid);
	memset(buf, '.', sizeof(buf));
	u32 = 0x9e3779b9u ^ (uint32_t)pid;
	u64 = 0x0123456789abcdefull ^ ((uint64_t)pid * 0x100000001ull);
	printf("text %p\nu32 %p\nu64 %p\nbuf %p\nhole %p\nro %p\nnone %p\n"
	       "short %p\nready\n", (void *)text, (void *)&u32, (void *)&u64,
	       (void *)buf, (void *)hole, (void *)ro, (void *)none,
	       (void *)shrt);
	fflush(stdout);
	for (;;)
		pause();
}
