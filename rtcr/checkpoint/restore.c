#include "restore.h"
#include "sessions.h"
#include "images.h"
#include "ckpt_image.h"
#include "pages.h"
#include "stdio.h"
#include "string.h"

int rm_attach_ds(struct rtcr_child *c, uint32_t index, uint32_t va, unsigned rights);

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
	char *why;                      /* where this call reports */
	size_t why_size;
};

static struct restore_stage stages[RESTORE_STAGES];

static int fail(struct restore_stage *r, int err, const char *fmt, uint32_t a, uint32_t b)
{
	fmt_snprintf(r->why, r->why_size, fmt, (unsigned)a, (unsigned)b);
	return err;
}

static struct session *session_for(struct restore_stage *r, uint32_t old)
{
	for (unsigned i = 0; i < r->ids.n; i++)
		if (r->ids.old_id[i] == old)
			return r->ids.now[i];
	return NULL;
}

static int remember(struct restore_stage *r, uint32_t old, struct session *s)
{
	if (r->ids.n == SESSIONS_MAX || session_for(r, old))
		return fail(r, -1, "session %u twice in the image", old, 0);
	r->ids.old_id[r->ids.n] = old;
	r->ids.now[r->ids.n++] = s;
	return E_OK;
}

/* ---- reading an image ---------------------------------------------------------------- */

/* Check it (image_check), find its sections, and check every record by
 * the rules a live task's requests meet. */
static int read_image(struct restore_stage *r, const struct image *im)
{
	struct ckpt_detail d;
	struct ckpt_header h;
	char text[100];
	struct rtcr_detail refusal;
	if (!im->complete)
		return fail(r, E_INVALID_STATE, "image %u is still being written", im->id, 0);
	if (image_check(im, &h, &d) != CKPT_OK) {
		fmt_snprintf(r->why, r->why_size, "image %u: %s", (unsigned)im->id,
			     ckpt_describe(&d, text, sizeof(text)));
		return -1;
	}
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
		return fail(r, -1, "image %u lacks threads, capabilities or sessions", im->id, 0);
	if (rules_records(&h, &r->threads, &r->caps, &r->sessions, children_devices(),
			  &refusal) != E_OK) {
		fmt_snprintf(r->why, r->why_size, "image %u: %s", (unsigned)im->id, refusal.text);
		return -1;
	}
	return E_OK;
}

/* ---- memory ------------------------------------------------------------------- */

/* The records were checked (rules_records): they say what a live task could
 * have had, so what fails now is this board's memory. */
static int add_segment(struct restore_stage *r, const struct ckpt_session *s)
{
	uint32_t va = s->args[0], pages = s->args[1], rights = s->args[2];
	int err;
	/* Mapped once its contents are in (executable pages must be). */
	if ((err = child_region_add(r->c, va, pages, rights, true, -1, NULL, NULL)) != E_OK)
		return fail(r, err, "segment at %08x overlaps or no memory (error %u)", va,
			    (uint32_t)err);
	return E_OK;
}

static int add_dataspace(struct restore_stage *r, const struct ckpt_session *s)
{
	struct rtcr_child *c = r->c;
	uint32_t index = s->args[0], pages = s->args[1], va = s->state[0], rights = s->state[1];
	struct dataspace *d = &c->ds[index];
	if (!(d->mem = pages_alloc(pages)))
		return fail(r, E_NO_MEMORY, "no memory for dataspace %u", index, 0);
	d->used = true;
	d->pages = pages;
	d->ram_session = s->args[2];   /* an old id until the sessions are back */
	if (!va)
		return E_OK;
	int err = rm_attach_ds(c, index, va, rights);
	return err ? fail(r, err, "dataspace %u at %08x overlaps", index, va) : E_OK;
}

static int restore_memory(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		int err = s.kind == CKPT_SESSION_SEGMENT ? add_segment(r, &s) :
			  s.kind == CKPT_SESSION_DATASPACE ? add_dataspace(r, &s) : E_OK;
		if (err)
			return err;
	}
	return E_OK;
}

/* The pages of one image: they replace what earlier images of the chain
 * put there. */
static int restore_pages(struct restore_stage *r, const struct image *im)
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
				return fail(r, -1, "page %08x lies outside the task's memory", p.va, 0);
			if (p.data)
				memcpy(dst, p.data, PAGE_SIZE);
			else
				memset(dst, 0, PAGE_SIZE);
		}
	}
	return E_OK;
}

/* The program's segments go in once they hold their contents. */
static int map_segments(struct restore_stage *r)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *reg = &r->c->regions[i];
		if (!reg->used || reg->ds >= 0)
			continue;
		int err = k_task_map(r->c->task_sel, SEL_TASK, (uint32_t)(uintptr_t)reg->mem, reg->va,
				     reg->pages, reg->rights);
		if (err)
			return fail(r, err, "cannot map segment at %08x", reg->va, 0);
		reg->lazy = false;
	}
	return E_OK;
}

/* ---- threads, sessions, capabilities -------------------------------------------------- */

static int restore_threads(struct restore_stage *r)
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
			return fail(r, err, "thread %u: error %u", t.index, (uint32_t)err);
	}
	return E_OK;
}

static int restore_session(struct restore_stage *r, const struct ckpt_session *rec)
{
	if (rec->kind == CKPT_SESSION_PARENT)
		return remember(r, rec->id, session_find(r->c->parent_session));
	const struct service *svc = service_by_kind(rec->kind);
	if (!svc)
		return fail(r, -1, "session %u of unknown kind %u", rec->id, rec->kind);
	struct session *s = session_new(r->c, rec->kind);
	if (!s)
		return fail(r, E_NO_MEMORY, "no room for session %u", rec->id, 0);
	memcpy(s->args, rec->args, sizeof(s->args));
	memcpy(s->state, rec->state, sizeof(s->state));
	int err = remember(r, rec->id, s);
	if (!err && rec->kind != CKPT_SESSION_GATE)
		err = session_make_gate(s, SEL_NULL, 0);
	if (!err && svc->restore)
		err = svc->restore(s);
	if (err > 0)
		fmt_snprintf(r->why, r->why_size, "%s session %u: %s", svc->name ? svc->name : "gate",
			     (unsigned)rec->id, k_error_name((unsigned)err));
	return err;
}

static int restore_sessions(struct restore_stage *r)
{
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		if (s.kind == CKPT_SESSION_SEGMENT || s.kind == CKPT_SESSION_DATASPACE)
			continue;
		int err = restore_session(r, &s);
		if (err)
			return err;
	}
	/* Dataspaces name the RAM session that paid for them. */
	for (unsigned i = 0; i < CHILD_DS_MAX; i++) {
		struct dataspace *d = &r->c->ds[i];
		struct session *s = d->used ? session_for(r, d->ram_session) : NULL;
		if (d->used && (!s || s->kind != CKPT_SESSION_RAM))
			return fail(r, -1, "dataspace %u names no RAM session", i, 0);
		if (d->used)
			d->ram_session = s->id;
	}
	return E_OK;
}

static int restore_caps(struct restore_stage *r)
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
			return fail(r, -1, "capability at %06x names nothing RTCR can rebuild", cap.sel, 0);
		int err = k_task_cap_map(r->c->task_sel, src, cap.sel, cap.rights);
		if (err == E_SLOT_IN_USE && cap.sel == CHILD_SEL_PARENT && s->kind == CKPT_SESSION_PARENT)
			err = E_OK;   /* the new child was born with it */
		if (err)
			return fail(r, err, "capability at %06x: error %u", cap.sel, (uint32_t)err);
		if (cap.type == KOBJ_IRQ)
			s->sig_sel = cap.sel;
		else
			s->cap_sel = cap.sel;
	}
	return E_OK;
}

/* ---- stages ---------------------------------------------------------------------- */

static struct restore_stage *stage_call(struct restore_stage *r, char *why, size_t size)
{
	r->why = why;
	r->why_size = size;
	return r;
}

void restore_stage_drop(struct restore_stage *r)
{
	if (r->c)
		child_destroy(r->c);
	memset(r, 0, sizeof(*r));
}

struct restore_stage *restore_stage_begin(uint32_t id, char *why, size_t size)
{
	struct restore_stage *r = NULL;
	for (unsigned i = 0; i < RESTORE_STAGES && !r; i++)
		if (!stages[i].used)
			r = &stages[i];
	if (!r) {
		strlcpy(why, "another restore is under way", size);
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	stage_call(r, why, size);
	const struct image *im = image_find(id);
	if (!im || !im->full) {
		fail(r, 0, im ? "image %u is not a full image" : "no image %u", id, 0);
		return NULL;
	}
	if (read_image(r, im) != E_OK)
		return NULL;
	r->used = true;
	r->first = im;
	rules_memory_from(&r->sessions, &r->memory);   /* it passed the rules: it fits */
	int err;
	if ((err = child_create(im->name, &r->c)) != E_OK) {
		fail(r, err, "cannot create a task: error %u", (uint32_t)err, 0);
		restore_stage_drop(r);
		return NULL;
	}
	r->c->arriving = true;
	if (restore_memory(r) != E_OK || restore_pages(r, im) != E_OK) {
		restore_stage_drop(r);
		return NULL;
	}
	r->last = im;
	return r;
}

int restore_stage_apply(struct restore_stage *r, uint32_t id, char *why, size_t size)
{
	stage_call(r, why, size);
	const struct image *im = image_find(id);
	if (r->finished)
		return fail(r, E_INVALID_STATE, "the task is built already", 0, 0);
	if (!im || im->full || !r->last || im->base_id != r->last->id)
		return fail(r, E_INVALID_ARG, "image %u does not follow image %u", id,
			    r->last ? r->last->id : 0);
	int err = read_image(r, im);
	static struct rules_memory memory;
	if (err == E_OK && (!rules_memory_from(&r->sessions, &memory) ||
			    !rules_memory_equal(&memory, &r->memory)))
		err = fail(r, -1, "image %u changes the memory map of image %u", id, r->first->id);
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
static int devices_free(struct restore_stage *r)
{
	const struct bootinfo *bi = children_bootinfo();
	for (uint32_t i = 0; i < r->sessions.count; i++) {
		struct ckpt_session s;
		ckpt_get_session(&r->sessions, i, &s);
		if (s.kind != CKPT_SESSION_IO_MEM && s.kind != CKPT_SESSION_IRQ)
			continue;
		struct rtcr_child *holder = device_holder(s.args[0], r->c);
		if (holder) {   /* the rules checked the index */
			fmt_snprintf(r->why, r->why_size, "device %.12s is held by task %u (%s)",
				     bi->devices[s.args[0]].name, (unsigned)holder->id, holder->name);
			return E_BUSY;
		}
	}
	return E_OK;
}

int restore_stage_finish(struct restore_stage *r, bool migrated, char *why, size_t size)
{
	stage_call(r, why, size);
	if (r->finished)
		return E_OK;
	/* The sections are the last image's: read_image found them. */
	set_clock(r, migrated);
	int err;
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

int restore_image(uint32_t id, struct rtcr_child **out, char *why, size_t size)
{
	struct image *chain[IMAGES_MAX];
	const char *missing = "";
	unsigned n = image_chain(id, chain, IMAGES_MAX, &missing);
	if (!n) {
		strlcpy(why, missing, size);
		return E_NOT_FOUND;
	}
	struct restore_stage *r = restore_stage_begin(chain[0]->id, why, size);
	if (!r)
		return -1;
	int err = E_OK;
	for (unsigned i = 1; i < n && err == E_OK; i++)
		err = restore_stage_apply(r, chain[i]->id, why, size);
	if (err == E_OK)
		err = restore_stage_finish(r, false, why, size);
	if (err) {
		restore_stage_drop(r);
		return err;
	}
	*out = restore_stage_resume(r);
	return E_OK;
}

struct rtcr_child *restore_command(uint32_t id)
{
	char why[120];
	struct rtcr_child *c = NULL;
	if (!image_find(id)) {
		printf("no image %u\n", (unsigned)id);
		return NULL;
	}
	if (restore_image(id, &c, why, sizeof(why)) != E_OK) {
		printf("restore %u: %s\n", (unsigned)id, why);
		return NULL;
	}
	printf("restored image %u as task %u (%s)\n", (unsigned)id, (unsigned)c->id, c->name);
	return c;
}
