/* SPDX-License-Identifier: MIT */
/*
 * A target with a lot of memory for tests/fault_cli.sh: "bulk MIB [fill]"
 * maps MIB MiB of anonymous memory and writes a marker at the start of
 * every MiB; the rest reads as zeros and costs no memory, unless "fill"
 * writes every page (so that a dump cannot skip them as holes). It prints
 * "area 0xADDR" and "ready", and sleeps until killed (it dies with its
 * parent).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
	char *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!mib || p == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < mib; i++)
		memcpy(p + (i << 20), "bulk-marker", sizeof("bulk-marker"));
	for (size_t i = 0; argc > 2 && i < mib << 20; i += 4096)
		p[i + 100] = (char)(i >> 12 | 1);
	printf("area %#lx\nready\n", (unsigned long)(uintptr_t)p);
	fflush(stdout);
	for (;;)
		pause();
}
