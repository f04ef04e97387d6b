/*
 * The checkpoint layer's public header: taking and scheduling checkpoints
 * (ckpt.h), building a task from images (restore.h).
 */
#ifndef RTCR_CHECKPOINT_H
#define RTCR_CHECKPOINT_H

#include "ckpt.h"
#include "restore.h"

#endif
