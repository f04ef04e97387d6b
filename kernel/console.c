#include "console.h"
#include "invoke.h"
#include "sched.h"
#include "pl011.h"
#include "mmu.h"
#include "board.h"
#include "fmt.h"
#include <stdarg.h>

#define RX_BUF 4096u   /* a power of two; room for a pasted image's lines in flight */

struct kobj console_object;
static char rx_buf[RX_BUF];
static unsigned rx_head, rx_tail;          /* free-running indices */
static struct wait_queue readers;

void console_init(void)
{
	pl011_init(mmu_map_device(BOARD_UART_BASE));
	kobj_init(&console_object, KOBJ_CONSOLE, NULL);
}

void console_putc(char c)
{
	if (c == '\n')
		pl011_putc('\r');
	pl011_putc(c);
}

static void kputc(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vformat(kputc, NULL, fmt, ap);
	va_end(ap);
	return n;
}

/* Move up to max buffered bytes into t's message words 1.. */
static unsigned deliver(struct thread *t, unsigned max)
{
	unsigned n = 0;
	uint32_t w = 0;
	while (n < max && rx_tail != rx_head) {
		w |= (uint32_t)(uint8_t)rx_buf[rx_tail++ % RX_BUF] << (8 * (n % 4));
		n++;
		if (n % 4 == 0) {
			thread_set_mr(t, n / 4, w);
			w = 0;
		}
	}
	if (n % 4)
		thread_set_mr(t, n / 4 + 1, w);
	thread_set_mr(t, 0, n);
	t->ctx.r[1] = MSG_TAG(0, 1 + (n + 3) / 4, 0);
	return n;
}

void console_rx_irq(void)
{
	int c;
	while ((c = pl011_getc()) >= 0)
		if (rx_head - rx_tail < RX_BUF)   /* full: the byte is lost */
			rx_buf[rx_head++ % RX_BUF] = (char)c;

	struct thread *t;
	while (rx_tail != rx_head && (t = wait_queue_first(&readers)) != NULL) {
		deliver(t, t->wait_arg);
		thread_wake(t, E_OK);
	}
}

static int console_write(struct invocation *inv)
{
	INV_NEED(inv, 1);
	uint32_t len = inv_word(inv, 0);
	if (len > (inv->words - 1) * 4)
		return E_INVALID_ARG;
	for (uint32_t i = 0; i < len; i++)
		console_putc((char)(inv_word(inv, 1 + i / 4) >> (8 * (i % 4))));
	return E_OK;
}

static int console_read(struct invocation *inv)
{
	INV_NEED(inv, 1);
	uint32_t max = inv_word(inv, 0);
	if (max == 0 || max > (MSG_WORDS_MAX - 1) * 4)
		return E_INVALID_ARG;
	if (rx_tail != rx_head) {
		deliver(inv->caller, max);
		inv->reply_words = MSG_TAG_WORDS(inv->caller->ctx.r[1]);
		return E_OK;
	}
	if (inv->timeout == TIMEOUT_POLL)
		return E_TIMEOUT;
	inv->caller->wait_arg = max;
	thread_block(inv->caller, WAIT_EVENT, &readers, inv->timeout);
	return INVOKE_BLOCKED;
}

int console_invoke(struct invocation *inv)
{
	switch (inv->op) {
	case CONSOLE_WRITE:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		return console_write(inv);
	case CONSOLE_READ:
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		return console_read(inv);
	default:
		return E_INVALID_OP;
	}
}
