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
 * shared by RTCR (and its host tests) and the child runtime; session.h has
 * the child's side.
 */
#ifndef USER_SESSION_PROTO_H
#define USER_SESSION_PROTO_H

#include <stdint.h>

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
	PARENT_DEVICE,        /* MR0 device index -> MR0-2 its name (12 characters),
	                         MR3 pages of registers, MR4 interrupt (0: none);
	                         E_NOT_FOUND past the last. The board's devices, by
	                         the index io_mem and irq sessions take: a driver
	                         finds its own by name */
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

#endif
