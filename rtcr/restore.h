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
#include "child.h"

/* Returns an enum k_error (or -1 for a bad image) and says why in why. */
int restore_image(uint32_t id, struct rtcr_child **out, char *why, size_t size);
/* The console's `restore <image>`: prints what happened. */
struct rtcr_child *restore_command(uint32_t id);

#endif
