/*
 * A task's address space: ARMv7 short-descriptor tables, 4 KiB pages only.
 * The first-level table covers user space [0, 2 GiB) (8 KiB, TTBR0 with
 * TTBCR.N = 1); second-level tables (1 KiB, 256 pages) come from the task's
 * factory. Each space has its own ASID, so a switch needs no TLB flush.
 */
#ifndef VSPACE_H
#define VSPACE_H

#include "kernel.h"

struct factory;

struct vspace {
	uint32_t *l1;      /* kernel VA of the first-level table */
	uint8_t asid;
};

int vspace_init(struct vspace *vs, struct factory *f);
void vspace_destroy(struct vspace *vs, struct factory *f);
uint32_t vspace_l1_phys(const struct vspace *vs);

/* Make sure the second-level table for va exists (so a later map of va
 * cannot fail for want of memory). */
/* Kernel-internal page attribute (never accepted from user space, where
 * rights are MAP_R/W/X only): device registers, uncached, never executable.
 * vspace_lookup reports it, so a device page stays one when mapped on. */
#define MAP_DEVICE 0x8u

int vspace_prepare(struct vspace *vs, struct factory *f, uint32_t va);
int vspace_map_page(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa, unsigned rights);
int vspace_unmap_page(struct vspace *vs, uint32_t va);
/* E_OK with the frame and its MAP_* rights, or E_NOT_MAPPED. */
int vspace_lookup(const struct vspace *vs, uint32_t va, uint32_t *pa, unsigned *rights);

static inline bool user_range_ok(uint32_t va, uint32_t pages)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va >= PAGE_SIZE && va < USER_TOP &&
	       pages <= (USER_TOP - va) / PAGE_SIZE;
}

#endif
