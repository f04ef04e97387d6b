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
	vspace_dirty_log(vs, f, 0);   /* freeing allocates nothing: cannot fail */
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
		     unsigned *children, unsigned *state)
{
	uint32_t *pte = user_range_ok(va, 1) ? pte_of(vs, va) : NULL;
	if (!pte)
		return E_NOT_MAPPED;
	uint32_t ref = pte_ref(pte);
	*rights = rights_of(pte);
	*derived = ref_parent(ref) != 0;
	*children = mdb_child_count(ref);
	*state = (ref_node(ref)->up & SH_STATE) >> 1;   /* see mapdb.h */
	return E_OK;
}

/* ---- dirty tracking ------------------------------------------------------ */

static void set_ap(uint32_t *pte, uint32_t ap)
{
	*pte = (*pte & ~PTE_AP_MASK) | ap;
	cache_clean_range(pte, 4);
}

static void set_state(struct mnode *n, uint32_t state)
{
	n->up = (n->up & ~SH_STATE) | state;
}

/* Which pages a range operation changes: a set of states (bit i: the
 * state i << 1 in SH_STATE), and whether only writable mappings. */
#define FROM(st)      (1u << ((st) >> 1))
#define FROM_ANY      (FROM(0) | FROM(SH_CLEAN) | FROM(SH_DIRTY) | FROM(SH_PENDING))
#define ONLY_WRITABLE 0x10u

/*
 * Every mapped page of the range that `from` names goes to state `to`:
 * read-only in the MMU, or as its rights say when untracked. Bit i of
 * bitmap (if any; the caller clears it) is set for page i changed.
 * Returns whether any changed; the caller flushes the TLB unless every
 * change kept a read-only entry read-only.
 */
static bool retrack(struct vspace *vs, uint32_t va, uint32_t pages, unsigned from, uint32_t to,
		    uint32_t *bitmap)
{
	bool changed = false;
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *pte = pte_of(vs, va + i * PAGE_SIZE);
		struct mnode *n = pte ? node_of(pte) : NULL;
		if (!n || !(from & FROM(n->up & SH_STATE)) ||
		    ((from & ONLY_WRITABLE) && !(n->up & SH_WRITABLE)))
			continue;
		set_state(n, to);
		set_ap(pte, to == 0 && (n->up & SH_WRITABLE) ? PTE_AP_RW : PTE_AP_RO);
		changed = true;
		if (bitmap)
			bitmap[i / 32] |= 1u << (i % 32);
	}
	return changed;
}

void vspace_dirty_track(struct vspace *vs, uint32_t va, uint32_t pages, bool snapshot)
{
	if (retrack(vs, va, pages, FROM_ANY | ONLY_WRITABLE, snapshot ? SH_PENDING : SH_CLEAN, NULL))
		tlb_flush_asid(vs->asid);
}

void vspace_dirty_stop(struct vspace *vs, uint32_t va, uint32_t pages)
{
	/* A page whose write right was taken away while tracked stays
	 * read-only. A stale read-only TLB entry would send a write to the
	 * pager: flush. */
	if (retrack(vs, va, pages, FROM(SH_CLEAN) | FROM(SH_DIRTY) | FROM(SH_PENDING), 0, NULL))
		tlb_flush_asid(vs->asid);
}

void vspace_dirty_collect(struct vspace *vs, uint32_t va, uint32_t pages, uint32_t *bitmap,
			  bool snapshot)
{
	memset(bitmap, 0, (pages + 31) / 32 * sizeof(uint32_t));
	if (retrack(vs, va, pages, FROM(SH_DIRTY), snapshot ? SH_PENDING : SH_CLEAN, bitmap))
		tlb_flush_asid(vs->asid);
}

/* Copy-pending and clean pages are both read-only: no TLB flush. */
void vspace_snapshot_done(struct vspace *vs, uint32_t va, uint32_t pages)
{
	retrack(vs, va, pages, FROM(SH_PENDING), SH_CLEAN, NULL);
}

/* Block i of a log of capacity entries: 16 KiB, the last one less. */
static uint32_t log_block_entries(uint32_t capacity, uint32_t i)
{
	uint32_t left = capacity - i * DIRTY_LOG_BLOCK;
	return left < DIRTY_LOG_BLOCK ? left : DIRTY_LOG_BLOCK;
}

static void cursor_set(const struct dirty_log *log, struct log_cursor *c, uint32_t block)
{
	c->block = block;
	c->at = log->block[block];
	c->end = c->at + log_block_entries(log->capacity, block);   /* none: 0 */
}

/* The cursor reached the end of its block: on to the next, or the first. */
static void cursor_next(const struct dirty_log *log, struct log_cursor *c)
{
	uint32_t next = c->block + 1;
	cursor_set(log, c, next * DIRTY_LOG_BLOCK < log->capacity ? next : 0);
}

/* On the dirty-fault path: a few instructions, no loop. Any address in
 * the page will do (drains take the page's). */
static void log_put(struct dirty_log *log, uint32_t va)
{
	uint32_t room = log->room;
	if (__builtin_expect(room == 0, 0)) {
		log->overflow = true;   /* full, or no log: the write is lost */
		return;
	}
	*log->put.at++ = va;
	log->room = room - 1;
	if (__builtin_expect(log->put.at == log->put.end, 0))
		cursor_next(log, &log->put);
}

bool vspace_dirty_fault(struct vspace *vs, uint32_t va)
{
	uint32_t *pte = pte_of(vs, va);
	struct mnode *n = pte ? node_of(pte) : NULL;
	/* Only a clean page: a copy-pending one goes to the pager. */
	if (!n || (n->up & (SH_STATE | SH_WRITABLE)) != (SH_CLEAN | SH_WRITABLE))
		return false;
	n->up ^= SH_CLEAN ^ SH_DIRTY;
	log_put(&vs->log, va);
	set_ap(pte, PTE_AP_RW);
	tlb_flush_page(va, vs->asid);
	return true;
}

static void log_free_blocks(struct factory *f, uint32_t **block, uint32_t capacity)
{
	for (unsigned i = 0; i * DIRTY_LOG_BLOCK < capacity; i++)
		factory_free(f, block[i], 4 * log_block_entries(capacity, i));
}

int vspace_dirty_log(struct vspace *vs, struct factory *f, uint32_t capacity)
{
	uint32_t *block[DIRTY_LOG_BLOCKS] = { 0 };
	for (unsigned i = 0; i * DIRTY_LOG_BLOCK < capacity; i++) {
		block[i] = factory_alloc(f, 4 * log_block_entries(capacity, i));
		if (!block[i]) {
			log_free_blocks(f, block, i * DIRTY_LOG_BLOCK);   /* all whole */
			return E_NO_MEMORY;
		}
	}
	struct dirty_log *log = &vs->log;
	log_free_blocks(f, log->block, log->capacity);
	memcpy(log->block, block, sizeof(block));
	log->overflow |= log->room != log->capacity;   /* its entries are lost */
	log->capacity = capacity;
	log->room = capacity;
	cursor_set(log, &log->put, 0);
	log->take = log->put;
	return E_OK;
}

/* The page of the oldest entry, taken off the log. */
static uint32_t log_take(struct dirty_log *log)
{
	uint32_t va = *log->take.at++;
	log->room++;
	if (log->take.at == log->take.end)
		cursor_next(log, &log->take);
	return va & ~(PAGE_SIZE - 1);
}

/* Entries one drain looks at, at most: stale ones (pages no longer dirty)
 * cost time too, and the kernel is not preemptible. */
#define DRAIN_SCAN_MAX (4u * DIRTY_DRAIN_MAX)

unsigned vspace_dirty_drain(struct vspace *vs, bool snapshot, uint32_t *pages, uint32_t *status)
{
	struct dirty_log *log = &vs->log;
	unsigned n = 0;
	for (unsigned seen = 0; n < DIRTY_DRAIN_MAX && seen < DRAIN_SCAN_MAX &&
	     log->room != log->capacity; seen++) {
		uint32_t page = log_take(log);
		if (retrack(vs, page, 1, FROM(SH_DIRTY), snapshot ? SH_PENDING : SH_CLEAN, NULL))
			pages[n++] = page;
	}
	if (n)
		tlb_flush_asid(vs->asid);
	*status = (log->room != log->capacity ? DRAIN_MORE : 0) | (log->overflow ? DRAIN_OVERFLOW : 0);
	log->overflow = false;
	return n;
}
