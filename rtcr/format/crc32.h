/*
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of
 * checkpoint images and of migration messages, and the algebra that joins
 * the CRCs of pieces into the CRC of the whole: a migration checksums each
 * chunk once and gets the whole image's CRC from the chunks' (docs/
 * migration.md), instead of reading the image again. Plain C, shared with
 * the host tests and tools.
 */
#ifndef RTCR_CRC32_H
#define RTCR_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32: start with crc = 0, feed pieces in order. */
uint32_t ckpt_crc32(uint32_t crc, const void *data, size_t len);

/* The CRC of A followed by B, from crc(A), crc(B) and B's length. */
uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b);

/* The first half of that: crc as if len zero bytes followed, so that
 * crc(A B) = crc32_shift(crc(A), len(B)) ^ crc(B). The last few lengths
 * asked for keep a table each (4 KiB), which makes this four look-ups; a
 * new length costs a table (about as much as 4 KiB of CRC). */
uint32_t crc32_shift(uint32_t crc, size_t len);

#endif
