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

/* A page held with `have` may be mapped on with `want`: no more rights,
 * and device registers are never executable. */
static inline bool map_rights_ok(unsigned have, unsigned want)
{
	return (have & want) == want && !((have & MAP_DEVICE) && (want & MAP_X));
}

/* Unmap whatever is mapped in [va, va + pages pages). */
void vspace_unmap_range(struct vspace *vs, uint32_t va, uint32_t pages);

int vspace_prepare(struct vspace *vs, struct factory *f, uint32_t va);
int vspace_map_page(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa, unsigned rights);
int vspace_unmap_page(struct vspace *vs, uint32_t va);
/* E_OK with the frame and its MAP_* rights, or E_NOT_MAPPED. */
int vspace_lookup(const struct vspace *vs, uint32_t va, uint32_t *pa, unsigned *rights);

/*
 * Dirty tracking, per mapping and page: track write-protects the writable
 * pages of a range; the first write to such a page marks it dirty and
 * makes it writable again, inside the kernel (vspace_dirty_fault, from the
 * permission fault), with no IPC; collect returns a bitmap of the pages
 * written since (bit i = page va + i * PAGE_SIZE) and write-protects them
 * again; stop ends tracking. Unmapped and read-only pages are skipped.
 */
void vspace_dirty_track(struct vspace *vs, uint32_t va, uint32_t pages);
void vspace_dirty_stop(struct vspace *vs, uint32_t va, uint32_t pages);
void vspace_dirty_collect(struct vspace *vs, uint32_t va, uint32_t pages, uint32_t *bitmap);
bool vspace_dirty_fault(struct vspace *vs, uint32_t va);

static inline bool user_range_ok(uint32_t va, uint32_t pages)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va >= PAGE_SIZE && va < USER_TOP &&
	       pages <= (USER_TOP - va) / PAGE_SIZE;
}

#endif
