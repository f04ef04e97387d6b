#include "ckpt.h"
#include "core.h"
#include "store.h"
#include "format.h"
#include "services.h"
#include "pages.h"
#include "string.h"

#define CKPT_PAGES_MAX 8192u     /* pages of one child a checkpoint can hold */
#define COPY_BATCH     64u       /* pages per copy step */

struct ckpt_child {
	struct rtcr_child *c;        /* NULL: free */
	uint32_t last_image;         /* base for the next increment; 0: none */
	uint32_t every_ms;
	uint64_t next_due;
};

static struct ckpt_child states[CHILDREN_MAX];

#ifdef CONFIG_BENCH
struct ckpt_bench_stamps ckpt_bench;
#endif

/* What the pause recorded, written into the image right after it. */
static struct {
	struct ckpt_thread threads[CPU_THREADS_MAX];
	unsigned nthreads;
	bool resume[CPU_THREADS_MAX];
	struct ckpt_cap caps[CHILD_CAPS_MAX];
	unsigned ncaps;
} rec;

/* The copy under way. */
static struct {
	bool active;
	struct rtcr_child *c;
	struct image *im;
	struct ckpt_writer w;
	uint32_t pages[CKPT_PAGES_MAX];   /* addresses still to copy, 0 once copied */
	unsigned npages, next;
	bool asked;                       /* a person waits for it (ckpt_opts) */
	uint32_t *block_crc;              /* ckpt_opts */
	uint32_t block_max;
} job;

static struct ckpt_stats stats;

static void (*listener)(const struct ckpt_event *e);

void ckpt_listen(void (*fn)(const struct ckpt_event *e))
{
	listener = fn;
}

static void tell(const struct ckpt_event *e)
{
	if (listener)
		listener(e);
}

static struct ckpt_child *state_of(const struct rtcr_child *c)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (states[i].c == c)
			return &states[i];
	return NULL;
}

static struct ckpt_child *state_get(struct rtcr_child *c)
{
	struct ckpt_child *s = state_of(c);
	for (unsigned i = 0; i < CHILDREN_MAX && !s; i++)
		if (!states[i].c) {
			s = &states[i];
			memset(s, 0, sizeof(*s));
			s->c = c;
		}
	return s;
}

/* ---- copying ------------------------------------------------------------------- */

static bool all_zero(const uint8_t *p)
{
	const uint32_t *w = (const uint32_t *)p;
	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		if (w[i])
			return false;
	return true;
}

/* Write page i of the job into the image, and let the child write it:
 * it stops being copy-pending (SNAPSHOT_DONE). */
static void copy_page(unsigned i)
{
	uint32_t va = job.pages[i];
	const uint8_t *mem = child_page_mem(job.c, va);   /* every page of a child is RTCR's */
	bool zero = !mem || all_zero(mem);
	ckpt_put_page(&job.w, va, zero ? NULL : mem);
	k_snapshot_done(job.c->task_sel, va, 1);
	stats.pages_copied++;
	stats.pages_zero += zero;
	job.pages[i] = 0;
}

static void report_of(const struct image *im, struct ckpt_report *r)
{
	*r = (struct ckpt_report){ .image_id = im->id, .task_id = im->task_id, .full = im->full,
				   .pages = im->npages, .bytes = im->len,
				   .pause_us = im->pause_us };
	memcpy(r->name, im->name, sizeof(r->name));
}

static void finish_job(void)
{
	size_t len = 0;
	struct image *im = job.im;
	struct ckpt_child *s = state_of(job.c);
	struct ckpt_event e = { .kind = CKPT_COMPLETE, .asked = job.asked };
	ckpt_section_end(&job.w);
	if (job.block_crc)
		ckpt_writer_want_blocks(&job.w, job.block_crc, job.block_max);
	int err = ckpt_writer_finish(&job.w, &len);
	job.active = false;
	job.asked = false;
	if (!err) {
		image_complete(im, len);
		im->crc_blocks = job.block_crc && ckpt_writer_blocks(&job.w);
	}
	report_of(im, &e.report);
	if (err) {
		char why[96];
		e.kind = CKPT_LOST;
		e.err = rtcr_fail(&e.detail, err == CKPT_E_NO_SPACE ? R_NO_ROOM : R_IMAGE_DAMAGED,
				  "%s", ckpt_describe(&job.w.detail, why, sizeof(why)));
		image_drop(im);
		stats.failed++;
	}
	if (s)
		s->last_image = err ? 0 : e.report.image_id;   /* after a loss: a full one */
	tell(&e);
	if (!err)
		image_compact(e.report.image_id);
}

/* Copy the next batch (pages the child had us copy early are done). */
void ckpt_copy_step(void)
{
	if (!job.active)
		return;
	unsigned n = 0;
	while (job.next < job.npages && n < COPY_BATCH) {
		unsigned i = job.next++;
		if (!job.pages[i])
			continue;
		copy_page(i);
		n++;
	}
	if (job.next == job.npages)
		finish_job();
}

bool ckpt_busy(void)
{
	return job.active;
}

uint32_t ckpt_step_wait_us(void)
{
	return children_bootinfo()->tick_us;
}

void ckpt_page_touch(struct rtcr_child *c, uint32_t page)
{
	if (!job.active || job.c != c)
		return;
	for (unsigned i = job.next; i < job.npages; i++)
		if (job.pages[i] == page) {
			copy_page(i);
			stats.pages_early++;
			return;
		}
}

void ckpt_settle(struct rtcr_child *c)
{
	while (job.active && job.c == c)
		ckpt_copy_step();
}

void ckpt_forget_child(struct rtcr_child *c)
{
	ckpt_settle(c);
	struct ckpt_child *s = state_of(c);
	if (s)
		s->c = NULL;
}

/* ---- the pause ----------------------------------------------------------------- */

static void stop_threads(struct rtcr_child *c)
{
	rec.nthreads = 0;
	for (unsigned n = 0; n < CPU_THREADS_MAX; n++) {
		struct child_thread *t = &c->threads[n];
		struct k_thread_info ti;
		if (!t->used || k_thread_info(t->sel, &ti) != E_OK)
			continue;
		bool live = ti.state == TS_READY || ti.state == TS_RUNNING || ti.state == TS_BLOCKED;
		if (live)
			k_thread_suspend_restart(t->sel);
		struct ckpt_thread *r = &rec.threads[rec.nthreads];
		rec.resume[rec.nthreads] = live;
		memset(r, 0, sizeof(*r));
		r->index = n;
		r->state = ti.state;
		r->priority = t->prio;
		memcpy(r->name, t->name, sizeof(r->name));
		r->wait_kind = ti.state == TS_BLOCKED ? ti.wait : WAIT_NONE;
		r->utcb_va = t->utcb_va;
		k_thread_read_regs(t->sel, r->regs);
		k_thread_utcb_save(t->sel, r->utcb);
		rec.nthreads++;
	}
}

static void resume_threads(struct rtcr_child *c)
{
	for (unsigned i = 0; i < rec.nthreads; i++)
		if (rec.resume[i])
			k_thread_resume(c->threads[rec.threads[i].index].sel);
}

/* Which session (or object of one) a kernel object belongs to. */
static uint32_t session_of_object(struct rtcr_child *c, uint32_t obj_id)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = session_at(i);
		if (s && s->child == c && (s->gate_id == obj_id || s->irq_id == obj_id))
			return s->id;
	}
	return CKPT_NO_SESSION;
}

static rtcr_err read_caps(struct rtcr_child *c)
{
	struct k_cap_info ci;
	rec.ncaps = 0;
	for (int st = k_task_cap_info(c->task_sel, 0, &ci); st == E_OK;
	     st = k_task_cap_info(c->task_sel, ci.sel + 1, &ci)) {
		if (rec.ncaps == sizeof(rec.caps) / sizeof(rec.caps[0]))
			return E_NO_MEMORY;
		rec.caps[rec.ncaps++] = (struct ckpt_cap){
			.sel = ci.sel, .type = ci.type, .rights = ci.rights, .label = ci.label,
			.obj_id = ci.obj_id, .session = session_of_object(c, ci.obj_id),
		};
	}
	return E_OK;
}

static bool add_page(uint32_t va)
{
	if (job.npages == CKPT_PAGES_MAX)
		return false;
	job.pages[job.npages++] = va;
	return true;
}

static unsigned writable_pages(const struct rtcr_child *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++)
		if (c->regions[i].used && (c->regions[i].rights & MAP_W))
			n += c->regions[i].pages;
	return n;
}

/* Every page of every region, the writable ones copy-pending. */
static rtcr_err protect_all(struct rtcr_child *c)
{
	/* A log sized for the memory the child has now. What the old one held
	 * is part of this full image anyway: it is drained first, so replacing
	 * it loses nothing the kernel would report as an overflow. */
	uint32_t vas[DIRTY_DRAIN_MAX];
	unsigned n, status;
	if (c->dirty_tracked)
		while (k_dirty_drain(c->task_sel, 0, vas, &n, &status) == E_OK && (status & DRAIN_MORE))
			;
	int st = k_dirty_log(c->task_sel, writable_pages(c) + 64);
	if (st)
		return st;
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *r = &c->regions[i];
		if (!r->used)
			continue;
		for (uint32_t p = 0; p < r->pages; p++)
			if (!add_page(r->va + p * PAGE_SIZE))
				return E_NO_MEMORY;
		if (!(r->rights & MAP_W))
			continue;
		for (uint32_t done = 0; done < r->pages; done += MAP_PAGES_MAX) {
			uint32_t k = r->pages - done < MAP_PAGES_MAX ? r->pages - done : MAP_PAGES_MAX;
			st = k_dirty_track_flags(c->task_sel, r->va + done * PAGE_SIZE, k,
						 DIRTY_SNAPSHOT);
			if (st)
				return st;
		}
	}
	/* Dataspaces not attached now: the child cannot write them. */
	for (unsigned i = 0; i < CHILD_DS_MAX; i++)
		if (c->ds[i].used && !c->ds[i].attached_va)
			for (uint32_t p = 0; p < c->ds[i].pages; p++)
				if (!add_page(ds_key(i, p)))
					return E_NO_MEMORY;
	c->dirty_tracked = true;
	return E_OK;
}

/* The pages written since the last checkpoint, now copy-pending. If the log
 * overflowed, the bitmaps of every writable region find them instead. */
static rtcr_err protect_dirty(struct rtcr_child *c)
{
	uint32_t vas[DIRTY_DRAIN_MAX];
	unsigned n, status;
	bool overflow = false;
	do {
		int st = k_dirty_drain(c->task_sel, DIRTY_SNAPSHOT, vas, &n, &status);
		if (st)
			return st;
		overflow |= (status & DRAIN_OVERFLOW) != 0;
		for (unsigned i = 0; i < n; i++)
			if (!add_page(vas[i]))
				return E_NO_MEMORY;
	} while (status & DRAIN_MORE);
	if (!overflow)
		return E_OK;
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *r = &c->regions[i];
		if (!r->used || !(r->rights & MAP_W))
			continue;
		for (uint32_t done = 0; done < r->pages; done += DIRTY_COLLECT_MAX) {
			uint32_t bitmap[DIRTY_COLLECT_MAX / 32];
			uint32_t k = r->pages - done < DIRTY_COLLECT_MAX ? r->pages - done : DIRTY_COLLECT_MAX;
			uint32_t va = r->va + done * PAGE_SIZE;
			int st = k_dirty_collect_flags(c->task_sel, va, k, DIRTY_SNAPSHOT, bitmap);
			if (st)
				return st;
			for (uint32_t p = 0; p < k; p++)
				if ((bitmap[p / 32] >> (p % 32) & 1) && !add_page(va + p * PAGE_SIZE))
					return E_NO_MEMORY;
		}
	}
	return E_OK;
}

/* ---- writing the image -------------------------------------------------------- */

static void put_sessions(struct rtcr_child *c)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = session_at(i);
		if (!s || s->child != c)
			continue;
		const struct service *svc = service_by_kind(s->kind);
		if (svc && svc->save)
			svc->save(s);
		struct ckpt_session r = { .id = s->id, .kind = s->kind };
		memcpy(r.args, s->args, sizeof(r.args));
		memcpy(r.state, s->state, sizeof(r.state));
		ckpt_put_session(&job.w, &r);
	}
	/* Memory: the program's segments and the dataspaces (session ids above
	 * are RTCR's, these are numbered by index). */
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *r = &c->regions[i];
		if (!r->used || r->ds >= 0)
			continue;
		struct ckpt_session seg = { .id = i, .kind = CKPT_SESSION_SEGMENT,
					    .args = { r->va, r->pages, r->rights } };
		ckpt_put_session(&job.w, &seg);
	}
	for (unsigned i = 0; i < CHILD_DS_MAX; i++) {
		struct dataspace *d = &c->ds[i];
		if (!d->used)
			continue;
		struct region *r = d->attached_va ? child_region_at(c, d->attached_va) : NULL;
		struct ckpt_session ds = { .id = i, .kind = CKPT_SESSION_DATASPACE,
					   .args = { i, d->pages, d->ram_session },
					   .state = { d->attached_va, r ? r->rights : 0 } };
		ckpt_put_session(&job.w, &ds);
	}
}

static size_t image_capacity(void)
{
	return CKPT_HEADER_LEN + 4 * CKPT_SECTION_HDR + rec.nthreads * CKPT_THREAD_REC +
	       rec.ncaps * CKPT_CAP_REC + (SESSIONS_MAX + CHILD_REGIONS_MAX + CHILD_DS_MAX) *
	       CKPT_SESSION_REC + (size_t)job.npages * (CKPT_PAGE_HDR + CKPT_PAGE_SIZE);
}

static rtcr_err start_image(struct rtcr_child *c, bool full, uint32_t base, uint64_t t0,
		       uint32_t pause_us)
{
	struct image *im = image_new(image_capacity());
	if (!im)
		return E_NO_MEMORY;
	im->full = full;
	im->base_id = full ? 0 : base;
	im->task_id = c->id;
	strlcpy(im->name, c->name, sizeof(im->name));
	im->time_us = t0;
	im->pause_us = pause_us;
	im->npages = job.npages;
	struct ckpt_header h = {
		.flags = full ? 0 : CKPT_FLAG_INCREMENTAL, .image_id = im->id,
		.base_id = im->base_id, .origin = im->origin, .task_id = c->id, .time_us = t0,
		.pause_us = pause_us,
	};
	memcpy(h.name, c->name, strnlen(c->name, CKPT_NAME_LEN));
	ckpt_writer_init(&job.w, im->buf, (size_t)im->buf_pages * PAGE_SIZE, &h);
	ckpt_section_begin(&job.w, CKPT_SEC_THREADS);
	for (unsigned i = 0; i < rec.nthreads; i++)
		ckpt_put_thread(&job.w, &rec.threads[i]);
	ckpt_section_end(&job.w);
	ckpt_section_begin(&job.w, CKPT_SEC_CAPS);
	for (unsigned i = 0; i < rec.ncaps; i++)
		ckpt_put_cap(&job.w, &rec.caps[i]);
	ckpt_section_end(&job.w);
	ckpt_section_begin(&job.w, CKPT_SEC_SESSIONS);
	put_sessions(c);
	ckpt_section_end(&job.w);
	ckpt_section_begin(&job.w, CKPT_SEC_PAGES);
	job.im = im;
	return job.w.err ? E_NO_MEMORY : E_OK;
}

/* The pages stay copy-pending unless someone says otherwise: after a
 * failure, nothing of this checkpoint may hold the child up. */
static void release_pages(struct rtcr_child *c)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *r = &c->regions[i];
		if (!r->used || !(r->rights & MAP_W))
			continue;
		for (uint32_t done = 0; done < r->pages; done += MAP_PAGES_MAX) {
			uint32_t k = r->pages - done < MAP_PAGES_MAX ? r->pages - done : MAP_PAGES_MAX;
			k_snapshot_done(c->task_sel, r->va + done * PAGE_SIZE, k);
		}
	}
}

/* The threads the pause stopped that were live: bit n is thread n. */
static uint32_t live_threads(void)
{
	uint32_t mask = 0;
	for (unsigned i = 0; i < rec.nthreads; i++)
		if (rec.resume[i])
			mask |= 1u << rec.threads[i].index;
	return mask;
}

rtcr_err ckpt_take_opts(struct rtcr_child *c, struct ckpt_opts *o, uint32_t *image_id,
			struct rtcr_detail *d)
{
	struct ckpt_child *s = state_get(c);
	if (c->arriving)
		return rtcr_fail(d, E_INVALID_STATE, "the task is still arriving");
	if (child_holds_link(c))
		return rtcr_fail(d, E_INVALID_OP, "the task drives a network link, which cannot be "
				 "checkpointed");
	if (!s)
		return rtcr_fail(d, R_NO_ROOM, "no room for checkpoint state");
	if (job.active)
		ckpt_settle(job.c);   /* one copy at a time */
	struct image *base = s->last_image ? image_find(s->last_image) : NULL;
	bool full = !c->dirty_tracked || c->layout_changed || !base || !base->complete ||
		    (o && o->full);
	job.npages = job.next = 0;
	job.c = c;
	job.block_crc = o ? o->block_crc : NULL;
	job.block_max = o ? o->block_max : 0;
	job.asked = o && o->asked;

	uint64_t t0 = k_time_us();
#ifdef CONFIG_BENCH
	ckpt_bench.pause_begin = bench_counter();
#endif
	stop_threads(c);
	rtcr_err st = full ? protect_all(c) : protect_dirty(c);
	if (st == E_OK)
		st = read_caps(c);
	if (o && o->keep_stopped && st == E_OK)
		o->stopped = live_threads();
	else
		resume_threads(c);
#ifdef CONFIG_BENCH
	ckpt_bench.pause_end = bench_counter();
	ckpt_bench.taken++;
#endif
	uint32_t pause = (uint32_t)(k_time_us() - t0);

	if (st == E_OK) {
		c->layout_changed = false;
		st = start_image(c, full, full ? 0 : base->id, t0, pause);
		if (st)
			st = rtcr_fail(d, R_NO_ROOM, "no room for the image");
	} else if (st == E_NO_MEMORY) {
		st = rtcr_fail(d, R_NO_ROOM, "too many pages or capabilities");
	} else {
		rtcr_detail_clear(d);   /* the kernel's code says it */
	}
	if (st) {
		job.asked = false;
		release_pages(c);
		if (o && o->keep_stopped && o->stopped) {
			resume_threads(c);
			o->stopped = 0;
		}
		s->last_image = 0;   /* what the log said is gone: start over */
		stats.failed++;
		return st;
	}
	job.active = true;
	stats.taken++;
	stats.full += full;
	stats.last_pause_us = pause;
	stats.max_pause_us = pause > stats.max_pause_us ? pause : stats.max_pause_us;
	stats.last_pages = job.im->npages;
	*image_id = job.im->id;
	if (job.npages == 0)
		finish_job();
	else if (o && o->keep_stopped)
		ckpt_settle(c);   /* nothing runs that could wait for the copy */
	return E_OK;
}

rtcr_err ckpt_take(struct rtcr_child *c, uint32_t *image_id, struct rtcr_detail *d)
{
	return ckpt_take_opts(c, NULL, image_id, d);
}

bool ckpt_pending_report(void)
{
	return job.active && job.asked;
}

/* ---- periodic checkpoints -------------------------------------------------------- */

uint32_t ckpt_schedule(struct rtcr_child *c, uint32_t every_ms)
{
	struct ckpt_child *s = state_get(c);
	if (!s)
		return 0;
	uint32_t was = s->every_ms;
	s->every_ms = every_ms;
	s->next_due = every_ms ? k_time_us() + (uint64_t)every_ms * 1000 : 0;
	return was;
}

uint64_t ckpt_next_due(void)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (states[i].c && states[i].every_ms && (!next || states[i].next_due < next))
			next = states[i].next_due;
	return next;
}

void ckpt_run_due(uint64_t now)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++) {
		struct ckpt_child *s = &states[i];
		if (!s->c || !s->every_ms || s->next_due > now)
			continue;
		s->next_due = schedule_next(s->next_due, (uint64_t)s->every_ms * 1000, now);
		uint32_t id;
		struct ckpt_event e = { .kind = CKPT_FAILED, .report.task_id = s->c->id };
		if ((e.err = ckpt_take(s->c, &id, &e.detail)) != E_OK)
			tell(&e);
	}
}

/* ---- what the console shows ------------------------------------------------------ */

bool ckpt_dirty_since(const struct rtcr_child *c, uint32_t *image_id)
{
	const struct ckpt_child *s = state_of(c);
	if (!s || !c->dirty_tracked)
		return false;
	*image_id = s->last_image;
	return true;
}

bool ckpt_dirty_next(struct rtcr_child *c, struct ckpt_dirty_cursor *at, uint32_t *va)
{
	for (; at->region < CHILD_REGIONS_MAX; at->region++, at->page = 0) {
		struct region *r = &c->regions[at->region];
		if (!r->used || !(r->rights & MAP_W))
			continue;
		while (at->page < r->pages) {
			unsigned state;
			uint32_t p = r->va + at->page++ * PAGE_SIZE;
			if (k_task_page_state(c->task_sel, p, &state) == E_OK &&
			    state == PAGE_DIRTY) {
				*va = p;
				return true;
			}
		}
	}
	return false;
}

void ckpt_stats(struct ckpt_stats *out)
{
	*out = stats;
}

/* ---- what the rest of RTCR tells a checkpoint --------------------------------------- */

static uint64_t ckpt_due(uint64_t now)
{
	uint64_t due = ckpt_next_due();
	if (ckpt_busy() && (!due || now + ckpt_step_wait_us() < due))
		due = now + ckpt_step_wait_us();   /* a tick for the children, then more */
	return due;
}

static void ckpt_poll(uint64_t now)
{
	ckpt_run_due(now);
	if (ckpt_busy())
		ckpt_copy_step();
}

void ckpt_init(void)
{
	static struct child_observer o = { .page_touch = ckpt_page_touch,
					   .map_changing = ckpt_settle,
					   .gone = ckpt_forget_child };
	static struct poller p = { .due = ckpt_due, .run = ckpt_poll };
	child_observe(&o);
	loop_add(&p);
}
