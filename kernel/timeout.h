/*
 * Timeouts: a list kept sorted by deadline (microseconds since boot), so
 * the tick only looks at the head. Pure C, tested on the host.
 */
#ifndef TIMEOUT_H
#define TIMEOUT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct timeout {
	uint64_t deadline;
	struct timeout *next, *prev;
	bool armed;
};

struct timeout_list {
	struct timeout *head;
};

void timeout_arm(struct timeout_list *l, struct timeout *t, uint64_t deadline);
void timeout_cancel(struct timeout_list *l, struct timeout *t);
/* Unlinks and returns one timeout whose deadline is <= now, or NULL. */
struct timeout *timeout_next_expired(struct timeout_list *l, uint64_t now);

#endif
