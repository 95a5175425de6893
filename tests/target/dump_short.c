/* SPDX-License-Identifier: MIT */
/*
 * A target for the dump cases of tests/cli.sh: "dump_short MAP_KIB
 * FILE_KIB" maps MAP_KIB KiB of a memfd that holds only FILE_KIB KiB, so
 * that a read of the region stops where the file ends (EFAULT) even when
 * that is many chunks into it. The file's bytes are a pattern: byte i is
 * (i * 7 + i / 4096) mod 256. Prints "area 0xADDR", then "ready", and
 * sleeps until killed (it dies with its parent). Without memfd_create it
 * prints "error ..." and exits 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t map = argc > 2 ? strtoul(argv[1], NULL, 10) << 10 : 0;
	size_t file = argc > 2 ? strtoul(argv[2], NULL, 10) << 10 : 0;
	unsigned char *p;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!map || file > map) {
		printf("error usage: dump_short MAP_KIB FILE_KIB\n");
		return 1;
	}
	fd = memfd_create("dump-short", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)file) < 0) {
		printf("error memfd: %s\n", strerror(errno));
		return 1;
	}
	p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("error mmap: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < file; i++)
		p[i] = (unsigned char)(i * 7 + i / 4096);
	printf("area %p\nready\n", (void *)p);
	fflush(stdout);
	for (;;)
		pause();
}
