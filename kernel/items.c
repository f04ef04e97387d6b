/*
 * One walk over the items serves both the check and the transfer, so the
 * two can never disagree about what a message means. The check also
 * allocates any capability node or page table the transfer will need,
 * which leaves the transfer nothing that can fail.
 */
#include "items.h"
#include "task.h"
#include "cspace.h"
#include "vspace.h"

#define ITEM_PAGES_MAX 1024u

void items_dest_of(struct thread *to, struct item_dest *d)
{
	d->sel = to->utcb->br[BR_CAP_SEL];
	d->sel_count = to->utcb->br[BR_CAP_COUNT];
	d->va = to->utcb->br[BR_MEM_VA];
	d->pages = to->utcb->br[BR_MEM_PAGES];
	d->rewrite = true;
}

/* A selector granted (moved) by one item must not appear in another. */
static bool granted_twice(struct thread *from, unsigned words, unsigned items)
{
	for (unsigned i = 0; i < items; i++) {
		uint32_t wi = thread_mr(from, words + 2 * i);
		if (ITEM_KIND(wi) != ITEM_CAP || !(wi & ITEM_GRANT))
			continue;
		for (unsigned j = 0; j < items; j++) {
			uint32_t wj = thread_mr(from, words + 2 * j);
			if (j != i && ITEM_KIND(wj) == ITEM_CAP &&
			    thread_mr(from, words + 2 * j + 1) == thread_mr(from, words + 2 * i + 1))
				return true;
		}
	}
	return false;
}

static int cap_item(struct thread *from, struct thread *to, uint32_t w0, uint32_t src_sel,
		    uint32_t dst_sel, bool apply)
{
	struct cap *c;
	struct task *dst = to->task;
	int err = cspace_lookup(from->task, src_sel, KOBJ_NONE, 0, &c);
	if (err)
		return err;
	if (!apply)
		return cspace_prepare(dst, dst_sel, dst->obj.factory);
	if (w0 & ITEM_GRANT)
		cspace_move(c, dst, dst_sel, ITEM_RIGHTS(w0));
	else
		cspace_insert(dst, dst_sel, c->obj, c->rights & ITEM_RIGHTS(w0), c, dst->obj.factory);
	return E_OK;
}

static int mem_item(struct thread *from, struct thread *to, uint32_t w0, uint32_t src_va,
		    uint32_t dst_va, bool apply)
{
	uint32_t pages = ITEM_PAGES(w0), rights = ITEM_RIGHTS(w0);
	struct vspace *src = &from->task->vs, *dst = &to->task->vs;
	struct factory *f = to->task->obj.factory;

	for (uint32_t i = 0; i < pages; i++) {
		uint32_t pa, dummy;
		unsigned have;
		uint32_t s = src_va + i * PAGE_SIZE, d = dst_va + i * PAGE_SIZE;
		if (apply) {
			vspace_map_from(dst, f, d, src, s, rights);
			continue;
		}
		if (vspace_lookup(src, s, &pa, &have) != E_OK)
			return E_NOT_MAPPED;
		if (!map_rights_ok(have, rights))
			return E_NO_RIGHTS;
		if (vspace_lookup(dst, d, &dummy, &have) == E_OK)
			return E_ALREADY_MAPPED;
		int err = vspace_prepare(dst, f, d);
		if (err)
			return err;
	}
	return E_OK;
}

static int walk(struct thread *from, struct thread *to, const struct item_dest *d, bool apply)
{
	uint32_t tag = from->ctx.r[1];
	unsigned words = MSG_TAG_WORDS(tag), items = MSG_TAG_ITEMS(tag);
	uint32_t sel = d->sel, sel_left = d->sel_count, va = d->va, pages_left = d->pages;

	if (!apply && granted_twice(from, words, items))
		return E_INVALID_ARG;
	for (unsigned i = 0; i < items; i++) {
		unsigned at = words + 2 * i;
		uint32_t w0 = thread_mr(from, at), w1 = thread_mr(from, at + 1), where;
		int err;
		switch (ITEM_KIND(w0)) {
		case ITEM_CAP:
			if (sel == SEL_NULL || sel_left == 0)
				return E_NO_BUFFER;
			err = cap_item(from, to, w0, w1, sel, apply);
			where = sel++;
			sel_left--;
			break;
		case ITEM_MEM:
			if (ITEM_PAGES(w0) == 0 || ITEM_PAGES(w0) > ITEM_PAGES_MAX ||
			    !(ITEM_RIGHTS(w0) & MAP_R) || (w0 & ITEM_GRANT))
				return E_INVALID_ARG;
			if (!user_range_ok(w1, ITEM_PAGES(w0)))
				return E_BAD_ADDRESS;
			if (ITEM_PAGES(w0) > pages_left || !user_range_ok(va, ITEM_PAGES(w0)))
				return E_NO_BUFFER;
			err = mem_item(from, to, w0, w1, va, apply);
			where = va;
			va += ITEM_PAGES(w0) * PAGE_SIZE;
			pages_left -= ITEM_PAGES(w0);
			break;
		default:
			return E_INVALID_ARG;
		}
		if (err)
			return err;
		if (apply && d->rewrite) {
			thread_set_mr(to, at, w0);
			thread_set_mr(to, at + 1, where);
		}
	}
	return E_OK;
}

int items_check(struct thread *from, struct thread *to, const struct item_dest *d)
{
	return walk(from, to, d, false);
}

void items_apply(struct thread *from, struct thread *to, const struct item_dest *d)
{
	walk(from, to, d, true);
}
