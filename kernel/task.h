/* Task: an address space and a capability space. */
#ifndef TASK_H
#define TASK_H

#include "kobj.h"
#include "vspace.h"
#include "cspace.h"

struct invocation;

struct task {
	struct kobj obj;
	struct vspace vs;
	struct cspace cspace;
	unsigned threads;        /* configured threads running in it */
};

int task_create(struct factory *f, struct kobj **out);
void task_destroy(struct task *t);
int task_invoke(struct invocation *inv);

#endif
