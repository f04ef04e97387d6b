#include "store.h"
#include "core.h"
#include "format.h"
#include "pages.h"
#include "string.h"

static struct image images[IMAGES_MAX];
static uint32_t next_id = 1;

struct image *image_find(uint32_t id)
{
	for (unsigned i = 0; i < IMAGES_MAX; i++)
		if (images[i].used && images[i].id == id)
			return &images[i];
	return NULL;
}

unsigned images_used(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < IMAGES_MAX; i++)
		n += images[i].used;
	return n;
}

static struct image *slot(void)
{
	for (unsigned i = 0; i < IMAGES_MAX; i++)
		if (!images[i].used)
			return &images[i];
	return NULL;
}

struct image *image_by_identity(uint64_t origin, uint32_t src_id)
{
	for (unsigned i = 0; i < IMAGES_MAX; i++) {
		struct image *im = &images[i];
		if (im->used && im->complete && im->origin == origin && im->src_id == src_id)
			return im;
	}
	return NULL;
}

/* Whether a kept image is an increment of im. */
static bool is_base(const struct image *im)
{
	for (unsigned i = 0; i < IMAGES_MAX; i++)
		if (images[i].used && !images[i].full && images[i].base_id == im->id)
			return true;
	return false;
}

/* The oldest image of a task that is gone, to make room, and never one
 * that a kept increment needs; NULL if there is none (the images of tasks
 * that still run are kept). */
static struct image *evictable(void)
{
	struct image *old = NULL;
	for (unsigned i = 0; i < IMAGES_MAX; i++) {
		struct image *im = &images[i];
		bool gone = im->origin != boot_id() || im->from[0] || !child_find(im->task_id);
		if (im->used && im->complete && !im->pinned && gone && (!old || im->id < old->id) &&
		    !is_base(im))
			old = im;
	}
	return old;
}

/* A slot and room for capacity bytes, with no id yet. */
static struct image *image_alloc(size_t capacity)
{
	uint32_t pages = (uint32_t)((capacity + PAGE_SIZE - 1) / PAGE_SIZE);
	struct image *im, *victim;
	uint8_t *buf = NULL;
	while (!(im = slot()) || !(buf = pages_alloc_unzeroed(pages))) {
		if (!(victim = evictable()))
			return NULL;
		image_drop(victim);
	}
	memset(im, 0, sizeof(*im));
	im->used = true;
	im->buf = buf;
	im->buf_pages = pages;
	return im;
}

struct image *image_new(size_t capacity)
{
	struct image *im = image_alloc(capacity);
	if (im) {
		im->id = next_id++;
		im->origin = boot_id();
		im->src_id = im->id;
	}
	return im;
}

void image_complete(struct image *im, size_t len)
{
	uint32_t need = (uint32_t)((len + PAGE_SIZE - 1) / PAGE_SIZE);
	if (need < im->buf_pages) {
		pages_free(im->buf + (size_t)need * PAGE_SIZE, im->buf_pages - need);
		im->buf_pages = need;
	}
	im->len = (uint32_t)len;
	im->complete = true;
}

rtcr_err image_check(const struct image *im, struct ckpt_header *h, struct rtcr_detail *d)
{
	struct ckpt_detail cd;
	char text[100];
	uint32_t crc = ckpt_image_stored_crc(im->buf);
	if (ckpt_image_check_crc(im->buf, im->len, crc, h, &cd) == CKPT_OK)
		return E_OK;
	return rtcr_fail(d, R_IMAGE_DAMAGED, "image %u: %s", (unsigned)im->id,
			 ckpt_describe(&cd, text, sizeof(text)));
}

void image_drop(struct image *im)
{
	pages_free(im->buf, im->buf_pages);
	memset(im, 0, sizeof(*im));
}

rtcr_err image_chain(uint32_t id, struct image **chain, unsigned max, unsigned *n,
		     struct rtcr_detail *d)
{
	struct image *links[IMAGES_MAX];
	unsigned len = 0;
	for (struct image *im = image_find(id); ; im = image_find(im->base_id)) {
		if (!im && !len)
			return rtcr_fail(d, R_NO_IMAGE, "no such image");
		if (!im)
			return rtcr_fail(d, R_NO_BASE, "its base image is gone");
		if (!im->complete)
			return rtcr_fail(d, E_INVALID_STATE, "the image is still being written");
		if (len == IMAGES_MAX || len == max)
			return rtcr_fail(d, R_NO_ROOM, "chain too long");
		links[len++] = im;
		if (im->full)
			break;
	}
	for (unsigned i = 0; i < len; i++)
		chain[i] = links[len - 1 - i];
	*n = len;
	return E_OK;
}

/* ---- folding ---------------------------------------------------------------------- */

static bool section(const struct image *im, uint32_t type, struct ckpt_section *s)
{
	for (bool ok = ckpt_section_first(im->buf, im->len, s); ok; ok = ckpt_section_next(s))
		if (s->type == type)
			return true;
	return false;
}

static bool has_page(const struct ckpt_section *pages, uint32_t va)
{
	struct ckpt_page p;
	size_t pos = 0;
	while (ckpt_next_page(pages, &pos, &p))
		if (p.va == va)
			return true;
	return false;
}

/* The state at inc, as a full image: inc's threads, capabilities and
 * sessions, inc's pages and the pages of full that inc did not replace. */
static struct image *fold(struct image *full, struct image *inc)
{
	struct ckpt_header h;
	struct ckpt_section s, inc_pages, full_pages;
	if (image_check(inc, &h, NULL) != E_OK || image_check(full, NULL, NULL) != E_OK)
		return NULL;
	struct image *out = image_alloc((size_t)full->len + inc->len);
	if (!out)
		return NULL;
	struct ckpt_writer w;
	h.flags = 0;   /* inc's identity (origin, id), as a full image */
	h.base_id = 0;
	ckpt_writer_init(&w, out->buf, (size_t)out->buf_pages * PAGE_SIZE, &h);
	for (bool ok = ckpt_section_first(inc->buf, inc->len, &s); ok; ok = ckpt_section_next(&s)) {
		if (s.type == CKPT_SEC_PAGES)
			continue;
		ckpt_section_begin(&w, s.type);
		for (uint32_t i = 0; i < s.count; i++) {
			struct ckpt_thread t;
			struct ckpt_cap c;
			struct ckpt_session ss;
			if (s.type == CKPT_SEC_THREADS && (ckpt_get_thread(&s, i, &t), true))
				ckpt_put_thread(&w, &t);
			else if (s.type == CKPT_SEC_CAPS && (ckpt_get_cap(&s, i, &c), true))
				ckpt_put_cap(&w, &c);
			else if (s.type == CKPT_SEC_SESSIONS && (ckpt_get_session(&s, i, &ss), true))
				ckpt_put_session(&w, &ss);
		}
		ckpt_section_end(&w);
	}
	bool have_inc = section(inc, CKPT_SEC_PAGES, &inc_pages);
	bool have_full = section(full, CKPT_SEC_PAGES, &full_pages);
	struct ckpt_page p;
	size_t pos = 0;
	uint32_t n = 0;
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	while (have_inc && ckpt_next_page(&inc_pages, &pos, &p) && ++n)
		ckpt_put_page(&w, p.va, p.data);
	for (pos = 0; have_full && ckpt_next_page(&full_pages, &pos, &p); )
		if (!have_inc || !has_page(&inc_pages, p.va)) {
			ckpt_put_page(&w, p.va, p.data);
			n++;
		}
	ckpt_section_end(&w);
	size_t len;
	if (ckpt_writer_finish(&w, &len) != CKPT_OK) {
		image_drop(out);
		return NULL;
	}
	out->id = inc->id;   /* it stands for inc: the same names, local and everywhere */
	out->origin = inc->origin;
	out->src_id = inc->src_id;
	memcpy(out->from, inc->from, sizeof(out->from));
	out->full = true;
	out->task_id = inc->task_id;
	memcpy(out->name, inc->name, sizeof(out->name));
	out->time_us = inc->time_us;
	out->pause_us = inc->pause_us;
	out->npages = n;
	image_complete(out, len);
	return out;
}

void image_compact(uint32_t id)
{
	struct image *chain[IMAGE_CHAIN_MAX + 2];
	unsigned n;
	while (image_chain(id, chain, IMAGE_CHAIN_MAX + 2, &n, NULL) == E_OK &&
	       n > IMAGE_CHAIN_MAX) {
		struct image *folded = fold(chain[0], chain[1]);
		if (!folded)
			return;   /* no room to fold: the chain stays long */
		image_drop(chain[0]);
		image_drop(chain[1]);
	}
}

/* ---- listing ---------------------------------------------------------------------- */

/* By id, whatever slots the images are in. */
const struct image *image_next(uint32_t after_id)
{
	const struct image *best = NULL;
	for (unsigned i = 0; i < IMAGES_MAX; i++) {
		const struct image *im = &images[i];
		if (im->used && im->id > after_id && (!best || im->id < best->id))
			best = im;
	}
	return best;
}

/* ---- dropping ---------------------------------------------------------------------- */

/* E_OK if im can go now; else why not (E_INVALID_STATE, E_BUSY; d: in
 * words). */
static rtcr_err busy(const struct image *im, struct rtcr_detail *d)
{
	if (!im->complete)
		return rtcr_fail(d, E_INVALID_STATE, "%s", im->from[0] ? "it is still arriving" :
				 "it is still being written");
	if (im->pinned)
		return rtcr_fail(d, E_BUSY, "a migration under way needs it");
	return E_OK;
}

/* The images whose chain goes through im, im included: fn on each, a
 * leaf first (so each one dropped is no longer anyone's base); the first
 * image fn refuses (returns false) ends the walk and is returned. */
static struct image *walk_chain(struct image *im, bool (*fn)(struct image *))
{
	for (unsigned i = 0; i < IMAGES_MAX; i++) {
		struct image *inc = &images[i];
		struct image *stuck;
		if (inc->used && !inc->full && inc->base_id == im->id && inc != im &&
		    (stuck = walk_chain(inc, fn)))
			return stuck;
	}
	return fn(im) ? NULL : im;
}

static bool can_go(struct image *im)
{
	return busy(im, NULL) == E_OK;
}

static unsigned dropped;

static bool drop_one(struct image *im)
{
	image_drop(im);
	dropped++;
	return true;
}

rtcr_err images_drop(uint32_t id, bool chain, unsigned *count, struct rtcr_detail *d)
{
	struct image *im = image_find(id);
	struct rtcr_detail why = { "" };
	rtcr_err e;
	*count = 0;
	if (!im)
		return rtcr_fail(d, R_NO_IMAGE, "no image %u", (unsigned)id);
	if ((e = busy(im, &why)) != E_OK)
		return rtcr_fail(d, e, "image %u stays: %s", (unsigned)id, why.text);
	if (!chain && is_base(im))
		return rtcr_fail(d, R_HAS_INCREMENTS, "image %u stays: kept increments are based "
				 "on it (drop them too: images drop %u chain)", (unsigned)id,
				 (unsigned)id);
	struct image *stuck = walk_chain(im, can_go);
	if (stuck) {
		e = busy(stuck, &why);
		return rtcr_fail(d, e, "image %u stays: image %u of its chain: %s", (unsigned)id,
				 (unsigned)stuck->id, why.text);
	}
	dropped = 0;
	walk_chain(im, drop_one);
	*count = dropped;
	return E_OK;
}

/* ---- images handed in on the console (`images load`) ------------------------------ */

#define LOAD_TEXT_PAGES 512u   /* 2 MiB of dump text: images up to about 1.5 MiB */

static struct {
	char *text;
	size_t len;
} load;

bool images_loading(void)
{
	return load.text != NULL;
}

rtcr_err images_load_begin(struct rtcr_detail *d)
{
	if (!load.text && !(load.text = pages_alloc(LOAD_TEXT_PAGES)))
		return rtcr_fail(d, E_NO_MEMORY, "no memory for the text");
	load.len = 0;
	return E_OK;
}

static void load_end(void)
{
	pages_free(load.text, LOAD_TEXT_PAGES);
	load.text = NULL;
}

static unsigned count_pages(const uint8_t *img, size_t len)
{
	unsigned n = 0;
	struct ckpt_section sec;
	for (bool ok = ckpt_section_first(img, len, &sec); ok; ok = ckpt_section_next(&sec))
		n += sec.type == CKPT_SEC_PAGES ? sec.count : 0;
	return n;
}

/* Where a loaded image fits: not here already (R_DUPLICATE), and an
 * increment's base (the same origin, its base id there) is (R_NO_BASE). */
static rtcr_err place(const struct ckpt_header *h, struct image **base, struct rtcr_detail *d)
{
	const struct image *same = image_by_identity(h->origin, h->image_id);
	*base = NULL;
	if (same)
		return rtcr_fail(d, R_DUPLICATE, "image %u of boot %016llx is here already, as "
				 "image %u", (unsigned)h->image_id, (unsigned long long)h->origin,
				 (unsigned)same->id);
	if (!(h->flags & CKPT_FLAG_INCREMENTAL))
		return E_OK;
	if (!(*base = image_by_identity(h->origin, h->base_id)))
		return rtcr_fail(d, R_NO_BASE, "an increment of image %u of boot %016llx, which is "
				 "not here (load its base first)", (unsigned)h->base_id,
				 (unsigned long long)h->origin);
	return E_OK;
}

static rtcr_err load_finish(struct images_loaded *out, struct rtcr_detail *d)
{
	struct ckpt_detail cd;
	struct ckpt_header h;
	char why[120];
	size_t len = 0;
	uint32_t dump_id = 0;
	rtcr_err e;
	/* The image is decoded in place of the text it came from. */
	static uint8_t *bin;
	if (!bin && !(bin = pages_alloc(LOAD_TEXT_PAGES)))
		return rtcr_fail(d, E_NO_MEMORY, "no memory");
	int err = ckpt_dump_parse(load.text, load.len, bin, (size_t)LOAD_TEXT_PAGES * PAGE_SIZE,
				  &len, &dump_id, &cd);
	if (err == CKPT_OK)
		err = ckpt_image_check(bin, len, &h, &cd);
	if (err != CKPT_OK)
		return rtcr_fail(d, R_IMAGE_DAMAGED, "%s", ckpt_describe(&cd, why, sizeof(why)));
	struct image *base;
	if ((e = place(&h, &base, d)) != E_OK)
		return e;
	/* Making room must not take the base it is about to name. */
	bool was_pinned = base && base->pinned;
	if (base)
		base->pinned = true;
	struct image *im = image_new(len);
	if (base)
		base->pinned = was_pinned;
	if (!im)
		return rtcr_fail(d, R_NO_ROOM, "no room for another image (images drop <id> makes "
				 "room)");
	memcpy(im->buf, bin, len);
	im->origin = h.origin;
	im->src_id = h.image_id;
	im->full = !base;
	im->base_id = base ? base->id : 0;
	im->task_id = h.task_id;
	memcpy(im->name, h.name, sizeof(im->name) - 1);
	im->time_us = h.time_us;
	im->pause_us = h.pause_us;
	im->npages = count_pages(bin, len);
	image_complete(im, len);
	*out = (struct images_loaded){ .stored = true, .src_id = h.image_id, .id = im->id,
				       .full = im->full, .task_id = h.task_id,
				       .len = (uint32_t)len };
	return E_OK;
}

rtcr_err images_load_line(const char *line, struct images_loaded *out, struct rtcr_detail *d)
{
	size_t n = strlen(line);
	rtcr_err e = E_OK;
	memset(out, 0, sizeof(*out));
	if (strcmp(line, "abort") == 0) {
		load_end();
		return rtcr_fail(d, R_CANCELLED, "aborted");
	}
	if (load.len + n + 1 > (size_t)LOAD_TEXT_PAGES * PAGE_SIZE) {
		load_end();
		return rtcr_fail(d, R_NO_ROOM, "too long (at most %u bytes of text)",
				 LOAD_TEXT_PAGES * PAGE_SIZE);
	}
	memcpy(load.text + load.len, line, n);
	load.len += n;
	load.text[load.len++] = '\n';
	if (strncmp(line, "ckpt-end", 8) == 0) {
		e = load_finish(out, d);
		load_end();
	}
	return e;
}

rtcr_err images_dump(uint32_t id, ckpt_line_fn line, void *ctx, struct rtcr_detail *d)
{
	struct image *im = image_find(id);
	if (!im)
		return rtcr_fail(d, R_NO_IMAGE, "no image %u", (unsigned)id);
	if (!im->complete)
		return rtcr_fail(d, E_INVALID_STATE, "image %u is still being written",
				 (unsigned)id);
	ckpt_dump_emit(im->buf, im->len, im->id, line, ctx);
	return E_OK;
}
