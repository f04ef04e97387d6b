/*
 * Printing a checkpoint image as text or JSON: what tools/ckpt-decode
 * prints, kept apart from its argument parsing and file reading so that a
 * test can run it in-process on any number of images.
 *
 * An image that passes ckpt_image_check() is well formed, but its fields
 * are whatever the writer put there: selectors, types, states and counts
 * may each be any 32-bit value. The printers must stay finite and bounded
 * for all of them (tests/host/test_ckpt_print.c holds them to it).
 */
#ifndef TOOLS_CKPT_PRINT_H
#define TOOLS_CKPT_PRINT_H

#include <stdio.h>

#include "ckpt_image.h"

enum ckpt_print_format {
	CKPT_PRINT_TEXT,
	CKPT_PRINT_JSON,
};

/*
 * Checks the image completely and prints it to out only if it is good.
 * Returns CKPT_OK, or the check's error with *d filled in and nothing
 * written to out.
 */
int ckpt_print(FILE *out, const void *img, size_t len, enum ckpt_print_format format,
	       struct ckpt_detail *d);

/* The two formats, only for an image ckpt_image_check() accepted; h is
 * the header it filled in. */
void ckpt_print_text(FILE *out, const uint8_t *img, size_t len, const struct ckpt_header *h);
void ckpt_print_json(FILE *out, const uint8_t *img, size_t len, const struct ckpt_header *h);

#endif
