/*
 * Offline storage: the checkpoint images RTCR keeps, in its own memory, in
 * the format of ckpt_image.h. An increment names its base; the chain from a
 * full image through its increments is what a restore applies.
 *
 * An image has a local id (what the console names it by, never reused in a
 * boot) and an identity: the boot that took it (its origin, boot_id()) and
 * its id there. An increment's header names its base by that identity, so
 * whatever way images come (taken here, loaded, migrated) an increment is
 * chained only to the very image it was taken against.
 */
#ifndef RTCR_STORE_H
#define RTCR_STORE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "core.h"
#include "format.h"
#include "error.h"

#define IMAGES_MAX 32u
#define IMAGE_CHAIN_MAX 8u   /* longer chains are folded into a new full image */

struct image {
	bool used;
	bool complete;           /* its pages are all written */
	bool full;
	uint32_t id, base_id;    /* local: the console's names */
	uint64_t origin;         /* identity: the boot that took it ... */
	uint32_t src_id;         /* ... and its id there (its header's image id) */
	uint32_t task_id;        /* the task it was taken of */
	char name[CHILD_NAME_MAX];
	uint64_t time_us;        /* of the pause */
	uint32_t pause_us;
	uint32_t len;            /* bytes, once complete */
	uint32_t npages;         /* page records */
	uint8_t *buf;
	uint32_t buf_pages;
	char from[8];            /* the peer it came from; "" if not migrated */
	bool pinned;             /* a migration under way needs it: never evicted */
	bool crc_blocks;         /* its blocks' CRCs are where its taker asked (ckpt_opts) */
};

/* A new, incomplete image with room for capacity bytes, not zeroed (the
 * writer or the transfer fills it before it is complete). When there is no
 * slot or memory, the oldest images of tasks that are gone (and images
 * from other boards no migration needs now) make room; NULL means there
 * is no room even so (it has no other meaning). */
struct image *image_new(size_t capacity);
/* It is complete at len bytes: the room it did not use goes back. */
void image_complete(struct image *im, size_t len);
void image_drop(struct image *im);
/* Check a complete image of the store (ckpt_image_check_crc): everything
 * but its CRC, which is not worked out from its bytes again. An image
 * becomes complete only after its CRC was (written here, received from a
 * peer and checked, or loaded and checked), and the store is RTCR's own
 * memory. R_IMAGE_DAMAGED, the detail "image <id>: <what is wrong>". */
rtcr_err image_check(const struct image *im, struct ckpt_header *h, struct rtcr_detail *d);
struct image *image_find(uint32_t id);
/* The complete image with that identity, or NULL. */
struct image *image_by_identity(uint64_t origin, uint32_t src_id);
/* The chain ending in image id, full image first, its length in *n (at
 * most max). Fails if a link is missing (R_NO_IMAGE: id itself; R_NO_BASE:
 * a base), still being written (E_INVALID_STATE) or the chain is longer
 * than max (R_NO_ROOM). */
rtcr_err image_chain(uint32_t id, struct image **chain, unsigned max, unsigned *n,
		     struct rtcr_detail *d);
/* Keep the chain ending in id short: fold its two oldest images into one
 * full image while it is longer than IMAGE_CHAIN_MAX. */
void image_compact(uint32_t id);

/* A listing by id: the stored image with the least id above after_id (0
 * for the first), or NULL after the last. */
const struct image *image_next(uint32_t after_id);
/* How many of the IMAGES_MAX slots hold an image. */
unsigned images_used(void);

/* `images drop <id> [chain]`: drop an image; one that kept increments are
 * based on goes only with them (chain). *dropped: how many went. Fails
 * with R_NO_IMAGE, or, dropping nothing, with E_INVALID_STATE (it or an
 * image of its chain is still being written or arriving), E_BUSY (a
 * migration under way needs it) or R_HAS_INCREMENTS (not chain); the
 * detail says "image <id> stays: <why>". */
rtcr_err images_drop(uint32_t id, bool chain, unsigned *dropped, struct rtcr_detail *d);
/* `images dump <id>`: the image as text lines (ckpt_dump_emit), each
 * handed to line. R_NO_IMAGE ("no image <id>"), E_INVALID_STATE ("image
 * <id> is still being written"). */
rtcr_err images_dump(uint32_t id, ckpt_line_fn line, void *ctx, struct rtcr_detail *d);

/* `images load`: the lines that follow on the console are an image's dump
 * (as `images dump` gives it), up to its ckpt-end line, or `abort`. The
 * image is checked completely before it is stored. Begin fails with
 * E_NO_MEMORY (no memory for the text). */
rtcr_err images_load_begin(struct rtcr_detail *d);
bool images_loading(void);
/* The image a load stored. */
struct images_loaded {
	bool stored;          /* false: more lines are wanted */
	uint32_t src_id;      /* its id where it was taken */
	uint32_t id;          /* here */
	bool full;
	uint32_t task_id, len;
};
/* One line of the load. A failure ends the load: R_CANCELLED (abort),
 * R_NO_ROOM (too much text, or no room for the image), E_NO_MEMORY,
 * R_IMAGE_DAMAGED (the dump or the image fails a check), R_DUPLICATE
 * (stored already), R_NO_BASE (an increment whose base is not here). E_OK
 * with out->stored once the image is in. */
rtcr_err images_load_line(const char *line, struct images_loaded *out, struct rtcr_detail *d);

#endif
