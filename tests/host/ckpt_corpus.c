/*
 * Damaged and hostile checkpoint images; see ckpt_corpus.h. The builder and
 * the fuzz loop are tests/host/test_ckpt_image.c's; the byte flips, the
 * truncations and the named damage repeat that test's damage, and the
 * rest is added.
 */
#include <stdlib.h>
#include <string.h>

#include "ckpt_corpus.h"
#include "uapi/objects.h"

/* test_ckpt_image.c's buffer for the fuzz loop; its size is part of it. */
#define FUZZ_IMG_MAX (3 * 4096 + 4096)

/* Values that sit on a boundary of something a reader might compute with
 * them: the ends of the enums (thread states, wait kinds, object types,
 * session kinds), the sign bit, the top page, the top row of selectors. */
static const uint32_t hostile[] = {
	0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 0x7fffffffu, 0x80000000u, 0x80000001u,
	0xfffff000u, 0xfffffff8u, 0xfffffffbu, 0xfffffffcu, 0xfffffffdu,
	0xfffffffeu, 0xffffffffu,
};
#define HOSTILE_COUNT (sizeof(hostile) / sizeof(hostile[0]))

static uint8_t page_a[CKPT_PAGE_SIZE];

/* ---- small helpers ------------------------------------------------------------ */

uint32_t corpus_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void corpus_wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void corpus_reseal(uint8_t *img, size_t len)
{
	corpus_wr32(img + OFF_CRC, 0);
	corpus_wr32(img + OFF_CRC, ckpt_crc32(0, img, len));
}

static uint32_t rng_state;

/* xorshift32, as test_ckpt_image.c's: the same sequence everywhere. */
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Half the time a hostile value, else any. */
static uint32_t rng_hostile(void)
{
	return rng() % 2 ? hostile[rng() % HOSTILE_COUNT] : rng();
}

/* Hands fn a copy of img in a heap block of exactly len bytes. */
static void emit(corpus_fn *fn, void *ctx, const uint8_t *img, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, img, len);
	fn(ctx, copy, len);
	free(copy);
}

static void emit_resealed(corpus_fn *fn, void *ctx, uint8_t *img, size_t len)
{
	corpus_reseal(img, len);
	emit(fn, ctx, img, len);
}

/* ---- the images of test_ckpt_image.c --------------------------------------------- */

struct ckpt_thread corpus_thread(uint32_t i)
{
	struct ckpt_thread t = { .index = i, .state = 3, .priority = 10 + i,
				 .wait_kind = 2, .utcb_va = 0x7fffe000 - 0x1000 * i };
	memcpy(t.name, i ? "worker\0\0" : "main\0\0\0\0", CKPT_THREAD_NAME);
	for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
		t.regs[r] = 0x1000 * i + r;
	for (uint32_t u = 0; u < CKPT_UTCB_WORDS; u++)
		t.utcb[u] = 0x70000 * i + u;
	return t;
}

struct ckpt_cap corpus_cap(uint32_t i)
{
	struct ckpt_cap c = { .sel = 3 * i + 1, .type = 1 + i % 8, .rights = 7 - i % 4,
			      .label = 0xabc0 + i, .obj_id = 40 + i,
			      .session = i % 2 ? i : CKPT_NO_SESSION };
	return c;
}

struct ckpt_session corpus_session(uint32_t i)
{
	struct ckpt_session s = { .id = i, .kind = CKPT_SESSION_LOG + i % 7 };
	for (uint32_t k = 0; k < CKPT_SESSION_ARGS; k++)
		s.args[k] = 100 * i + k;
	for (uint32_t k = 0; k < CKPT_SESSION_STATE; k++)
		s.state[k] = 0xfeed0000u + 16 * i + k;
	return s;
}

const uint8_t *corpus_page(void)
{
	for (size_t i = 0; i < sizeof(page_a); i++)
		page_a[i] = (uint8_t)(i * 7 + 1);
	return page_a;
}

size_t corpus_build(uint8_t *buf, size_t cap, bool incremental, bool with_data)
{
	corpus_page();
	struct ckpt_header h = { .flags = incremental ? CKPT_FLAG_INCREMENTAL : 0,
				 .image_id = incremental ? 6 : 5,
				 .base_id = incremental ? 5 : 0, .origin = 0x0123456789abcdefull,
				 .task_id = 3, .name = "counter", .time_us = 0x123456789aull,
				 .pause_us = 42 };
	struct ckpt_writer w;
	size_t len = 0;
	ckpt_writer_init(&w, buf, cap, &h);
	ckpt_section_begin(&w, CKPT_SEC_THREADS);
	for (uint32_t i = 0; i < 2; i++) {
		struct ckpt_thread t = corpus_thread(i);
		ckpt_put_thread(&w, &t);
	}
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	for (uint32_t i = 0; i < 3; i++) {
		struct ckpt_cap c = corpus_cap(i);
		ckpt_put_cap(&w, &c);
	}
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_SESSIONS);
	for (uint32_t i = 0; i < 2; i++) {
		struct ckpt_session s = corpus_session(i);
		ckpt_put_session(&w, &s);
	}
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	if (with_data)
		ckpt_put_page(&w, 0x10000, page_a);
	ckpt_put_page(&w, 0x11000, NULL);
	ckpt_section_end(&w);
	int err = ckpt_writer_finish(&w, &len);
	return err ? 0 : len;
}

/* Variant v (0-3) of the image: bit 0 incremental, bit 1 with data. The
 * byte-by-byte corpora take two: test_ckpt_image.c's own small full image,
 * and the increment with a data page, which has every field the other
 * lacks. */
#define SMALL_FULL 0
#define INCREMENT_WITH_DATA 3
static const int variants[] = { SMALL_FULL, INCREMENT_WITH_DATA };
#define VARIANTS (sizeof(variants) / sizeof(variants[0]))

static size_t build_variant(uint8_t *buf, int v)
{
	size_t len = corpus_build(buf, CORPUS_IMG_MAX, v & 1, v & 2);
	if (!len)
		abort();
	return len;
}

/* Offset of the n-th section (0-based) of a valid image. */
static size_t section_offset(const uint8_t *img, size_t len, int n)
{
	struct ckpt_section s;
	bool more = ckpt_section_first(img, len, &s);
	while (more && n--)
		more = ckpt_section_next(&s);
	if (!more)
		abort();
	return s.offset;
}

/* Whether byte off of a valid image is page contents: changing those
 * changes nothing but the page's CRC, so the corpora leave them alone
 * (the small image that test_ckpt_image.c flips has none). */
static bool in_page_data(const uint8_t *img, size_t len, size_t off)
{
	struct ckpt_section s;
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		size_t pos = 0;
		struct ckpt_page p;
		while (s.type == CKPT_SEC_PAGES && ckpt_next_page(&s, &pos, &p))
			if (p.data && off >= (size_t)(p.data - img) &&
			    off < (size_t)(p.data - img) + CKPT_PAGE_SIZE)
				return true;
	}
	return false;
}

/* ---- the damage of test_ckpt_image.c ----------------------------------------------- */

void corpus_byte_flips(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX], bad[CORPUS_IMG_MAX];
	static const uint8_t flips[] = { 0x01, 0x80, 0xff, 0x10 };
	for (size_t v = 0; v < VARIANTS; v++) {
		size_t len = build_variant(img, variants[v]);
		for (size_t off = 0; off < len; off++) {
			if (in_page_data(img, len, off))
				continue;
			for (size_t f = 0; f < sizeof(flips); f++) {
				memcpy(bad, img, len);
				bad[off] ^= flips[f];
				emit(fn, ctx, bad, len);
				if (off < OFF_CRC || off >= OFF_CRC + 4)
					emit_resealed(fn, ctx, bad, len);
			}
		}
	}
}

void corpus_truncations(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX];
	for (size_t v = 0; v < VARIANTS; v++) {
		size_t len = build_variant(img, variants[v]);
		for (size_t n = 0; n < len; n++)
			emit(fn, ctx, img, n);
	}
}

/* test_fuzz's loop with its seed and its every call to rng(), in order:
 * any change here makes other mutants than the ones it checks. */
void corpus_fuzz(corpus_fn *fn, void *ctx)
{
	static uint8_t img[FUZZ_IMG_MAX];
	rng_state = 0x2545f491u;
	size_t len = corpus_build(img, sizeof(img), false, rng() % 2);
	for (int round = 0; round < 20000; round++) {
		size_t n = len;
		if (rng() % 4 == 0)
			n = rng() % (len + 16);
		uint8_t *m = malloc(n ? n : 1);
		if (!m)
			abort();
		for (size_t i = 0; i < n; i++)
			m[i] = i < len ? img[i] : (uint8_t)rng();
		int flips = 1 + (int)(rng() % 4);
		for (int k = 0; k < flips && n; k++) {
			size_t at = rng() % n;
			if (rng() % 2 && n > CKPT_HEADER_LEN + 16)
				at = rng() % (CKPT_HEADER_LEN + 16);
			m[at] = (uint8_t)rng();
		}
		if (rng() % 2 && n >= CKPT_HEADER_LEN) {
			if (rng() % 2)
				corpus_wr32(m + OFF_TOTAL_LEN, (uint32_t)n);
			corpus_reseal(m, n);
		}
		fn(ctx, m, n);
		free(m);
		if (round % 1000 == 999)
			len = corpus_build(img, sizeof(img), rng() % 2, rng() % 2);
	}
}

/* A copy of the small image with n bytes at off replaced, resealed. */
static void patch(corpus_fn *fn, void *ctx, bool incremental, size_t off, const void *bytes,
		  size_t n)
{
	static uint8_t img[CORPUS_IMG_MAX];
	size_t len = corpus_build(img, sizeof(img), incremental, false);
	memcpy(img + off, bytes, n);
	emit_resealed(fn, ctx, img, len);
}

static void patch32(corpus_fn *fn, void *ctx, size_t off, uint32_t v)
{
	uint8_t b[4];
	corpus_wr32(b, v);
	patch(fn, ctx, false, off, b, 4);
}

static void patch8(corpus_fn *fn, void *ctx, size_t off, uint8_t v)
{
	patch(fn, ctx, false, off, &v, 1);
}

void corpus_named_damage(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX];
	size_t len = corpus_build(img, sizeof(img), false, false);
	size_t caps = section_offset(img, len, 1), sessions = section_offset(img, len, 2),
	       pages = section_offset(img, len, 3);
	size_t thread0_name = CKPT_HEADER_LEN + CKPT_SECTION_HDR + 12;

	patch8(fn, ctx, OFF_VERSION, 7);                         /* wrong version */
	patch8(fn, ctx, 7, '1');                                 /* RTCRIMG1 */
	patch32(fn, ctx, pages + 4, corpus_rd32(img + pages + 4) + 8);  /* overrun */
	patch32(fn, ctx, pages + 4, 0xfffffff8u);                /* ... wrapping */
	patch32(fn, ctx, caps + 4, corpus_rd32(img + caps + 4) - 4);    /* record size */
	patch32(fn, ctx, pages + 8 + 4, 0);                      /* zero page with data */
	patch32(fn, ctx, pages + 8, 0x11004);                    /* unaligned page */
	patch32(fn, ctx, pages + 8 + 4, 3);                      /* unknown page flag */
	patch8(fn, ctx, sessions, 9);                            /* unknown section */
	patch8(fn, ctx, sessions + 2, 1);                        /* reserved field */
	patch32(fn, ctx, OFF_SECTIONS, 5);                       /* section count */
	patch32(fn, ctx, OFF_SECTIONS, 3);
	patch32(fn, ctx, OFF_BASE_ID, 4);                        /* full with a base */
	patch32(fn, ctx, OFF_FLAGS, CKPT_FLAG_INCREMENTAL);      /* increment of 0 */
	patch32(fn, ctx, OFF_FLAGS, 0x80);                       /* unknown flag */
	patch(fn, ctx, true, OFF_ORIGIN, "\0\0\0\0\0\0\0", 8);   /* no origin */
	patch8(fn, ctx, OFF_NAME + 2, 0x1b);                     /* escape in a name */
	patch8(fn, ctx, thread0_name + 1, '\n');                 /* ... and in a thread's */

	/* A wrong CRC, as it is; one byte too many; garbage after the end. */
	corpus_wr32(img + OFF_CRC, 0x1a2b3c4du);
	emit(fn, ctx, img, len);
	corpus_reseal(img, len);
	img[len] = 0;
	emit(fn, ctx, img, len + 1);
	memcpy(img + len, "junkjunkjunk", 12);
	corpus_wr32(img + OFF_TOTAL_LEN, (uint32_t)len + 12);
	emit_resealed(fn, ctx, img, len + 12);
}

/* ---- hostile values with a correct CRC ----------------------------------------------- */

void corpus_hostile_words(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX], bad[CORPUS_IMG_MAX];
	for (size_t v = 0; v < VARIANTS; v++) {
		size_t len = build_variant(img, variants[v]);
		for (size_t off = 0; off + 4 <= len; off += 4) {
			if (in_page_data(img, len, off))
				continue;
			for (size_t k = 0; k < HOSTILE_COUNT; k++) {
				memcpy(bad, img, len);
				corpus_wr32(bad + off, hostile[k]);
				emit_resealed(fn, ctx, bad, len);
			}
		}
	}
}

void corpus_random_words(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX], bad[CORPUS_IMG_MAX];
	rng_state = 0x9e3779b9u;
	for (int round = 0; round < 20000; round++) {
		size_t len = build_variant(img, (int)(rng() % 4));
		memcpy(bad, img, len);
		int words = 1 + (int)(rng() % 4);
		for (int k = 0; k < words; k++) {
			size_t off;
			do
				off = 4 * (rng() % (len / 4));
			while (in_page_data(img, len, off));
			corpus_wr32(bad + off, rng_hostile());
		}
		emit_resealed(fn, ctx, bad, len);
	}
}

/* Selectors close to where arithmetic on them breaks: duplicates galore. */
static uint32_t crowded_selector(void)
{
	static const uint32_t near[] = { 0, 3, 4, 0x7ffffffcu, 0x80000000u, 0xfffffff8u,
					 0xfffffffcu };
	return near[rng() % (sizeof(near) / sizeof(near[0]))] + rng() % 4;
}

static void put_crowded_threads(struct ckpt_writer *w, uint32_t n)
{
	ckpt_section_begin(w, CKPT_SEC_THREADS);
	for (uint32_t i = 0; i < n; i++) {
		struct ckpt_thread t = { .index = rng_hostile(), .state = rng_hostile(),
					 .priority = rng_hostile(), .wait_kind = rng_hostile(),
					 .utcb_va = rng_hostile() };
		/* Names are checked to be printable, but JSON must escape some. */
		memcpy(t.name, i % 2 ? "\"\\{}[]<>" : "x\0\0\0\0\0\0\0", CKPT_THREAD_NAME);
		for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
			t.regs[r] = rng_hostile();
		for (uint32_t u = 0; u < CKPT_UTCB_WORDS; u++)
			t.utcb[u] = rng_hostile();
		ckpt_put_thread(w, &t);
	}
	ckpt_section_end(w);
}

static void put_crowded_caps(struct ckpt_writer *w, uint32_t n)
{
	ckpt_section_begin(w, CKPT_SEC_CAPS);
	for (uint32_t i = 0; i < n; i++) {
		struct ckpt_cap c = { .sel = crowded_selector(), .type = rng_hostile(),
				      .rights = rng_hostile(), .label = rng_hostile(),
				      .obj_id = rng_hostile(), .session = rng_hostile() };
		ckpt_put_cap(w, &c);
	}
	ckpt_section_end(w);
}

static void put_crowded_sessions(struct ckpt_writer *w, uint32_t n)
{
	ckpt_section_begin(w, CKPT_SEC_SESSIONS);
	for (uint32_t i = 0; i < n; i++) {
		struct ckpt_session s = { .id = rng_hostile(), .kind = rng_hostile() };
		for (uint32_t k = 0; k < CKPT_SESSION_ARGS; k++)
			s.args[k] = rng_hostile();
		for (uint32_t k = 0; k < CKPT_SESSION_STATE; k++)
			s.state[k] = rng_hostile();
		ckpt_put_session(w, &s);
	}
	ckpt_section_end(w);
}

/* Zero pages at and just below the top page, repeated; one with data. */
static void put_crowded_pages(struct ckpt_writer *w, uint32_t n)
{
	corpus_page();
	ckpt_section_begin(w, CKPT_SEC_PAGES);
	ckpt_put_page(w, 0xfffff000u, page_a);
	for (uint32_t i = 0; i < n; i++)
		ckpt_put_page(w, 0xfffff000u - CKPT_PAGE_SIZE * (rng() % 8), NULL);
	ckpt_section_end(w);
}

static size_t crowded_image(uint8_t *buf, uint32_t caps)
{
	uint32_t base = rng() | 1;
	struct ckpt_header h = { .flags = base % 4 == 1 ? CKPT_FLAG_INCREMENTAL : 0,
				 .image_id = rng_hostile(), .origin = ~0ull,
				 .task_id = rng_hostile(), .name = "~crowd\"\\",
				 .time_us = ~0ull, .pause_us = rng_hostile() };
	h.base_id = h.flags ? base : 0;
	struct ckpt_writer w;
	size_t len;
	ckpt_writer_init(&w, buf, CORPUS_IMG_MAX, &h);
	put_crowded_threads(&w, 6);
	put_crowded_caps(&w, caps);
	put_crowded_sessions(&w, 40);
	put_crowded_pages(&w, 40);
	if (ckpt_writer_finish(&w, &len))
		abort();
	return len;
}

void corpus_crowded(corpus_fn *fn, void *ctx)
{
	static uint8_t img[CORPUS_IMG_MAX];
	rng_state = 0x6a09e667u;
	static const uint32_t caps[] = { 0, 1, 2, 5, 64, 500, 2000 };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		for (int k = 0; k < 4; k++)
			emit(fn, ctx, img, crowded_image(img, caps[i]));
}

/* ---- fixed images -------------------------------------------------------------------- */

size_t corpus_selectors(uint8_t *buf, size_t cap, const uint32_t *sels, size_t n)
{
	struct ckpt_header h = { .image_id = 9, .origin = 0x5eed0001c0ffee00ull, .task_id = 4,
				 .name = "t" };
	struct ckpt_writer w;
	size_t len;
	ckpt_writer_init(&w, buf, cap, &h);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	for (size_t i = 0; i < n; i++) {
		struct ckpt_cap c = { .sel = sels[i], .type = KOBJ_TASK, .rights = RIGHTS_ALL,
				      .obj_id = 12, .session = CKPT_NO_SESSION };
		ckpt_put_cap(&w, &c);
	}
	ckpt_section_end(&w);
	return ckpt_writer_finish(&w, &len) ? 0 : len;
}
