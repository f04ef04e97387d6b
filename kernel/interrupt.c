/* Interrupt entry: one interrupt per kernel entry, then the scheduler runs. */
#include "sched.h"
#include "console.h"
#include "gic.h"
#include "timer.h"
#include "board.h"
#include "cpu.h"
#include "irq.h"

#ifdef CONFIG_BENCH
extern uint32_t irq_scratch[4];
extern uint32_t bench_irq_entry, bench_irq_handler, bench_irq_seq, bench_last_irq_entry;
#endif

static void tick(void)
{
#ifdef CONFIG_BENCH
	bench_irq_handler = read_pmccntr();
	bench_irq_entry = irq_scratch[1];
	bench_irq_seq++;
#endif
#ifdef CONFIG_BENCH_IDLE
	bench_account();
#endif
	timer_tick_ack();
	timeouts_expire(timer_now_us());
	sched_tick();
}

void handle_irq(void)
{
	uint32_t iar = gic_ack();
	unsigned irq = iar & 0x3ff;

	if (irq == GIC_SPURIOUS)
		return;
	if (irq == BOARD_TIMER_IRQ)
		tick();
	else if (irq == BOARD_UART_IRQ)
		console_rx_irq();
	else if (irq_line_fired(irq)) {
#ifdef CONFIG_BENCH
		bench_last_irq_entry = irq_scratch[1];
#endif
	} else {
		gic_disable(irq);   /* nobody handles it: keep it quiet */
	}
	gic_eoi(iar);
}
