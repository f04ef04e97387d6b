/*
 * A task's address space: ARMv7 short-descriptor tables, 4 KiB pages only.
 * The first-level table covers user space [0, 2 GiB) (8 KiB, TTBR0 with
 * TTBCR.N = 1); second-level tables (4 KiB: 256 entries and the mapping
 * database's nodes, see mapdb.h) come from the task's factory. Each space
 * has its own ASID, so a switch needs no TLB flush.
 *
 * Mappings form trees across spaces: vspace_map_page makes a root (the
 * kernel hands out a physical frame), vspace_map_from a mapping derived
 * from one in another (or the same) space. Unmapping a mapping unmaps
 * everything derived from it, in every space.
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
/* Unmaps every mapping (and what was derived from them elsewhere) first. */
void vspace_destroy(struct vspace *vs, struct factory *f);
uint32_t vspace_l1_phys(const struct vspace *vs);

/* Kernel-internal page attributes, never accepted from user space (where
 * rights are MAP_R/W/X only); vspace_lookup reports them.
 * MAP_DEVICE: device registers, uncached, never executable; a device page
 * stays one when mapped on.
 * MAP_KERNEL: the frame belongs to a kernel object (a thread's UTCB): it
 * is never passed on, so no mapping of it can outlive the object. */
#define MAP_DEVICE 0x8u
#define MAP_KERNEL 0x10u

/* A page held with `have` may be mapped on with `want`: no more rights,
 * no kernel frames, and device registers are never executable. */
static inline bool map_rights_ok(unsigned have, unsigned want)
{
	return (have & want) == want && !(have & MAP_KERNEL) &&
	       !((have & MAP_DEVICE) && (want & MAP_X));
}

/* Make sure the second-level table for va exists (so a later map of va
 * cannot fail for want of memory). */
int vspace_prepare(struct vspace *vs, struct factory *f, uint32_t va);
/* A root mapping of the frame pa. */
int vspace_map_page(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa, unsigned rights);
/* Map src's frame at sva into dst at dva with rights (device pages stay
 * device pages), derived from src's mapping. The caller checks the rights
 * (map_rights_ok). */
int vspace_map_from(struct vspace *dst, struct factory *f, uint32_t dva,
		    struct vspace *src, uint32_t sva, unsigned rights);
/* Remove the mapping at va and everything derived from it. */
int vspace_unmap_page(struct vspace *vs, uint32_t va);
/* The same for whatever is mapped in [va, va + pages pages). */
void vspace_unmap_range(struct vspace *vs, uint32_t va, uint32_t pages);
/*
 * For each mapped page in the range: `take` MAP_R removes, otherwise MAP_W
 * and/or MAP_X are taken away; from the mappings derived from it, and from
 * the page itself too if `self`. Unmapped pages are skipped.
 */
void vspace_unmap(struct vspace *vs, uint32_t va, uint32_t pages, unsigned take, bool self);
/* E_OK with the frame and its MAP_* rights, or E_NOT_MAPPED. */
int vspace_lookup(const struct vspace *vs, uint32_t va, uint32_t *pa, unsigned *rights);
/* E_OK with MAP_* rights, whether the mapping is derived from another and
 * how many are derived from it directly; or E_NOT_MAPPED. */
int vspace_page_info(const struct vspace *vs, uint32_t va, unsigned *rights, bool *derived,
		     unsigned *children);

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
