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

/*
 * The dirty log: a ring of addresses (one in each page written), in blocks
 * of the largest size the kernel allocates (16 KiB), so a log of
 * DIRTY_LOG_MAX entries needs no larger block. Entries are put and taken
 * through cursors, so that putting one on the dirty-fault path is a
 * pointer store; a cursor moves to the next block (or back to the first)
 * when it reaches the end of its own.
 */
#define DIRTY_LOG_BLOCK  4096u   /* entries per block */
#define DIRTY_LOG_BLOCKS (DIRTY_LOG_MAX / DIRTY_LOG_BLOCK)

struct log_cursor {
	uint32_t *at;        /* the entry to put or take next */
	uint32_t *end;       /* the end of its block */
	uint32_t block;      /* its index */
};

struct dirty_log {
	uint32_t *block[DIRTY_LOG_BLOCKS];
	uint32_t capacity;   /* entries; 0: there is no log */
	uint32_t room;       /* entries that can still be put */
	struct log_cursor put, take;
	bool overflow;       /* a first write was not logged since the last
	                        drain that reported it */
};

struct vspace {
	uint32_t *l1;      /* kernel VA of the first-level table */
	uint8_t asid;
	struct dirty_log log;
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
/* E_OK with MAP_* rights, whether the mapping is derived from another,
 * how many are derived from it directly and its dirty-tracking state
 * (enum page_track_state); or E_NOT_MAPPED. */
int vspace_page_info(const struct vspace *vs, uint32_t va, unsigned *rights, bool *derived,
		     unsigned *children, unsigned *state);

/*
 * Dirty tracking, per mapping and page (the states are in objects.h):
 * track write-protects the writable pages of a range, clean (with
 * `snapshot`: copy-pending); the first write to a clean page marks it
 * dirty, makes it writable again and logs it, inside the kernel
 * (vspace_dirty_fault, from the permission fault), with no IPC; collect
 * returns a bitmap of the dirty pages (bit i = page va + i * PAGE_SIZE)
 * and write-protects them again, clean (copy-pending); snapshot_done
 * makes copy-pending pages clean; stop ends tracking. Unmapped and
 * read-only pages are skipped.
 */
void vspace_dirty_track(struct vspace *vs, uint32_t va, uint32_t pages, bool snapshot);
void vspace_dirty_stop(struct vspace *vs, uint32_t va, uint32_t pages);
void vspace_dirty_collect(struct vspace *vs, uint32_t va, uint32_t pages, uint32_t *bitmap,
			  bool snapshot);
void vspace_snapshot_done(struct vspace *vs, uint32_t va, uint32_t pages);
bool vspace_dirty_fault(struct vspace *vs, uint32_t va);
/* A new, empty log of capacity entries (0: none) from f, in place of the
 * old one; E_NO_MEMORY changes nothing. */
int vspace_dirty_log(struct vspace *vs, struct factory *f, uint32_t capacity);
/* Up to DIRTY_DRAIN_MAX logged pages that are still dirty, oldest first,
 * made clean (copy-pending) again; returns how many, with DRAIN_* status. */
unsigned vspace_dirty_drain(struct vspace *vs, bool snapshot, uint32_t *pages, uint32_t *status);

static inline bool user_range_ok(uint32_t va, uint32_t pages)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va >= PAGE_SIZE && va < USER_TOP &&
	       pages <= (USER_TOP - va) / PAGE_SIZE;
}

#endif
