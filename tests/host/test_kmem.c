/*
 * kernel/kmem: the buddy allocator on a heap region that is deliberately
 * misaligned, so "aligned to its own size" has to come from the allocator
 * and not from malloc. A shadow map of 64-byte units records who owns
 * what, catching overlapping blocks; data written into blocks is checked
 * when they are freed, catching free-list links written over live data.
 *
 * No <string.h> here: -Ilib would find the firmware's lib/string.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kmem.h"

#define REGION		(256 * 1024 + 3000)
#define SKEW		(4096 + 64 * 5 + 13)	/* odd, and not page aligned */
#define MIN_BLOCK	64
#define MAX_BLOCK	16384
#define MAX_LIVE	8192

struct fixture {
	struct kmem_pool pool;
	uint8_t *mem;		/* from malloc */
	uint8_t *base;		/* what kmem_init was given */
	size_t size;
	size_t initial;		/* free bytes straight after init */
	unsigned max_blocks;	/* 16 KiB blocks straight after init */
};

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void *ptrs[MAX_LIVE];

/* Allocates until the pool says no, into ptrs[first...]; returns how many. */
static unsigned alloc_all(struct kmem_pool *p, size_t size, unsigned first)
{
	unsigned n = first;

	while (n < MAX_LIVE && (ptrs[n] = kmem_alloc(p, size)) != NULL)
		n++;
	assert_true(n < MAX_LIVE);
	return n - first;
}

static void free_all(struct kmem_pool *p, unsigned n, size_t size)
{
	while (n > 0)
		kmem_free(p, ptrs[--n], size);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->mem = malloc(REGION + SKEW);
	if (f->mem == NULL)
		return -1;
	f->base = f->mem + SKEW;
	f->size = REGION;
	if (kmem_init(&f->pool, f->base, f->size) != 0)
		return -1;
	f->initial = kmem_free_bytes(&f->pool);
	f->max_blocks = alloc_all(&f->pool, MAX_BLOCK, 0);
	free_all(&f->pool, f->max_blocks, MAX_BLOCK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static void check_block(const struct fixture *f, const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p, bsize = kmem_block_size(size);

	assert_non_null(p);
	assert_int_equal(a % bsize, 0);
	assert_true(a >= (uintptr_t)f->base);
	assert_true(a + bsize <= (uintptr_t)f->base + f->size);
}

static void test_block_size(void **state)
{
	(void)state;
	assert_int_equal(kmem_block_size(0), 0);
	assert_int_equal(kmem_block_size(1), 64);
	assert_int_equal(kmem_block_size(64), 64);
	assert_int_equal(kmem_block_size(65), 128);
	assert_int_equal(kmem_block_size(1000), 1024);
	assert_int_equal(kmem_block_size(4096), 4096);
	assert_int_equal(kmem_block_size(4097), 8192);
	assert_int_equal(kmem_block_size(16384), 16384);
	assert_int_equal(kmem_block_size(16385), 0);
	assert_int_equal(kmem_block_size((size_t)-1), 0);
}

static void test_init(void **state)
{
	struct fixture *f = *state;
	struct kmem_pool small;
	uint8_t *buf = aligned_alloc(64, 256);

	assert_non_null(buf);
	assert_int_equal(kmem_init(&small, buf, 0), -1);
	assert_int_equal(kmem_init(&small, buf, 64), -1);
	assert_int_equal(kmem_init(&small, buf + 1, 128), -1);
	/* Two units: one for meta[], one block. */
	assert_int_equal(kmem_init(&small, buf, 128), 0);
	assert_int_equal(kmem_free_bytes(&small), 64);
	assert_non_null(kmem_alloc(&small, 64));
	assert_null(kmem_alloc(&small, 64));
	free(buf);

	/* Metadata costs 1/64 plus alignment; nothing else is lost. */
	assert_true(f->initial <= f->size);
	assert_true(f->initial >= f->size - f->size / 64 - 2 * 64);
	assert_true(f->max_blocks >= 14);
}

static void test_invalid_sizes(void **state)
{
	struct fixture *f = *state;

	assert_null(kmem_alloc(&f->pool, 0));
	assert_null(kmem_alloc(&f->pool, MAX_BLOCK + 1));
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
}

static void test_alignment(void **state)
{
	struct fixture *f = *state;
	size_t sizes[MAX_LIVE];
	unsigned n = 0, round;
	size_t size;
	void *p;

	/* Fill the pool with every size class, several times over. */
	for (round = 0; round < 3; round++) {
		for (;;) {
			size = 1 + rnd() % (1u << (6 + rnd() % 9));
			p = kmem_alloc(&f->pool, size);
			if (p == NULL) {
				/* Too big now; go on until even 64 fails. */
				size = 1;
				p = kmem_alloc(&f->pool, size);
			}
			if (p == NULL)
				break;
			check_block(f, p, size);
			assert_true(n < MAX_LIVE);
			ptrs[n] = p;
			sizes[n++] = size;
		}
		assert_int_equal(kmem_free_bytes(&f->pool), 0);
		while (n > 0) {
			n--;
			kmem_free(&f->pool, ptrs[n], sizes[n]);
		}
		assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
	}
}

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	unsigned big, small;
	void *p;

	big = alloc_all(&f->pool, MAX_BLOCK, 0);
	assert_int_equal(big, f->max_blocks);
	assert_null(kmem_alloc(&f->pool, MAX_BLOCK));

	/* The edges that could not hold a 16 KiB block; then nothing. */
	small = alloc_all(&f->pool, MIN_BLOCK, big);
	assert_int_equal(kmem_free_bytes(&f->pool), 0);
	assert_null(kmem_alloc(&f->pool, 1));

	/* One small free makes exactly one small block available. */
	p = ptrs[big + small - 1];
	kmem_free(&f->pool, p, MIN_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), MIN_BLOCK);
	assert_null(kmem_alloc(&f->pool, 128));
	assert_ptr_equal(kmem_alloc(&f->pool, MIN_BLOCK), p);
	assert_null(kmem_alloc(&f->pool, 1));

	/* One big free makes one big block available again. */
	p = ptrs[0];
	kmem_free(&f->pool, p, MAX_BLOCK);
	assert_ptr_equal(kmem_alloc(&f->pool, MAX_BLOCK), p);
	assert_null(kmem_alloc(&f->pool, MAX_BLOCK));

	while (small > 0)
		kmem_free(&f->pool, ptrs[big + --small], MIN_BLOCK);
	while (big > 0)
		kmem_free(&f->pool, ptrs[--big], MAX_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
}

/* Everything as 64-byte blocks, freed in random order, must merge back. */
static void test_coalesce(void **state)
{
	struct fixture *f = *state;
	unsigned n, i, j;
	void *t;

	n = alloc_all(&f->pool, MIN_BLOCK, 0);
	assert_int_equal(n, f->initial / MIN_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), 0);
	assert_null(kmem_alloc(&f->pool, MAX_BLOCK));
	for (i = n - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		t = ptrs[i];
		ptrs[i] = ptrs[j];
		ptrs[j] = t;
	}
	free_all(&f->pool, n, MIN_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);

	n = alloc_all(&f->pool, MAX_BLOCK, 0);
	assert_int_equal(n, f->max_blocks);
	free_all(&f->pool, n, MAX_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
}

/*
 * Finds 64-byte buddies among ptrs[0..n) and moves them to ptrs[i] (the
 * lower) and ptrs[i + 1]; returns i.
 */
static unsigned find_pair(unsigned n)
{
	unsigned i, j;
	void *t;

	for (i = 0; i + 1 < n; i++) {
		if ((uintptr_t)ptrs[i] & 64)
			continue;
		for (j = 0; j < n; j++) {
			if ((uintptr_t)ptrs[j] == ((uintptr_t)ptrs[i] ^ 64))
				break;
		}
		if (j == n)
			continue;
		t = ptrs[i + 1];
		ptrs[i + 1] = ptrs[j];
		ptrs[j] = t;
		return i;
	}
	fail_msg("no pair of 64-byte buddies");
	return 0;
}

/* Wrong frees are ignored rather than corrupting the lists. */
static void test_bad_free(void **state)
{
	struct fixture *f = *state;
	uint8_t outside[64];
	unsigned n, lo;
	void *a;

	kmem_free(&f->pool, NULL, 64);
	kmem_free(&f->pool, outside, 64);
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);

	/*
	 * With everything allocated, a freed block's buddy is never free,
	 * so it stays a free block of its own for the second free to hit.
	 */
	n = alloc_all(&f->pool, MIN_BLOCK, 0);
	a = ptrs[n / 2];
	kmem_free(&f->pool, (uint8_t *)a + 1, 64);	/* misaligned */
	kmem_free(&f->pool, (uint8_t *)a + 64, 128);	/* wrong size */
	kmem_free(&f->pool, a, 0);			/* invalid size */
	assert_int_equal(kmem_free_bytes(&f->pool), 0);
	kmem_free(&f->pool, a, 64);
	kmem_free(&f->pool, a, 64);			/* double free */
	assert_int_equal(kmem_free_bytes(&f->pool), 64);
	assert_ptr_equal(kmem_alloc(&f->pool, 64), a);
	assert_null(kmem_alloc(&f->pool, 64));

	/* A block that merged into its lower buddy must not free twice. */
	lo = find_pair(n);
	kmem_free(&f->pool, ptrs[lo], 64);
	kmem_free(&f->pool, ptrs[lo + 1], 64);
	kmem_free(&f->pool, ptrs[lo + 1], 64);
	assert_int_equal(kmem_free_bytes(&f->pool), 128);
	assert_ptr_equal(kmem_alloc(&f->pool, 128), ptrs[lo]);
	kmem_free(&f->pool, ptrs[lo], 128);
	assert_ptr_equal(kmem_alloc(&f->pool, 64), ptrs[lo]);
	assert_ptr_equal(kmem_alloc(&f->pool, 64), ptrs[lo + 1]);

	free_all(&f->pool, n, MIN_BLOCK);
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
}

struct live {
	uint8_t *p;
	size_t size;
	uint32_t id;
};

static uint8_t pattern(uint32_t id, size_t i)
{
	return (uint8_t)(id * 131 + i * 7 + (i >> 8));
}

/* owner[] has one entry per 64-byte unit of the region. */
static void claim(const struct fixture *f, uint32_t *owner,
		  const struct live *l, uint32_t id)
{
	size_t first = (size_t)(l->p - f->base) / MIN_BLOCK;
	size_t units = kmem_block_size(l->size) / MIN_BLOCK, u;

	for (u = first; u < first + units; u++) {
		if (id != 0 && owner[u] != 0)
			fail_msg("block %u overlaps live block %u",
				 (unsigned)id, (unsigned)owner[u]);
		owner[u] = id;
	}
}

static void fill(const struct live *l)
{
	size_t i;

	for (i = 0; i < l->size; i++)
		l->p[i] = pattern(l->id, i);
}

static void verify(const struct live *l)
{
	size_t i;

	for (i = 0; i < l->size; i++) {
		if (l->p[i] != pattern(l->id, i))
			fail_msg("block %u corrupted at byte %zu",
				 (unsigned)l->id, i);
	}
}

/*
 * Every free byte must be reachable through the free lists: taking it all
 * as 64-byte blocks must yield exactly free_bytes, none of them on top of
 * a live block.
 */
static void drain_check(struct fixture *f, uint32_t *owner)
{
	struct kmem_pool *p = &f->pool;
	size_t before = kmem_free_bytes(p);
	struct live l = { NULL, MIN_BLOCK, UINT32_MAX };
	unsigned n, i;

	n = alloc_all(p, MIN_BLOCK, 0);
	assert_int_equal((size_t)n * MIN_BLOCK, before);
	for (i = 0; i < n; i++) {
		l.p = ptrs[i];
		claim(f, owner, &l, l.id);
	}
	for (i = 0; i < n; i++) {
		l.p = ptrs[i];
		claim(f, owner, &l, 0);
	}
	free_all(p, n, MIN_BLOCK);
	assert_int_equal(kmem_free_bytes(p), before);
}

static void test_random(void **state)
{
	struct fixture *f = *state;
	static struct live live[MAX_LIVE];
	uint32_t *owner = calloc(f->size / MIN_BLOCK + 1, sizeof(*owner));
	size_t used = 0, size;
	unsigned n = 0, step, i, nulls = 0;
	uint32_t next_id = 1;
	uint8_t *p;

	assert_non_null(owner);
	for (step = 0; step < 60000; step++) {
		if (n > 0 && (n == MAX_LIVE || rnd() % 100 >= 55)) {
			i = rnd() % n;
			verify(&live[i]);
			claim(f, owner, &live[i], 0);
			kmem_free(&f->pool, live[i].p, live[i].size);
			used -= kmem_block_size(live[i].size);
			live[i] = live[--n];
		} else {
			/* Sizes spread evenly over the orders. */
			size = 1 + rnd() % (1u << (6 + rnd() % 9));
			p = kmem_alloc(&f->pool, size);
			if (p == NULL) {
				nulls++;
				continue;
			}
			check_block(f, p, size);
			live[n] = (struct live){ p, size, next_id++ };
			claim(f, owner, &live[n], live[n].id);
			fill(&live[n]);
			used += kmem_block_size(size);
			n++;
		}
		assert_int_equal(kmem_free_bytes(&f->pool), f->initial - used);
		if (step % 2000 == 0)
			drain_check(f, owner);
	}
	/* The run must have pushed the pool to its limit now and then. */
	assert_true(nulls > 0);
	while (n > 0) {
		n--;
		verify(&live[n]);
		kmem_free(&f->pool, live[n].p, live[n].size);
	}
	assert_int_equal(kmem_free_bytes(&f->pool), f->initial);
	assert_int_equal(alloc_all(&f->pool, MAX_BLOCK, 0), f->max_blocks);
	free(owner);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_size),
		T(test_init),
		T(test_invalid_sizes),
		T(test_alignment),
		T(test_exhaustion),
		T(test_coalesce),
		T(test_bad_free),
		T(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
