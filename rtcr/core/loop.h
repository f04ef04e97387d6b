/*
 * The main loop's work. RTCR's one thread serves a request, then does what
 * is due; what is due is registered here by the layers that have it (timer
 * sessions, checkpoints, migrations, the network endpoints), so the loop
 * (main.c) knows none of them. Pollers run in the order they registered.
 */
#ifndef RTCR_LOOP_H
#define RTCR_LOOP_H

#include <stdint.h>

struct poller {
	/* When run must be called next (board time, us; 0: not needed), given
	 * now. May be NULL: run is then called every turn. */
	uint64_t (*due)(uint64_t now);
	void (*run)(uint64_t now);
	struct poller *next;     /* the loop's */
};

void loop_add(struct poller *p);
/* Every poller's run, in order. */
void loop_run(uint64_t now);
/* The earliest time any poller is due (0: none). */
uint64_t loop_due(uint64_t now);

#endif
