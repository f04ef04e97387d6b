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

/* ---- the derivation tree ------------------------------------------------ */

static void link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev = NULL;
	c->next = parent ? parent->child : NULL;
	if (c->next)
		c->next->prev = c;
	if (parent)
		parent->child = c;
}

static void unlink(struct cap *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (c->parent)
		c->parent->child = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->parent = c->next = c->prev = NULL;
}

int cspace_insert(struct task *t, uint32_t sel, struct kobj *obj, uint32_t rights,
		  struct cap *from, struct factory *f)
{
	int err = cspace_prepare(t, sel, f);
	if (err)
		return err;
	struct cap *c = slot_of(t, sel);
	c->obj = obj;
	c->rights = rights & RIGHTS_ALL;
	c->child = NULL;
	link_child(from, c);
	kobj_cap_added(obj);
	return E_OK;
}

void cspace_move(struct cap *from, struct task *t, uint32_t sel, uint32_t mask)
{
	struct cap *c = slot_of(t, sel);
	*c = *from;
	c->rights &= mask;
	if (c->prev)
		c->prev->next = c;
	else if (c->parent)
		c->parent->child = c;
	if (c->next)
		c->next->prev = c;
	for (struct cap *k = c->child; k; k = k->next)
		k->parent = c;
	memset(from, 0, sizeof(*from));
}

void cspace_delete(struct cap *c)
{
	if (!c->obj)
		return;
	/* The children move up to c's parent (or become roots). */
	while (c->child) {
		struct cap *k = c->child;
		unlink(k);
		link_child(c->parent, k);
	}
	unlink(c);
	struct kobj *obj = c->obj;
	c->obj = NULL;
	c->rights = 0;
	kobj_cap_removed(obj);
}

void cspace_revoke(struct cap *root)
{
	/* Post-order without recursion: go down to a leaf, delete it, go
	 * back to its parent; the parent's next child is then its first. */
	struct cap *c = root;
	for (;;) {
		if (c->child) {
			c = c->child;
			continue;
		}
		if (c == root)
			return;
		struct cap *up = c->parent;
		cspace_delete(c);
		c = up;
	}
}

void cspace_destroy(struct task *t, struct factory *f)
{
	for (unsigned n = 0; n < CNODE_COUNT; n++) {
		struct cap *node = t->cspace.node[n];
		if (!node)
			continue;
		for (unsigned i = 0; i < CNODE_SLOTS; i++)
			cspace_delete(&node[i]);
		factory_free(f, node, CNODE_SLOTS * sizeof(struct cap));
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
