/*
 * An invocation: a SYS_CALL on a capability that names a kernel object.
 * The object's handler reads its arguments with inv_word, writes results
 * with inv_reply and returns a status (enum k_error), or INVOKE_BLOCKED when
 * the caller now waits and is answered later.
 */
#ifndef INVOKE_H
#define INVOKE_H

#include "kobj.h"
#include "thread.h"

#define INVOKE_BLOCKED (-1)

struct invocation {
	struct thread *caller;
	struct kobj *obj;
	uint32_t rights;        /* of the invoked capability */
	uint32_t op;            /* tag label */
	unsigned words;         /* words sent */
	unsigned reply_words;   /* words answered */
	uint32_t timeout;       /* microseconds, or TIMEOUT_POLL / TIMEOUT_NEVER */
	bool is_call;           /* SYS_CALL (else SYS_SEND) */
};

/* Argument i, or 0 when the caller sent fewer words. */
static inline uint32_t inv_word(const struct invocation *inv, unsigned i)
{
	return i < inv->words ? thread_mr(inv->caller, i) : 0;
}

static inline void inv_reply(struct invocation *inv, unsigned i, uint32_t v)
{
	thread_set_mr(inv->caller, i, v);
	if (i + 1 > inv->reply_words)
		inv->reply_words = i + 1;
}

/* The caller must send at least n words. */
#define INV_NEED(inv, n) do { if ((inv)->words < (n)) return E_INVALID_ARG; } while (0)

#endif
