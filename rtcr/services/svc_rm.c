/*
 * The rm service: attaching dataspaces in the child's address space. RTCR
 * maps their pages as the child faults (child_page_fault).
 *
 * Session words: none.
 */
#include "services.h"
#include "core.h"

/* First fit in the area the parent picks addresses from. */
static uint32_t pick_va(struct rtcr_child *c, uint32_t pages)
{
	for (uint32_t va = RM_AREA_START; va + pages * PAGE_SIZE <= RM_AREA_END; ) {
		struct region *hit = NULL;
		for (unsigned i = 0; i < CHILD_REGIONS_MAX && !hit; i++) {
			struct region *r = &c->regions[i];
			if (r->used && va < r->va + r->pages * PAGE_SIZE &&
			    r->va < va + pages * PAGE_SIZE)
				hit = r;
		}
		if (!hit)
			return va;
		va = hit->va + hit->pages * PAGE_SIZE;
	}
	return 0;
}

rtcr_err rm_attach_ds(struct rtcr_child *c, uint32_t index, uint32_t va, unsigned rights)
{
	struct dataspace *d = &c->ds[index];
	rtcr_err err = child_region_add(c, va, d->pages, rights, true, (int)index, d->mem, NULL);
	if (err)
		return err;
	d->attached_va = va;
	c->layout_changed = true;
	return E_OK;
}

static rtcr_err attach(struct session *s, struct rpc_request *rq)
{
	struct rtcr_child *c = s->child;
	if (rq->nwords != 3)
		return E_INVALID_ARG;
	uint32_t index = rq->words[0], va = rq->words[1], rights = rq->words[2];
	if (index >= CHILD_DS_MAX || !c->ds[index].used)
		return E_NOT_FOUND;
	struct dataspace *d = &c->ds[index];
	if (d->attached_va)
		return E_BUSY;
	rtcr_err st = rule_attach_rights(rights, NULL);
	if (st)
		return st;
	if (va == 0 && !(va = pick_va(c, d->pages)))
		return E_NO_MEMORY;
	if ((st = rule_attach(va, d->pages, rights, NULL)) != E_OK)
		return st;
	if (!child_range_free(c, va, d->pages))
		return E_ALREADY_MAPPED;
	if ((st = rm_attach_ds(c, index, va, rights)) != E_OK)
		return st;
	rq->reply[0] = va;
	rq->nreply = 1;
	return E_OK;
}

static rtcr_err detach(struct session *s, struct rpc_request *rq)
{
	struct rtcr_child *c = s->child;
	if (rq->nwords != 1)
		return E_INVALID_ARG;
	struct region *r = child_region_at(c, rq->words[0]);
	if (!r || r->ds < 0 || r->va != rq->words[0])
		return E_NOT_FOUND;
	child_map_changing(c);
	c->ds[r->ds].attached_va = 0;
	child_region_remove(c, (int)(r - c->regions));
	c->layout_changed = true;
	return E_OK;
}

static rtcr_err rm_handle(struct session *s, struct rpc_request *rq)
{
	switch (rq->op) {
	case RM_ATTACH:
		return attach(s, rq);
	case RM_DETACH:
		return detach(s, rq);
	default:
		return E_INVALID_OP;
	}
}

const struct service service_rm = {
	.name = "rm",
	.kind = CKPT_SESSION_RM,
	.handle = rm_handle,
};
