/* The kernel's own address space (upper half, TTBR1). */
#ifndef MMU_H
#define MMU_H

#include <stdint.h>
#include <stdbool.h>

void mmu_init(void);                 /* split TTBR0/TTBR1, drop the identity map */
uintptr_t mmu_map_device(uint32_t phys);   /* kernel VA of a device register */
bool mmu_is_kernel_device(uint32_t phys);  /* a page the kernel drives itself */
void mmu_switch_user(uint32_t l1_phys, unsigned asid);  /* TTBR0 + ASID */
void tlb_flush_page(uint32_t va, unsigned asid);
void tlb_flush_asid(unsigned asid);
void tlb_flush_all(void);             /* all ASIDs, inner shareable */
void cache_clean_range(const void *start, uint32_t size);  /* to the point of unification */
void cache_sync_icache(void);

#endif
