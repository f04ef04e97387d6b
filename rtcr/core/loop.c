#include "loop.h"
#include <stddef.h>

static struct poller *first, **last = &first;

void loop_add(struct poller *p)
{
	p->next = NULL;
	*last = p;
	last = &p->next;
}

void loop_run(uint64_t now)
{
	for (struct poller *p = first; p; p = p->next)
		p->run(now);
}

uint64_t loop_due(uint64_t now)
{
	uint64_t next = 0;
	for (struct poller *p = first; p; p = p->next) {
		uint64_t t = p->due ? p->due(now) : 0;
		if (t && (!next || t < next))
			next = t;
	}
	return next;
}
