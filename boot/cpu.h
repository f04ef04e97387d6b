/* ARMv7-A system registers and barriers used by the kernel. */
#ifndef CPU_H
#define CPU_H

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f
#define MODE_MASK 0x1f
#define PSR_T (1u << 5)
#define PSR_F (1u << 6)
#define PSR_I (1u << 7)

#ifndef __ASSEMBLER__
#include <stdint.h>

#define CP15_READ(crn, op1, crm, op2) ({ uint32_t v_; \
	__asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_)); v_; })
#define CP15_WRITE(crn, op1, crm, op2, v) \
	__asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")

static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi"); }

/* Fault status and address registers. */
static inline uint32_t read_dfsr(void) { return CP15_READ(c5, 0, c0, 0); }
static inline uint32_t read_ifsr(void) { return CP15_READ(c5, 0, c0, 1); }
static inline uint32_t read_dfar(void) { return CP15_READ(c6, 0, c0, 0); }
static inline uint32_t read_ifar(void) { return CP15_READ(c6, 0, c0, 2); }

static inline uint32_t read_mpidr(void) { return CP15_READ(c0, 0, c0, 5); }

/* PMU cycle counter; under QEMU icount it counts guest instructions. */
static inline uint32_t read_pmccntr(void) { return CP15_READ(c9, 0, c13, 0); }
#endif

#endif
