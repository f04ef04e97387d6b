/*
 * Sessions: how a child gets anything from its parent (RTCR), in the
 * manner of Genode's Parent::session. The child starts with one capability,
 * a gate to its parent at CHILD_SEL_PARENT. It asks for a session by
 * service name and arguments, naming the selector in its own space where
 * the session's capability is to be installed; the parent creates a gate
 * to its own session object there (and, for services that signal, a second
 * capability: the IRQ object the signals arrive through).
 *
 * Every request is an RPC (rpc.h): the tag label is the operation, the
 * reply label the status (enum k_error). This header is the protocol,
 * shared by RTCR and the child runtime; the client functions below it are
 * the child's side.
 */
#ifndef USER_SESSION_H
#define USER_SESSION_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "sys.h"

#define CHILD_SEL_PARENT 1u      /* gate to the parent */

#define SESSION_ARGS_MAX 4u
#define SERVICE_NAME_MAX 8u      /* characters, packed in two words */

/* Parent: MR0-1 service name, MR2 selector for the session capability,
 * MR3 selector for its signal capability (SEL_NULL if it has none),
 * MR4.. arguments -> MR0 session id, MR1.. what the service tells. */
enum parent_op {
	PARENT_SESSION = 1,
	PARENT_UPGRADE,       /* MR0 session selector, MR1 amount (RAM: pages) */
	PARENT_CLOSE,         /* MR0 session selector */
};

/* "log": write a line's worth of text. */
enum log_op {
	LOG_WRITE = 1,        /* MR0 length (<= LOG_WRITE_MAX), bytes from MR1 on */
};
#define LOG_WRITE_MAX 240u

/* "ram" (argument 0: quota in pages): dataspaces, zero-filled memory the
 * parent owns. A dataspace is named by a small number, its index within
 * the child, which stays the same across checkpoint and restore. */
enum ram_op {
	RAM_ALLOC = 1,        /* MR0 pages -> MR0 dataspace */
	RAM_FREE,             /* MR0 dataspace (must not be attached) */
	RAM_INFO,             /* -> MR0 quota pages, MR1 pages in use */
};

/* "rm": the child's address space. Attached dataspaces are mapped page by
 * page when first touched: the parent is the pager. */
enum rm_op {
	RM_ATTACH = 1,        /* MR0 dataspace, MR1 va (0: the parent picks),
	                         MR2 rights (MAP_R, MAP_W) -> MR0 va */
	RM_DETACH,            /* MR0 va where it was attached */
};
#define RM_AREA_START 0x10000000u   /* where the parent picks addresses */
#define RM_AREA_END   0x60000000u

/* "timer" (argument 0: signal label, argument 1: thread that gets the
 * signals, 0 = the first): timeouts arrive as signals, software IRQ
 * messages (MSG_IRQ, r6 = the label) on the signal capability, which the
 * child acknowledges itself (k_irq_ack). Times are microseconds of the
 * parent's clock. */
enum timer_op {
	TIMER_NOW = 1,        /* -> MR0-1 now (lo, hi) */
	TIMER_ONESHOT,        /* MR0 microseconds from now: one signal then */
	TIMER_PERIODIC,       /* MR0 period (>= TIMER_PERIOD_MIN): a signal every
	                         period, the first one period from now */
	TIMER_STOP,
};
#define TIMER_PERIOD_MIN 1000u

/* "irq" (argument 0: device index, 1: signal label, 2: thread, 0 = the
 * first): the device's interrupt, delivered like a timer signal on the
 * signal capability (an IRQ object of the kernel), acknowledged with
 * k_irq_ack. Info: MR1 interrupt number. */

/* "io_mem" (argument 0: device index, 1: va): the device's registers
 * mapped at va. Info: MR1 physical address, MR2 pages, MR3-5 the device's
 * name (12 characters). */

/* "cpu": threads and gates of the child's own, created by the parent so it
 * knows them all. Threads are numbered: 0 is the first, the rest in order
 * of creation. */
enum cpu_op {
	CPU_THREAD_CREATE = 1, /* MR0 entry, MR1 sp, MR2 argument (r0), MR3-4 name
	                          (8 characters) -> MR0 thread number */
	CPU_GATE_CREATE,       /* MR0 label, MR1 thread number, MR2 selector for
	                          the gate in the child's space */
};
#define CPU_THREADS_MAX 8u

/* ---- the child's side ----------------------------------------------------- */

/*
 * Ask the parent for a session. sel (and sig for signalling services) are
 * free selectors of the caller's; info gets up to ninfo words the service
 * tells (may be NULL). Returns an enum k_error.
 */
int session_open(const char *service, uint32_t sel, uint32_t sig, const uint32_t *args,
		 unsigned nargs, uint32_t *info, unsigned ninfo);

/* Open the "log" session and send printf there. Call first in main(). */
int session_log_init(void);
int log_write(uint32_t log, const char *text, size_t len);

int ram_alloc(uint32_t ram, unsigned pages, uint32_t *ds);
/* The common case: ram and rm sessions of its own (quota: pages), one
 * dataspace of that size, attached read-write where the parent picks;
 * *va gets the address. */
int ram_dataspace(unsigned pages, uint32_t *va);
int ram_free(uint32_t ram, uint32_t ds);
int rm_attach(uint32_t rm, uint32_t ds, uint32_t va, unsigned rights, uint32_t *at);
int rm_detach(uint32_t rm, uint32_t va);

int timer_now(uint32_t timer, uint64_t *now);
int timer_oneshot(uint32_t timer, uint32_t us);
int timer_periodic(uint32_t timer, uint32_t period_us);
int timer_stop(uint32_t timer);
/*
 * Wait for the signal labelled label (any signal capability, acknowledged
 * here); *count gets how often it fired. Other messages that arrive meanwhile
 * are dropped: a thread that also serves a gate must not use this.
 */
int signal_wait(uint32_t sig, uint32_t label, uint32_t *count);
/* Sleep through a timer session whose signals have label label. */
int timer_sleep_us(uint32_t timer, uint32_t sig, uint32_t label, uint32_t us);

int cpu_thread_create(uint32_t cpu, void (*entry)(uint32_t), void *stack_top, uint32_t arg,
		      const char *name, uint32_t *number);
int cpu_gate_create(uint32_t cpu, uint32_t label, uint32_t thread, uint32_t sel);

#endif
