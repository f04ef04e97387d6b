#include "selalloc.h"
#include "uapi/objects.h"
#include "uapi/bootinfo.h"

static uint32_t used[CSPACE_SLOTS / 32];
static uint32_t hint = SEL_FIRST_FREE;

uint32_t sel_alloc(void)
{
	for (uint32_t n = 0; n < CSPACE_SLOTS; n++) {
		uint32_t s = hint + n;
		if (s >= CSPACE_SLOTS)
			s = SEL_FIRST_FREE + (s - CSPACE_SLOTS) % (CSPACE_SLOTS - SEL_FIRST_FREE);
		if (!(used[s / 32] & (1u << (s % 32)))) {
			used[s / 32] |= 1u << (s % 32);
			hint = s + 1 < CSPACE_SLOTS ? s + 1 : SEL_FIRST_FREE;
			return s;
		}
	}
	return SEL_NULL;
}

void sel_free(uint32_t sel)
{
	if (sel >= SEL_FIRST_FREE && sel < CSPACE_SLOTS)
		used[sel / 32] &= ~(1u << (sel % 32));
}
