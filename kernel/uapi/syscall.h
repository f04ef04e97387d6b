/*
 * The system-call ABI.
 *
 * One trap, `svc #0`. Registers on entry:
 *   r7      system call number (enum k_syscall)
 *   r0      capability selector to invoke (SYS_CALL, SYS_SEND)
 *   r1      message tag: label(16) | items(4) | words(8), see MSG_TAG
 *   r2-r5   message words 0-3 (the fast path needs no memory access)
 *   r6      timeout in microseconds (TIMEOUT_POLL, TIMEOUT_NEVER)
 * Words 4 and up live in the caller's UTCB (struct utcb, mr[4..]).
 * On return r0 holds the status (enum k_error), r1 the reply tag, r2-r5 the
 * first reply words, r6 the label of the gate a message arrived through.
 *
 * Invoking a kernel object (Factory, Task, Thread, ...) with SYS_CALL runs an
 * operation on it; the tag's label is the operation number (objects.h).
 *
 * IPC: SYS_CALL or SYS_SEND on an IPC gate sends to the thread the gate is
 * bound to; the tag's label is the message's own protocol label (below
 * GATE_OP_BASE). The receiver gets the tag in r1 and the gate's label in r6.
 * r6 is the timeout of the send phase (waiting for the receiver); the reply
 * phase of a call lasts until the reply comes or the caller is aborted.
 * SYS_WAIT and SYS_REPLY_WAIT take r0 = WAIT_OPEN (any gate bound to the
 * thread) or WAIT_SLEEP (nothing: only the timeout ends it), and r6 is the
 * timeout of the receive phase.
 */
#ifndef UAPI_SYSCALL_H
#define UAPI_SYSCALL_H

enum k_syscall {
	SYS_CALL = 0,       /* send to a capability, wait for the answer */
	SYS_SEND,           /* send only */
	SYS_WAIT,           /* wait for a message (or only the timeout) */
	SYS_REPLY_WAIT,     /* answer the last caller, then wait */
	SYS_YIELD,          /* give up the rest of the time slice */
	SYS_COUNT
};

#define MSG_WORDS_MAX   64u   /* message registers in the UTCB */
#define MSG_REG_WORDS   4u    /* of which travel in r2-r5 */
#define MSG_ITEMS_MAX   8u

/*
 * Typed items: after the message's words come tag.items items of two words
 * each, MR[words + 2i] and MR[words + 2i + 1]:
 *   word 0: kind (ITEM_CAP, ITEM_MEM) | ITEM_GRANT | rights << 8 | pages << 12
 *   word 1: a capability selector, or a page-aligned address, in the sender
 * A capability item maps the sender's capability into the receiver with the
 * rights masked (RIGHT_*), or with ITEM_GRANT moves it; a memory item maps
 * `pages` pages of the sender into the receiver with the rights masked
 * (MAP_*). Sending items needs RIGHT_GRANT on the gate. The receiver says
 * where items may go in its UTCB buffer registers (BR_*); it gets the items
 * back with word 1 replaced by where each was put. Every item is checked
 * before any is installed: if one fails, the send fails with its error and
 * nothing changes. A pager's reply to a page fault maps its memory item at
 * the faulting page.
 */
#define ITEM_CAP     0x1u
#define ITEM_MEM     0x2u
#define ITEM_GRANT   0x10u
#define ITEM(kind, rights, pages) ((kind) | ((unsigned)(rights) << 8) | ((unsigned)(pages) << 12))
#define ITEM_KIND(w)   ((w) & 0xfu)
#define ITEM_RIGHTS(w) (((w) >> 8) & 0x7u)
#define ITEM_PAGES(w)  ((w) >> 12)

enum buffer_register {
	BR_CAP_SEL = 0,     /* first selector for received capabilities (0: none) */
	BR_CAP_COUNT,       /* how many selectors from there */
	BR_MEM_VA,          /* page-aligned window for received memory */
	BR_MEM_PAGES,       /* its size in pages */
};

#define MSG_TAG(label, words, items) \
	((((unsigned)(label) & 0xffffu) << 16) | (((unsigned)(items) & 0xfu) << 8) | \
	 ((unsigned)(words) & 0xffu))
#define MSG_TAG_LABEL(t)  (((t) >> 16) & 0xffffu)
#define MSG_TAG_ITEMS(t)  (((t) >> 8) & 0xfu)
#define MSG_TAG_WORDS(t)  ((t) & 0xffu)

#define WAIT_OPEN   0u
#define WAIT_SLEEP  1u

#define TIMEOUT_POLL   0u
#define TIMEOUT_NEVER  0xffffffffu

/*
 * User thread control block: one page per thread, mapped into the thread's
 * task where its creator asked. The kernel reaches it through its own mapping,
 * never through a user pointer.
 */
struct utcb {
	unsigned mr[MSG_WORDS_MAX];   /* message registers; 0-3 mirror r2-r5 */
	unsigned br[16];              /* buffer registers: where received items go */
	unsigned user[16];            /* free for the runtime (thread pointer, ...) */
};

/* The UTCB in words, as THREAD_UTCB_READ and THREAD_UTCB_WRITE see it. */
#define UTCB_WORDS 96u
_Static_assert(sizeof(struct utcb) == UTCB_WORDS * 4, "UTCB_WORDS is the UTCB's size");

#endif
