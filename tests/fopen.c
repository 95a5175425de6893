/* SPDX-License-Identifier: MIT */
/*
 * pvmio_fopen: a stdio stream over a forked child's memory. fread, fgets,
 * fseeko/ftello, fwrite + fflush reaching the child, the access of each
 * mode, buffering across pages, the exact bytes before an unmapped page and
 * then ferror with EFAULT, bad modes and pids, and EOVERFLOW for positions
 * from 2^63 on, which off64_t cannot hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"

#define PAGES 6
#define HOLE 4		/* pages 0-3 mapped, 4 unmapped, 5 mapped */
#define TEXT_OFF 100	/* where the lines sit in page 0 */
#define SEED 3

static const char text[] = "hello, world\nsecond line\n";

static char *area;
static pvmio *io;	/* to look at the child's memory behind the stream */
static size_t pg;

static uint64_t at(size_t off)
{
	return (uint64_t)(uintptr_t)(area + off);
}

static void reading(pid_t child)
{
	FILE *f = pvmio_fopen(child, at(0), "r");
	char buf[3 * 4096 + 100], line[64];

	if (!t_ok(f != NULL, "fopen \"r\""))
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	t_is((long long)fread(buf, 1, 3 * pg + 100, f),
	     (long long)(3 * pg + 100), "fread over three page borders");
	t_ok(!memcmp(buf + TEXT_OFF, text, sizeof(text)) &&
	     t_check(buf + TEXT_OFF + sizeof(text), 3 * pg - TEXT_OFF, SEED,
		     TEXT_OFF + sizeof(text)) == -1, "the bytes are the child's");
	t_is(ftello64(f), (long long)at(3 * pg + 100),
	     "ftello: the address after them");
	t_is(fseeko64(f, (off64_t)at(TEXT_OFF), SEEK_SET), 0,
	     "fseeko SEEK_SET to the text");
	t_ok(fgets(line, sizeof(line), f) && !strcmp(line, "hello, world\n"),
	     "fgets the first line");
	t_ok(fgets(line, sizeof(line), f) && !strcmp(line, "second line\n"),
	     "fgets the second line");
	t_is(fseeko64(f, -12, SEEK_CUR), 0, "fseeko SEEK_CUR backwards");
	t_is(ftello64(f), (long long)at(TEXT_OFF + 13), "ftello after it");
	t_is(fgetc(f), 's', "fgetc there");
	t_is_err(fseeko64(f, 0, SEEK_END), EOVERFLOW,
		 "fseeko SEEK_END: the end (2^64) does not fit off64_t");
	t_is(fputc('x', f), EOF, "\"r\" refuses fputc");
	t_ok(ferror(f) && errno == EBADF, "ferror with EBADF");
	t_is(fclose(f), 0, "fclose");
}

/* Small freads through stdio's buffer, starting near a page end. */
static void buffered(pid_t child)
{
	FILE *f = pvmio_fopen(child, at(pg - 300), "rb");
	char *buf = malloc(2 * pg);
	size_t got = 0;

	if (!f || !buf)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	while (got + 7 <= 2 * pg && fread(buf + got, 1, 7, f) == 7)
		got += 7;
	t_is((long long)got, (long long)(2 * pg / 7 * 7),
	     "7-byte freads over two pages");
	t_is(t_check(buf, got, SEED, pg - 300), -1,
	     "the bytes match across the borders");
	fclose(f);
	free(buf);
}

static void into_the_hole(pid_t child)
{
	FILE *f = pvmio_fopen(child, at(HOLE * pg - 37), "r");
	char buf[100];

	if (!f)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	errno = 0;
	t_is((long long)fread(buf, 1, sizeof(buf), f), 37,
	     "fread stops at the unmapped page, to the byte");
	t_is(t_check(buf, 37, SEED, HOLE * pg - 37), -1, "the 37 bytes are right");
	t_ok(ferror(f) && !feof(f), "then ferror, not feof");
	t_is(errno, EFAULT, "errno EFAULT");
	fclose(f);
}

static void writing(pid_t child)
{
	FILE *f = pvmio_fopen(child, at(pg - 5), "r+");
	char src[20], back[20];

	if (!f)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	memset(src, 0xa5, sizeof(src));
	t_is((long long)fwrite(src, 1, sizeof(src), f), (long long)sizeof(src),
	     "\"r+\": fwrite across a page border");
	t_is(fflush(f), 0, "fflush");
	pvmio_pread(io, back, sizeof(back), at(pg - 5));
	t_ok(!memcmp(src, back, sizeof(src)), "the bytes arrived in the child");
	t_is(fseeko64(f, (off64_t)at(pg - 6), SEEK_SET), 0, "fseeko back");
	t_is((long long)fread(back, 1, 2, f), 2, "\"r+\" reads too");
	t_ok((unsigned char)back[1] == 0xa5 &&
	     t_check(back, 1, SEED, pg - 6) == -1,
	     "what it reads is old and new bytes");
	fclose(f);
}

static void write_only(pid_t child)
{
	size_t off = 2 * pg + 10;
	FILE *f = pvmio_fopen(child, at(off), "w");
	char src[64], back[128];

	if (!f)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	t_is(fgetc(f), EOF, "\"w\" refuses reads");
	t_ok(ferror(f) && errno == EBADF, "ferror with EBADF");
	clearerr(f);
	memset(src, 0x3c, sizeof(src));
	fwrite(src, 1, sizeof(src), f);
	t_is(fflush(f), 0, "\"w\": fwrite + fflush");
	pvmio_pread(io, back, sizeof(back), at(off));
	t_ok(!memcmp(back, src, sizeof(src)) &&
	     t_check(back + 64, 64, SEED, off + 64) == -1,
	     "the bytes arrived, and nothing after them was truncated");
	fclose(f);
	f = pvmio_fopen(child, at(HOLE * pg - 10), "wb");
	fwrite(src, 1, sizeof(src), f);
	errno = 0;
	t_is(fflush(f), EOF, "fflush of a write into the unmapped page fails");
	t_ok(ferror(f) && errno == EFAULT, "ferror with EFAULT");
	pvmio_pread(io, back, 10, at(HOLE * pg - 10));
	t_ok(!memcmp(back, src, 10), "the 10 bytes before the page arrived");
	fclose(f);
}

static void modes(pid_t child)
{
	static const char *good[] = { "w+", "rb", "br", "r+b", "rb+", "wb+" };
	static const char *bad[] = { "", "a", "a+", "x", "rw", "r++", "rbb",
				     "re", "w+x", "+r", "b" };
	int ok = 0;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		FILE *f = pvmio_fopen(child, at(0), good[i]);

		ok += f != NULL;
		if (f)
			fclose(f);
	}
	t_is(ok, sizeof(good) / sizeof(*good), "w+ and modes with one b open");
	ok = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		errno = 0;
		ok += !pvmio_fopen(child, at(0), bad[i]) && errno == EINVAL;
	}
	t_is(ok, sizeof(bad) / sizeof(*bad), "every bad mode: NULL with EINVAL");
	t_ok(!pvmio_fopen(child, at(0), NULL) && errno == EINVAL,
	     "NULL mode: EINVAL");
	t_ok(strstr(pvmio_errmsg(), "mode") != NULL,
	     "the message names the mode: %s", pvmio_errmsg());
}

static void bad_pids(void)
{
	pid_t gone = t_fork_target();

	t_kill(gone);
	errno = 0;
	t_ok(!pvmio_fopen(0, 0, "r") && errno == EINVAL,
	     "pid 0: NULL with EINVAL");
	t_ok(!pvmio_fopen(gone, 0, "r") && errno == ESRCH,
	     "a reaped child: NULL with ESRCH");
}

static void overflow(pid_t child)
{
	uint64_t top = (uint64_t)INT64_MAX + 1;	/* 2^63 */
	FILE *f = pvmio_fopen(child, top - 16, "r");

	if (!f)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	t_is(ftello64(f), (long long)(top - 16), "ftello just below 2^63");
	t_is_err(fseeko64(f, 32, SEEK_CUR), EOVERFLOW,
		 "fseeko SEEK_CUR to 2^63 + 16: EOVERFLOW");
	t_is(ftello64(f), (long long)(top - 16), "the position did not move");
	t_is_err(fseeko64(f, -1, SEEK_SET), EOVERFLOW,
		 "fseeko SEEK_SET -1 (address 2^64 - 1): EOVERFLOW");
	fclose(f);
	f = pvmio_fopen(child, top, "r");
	if (!f)
		t_bail("pvmio_fopen: %s", pvmio_errmsg());
	t_is_err(ftello64(f), EOVERFLOW,
		 "opened at 2^63: ftello fails with EOVERFLOW");
	t_ok(fgetc(f) == EOF && ferror(f) && errno == EFAULT,
	     "and reading there fails with EFAULT");
	fclose(f);
}

int main(void)
{
	pid_t child;

	t_plan(14 + 2 + 4 + 6 + 7 + 4 + 2 + 6);
	pg = t_page();
	area = t_map(PAGES, PROT_READ | PROT_WRITE, SEED);
	memcpy(area + TEXT_OFF, text, sizeof(text));
	t_unmap_page(area, HOLE);
	child = t_fork_target();
	io = t_open(child, 0, 0);
	reading(child);
	buffered(child);
	into_the_hole(child);
	writing(child);
	write_only(child);
	modes(child);
	bad_pids();
	overflow(child);
	pvmio_close(io);
	t_kill(child);
	return t_done();
}
