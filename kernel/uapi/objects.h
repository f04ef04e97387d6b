/*
 * Kernel object types, capability rights and the operations each object
 * type answers. An operation is a SYS_CALL on a capability with the
 * operation number as the tag label; arguments and results are message words.
 * "MRn" below is message word n.
 */
#ifndef UAPI_OBJECTS_H
#define UAPI_OBJECTS_H

#include "syscall.h"

enum kobj_type {
	KOBJ_NONE = 0,
	KOBJ_TASK,        /* address space + capability space */
	KOBJ_THREAD,      /* registers, state, priority, UTCB */
	KOBJ_GATE,        /* IPC gate bound to a server thread, with a label */
	KOBJ_IRQ,         /* hardware or software interrupt source */
	KOBJ_FACTORY,     /* creates objects against a kernel-memory quota */
	KOBJ_SCHED,       /* scheduler: thread listing, time */
	KOBJ_CONSOLE,     /* the kernel console (PL011) */
	KOBJ_PLATFORM,    /* machine control: shutdown */
	KOBJ_TYPE_COUNT
};

static inline const char *kobj_type_name(unsigned t)
{
	static const char *const names[KOBJ_TYPE_COUNT] = {
		"none", "task", "thread", "gate", "irq", "factory", "sched", "console",
		"platform",
	};
	return t < KOBJ_TYPE_COUNT ? names[t] : "?";
}

/* Capability rights. */
#define RIGHT_READ   0x1u   /* query the object */
#define RIGHT_WRITE  0x2u   /* change the object (or send through a gate) */
#define RIGHT_GRANT  0x4u   /* pass capabilities through it */
#define RIGHTS_ALL   0x7u

/* Page rights for memory mappings. */
#define MAP_R  0x1u
#define MAP_W  0x2u
#define MAP_X  0x4u

#define PAGE_SIZE 4096u
#define MAP_PAGES_MAX 1024u   /* pages per TASK_MAP / TASK_UNMAP: bounds the time in the kernel */
#define DIRTY_COLLECT_MAX (32u * MSG_WORDS_MAX)   /* pages per collect */
#define USER_TOP  0x80000000u   /* user space is [PAGE_SIZE, USER_TOP) */

/* Capability selectors a task's space can hold: [0, CSPACE_SLOTS). */
#define CSPACE_SLOTS 4096u

/* Factory: MR0 type, MR1 destination selector in the caller's space. */
enum factory_op {
	FACTORY_CREATE = 1,  /* MR2.. per type: factory MR2 = quota bytes;
	                        gate MR2 = label, MR3 = thread selector to bind
	                        (SEL_NULL: unbound); irq MR2 = GIC interrupt
	                        number or IRQ_SOFTWARE */
	FACTORY_INFO,        /* -> MR0 quota, MR1 used */
};

enum task_op {
	TASK_MAP = 1,        /* MR0 source task sel, MR1 source va, MR2 dest va,
	                        MR3 pages, MR4 rights (MAP_*) */
	TASK_UNMAP,          /* MR0 va, MR1 pages, MR2 rights to take away,
	                        MR3 flags (UNMAP_*); see below */
	TASK_CAP_MAP,        /* MR0 selector in the caller's space, MR1 selector
	                        in this task, MR2 rights mask */
	TASK_INFO,           /* -> MR0 task id, MR1 ASID */
	TASK_DIRTY_TRACK,    /* MR0 va, MR1 pages, MR2 flags (DIRTY_SNAPSHOT;
	                        optional): write-protect, note first writes */
	TASK_DIRTY_COLLECT,  /* MR0 va, MR1 pages (<= DIRTY_COLLECT_MAX), MR2 flags
	                        (DIRTY_SNAPSHOT; optional) -> MR0.. bitmap of pages
	                        written since; they are tracked again */
	TASK_DIRTY_STOP,     /* MR0 va, MR1 pages: tracking and copy-pending end */
	TASK_CAP_INFO,       /* MR0 first selector to look at -> the first occupied
	                        slot at or after it: MR0 selector, MR1 type, MR2
	                        rights, MR3 object id, MR4 label (gates; else 0);
	                        E_NOT_FOUND when there is none */
	TASK_CAP_DELETE,     /* MR0 selector in this task: empty the slot; what
	                        was derived from it stays, now derived from its
	                        parent. The object goes with its last capability. */
	TASK_CAP_REVOKE,     /* MR0 selector in this task: delete every capability
	                        derived from it, in every task; the slot stays */
	TASK_CAP_IDENTIFY,   /* MR0 selector in this task -> MR0 type, MR1 rights,
	                        MR2 object id; the lookup's error if it names none */
	TASK_CAP_COMPARE,    /* MR0, MR1 selectors in this task -> MR0 1 if both
	                        name the same object, else 0 */
	TASK_PAGE_INFO,      /* MR0 va -> MR0 rights (MAP_R/W/X; W is the right,
	                        even while dirty tracking keeps the page read-only),
	                        MR1 1 if derived from another mapping, else 0,
	                        MR2 mappings derived from it directly,
	                        MR3 tracking state (PAGE_UNTRACKED ...);
	                        E_NOT_MAPPED when nothing is mapped there */
	TASK_DIRTY_LOG,      /* MR0 capacity in pages (0..DIRTY_LOG_MAX; 0 frees
	                        the log); see below */
	TASK_DIRTY_DRAIN,    /* MR0 flags (DIRTY_SNAPSHOT or 0) -> MR0 count n
	                        (<= DIRTY_DRAIN_MAX), MR1 status (DRAIN_*), MR2..
	                        n page addresses, oldest first */
	TASK_SNAPSHOT_DONE,  /* MR0 va, MR1 pages: copy-pending pages become
	                        clean tracked pages; the others stay as they are */
};

/*
 * Dirty tracking, per page of the task's mappings (TASK_DIRTY_*). A page
 * is in one of four states, which TASK_PAGE_INFO reports as MR3:
 *   PAGE_UNTRACKED     as mapped.
 *   PAGE_CLEAN         tracked: read-only in the MMU; the first write is
 *                      resolved in the kernel (no IPC): the page becomes
 *                      dirty and writable and the store is retried.
 *   PAGE_DIRTY         written since it was made clean.
 *   PAGE_COPY_PENDING  read-only like a clean page, but the kernel does not
 *                      resolve a write to it: the write goes to the
 *                      thread's pager as an ordinary page fault
 *                      (MSG_PAGE_FAULT, access MAP_W), so a checkpointer can
 *                      copy the page before it changes. The pager then
 *                      calls TASK_SNAPSHOT_DONE and replies; the retried
 *                      write is an ordinary first write.
 * TASK_DIRTY_TRACK makes the writable mapped pages of a range clean (with
 * DIRTY_SNAPSHOT: copy-pending); TASK_DIRTY_COLLECT reports the dirty ones
 * and makes them clean (copy-pending); TASK_DIRTY_STOP untracks them. Their
 * range is MR0 va, MR1 pages: pages nonzero (E_INVALID_ARG), in user space
 * (E_BAD_ADDRESS); unknown flags are E_INVALID_ARG. TASK_SNAPSHOT_DONE
 * takes the same range.
 *
 * The dirty log lets a checkpointer find what was written without scanning
 * its ranges. TASK_DIRTY_LOG gives the task a log of MR0 page entries, paid
 * by the factory that paid for the task (E_NO_MEMORY changes nothing),
 * replacing any earlier one; 0 frees it, and so does the task's end. Each
 * first write to a clean page appends the page's address. A first write
 * that finds no log or a full one is lost, and so are the entries of a log
 * that is replaced or freed: the next drain reports DRAIN_OVERFLOW, and
 * the caller must then TASK_DIRTY_COLLECT over its tracked ranges.
 * TASK_DIRTY_DRAIN takes entries oldest first: every page it reports was
 * dirty and is now clean again (with DIRTY_SNAPSHOT: copy-pending), with one
 * TLB flush per call; an entry whose page is no longer dirty (unmapped,
 * untracked, collected meanwhile) is dropped silently, so each page is
 * reported once. Status: DRAIN_MORE, entries remain; DRAIN_OVERFLOW,
 * entries were lost since the last drain that reported it (reporting it
 * clears it). Without a log: E_INVALID_STATE.
 */
#define DIRTY_SNAPSHOT   0x1u    /* the pages made clean become copy-pending */
#define DIRTY_LOG_MAX    65536u  /* entries in a dirty log */
#define DIRTY_DRAIN_MAX  60u     /* pages per drain */
#define DRAIN_MORE       0x1u
#define DRAIN_OVERFLOW   0x2u

enum page_track_state {
	PAGE_UNTRACKED = 0,
	PAGE_CLEAN,
	PAGE_DIRTY,
	PAGE_COPY_PENDING,
};

/*
 * Mappings remember where they came from. TASK_MAP and memory items make
 * the new mapping derived from the source's; the kernel's own mappings
 * (boot memory, device registers, UTCBs) are roots. TASK_UNMAP works on
 * the task's mappings in [MR0, MR0 + MR1 pages), which must be in user
 * space (E_BAD_ADDRESS), with 1..MAP_PAGES_MAX pages (E_INVALID_ARG):
 *   MR2 rights: MAP_R removes the mappings; otherwise MAP_W and/or MAP_X
 *               are taken away and the mappings stay, read-only and/or
 *               not executable (nonzero, no other bits: E_INVALID_ARG).
 *   MR3 flags:  without UNMAP_SELF only the mappings derived from the
 *               task's, in every task (this one included) and however
 *               often passed on, are affected; with it the task's own too
 *               (as Fiasco's l4_task_unmap with L4_FP_ALL_SPACES).
 *               Unknown flags: E_INVALID_ARG.
 * Unmapped pages in the range are skipped. A UTCB is the kernel's: with
 * UNMAP_SELF a range that holds one fails with E_NO_RIGHTS. Everything is
 * checked before anything changes.
 */
#define UNMAP_SELF 0x1u

enum thread_op {
	THREAD_CONFIGURE = 1, /* MR0 task sel, MR1 UTCB va (page aligned, free),
	                         MR2 priority */
	THREAD_SET_REGS,      /* MR0 pc, MR1 sp, MR2 r0 */
	THREAD_RESUME,
	THREAD_SUSPEND,       /* MR0 flags (SUSPEND_RESTART; optional), see below */
	THREAD_SET_PRIORITY,  /* MR0 priority */
	THREAD_SET_NAME,      /* MR0, MR1: up to 8 characters */
	THREAD_INFO,          /* -> MR0 id, MR1 task id, MR2 state, MR3 priority,
	                         MR4 wait kind (WAIT_*, WAIT_NONE unless blocked),
	                         MR5 1 if blocked in a fault IPC, else 0 */
	THREAD_ABORT_IPC,     /* end the thread's wait: its call returns E_ABORTED */
	THREAD_READ_REGS,     /* -> MR0-12 r0-r12, MR13 sp, MR14 lr, MR15 pc, MR16 cpsr */
	THREAD_WRITE_REGS,    /* MR0-16 as above; the mode is forced to user */
	THREAD_SET_HANDLERS,  /* MR0 pager gate, MR1 exception-handler gate
	                         (SEL_NULL: none) */
	THREAD_UTCB_READ,     /* MR0 first word, MR1 count -> MR0.. the words;
	                         not the caller's own (E_INVALID_STATE) */
	THREAD_UTCB_WRITE,    /* MR0 first word, MR1 count, MR2.. the words;
	                         only while stopped (E_INVALID_STATE) */
};

/*
 * THREAD_SUSPEND stops a thread. A thread blocked in a system call is
 * taken out of its wait; what it finds when resumed depends on MR0:
 *   0                the call fails with E_ABORTED.
 *   SUSPEND_RESTART  nothing is written: its pc goes back to its `svc`
 *                    (4 bytes in ARM state, 2 in Thumb), and every other
 *                    register still holds what it had at the call's entry,
 *                    so it makes the same system call again from the start
 *                    (with its whole timeout), whether it is resumed or
 *                    its registers and UTCB are copied into a fresh thread.
 *                    A call the server had taken is sent again (the
 *                    server's reply to the first one goes nowhere); a
 *                    reply-and-wait in its receive phase has no caller
 *                    any more, so it simply waits.
 * A thread blocked in a fault IPC is stopped with its registers as they
 * were, and takes the fault again when resumed. A ready or running thread
 * is simply stopped. Unknown flags: E_INVALID_ARG.
 *
 * UTCB access (THREAD_UTCB_READ with RIGHT_READ, THREAD_UTCB_WRITE with
 * RIGHT_WRITE): count 1..UTCB_XFER_MAX and first + count <= UTCB_WORDS,
 * else E_INVALID_ARG.
 */
#define SUSPEND_RESTART 0x1u
#define UTCB_XFER_MAX   60u

/* Why a blocked thread waits (THREAD_INFO MR4). */
enum wait_kind {
	WAIT_NONE = 0,
	WAIT_TIMEOUT,    /* only the timeout (a sleep) */
	WAIT_RECEIVE,    /* for a message through any gate bound to it */
	WAIT_SEND,       /* for the receiver to take its message (send) */
	WAIT_CALL,       /* the same, then for the reply (call) */
	WAIT_REPLY,      /* for the reply to its call */
	WAIT_EVENT,      /* on a kernel object's queue (console input) */
};

static inline const char *thread_wait_name(unsigned w)
{
	static const char *const names[] = {
		"none", "timeout", "receive", "send", "call", "reply", "event",
	};
	return w < sizeof(names) / sizeof(names[0]) ? names[w] : "?";
}

/*
 * Faults as IPC. A thread that faults calls its pager (translation and
 * permission faults) or its exception handler (everything else, or page
 * faults when it has no pager) through the gate set with
 * THREAD_SET_HANDLERS:
 *   page fault:  label MSG_PAGE_FAULT, MR0 address, MR1 access (MAP_R/W/X),
 *                MR2 pc. Reply with 0 words once the page is mapped: the
 *                thread retries the access.
 *   exception:   label MSG_EXCEPTION, MR0-16 registers (as THREAD_READ_REGS),
 *                MR17 kind (EXCEPTION_*), MR18 fault address, MR19 fault status.
 *                Reply with 17 words to resume with those registers, 0 words
 *                to retry unchanged, or label MSG_FAULT_STOP to stop it.
 * With no handler the kernel prints a diagnostic and stops the thread.
 */
/* The words of the two messages, by position. */
#define PF_WORD_ADDR     0u
#define PF_WORD_ACCESS   1u
#define PF_WORD_PC       2u
#define EXC_WORD_PC      15u      /* r0-r12, sp, lr, then pc */
#define EXC_WORD_CPSR    16u
#define EXC_WORD_KIND    17u
#define EXC_WORD_ADDR    18u
#define EXC_WORD_STATUS  19u
#define MSG_PAGE_FAULT   0xfe00u
#define MSG_EXCEPTION    0xfe01u
#define MSG_FAULT_STOP   0xfe02u
#define PAGE_FAULT_WORDS 3u
#define EXCEPTION_WORDS  20u

enum exception_kind {
	EXCEPTION_UNDEFINED = 1,       /* undefined or privileged instruction */
	EXCEPTION_PREFETCH_ABORT = 3,  /* instruction fetch */
	EXCEPTION_DATA_ABORT = 4,      /* data access (alignment, bad address) */
};

#define THREAD_REGS_WORDS 17u

/* Gate operations use labels from GATE_OP_BASE up; any lower label is an
 * IPC message to the bound thread. */
#define GATE_OP_BASE 0xff00u
enum gate_op {
	GATE_BIND = GATE_OP_BASE,  /* MR0 thread selector */
	GATE_INFO,                 /* -> MR0 label, MR1 bound thread id (0: none) */
};

enum sched_op {
	SCHED_THREAD_INFO = 1, /* MR0 index (0, 1, ...) -> MR0 thread id, MR1 task id,
	                          MR2 state, MR3 priority, MR4 run ticks, MR5-6 name;
	                          E_NOT_FOUND past the last thread */
	SCHED_TIME,            /* -> MR0/MR1 microseconds since boot (lo/hi),
	                          MR2 tick period in microseconds */
	SCHED_BENCH,           /* bench builds: -> MR0 PMCCNTR at IRQ vector entry,
	                          MR1 PMCCNTR in the timer handler, MR2 sequence,
	                          MR3 PMCCNTR at the entry of the last interrupt
	                          bound to an IRQ object; kernels built with
	                          CONFIG_BENCH_IDLE also MR4-5 the cycle counter
	                          since boot (64 bits, lo/hi), MR6-7 how much of it
	                          the CPU spent idle (waiting for an interrupt, and
	                          handling the interrupts that ended the wait) */
};

enum console_op {
	CONSOLE_WRITE = 1,   /* MR0 length, bytes from MR1 on (little endian) */
	CONSOLE_READ,        /* MR0 max length; waits up to the timeout for input;
	                        -> MR0 length, bytes from MR1 on */
};

enum platform_op {
	PLATFORM_SHUTDOWN = 1, /* MR0 exit code (QEMU semihosting), else halt */
	PLATFORM_MAP_IO,       /* MR0 task selector, MR1 physical address, MR2 va,
	                          MR3 pages: device registers (not RAM, not the
	                          kernel's own devices), uncached, never executable */
};

/*
 * IRQ object: an interrupt line of the GIC (created with the line number)
 * or a software interrupt (IRQ_SOFTWARE). Attached to a thread with a
 * label, it arrives as a message when the thread waits (WAIT_OPEN): tag
 * label MSG_IRQ, MR0 the number of times it fired since the last delivery,
 * r6 the label. After a delivery the IRQ stays masked until IRQ_ACK.
 */
#define IRQ_SOFTWARE 0xffffffffu
#define MSG_IRQ      0xfe03u

enum irq_op {
	IRQ_ATTACH = 1,      /* MR0 thread selector, MR1 label */
	IRQ_DETACH,
	IRQ_ACK,             /* unmask: the next interrupt may be delivered */
	IRQ_TRIGGER,         /* raise it (software IRQs) */
	IRQ_INFO,            /* -> MR0 line, MR1 deliveries, MR2 attached thread id,
	                        MR3 times fired since the last delivery (not yet
	                        delivered), MR4 1 if masked (delivered, not yet
	                        acknowledged), else 0 */
};

enum thread_state {
	TS_INACTIVE = 0,   /* created, not yet configured or resumed */
	TS_READY,
	TS_RUNNING,
	TS_BLOCKED,        /* waiting for a message, an event or a timeout */
	TS_SUSPENDED,
	TS_FAULTED,        /* stopped by an unhandled exception */
	TS_IDLE,           /* the idle thread */
	TS_COUNT
};

static inline const char *thread_state_name(unsigned s)
{
	static const char *const names[TS_COUNT] = {
		"inactive", "ready", "running", "blocked", "suspended", "faulted", "idle",
	};
	return s < TS_COUNT ? names[s] : "?";
}

#define PRIO_MAX      255u
#define PRIO_ROOT     100u

#endif
