/*
 * System-call stubs: the trap itself, and typed wrappers for every kernel
 * operation. Status values are enum k_error (0 = success).
 */
#ifndef USER_SYS_H
#define USER_SYS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "uapi/errors.h"
#include "uapi/syscall.h"
#include "uapi/objects.h"
#include "uapi/bootinfo.h"

/* Message registers 0-3 and what the kernel returns besides the status. */
struct k_msg {
	uint32_t tag;
	uint32_t mr[MSG_REG_WORDS];
	uint32_t label;
};

static inline int k_syscall(uint32_t nr, uint32_t sel, uint32_t timeout, struct k_msg *m)
{
	register uint32_t r0 __asm__("r0") = sel;
	register uint32_t r1 __asm__("r1") = m->tag;
	register uint32_t r2 __asm__("r2") = m->mr[0];
	register uint32_t r3 __asm__("r3") = m->mr[1];
	register uint32_t r4 __asm__("r4") = m->mr[2];
	register uint32_t r5 __asm__("r5") = m->mr[3];
	register uint32_t r6 __asm__("r6") = timeout;
	register uint32_t r7 __asm__("r7") = nr;
	__asm__ volatile("svc #0"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
			 : "r"(r7)
			 : "memory");
	m->tag = r1;
	m->mr[0] = r2;
	m->mr[1] = r3;
	m->mr[2] = r4;
	m->mr[3] = r5;
	m->label = r6;
	return (int)r0;
}

static inline struct utcb *k_utcb(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(v));
	return (struct utcb *)v;
}

/* Invoke operation op on the object behind sel with nin argument words;
 * up to nout result words are copied to out. */
int k_invoke(uint32_t sel, uint32_t op, const uint32_t *in, unsigned nin,
	     uint32_t *out, unsigned nout, uint32_t timeout);

static inline int k_yield(void)
{
	struct k_msg m = { 0 };
	return k_syscall(SYS_YIELD, 0, 0, &m);
}

/* Sleep: a wait that nothing but the timeout ends. */
static inline int k_sleep_us(uint32_t us)
{
	struct k_msg m = { 0 };
	int st = k_syscall(SYS_WAIT, WAIT_SLEEP, us, &m);
	return st == E_TIMEOUT ? E_OK : st;
}

/* IPC. m carries the tag and words 0-3 in, and the answer out (label: the
 * gate's label, for a receive). Words 4 and up are in k_utcb()->mr. */
static inline int k_call(uint32_t gate, struct k_msg *m, uint32_t timeout)
{
	return k_syscall(SYS_CALL, gate, timeout, m);
}

static inline int k_send(uint32_t gate, struct k_msg *m, uint32_t timeout)
{
	return k_syscall(SYS_SEND, gate, timeout, m);
}

static inline int k_wait(struct k_msg *m, uint32_t timeout)
{
	return k_syscall(SYS_WAIT, WAIT_OPEN, timeout, m);
}

static inline int k_reply_wait(struct k_msg *m, uint32_t timeout)
{
	return k_syscall(SYS_REPLY_WAIT, WAIT_OPEN, timeout, m);
}

/* Answer the last caller and return at once: a reply-and-wait that waits
 * for nothing (WAIT_SLEEP) no time at all, so its E_TIMEOUT means the
 * reply is out (or there was nobody to answer). Any other status is the
 * kernel refusing the reply (its items did not fit); the caller then
 * still waits for one. */
static inline int k_reply(struct k_msg *m)
{
	int st = k_syscall(SYS_REPLY_WAIT, WAIT_SLEEP, TIMEOUT_POLL, m);
	return st == E_TIMEOUT ? E_OK : st;
}

int k_factory_create(uint32_t factory, unsigned type, uint32_t dst_sel, uint32_t arg);
/* Its quota and the bytes in use (either pointer may be NULL). */
int k_factory_info(uint32_t factory, uint32_t *quota, uint32_t *used);
int k_task_map(uint32_t task, uint32_t src_task, uint32_t src_va, uint32_t dst_va,
	       uint32_t pages, unsigned rights);
/* Take `rights` (MAP_R: the whole mapping) away from what was derived from
 * the task's pages in the range, and with UNMAP_SELF from them too. */
int k_task_unmap(uint32_t task, uint32_t va, uint32_t pages, unsigned rights, unsigned flags);
/* The mapping at va: its MAP_R/W/X rights, whether it was derived from
 * another, how many were derived from it directly. */
int k_task_page_info(uint32_t task, uint32_t va, unsigned *rights, unsigned *derived,
		     unsigned *children);
/* Its dirty-tracking state (enum page_track_state). */
int k_task_page_state(uint32_t task, uint32_t va, unsigned *state);
int k_task_cap_map(uint32_t task, uint32_t src_sel, uint32_t dst_sel, unsigned rights);
/* Empty a slot of task (the object goes with its last capability). */
int k_task_cap_delete(uint32_t task, uint32_t sel);
/* Delete every capability derived from a slot of task, in every task. */
int k_task_cap_revoke(uint32_t task, uint32_t sel);
/* What a slot of task holds; any pointer may be NULL. */
int k_task_cap_identify(uint32_t task, uint32_t sel, unsigned *type, unsigned *rights, uint32_t *id);
int k_task_cap_compare(uint32_t task, uint32_t a, uint32_t b, bool *same);

int k_thread_configure(uint32_t thread, uint32_t task, uint32_t utcb_va, unsigned prio);
int k_thread_set_regs(uint32_t thread, uint32_t pc, uint32_t sp, uint32_t arg);
int k_thread_resume(uint32_t thread);
/* A wait it is in fails with E_ABORTED. */
int k_thread_suspend(uint32_t thread);
/* A system call it waits in is made again from the start when it runs
 * again (SUSPEND_RESTART). */
int k_thread_suspend_restart(uint32_t thread);
int k_thread_set_priority(uint32_t thread, unsigned prio);
int k_thread_set_name(uint32_t thread, const char *name);
int k_thread_abort_ipc(uint32_t thread);
int k_gate_create(uint32_t factory, uint32_t dst_sel, uint32_t label, uint32_t thread);
int k_gate_bind(uint32_t gate, uint32_t thread);

struct k_thread_info {
	uint32_t id, task, state, prio, run_ticks;
	uint32_t wait;       /* enum wait_kind (THREAD_INFO only) */
	uint32_t in_fault;   /* 1: blocked in a fault IPC (THREAD_INFO only) */
	char name[9];
};
int k_thread_info(uint32_t thread, struct k_thread_info *info);
int k_sched_thread_info(uint32_t sched, uint32_t index, struct k_thread_info *info);
uint64_t k_time_us(void);   /* through SEL_SCHED */

int k_console_write(uint32_t console, const char *buf, size_t len);
/* Up to max bytes of input; *len gets the count. E_TIMEOUT if none came. */
int k_console_read(uint32_t console, char *buf, size_t max, size_t *len, uint32_t timeout);

int k_shutdown(uint32_t platform, uint32_t code);

int k_thread_read_regs(uint32_t thread, uint32_t regs[THREAD_REGS_WORDS]);
int k_thread_write_regs(uint32_t thread, const uint32_t regs[THREAD_REGS_WORDS]);
/* count (1..UTCB_XFER_MAX) words of its UTCB from word first. */
int k_thread_utcb_read(uint32_t thread, uint32_t first, uint32_t count, uint32_t *out);
int k_thread_utcb_write(uint32_t thread, uint32_t first, uint32_t count, const uint32_t *in);
/* The whole UTCB, in two calls. */
int k_thread_utcb_save(uint32_t thread, uint32_t out[UTCB_WORDS]);
int k_thread_utcb_load(uint32_t thread, const uint32_t in[UTCB_WORDS]);
int k_task_info(uint32_t task, uint32_t *id);
int k_thread_set_handlers(uint32_t thread, uint32_t pager, uint32_t exc_handler);
int k_map_io(uint32_t platform, uint32_t task, uint32_t phys, uint32_t va, uint32_t pages);
int k_irq_create(uint32_t factory, uint32_t dst_sel, uint32_t line);
int k_irq_attach(uint32_t irq, uint32_t thread, uint32_t label);
int k_irq_ack(uint32_t irq);
int k_irq_trigger(uint32_t irq);
int k_irq_detach(uint32_t irq);

struct k_irq_info {
	uint32_t line;         /* GIC number, or IRQ_SOFTWARE */
	uint32_t deliveries;
	uint32_t thread;       /* id of the attached thread, 0: none */
	uint32_t pending;      /* fired since the last delivery */
	uint32_t masked;       /* 1: delivered, not yet acknowledged */
};
int k_irq_info(uint32_t irq, struct k_irq_info *info);
int k_dirty_track(uint32_t task, uint32_t va, uint32_t pages);
int k_dirty_stop(uint32_t task, uint32_t va, uint32_t pages);
/* bitmap: (pages + 31) / 32 words; bit i = page va + i * PAGE_SIZE written since */
int k_dirty_collect(uint32_t task, uint32_t va, uint32_t pages, uint32_t *bitmap);
/* The same with flags (DIRTY_SNAPSHOT: the pages become copy-pending). */
int k_dirty_track_flags(uint32_t task, uint32_t va, uint32_t pages, unsigned flags);
int k_dirty_collect_flags(uint32_t task, uint32_t va, uint32_t pages, unsigned flags,
			  uint32_t *bitmap);
/* A dirty log of capacity pages (0: none). */
int k_dirty_log(uint32_t task, uint32_t capacity);
/* Up to DIRTY_DRAIN_MAX logged pages into vas, *n of them; *status DRAIN_*. */
int k_dirty_drain(uint32_t task, unsigned flags, uint32_t *vas, unsigned *n, unsigned *status);
/* Copy-pending pages in the range become clean. */
int k_snapshot_done(uint32_t task, uint32_t va, uint32_t pages);

struct k_cap_info {
	uint32_t sel, type, rights, obj_id, label;
};
/* The first capability at a selector >= from; E_NOT_FOUND past the last. */
int k_task_cap_info(uint32_t task, uint32_t from, struct k_cap_info *info);

#endif
