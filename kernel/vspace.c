#include "vspace.h"
#include "mapdb.h"
#include "factory.h"
#include "memlayout.h"
#include "mmu.h"

#define L1_ENTRIES  2048u           /* 2 GiB / 1 MiB */
#define L1_SIZE     (L1_ENTRIES * 4)
#define L1_TYPE_TABLE 0x1u

static uint32_t asid_used[256 / 32] = { 1 };   /* ASID 0 is reserved */

static int asid_alloc(void)
{
	for (unsigned i = 1; i < 256; i++)
		if (!(asid_used[i / 32] & (1u << (i % 32)))) {
			asid_used[i / 32] |= 1u << (i % 32);
			return (int)i;
		}
	return -1;
}

int vspace_init(struct vspace *vs, struct factory *f)
{
	int asid = asid_alloc();
	if (asid < 0)
		return E_NO_ASID;
	vs->l1 = factory_alloc(f, L1_SIZE);
	if (!vs->l1) {
		asid_used[asid / 32] &= ~(1u << (asid % 32));
		return E_NO_MEMORY;
	}
	vs->asid = (uint8_t)asid;
	cache_clean_range(vs->l1, L1_SIZE);
	return E_OK;
}

/* The second-level table of first-level slot i, or NULL. */
static uint32_t *l2_at(const struct vspace *vs, unsigned i)
{
	uint32_t e = vs->l1[i];
	if ((e & 3) != L1_TYPE_TABLE)
		return NULL;
	return (uint32_t *)phys_to_virt(e & ~0x3ffu);
}

static uint32_t *l2_of(const struct vspace *vs, uint32_t va)
{
	return l2_at(vs, va >> 20);
}

/* The entry of the page holding va, or NULL when nothing is mapped there.
 * Any address will do (a fault address may point into the kernel). */
static uint32_t *pte_of(const struct vspace *vs, uint32_t va)
{
	uint32_t *l2 = va < USER_TOP ? l2_of(vs, va) : NULL;
	uint32_t *pte = l2 ? &l2[(va >> 12) & 0xff] : NULL;
	return pte && *pte ? pte : NULL;
}

static struct mnode *node_of(const uint32_t *pte)
{
	return ref_node(pte_ref(pte));
}

void vspace_destroy(struct vspace *vs, struct factory *f)
{
	/* Mappings derived from this space's live on in other spaces until
	 * removed here; only then may the nodes they link to go. */
	unsigned derived = 0;
	for (unsigned i = 0; i < L1_ENTRIES; i++) {
		uint32_t *l2 = l2_at(vs, i);
		for (unsigned j = 0; l2 && j < L2_ENTRIES; j++)
			if (l2[j])
				derived += mdb_remove(pte_ref(&l2[j]));
	}
	for (unsigned i = 0; i < L1_ENTRIES; i++)
		if (l2_at(vs, i))
			factory_free(f, l2_at(vs, i), L2_SIZE);
	factory_free(f, vs->l1, L1_SIZE);
	tlb_flush_asid(vs->asid);
	if (derived)
		tlb_flush_all();
	asid_used[vs->asid / 32] &= ~(1u << (vs->asid % 32));
}

uint32_t vspace_l1_phys(const struct vspace *vs)
{
	return virt_to_phys(vs->l1);
}

int vspace_prepare(struct vspace *vs, struct factory *f, uint32_t va)
{
	if (!user_range_ok(va & ~(PAGE_SIZE - 1), 1))
		return E_BAD_ADDRESS;
	if (l2_of(vs, va))
		return E_OK;
	uint32_t *l2 = factory_alloc(f, L2_SIZE);   /* zeroed: no entries, no links */
	if (!l2)
		return E_NO_MEMORY;
	cache_clean_range(l2, L2_HW_SIZE);
	vs->l1[va >> 20] = virt_to_phys(l2) | L1_TYPE_TABLE;
	cache_clean_range(&vs->l1[va >> 20], 4);
	return E_OK;
}

/* A new mapping of pa at va, derived from `parent` (0: a root). */
static int install(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa,
		   unsigned rights, uint32_t parent)
{
	if (!user_range_ok(va, 1) || !IS_ALIGNED(pa, PAGE_SIZE))
		return E_BAD_ADDRESS;
	int err = vspace_prepare(vs, f, va);
	if (err)
		return err;
	uint32_t *pte = &l2_of(vs, va)[(va >> 12) & 0xff];
	if (*pte)
		return E_ALREADY_MAPPED;
	bool device = rights & MAP_DEVICE;
	node_of(pte)->up = ((rights & MAP_W) ? SH_WRITABLE : 0) | ((rights & MAP_KERNEL) ? SH_KERNEL : 0);
	if (parent)
		mdb_link(pte_ref(pte), parent);
	*pte = pa | PTE_SMALL | (device ? PTE_DEVICE : PTE_NORMAL) | PTE_S | PTE_NG |
	       ((rights & MAP_W) ? PTE_AP_RW : PTE_AP_RO) |
	       ((rights & MAP_X) && !device ? 0 : PTE_XN);
	cache_clean_range(pte, 4);
	return E_OK;
}

int vspace_map_page(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa, unsigned rights)
{
	return install(vs, f, va, pa, rights, 0);
}

int vspace_map_from(struct vspace *dst, struct factory *f, uint32_t dva,
		    struct vspace *src, uint32_t sva, unsigned rights)
{
	uint32_t *from = user_range_ok(sva, 1) ? pte_of(src, sva) : NULL;
	if (!from)
		return E_NOT_MAPPED;
	bool device = (*from & PTE_TYPE_MASK) == PTE_DEVICE;
	uint32_t pa = *from & ~0xfffu;
	int err = install(dst, f, dva, pa, rights | (device ? MAP_DEVICE : 0), pte_ref(from));
	/* Code a task wrote through its data mapping (a loader) must reach
	 * the instruction side before anyone runs it; user mode cannot do
	 * that maintenance itself. Executable pages are never devices. */
	if (!err && (rights & MAP_X)) {
		cache_clean_range((const void *)phys_to_virt(pa), PAGE_SIZE);
		cache_sync_icache();
	}
	return err;
}

void vspace_unmap(struct vspace *vs, uint32_t va, uint32_t pages, unsigned take, bool self)
{
	unsigned derived = 0;
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t page = va + i * PAGE_SIZE;
		uint32_t *pte = pte_of(vs, page);
		if (!pte)
			continue;
		uint32_t ref = pte_ref(pte);
		if (take & MAP_R) {
			derived += self ? mdb_remove(ref) : mdb_remove_derived(ref);
		} else {
			derived += mdb_protect_derived(ref, take);
			if (self)
				mdb_take_rights(ref, take);
		}
		if (self)
			tlb_flush_page(page, vs->asid);
	}
	if (derived)
		tlb_flush_all();
}

int vspace_unmap_page(struct vspace *vs, uint32_t va)
{
	if (!user_range_ok(va, 1) || !pte_of(vs, va))
		return E_NOT_MAPPED;
	vspace_unmap(vs, va, 1, MAP_R, true);
	return E_OK;
}

void vspace_unmap_range(struct vspace *vs, uint32_t va, uint32_t pages)
{
	vspace_unmap(vs, va, pages, MAP_R, true);
}

static unsigned rights_of(const uint32_t *pte)
{
	uint32_t up = node_of(pte)->up;
	/* By right: a dirty-tracked page is read-only in the MMU until written. */
	return MAP_R | ((up & SH_WRITABLE) ? MAP_W : 0) | ((*pte & PTE_XN) ? 0 : MAP_X) |
	       ((*pte & PTE_TYPE_MASK) == PTE_DEVICE ? MAP_DEVICE : 0) |
	       ((up & SH_KERNEL) ? MAP_KERNEL : 0);
}

int vspace_lookup(const struct vspace *vs, uint32_t va, uint32_t *pa, unsigned *rights)
{
	uint32_t *pte = user_range_ok(va, 1) ? pte_of(vs, va) : NULL;
	if (!pte)
		return E_NOT_MAPPED;
	*pa = *pte & ~0xfffu;
	*rights = rights_of(pte);
	return E_OK;
}

int vspace_page_info(const struct vspace *vs, uint32_t va, unsigned *rights, bool *derived,
		     unsigned *children)
{
	uint32_t *pte = user_range_ok(va, 1) ? pte_of(vs, va) : NULL;
	if (!pte)
		return E_NOT_MAPPED;
	uint32_t ref = pte_ref(pte);
	*rights = rights_of(pte);
	*derived = ref_parent(ref) != 0;
	*children = mdb_child_count(ref);
	return E_OK;
}

/* ---- dirty tracking ------------------------------------------------------ */

static void set_ap(uint32_t *pte, uint32_t ap)
{
	*pte = (*pte & ~PTE_AP_MASK) | ap;
	cache_clean_range(pte, 4);
}

void vspace_dirty_track(struct vspace *vs, uint32_t va, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		if (!pte || !(node_of(pte)->up & SH_WRITABLE))
			continue;
		node_of(pte)->up = (node_of(pte)->up & ~SH_DIRTY) | SH_TRACKED;
		set_ap(pte, PTE_AP_RO);
	}
	tlb_flush_asid(vs->asid);
}

void vspace_dirty_stop(struct vspace *vs, uint32_t va, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		if (!pte || !(node_of(pte)->up & SH_TRACKED))
			continue;
		node_of(pte)->up &= ~(SH_TRACKED | SH_DIRTY);
		/* Its write right may have been taken away while tracked. */
		if (node_of(pte)->up & SH_WRITABLE)
			set_ap(pte, PTE_AP_RW);
	}
	tlb_flush_asid(vs->asid);
}

void vspace_dirty_collect(struct vspace *vs, uint32_t va, uint32_t pages, uint32_t *bitmap)
{
	bool reprotected = false;
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		if (i % 32 == 0)
			bitmap[i / 32] = 0;
		if (!pte || !(node_of(pte)->up & SH_DIRTY))
			continue;
		bitmap[i / 32] |= 1u << (i % 32);
		node_of(pte)->up &= ~SH_DIRTY;   /* tracking goes on from here */
		set_ap(pte, PTE_AP_RO);
		reprotected = true;
	}
	if (reprotected)
		tlb_flush_asid(vs->asid);
}

bool vspace_dirty_fault(struct vspace *vs, uint32_t va)
{
	uint32_t *pte = pte_of(vs, va);
	struct mnode *n = pte ? node_of(pte) : NULL;
	if (!n || (n->up & (SH_TRACKED | SH_WRITABLE)) != (SH_TRACKED | SH_WRITABLE))
		return false;
	n->up |= SH_DIRTY;
	set_ap(pte, PTE_AP_RW);
	tlb_flush_page(va, vs->asid);
	return true;
}
