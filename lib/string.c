/*
 * Memory and string routines for the firmware (kernel and user space).
 * Simple loops; memcpy and memset move whole words when the alignment
 * allows, since page copies, zeroing and every frame of a migration go
 * through them, and on ARM eight words per load-multiple and
 * store-multiple.
 */
#include <stddef.h>
#include <stdint.h>

#include "string.h"

/*
 * GCC recognises copy, fill and length loops and turns them into calls to
 * memcpy, memset or strlen - which, in here, would call themselves.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

/* Word access to byte buffers is deliberate; may_alias says so to GCC. */
typedef uint32_t __attribute__((may_alias)) word_t;

#define WORD_MASK (sizeof(word_t) - 1)
#define BLOCK 32u   /* bytes per load/store-multiple of eight registers */

/* Whole blocks from word-aligned s to word-aligned d: n rounded down to a
 * block; returns the bytes copied. */
__attribute__((noinline)) static size_t copy_blocks(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t done = n & ~(size_t)(BLOCK - 1);
#if defined(__arm__)
	for (size_t i = 0; i < done; i += BLOCK)
		__asm__ volatile("ldm %1, {r3, r4, r5, r6, r8, r9, r10, r12}\n\t"
				 "stm %0, {r3, r4, r5, r6, r8, r9, r10, r12}"
				 : : "r"(d + i), "r"(s + i)
				 : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "memory");
#else
	for (size_t i = 0; i < done; i += sizeof(word_t))
		*(word_t *)(d + i) = *(const word_t *)(s + i);
#endif
	return done;
}

/* Word-aligned d, s not word aligned: each word stored is made of two
 * source words (little-endian: the low bytes come from the first).
 * Copies whole words while the last source word read stays within
 * s + n; returns the bytes copied. Reading the aligned words around s
 * never crosses a page the bytes do not touch. */
__attribute__((noinline)) static size_t copy_shifted(unsigned char *d, const unsigned char *s,
						    size_t n)
{
	unsigned k = (unsigned)((uintptr_t)s & WORD_MASK) * 8;
	const word_t *src = (const word_t *)(s - (uintptr_t)s % sizeof(word_t));
	word_t *dst = (word_t *)d;
	/* Words: n / 4, less one so the word after the last one read is
	 * still inside the source. */
	size_t words = n / sizeof(word_t) - 1;
	word_t cur = src[0];
	for (size_t i = 0; i < words; i++) {
		word_t next = src[i + 1];
		dst[i] = cur >> k | next << (32 - k);
		cur = next;
	}
	return words * sizeof(word_t);
}

__attribute__((noinline)) static size_t fill_blocks(unsigned char *d, word_t w, size_t n)
{
	size_t done = n & ~(size_t)(BLOCK - 1);
#if defined(__arm__)
	register word_t a __asm__("r3") = w, b __asm__("r4") = w, c __asm__("r5") = w,
		e __asm__("r6") = w, f __asm__("r8") = w, g __asm__("r9") = w,
		h __asm__("r10") = w, k __asm__("r12") = w;
	for (size_t i = 0; i < done; i += BLOCK)
		__asm__ volatile("stm %0, {%1, %2, %3, %4, %5, %6, %7, %8}"
				 : : "r"(d + i), "r"(a), "r"(b), "r"(c), "r"(e), "r"(f), "r"(g),
				   "r"(h), "r"(k) : "memory");
#else
	for (size_t i = 0; i < done; i += sizeof(word_t))
		*(word_t *)(d + i) = w;
#endif
	return done;
}

NO_LIBCALL
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Words only help if both pointers can be aligned at once; otherwise
	 * (on ARM) whole source words are shifted into place. */
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) != 0 && n >= 4 * BLOCK) {
		while (((uintptr_t)d & WORD_MASK) != 0) {
			*d++ = *s++;
			n--;
		}
		size_t b = copy_shifted(d, s, n);
		d += b;
		s += b;
		n -= b;
	} else if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (((uintptr_t)d & WORD_MASK) != 0 && n > 0) {
			*d++ = *s++;
			n--;
		}
		size_t b = n >= BLOCK ? copy_blocks(d, s, n) : 0;
		d += b;
		s += b;
		n -= b;
		for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
			*(word_t *)d = *(const word_t *)s;
			d += sizeof(word_t);
			s += sizeof(word_t);
		}
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/*
	 * Copying upwards is safe unless the destination starts inside the
	 * source; then go downwards so nothing is overwritten before it is
	 * read. Compare as integers: the pointers may be unrelated.
	 */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		while (n-- > 0)
			*d++ = *s++;
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

NO_LIBCALL
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;
	word_t w = 0x01010101u * b;

	while (((uintptr_t)d & WORD_MASK) != 0 && n > 0) {
		*d++ = b;
		n--;
	}
	size_t done = n >= BLOCK ? fill_blocks(d, w, n) : 0;
	d += done;
	n -= done;
	for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
		*(word_t *)d = w;
		d += sizeof(word_t);
	}
	while (n-- > 0)
		*d++ = b;
	return dst;
}

NO_LIBCALL
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

NO_LIBCALL
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

NO_LIBCALL
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* C compares characters as unsigned char, whatever the sign of char. */
NO_LIBCALL
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

NO_LIBCALL
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y || *x == '\0')
			return *x - *y;
	}
	return 0;
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);
	size_t n;

	if (size > 0) {
		n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
