#ifndef FASTPATH_H
#define FASTPATH_H

#include "thread.h"

/* Each returns true when it did the whole system call; current is then
 * the thread to return to. */
bool fastpath_call(struct thread *t);
bool fastpath_reply_wait(struct thread *t);

#endif
