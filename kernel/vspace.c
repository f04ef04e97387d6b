#include "vspace.h"
#include "factory.h"
#include "memlayout.h"
#include "mmu.h"

#define L1_ENTRIES  2048u           /* 2 GiB / 1 MiB */
#define L1_SIZE     (L1_ENTRIES * 4)
#define L2_ENTRIES  256u
#define L2_HW_SIZE  (L2_ENTRIES * 4)
/* Each second-level table is followed by a shadow word per entry that the
 * MMU never sees: the kernel's own state of the page (dirty tracking). */
#define L2_SIZE     (2 * L2_HW_SIZE)
#define SH_WRITABLE 0x1u   /* the mapping's real rights include write */
#define SH_TRACKED  0x2u   /* dirty tracking is on: kept read-only until written */
#define SH_DIRTY    0x4u   /* written since tracking began or was last collected */
#define L1_TYPE_TABLE 0x1u

/* Small page: normal memory WBWA (TEX=001 C B), shareable, not global. */
#define PTE_SMALL   0x2u
#define PTE_XN      0x1u
#define PTE_NORMAL  0x4cu
#define PTE_S       0x400u
#define PTE_NG      0x800u
#define PTE_AP_RW   0x030u          /* AP[2:0] = 011: user read-write */
#define PTE_AP_RO   0x220u          /* AP[2:0] = 110: read-only everywhere */
#define PTE_AP_MASK 0x230u
#define PTE_DEVICE  0x004u          /* TEX=000 C=0 B=1: shareable device */
#define PTE_TYPE_MASK 0x1ccu        /* TEX, C, B */

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

static inline uint32_t *shadow_of(uint32_t *pte)
{
	return pte + L2_ENTRIES;
}

static uint32_t *l2_of(const struct vspace *vs, uint32_t va)
{
	uint32_t e = vs->l1[va >> 20];
	if ((e & 3) != L1_TYPE_TABLE)
		return NULL;
	return (uint32_t *)phys_to_virt(e & ~0x3ffu);
}

void vspace_destroy(struct vspace *vs, struct factory *f)
{
	for (unsigned i = 0; i < L1_ENTRIES; i++)
		if ((vs->l1[i] & 3) == L1_TYPE_TABLE)
			factory_free(f, (void *)phys_to_virt(vs->l1[i] & ~0x3ffu), L2_SIZE);
	factory_free(f, vs->l1, L1_SIZE);
	tlb_flush_asid(vs->asid);
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
	uint32_t *l2 = factory_alloc(f, L2_SIZE);
	if (!l2)
		return E_NO_MEMORY;
	cache_clean_range(l2, L2_HW_SIZE);
	vs->l1[va >> 20] = virt_to_phys(l2) | L1_TYPE_TABLE;
	cache_clean_range(&vs->l1[va >> 20], 4);
	return E_OK;
}

int vspace_map_page(struct vspace *vs, struct factory *f, uint32_t va, uint32_t pa, unsigned rights)
{
	if (!user_range_ok(va, 1) || !IS_ALIGNED(pa, PAGE_SIZE))
		return E_BAD_ADDRESS;
	int err = vspace_prepare(vs, f, va);
	if (err)
		return err;
	uint32_t *l2 = l2_of(vs, va);
	uint32_t *pte = &l2[(va >> 12) & 0xff];
	if (*pte)
		return E_ALREADY_MAPPED;
	bool device = rights & MAP_DEVICE;
	*shadow_of(pte) = (rights & MAP_W) ? SH_WRITABLE : 0;
	*pte = pa | PTE_SMALL | (device ? PTE_DEVICE : PTE_NORMAL) | PTE_S | PTE_NG |
	       ((rights & MAP_W) ? PTE_AP_RW : PTE_AP_RO) |
	       ((rights & MAP_X) && !device ? 0 : PTE_XN);
	cache_clean_range(pte, 4);
	return E_OK;
}

int vspace_unmap_page(struct vspace *vs, uint32_t va)
{
	uint32_t *l2 = user_range_ok(va, 1) ? l2_of(vs, va) : NULL;
	if (!l2 || !l2[(va >> 12) & 0xff])
		return E_NOT_MAPPED;
	l2[(va >> 12) & 0xff] = 0;
	*shadow_of(&l2[(va >> 12) & 0xff]) = 0;
	cache_clean_range(&l2[(va >> 12) & 0xff], 4);
	tlb_flush_page(va, vs->asid);
	return E_OK;
}

void vspace_unmap_range(struct vspace *vs, uint32_t va, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++)
		vspace_unmap_page(vs, va + i * PAGE_SIZE);
}

int vspace_lookup(const struct vspace *vs, uint32_t va, uint32_t *pa, unsigned *rights)
{
	uint32_t *l2 = user_range_ok(va, 1) ? l2_of(vs, va) : NULL;
	uint32_t e = l2 ? l2[(va >> 12) & 0xff] : 0;
	if (!e)
		return E_NOT_MAPPED;
	*pa = e & ~0xfffu;
	/* A tracked page is read-only in the MMU but writable by right. */
	bool writable = (e & PTE_AP_MASK) == PTE_AP_RW || (*shadow_of(&l2[(va >> 12) & 0xff]) & SH_WRITABLE);
	*rights = MAP_R | (writable ? MAP_W : 0) | ((e & PTE_XN) ? 0 : MAP_X) |
		  ((e & PTE_TYPE_MASK) == PTE_DEVICE ? MAP_DEVICE : 0);
	return E_OK;
}

/* ---- dirty tracking ------------------------------------------------------ */

static uint32_t *pte_of(const struct vspace *vs, uint32_t va)
{
	uint32_t *l2 = l2_of(vs, va);
	return l2 && l2[(va >> 12) & 0xff] ? &l2[(va >> 12) & 0xff] : NULL;
}

static void set_ap(uint32_t *pte, uint32_t ap)
{
	*pte = (*pte & ~PTE_AP_MASK) | ap;
	cache_clean_range(pte, 4);
}

void vspace_dirty_track(struct vspace *vs, uint32_t va, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		if (!pte || !(*shadow_of(pte) & SH_WRITABLE))
			continue;
		*shadow_of(pte) = SH_WRITABLE | SH_TRACKED;
		set_ap(pte, PTE_AP_RO);
	}
	tlb_flush_asid(vs->asid);
}

void vspace_dirty_stop(struct vspace *vs, uint32_t va, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		if (!pte || !(*shadow_of(pte) & SH_TRACKED))
			continue;
		*shadow_of(pte) = SH_WRITABLE;
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
		if (!pte || !(*shadow_of(pte) & SH_DIRTY))
			continue;
		bitmap[i / 32] |= 1u << (i % 32);
		*shadow_of(pte) &= ~SH_DIRTY;   /* tracking goes on from here */
		set_ap(pte, PTE_AP_RO);
		reprotected = true;
	}
	if (reprotected)
		tlb_flush_asid(vs->asid);
}

bool vspace_dirty_fault(struct vspace *vs, uint32_t va)
{
	uint32_t *pte = pte_of(vs, va);
	if (!pte || (*shadow_of(pte) & (SH_TRACKED | SH_WRITABLE)) != (SH_TRACKED | SH_WRITABLE))
		return false;
	*shadow_of(pte) |= SH_DIRTY;
	set_ap(pte, PTE_AP_RW);
	tlb_flush_page(va, vs->asid);
	return true;
}
