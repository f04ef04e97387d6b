/*
 * Test child for incremental checkpoints: once a second, in round r, it
 * writes a known set of pages of a 64-page dataspace (page i is written when
 * (i * 7 + r) % 5 == 0) and says which, then sleeps. An increment taken
 * between two rounds holds exactly the dataspace pages of the round.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"

#define PAGES 64u
#define LABEL 0x7113u

int main(uint32_t arg)
{
	uint32_t timer = sel_alloc(), sig = sel_alloc(), targs[2] = { LABEL, 0 }, va;
	(void)arg;
	int st = session_log_init();
	if (!st)
		st = ram_dataspace(PAGES, &va);
	if (!st)
		st = session_open("timer", timer, sig, targs, 2, NULL, 0);
	if (!st)
		st = timer_periodic(timer, 1000000);
	if (st) {
		printf("test-pages: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	uint8_t *mem = (uint8_t *)(uintptr_t)va;
	for (uint32_t round = 1;; round++) {
		signal_wait(sig, LABEL, NULL);
		printf("test-pages: round %u wrote", (unsigned)round);
		for (uint32_t i = 0; i < PAGES; i++)
			if ((i * 7 + round) % 5 == 0) {
				mem[i * PAGE_SIZE + round % PAGE_SIZE] = (uint8_t)round;
				printf(" %08x", (unsigned)(va + i * PAGE_SIZE));
			}
		printf("\n");
	}
}
