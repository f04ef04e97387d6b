/*
 * Restore: a new child from fresh kernel objects, built from a checkpoint
 * image (and the chain of images it applies to). Every capability returns
 * at its selector with its rights, every session with its state, every
 * page and register as they were at the pause. Nothing in the child's
 * memory is patched.
 */
#ifndef RTCR_RESTORE_H
#define RTCR_RESTORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "child.h"

#define RESTORE_STAGES 2u   /* tasks being built at once */

/*
 * A task built step by step, so that the work that grows with memory is
 * done before the task must run (a migration applies each image as it
 * arrives): begin with a full image (a new task, stopped, with that
 * image's memory), apply its increments in order, finish (threads,
 * sessions, capabilities: the task is complete but stopped), resume.
 * Each call that can fail returns an enum k_error, or -1 for a bad image,
 * and says why in why; a failed stage is dropped by its owner.
 */
struct restore_stage;
struct restore_stage *restore_stage_begin(uint32_t full_id, char *why, size_t size);
int restore_stage_apply(struct restore_stage *r, uint32_t id, char *why, size_t size);
/* migrated: the task comes from another board; its clock goes on from the
 * time of its last pause there. */
int restore_stage_finish(struct restore_stage *r, bool migrated, char *why, size_t size);
struct rtcr_child *restore_stage_child(const struct restore_stage *r);
/* The task runs; the stage is gone. */
struct rtcr_child *restore_stage_resume(struct restore_stage *r);
/* The same in two steps, for a task that waits (a migration whose go did
 * not come): the stage is gone and the task stays stopped; it returns which
 * threads run once it is resumed (bit n: thread n), for the second step. */
uint32_t restore_stage_release(struct restore_stage *r);
void restore_child_resume(struct rtcr_child *c, uint32_t live);
/* The task (if any) goes; so does the stage. */
void restore_stage_drop(struct restore_stage *r);

/* The whole chain ending in image id at once. Returns an enum k_error (or -1
 * for a bad image) and says why in why. */
int restore_image(uint32_t id, struct rtcr_child **out, char *why, size_t size);
/* The console's `restore <image>`: prints what happened. */
struct rtcr_child *restore_command(uint32_t id);

#endif
