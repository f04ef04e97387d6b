/*
 * GIC distributor and CPU interface (ARM IHI 0048B). One CPU, so every
 * shared interrupt is routed to CPU 0; all lines get one priority because the
 * kernel is not preemptible and handles one interrupt at a time.
 */
#include "gic.h"

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00

#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_BPR  0x08
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

static uintptr_t gicd, gicc;
static unsigned lines;

static inline void wr(uintptr_t base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static inline uint32_t rd(uintptr_t base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

void gic_init(uintptr_t dist, uintptr_t cpu)
{
	gicd = dist;
	gicc = cpu;
	wr(gicd, GICD_CTLR, 0);
	lines = ((rd(gicd, GICD_TYPER) & 0x1f) + 1) * 32;
	if (lines > 1020)
		lines = 1020;

	for (unsigned i = 0; i < lines; i += 32) {
		wr(gicd, GICD_ICENABLER + i / 8, 0xffffffffu);
		wr(gicd, GICD_ICPENDR + i / 8, 0xffffffffu);
	}
	for (unsigned i = 0; i < lines; i += 4)
		wr(gicd, GICD_IPRIORITYR + i, 0xa0a0a0a0u);
	for (unsigned i = 32; i < lines; i += 4)
		wr(gicd, GICD_ITARGETSR + i, 0x01010101u);
	for (unsigned i = 32; i < lines; i += 16)
		wr(gicd, GICD_ICFGR + i / 4, 0);   /* level triggered */
	wr(gicd, GICD_CTLR, 1);

	wr(gicc, GICC_PMR, 0xf0);
	wr(gicc, GICC_BPR, 0);
	wr(gicc, GICC_CTLR, 1);
}

unsigned gic_line_count(void)
{
	return lines;
}

void gic_enable(unsigned irq)
{
	if (irq < lines)
		wr(gicd, GICD_ISENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

void gic_disable(unsigned irq)
{
	if (irq < lines)
		wr(gicd, GICD_ICENABLER + (irq / 32) * 4, 1u << (irq % 32));
}

uint32_t gic_ack(void)
{
	return rd(gicc, GICC_IAR);
}

void gic_eoi(uint32_t iar)
{
	wr(gicc, GICC_EOIR, iar);
}
