/*
 * Capability spaces: per task, slots addressed by selector, each an object
 * reference plus rights. Two levels (a directory of nodes of CNODE_SLOTS),
 * nodes allocated on first use from the factory that pays for the task.
 *
 * Every occupied slot is also a node of the capability derivation tree
 * (seL4's mapping database for capabilities): a capability mapped from
 * another one is its child, in whatever task it lands. Revoking a slot
 * deletes all its descendants in every task; deleting a slot hands its
 * children to its own parent, so a revoke further up still reaches them;
 * granting moves the node, children and all.
 */
#ifndef CSPACE_H
#define CSPACE_H

#include "kobj.h"

#define CNODE_SLOTS 64u
#define CNODE_COUNT (CSPACE_SLOTS / CNODE_SLOTS)

struct cap {
	struct kobj *obj;     /* NULL: empty slot */
	uint32_t rights;
	struct cap *parent;   /* derived from (NULL: made by a factory) */
	struct cap *child;    /* first capability derived from this one */
	struct cap *next, *prev;   /* siblings: derived from the same parent */
};

struct task;

struct cspace {
	struct cap *node[CNODE_COUNT];
};

/* Find the object behind sel with the given type (KOBJ_NONE: any) and
 * rights; returns a distinct error for each way that can fail. */
int cspace_lookup(struct task *t, uint32_t sel, unsigned type, uint32_t rights, struct cap **out);
int cspace_check_free(struct task *t, uint32_t sel);
/* sel is free and its node exists: a cspace_insert there cannot fail. */
int cspace_prepare(struct task *t, uint32_t sel, struct factory *f);
/* Put obj with rights at sel, derived from `from` (NULL: a new object). */
int cspace_insert(struct task *t, uint32_t sel, struct kobj *obj, uint32_t rights,
		  struct cap *from, struct factory *f);
/* Move the capability in c to the prepared slot sel of t, with its
 * rights reduced to mask; c becomes empty. */
void cspace_move(struct cap *c, struct task *t, uint32_t sel, uint32_t mask);
/* Empty one slot; its children go to its parent. */
void cspace_delete(struct cap *c);
/* Delete every capability derived from c, in every task; c stays. */
void cspace_revoke(struct cap *c);
/* The first occupied slot at or after sel, or NULL; *found gets its selector. */
struct cap *cspace_next(struct task *t, uint32_t sel, uint32_t *found);
void cspace_destroy(struct task *t, struct factory *f);

#endif
