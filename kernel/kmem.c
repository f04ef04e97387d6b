/*
 * Binary buddy allocator for kernel memory.
 *
 * The region is cut into the largest blocks that are aligned to their own
 * size, up to 16 KiB, so alignment holds in absolute addresses even when
 * the region itself is oddly placed. A block of order k at address a has
 * its buddy at a ^ 2^k.
 *
 * meta[] has one byte per 64-byte unit. At the first unit of a free block
 * it holds the block's order, at the first unit of an allocated block
 * ALLOCATED | order, and NOT_FREE everywhere else. That is all kmem_free
 * needs to tell whether a buddy can be merged, and to refuse a pointer or
 * size that kmem_alloc never handed out.
 *
 * Free blocks are on doubly-linked lists kept inside the blocks
 * themselves, so taking a buddy off its list is O(1) and no memory is
 * needed beyond meta[].
 */
#include <stddef.h>
#include <stdint.h>

#include "kmem.h"

#define UNIT		((uintptr_t)1 << KMEM_MIN_ORDER)
#define NOT_FREE	0xff
#define ALLOCATED	0x80

static uintptr_t order_size(unsigned k)
{
	return (uintptr_t)1 << k;
}

static uintptr_t round_up(uintptr_t a, uintptr_t align)
{
	return (a + align - 1) & ~(align - 1);
}

static uint8_t *meta_of(struct kmem_pool *p, uintptr_t a)
{
	return &p->meta[(a - p->base) >> KMEM_MIN_ORDER];
}

static void push_free(struct kmem_pool *p, uintptr_t a, unsigned k)
{
	struct kmem_block *b = (struct kmem_block *)a;
	struct kmem_block **head = &p->free[k - KMEM_MIN_ORDER];

	b->prev = NULL;
	b->next = *head;
	if (*head != NULL)
		(*head)->prev = b;
	*head = b;
	*meta_of(p, a) = (uint8_t)k;
}

static void remove_free(struct kmem_pool *p, struct kmem_block *b, unsigned k)
{
	if (b->prev != NULL)
		b->prev->next = b->next;
	else
		p->free[k - KMEM_MIN_ORDER] = b->next;
	if (b->next != NULL)
		b->next->prev = b->prev;
	*meta_of(p, (uintptr_t)b) = NOT_FREE;
}

/* The largest block that can start at a: aligned, and ending by p->end. */
static unsigned largest_fit(const struct kmem_pool *p, uintptr_t a)
{
	unsigned k = KMEM_MAX_ORDER;

	while (k > KMEM_MIN_ORDER &&
	       ((a & (order_size(k) - 1)) != 0 || p->end - a < order_size(k)))
		k--;
	return k;
}

int kmem_init(struct kmem_pool *p, void *base, size_t size)
{
	uintptr_t lo = (uintptr_t)base, a;
	size_t units, i;
	unsigned k;

	for (k = 0; k < KMEM_ORDERS; k++)
		p->free[k] = NULL;
	p->free_bytes = 0;

	/*
	 * A region running to the top of the address space loses its last
	 * bytes rather than wrapping every later end computation.
	 */
	if (size > UINTPTR_MAX - lo)
		size = UINTPTR_MAX - lo;
	if (size < 2 * UNIT)
		return -1;

	p->base = round_up(lo, UNIT);
	p->end = (lo + size) & ~(UNIT - 1);
	if (p->end <= p->base)
		return -1;
	units = (p->end - p->base) >> KMEM_MIN_ORDER;
	p->meta = (uint8_t *)p->base;
	p->start = round_up(p->base + units, UNIT);
	if (p->start >= p->end)
		return -1;

	for (i = 0; i < units; i++)
		p->meta[i] = NOT_FREE;
	for (a = p->start; a < p->end; a += order_size(k)) {
		k = largest_fit(p, a);
		push_free(p, a, k);
		p->free_bytes += order_size(k);
	}
	return 0;
}

size_t kmem_block_size(size_t size)
{
	size_t b = (size_t)1 << KMEM_MIN_ORDER;

	if (size == 0 || size > ((size_t)1 << KMEM_MAX_ORDER))
		return 0;
	while (b < size)
		b <<= 1;
	return b;
}

static unsigned order_of(size_t block)
{
	unsigned k = KMEM_MIN_ORDER;

	while (order_size(k) < block)
		k++;
	return k;
}

void *kmem_alloc(struct kmem_pool *p, size_t size)
{
	size_t bsize = kmem_block_size(size);
	struct kmem_block *b;
	unsigned k, j;
	uintptr_t a;

	if (bsize == 0)
		return NULL;
	k = order_of(bsize);
	for (j = k; j <= KMEM_MAX_ORDER; j++) {
		if (p->free[j - KMEM_MIN_ORDER] != NULL)
			break;
	}
	if (j > KMEM_MAX_ORDER)
		return NULL;

	b = p->free[j - KMEM_MIN_ORDER];
	remove_free(p, b, j);
	a = (uintptr_t)b;
	/* Keep the lower half each time; the upper half becomes free. */
	while (j > k) {
		j--;
		push_free(p, a + order_size(j), j);
	}
	*meta_of(p, a) = (uint8_t)(ALLOCATED | k);
	p->free_bytes -= bsize;
	return b;
}

void kmem_free(struct kmem_pool *p, void *ptr, size_t size)
{
	size_t bsize = kmem_block_size(size);
	uintptr_t a = (uintptr_t)ptr, b;
	unsigned k;

	/*
	 * A bad free would poison the lists for every later caller, so a
	 * pointer and size that kmem_alloc did not hand out (foreign,
	 * misaligned, wrong size, already freed) are ignored.
	 */
	if (ptr == NULL || bsize == 0 || a < p->start || a >= p->end ||
	    (a & (bsize - 1)) != 0)
		return;
	k = order_of(bsize);
	if (*meta_of(p, a) != (ALLOCATED | k))
		return;

	*meta_of(p, a) = NOT_FREE;
	p->free_bytes += bsize;
	for (; k < KMEM_MAX_ORDER; k++) {
		b = a ^ order_size(k);
		/*
		 * meta[] says order k only at the head of a free block of
		 * exactly that size, which lies wholly inside the region.
		 */
		if (b < p->start || b >= p->end || *meta_of(p, b) != k)
			break;
		remove_free(p, (struct kmem_block *)b, k);
		a &= ~order_size(k);
	}
	push_free(p, a, k);
}

size_t kmem_free_bytes(const struct kmem_pool *p)
{
	return p->free_bytes;
}
