/*
 * The mapping database: which mapping was made from which, so that a task
 * can take back what it passed on, from every task it reached, however
 * often it was passed on again (L4's recursive unmap).
 *
 * Every second-level table is one 4 KiB block:
 *
 *   [0, 1024)     the 256 hardware entries the MMU walks
 *   [1024, 4096)  256 nodes, one per entry, that only the kernel reads
 *
 * A node puts its mapping into a tree. `up` names the mapping it was
 * derived from (none: a root, which the kernel made from a physical
 * address), `down` the first mapping derived from it and `next` the next
 * mapping derived from the same parent. A tree spans address spaces; a
 * node knows neither its space nor its virtual address, only the entry.
 *
 * A node is named by a reference ("ref"): the kernel address of its 4 KiB
 * block with the entry index in bits 4-11; 0 is no node. Bits 0-3 of a
 * ref are therefore always clear, and `up` keeps the mapping's own flags
 * (SH_*) there.
 *
 * This header is private to vspace.c and mapdb.c.
 */
#ifndef MAPDB_H
#define MAPDB_H

#include "kernel.h"

#define L2_ENTRIES  256u
#define L2_HW_SIZE  (L2_ENTRIES * 4)
#define L2_SIZE     4096u

struct mnode {
	uint32_t up;     /* parent ref | SH_* flags */
	uint32_t down;   /* first derived mapping */
	uint32_t next;   /* next mapping derived from the same parent */
};

_Static_assert(sizeof(struct mnode) == 12, "a node is three words");
_Static_assert(L2_HW_SIZE + L2_ENTRIES * sizeof(struct mnode) <= L2_SIZE,
	       "entries and nodes share one 4 KiB block");

/*
 * Per-mapping flags, in the low bits of mnode.up. Bits 1-2 are one field,
 * the page's dirty-tracking state (enum page_track_state, shifted by one,
 * so that TASK_PAGE_INFO reports it as it is): compare the field with
 * SH_STATE as a whole, never test one of its bits alone. Every value has
 * the MMU entry read-only except SH_DIRTY (and untracked writable pages).
 */
#define SH_WRITABLE 0x1u   /* the mapping's rights include write */
#define SH_STATE    0x6u   /* dirty-tracking state: */
#define SH_CLEAN    (PAGE_CLEAN << 1)          /* tracked, read-only until written */
#define SH_DIRTY    (PAGE_DIRTY << 1)          /* written since made clean */
#define SH_PENDING  (PAGE_COPY_PENDING << 1)   /* read-only, writes go to the pager */
#define SH_KERNEL   0x8u   /* the frame belongs to a kernel object (a UTCB) */
#define SH_FLAGS    0xfu

/* Short-descriptor small-page entry bits. */
#define PTE_SMALL     0x2u
#define PTE_XN        0x1u
#define PTE_NORMAL    0x4cu           /* TEX=001 C B: normal memory, WBWA */
#define PTE_DEVICE    0x004u          /* TEX=000 C=0 B=1: shareable device */
#define PTE_TYPE_MASK 0x1ccu          /* TEX, C, B */
#define PTE_S         0x400u
#define PTE_NG        0x800u
#define PTE_AP_RW     0x030u          /* AP[2:0] = 011: user read-write */
#define PTE_AP_RO     0x220u          /* AP[2:0] = 110: read-only everywhere */
#define PTE_AP_MASK   0x230u

static inline uint32_t *ref_pte(uint32_t ref)
{
	return (uint32_t *)(uintptr_t)(ref & ~0xfffu) + ((ref >> 4) & 0xffu);
}

static inline struct mnode *ref_node(uint32_t ref)
{
	return (struct mnode *)(uintptr_t)((ref & ~0xfffu) + L2_HW_SIZE) + ((ref >> 4) & 0xffu);
}

static inline uint32_t pte_ref(const uint32_t *pte)
{
	uint32_t a = (uint32_t)(uintptr_t)pte;
	return (a & ~0xfffu) | (((a & (L2_HW_SIZE - 1)) / 4) << 4);
}

static inline uint32_t ref_parent(uint32_t ref)
{
	return ref_node(ref)->up & ~SH_FLAGS;
}

/* Make child (a new mapping, no children yet) derived from parent. */
void mdb_link(uint32_t child, uint32_t parent);

/*
 * The tree operations below count the derived mappings they changed:
 * those may lie in any address space, so the caller must then flush the
 * whole TLB (tlb_flush_all) once. The caller flushes its own entry itself.
 */

/* Remove the mapping and everything derived from it, and unlink it from
 * its parent. */
unsigned mdb_remove(uint32_t ref);
/* Remove everything derived from the mapping; it stays. */
unsigned mdb_remove_derived(uint32_t ref);
/* Take MAP_W and/or MAP_X away from everything derived from the mapping. */
unsigned mdb_protect_derived(uint32_t ref, unsigned take);
/* The same for the one mapping (no TLB maintenance). */
void mdb_take_rights(uint32_t ref, unsigned take);
/* How many mappings were derived from this one directly. */
unsigned mdb_child_count(uint32_t ref);

#endif
