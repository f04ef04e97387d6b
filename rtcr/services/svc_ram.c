/*
 * The ram service: dataspaces, paid for out of a quota (the session's,
 * which comes out of what the child may have in all).
 *
 * Session words (ckpt_session args/state): args[0] quota in pages
 * (creation argument plus upgrades), state[0] pages in use. Dataspaces
 * themselves are described by the child's memory records (ckpt.c), not by
 * sessions.
 */
#include "core.h"
#include "pages.h"

/* The quota comes out of what the child may have in all. */
static rtcr_err ram_take_quota(struct session *s)
{
	if (s->args[0] > CHILD_RAM_PAGES - s->child->ram_pages)
		return E_NO_MEMORY;
	s->child->ram_pages += s->args[0];
	return E_OK;
}

static rtcr_err ram_open(struct session *s, uint32_t *info, unsigned *ninfo)
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

static rtcr_err ram_alloc_ds(struct session *s, struct rpc_request *rq)
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

static rtcr_err ram_handle(struct session *s, struct rpc_request *rq)
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
