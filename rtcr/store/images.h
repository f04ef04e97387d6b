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
#ifndef RTCR_IMAGES_H
#define RTCR_IMAGES_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "child.h"
#include "ckpt_image.h"

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
 * from other boards no migration needs now) make room; NULL if that is
 * not enough. */
struct image *image_new(size_t capacity);
/* It is complete at len bytes: the room it did not use goes back. */
void image_complete(struct image *im, size_t len);
void image_drop(struct image *im);
/* Check a complete image of the store (ckpt_image_check_crc): everything
 * but its CRC, which is not worked out from its bytes again. An image
 * becomes complete only after its CRC was (written here, received from a
 * peer and checked, or loaded and checked), and the store is RTCR's own
 * memory. */
int image_check(const struct image *im, struct ckpt_header *h, struct ckpt_detail *d);
struct image *image_find(uint32_t id);
/* The complete image with that identity, or NULL. */
struct image *image_by_identity(uint64_t origin, uint32_t src_id);
/* The chain ending in image id, full image first; returns its length, 0 if
 * a link is missing or incomplete (*why says which). */
unsigned image_chain(uint32_t id, struct image **chain, unsigned max, const char **why);
/* Keep the chain ending in id short: fold its two oldest images into one
 * full image while it is longer than IMAGE_CHAIN_MAX. */
void image_compact(uint32_t id);

void images_list(void);
void images_dump(uint32_t id);
/* `images drop <id> [chain]`: drop an image; one that kept increments are
 * based on goes only with them (chain). Prints what it did. */
void images_drop(uint32_t id, bool chain);

/* `images load`: the lines that follow on the console are an image's dump
 * (as `images dump` prints it), up to its ckpt-end line, or `abort`. The
 * image is checked completely before it is stored. */
void images_load_begin(void);
bool images_loading(void);
void images_load_line(const char *line);

#endif
