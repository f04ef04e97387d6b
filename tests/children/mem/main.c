/*
 * Benchmark child (make bench, migration): a working set of arg pages
 * (`start test-mem <pages>`), every page written once with data that is not
 * zero, then 8 pages written every 20 ms, round the working set in turn,
 * as a task that keeps a large state and changes a little of it at a time
 * does. Each page holds its number and a generation, which it checks before
 * it writes: a page that arrives wrong after a migration is reported.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"

#define WRITES_PER_ROUND 8u
#define ROUND_US 20000u
#define SIG_TIMER 1u

int main(uint32_t pages)
{
	uint32_t va, timer = sel_alloc(), sig = sel_alloc();
	if (pages == 0)
		pages = 256;
	int st = session_log_init();
	uint32_t args[2] = { SIG_TIMER, 0 };
	if (!st)
		st = ram_dataspace(pages, &va);
	if (!st)
		st = session_open("timer", timer, sig, args, 2, NULL, 0);
	if (st) {
		printf("test-mem: cannot start with %u pages: %s\n", (unsigned)pages,
		       k_error_name((unsigned)st));
		return 1;
	}
	volatile uint32_t *mem = (volatile uint32_t *)(uintptr_t)va;
	for (uint32_t p = 0; p < pages; p++)
		for (uint32_t w = 0; w < PAGE_SIZE / 4; w += 64)
			mem[p * (PAGE_SIZE / 4) + w] = p << 8 | 1;
	printf("test-mem: %u pages written; now %u pages every %u ms\n", (unsigned)pages,
	       WRITES_PER_ROUND, ROUND_US / 1000);
	timer_periodic(timer, ROUND_US);
	uint32_t next = 0;
	for (;;) {
		signal_wait(sig, SIG_TIMER, NULL);
		for (uint32_t i = 0; i < WRITES_PER_ROUND; i++, next = (next + 1) % pages) {
			volatile uint32_t *page = mem + next * (PAGE_SIZE / 4);
			uint32_t gen = page[0] & 0xff;
			if (page[0] >> 8 != next || page[64] != page[0])
				printf("test-mem: page %u holds %08x/%08x\n", (unsigned)next,
				       (unsigned)page[0], (unsigned)page[64]);
			for (uint32_t w = 0; w < PAGE_SIZE / 4; w += 64)
				page[w] = next << 8 | ((gen + 1) & 0xff);
		}
	}
}
