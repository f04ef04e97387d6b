/*
 * IPC gate: the capability a client calls to reach a server thread. The
 * label is chosen by whoever creates the gate and given to the receiver
 * with every message; nothing in a task's memory needs to know which
 * kernel object stands behind it, so a gate recreated with the same label
 * on another board is indistinguishable to the server.
 */
#ifndef GATE_H
#define GATE_H

#include "kobj.h"

struct thread;
struct invocation;

struct gate {
	struct kobj obj;
	struct thread *server;   /* NULL while unbound */
	uint32_t label;
	struct gate *bound_next, *bound_prev;   /* in the server's list */
};

int gate_create(struct factory *f, uint32_t label, struct thread *server, struct kobj **out);
void gate_destroy(struct gate *g);
int gate_invoke(struct invocation *inv);
/* The thread is being destroyed: the gates bound to it become unbound. */
void gates_unbind_all(struct thread *t);

#endif
