/*
 * The Internet checksum (RFC 1071) for lwIP (LWIP_CHKSUM, lwipopts.h):
 * every IPv4 header and UDP datagram sent or received is summed, a frame
 * of ~1.5 KiB each way. lwIP's own loop adds 16 bits at a time; here
 * 32-bit words go into a 64-bit sum (2^16 = 1 modulo 0xffff, so a word
 * adds the same as its two halves), on ARM eight words per load-multiple
 * with the carry chained through them.
 *
 * The contract is lwip_standard_chksum's: the folded, non-inverted sum of
 * the bytes as the CPU loads 16-bit words, byte-swapped when the data
 * starts at an odd address (lwIP swaps back where it joins pieces).
 */
#include <stdbool.h>
#include <stdint.h>
#include "chksum.h"

typedef uint32_t __attribute__((may_alias)) word32;
typedef uint16_t __attribute__((may_alias)) word16;

/* Blocks of 32 bytes from a word-aligned p; returns the new sum. */
static uint64_t sum_blocks(const word32 *p, unsigned blocks, uint64_t sum)
{
#if defined(__arm__)
	uint32_t acc = 0, carries = 0;
	for (; blocks; blocks--, p += 8)
		__asm__("ldm %[p], {r3, r4, r5, r6, r8, r9, r10, r12}\n\t"
			"adds %[a], %[a], r3\n\t"
			"adcs %[a], %[a], r4\n\t"
			"adcs %[a], %[a], r5\n\t"
			"adcs %[a], %[a], r6\n\t"
			"adcs %[a], %[a], r8\n\t"
			"adcs %[a], %[a], r9\n\t"
			"adcs %[a], %[a], r10\n\t"
			"adcs %[a], %[a], r12\n\t"
			"adc %[c], %[c], #0"
			: [a] "+r"(acc), [c] "+r"(carries)
			: [p] "r"(p), "m"(*(const word32(*)[8])p)
			: "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "cc");
	/* Each carry out of bit 31 is worth 2^32, which is 1 modulo 0xffff. */
	return sum + acc + carries;
#else
	for (unsigned i = 0; i < blocks * 8; i++)
		sum += p[i];
	return sum;
#endif
}

static uint16_t fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t net_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0;
	bool odd = (uintptr_t)p & 1;
	if (len <= 0)
		return 0;
	if (odd) {
		/* The first byte is the second half of a 16-bit word. */
		uint16_t t = 0;
		((uint8_t *)&t)[1] = *p++;
		sum = t;
		len--;
	}
	if (len >= 2 && ((uintptr_t)p & 2)) {
		sum += *(const word16 *)p;
		p += 2;
		len -= 2;
	}
	sum = sum_blocks((const word32 *)p, (unsigned)len / 32, sum);
	p += len & ~31;
	len &= 31;
	for (; len >= 4; len -= 4, p += 4)
		sum += *(const word32 *)p;
	if (len >= 2) {
		sum += *(const word16 *)p;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t t = 0;
		((uint8_t *)&t)[0] = *p;
		sum += t;
	}
	uint16_t r = fold(sum);
	return odd ? (uint16_t)(r << 8 | r >> 8) : r;
}
