/*
 * The format layer's public header: the checkpoint image codec (format in
 * docs/ckpt-image.md), CRC-32, the migration protocol's messages
 * (docs/migration.md). Plain C, shared with the host tools, which include
 * the headers one by one.
 */
#ifndef RTCR_FORMAT_H
#define RTCR_FORMAT_H

#include "ckpt_image.h"
#include "crc32.h"
#include "mig_proto.h"

#endif
