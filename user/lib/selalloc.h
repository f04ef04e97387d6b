/* Capability-selector allocator for the calling task's own space. */
#ifndef USER_SELALLOC_H
#define USER_SELALLOC_H

#include <stdint.h>

uint32_t sel_alloc(void);          /* SEL_NULL when none is left */
void sel_free(uint32_t sel);

#endif
