/*
 * After start.S: user addresses (below 2 GiB) are translated through TTBR0,
 * one table per task; kernel addresses through TTBR1, the boot table. Device
 * registers get 1 MiB device sections at DEVICE_VBASE, handed out on demand.
 */
#include "mmu.h"
#include "memlayout.h"
#include "cpu.h"
#include "kernel.h"

#define SECT_DEVICE 0x00416u     /* section, shareable device, XN, kernel RW */
#define TTBR_WALK_ATTR 0x4au     /* table walks: inner/outer WBWA, shareable */

extern uint32_t boot_l1_table[4096];
static uintptr_t next_device_va = DEVICE_VBASE;

static uint32_t kernel_l1_phys(void)
{
	return virt_to_phys(boot_l1_table);
}

void mmu_init(void)
{
	/* The identity map was only needed to turn the MMU on. */
	uint32_t first = BOARD_RAM_BASE >> 20;
	for (uint32_t i = 0; i < (BOARD_RAM_SIZE >> 20); i++)
		if (first + i < (KERNEL_VBASE >> 20))
			boot_l1_table[first + i] = 0;
	cache_clean_range(boot_l1_table, sizeof(uint32_t) * 4096);

	/* TTBCR.N = 1: TTBR0 covers [0, 2 GiB), TTBR1 the rest. Until a task
	 * runs, TTBR0 walks are disabled (PD0). */
	CP15_WRITE(c2, 0, c0, 1, kernel_l1_phys() | TTBR_WALK_ATTR);
	CP15_WRITE(c2, 0, c0, 2, 1u | (1u << 4));
	isb();
	CP15_WRITE(c8, 0, c7, 0, 0);   /* TLBIALL */
	dsb();
	isb();
}

#define KERNEL_DEVICE_PAGES 8
static uint32_t kernel_device_pages[KERNEL_DEVICE_PAGES];
static unsigned kernel_device_count;

bool mmu_is_kernel_device(uint32_t phys)
{
	for (unsigned i = 0; i < kernel_device_count; i++)
		if (kernel_device_pages[i] == (phys & ~0xfffu))
			return true;
	return false;
}

uintptr_t mmu_map_device(uint32_t phys)
{
	if (!mmu_is_kernel_device(phys)) {
		kassert(kernel_device_count < KERNEL_DEVICE_PAGES);
		kernel_device_pages[kernel_device_count++] = phys & ~0xfffu;
	}
	uint32_t sect = phys & ~0xfffffu;
	for (uintptr_t va = DEVICE_VBASE; va < next_device_va; va += 0x100000)
		if ((boot_l1_table[va >> 20] & ~0xfffffu) == sect)
			return va + (phys & 0xfffff);
	if (next_device_va >= DEVICE_VTOP)
		panic("device window full mapping %08x", (unsigned)phys);
	uintptr_t va = next_device_va;
	next_device_va += 0x100000;
	boot_l1_table[va >> 20] = sect | SECT_DEVICE;
	cache_clean_range(&boot_l1_table[va >> 20], 4);
	CP15_WRITE(c8, 0, c7, 1, va);  /* TLBIMVA */
	dsb();
	isb();
	return va + (phys & 0xfffff);
}

void mmu_switch_user(uint32_t l1_phys, unsigned asid)
{
	/* Through the reserved ASID 0, so no walk ever pairs the new table with
	 * the old ASID or the other way round (ARM ARM B3.10.4). */
	CP15_WRITE(c13, 0, c0, 1, 0);
	isb();
	CP15_WRITE(c2, 0, c0, 0, l1_phys | TTBR_WALK_ATTR);
	CP15_WRITE(c2, 0, c0, 2, 1u);   /* TTBCR: N = 1, TTBR0 walks on */
	isb();
	CP15_WRITE(c13, 0, c0, 1, asid);
	isb();
}

void tlb_flush_page(uint32_t va, unsigned asid)
{
	dsb();
	CP15_WRITE(c8, 0, c3, 1, (va & ~0xfffu) | (asid & 0xff));  /* TLBIMVAIS */
	CP15_WRITE(c7, 0, c5, 6, 0);                               /* BPIALL */
	dsb();
	isb();
}

void tlb_flush_asid(unsigned asid)
{
	dsb();
	CP15_WRITE(c8, 0, c3, 2, asid & 0xff);   /* TLBIASIDIS */
	dsb();
	isb();
}

/* Every entry of every ASID, on every core: for a page table entry changed
 * in a space whose ASID and address are not at hand (a mapping found
 * through the mapping database). */
void tlb_flush_all(void)
{
	dsb();
	CP15_WRITE(c8, 0, c3, 0, 0);   /* TLBIALLIS */
	CP15_WRITE(c7, 0, c5, 6, 0);   /* BPIALL */
	dsb();
	isb();
}

void cache_clean_range(const void *start, uint32_t size)
{
	/* Page-table walks may not snoop the L1 data cache (Cortex-A9). */
	uintptr_t a = (uintptr_t)start & ~31u, end = (uintptr_t)start + size;
	for (; a < end; a += 32)
		CP15_WRITE(c7, 0, c11, 1, a);   /* DCCMVAU */
	dsb();
}

void cache_sync_icache(void)
{
	CP15_WRITE(c7, 0, c5, 0, 0);   /* ICIALLU */
	CP15_WRITE(c7, 0, c5, 6, 0);   /* BPIALL */
	dsb();
	isb();
}
