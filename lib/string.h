/*
 * The few string and memory routines the firmware needs, under their
 * standard names: GCC emits calls to memcpy, memset and friends by itself
 * (struct copies, zeroing loops), so they must exist with exactly these
 * signatures. Built only for the target; host tests use the host libc.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * BSD strlcpy: copies at most size-1 characters, always terminates when
 * size > 0, and returns strlen(src) so truncation is detectable
 * (result >= size).
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

#endif
