/*
 * Typed message items: capabilities and memory passed in an IPC message
 * (the format is in uapi/syscall.h).
 */
#ifndef ITEMS_H
#define ITEMS_H

#include "thread.h"

/* Where a receiver accepts items. */
struct item_dest {
	uint32_t sel, sel_count;     /* capability selectors */
	uint32_t va, pages;          /* memory window */
	bool rewrite;                /* tell the receiver where each item went */
};

/* The receiver's buffer registers. */
void items_dest_of(struct thread *to, struct item_dest *d);

/* Check every item of from's message for to; change nothing. */
int items_check(struct thread *from, struct thread *to, const struct item_dest *d);
/* Carry them out; only after items_check succeeded (cannot fail then). */
void items_apply(struct thread *from, struct thread *to, const struct item_dest *d);

#endif
