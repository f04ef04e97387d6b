#include "pages.h"
#include "string.h"
#include "uapi/objects.h"

#define MAX_PAGES 65536u   /* 256 MiB */

static uint32_t used[MAX_PAGES / 32];
static uintptr_t base;
static unsigned total, free_count;

static int is_used(unsigned i) { return (used[i / 32] >> (i % 32)) & 1; }
static void set_used(unsigned i, int v)
{
	if (v)
		used[i / 32] |= 1u << (i % 32);
	else
		used[i / 32] &= ~(1u << (i % 32));
}

void pages_init(uintptr_t b, size_t size)
{
	base = b;
	total = size / PAGE_SIZE < MAX_PAGES ? size / PAGE_SIZE : MAX_PAGES;
	free_count = total;
}

void *pages_alloc_unzeroed(unsigned count)
{
	unsigned run = 0;
	if (count == 0 || count > free_count)
		return NULL;
	for (unsigned i = 0; i < total; i++) {
		if (i % 32 == 0 && used[i / 32] == ~0u && i + 32 <= total) {
			run = 0;      /* 32 used pages: skip them at once */
			i += 31;
			continue;
		}
		run = is_used(i) ? 0 : run + 1;
		if (run == count) {
			unsigned first = i + 1 - count;
			for (unsigned j = first; j <= i; j++)
				set_used(j, 1);
			free_count -= count;
			return (void *)(base + (uintptr_t)first * PAGE_SIZE);
		}
	}
	return NULL;
}

void *pages_alloc(unsigned count)
{
	void *p = pages_alloc_unzeroed(count);
	if (p)
		memset(p, 0, (size_t)count * PAGE_SIZE);
	return p;
}

void pages_free(void *p, unsigned count)
{
	unsigned first = (unsigned)(((uintptr_t)p - base) / PAGE_SIZE);
	for (unsigned j = first; j < first + count && j < total; j++)
		if (is_used(j)) {
			set_used(j, 0);
			free_count++;
		}
}

unsigned pages_free_count(void)
{
	return free_count;
}
