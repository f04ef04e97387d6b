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
#include "core.h"
#include "error.h"

#define RESTORE_STAGES 2u   /* tasks being built at once */

/*
 * A task built step by step, so that the work that grows with memory is
 * done before the task must run (a migration applies each image as it
 * arrives): begin with a full image (a new task, stopped, with that
 * image's memory), apply its increments in order, finish (threads,
 * sessions, capabilities: the task is complete but stopped), resume.
 * A call that fails says why in the detail: R_IMAGE_DAMAGED (an image
 * fails the format's checks), R_IMAGE_REFUSED (the rules refuse what it
 * holds), or what this board lacks (a kernel code, R_NO_ROOM, E_BUSY for
 * a device another task holds); a failed stage is dropped by its owner.
 */
struct restore_stage;
/* *out: the stage (NULL if it fails: R_ONE_AT_A_TIME when RESTORE_STAGES
 * are under way, R_NO_IMAGE, E_INVALID_ARG for an increment). */
rtcr_err restore_stage_begin(uint32_t full_id, struct restore_stage **out,
			     struct rtcr_detail *d);
/* E_INVALID_ARG: image id is not the increment of the last one applied. */
rtcr_err restore_stage_apply(struct restore_stage *r, uint32_t id, struct rtcr_detail *d);
/* migrated: the task comes from another board; its clock goes on from the
 * time of its last pause there. */
rtcr_err restore_stage_finish(struct restore_stage *r, bool migrated, struct rtcr_detail *d);
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

/* The whole chain ending in image id at once (image_chain's failures, then
 * the stages'); *out: the task, running. */
rtcr_err restore_image(uint32_t id, struct rtcr_child **out, struct rtcr_detail *d);

#endif
