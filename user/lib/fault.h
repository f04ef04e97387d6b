/*
 * The fault protocols (uapi/objects.h) for pagers and exception handlers:
 * read the kernel's fault message out of a k_msg (and the UTCB), and
 * build the reply in it, ready for k_reply_wait.
 */
#ifndef USER_FAULT_H
#define USER_FAULT_H

#include <stdint.h>
#include <stdbool.h>
#include "sys.h"

/* MSG_PAGE_FAULT: a translation or permission fault, for the pager. */
struct page_fault {
	uint32_t addr;     /* the faulting address */
	uint32_t access;   /* MAP_R, MAP_W or MAP_X */
	uint32_t pc;
};

/* False (and *pf untouched) if m is not a page-fault message. */
bool page_fault_decode(const struct k_msg *m, struct page_fault *pf);
/* The page is there now (the pager mapped it itself): retry the access. */
void page_fault_reply_retry(struct k_msg *m);
/* Map `pages` pages of the pager's own space, from page-aligned src_va,
 * at the faulting page and up, with rights (MAP_*) no greater than the
 * pager's; then the thread retries. */
void page_fault_reply_map(struct k_msg *m, uint32_t src_va, unsigned pages, unsigned rights);

/* MSG_EXCEPTION: everything else, for the exception handler. */
struct exception {
	uint32_t regs[THREAD_REGS_WORDS];   /* r0-r12, sp, lr, pc, cpsr */
	uint32_t kind;                      /* EXCEPTION_* */
	uint32_t addr;                      /* fault address (aborts) */
	uint32_t status;                    /* fault status register (aborts) */
};

/* False (and *ex untouched) if m is not an exception message. */
bool exception_decode(const struct k_msg *m, struct exception *ex);
/* Resume with ex->regs (the CPSR mode is forced to user by the kernel). */
void exception_reply_resume(struct k_msg *m, const struct exception *ex);
/* Resume with the registers unchanged: the instruction runs again. */
void exception_reply_retry(struct k_msg *m);

/* Either kind: the thread stops (TS_FAULTED), its registers intact. */
void fault_reply_stop(struct k_msg *m);

/*
 * Serve page faults for ever through the gates bound to the calling
 * thread: resolve() builds the reply to each (page_fault_reply_map,
 * page_fault_reply_retry or fault_reply_stop). An exception that arrives
 * anyway is stopped; any other message is answered with E_INVALID_OP. A
 * mapping the kernel refuses stops the faulting thread.
 * Uses only its stack and ctx.
 */
typedef void (*page_fault_resolver)(void *ctx, const struct page_fault *pf, struct k_msg *reply);
void pager_loop(page_fault_resolver resolve, void *ctx) __attribute__((noreturn));

#endif
