/*
 * ELF32 executable checking. The image comes from a boot module or from
 * user memory and may be hostile: every field is decoded with byte loads
 * (no alignment assumed) and every offset and size is range-checked in a
 * way that cannot wrap around before it is used.
 *
 * No libc and no string functions: this is linked into the kernel, the
 * root task and the host tests alike.
 */
#include <stddef.h>
#include <stdint.h>

#include "elf.h"

/* The on-file layouts (System V ABI, ELF32), decoded into host order. */
struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint32_t entry;
	uint32_t phoff;
	uint32_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf32_phdr {
	uint32_t type;
	uint32_t offset;
	uint32_t vaddr;
	uint32_t paddr;
	uint32_t filesz;
	uint32_t memsz;
	uint32_t flags;
	uint32_t align;
};

#define EHDR_SIZE	52
#define PHDR_SIZE	32
#define MAX_PHDRS	16
#define PAGE_SHIFT	12

#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS32	1
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_ARM		40

#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void read_ehdr(const uint8_t *p, struct elf32_ehdr *eh)
{
	int i;

	for (i = 0; i < 16; i++)
		eh->ident[i] = p[i];
	eh->type = rd16(p + 16);
	eh->machine = rd16(p + 18);
	eh->version = rd32(p + 20);
	eh->entry = rd32(p + 24);
	eh->phoff = rd32(p + 28);
	eh->shoff = rd32(p + 32);
	eh->flags = rd32(p + 36);
	eh->ehsize = rd16(p + 40);
	eh->phentsize = rd16(p + 42);
	eh->phnum = rd16(p + 44);
	eh->shentsize = rd16(p + 46);
	eh->shnum = rd16(p + 48);
	eh->shstrndx = rd16(p + 50);
}

/* Only after check_header has proved the table lies inside the image. */
static void read_phdr(const uint8_t *img, const struct elf32_ehdr *eh,
		      unsigned i, struct elf32_phdr *ph)
{
	const uint8_t *p = img + eh->phoff + (size_t)i * PHDR_SIZE;

	ph->type = rd32(p);
	ph->offset = rd32(p + 4);
	ph->vaddr = rd32(p + 8);
	ph->paddr = rd32(p + 12);
	ph->filesz = rd32(p + 16);
	ph->memsz = rd32(p + 20);
	ph->flags = rd32(p + 24);
	ph->align = rd32(p + 28);
}

static int check_ident(const uint8_t *id)
{
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ELF_E_MAGIC;
	if (id[EI_CLASS] != ELFCLASS32 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT)
		return ELF_E_CLASS;
	return ELF_OK;
}

/*
 * The checks every entry point needs before it may read a program header:
 * afterwards the whole table is known to lie inside the image.
 */
static int check_header(const void *image, size_t size, struct elf32_ehdr *eh)
{
	uint32_t table;
	int err;

	if (image == NULL || size < EHDR_SIZE)
		return ELF_E_SHORT;
	read_ehdr(image, eh);
	err = check_ident(eh->ident);
	if (err != ELF_OK)
		return err;
	if (eh->version != EV_CURRENT)
		return ELF_E_CLASS;
	if (eh->machine != EM_ARM)
		return ELF_E_MACHINE;
	if (eh->type != ET_EXEC)
		return ELF_E_TYPE;
	if (eh->phentsize != PHDR_SIZE || eh->phnum > MAX_PHDRS)
		return ELF_E_PHDR;

	/* At most 16 entries, so the table size itself cannot overflow. */
	table = (uint32_t)eh->phnum * PHDR_SIZE;
	if (table == 0)
		return ELF_OK;
	if (eh->phoff < EHDR_SIZE || eh->phoff > size)
		return ELF_E_PHDR;
	if (table > size - eh->phoff)
		return ELF_E_SHORT;
	return ELF_OK;
}

/* Subtractions only, each guarded, so no sum can wrap. */
static int check_segment(const struct elf32_phdr *ph, size_t size,
			 uint32_t lo, uint32_t hi)
{
	if (ph->memsz == 0 || ph->filesz > ph->memsz)
		return ELF_E_SEGMENT;
	if (ph->offset > size || ph->filesz > size - ph->offset)
		return ELF_E_SEGMENT;
	if (ph->vaddr < lo || ph->vaddr >= hi || ph->memsz > hi - ph->vaddr)
		return ELF_E_RANGE;
	return ELF_OK;
}

static void to_segment(const struct elf32_phdr *ph, struct elf_segment *seg)
{
	seg->vaddr = ph->vaddr;
	seg->memsz = ph->memsz;
	seg->offset = ph->offset;
	seg->filesz = ph->filesz;
	seg->flags = ph->flags & (ELF_PF_X | ELF_PF_W | ELF_PF_R);
}

/*
 * Segments are mapped with page granularity, so two that merely share a
 * page would fight over its permissions and contents. Compare first and
 * last page numbers: memsz > 0 and the range was checked not to wrap.
 */
static int pages_overlap(const struct elf_segment *a,
			 const struct elf_segment *b)
{
	uint32_t a_first = a->vaddr >> PAGE_SHIFT;
	uint32_t a_last = (a->vaddr + (a->memsz - 1)) >> PAGE_SHIFT;
	uint32_t b_first = b->vaddr >> PAGE_SHIFT;
	uint32_t b_last = (b->vaddr + (b->memsz - 1)) >> PAGE_SHIFT;

	return a_first <= b_last && b_first <= a_last;
}

static int entry_ok(const struct elf_segment *segs, unsigned n,
		    uint32_t entry)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if ((segs[i].flags & ELF_PF_X) && entry >= segs[i].vaddr &&
		    entry - segs[i].vaddr < segs[i].memsz)
			return 1;
	}
	return 0;
}

int elf_check(const void *image, size_t size, uint32_t lo, uint32_t hi,
	      uint32_t *entry)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	struct elf_segment segs[MAX_PHDRS];
	unsigned i, j, n = 0;
	int err;

	err = check_header(image, size, &eh);
	if (err != ELF_OK)
		return err;
	for (i = 0; i < eh.phnum; i++) {
		read_phdr(image, &eh, i, &ph);
		/* We load static images only; an interpreter would be ignored. */
		if (ph.type == PT_DYNAMIC || ph.type == PT_INTERP)
			return ELF_E_TYPE;
		if (ph.type != PT_LOAD)
			continue;
		err = check_segment(&ph, size, lo, hi);
		if (err != ELF_OK)
			return err;
		to_segment(&ph, &segs[n]);
		for (j = 0; j < n; j++) {
			if (pages_overlap(&segs[j], &segs[n]))
				return ELF_E_OVERLAP;
		}
		n++;
	}
	if (n == 0)
		return ELF_E_SEGMENT;
	if (!entry_ok(segs, n, eh.entry))
		return ELF_E_ENTRY;
	if (entry != NULL)
		*entry = eh.entry;
	return ELF_OK;
}

/*
 * The two walkers below re-run the header checks, so even a caller that
 * skipped elf_check cannot make them read outside the image.
 */
unsigned elf_load_count(const void *image, size_t size)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	unsigned i, n = 0;

	if (check_header(image, size, &eh) != ELF_OK)
		return 0;
	for (i = 0; i < eh.phnum; i++) {
		read_phdr(image, &eh, i, &ph);
		if (ph.type == PT_LOAD)
			n++;
	}
	return n;
}

int elf_load_segment(const void *image, size_t size, unsigned idx,
		     struct elf_segment *seg)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	unsigned i, n = 0;
	int err;

	err = check_header(image, size, &eh);
	if (err != ELF_OK)
		return err;
	for (i = 0; i < eh.phnum; i++) {
		read_phdr(image, &eh, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		if (n++ == idx) {
			to_segment(&ph, seg);
			return ELF_OK;
		}
	}
	return ELF_E_SEGMENT;
}

const char *elf_strerror(int status)
{
	static const char *const msg[] = {
		[ELF_OK] = "ok",
		[ELF_E_SHORT] = "image truncated",
		[ELF_E_MAGIC] = "not an ELF image",
		[ELF_E_CLASS] = "not 32-bit little-endian ELF version 1",
		[ELF_E_MACHINE] = "not an ARM image",
		[ELF_E_TYPE] = "not a static executable",
		[ELF_E_PHDR] = "bad program header table",
		[ELF_E_SEGMENT] = "bad or missing loadable segment",
		[ELF_E_RANGE] = "segment outside the allowed addresses",
		[ELF_E_OVERLAP] = "segments overlap",
		[ELF_E_ENTRY] = "entry point not in an executable segment",
	};

	if (status < 0 || (unsigned)status >= sizeof(msg) / sizeof(msg[0]))
		return "unknown ELF error";
	return msg[status];
}
