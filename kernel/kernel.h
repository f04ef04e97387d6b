/* Things nearly every kernel file needs. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "uapi/errors.h"
#include "uapi/objects.h"
#include "uapi/bootinfo.h"
#include "string.h"

#define KERNEL_VERSION "0.1"
#define TICK_US 1000u   /* scheduler tick: 1 ms */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((a) - 1)) == 0)
#define NORETURN __attribute__((noreturn))

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void NORETURN panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void NORETURN kernel_halt(void);

/* Kernel invariants that a user task cannot break; a failure is a kernel bug. */
#define kassert(c) do { if (!(c)) panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); } while (0)

#endif
