#include "selalloc.h"
#include "uapi/objects.h"
#include "uapi/bootinfo.h"

static uint32_t used[CSPACE_SLOTS / 32];
/* No selector below it is free: the lowest free one is taken, so a task
 * that frees what it allocates keeps using the same few slots (and the
 * kernel memory of its capability space stays what it was). */
static uint32_t lowest_free = SEL_FIRST_FREE;

uint32_t sel_alloc(void)
{
	for (uint32_t s = lowest_free; s < CSPACE_SLOTS; s++) {
		if (used[s / 32] == 0xffffffffu) {
			s |= 31;
			continue;
		}
		if (!(used[s / 32] & (1u << (s % 32)))) {
			used[s / 32] |= 1u << (s % 32);
			lowest_free = s + 1;
			return s;
		}
	}
	return SEL_NULL;
}

void sel_free(uint32_t sel)
{
	if (sel >= SEL_FIRST_FREE && sel < CSPACE_SLOTS) {
		used[sel / 32] &= ~(1u << (sel % 32));
		if (sel < lowest_free)
			lowest_free = sel;
	}
}
