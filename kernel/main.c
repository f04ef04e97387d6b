/*
 * kmain: from the boot code, with the MMU on and running at the kernel's
 * high address, to the first user thread.
 */
#include "sched.h"
#include "console.h"
#include "factory.h"
#include "gic.h"
#include "timer.h"
#include "mmu.h"
#include "pl011.h"
#include "memlayout.h"
#include "cpu.h"

extern char _kernel_end[];
extern struct kobj sched_object, platform_object;

void mode_stacks_init(void);
void root_task_start(uint32_t user_base, uint32_t user_end);

/* Benchmark kernels only: let user space read the cycle counter, which
 * under QEMU icount counts instructions. Normal kernels keep it private
 * (a fine-grained clock is a timing side channel). */
static void pmu_init(void)
{
#ifdef CONFIG_BENCH
	CP15_WRITE(c9, 0, c12, 0, 1u | 4u);       /* PMCR: enable, reset cycle counter */
	CP15_WRITE(c9, 0, c12, 1, 1u << 31);      /* PMCNTENSET: cycle counter */
	CP15_WRITE(c9, 0, c14, 0, 1u);            /* PMUSERENR: user access */
	kprintf("kernel: benchmark build, PMU readable from user mode\n");
#endif
}

void kmain(void)
{
	mode_stacks_init();
	mmu_init();
	console_init();
	kprintf("\nRTCR microkernel %s on %s (ARMv7-A)\n", KERNEL_VERSION, BOARD_NAME);

	pmu_init();
#ifdef CONFIG_FAULT_INJECT
	/* Test build only (tests/qemu/test_kernel_fault.py): show that a
	 * kernel fault is reported and stops the machine. */
	kprintf("kernel: fault-injection build, faulting on purpose\n");
	__asm__ volatile("mov r4, #0x44\n\tmov r12, #0x120\n\tstr r4, [%0]"
			 :: "r"(0xdead0000u) : "r4", "r12", "memory");
#endif
	gic_init(mmu_map_device(BOARD_GIC_DIST_BASE), mmu_map_device(BOARD_GIC_CPU_BASE));

	/* RAM after the image: first the kernel pool, then user memory. */
	uint32_t kpool = virt_to_phys(_kernel_end);
	uint32_t user_base = kpool + KMEM_POOL_SIZE;
	kernel_pool_init((void *)phys_to_virt(kpool), KMEM_POOL_SIZE);

	kobj_init(&sched_object, KOBJ_SCHED, NULL);
	kobj_init(&platform_object, KOBJ_PLATFORM, NULL);
	sched_init();
	timer_init(TICK_US);
	root_task_start(user_base, BOARD_RAM_BASE + BOARD_RAM_SIZE);

	gic_enable(BOARD_TIMER_IRQ);
	gic_enable(BOARD_UART_IRQ);
	pl011_rx_irq_enable();
	kernel_exit();
}
