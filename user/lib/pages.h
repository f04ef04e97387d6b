/*
 * The root task's page allocator over the RAM the kernel handed it (boot
 * info ram_va/ram_size): contiguous runs of 4 KiB pages, first fit.
 */
#ifndef USER_PAGES_H
#define USER_PAGES_H

#include <stdint.h>
#include <stddef.h>

void pages_init(uintptr_t base, size_t size);
void *pages_alloc(unsigned count);          /* zeroed; NULL when no run is free */
/* Not zeroed: for a buffer its caller fills before anything reads it (a
 * checkpoint image), where zeroing megabytes would only cost time. */
void *pages_alloc_unzeroed(unsigned count);
void pages_free(void *p, unsigned count);
unsigned pages_free_count(void);

#endif
