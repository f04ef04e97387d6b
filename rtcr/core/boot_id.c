#include "boot_id.h"
#include "sys.h"

static uint64_t pool, id;

/* A 64-bit mixing step (the finaliser of SplitMix64): every input bit
 * changes about half the output bits. */
static uint64_t mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void boot_id_stir(uint64_t t)
{
	pool = mix(pool + 0x9e3779b97f4a7c15ull + t);
}

uint64_t boot_id(void)
{
	if (!id) {
		boot_id_stir(k_time_us());
		id = mix(pool) | 1;   /* never 0: 0 means "no origin" in an image */
	}
	return id;
}
