#include "cspace.h"
#include "task.h"
#include "factory.h"

static struct cap *slot_of(struct task *t, uint32_t sel)
{
	struct cap *node = t->cspace.node[sel / CNODE_SLOTS];
	return node ? &node[sel % CNODE_SLOTS] : NULL;
}

int cspace_lookup(struct task *t, uint32_t sel, unsigned type, uint32_t rights, struct cap **out)
{
	if (sel >= CSPACE_SLOTS)
		return E_INVALID_SELECTOR;
	struct cap *c = slot_of(t, sel);
	if (!c || !c->obj)
		return E_EMPTY_SLOT;
	if (type != KOBJ_NONE && c->obj->type != type)
		return E_WRONG_TYPE;
	if ((c->rights & rights) != rights)
		return E_NO_RIGHTS;
	*out = c;
	return E_OK;
}

int cspace_check_free(struct task *t, uint32_t sel)
{
	if (sel >= CSPACE_SLOTS || sel == SEL_NULL)
		return E_INVALID_SELECTOR;
	struct cap *c = slot_of(t, sel);
	return c && c->obj ? E_SLOT_IN_USE : E_OK;
}

int cspace_prepare(struct task *t, uint32_t sel, struct factory *f)
{
	int err = cspace_check_free(t, sel);
	if (err)
		return err;
	struct cap **node = &t->cspace.node[sel / CNODE_SLOTS];
	if (!*node) {
		*node = factory_alloc(f, CNODE_SLOTS * sizeof(struct cap));
		if (!*node)
			return E_NO_MEMORY;
	}
	return E_OK;
}

int cspace_insert(struct task *t, uint32_t sel, struct kobj *obj, uint32_t rights, struct factory *f)
{
	int err = cspace_prepare(t, sel, f);
	if (err)
		return err;
	struct cap *c = &t->cspace.node[sel / CNODE_SLOTS][sel % CNODE_SLOTS];
	c->obj = obj;
	c->rights = rights & RIGHTS_ALL;
	obj->caps++;
	return E_OK;
}

void cspace_remove(struct task *t, uint32_t sel)
{
	struct cap *c = sel < CSPACE_SLOTS ? slot_of(t, sel) : NULL;
	if (c && c->obj) {
		c->obj->caps--;
		c->obj = NULL;
		c->rights = 0;
	}
}

void cspace_destroy(struct task *t, struct factory *f)
{
	for (unsigned n = 0; n < CNODE_COUNT; n++) {
		if (!t->cspace.node[n])
			continue;
		for (unsigned i = 0; i < CNODE_SLOTS; i++)
			cspace_remove(t, n * CNODE_SLOTS + i);
		factory_free(f, t->cspace.node[n], CNODE_SLOTS * sizeof(struct cap));
		t->cspace.node[n] = NULL;
	}
}

struct cap *cspace_next(struct task *t, uint32_t sel, uint32_t *found)
{
	while (sel < CSPACE_SLOTS) {
		struct cap *node = t->cspace.node[sel / CNODE_SLOTS];
		if (!node) {
			sel = (sel / CNODE_SLOTS + 1) * CNODE_SLOTS;   /* skip the whole node */
			continue;
		}
		if (node[sel % CNODE_SLOTS].obj) {
			*found = sel;
			return &node[sel % CNODE_SLOTS];
		}
		sel++;
	}
	return NULL;
}
