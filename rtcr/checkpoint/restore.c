#include "restore.h"
#include "core.h"
#include "store.h"
#include "format.h"
#include "pages.h"
#include "string.h"
#include "services.h"

/* Old session ids (in the image) and the sessions that replace them. */
struct id_map {
	uint32_t old_id[SESSIONS_MAX];
	struct session *now[SESSIONS_MAX];
	unsigned n;
};

/*
 * A task being built from a chain of images: its memory holds the pages of
 * every image applied so far. A chain never changes the task's memory map
 * (a checkpoint after a change is a full image), so an increment only adds
 * pages. The rest (threads, sessions, capabilities) comes from the last
 * image when the stage is finished.
 */
struct restore_stage {
	bool used, finished;
	struct rtcr_child *c;
	const struct image *first;      /* the full image */
	struct rules_memory memory;     /* its memory map, which increments keep */
	const struct image *last;       /* the last image applied */
	struct ckpt_section threads, caps, sessions;
	struct id_map ids;
	struct rtcr_detail *d;          /* where this call says why it failed */
};

static struct restore_stage stages[RESTORE_STAGES];

static struct session *session_for(struct restore_stage *r, uint32_t old)
{
	for (unsigned i = 0; i < r->ids.n; i++)
		if (r->ids.old_id[i] == old)
			return r->ids.now[i];
	return NULL;
}

static rtcr_err remember(struct restore_stage *r, uint32_t old, struct session *s)
{
	if (r->ids.n == SESSIONS_MAX || session_for(r, old))
		return rtcr_fail(r->d, R_IMAGE_REFUSED, "session %u twice in the image",
				 (unsigned)old);
	r->ids.old_id[r->ids.n] = old;
	r->ids.now[r->ids.n++] = s;
	return E_OK;
}

/* ---- reading an image ---------------------------------------------------------------- */

/* Check it (image_check), find its sections, and check every record by
 * the rules a live task's requests meet. */
static rtcr_err read_image(struct restore_stage *r, const struct image *im)
{
	struct ckpt_header h;
	struct rtcr_detail refusal = { "" };
	rtcr_err err;
	if (!im->complete)
		return rtcr_fail(r->d, E_INVALID_STATE, "image %u is still being written",
				 (unsigned)im->id);
	if ((err = image_check(im, &h, r->d)) != E_OK)
		return err;
	bool t = false, c = false, s = false;
	struct ckpt_section sec;
	/* The pages come last: the search stops before it walks them. */
	for (bool ok = ckpt_section_first(im->buf, im->len, &sec); ok && !(t && c && s);
	     ok = ckpt_section_next(&sec)) {
		if (sec.type == CKPT_SEC_THREADS)
			r->threads = sec, t = true;
		else if (sec.type == CKPT_SEC_CAPS)
			r->caps = sec, c = true;
		else if (sec.type == CKPT_SEC_SESSIONS)
			r->sessions = sec, s = true;
	}
	if (!t || !c || !s)
		return rtcr_fail(r->d, R_IMAGE_DAMAGED, "image %u lacks threads, capabilities or "
				 "sessions", (unsigned)im->id);
	if (rules_records(&h, &r->threads, &r->caps, &r->sessions, children_devices(),
			  &refusal) != E_OK)
		return rtcr_fail(r->d, R_IMAGE_REFUSED, "image %u: %s", (unsigned)im->id,
				 refusal.text);
	return E_OK;
}

/* ---- memory ------------------------------------------------------------------- */

/* The records were checked (rules_records): they say what a live task could
 * have had, so what fails now is this board's memory. */
static rtcr_err add_segment(struct restore_stage *r, const struct ckpt_session *s)
{
	uint32_t va = s->args[0], pages = s->args[1], rights = s->args[2];
	int err;
	/* Mapped once its contents are in (executable pages must be). */
	if ((err = child_region_add(r->c, va, pages, rights, true, -1, NULL, NULL)) != E_OK)
		return rtcr_fail(r->d, err, "segment at %08x overlaps or no memory (error %u)",
				 (unsigned)va, (unsigned)err);
	return E_OK;
}

static rtcr_err add_dataspace(struct restore_stage *r, const struct ckpt_session *s)
{
	struct rtcr_child *c = r->c;
	uint32_t index = s->args[0], pages = s->args[1], va = s->state[0], rights = s->state[1];
	struct dataspace *d = &c->ds[index];
	if (!(d->mem = pages_alloc(pages)))
		return rtcr_fail(r->d, E_NO_MEMORY, "no memory for dataspace %u", (unsigned)index);
	d->used = true;
	d->pages = pages;
	d->ram_session = s->args[2];   /* an old id until the sessions are back */
	if (!va)
		return E_OK;
	rtcr_err err = rm_attach_ds(c, index, va, rights);
	if (err)
		return rtcr_fail(r->d, err, "dataspace %u at %08x overlaps", (unsigned)index,
				 (unsigned)va);
	return E_OK;
}

static rtcr_err restore_memory(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		rtcr_err err = s.kind == CKPT_SESSION_SEGMENT ? add_segment(r, &s) :
			  s.kind == CKPT_SESSION_DATASPACE ? add_dataspace(r, &s) : E_OK;
		if (err)
			return err;
	}
	return E_OK;
}

/* The pages of one image: they replace what earlier images of the chain
 * put there. */
static rtcr_err restore_pages(struct restore_stage *r, const struct image *im)
{
	struct ckpt_section sec;
	for (bool ok = ckpt_section_first(im->buf, im->len, &sec); ok; ok = ckpt_section_next(&sec)) {
		if (sec.type != CKPT_SEC_PAGES)
			continue;
		struct ckpt_page p;
		size_t pos = 0;
		while (ckpt_next_page(&sec, &pos, &p)) {
			uint8_t *dst = child_page_mem(r->c, p.va);
			if (!dst)
				return rtcr_fail(r->d, R_IMAGE_REFUSED, "page %08x lies outside "
						 "the task's memory", (unsigned)p.va);
			if (p.data)
				memcpy(dst, p.data, PAGE_SIZE);
			else
				memset(dst, 0, PAGE_SIZE);
		}
	}
	return E_OK;
}

/* The program's segments go in once they hold their contents. */
static rtcr_err map_segments(struct restore_stage *r)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *reg = &r->c->regions[i];
		if (!reg->used || reg->ds >= 0)
			continue;
		int err = k_task_map(r->c->task_sel, SEL_TASK, (uint32_t)(uintptr_t)reg->mem, reg->va,
				     reg->pages, reg->rights);
		if (err)
			return rtcr_fail(r->d, err, "cannot map segment at %08x",
					 (unsigned)reg->va);
		reg->lazy = false;
	}
	return E_OK;
}

/* ---- threads, sessions, capabilities -------------------------------------------------- */

static rtcr_err restore_threads(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->threads.count; i++) {
		struct ckpt_thread t;
		char name[CKPT_THREAD_NAME + 1];
		ckpt_get_thread(&r->threads, i, &t);
		memcpy(name, t.name, CKPT_THREAD_NAME);
		name[CKPT_THREAD_NAME] = 0;
		int err = child_thread_create(r->c, t.index, t.priority, name);
		uint32_t sel = r->c->threads[t.index].sel;
		if (!err)
			err = k_thread_write_regs(sel, t.regs);
		if (!err)
			err = k_thread_utcb_load(sel, t.utcb);
		if (err)
			return rtcr_fail(r->d, err, "thread %u: error %u", (unsigned)t.index,
					 (unsigned)err);
	}
	return E_OK;
}

static rtcr_err restore_session(struct restore_stage *r, const struct ckpt_session *rec)
{
	if (rec->kind == CKPT_SESSION_PARENT)
		return remember(r, rec->id, session_find(r->c->parent_session));
	const struct service *svc = service_by_kind(rec->kind);
	if (!svc)
		return rtcr_fail(r->d, R_IMAGE_REFUSED, "session %u of unknown kind %u",
				 (unsigned)rec->id, (unsigned)rec->kind);
	struct session *s = session_new(r->c, rec->kind);
	if (!s)
		return rtcr_fail(r->d, E_NO_MEMORY, "no room for session %u", (unsigned)rec->id);
	memcpy(s->args, rec->args, sizeof(s->args));
	memcpy(s->state, rec->state, sizeof(s->state));
	rtcr_err err = remember(r, rec->id, s);
	if (err)
		return err;
	if (rec->kind != CKPT_SESSION_GATE)
		err = session_make_gate(s, SEL_NULL, 0);
	if (!err && svc->restore)
		err = svc->restore(s);
	if (err)
		return rtcr_fail(r->d, err, "%s session %u: %s", svc->name ? svc->name : "gate",
				 (unsigned)rec->id, rtcr_error_name(err));
	return E_OK;
}

static rtcr_err restore_sessions(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		if (s.kind == CKPT_SESSION_SEGMENT || s.kind == CKPT_SESSION_DATASPACE)
			continue;
		rtcr_err err = restore_session(r, &s);
		if (err)
			return err;
	}
	/* Dataspaces name the RAM session that paid for them. */
	for (unsigned i = 0; i < CHILD_DS_MAX; i++) {
		struct dataspace *d = &r->c->ds[i];
		struct session *s = d->used ? session_for(r, d->ram_session) : NULL;
		if (d->used && (!s || s->kind != CKPT_SESSION_RAM))
			return rtcr_fail(r->d, R_IMAGE_REFUSED, "dataspace %u names no RAM "
					 "session", i);
		if (d->used)
			d->ram_session = s->id;
	}
	return E_OK;
}

static rtcr_err restore_caps(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->caps.count; i++) {
		struct ckpt_cap cap;
		ckpt_get_cap(&r->caps, i, &cap);
		struct session *s = session_for(r, cap.session);
		uint32_t src = SEL_NULL;
		if (s && cap.type == KOBJ_GATE)
			src = s->gate_sel;
		else if (s && cap.type == KOBJ_IRQ)
			src = s->irq_sel;
		if (src == SEL_NULL)
			return rtcr_fail(r->d, R_IMAGE_REFUSED, "capability at %06x names "
					 "nothing RTCR can rebuild", (unsigned)cap.sel);
		int err = k_task_cap_map(r->c->task_sel, src, cap.sel, cap.rights);
		if (err == E_SLOT_IN_USE && cap.sel == CHILD_SEL_PARENT && s->kind == CKPT_SESSION_PARENT)
			err = E_OK;   /* the new child was born with it */
		if (err)
			return rtcr_fail(r->d, err, "capability at %06x: error %u",
					 (unsigned)cap.sel, (unsigned)err);
		if (cap.type == KOBJ_IRQ)
			s->sig_sel = cap.sel;
		else
			s->cap_sel = cap.sel;
	}
	return E_OK;
}

/* ---- stages ---------------------------------------------------------------------- */

/* Where the failures of this call go (the caller's detail). */
static void stage_call(struct restore_stage *r, struct rtcr_detail *d)
{
	rtcr_detail_clear(d);
	r->d = d;
}

void restore_stage_drop(struct restore_stage *r)
{
	if (r->c)
		child_destroy(r->c);
	memset(r, 0, sizeof(*r));
}

rtcr_err restore_stage_begin(uint32_t id, struct restore_stage **out, struct rtcr_detail *d)
{
	struct restore_stage *r = NULL;
	rtcr_err err;
	*out = NULL;
	for (unsigned i = 0; i < RESTORE_STAGES && !r; i++)
		if (!stages[i].used)
			r = &stages[i];
	if (!r)
		return rtcr_fail(d, R_ONE_AT_A_TIME, "another restore is under way");
	memset(r, 0, sizeof(*r));
	stage_call(r, d);
	const struct image *im = image_find(id);
	if (!im)
		return rtcr_fail(d, R_NO_IMAGE, "no image %u", (unsigned)id);
	if (!im->full)
		return rtcr_fail(d, E_INVALID_ARG, "image %u is not a full image", (unsigned)id);
	if ((err = read_image(r, im)) != E_OK)
		return err;
	r->used = true;
	r->first = im;
	rules_memory_from(&r->sessions, &r->memory);   /* it passed the rules: it fits */
	if ((err = child_create(im->name, &r->c)) != E_OK) {
		rtcr_fail(d, err, "cannot create a task: error %u", (unsigned)err);
		restore_stage_drop(r);
		return err;
	}
	r->c->arriving = true;
	if ((err = restore_memory(r)) != E_OK || (err = restore_pages(r, im)) != E_OK) {
		restore_stage_drop(r);
		return err;
	}
	r->last = im;
	*out = r;
	return E_OK;
}

rtcr_err restore_stage_apply(struct restore_stage *r, uint32_t id, struct rtcr_detail *d)
{
	stage_call(r, d);
	const struct image *im = image_find(id);
	if (r->finished)
		return rtcr_fail(d, E_INVALID_STATE, "the task is built already");
	if (!im || im->full || !r->last || im->base_id != r->last->id)
		return rtcr_fail(d, E_INVALID_ARG, "image %u does not follow image %u",
				 (unsigned)id, (unsigned)(r->last ? r->last->id : 0));
	rtcr_err err = read_image(r, im);
	static struct rules_memory memory;
	if (err == E_OK && (!rules_memory_from(&r->sessions, &memory) ||
			    !rules_memory_equal(&memory, &r->memory)))
		err = rtcr_fail(d, R_IMAGE_REFUSED, "image %u changes the memory map of image %u",
				(unsigned)id, (unsigned)r->first->id);
	if (err == E_OK)
		err = restore_pages(r, im);
	if (err == E_OK)
		r->last = im;
	return err;
}

/* The child's clock as the image recorded it (in its parent session). On
 * this board it goes on as it was; a task from another board finds it
 * where it was at its last pause there: for the task, the migration took
 * no time. */
static void set_clock(struct restore_stage *r, bool migrated)
{
	int64_t off = 0;
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		if (s.kind == CKPT_SESSION_PARENT)
			off = (int64_t)(s.state[0] | (uint64_t)s.state[1] << 32);
	}
	if (migrated)
		off += (int64_t)r->last->time_us - (int64_t)k_time_us();
	r->c->clock_offset = off;
}

struct rtcr_child *restore_stage_child(const struct restore_stage *r)
{
	return r->c;
}

/* Devices have one holder: the task's io_mem and irq sessions need theirs
 * free, which is known before anything is built. */
static rtcr_err devices_free(struct restore_stage *r)
{
	const struct bootinfo *bi = children_bootinfo();
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		if (s.kind != CKPT_SESSION_IO_MEM && s.kind != CKPT_SESSION_IRQ)
			continue;
		struct rtcr_child *holder = device_holder(s.args[0], r->c);
		if (holder)   /* the rules checked the index */
			return rtcr_fail(r->d, E_BUSY, "device %.12s is held by task %u (%s)",
					 bi->devices[s.args[0]].name, (unsigned)holder->id,
					 holder->name);
	}
	return E_OK;
}

rtcr_err restore_stage_finish(struct restore_stage *r, bool migrated, struct rtcr_detail *d)
{
	stage_call(r, d);
	if (r->finished)
		return E_OK;
	/* The sections are the last image's: read_image found them. */
	set_clock(r, migrated);
	rtcr_err err;
	if ((err = devices_free(r)) == E_OK && (err = restore_threads(r)) == E_OK && (err = restore_sessions(r)) == E_OK &&
	    (err = restore_caps(r)) == E_OK && (err = map_segments(r)) == E_OK) {
		r->c->layout_changed = true;   /* its first checkpoint is a full one */
		r->finished = true;
	}
	return err;
}

uint32_t restore_stage_release(struct restore_stage *r)
{
	uint32_t live = 0;
	for (uint32_t i = 0; i < r->threads.count; i++) {
		struct ckpt_thread t;
		ckpt_get_thread(&r->threads, i, &t);
		if (t.state == TS_READY || t.state == TS_RUNNING || t.state == TS_BLOCKED)
			live |= 1u << t.index;
	}
	memset(r, 0, sizeof(*r));   /* the child is on its own now */
	return live;
}

void restore_child_resume(struct rtcr_child *c, uint32_t live)
{
	for (unsigned n = 0; n < CPU_THREADS_MAX; n++)
		if (live >> n & 1)
			k_thread_resume(c->threads[n].sel);
	c->arriving = false;
}

struct rtcr_child *restore_stage_resume(struct restore_stage *r)
{
	struct rtcr_child *c = r->c;
	restore_child_resume(c, restore_stage_release(r));
	return c;
}

/* ---- restoring a chain at once (the console's restore) ------------------------------ */

rtcr_err restore_image(uint32_t id, struct rtcr_child **out, struct rtcr_detail *d)
{
	struct image *chain[IMAGES_MAX];
	struct restore_stage *r;
	unsigned n;
	rtcr_err err = image_chain(id, chain, IMAGES_MAX, &n, d);
	if (err == E_OK)
		err = restore_stage_begin(chain[0]->id, &r, d);
	if (err)
		return err;
	for (unsigned i = 1; i < n && err == E_OK; i++)
		err = restore_stage_apply(r, chain[i]->id, d);
	if (err == E_OK)
		err = restore_stage_finish(r, false, d);
	if (err) {
		restore_stage_drop(r);
		return err;
	}
	*out = restore_stage_resume(r);
	return E_OK;
}
