/*
 * Damaged and hostile checkpoint images for the host tests: the images
 * tests/host/test_ckpt_image.c damages (the same builder, the same damage,
 * the same fuzz seed), and more that keep a correct CRC so they get past
 * the checksum to the structure checks, and past those to whatever reads
 * an image's fields.
 *
 * Each corpus function hands every image to fn in a heap block of exactly
 * its size, so ASan sees any read past the end; the block is freed after.
 * Plain C without cmocka: tests/host/ckpt_hostile.c, a generator, uses the
 * fixed images too.
 */
#ifndef TESTS_HOST_CKPT_CORPUS_H
#define TESTS_HOST_CKPT_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ckpt_image.h"

/* Header field offsets (docs/ckpt-image.md), for tests that break one. */
#define OFF_VERSION    8
#define OFF_HEADER_LEN 10
#define OFF_FLAGS      12
#define OFF_BASE_ID    20
#define OFF_NAME       28
#define OFF_SECTIONS   56
#define OFF_TOTAL_LEN  60
#define OFF_CRC        64
#define OFF_ORIGIN     68

/* Room for the largest image built here. */
#define CORPUS_IMG_MAX (64 * 1024)

typedef void corpus_fn(void *ctx, const uint8_t *img, size_t len);

/* The image of the codec's tests: a full one (base 0) or an increment of
 * image 5; with_data adds a page with contents (corpus_page()). Returns its
 * length, 0 if cap is too small. */
size_t corpus_build(uint8_t *buf, size_t cap, bool incremental, bool with_data);
/* Its records (thread, capability, session i) and its page's contents. */
struct ckpt_thread corpus_thread(uint32_t i);
struct ckpt_cap corpus_cap(uint32_t i);
struct ckpt_session corpus_session(uint32_t i);
const uint8_t *corpus_page(void);

/* A little-endian word of an image, read or written. */
uint32_t corpus_rd32(const uint8_t *p);
void corpus_wr32(uint8_t *p, uint32_t v);
/* Writes the CRC a damaged image needs to pass the checksum. */
void corpus_reseal(uint8_t *img, size_t len);

/* An image holding one capability per selector in sels[n] (object 12, a
 * task, rights rwg, no session) and nothing else. */
size_t corpus_selectors(uint8_t *buf, size_t cap, const uint32_t *sels, size_t n);

/* Every byte (page contents aside) of the small full image and of the
 * increment with data changed with each of several masks, as it is (the
 * checksum fails) and resealed. */
void corpus_byte_flips(corpus_fn *fn, void *ctx);
/* Every length short of those two images. */
void corpus_truncations(corpus_fn *fn, void *ctx);
/* 20000 seeded mutants of those images (a byte or four changed, cut or
 * grown, half of them resealed), in the same order every run. */
void corpus_fuzz(corpus_fn *fn, void *ctx);
/* The damage test_ckpt_image.c's tests do one field at a time, resealed. */
void corpus_named_damage(corpus_fn *fn, void *ctx);
/* Every 32-bit word (page contents aside) of those two images set to
 * each of a list of hostile values (0xfffffffc, 0x80000000, ...),
 * resealed. */
void corpus_hostile_words(corpus_fn *fn, void *ctx);
/* 20000 images with one to four random words set to hostile or random
 * values, resealed. */
void corpus_random_words(corpus_fn *fn, void *ctx);
/* Valid images with many records of hostile content: thousands of
 * capabilities on few selectors near the top and at 0x80000000, threads in
 * unknown states, sessions of unknown kinds, pages near 0xfffff000. */
void corpus_crowded(corpus_fn *fn, void *ctx);

#endif
