/*
 * Tree operations of the mapping database (see mapdb.h).
 *
 * A hostile task can build a chain of derived mappings as long as its
 * kernel-memory quota allows, far deeper than any kernel stack, so no walk
 * here recurses: each finds its way through the tree with the up, down and
 * next links alone, in time proportional to the nodes it visits.
 */
#include "mapdb.h"
#include "mmu.h"

static void write_pte(uint32_t *pte, uint32_t value)
{
	*pte = value;
	cache_clean_range(pte, 4);   /* table walks may not see the data cache */
}

void mdb_link(uint32_t child, uint32_t parent)
{
	struct mnode *c = ref_node(child), *p = ref_node(parent);
	c->up = parent | (c->up & SH_FLAGS);
	c->next = p->down;
	p->down = child;
}

/* Take the mapping off its parent's list of derived mappings. The list is
 * singly linked, so this costs a walk over the mapping's siblings. */
static void unlink_from_parent(uint32_t ref)
{
	uint32_t parent = ref_parent(ref);
	if (!parent)
		return;
	uint32_t *link = &ref_node(parent)->down;
	while (*link != ref) {
		kassert(*link);   /* a mapping is always on its parent's list */
		link = &ref_node(*link)->next;
	}
	*link = ref_node(ref)->next;
}

/* The entry and its node, as if never mapped. */
static void clear_mapping(uint32_t ref)
{
	write_pte(ref_pte(ref), 0);
	*ref_node(ref) = (struct mnode){ 0, 0, 0 };
}

/*
 * Post-order: go down first children to a mapping nothing is derived from,
 * remove it, and carry on from its parent, whose first child is now the
 * removed one's next sibling. Every mapping reached this way is its
 * parent's first child, so taking it off the list costs nothing.
 */
unsigned mdb_remove_derived(uint32_t top)
{
	unsigned removed = 0;
	uint32_t cur = top;
	for (;;) {
		struct mnode *n = ref_node(cur);
		if (n->down) {
			cur = n->down;
			continue;
		}
		if (cur == top)
			return removed;
		uint32_t parent = ref_parent(cur);
		ref_node(parent)->down = n->next;
		clear_mapping(cur);
		removed++;
		cur = parent;
	}
}

unsigned mdb_remove(uint32_t ref)
{
	unlink_from_parent(ref);
	unsigned removed = mdb_remove_derived(ref);
	clear_mapping(ref);
	return removed;
}

void mdb_take_rights(uint32_t ref, unsigned take)
{
	uint32_t *pte = ref_pte(ref);
	uint32_t e = *pte;
	if (take & MAP_W) {
		/* Without SH_WRITABLE a dirty-tracked page stays read-only too:
		 * the dirty fault only reopens writable mappings. Its tracking
		 * state stays (a dirty page is still reported). */
		ref_node(ref)->up &= ~SH_WRITABLE;
		e = (e & ~PTE_AP_MASK) | PTE_AP_RO;
	}
	if (take & MAP_X)
		e |= PTE_XN;
	if (e != *pte)
		write_pte(pte, e);
}

/* Pre-order: the mapping, then what was derived from it; after a mapping
 * with nothing derived, climb until a sibling is left to visit. */
unsigned mdb_protect_derived(uint32_t top, unsigned take)
{
	unsigned changed = 0;
	uint32_t cur = ref_node(top)->down;
	while (cur) {
		mdb_take_rights(cur, take);
		changed++;
		if (ref_node(cur)->down) {
			cur = ref_node(cur)->down;
			continue;
		}
		while (cur != top && !ref_node(cur)->next)
			cur = ref_parent(cur);
		cur = cur == top ? 0 : ref_node(cur)->next;
	}
	return changed;
}

unsigned mdb_child_count(uint32_t ref)
{
	unsigned n = 0;
	for (uint32_t c = ref_node(ref)->down; c; c = ref_node(c)->next)
		n++;
	return n;
}
