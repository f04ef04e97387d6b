/*
 * The child's side of the session protocol (session_proto.h): asking the
 * parent for sessions and using them.
 */
#ifndef USER_SESSION_H
#define USER_SESSION_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "sys.h"
#include "session_proto.h"

/* ---- the child's side ----------------------------------------------------- */

/*
 * Ask the parent for a session. sel (and sig for signalling services) are
 * free selectors of the caller's; info gets up to ninfo words the service
 * tells (may be NULL). Returns an enum k_error.
 */
int session_open(const char *service, uint32_t sel, uint32_t sig, const uint32_t *args,
		 unsigned nargs, uint32_t *info, unsigned ninfo);

/* A device the parent can hand out (PARENT_DEVICE): its name, registers
 * and interrupt. */
struct device_info {
	char name[13];           /* terminated */
	uint32_t pages, irq;
};
int parent_device(uint32_t index, struct device_info *out);
/* The first device called name: its index (and info, if out is not NULL),
 * or E_NOT_FOUND. */
int parent_device_find(const char *name, uint32_t *index, struct device_info *out);

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
