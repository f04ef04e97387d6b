/*
 * Checking and walking ELF32 little-endian ARM executables. The kernel
 * uses it to load the root task and the root task to load its children,
 * so an image is never trusted: elf_check proves every offset and size
 * stays inside the buffer and inside the allowed address range before a
 * loader touches anything.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

/* One PT_LOAD segment: copy filesz bytes from offset, zero the rest. */
struct elf_segment {
	uint32_t vaddr, memsz, offset, filesz, flags;
};

enum elf_status {
	ELF_OK = 0,
	ELF_E_SHORT,	/* image ends before the header or program headers */
	ELF_E_MAGIC,	/* not an ELF file */
	ELF_E_CLASS,	/* not 32-bit, little-endian, version 1 */
	ELF_E_MACHINE,	/* not ARM */
	ELF_E_TYPE,	/* not a static executable (ET_EXEC) */
	ELF_E_PHDR,	/* program header table malformed */
	ELF_E_SEGMENT,	/* a PT_LOAD is malformed, or there is none */
	ELF_E_RANGE,	/* a segment lies outside [lo, hi) */
	ELF_E_OVERLAP,	/* two segments share a page */
	ELF_E_ENTRY,	/* entry point not in an executable segment */
};

const char *elf_strerror(int status);

/*
 * Checks the header and every program header. On success stores the entry
 * point in *entry and returns ELF_OK. PT_LOAD segments must lie within the
 * image (file part) and within [lo, hi) (memory part), have
 * 0 < memsz, filesz <= memsz, and not share a 4 KiB page with each other.
 */
int elf_check(const void *image, size_t size, uint32_t lo, uint32_t hi,
	      uint32_t *entry);

/* After elf_check succeeded: the PT_LOAD segments, in file order. */
unsigned elf_load_count(const void *image, size_t size);
int elf_load_segment(const void *image, size_t size, unsigned idx,
		     struct elf_segment *seg);

#endif
