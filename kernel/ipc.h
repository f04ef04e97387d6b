/*
 * Synchronous IPC between threads, through gates. A message is the tag
 * (protocol label and word count) and up to MSG_WORDS_MAX words: words 0-3
 * travel in registers, the rest is copied UTCB to UTCB. It is copied when
 * the receiver takes it, straight from the sender's registers and UTCB.
 */
#ifndef IPC_H
#define IPC_H

#include "thread.h"

struct gate;

/* Send through g; a call then waits for the reply. Returns a status for
 * the sender, or INVOKE_BLOCKED. */
int ipc_send(struct thread *t, struct gate *g, bool call, uint32_t timeout);
/* SYS_WAIT / SYS_REPLY_WAIT for the current thread (result in its registers). */
void ipc_wait(struct thread *t, uint32_t from, uint32_t timeout);
void ipc_reply_wait(struct thread *t, uint32_t from, uint32_t timeout);
bool ipc_tag_ok(uint32_t tag);
/* t faulted (fault_* filled in): call g on its behalf. */
void ipc_fault(struct thread *t, struct gate *g);

#endif
