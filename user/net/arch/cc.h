/*
 * lwIP's port to the net task: compiler and C library (lwIP includes this
 * through lwip/arch.h). The task is freestanding: the string functions come
 * from lib/string.c, printf from the runtime library (to the log session).
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

/* No <inttypes.h> and <ctype.h> in a freestanding build: lwIP then brings
 * its own character tests, and these are its printf formats. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define X8_F  "02x"
#define U16_F "u"      /* u16_t and s16_t are promoted to int */
#define S16_F "d"
#define X16_F "x"
#define U32_F "lu"     /* u32_t is unsigned long on arm-none-eabi */
#define S32_F "ld"
#define X32_F "lx"
#define SZT_F "zu"

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void net_assert_failed(const char *what, const char *file, int line) __attribute__((noreturn));

#define LWIP_PLATFORM_DIAG(x)      do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(what) net_assert_failed((what), __FILE__, __LINE__)

#endif
