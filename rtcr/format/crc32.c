/*
 * CRC-32 (crc32.h). Eight bytes a step ("slicing by 8"): eight tables of
 * 256 words (8 KiB, built on first use) let one step consume two words
 * with a table look-up per byte, about 3.5 instructions a byte on ARMv7
 * (which has no CRC instructions), a byte at a time it is over 7.
 *
 * Joining CRCs: a CRC is the message, as a polynomial over GF(2), times
 * x^32 modulo P; appending len zero bytes multiplies it by x^(8 len), and
 * appending B adds B's CRC. So crc(A B) = crc(A) x^(8 len(B)) + crc(B)
 * (mod P), where the pre- and post-inversion of CRC-32 cancel out. In the
 * reflected representation bit 31 is x^0 and bit 0 is x^31.
 */
#include "crc32.h"
#include <stdbool.h>

#define POLY 0xedb88320u

static uint32_t table[8][256];
static bool table_ready;

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
	table_ready = true;
}

typedef uint32_t __attribute__((may_alias)) word32;

static uint32_t load32(const uint8_t *p)
{
	/* Little-endian, as the tables expect; an aligned word load on ARM. */
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t ckpt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	if (!table_ready)
		table_init();
	const uint32_t *t0 = table[0], *t1 = table[1], *t2 = table[2], *t3 = table[3],
		       *t4 = table[4], *t5 = table[5], *t6 = table[6], *t7 = table[7];
	crc = ~crc;
	for (; len && ((uintptr_t)p & 3); len--)
		crc = (crc >> 8) ^ t0[(crc ^ *p++) & 0xff];
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t a = load32(p) ^ crc, b = load32(p + 4);
		crc = t7[a & 0xff] ^ t6[(a >> 8) & 0xff] ^ t5[(a >> 16) & 0xff] ^ t4[a >> 24] ^
		      t3[b & 0xff] ^ t2[(b >> 8) & 0xff] ^ t1[(b >> 16) & 0xff] ^ t0[b >> 24];
	}
	for (; len; len--)
		crc = (crc >> 8) ^ t0[(crc ^ *p++) & 0xff];
	return ~crc;
}

/* a times b modulo P. */
static uint32_t mult_mod_p(uint32_t a, uint32_t b)
{
	uint32_t product = 0;
	for (uint32_t m = 1u << 31; m; m >>= 1) {
		if (a & m) {
			product ^= b;
			if (!(a & (m - 1)))
				break;
		}
		b = b & 1 ? (b >> 1) ^ POLY : b >> 1;   /* b times x */
	}
	return product;
}

/* x^(8 len) modulo P, by squaring: x^(2^k) for each bit k of 8 len. */
static uint32_t shift_op(size_t len)
{
	uint32_t result = 1u << 31;       /* x^0 */
	uint32_t power = 1u << 30;        /* x^1, then x^2, x^4, ... */
	for (uint64_t n = (uint64_t)len * 8; n; n >>= 1) {
		if (n & 1)
			result = mult_mod_p(power, result);
		power = mult_mod_p(power, power);
	}
	return result;
}

/*
 * Multiplying by a fixed op is linear in the other factor, so it is four
 * look-ups in tables of op times each byte value in each byte position
 * (built from op times each single bit: 32 multiplications and 1024
 * exclusive-ors).
 */
#define SHIFTERS 4u
static struct shifter {
	size_t len;
	uint32_t used;                /* when last asked for: least recent goes */
	uint32_t t[4][256];
} shifters[SHIFTERS];
static uint32_t shifter_clock;

static void shifter_build(struct shifter *s, size_t len)
{
	uint32_t op = shift_op(len);
	for (unsigned k = 0; k < 4; k++) {
		uint32_t bit[8];
		for (unsigned j = 0; j < 8; j++)
			bit[j] = mult_mod_p(op, 1u << (8 * k + j));
		s->t[k][0] = 0;
		for (unsigned v = 1; v < 256; v++) {
			unsigned low = (unsigned)__builtin_ctz(v);
			s->t[k][v] = s->t[k][v & (v - 1)] ^ bit[low];
		}
	}
	s->len = len;
}

uint32_t crc32_shift(uint32_t crc, size_t len)
{
	struct shifter *s = NULL, *oldest = &shifters[0];
	for (unsigned i = 0; i < SHIFTERS && !s; i++) {
		if (shifters[i].used && shifters[i].len == len)
			s = &shifters[i];
		else if (shifters[i].used < oldest->used)
			oldest = &shifters[i];
	}
	if (!s) {
		s = oldest;
		shifter_build(s, len);
	}
	s->used = ++shifter_clock;
	return s->t[0][crc & 0xff] ^ s->t[1][(crc >> 8) & 0xff] ^ s->t[2][(crc >> 16) & 0xff] ^
	       s->t[3][crc >> 24];
}

uint32_t crc32_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b)
{
	return crc32_shift(crc_a, len_b) ^ crc_b;
}
