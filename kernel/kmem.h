/*
 * Kernel memory: a binary buddy allocator over one region. The kernel has
 * no heap; factories charge a quota and then take blocks from this pool
 * for kernel objects and page tables.
 *
 * Every block is aligned to its own size in absolute addresses (an 8 KiB
 * block is 8 KiB aligned), which is what ARM page tables need. Blocks are
 * not zeroed. The allocator keeps its metadata at the start of the region
 * and depends on nothing else in the kernel.
 */
#ifndef KMEM_H
#define KMEM_H

#include <stddef.h>
#include <stdint.h>

#define KMEM_MIN_ORDER 6   /* 64-byte blocks */
#define KMEM_MAX_ORDER 14  /* 16 KiB blocks */
#define KMEM_ORDERS (KMEM_MAX_ORDER - KMEM_MIN_ORDER + 1)

/* The start of every free block: its links in the free list. */
struct kmem_block {
	struct kmem_block *next;
	struct kmem_block *prev;
};

struct kmem_pool {
	uintptr_t base;		/* unit 0 of meta[]: region start rounded up */
	uintptr_t start;	/* first byte handed out, after meta[] */
	uintptr_t end;		/* end of the usable region */
	uint8_t *meta;		/* per 64-byte unit: see kmem.c */
	struct kmem_block *free[KMEM_ORDERS];	/* index: order - MIN */
	size_t free_bytes;
};

/* Returns 0, or -1 if the region cannot hold even one block. */
int kmem_init(struct kmem_pool *p, void *base, size_t size);

/* size rounded up to a power of two >= 64; 0 if size is 0 or > 16 KiB. */
size_t kmem_block_size(size_t size);

void *kmem_alloc(struct kmem_pool *p, size_t size);
/* size as given to kmem_alloc; free buddies are merged. */
void kmem_free(struct kmem_pool *p, void *ptr, size_t size);
size_t kmem_free_bytes(const struct kmem_pool *p);

#endif
