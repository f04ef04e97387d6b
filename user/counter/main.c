/*
 * Demo child: RAM + Timer + LOG. The counter lives in a dataspace, a
 * periodic timer wakes it, and each period it prints the next value. After
 * a restore it goes on from the value it had at the checkpoint.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"

#define PERIOD_US 250000u
#define TICK_LABEL 0x7111u

int main(uint32_t arg)
{
	uint32_t timer = sel_alloc(), sig = sel_alloc(), targs[2] = { TICK_LABEL, 0 }, va;
	(void)arg;
	int st = session_log_init();
	if (!st)
		st = ram_dataspace(1, &va);
	if (!st)
		st = session_open("timer", timer, sig, targs, 2, NULL, 0);
	if (!st)
		st = timer_periodic(timer, PERIOD_US);
	if (st) {
		printf("counter: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	volatile uint32_t *value = (volatile uint32_t *)(uintptr_t)va;
	printf("counter: counting in a dataspace at %08x, every %u ms\n", (unsigned)va,
	       PERIOD_US / 1000);
	for (;;) {
		if (signal_wait(sig, TICK_LABEL, NULL) != E_OK)
			continue;
		*value += 1;
		printf("counter: %u\n", (unsigned)*value);
	}
}
