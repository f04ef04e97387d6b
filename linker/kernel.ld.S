/*
 * Kernel image: linked at KERNEL_VBASE + KERNEL_LOAD_OFFSET, loaded at the
 * same offset in physical RAM. The ELF entry is the physical address of
 * _start, because QEMU and boot loaders jump there with the MMU off.
 */
#include "memlayout.h"

OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start_phys)

SECTIONS
{
	. = KERNEL_VBASE + KERNEL_LOAD_OFFSET;
	_kernel_start = .;

	.text : AT(ADDR(.text) - PHYS_VIRT_OFFSET) {
		KEEP(*(.text.boot))
		*(.text .text.*)
	}
	.rodata : AT(ADDR(.rodata) - PHYS_VIRT_OFFSET) {
		*(.rodata .rodata.*)
	}
	/* Boot modules (root task first), each page aligned: they are mapped,
	 * not copied, into the root task. */
	.modules : AT(ADDR(.modules) - PHYS_VIRT_OFFSET) ALIGN(4096) {
		KEEP(*(.modules))
	}
	.data : AT(ADDR(.data) - PHYS_VIRT_OFFSET) ALIGN(4096) {
		*(.data .data.*)
	}
	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		__bss_end = .;
	}
	. = ALIGN(16384);
	_kernel_end = .;

	_start_phys = _start - PHYS_VIRT_OFFSET;

	/DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) *(.note*) }
}
