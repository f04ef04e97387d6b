#include "timeout.h"

void timeout_arm(struct timeout_list *l, struct timeout *t, uint64_t deadline)
{
	if (t->armed)
		timeout_cancel(l, t);
	t->deadline = deadline;
	t->armed = true;

	/* Equal deadlines keep arrival order: insert after them. */
	struct timeout *prev = NULL, *cur = l->head;
	while (cur && cur->deadline <= deadline) {
		prev = cur;
		cur = cur->next;
	}
	t->prev = prev;
	t->next = cur;
	if (cur)
		cur->prev = t;
	if (prev)
		prev->next = t;
	else
		l->head = t;
}

void timeout_cancel(struct timeout_list *l, struct timeout *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		l->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
	t->armed = false;
}

struct timeout *timeout_next_expired(struct timeout_list *l, uint64_t now)
{
	struct timeout *t = l->head;
	if (!t || t->deadline > now)
		return NULL;
	timeout_cancel(l, t);
	return t;
}
