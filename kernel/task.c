#include "task.h"
#include "factory.h"
#include "invoke.h"
#include "sched.h"
#include "gate.h"
#include "thread.h"


int task_create(struct factory *f, struct kobj **out)
{
	struct task *t = factory_alloc(f, sizeof(*t));
	if (!t)
		return E_NO_MEMORY;
	int err = vspace_init(&t->vs, f);
	if (err) {
		factory_free(f, t, sizeof(*t));
		return err;
	}
	kobj_init(&t->obj, KOBJ_TASK, f);
	*out = &t->obj;
	return E_OK;
}

void task_destroy(struct task *t)
{
	struct factory *f = t->obj.factory;
	threads_leave_task(t);
	cspace_destroy(t, f);
	vspace_destroy(&t->vs, f);
	sched_forget_task(t);
	factory_free(f, t, sizeof(*t));
}

/* Map pages of src into dst. Everything is checked before anything is
 * changed, and a failure half way (quota) is rolled back. */
static int task_map(struct invocation *inv, struct task *dst)
{
	INV_NEED(inv, 5);
	uint32_t src_sel = inv_word(inv, 0), src_va = inv_word(inv, 1);
	uint32_t dst_va = inv_word(inv, 2), pages = inv_word(inv, 3);
	uint32_t rights = inv_word(inv, 4);
	struct cap *c;

	int err = cspace_lookup(inv->caller->task, src_sel, KOBJ_TASK, RIGHT_READ, &c);
	if (err)
		return err;
	struct task *src = (struct task *)c->obj;
	if (pages == 0 || pages > MAP_PAGES_MAX || (rights & ~(MAP_R | MAP_W | MAP_X)) || !(rights & MAP_R))
		return E_INVALID_ARG;
	if (!user_range_ok(src_va, pages) || !user_range_ok(dst_va, pages))
		return E_BAD_ADDRESS;

	for (uint32_t i = 0; i < pages; i++) {
		uint32_t pa, dummy;
		unsigned have, dummy_rights;
		if (vspace_lookup(&src->vs, src_va + i * PAGE_SIZE, &pa, &have) != E_OK)
			return E_NOT_MAPPED;
		if (!map_rights_ok(have, rights))
			return E_NO_RIGHTS;
		if (vspace_lookup(&dst->vs, dst_va + i * PAGE_SIZE, &dummy, &dummy_rights) == E_OK)
			return E_ALREADY_MAPPED;
	}
	if (src == dst && src_va < dst_va + pages * PAGE_SIZE && dst_va < src_va + pages * PAGE_SIZE)
		return E_ALREADY_MAPPED;

	for (uint32_t i = 0; i < pages; i++) {
		err = vspace_map_from(&dst->vs, dst->obj.factory, dst_va + i * PAGE_SIZE,
				      &src->vs, src_va + i * PAGE_SIZE, rights);
		if (err) {
			vspace_unmap_range(&dst->vs, dst_va, i);
			return err;
		}
	}
	return E_OK;
}

/* Take rights away from the task's mappings in a range and everything
 * derived from them, or from what was derived only. Everything is checked
 * before anything is changed. */
static int task_unmap(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 4);
	uint32_t va = inv_word(inv, 0), pages = inv_word(inv, 1);
	uint32_t take = inv_word(inv, 2), flags = inv_word(inv, 3);
	if (pages == 0 || pages > MAP_PAGES_MAX)
		return E_INVALID_ARG;
	if (!user_range_ok(va, pages))
		return E_BAD_ADDRESS;
	if (take == 0 || (take & ~(MAP_R | MAP_W | MAP_X)) || (flags & ~UNMAP_SELF))
		return E_INVALID_ARG;
	bool self = flags & UNMAP_SELF;
	/* A kernel object's frame (a UTCB) stays where the kernel put it. */
	for (uint32_t i = 0; self && i < pages; i++) {
		uint32_t pa;
		unsigned have;
		if (vspace_lookup(&t->vs, va + i * PAGE_SIZE, &pa, &have) == E_OK && (have & MAP_KERNEL))
			return E_NO_RIGHTS;
	}
	vspace_unmap(&t->vs, va, pages, take, self);
	return E_OK;
}

static int task_page_info(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 1);
	uint32_t va = inv_word(inv, 0);
	unsigned rights, children, state;
	bool derived;
	if (!user_range_ok(va, 1))
		return E_BAD_ADDRESS;
	int err = vspace_page_info(&t->vs, va, &rights, &derived, &children, &state);
	if (err)
		return err;
	inv_reply(inv, 0, rights & (MAP_R | MAP_W | MAP_X));
	inv_reply(inv, 1, derived);
	inv_reply(inv, 2, children);
	inv_reply(inv, 3, state);
	return E_OK;
}

static int task_cap_map(struct invocation *inv, struct task *dst)
{
	INV_NEED(inv, 3);
	struct cap *c;
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_NONE, 0, &c);
	if (err)
		return err;
	uint32_t mask = inv_word(inv, 2);
	if (mask & ~RIGHTS_ALL)
		return E_INVALID_ARG;
	return cspace_insert(dst, inv_word(inv, 1), c->obj, c->rights & mask, c, dst->obj.factory);
}

/* Delete or revoke: the objects that lose their last capability are
 * destroyed on the way out of the kernel (kobj_reap). */
static int task_cap_remove(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 1);
	struct cap *c;
	int err = cspace_lookup(t, inv_word(inv, 0), KOBJ_NONE, 0, &c);
	if (err)
		return err;
	if (inv->op == TASK_CAP_DELETE)
		cspace_delete(c);
	else
		cspace_revoke(c);
	return E_OK;
}

static int task_cap_identify(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 1);
	struct cap *c;
	int err = cspace_lookup(t, inv_word(inv, 0), KOBJ_NONE, 0, &c);
	if (err)
		return err;
	inv_reply(inv, 0, c->obj->type);
	inv_reply(inv, 1, c->rights);
	inv_reply(inv, 2, c->obj->id);
	return E_OK;
}

static int task_cap_compare(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 2);
	struct cap *a, *b;
	int err = cspace_lookup(t, inv_word(inv, 0), KOBJ_NONE, 0, &a);
	if (!err)
		err = cspace_lookup(t, inv_word(inv, 1), KOBJ_NONE, 0, &b);
	if (err)
		return err;
	inv_reply(inv, 0, a->obj == b->obj);
	return E_OK;
}

/* TASK_DIRTY_TRACK, _COLLECT, _STOP and TASK_SNAPSHOT_DONE on a range;
 * MR2 flags only for track and collect (absent: 0). */
static int task_dirty(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 2);
	uint32_t va = inv_word(inv, 0), pages = inv_word(inv, 1);
	bool flagged = inv->op == TASK_DIRTY_TRACK || inv->op == TASK_DIRTY_COLLECT;
	uint32_t flags = flagged ? inv_word(inv, 2) : 0;
	if (pages == 0 || (inv->op == TASK_DIRTY_COLLECT && pages > DIRTY_COLLECT_MAX) ||
	    (flags & ~DIRTY_SNAPSHOT))
		return E_INVALID_ARG;
	if (!user_range_ok(va, pages))
		return E_BAD_ADDRESS;
	bool snapshot = flags & DIRTY_SNAPSHOT;
	if (inv->op == TASK_DIRTY_TRACK) {
		vspace_dirty_track(&t->vs, va, pages, snapshot);
	} else if (inv->op == TASK_DIRTY_STOP) {
		vspace_dirty_stop(&t->vs, va, pages);
	} else if (inv->op == TASK_SNAPSHOT_DONE) {
		vspace_snapshot_done(&t->vs, va, pages);
	} else {
		uint32_t bitmap[MSG_WORDS_MAX];
		vspace_dirty_collect(&t->vs, va, pages, bitmap, snapshot);
		for (uint32_t i = 0; i < (pages + 31) / 32; i++)
			inv_reply(inv, i, bitmap[i]);
	}
	return E_OK;
}

/* The log is paid by the factory that paid for the task, like its tables. */
static int task_dirty_log(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 1);
	uint32_t capacity = inv_word(inv, 0);
	if (capacity > DIRTY_LOG_MAX)
		return E_INVALID_ARG;
	return vspace_dirty_log(&t->vs, t->obj.factory, capacity);
}

static int task_dirty_drain(struct invocation *inv, struct task *t)
{
	uint32_t flags = inv_word(inv, 0), pages[DIRTY_DRAIN_MAX], status;
	if (flags & ~DIRTY_SNAPSHOT)
		return E_INVALID_ARG;
	if (!t->vs.log.capacity)
		return E_INVALID_STATE;
	unsigned n = vspace_dirty_drain(&t->vs, flags & DIRTY_SNAPSHOT, pages, &status);
	inv_reply(inv, 0, n);
	inv_reply(inv, 1, status);
	for (unsigned i = 0; i < n; i++)
		inv_reply(inv, 2 + i, pages[i]);
	return E_OK;
}

static int task_cap_info(struct invocation *inv, struct task *t)
{
	INV_NEED(inv, 1);
	uint32_t sel;
	struct cap *c = cspace_next(t, inv_word(inv, 0), &sel);
	if (!c)
		return E_NOT_FOUND;
	inv_reply(inv, 0, sel);
	inv_reply(inv, 1, c->obj->type);
	inv_reply(inv, 2, c->rights);
	inv_reply(inv, 3, c->obj->id);
	inv_reply(inv, 4, c->obj->type == KOBJ_GATE ? ((struct gate *)c->obj)->label : 0);
	return E_OK;
}

int task_invoke(struct invocation *inv)
{
	struct task *t = (struct task *)inv->obj;

	switch (inv->op) {
	case TASK_MAP:
	case TASK_UNMAP:
	case TASK_CAP_MAP:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		if (inv->op == TASK_MAP)
			return task_map(inv, t);
		if (inv->op == TASK_UNMAP)
			return task_unmap(inv, t);
		return task_cap_map(inv, t);
	case TASK_DIRTY_TRACK:
	case TASK_DIRTY_COLLECT:
	case TASK_DIRTY_STOP:
	case TASK_SNAPSHOT_DONE:
	case TASK_DIRTY_LOG:
	case TASK_DIRTY_DRAIN:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		if (inv->op == TASK_DIRTY_LOG)
			return task_dirty_log(inv, t);
		if (inv->op == TASK_DIRTY_DRAIN)
			return task_dirty_drain(inv, t);
		return task_dirty(inv, t);
	case TASK_INFO:
		inv_reply(inv, 0, t->obj.id);
		inv_reply(inv, 1, t->vs.asid);
		return E_OK;
	case TASK_CAP_DELETE:
	case TASK_CAP_REVOKE:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		return task_cap_remove(inv, t);
	case TASK_CAP_INFO:
	case TASK_CAP_IDENTIFY:
	case TASK_CAP_COMPARE:
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		if (inv->op == TASK_CAP_INFO)
			return task_cap_info(inv, t);
		if (inv->op == TASK_CAP_IDENTIFY)
			return task_cap_identify(inv, t);
		return task_cap_compare(inv, t);
	case TASK_PAGE_INFO:
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		return task_page_info(inv, t);
	default:
		return E_INVALID_OP;
	}
}
