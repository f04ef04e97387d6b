/*
 * Test child for the real-time checkpoint: it never stops writing. Pass g
 * stamps every page of a 1 MiB dataspace with g, in order, and before each
 * write checks that the page still holds g - 1. A checkpoint taken while it
 * writes must hold every page as it was at the pause: a restored child
 * that finds a page ahead of or behind its own progress says so.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"

#define PAGES 256u

int main(uint32_t arg)
{
	uint32_t va;
	(void)arg;
	int st = session_log_init();
	if (!st)
		st = ram_dataspace(PAGES, &va);
	if (st) {
		printf("test-stamp: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	volatile uint32_t *mem = (volatile uint32_t *)(uintptr_t)va;
	printf("test-stamp: stamping %u pages at %08x\n", PAGES, (unsigned)va);
	for (uint32_t gen = 1;; gen++) {
		for (uint32_t p = 0; p < PAGES; p++) {
			volatile uint32_t *w = mem + p * (PAGE_SIZE / 4);
			if (w[0] != gen - 1 || w[PAGE_SIZE / 4 - 1] != gen - 1)
				printf("test-stamp: inconsistent: page %u holds %u/%u in pass %u\n",
				       (unsigned)p, (unsigned)w[0], (unsigned)w[PAGE_SIZE / 4 - 1],
				       (unsigned)gen);
			w[0] = gen;
			w[PAGE_SIZE / 4 - 1] = gen;
		}
		if (gen % 200 == 0)
			printf("test-stamp: pass %u ok\n", (unsigned)gen);
	}
}
