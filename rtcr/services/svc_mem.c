/*
 * Memory services: ram (dataspaces against a quota) and rm (attaching them
 * in the child's address space; RTCR maps their pages as the child faults,
 * child_page_fault).
 *
 * Session words (ckpt_session args/state), per kind:
 *   ram: args[0] quota in pages (creation argument plus upgrades),
 *        state[0] pages in use
 *   rm:  -
 * Dataspaces themselves are described by the child's memory records
 * (ckpt.c), not by sessions.
 */
#include "sessions.h"
#include "pages.h"

/* ---- ram ------------------------------------------------------------------------- */

/* The quota comes out of what the child may have in all. */
static int ram_take_quota(struct session *s)
{
	if (s->args[0] > CHILD_RAM_PAGES - s->child->ram_pages)
		return E_NO_MEMORY;
	s->child->ram_pages += s->args[0];
	return E_OK;
}

static int ram_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	(void)info;
	*ninfo = 0;
	return ram_take_quota(s);
}

static void ram_close(struct session *s)
{
	struct rtcr_child *c = s->child;
	child_map_changing(c);   /* a checkpoint still copying these pages finishes first */
	for (unsigned i = 0; i < CHILD_DS_MAX; i++) {
		struct dataspace *d = &c->ds[i];
		if (!d->used || d->ram_session != s->id)
			continue;
		if (d->attached_va) {
			struct region *r = child_region_at(c, d->attached_va);
			if (r)
				child_region_remove(c, (int)(r - c->regions));
		}
		pages_free(d->mem, d->pages);
		d->used = false;
		c->layout_changed = true;
	}
	c->ram_pages -= s->args[0] < c->ram_pages ? s->args[0] : c->ram_pages;
}

static int ram_alloc_ds(struct session *s, struct rpc_request *rq)
{
	struct rtcr_child *c = s->child;
	if (rq->nwords != 1 || rq->words[0] == 0)
		return E_INVALID_ARG;
	uint32_t pages = rq->words[0];
	if (pages > s->args[0] - s->state[0])
		return E_NO_MEMORY;
	for (unsigned i = 0; i < CHILD_DS_MAX; i++) {
		struct dataspace *d = &c->ds[i];
		if (d->used)
			continue;
		if (!(d->mem = pages_alloc(pages)))
			return E_NO_MEMORY;
		d->used = true;
		d->pages = pages;
		d->ram_session = s->id;
		d->attached_va = 0;
		s->state[0] += pages;
		c->layout_changed = true;
		rq->reply[0] = i;
		rq->nreply = 1;
		return E_OK;
	}
	return E_NO_MEMORY;
}

static struct dataspace *ds_of(struct session *s, uint32_t index)
{
	struct rtcr_child *c = s->child;
	return index < CHILD_DS_MAX && c->ds[index].used ? &c->ds[index] : NULL;
}

static int ram_handle(struct session *s, struct rpc_request *rq)
{
	struct dataspace *d;
	switch (rq->op) {
	case RAM_ALLOC:
		return ram_alloc_ds(s, rq);
	case RAM_FREE:
		if (rq->nwords != 1)
			return E_INVALID_ARG;
		if (!(d = ds_of(s, rq->words[0])) || d->ram_session != s->id)
			return E_NOT_FOUND;
		if (d->attached_va)
			return E_BUSY;
		child_map_changing(s->child);
		pages_free(d->mem, d->pages);
		d->used = false;
		s->state[0] -= d->pages;
		s->child->layout_changed = true;
		return E_OK;
	case RAM_INFO:
		rq->reply[0] = s->args[0];
		rq->reply[1] = s->state[0];
		rq->nreply = 2;
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

const struct service service_ram = {
	.name = "ram",
	.kind = CKPT_SESSION_RAM,
	.open = ram_open,
	.handle = ram_handle,
	.close = ram_close,
	.restore = ram_take_quota,
};

/* ---- rm -------------------------------------------------------------------------- */

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

/* Map dataspace index at va with rights, page by page on faults. */
int rm_attach_ds(struct rtcr_child *c, uint32_t index, uint32_t va, unsigned rights)
{
	struct dataspace *d = &c->ds[index];
	int err;
	if (child_region_add(c, va, d->pages, rights, true, (int)index, d->mem, &err) < 0)
		return err;
	d->attached_va = va;
	c->layout_changed = true;
	return E_OK;
}

static int attach(struct session *s, struct rpc_request *rq)
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
	int st = rule_attach_rights(rights, NULL, 0);
	if (st)
		return st;
	if (va == 0 && !(va = pick_va(c, d->pages)))
		return E_NO_MEMORY;
	if ((st = rule_attach(va, d->pages, rights, NULL, 0)) != E_OK)
		return st;
	if (!child_range_free(c, va, d->pages))
		return E_ALREADY_MAPPED;
	if ((st = rm_attach_ds(c, index, va, rights)) != E_OK)
		return st;
	rq->reply[0] = va;
	rq->nreply = 1;
	return E_OK;
}

static int detach(struct session *s, struct rpc_request *rq)
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

static int rm_handle(struct session *s, struct rpc_request *rq)
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
