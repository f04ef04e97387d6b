/*
 * Memory and string routines for the firmware (kernel and user space).
 * Simple loops; memcpy and memset move whole words when the alignment
 * allows, since page copies and zeroing go through them.
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

NO_LIBCALL
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Words only help if both pointers can be aligned at once. */
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (((uintptr_t)d & WORD_MASK) != 0 && n > 0) {
			*d++ = *s++;
			n--;
		}
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
