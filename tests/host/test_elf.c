/*
 * lib/elf: images are built in memory, then broken one field at a time;
 * each break must be caught with the right code. A fuzz loop then feeds
 * thousands of randomly damaged images, each in a heap block of exactly
 * its size so ASan sees any read past the end.
 *
 * No <string.h> here: -Ilib would find the firmware's lib/string.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "elf.h"

#define LO 0x00001000u
#define HI 0x80000000u
#define IMG_MAX 8192

/* Field offsets in the file, for the tests that break one field. */
#define EH_IDENT_CLASS	4
#define EH_IDENT_DATA	5
#define EH_IDENT_VER	6
#define EH_TYPE		16
#define EH_MACHINE	18
#define EH_VERSION	20
#define EH_ENTRY	24
#define EH_PHOFF	28
#define EH_PHENTSIZE	42
#define EH_PHNUM	44
#define PH(i)		(52 + 32 * (i))
#define PH_TYPE		0
#define PH_OFFSET	4
#define PH_VADDR	8
#define PH_FILESZ	16
#define PH_MEMSZ	20
#define PH_FLAGS	24

#define PT_NULL		0
#define PT_LOAD		1
#define PT_INTERP	3
#define PT_NOTE		4

struct seg {
	uint32_t type, offset, vaddr, filesz, memsz, flags;
};

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v);
	wr16(p + 2, v >> 16);
}

static void copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n-- > 0)
		*dst++ = *src++;
}

/*
 * Writes a valid ELF header, the program headers right behind it and a
 * byte pattern as file data. Returns the image size: the end of the
 * furthest file range.
 */
static size_t build(uint8_t *img, uint32_t entry, const struct seg *segs,
		    unsigned n)
{
	size_t size = 52 + 32 * (size_t)n, i;
	unsigned k;

	for (i = 0; i < IMG_MAX; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	img[0] = 0x7f;
	img[1] = 'E';
	img[2] = 'L';
	img[3] = 'F';
	img[EH_IDENT_CLASS] = 1;
	img[EH_IDENT_DATA] = 1;
	img[EH_IDENT_VER] = 1;
	for (i = 7; i < 16; i++)
		img[i] = 0;
	wr16(img + EH_TYPE, 2);
	wr16(img + EH_MACHINE, 40);
	wr32(img + EH_VERSION, 1);
	wr32(img + EH_ENTRY, entry);
	wr32(img + EH_PHOFF, 52);
	wr32(img + 32, 0);		/* no section headers */
	wr32(img + 36, 0x05000000);	/* EABI version 5 */
	wr16(img + 40, 52);
	wr16(img + EH_PHENTSIZE, 32);
	wr16(img + EH_PHNUM, n);
	wr16(img + 46, 40);
	wr16(img + 48, 0);
	wr16(img + 50, 0);
	for (k = 0; k < n; k++) {
		uint8_t *ph = img + PH(k);

		wr32(ph + PH_TYPE, segs[k].type);
		wr32(ph + PH_OFFSET, segs[k].offset);
		wr32(ph + PH_VADDR, segs[k].vaddr);
		wr32(ph + 12, segs[k].vaddr);
		wr32(ph + PH_FILESZ, segs[k].filesz);
		wr32(ph + PH_MEMSZ, segs[k].memsz);
		wr32(ph + PH_FLAGS, segs[k].flags);
		wr32(ph + 28, 0x1000);
		if (segs[k].offset + (size_t)segs[k].filesz > size)
			size = segs[k].offset + (size_t)segs[k].filesz;
	}
	assert_true(size <= IMG_MAX);
	return size;
}

/* text, a note between the two loads (to check file-order indexing), data */
static const struct seg std_segs[] = {
	{ PT_LOAD, 0x100, 0x8000, 0x200, 0x200, ELF_PF_R | ELF_PF_X },
	{ PT_NOTE, 0x300, 0, 0x10, 0x10, ELF_PF_R },
	{ PT_LOAD, 0x400, 0x10000, 0x100, 0x2000, ELF_PF_R | ELF_PF_W },
};
#define STD_ENTRY 0x8010u
#define STD_SIZE 0x500u

static uint8_t img[IMG_MAX];

static size_t build_std(void)
{
	size_t size = build(img, STD_ENTRY, std_segs, 3);

	assert_int_equal(size, STD_SIZE);
	return size;
}

static int check(size_t size)
{
	uint32_t entry = 0;

	return elf_check(img, size, LO, HI, &entry);
}

static void set_ph(unsigned i, unsigned field, uint32_t v)
{
	wr32(img + PH(i) + field, v);
}

static void expect_segment(const void *image, size_t size, unsigned idx,
			   const struct seg *want)
{
	struct elf_segment s;

	assert_int_equal(elf_load_segment(image, size, idx, &s), ELF_OK);
	assert_int_equal(s.vaddr, want->vaddr);
	assert_int_equal(s.memsz, want->memsz);
	assert_int_equal(s.offset, want->offset);
	assert_int_equal(s.filesz, want->filesz);
	assert_int_equal(s.flags, want->flags);
}

static void test_accept(void **state)
{
	size_t size = build_std();
	struct elf_segment s;
	uint32_t entry = 0;

	(void)state;
	assert_int_equal(elf_check(img, size, LO, HI, &entry), ELF_OK);
	assert_int_equal(entry, STD_ENTRY);
	assert_int_equal(elf_check(img, size, LO, HI, NULL), ELF_OK);
	assert_int_equal(elf_load_count(img, size), 2);
	expect_segment(img, size, 0, &std_segs[0]);
	expect_segment(img, size, 1, &std_segs[2]);
	assert_int_equal(elf_load_segment(img, size, 2, &s), ELF_E_SEGMENT);
	assert_int_equal(elf_load_segment(img, size, 1000, &s), ELF_E_SEGMENT);
}

/* Fields are read with byte loads, so an odd address must not matter. */
static void test_unaligned(void **state)
{
	static uint8_t shifted[IMG_MAX + 3];
	size_t size = build_std();
	uint32_t entry = 0;
	unsigned off;

	(void)state;
	for (off = 1; off < 4; off++) {
		copy(shifted + off, img, size);
		assert_int_equal(elf_check(shifted + off, size, LO, HI, &entry),
				 ELF_OK);
		assert_int_equal(entry, STD_ENTRY);
		assert_int_equal(elf_load_count(shifted + off, size), 2);
		expect_segment(shifted + off, size, 1, &std_segs[2]);
	}
}

static void test_max_phdrs(void **state)
{
	struct seg segs[17];
	size_t size;
	unsigned i;

	(void)state;
	segs[0] = std_segs[0];
	segs[1] = std_segs[2];
	for (i = 2; i < 17; i++)
		segs[i] = (struct seg){ PT_NULL, 0, 0, 0, 0, 0 };
	size = build(img, STD_ENTRY, segs, 16);
	assert_int_equal(check(size), ELF_OK);
	assert_int_equal(elf_load_count(img, size), 2);

	size = build(img, STD_ENTRY, segs, 17);
	assert_int_equal(check(size), ELF_E_PHDR);
	assert_int_equal(elf_load_count(img, size), 0);
}

static void test_short(void **state)
{
	size_t size = build_std();
	uint32_t entry = 0;

	(void)state;
	assert_int_equal(elf_check(NULL, size, LO, HI, &entry), ELF_E_SHORT);
	assert_int_equal(check(0), ELF_E_SHORT);
	assert_int_equal(check(51), ELF_E_SHORT);
	/* Header complete, program header table cut in the middle. */
	assert_int_equal(check(PH(2) + 8), ELF_E_SHORT);
	assert_int_equal(elf_load_count(img, PH(2) + 8), 0);
	/* Table complete, a segment's file data cut. */
	assert_int_equal(check(size - 1), ELF_E_SEGMENT);
}

static void test_bad_ident(void **state)
{
	(void)state;
	build_std();
	img[0] = 0;
	assert_int_equal(check(STD_SIZE), ELF_E_MAGIC);
	build_std();
	img[3] = 'G';
	assert_int_equal(check(STD_SIZE), ELF_E_MAGIC);
	build_std();
	img[EH_IDENT_CLASS] = 2;	/* ELFCLASS64 */
	assert_int_equal(check(STD_SIZE), ELF_E_CLASS);
	build_std();
	img[EH_IDENT_DATA] = 2;		/* big-endian */
	assert_int_equal(check(STD_SIZE), ELF_E_CLASS);
	build_std();
	img[EH_IDENT_VER] = 0;
	assert_int_equal(check(STD_SIZE), ELF_E_CLASS);
	build_std();
	wr32(img + EH_VERSION, 2);
	assert_int_equal(check(STD_SIZE), ELF_E_CLASS);
}

static void test_bad_machine_type(void **state)
{
	(void)state;
	build_std();
	wr16(img + EH_MACHINE, 3);	/* x86 */
	assert_int_equal(check(STD_SIZE), ELF_E_MACHINE);
	build_std();
	wr16(img + EH_MACHINE, 183);	/* AArch64 */
	assert_int_equal(check(STD_SIZE), ELF_E_MACHINE);
	build_std();
	wr16(img + EH_TYPE, 3);		/* ET_DYN */
	assert_int_equal(check(STD_SIZE), ELF_E_TYPE);
	build_std();
	wr16(img + EH_TYPE, 1);		/* ET_REL */
	assert_int_equal(check(STD_SIZE), ELF_E_TYPE);
	build_std();
	set_ph(1, PH_TYPE, PT_INTERP);
	assert_int_equal(check(STD_SIZE), ELF_E_TYPE);
}

static void test_bad_phdr(void **state)
{
	(void)state;
	build_std();
	wr16(img + EH_PHENTSIZE, 56);
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	build_std();
	wr16(img + EH_PHENTSIZE, 0);
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	build_std();
	wr16(img + EH_PHNUM, 17);
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	build_std();
	wr16(img + EH_PHNUM, 0xffff);
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	build_std();
	wr32(img + EH_PHOFF, 0xfffffff0u);
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	assert_int_equal(elf_load_count(img, STD_SIZE), 0);
	build_std();
	wr32(img + EH_PHOFF, 0);	/* table on top of the header */
	assert_int_equal(check(STD_SIZE), ELF_E_PHDR);
	build_std();
	wr32(img + EH_PHOFF, STD_SIZE - 40);	/* runs off the end */
	assert_int_equal(check(STD_SIZE), ELF_E_SHORT);
}

static void test_no_load(void **state)
{
	struct seg note = { PT_NOTE, 0x100, 0, 0x10, 0x10, ELF_PF_R };
	size_t size;

	(void)state;
	size = build(img, STD_ENTRY, &note, 1);
	assert_int_equal(check(size), ELF_E_SEGMENT);
	assert_int_equal(elf_load_count(img, size), 0);
	size = build(img, STD_ENTRY, NULL, 0);
	assert_int_equal(check(size), ELF_E_SEGMENT);
}

static void test_bad_file_range(void **state)
{
	(void)state;
	/* offset + filesz wraps around 2^32 */
	build_std();
	set_ph(0, PH_OFFSET, 0xffffff00u);
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
	build_std();
	set_ph(2, PH_OFFSET, 0x480);	/* 0x480 + 0x100 > file */
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
	build_std();
	set_ph(2, PH_OFFSET, STD_SIZE + 1);
	set_ph(2, PH_FILESZ, 0);
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
	/* Ending exactly at the end of the file is fine. */
	build_std();
	set_ph(2, PH_OFFSET, STD_SIZE - 0x100);
	assert_int_equal(check(STD_SIZE), ELF_OK);
	build_std();
	set_ph(2, PH_FILESZ, 0x2001);	/* filesz > memsz */
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
	build_std();
	set_ph(0, PH_MEMSZ, 0x1ff);	/* filesz > memsz */
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
	build_std();
	set_ph(2, PH_FILESZ, 0);
	set_ph(2, PH_MEMSZ, 0);
	assert_int_equal(check(STD_SIZE), ELF_E_SEGMENT);
}

static void test_bad_address_range(void **state)
{
	uint32_t entry;

	(void)state;
	build_std();
	set_ph(2, PH_VADDR, 0);		/* below lo */
	assert_int_equal(check(STD_SIZE), ELF_E_RANGE);
	build_std();
	set_ph(2, PH_VADDR, HI);	/* starts at hi */
	assert_int_equal(check(STD_SIZE), ELF_E_RANGE);
	build_std();
	set_ph(2, PH_VADDR, HI - 0x1000);	/* 0x2000 bytes: past hi */
	assert_int_equal(check(STD_SIZE), ELF_E_RANGE);
	build_std();
	set_ph(2, PH_VADDR, HI - 0x2000);	/* ends exactly at hi */
	assert_int_equal(check(STD_SIZE), ELF_OK);
	/* vaddr + memsz wraps around 2^32 even with hi at the very top */
	build_std();
	set_ph(2, PH_VADDR, 0xfffff000u);
	assert_int_equal(elf_check(img, STD_SIZE, 0, 0xffffffffu, &entry),
			 ELF_E_RANGE);
	build_std();
	set_ph(2, PH_MEMSZ, 0xffffffffu);
	assert_int_equal(elf_check(img, STD_SIZE, 0, 0xffffffffu, &entry),
			 ELF_E_RANGE);
	/* An empty or inverted window admits nothing. */
	build_std();
	assert_int_equal(elf_check(img, STD_SIZE, HI, LO, &entry), ELF_E_RANGE);
	assert_int_equal(elf_check(img, STD_SIZE, LO, LO, &entry), ELF_E_RANGE);
}

static void test_overlap(void **state)
{
	(void)state;
	build_std();
	set_ph(2, PH_VADDR, 0x8100);	/* byte overlap with text */
	assert_int_equal(check(STD_SIZE), ELF_E_OVERLAP);
	build_std();
	set_ph(2, PH_VADDR, 0x8800);	/* disjoint, but shares text's page */
	assert_int_equal(check(STD_SIZE), ELF_E_OVERLAP);
	build_std();
	set_ph(2, PH_VADDR, 0x6000);	/* 0x6000..0x8000: ends on the page */
	assert_int_equal(check(STD_SIZE), ELF_OK);
	build_std();
	set_ph(2, PH_VADDR, 0x6001);	/* ...one byte later it does not */
	assert_int_equal(check(STD_SIZE), ELF_E_OVERLAP);
	build_std();
	set_ph(2, PH_VADDR, 0x9000);	/* next page */
	assert_int_equal(check(STD_SIZE), ELF_OK);
	build_std();
	set_ph(2, PH_VADDR, 0x7000);	/* wholly covers text */
	set_ph(2, PH_MEMSZ, 0x4000);
	assert_int_equal(check(STD_SIZE), ELF_E_OVERLAP);
}

static void test_entry(void **state)
{
	uint32_t entry = 0;

	(void)state;
	build_std();
	wr32(img + EH_ENTRY, 0x10000);	/* in data, which is not executable */
	assert_int_equal(check(STD_SIZE), ELF_E_ENTRY);
	build_std();
	wr32(img + EH_ENTRY, 0x4000);	/* in no segment */
	assert_int_equal(check(STD_SIZE), ELF_E_ENTRY);
	build_std();
	wr32(img + EH_ENTRY, 0x8200);	/* one past the end of text */
	assert_int_equal(check(STD_SIZE), ELF_E_ENTRY);
	build_std();
	wr32(img + EH_ENTRY, 0x81ff);	/* last byte of text */
	assert_int_equal(elf_check(img, STD_SIZE, LO, HI, &entry), ELF_OK);
	assert_int_equal(entry, 0x81ff);
	build_std();
	set_ph(0, PH_FLAGS, ELF_PF_R);	/* text loses its X */
	assert_int_equal(check(STD_SIZE), ELF_E_ENTRY);
}

static void test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = ELF_OK; i <= ELF_E_ENTRY; i++) {
		assert_non_null(elf_strerror(i));
		for (j = ELF_OK; j < i; j++)
			assert_string_not_equal(elf_strerror(i),
						elf_strerror(j));
	}
	assert_string_equal(elf_strerror(-1), "unknown ELF error");
	assert_string_equal(elf_strerror(ELF_E_ENTRY + 1), "unknown ELF error");
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Values that sit on the edges of the checks. */
static uint32_t interesting(size_t size)
{
	static const uint32_t v[] = {
		0, 1, 31, 32, 52, 0xfff, 0x1000, 0x7fffffff, 0x80000000u,
		0xfffff000u, 0xffffffe0u, 0xffffffffu, LO, HI, STD_ENTRY,
	};
	uint32_t n = sizeof(v) / sizeof(v[0]);
	uint32_t r = rnd() % (n + 3);

	if (r < n)
		return v[r];
	if (r == n)
		return (uint32_t)size;
	if (r == n + 1)
		return (uint32_t)size - (rnd() % 64);
	return rnd();
}

static void mutate(uint8_t *m, size_t size)
{
	unsigned k, n = 1 + rnd() % 8;
	size_t hot = size < PH(3) ? size : PH(3), pos;

	for (k = 0; k < n; k++) {
		/* Most damage where the checks are: header and phdrs. */
		pos = (rnd() % 4 != 0) ? rnd() % hot : rnd() % size;
		switch (rnd() % 4) {
		case 0:
			m[pos] = (uint8_t)rnd();
			break;
		case 1:
			m[pos] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		default:
			pos &= ~(size_t)3;
			if (pos + 4 <= size)
				wr32(m + pos, interesting(size));
			break;
		}
	}
}

/* What elf_check promised, verified independently. */
static void verify_ok(const uint8_t *m, size_t size, uint32_t entry)
{
	struct elf_segment s[16], dummy;
	unsigned n = elf_load_count(m, size), i, j;
	volatile uint8_t sink = 0;
	int entry_found = 0;
	uint32_t b;

	assert_true(n >= 1 && n <= 16);
	for (i = 0; i < n; i++) {
		assert_int_equal(elf_load_segment(m, size, i, &s[i]), ELF_OK);
		assert_true(s[i].memsz > 0);
		assert_true(s[i].filesz <= s[i].memsz);
		assert_true((uint64_t)s[i].offset + s[i].filesz <= size);
		assert_true(s[i].vaddr >= LO);
		assert_true((uint64_t)s[i].vaddr + s[i].memsz <= HI);
		/* Touch the whole file range: ASan checks it is real. */
		for (b = 0; b < s[i].filesz; b++)
			sink ^= m[s[i].offset + b];
		if ((s[i].flags & ELF_PF_X) && entry >= s[i].vaddr &&
		    entry - s[i].vaddr < s[i].memsz)
			entry_found = 1;
		for (j = 0; j < i; j++)
			assert_true(((s[i].vaddr + s[i].memsz - 1) >> 12) <
					    (s[j].vaddr >> 12) ||
				    ((s[j].vaddr + s[j].memsz - 1) >> 12) <
					    (s[i].vaddr >> 12));
	}
	assert_true(entry_found);
	assert_int_equal(elf_load_segment(m, size, n, &dummy), ELF_E_SEGMENT);
	(void)sink;
}

static void test_fuzz(void **state)
{
	unsigned seen[ELF_E_ENTRY + 1] = { 0 };
	struct elf_segment seg;
	size_t full = build_std(), size;
	unsigned i, k, n, kinds = 0;
	uint32_t entry;
	uint8_t *m;
	int st;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size = full;
		/* Sometimes cut the image short as well. */
		if (rnd() % 5 == 0)
			size = rnd() % (full + 1);
		m = malloc(size ? size : 1);
		assert_non_null(m);
		copy(m, img, size);
		if (size > 0)
			mutate(m, size);

		entry = 0;
		st = elf_check(m, size, LO, HI, &entry);
		assert_true(st >= ELF_OK && st <= ELF_E_ENTRY);
		seen[st]++;
		if (st == ELF_OK)
			verify_ok(m, size, entry);
		/* The walkers must be safe even on a rejected image. */
		n = elf_load_count(m, size);
		assert_true(n <= 16);
		for (k = 0; k <= n; k++)
			elf_load_segment(m, size, k, &seg);
		free(m);
	}
	for (i = 0; i <= ELF_E_ENTRY; i++)
		kinds += seen[i] != 0;
	/* A fuzzer that only ever hits one check is not testing much. */
	assert_true(seen[ELF_OK] > 100);
	assert_true(kinds >= 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_max_phdrs),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_machine_type),
		cmocka_unit_test(test_bad_phdr),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_bad_file_range),
		cmocka_unit_test(test_bad_address_range),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
