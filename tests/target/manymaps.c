/* SPDX-License-Identifier: MIT */
/*
 * A target with very many mappings: `manymaps N`. It reserves N + 2 pages
 * PROT_NONE and makes the inner N pages alternately r-- and rw-, so that
 * the kernel cannot merge them: N regions of one page each, between two
 * PROT_NONE guard pages that keep them from merging with neighbours.
 * Prints the address of the first inner page ("0x...\n"), or "error ...",
 * then sleeps until killed; it dies with its parent (set up by whoever
 * execs it). Needs vm.max_map_count above N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, (n + 2) * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (a == MAP_FAILED || mprotect(a + page, n * page, PROT_READ)) {
		printf("error %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 1; i < n; i += 2) {
		if (mprotect(a + (1 + i) * page, page, PROT_READ | PROT_WRITE)) {
			printf("error page %zu: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("%p\n", (void *)(a + page));
	fflush(stdout);
	for (;;)
		pause();
}
