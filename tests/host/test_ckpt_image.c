/*
 * rtcr/format/ckpt_image: images are written, read back and compared; then
 * damaged one way at a time, and each damage must be rejected with the
 * right code and a reason that names it. A fuzz loop feeds thousands of
 * randomly damaged images, each in a heap block of exactly its size so
 * ASan sees any read past the end.
 *
 * <string.h> here is the firmware's lib/string.h (-Ilib): it declares the
 * same memcpy/memcmp/strlen as libc, which provides them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt_image.h"
#include "ckpt_corpus.h"

#define IMG_MAX (3 * 4096 + 4096)

#define ORIGIN 0x0123456789abcdefull   /* the boot that took the test's images */

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);
	for (; *s; s++)
		if (strncmp(s, part, n) == 0)
			return true;
	return false;
}

/* Start of line n (1-based) of a text; lib/string.h has no strchr. */
static char *line_start(char *text, int n)
{
	while (--n > 0) {
		while (*text != '\n')
			text++;
		text++;
	}
	return text;
}

/* The images are tests/host/ckpt_corpus.c's (the decoder's printer test
 * damages the same ones): a full one (base 0) or an increment of image 5;
 * with_data adds a page with contents (corpus_page()); without it the image
 * stays small for the byte-by-byte tests. */
static size_t build(uint8_t *buf, size_t cap, bool incremental, bool with_data)
{
	return corpus_build(buf, cap, incremental, with_data);
}

/* Recomputes the CRC after a deliberate change, to reach the structure checks. */
static void reseal(uint8_t *img, size_t len)
{
	corpus_reseal(img, len);
}

static void test_crc32_check_value(void **state)
{
	(void)state;
	assert_int_equal(ckpt_crc32(0, "123456789", 9), 0xcbf43926u);
	/* Incremental: pieces give the same as the whole. */
	uint32_t crc = ckpt_crc32(0, "1234", 4);
	assert_int_equal(ckpt_crc32(crc, "56789", 5), 0xcbf43926u);
	assert_int_equal(ckpt_crc32(0, NULL, 0), 0);
}

/* The word-at-a-time CRC against a bit-at-a-time one, for every start
 * alignment and lengths around the word size, split at every point. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

static void test_crc32_alignment(void **state)
{
	(void)state;
	static uint8_t data[300];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131u + 17u);
	for (size_t start = 0; start < 4; start++)
		for (size_t len = 0; len < 40; len++) {
			uint32_t want = crc_bitwise(0, data + start, len);
			assert_int_equal(ckpt_crc32(0, data + start, len), want);
			for (size_t cut = 0; cut <= len; cut++)
				assert_int_equal(ckpt_crc32(ckpt_crc32(0, data + start, cut),
							    data + start + cut, len - cut), want);
		}
	assert_int_equal(ckpt_crc32(0, data + 1, 299 - 1), crc_bitwise(0, data + 1, 299 - 1));
}

/* CRCs of pieces joined into the CRC of the whole, at every split. */
static void test_crc32_combine(void **state)
{
	(void)state;
	static uint8_t data[5000];
	uint32_t x = 0x2545f491u;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t len = 0; len < sizeof(data); len += len < 70 ? 1 : 997) {
		uint32_t whole = ckpt_crc32(0, data, len);
		for (size_t cut = 0; cut <= len; cut += cut < 40 ? 1 : 61)
			assert_int_equal(crc32_combine(ckpt_crc32(0, data, cut),
						       ckpt_crc32(0, data + cut, len - cut), len - cut),
					 whole);
	}
	/* Many pieces of one length, and more lengths than there are tables
	 * for them, in turn. */
	uint32_t crc = ckpt_crc32(0, data, 1000);
	for (size_t off = 1000; off < 5000; off += 1000)
		crc = crc32_shift(crc, 1000) ^ ckpt_crc32(0, data + off, 1000);
	assert_int_equal(crc, ckpt_crc32(0, data, 5000));
	for (unsigned round = 0; round < 3; round++)
		for (size_t len = 1; len < 4000; len += 397) {
			uint32_t a = ckpt_crc32(0, data, 700), b = ckpt_crc32(0, data + 700, len);
			assert_int_equal(crc32_shift(a, len) ^ b, ckpt_crc32(0, data, 700 + len));
		}
}

static void check_round_trip(bool incremental)
{
	static uint8_t buf[IMG_MAX];
	size_t len = build(buf, sizeof(buf), incremental, true);
	assert_true(len > 0);

	struct ckpt_header h;
	struct ckpt_detail d;
	assert_int_equal(ckpt_image_check(buf, len, &h, &d), CKPT_OK);
	assert_int_equal(h.version, 2);
	assert_true(h.origin == ORIGIN);
	assert_int_equal(h.flags, incremental ? CKPT_FLAG_INCREMENTAL : 0);
	assert_int_equal(h.image_id, incremental ? 6 : 5);
	assert_int_equal(h.base_id, incremental ? 5 : 0);
	assert_int_equal(h.task_id, 3);
	assert_string_equal(h.name, "counter");
	assert_true(h.time_us == 0x123456789aull);
	assert_int_equal(h.pause_us, 42);
	assert_int_equal(h.section_count, 4);
	assert_int_equal(h.total_len, len);

	struct ckpt_section s;
	int seen = 0;
	for (bool more = ckpt_section_first(buf, len, &s); more; more = ckpt_section_next(&s)) {
		seen++;
		if (s.type == CKPT_SEC_THREADS) {
			assert_int_equal(s.count, 2);
			for (uint32_t i = 0; i < s.count; i++) {
				struct ckpt_thread got, want = corpus_thread(i);
				ckpt_get_thread(&s, i, &got);
				assert_memory_equal(&got, &want, sizeof(got));
			}
		} else if (s.type == CKPT_SEC_CAPS) {
			assert_int_equal(s.count, 3);
			for (uint32_t i = 0; i < s.count; i++) {
				struct ckpt_cap got, want = corpus_cap(i);
				ckpt_get_cap(&s, i, &got);
				assert_memory_equal(&got, &want, sizeof(got));
			}
		} else if (s.type == CKPT_SEC_SESSIONS) {
			assert_int_equal(s.count, 2);
			for (uint32_t i = 0; i < s.count; i++) {
				struct ckpt_session got, want = corpus_session(i);
				ckpt_get_session(&s, i, &got);
				assert_memory_equal(&got, &want, sizeof(got));
			}
		} else {
			assert_int_equal(s.type, CKPT_SEC_PAGES);
			assert_int_equal(s.count, 2);
			size_t pos = 0;
			struct ckpt_page p;
			assert_true(ckpt_next_page(&s, &pos, &p));
			assert_int_equal(p.va, 0x10000);
			assert_int_equal(p.flags, 0);
			assert_non_null(p.data);
			assert_memory_equal(p.data, corpus_page(), CKPT_PAGE_SIZE);
			assert_true(ckpt_next_page(&s, &pos, &p));
			assert_int_equal(p.va, 0x11000);
			assert_int_equal(p.flags, CKPT_PAGE_ZERO);
			assert_null(p.data);
			assert_false(ckpt_next_page(&s, &pos, &p));
		}
	}
	assert_int_equal(seen, 4);
}

static void test_round_trip_full(void **state)
{
	(void)state;
	check_round_trip(false);
}

static void test_round_trip_incremental(void **state)
{
	(void)state;
	check_round_trip(true);
}

/* An image with nothing but the header is valid: a task with nothing. */
static void test_empty_image(void **state)
{
	(void)state;
	uint8_t buf[CKPT_HEADER_LEN];
	struct ckpt_header h = { .image_id = 1, .origin = ORIGIN, .name = "t" };
	struct ckpt_writer w;
	size_t len;
	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	assert_int_equal(ckpt_writer_finish(&w, &len), CKPT_OK);
	assert_int_equal(len, CKPT_HEADER_LEN);
	assert_int_equal(ckpt_image_check(buf, len, NULL, NULL), CKPT_OK);
	struct ckpt_section s;
	assert_false(ckpt_section_first(buf, len, &s));
}

/* A writer that leaves each block's CRC: they are the blocks' CRCs (block
 * 0's with the CRC field as zero), and joined they are the image's. */
static void test_writer_blocks(void **state)
{
	(void)state;
	static uint8_t buf[IMG_MAX];
	static uint32_t blocks[64];
	struct ckpt_header h = { .image_id = 9, .origin = ORIGIN, .task_id = 3, .name = "t" };
	struct ckpt_writer w;
	size_t len;
	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	ckpt_put_page(&w, 0x10000, corpus_page());
	ckpt_put_page(&w, 0x11000, corpus_page());
	ckpt_section_end(&w);
	ckpt_writer_want_blocks(&w, blocks, 64);
	assert_int_equal(ckpt_writer_finish(&w, &len), CKPT_OK);
	assert_true(ckpt_writer_blocks(&w));
	assert_int_equal(ckpt_image_check(buf, len, NULL, NULL), CKPT_OK);
	size_t n = (len + CKPT_CRC_BLOCK - 1) / CKPT_CRC_BLOCK;
	assert_true(n > 8 && len % CKPT_CRC_BLOCK != 0);
	uint32_t whole = blocks[0];
	assert_int_equal(blocks[0], ckpt_image_crc_prefix(buf, CKPT_CRC_BLOCK));
	for (size_t i = 1; i < n; i++) {
		size_t m = i + 1 < n ? CKPT_CRC_BLOCK : len - i * CKPT_CRC_BLOCK;
		assert_int_equal(blocks[i], ckpt_crc32(0, buf + i * CKPT_CRC_BLOCK, m));
		whole = crc32_combine(whole, blocks[i], m);
	}
	struct ckpt_header got;
	assert_int_equal(ckpt_image_check_crc(buf, len, whole, &got, NULL), CKPT_OK);
	assert_int_equal(got.crc, whole);
	/* Too many blocks for the room given: none stored, the image as good. */
	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	ckpt_put_page(&w, 0x10000, corpus_page());
	ckpt_section_end(&w);
	ckpt_writer_want_blocks(&w, blocks, 2);
	assert_int_equal(ckpt_writer_finish(&w, &len), CKPT_OK);
	assert_false(ckpt_writer_blocks(&w));
	assert_int_equal(ckpt_image_check(buf, len, NULL, NULL), CKPT_OK);
}

/* A CRC the caller worked out is compared with the header's instead of
 * one read from the bytes; a wrong one is a checksum mismatch. The CRC of
 * a prefix treats the field as zero wherever the prefix ends. */
static void test_check_with_known_crc(void **state)
{
	(void)state;
	static uint8_t buf[IMG_MAX];
	size_t len = build(buf, sizeof(buf), false, true);
	uint32_t crc = ckpt_image_crc_prefix(buf, len);
	struct ckpt_detail d;
	assert_int_equal(ckpt_image_check_crc(buf, len, crc, NULL, &d), CKPT_OK);
	assert_int_equal(ckpt_image_check_crc(buf, len, crc ^ 1, NULL, &d), CKPT_E_CRC);
	assert_int_equal(d.b, crc ^ 1);
	uint8_t zeroed[80];
	memcpy(zeroed, buf, sizeof(zeroed));
	memset(zeroed + 64, 0, 4);
	for (size_t n = 0; n <= sizeof(zeroed); n++)
		assert_int_equal(ckpt_image_crc_prefix(buf, n), ckpt_crc32(0, zeroed, n));
}

/* The code a change of one byte at off must produce. */
static int expected_for_offset(size_t off)
{
	if (off < 8)
		return CKPT_E_MAGIC;
	if (off < OFF_HEADER_LEN)
		return CKPT_E_VERSION;
	if (off < OFF_FLAGS)
		return CKPT_E_HEADER_LEN;
	if (off >= OFF_TOTAL_LEN && off < OFF_TOTAL_LEN + 4)
		return -1;   /* truncated or too long, by the direction */
	return CKPT_E_CRC;
}

static void test_every_byte_corruption(void **state)
{
	(void)state;
	uint8_t img[4096], bad[4096];
	size_t len = build(img, sizeof(img), false, false);
	assert_true(len > 0 && len < sizeof(img));
	static const uint8_t flips[] = { 0x01, 0x80, 0xff, 0x10 };
	for (size_t off = 0; off < len; off++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(bad, img, len);
			bad[off] ^= flips[f];
			struct ckpt_detail d;
			char why[128];
			int err = ckpt_image_check(bad, len, NULL, &d);
			ckpt_describe(&d, why, sizeof(why));
			int want = expected_for_offset(off);
			if (want < 0)
				assert_true(err == CKPT_E_TRUNCATED || err == CKPT_E_TOO_LONG);
			else
				assert_int_equal(err, want);
			assert_int_equal(d.err, err);
			assert_true(contains(why, ckpt_strerror(err)));
			if (err == CKPT_E_CRC) {
				char stored[16];
				snprintf(stored, sizeof(stored), "stored %08x", corpus_rd32(bad + OFF_CRC));
				assert_true(contains(why, stored));
			}
		}
	}
}

static void test_every_truncation(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	for (size_t n = 0; n < len; n++) {
		/* Exactly n bytes on the heap: ASan catches any read beyond. */
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, img, n);
		struct ckpt_detail d;
		char why[128], want[64];
		assert_int_equal(ckpt_image_check(cut, n, NULL, &d), CKPT_E_TRUNCATED);
		ckpt_describe(&d, why, sizeof(why));
		snprintf(want, sizeof(want), "truncated: %zu of %zu bytes", n,
			 n < CKPT_HEADER_LEN ? (size_t)CKPT_HEADER_LEN : len);
		assert_string_equal(why, want);
		free(cut);
	}
}

static void test_too_long(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;
	assert_int_equal(ckpt_image_check(img, len + 1, NULL, &d), CKPT_E_TOO_LONG);
	assert_int_equal(d.a, len + 1);
	assert_int_equal(d.b, len);
}

static void test_wrong_version_and_magic(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;
	char why[128];

	img[OFF_VERSION] = 7;
	reseal(img, len);
	assert_int_equal(ckpt_image_check(img, len, NULL, &d), CKPT_E_VERSION);
	assert_string_equal(ckpt_describe(&d, why, sizeof(why)),
			    "unsupported version 7 (this build reads 2)");

	img[OFF_VERSION] = 2;
	img[7] = '1';   /* "RTCRIMG1" */
	reseal(img, len);
	assert_int_equal(ckpt_image_check(img, len, NULL, &d), CKPT_E_MAGIC);
	assert_true(contains(ckpt_describe(&d, why, sizeof(why)), "bad magic"));
}

static void test_crc_message(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	uint32_t good = corpus_rd32(img + OFF_CRC);
	corpus_wr32(img + OFF_CRC, 0x1a2b3c4d);
	struct ckpt_detail d;
	char why[128], want[128];
	assert_int_equal(ckpt_image_check(img, len, NULL, &d), CKPT_E_CRC);
	snprintf(want, sizeof(want), "checksum mismatch: stored 1a2b3c4d, computed %08x", good);
	assert_string_equal(ckpt_describe(&d, why, sizeof(why)), want);
}

/* Offset of the n-th section (0-based) of a valid image. */
static size_t section_offset(const uint8_t *img, size_t len, int n)
{
	struct ckpt_section s;
	bool more = ckpt_section_first(img, len, &s);
	while (more && n--)
		more = ckpt_section_next(&s);
	assert_true(more);
	return s.offset;
}

static int check_resealed(uint8_t *img, size_t len, struct ckpt_detail *d)
{
	reseal(img, len);
	return ckpt_image_check(img, len, NULL, d);
}

static void test_section_overrun(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	size_t last = section_offset(img, len, 3);
	corpus_wr32(img + last + 4, corpus_rd32(img + last + 4) + 8);
	struct ckpt_detail d;
	char why[128];
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_SECTION_OVERRUN);
	assert_int_equal(d.offset, last);
	assert_true(contains(ckpt_describe(&d, why, sizeof(why)), "overruns the image"));

	/* A huge length must not wrap around. */
	corpus_wr32(img + last + 4, 0xfffffff8u);
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_SECTION_OVERRUN);
}

static void test_record_size_mismatch(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	size_t caps = section_offset(img, len, 1);
	corpus_wr32(img + caps + 4, corpus_rd32(img + caps + 4) - 4);
	struct ckpt_detail d;
	char why[160];
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_RECORD_SIZE);
	assert_int_equal(d.offset, caps);
	assert_int_equal(d.a, 3 * CKPT_CAP_REC - 4);
	assert_int_equal(d.b, CKPT_CAP_REC);
	assert_true(contains(ckpt_describe(&d, why, sizeof(why)), "record size mismatch"));
}

static void test_page_records(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	size_t pages = section_offset(img, len, 3);
	struct ckpt_detail d;

	/* A zero page whose flags say it carries data: 4096 bytes missing. */
	uint8_t copy[4096];
	memcpy(copy, img, len);
	corpus_wr32(copy + pages + 8 + 4, 0);
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_RECORD_SIZE);

	memcpy(copy, img, len);
	corpus_wr32(copy + pages + 8, 0x11004);   /* not page aligned */
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_PAGE);
	assert_int_equal(d.a, 0x11004);

	memcpy(copy, img, len);
	corpus_wr32(copy + pages + 8 + 4, 0x3);   /* unknown flag */
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_PAGE);
}

static void test_section_header_fields(void **state)
{
	(void)state;
	uint8_t img[4096], copy[4096];
	size_t len = build(img, sizeof(img), false, false);
	size_t sec = section_offset(img, len, 2);
	struct ckpt_detail d;

	memcpy(copy, img, len);
	copy[sec] = 9;
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_SECTION_TYPE);
	assert_int_equal(d.a, 9);

	memcpy(copy, img, len);
	copy[sec + 2] = 1;
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_SECTION_RESERVED);
}

static void test_section_count_and_trailing(void **state)
{
	(void)state;
	uint8_t img[4200], copy[4200];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;

	memcpy(copy, img, len);
	corpus_wr32(copy + OFF_SECTIONS, 5);
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_SECTION_COUNT);
	assert_int_equal(d.a, 5);
	assert_int_equal(d.b, 4);

	memcpy(copy, img, len);
	corpus_wr32(copy + OFF_SECTIONS, 3);
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_SECTION_COUNT);
	assert_int_equal(d.a, 3);
	assert_int_equal(d.b, 4);

	/* Garbage after the last section, counted into the total length. */
	memcpy(copy, img, len);
	memcpy(copy + len, "junkjunkjunk", 12);
	corpus_wr32(copy + OFF_TOTAL_LEN, (uint32_t)len + 12);
	assert_int_equal(check_resealed(copy, len + 12, &d), CKPT_E_TRAILING);
	assert_int_equal(d.a, 12);
}

/* Each section type once: every reader then finds the same threads,
 * capabilities, sessions and pages (a second SESSIONS section, say, could
 * otherwise describe one memory map to one reader and another to the
 * next). The writer refuses to write one twice as well. */
static void test_section_repeated(void **state)
{
	(void)state;
	uint8_t img[4200];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;
	struct ckpt_section s;
	assert_true(ckpt_section_first(img, len, &s));   /* THREADS, then CAPS */
	assert_true(ckpt_section_next(&s));
	/* Another CAPS section, a copy of the first, after the last one. */
	size_t caps = s.offset, caps_len = CKPT_SECTION_HDR + s.payload_len;
	memcpy(img + len, img + caps, caps_len);
	corpus_wr32(img + OFF_SECTIONS, 5);
	corpus_wr32(img + OFF_TOTAL_LEN, (uint32_t)(len + caps_len));
	assert_int_equal(check_resealed(img, len + caps_len, &d), CKPT_E_SECTION_REPEATED);
	assert_int_equal(d.a, CKPT_SEC_CAPS);
	assert_int_equal(d.offset, len);
	char why[128];
	assert_string_equal(ckpt_describe(&d, why, sizeof(why)),
			    "section type 2 repeated at offset 1292");

	struct ckpt_writer w;
	struct ckpt_header h = { .image_id = 1, .origin = ORIGIN, .name = "t" };
	ckpt_writer_init(&w, img, sizeof(img), &h);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	ckpt_section_end(&w);
	assert_int_equal(ckpt_section_begin(&w, CKPT_SEC_CAPS), CKPT_E_WRITER_STATE);
}

static void test_header_flags(void **state)
{
	(void)state;
	uint8_t img[4096], copy[4096];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;

	memcpy(copy, img, len);
	corpus_wr32(copy + OFF_BASE_ID, 4);   /* a full image names no base */
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_HEADER_FLAGS);

	memcpy(copy, img, len);
	corpus_wr32(copy + OFF_FLAGS, CKPT_FLAG_INCREMENTAL);   /* an increment of nothing */
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_HEADER_FLAGS);

	memcpy(copy, img, len);
	corpus_wr32(copy + OFF_FLAGS, 0x80);
	assert_int_equal(check_resealed(copy, len, &d), CKPT_E_HEADER_FLAGS);
}

/* An image names the boot that took it: without that an increment could
 * not name its base unambiguously. */
static void test_origin(void **state)
{
	(void)state;
	uint8_t img[4096];
	size_t len = build(img, sizeof(img), true, false);
	struct ckpt_detail d;
	char why[128];
	memset(img + OFF_ORIGIN, 0, 8);
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_ORIGIN);
	assert_int_equal(d.offset, OFF_ORIGIN);
	assert_true(contains(ckpt_describe(&d, why, sizeof(why)), "no origin"));
}

/* Names reach the console: printable ASCII without spaces, then NULs. */
static void test_names(void **state)
{
	(void)state;
	assert_int_equal(ckpt_name_bad("counter\0\0\0", 10, false), -1);
	assert_int_equal(ckpt_name_bad("12345678", 8, false), -1);   /* full, unterminated */
	assert_int_equal(ckpt_name_bad("\0\0\0\0", 4, true), -1);
	assert_int_equal(ckpt_name_bad("\0\0\0\0", 4, false), 0);   /* a task's is never empty */
	assert_int_equal(ckpt_name_bad("ab\x1b[2J", 7, false), 2);   /* a terminal escape */
	assert_int_equal(ckpt_name_bad("a b\0", 4, false), 1);
	assert_int_equal(ckpt_name_bad("ab\x7f\0", 4, false), 2);
	assert_int_equal(ckpt_name_bad("ab\0c", 4, false), 3);   /* something after the end */

	uint8_t img[4096];
	size_t len = build(img, sizeof(img), false, false);
	struct ckpt_detail d;
	char why[128];
	img[OFF_NAME + 2] = 0x1b;
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_NAME);
	assert_int_equal(d.offset, OFF_NAME);
	assert_string_equal(ckpt_describe(&d, why, sizeof(why)),
			    "bad name at offset 28: byte 27 is not printable ASCII");

	len = build(img, sizeof(img), false, false);
	size_t thread_name = CKPT_HEADER_LEN + CKPT_SECTION_HDR + 12;   /* thread 0's */
	img[thread_name + 1] = '\n';
	assert_int_equal(check_resealed(img, len, &d), CKPT_E_NAME);
	assert_int_equal(d.offset, thread_name);
	assert_int_equal(d.a, '\n');
}

/* Every capacity short of the image fails, and nothing past it is touched. */
static void test_writer_refuses_overflow(void **state)
{
	(void)state;
	static uint8_t ref[IMG_MAX], buf[IMG_MAX + 64];
	size_t len = build(ref, sizeof(ref), false, true);
	assert_true(len > 0);
	for (size_t cap = 0; cap < len; cap++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(build(buf, cap, false, true), 0);
		for (size_t i = cap; i < cap + 64; i++)
			assert_int_equal(buf[i], 0xa5);
	}
	assert_int_equal(build(buf, len, false, true), len);

	struct ckpt_header h = { 0 };
	struct ckpt_writer w;
	size_t out;
	ckpt_writer_init(&w, buf, 99, &h);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	struct ckpt_cap c = corpus_cap(0);
	assert_int_equal(ckpt_put_cap(&w, &c), CKPT_E_NO_SPACE);
	assert_int_equal(ckpt_writer_finish(&w, &out), CKPT_E_NO_SPACE);
	char why[128];
	assert_string_equal(ckpt_describe(&w.detail, why, sizeof(why)),
			    "image buffer too small: 99 bytes, need 108");
	(void)why;
}

static void test_writer_state(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct ckpt_header h = { 0 };
	struct ckpt_writer w;
	size_t len;
	struct ckpt_cap c = corpus_cap(0);

	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	assert_int_equal(ckpt_put_cap(&w, &c), CKPT_E_WRITER_STATE);   /* no section */

	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	ckpt_section_begin(&w, CKPT_SEC_THREADS);
	assert_int_equal(ckpt_put_cap(&w, &c), CKPT_E_WRITER_STATE);   /* wrong section */

	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	assert_int_equal(ckpt_writer_finish(&w, &len), CKPT_E_WRITER_STATE);   /* still open */

	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	assert_int_equal(ckpt_section_begin(&w, 9), CKPT_E_WRITER_STATE);

	ckpt_writer_init(&w, buf, sizeof(buf), &h);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	assert_int_equal(ckpt_put_page(&w, 0x1234, NULL), CKPT_E_PAGE);

	struct ckpt_header bad = { .flags = CKPT_FLAG_INCREMENTAL };
	assert_int_equal(ckpt_writer_init(&w, buf, sizeof(buf), &bad), CKPT_E_HEADER_FLAGS);
}

/* Reads everything a valid image holds, as a restore would. */
static void walk(const uint8_t *img, size_t len)
{
	struct ckpt_section s;
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		for (uint32_t i = 0; i < s.count; i++) {
			struct ckpt_thread t;
			struct ckpt_cap c;
			struct ckpt_session ss;
			if (s.type == CKPT_SEC_THREADS)
				ckpt_get_thread(&s, i, &t);
			else if (s.type == CKPT_SEC_CAPS)
				ckpt_get_cap(&s, i, &c);
			else if (s.type == CKPT_SEC_SESSIONS)
				ckpt_get_session(&s, i, &ss);
		}
		size_t pos = 0;
		struct ckpt_page p;
		if (s.type == CKPT_SEC_PAGES)
			while (ckpt_next_page(&s, &pos, &p))
				if (p.data)
					(void)ckpt_crc32(0, p.data, CKPT_PAGE_SIZE);
	}
}

/* Each mutant of corpus_fuzz (half of them with a fresh CRC, so the
 * structure checks see them rather than the checksum): refused with a
 * reason, or, if it still passes, walked fully. */
static void fuzz_one(void *ctx, const uint8_t *m, size_t n)
{
	int *accepted = ctx;
	struct ckpt_detail d;
	char why[160];
	int err = ckpt_image_check(m, n, NULL, &d);
	if (err == CKPT_OK) {
		walk(m, n);
		(*accepted)++;
	} else {
		assert_int_equal(d.err, err);
		ckpt_describe(&d, why, sizeof(why));
		assert_true(strlen(why) > 0);
	}
}

static void test_fuzz(void **state)
{
	(void)state;
	int accepted = 0;
	corpus_fuzz(fuzz_one, &accepted);
	print_message("fuzz: %d of 20000 mutants still valid\n", accepted);
}

static void test_base64_vectors(void **state)
{
	(void)state;
	static const char *const vec[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char text[16];
		uint8_t bin[16];
		size_t n;
		assert_true(ckpt_base64_encode(vec[i][0], strlen(vec[i][0]), text, sizeof(text)));
		assert_string_equal(text, vec[i][1]);
		assert_true(ckpt_base64_decode(text, strlen(text), bin, sizeof(bin), &n));
		assert_int_equal(n, strlen(vec[i][0]));
		assert_memory_equal(bin, vec[i][0], n);
	}
	static const char *const bad[] = { "Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zg==Zg==",
					   "Z!==", "=Zg=", "Zm 9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t bin[16];
		size_t n;
		assert_false(ckpt_base64_decode(bad[i], strlen(bad[i]), bin, sizeof(bin), &n));
	}
	char small[4];
	assert_false(ckpt_base64_encode("f", 1, small, sizeof(small)));   /* no room for NUL */
}

static void test_base64_all_lengths(void **state)
{
	(void)state;
	uint8_t src[200], back[200];
	char text[CKPT_BASE64_LEN(200) + 1];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 151u + 7u);
	for (size_t n = 0; n <= sizeof(src); n++) {
		size_t got;
		assert_true(ckpt_base64_encode(src, n, text, CKPT_BASE64_LEN(n) + 1));
		assert_int_equal(strlen(text), CKPT_BASE64_LEN(n));
		assert_true(ckpt_base64_decode(text, strlen(text), back, n, &got));
		assert_int_equal(got, n);
		assert_memory_equal(back, src, n);
		if (n)   /* one byte too small a destination */
			assert_false(ckpt_base64_decode(text, strlen(text), back, n - 1, &got));
	}
}

/* Collects dump lines into one text, with the chosen line end. */
struct capture {
	char text[40000];
	size_t len;
	const char *eol;
};

static void capture_line(void *ctx, const char *line)
{
	struct capture *c = ctx;
	int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s%s", line, c->eol);
	assert_true(n > 0 && (size_t)n < sizeof(c->text) - c->len);
	c->len += (size_t)n;
}

static void capture_noise(struct capture *c, const char *line)
{
	capture_line(c, line);
}

static void test_dump_round_trip(void **state)
{
	(void)state;
	static uint8_t img[IMG_MAX], back[IMG_MAX];
	static struct capture c;
	size_t len = build(img, sizeof(img), true, true);
	for (int crlf = 0; crlf < 2; crlf++) {
		c.len = 0;
		c.eol = crlf ? "\r\n" : "\n";
		capture_noise(&c, "rtcr> images dump 6");
		capture_noise(&c, "some console noise ckpt-end 6");
		ckpt_dump_emit(img, len, 6, capture_line, &c);
		capture_noise(&c, "rtcr> ");

		char first[64];
		snprintf(first, sizeof(first), "ckpt-image 6 %zu %08x%s", len,
			 ckpt_crc32(0, img, len), c.eol);
		assert_true(contains(c.text, first));

		size_t got;
		uint32_t id;
		struct ckpt_detail d;
		assert_int_equal(ckpt_dump_parse(c.text, c.len, back, sizeof(back), &got, &id, &d),
				 CKPT_OK);
		assert_int_equal(id, 6);
		assert_int_equal(got, len);
		assert_memory_equal(back, img, len);
		assert_int_equal(ckpt_image_check(back, got, NULL, NULL), CKPT_OK);
	}
}

static void test_dump_damage(void **state)
{
	(void)state;
	static uint8_t img[4096], back[4096];
	static struct capture c, bad;
	size_t len = build(img, sizeof(img), false, false);
	c.len = 0;
	c.eol = "\n";
	capture_noise(&c, "noise");
	ckpt_dump_emit(img, len, 5, capture_line, &c);
	size_t got;
	uint32_t id;
	struct ckpt_detail d;
	char why[128];

	/* Line 4 is the second data line; its 10th character becomes invalid. */
	bad = c;
	char *line4 = line_start(bad.text, 4);
	line4[10] = '!';
	assert_int_equal(ckpt_dump_parse(bad.text, bad.len, back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_LINE);
	assert_int_equal(d.line, 4);
	assert_string_equal(ckpt_describe(&d, why, sizeof(why)), "line 4: bad base64 data line");

	/* Another valid character: the checksum must catch it. */
	bad = c;
	line4 = line_start(bad.text, 4);
	line4[10] = line4[10] == 'A' ? 'B' : 'A';
	assert_int_equal(ckpt_dump_parse(bad.text, bad.len, back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_CRC);

	/* A line dropped: the length is wrong. */
	bad = c;
	char *next = line_start(line4, 2);
	memmove(line4, next, (size_t)(bad.text + bad.len - next));
	bad.len -= (size_t)(next - line4);
	assert_int_equal(ckpt_dump_parse(bad.text, bad.len, back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_LENGTH);

	/* Cut before the end line. */
	assert_int_equal(ckpt_dump_parse(c.text, c.len - 11, back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_NO_END);
	assert_int_equal(ckpt_dump_parse("hello\nworld\n", 12, back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_NO_START);
	const char *hdr = "ckpt-image 5 12x 00000000\n";
	assert_int_equal(ckpt_dump_parse(hdr, strlen(hdr), back, sizeof(back), &got, &id, &d),
			 CKPT_E_DUMP_HEADER);
	/* An output buffer too small is refused before decoding. */
	assert_int_equal(ckpt_dump_parse(c.text, c.len, back, len - 1, &got, &id, &d),
			 CKPT_E_NO_SPACE);
}

static void test_strerror_covers_all(void **state)
{
	(void)state;
	for (int e = 0; e < CKPT_E_COUNT; e++) {
		assert_non_null(ckpt_strerror(e));
		assert_string_not_equal(ckpt_strerror(e), "unknown error");
	}
	assert_string_equal(ckpt_strerror(CKPT_E_COUNT), "unknown error");
	assert_string_equal(ckpt_strerror(-1), "unknown error");
	char tiny[5];
	struct ckpt_detail d = { .err = CKPT_E_CRC };
	assert_string_equal(ckpt_describe(&d, tiny, sizeof(tiny)), "chec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_check_value),
		cmocka_unit_test(test_crc32_alignment),
		cmocka_unit_test(test_crc32_combine),
		cmocka_unit_test(test_writer_blocks),
		cmocka_unit_test(test_check_with_known_crc),
		cmocka_unit_test(test_round_trip_full),
		cmocka_unit_test(test_round_trip_incremental),
		cmocka_unit_test(test_empty_image),
		cmocka_unit_test(test_every_byte_corruption),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_wrong_version_and_magic),
		cmocka_unit_test(test_crc_message),
		cmocka_unit_test(test_section_overrun),
		cmocka_unit_test(test_record_size_mismatch),
		cmocka_unit_test(test_page_records),
		cmocka_unit_test(test_section_header_fields),
		cmocka_unit_test(test_section_count_and_trailing),
		cmocka_unit_test(test_section_repeated),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_writer_refuses_overflow),
		cmocka_unit_test(test_writer_state),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_all_lengths),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_dump_damage),
		cmocka_unit_test(test_strerror_covers_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
