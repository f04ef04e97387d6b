/*
 * printf-style formatting without libc, shared by the kernel (kprintf) and
 * user space (printf). Output goes one character at a time through a
 * callback, so the same code can feed a UART, an IPC buffer or a string.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%.
 * Flags '-', '0', '+', ' '; width and precision, either may be '*'.
 * Length modifiers hh h l ll z t.
 * %p is "0x" and at least 8 hex digits (exactly 8 on the 32-bit target).
 * %s of a NULL pointer prints "(null)". Anything else after a '%' is
 * copied to the output as it stands.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Returns the number of characters passed to putc. */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/*
 * Like vsnprintf: writes at most size-1 characters plus a NUL (when
 * size > 0) and returns the length the whole output would have had.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
