/*
 * PCI bus 0 through ECAM (pci.h). What firmware does on a PC, done by the
 * driver task: find the functions, size their BARs, hand out I/O ports,
 * route interrupts, enable decoding.
 */
#include "pci.h"
#include "stdio.h"

/* The first 4 KiB of I/O space is where legacy (ISA) devices decode;
 * PCI firmware leaves it alone, and so do we. */
#define PCI_IO_FIRST 0x1000u

void pci_host_init(struct pci_host *h, void *ecam, void *io, uint32_t io_size,
		   unsigned intx_base)
{
	h->ecam = ecam;
	h->io = io;
	h->io_next = io_size > PCI_IO_FIRST ? PCI_IO_FIRST : 0;
	h->io_end = io_size;
	h->intx_base = intx_base;
	h->ndev = 0;
}

/* ---- configuration space ----------------------------------------------------- */

/* ECAM: each function's 4 KiB of registers at (slot << 15 | func << 12). */
static volatile uint8_t *cfg(const struct pci_host *h, unsigned slot, unsigned func,
			     unsigned off)
{
	return h->ecam + ((slot & 31u) << 15 | (func & 7u) << 12 | (off & 0xfffu));
}

uint32_t pci_cfg_read32(const struct pci_host *h, unsigned slot, unsigned func, unsigned off)
{
	return *(volatile uint32_t *)cfg(h, slot, func, off & ~3u);
}

uint16_t pci_cfg_read16(const struct pci_host *h, unsigned slot, unsigned func, unsigned off)
{
	return (uint16_t)(pci_cfg_read32(h, slot, func, off) >> (8 * (off & 2)));
}

uint8_t pci_cfg_read8(const struct pci_host *h, unsigned slot, unsigned func, unsigned off)
{
	return (uint8_t)(pci_cfg_read32(h, slot, func, off) >> (8 * (off & 3)));
}

void pci_cfg_write32(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		     uint32_t v)
{
	*(volatile uint32_t *)cfg(h, slot, func, off & ~3u) = v;
}

/* Narrow writes are real narrow writes: a read-modify-write of the whole
 * word would write back the status register's write-1-to-clear bits. */
void pci_cfg_write16(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		     uint16_t v)
{
	*(volatile uint16_t *)cfg(h, slot, func, off & ~1u) = v;
}

void pci_cfg_write8(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		    uint8_t v)
{
	*cfg(h, slot, func, off) = v;
}

/* ---- I/O space ----------------------------------------------------------------- */

uint8_t pci_io_read8(const struct pci_host *h, uint32_t port)
{
	return h->io[port];
}

void pci_io_write8(const struct pci_host *h, uint32_t port, uint8_t v)
{
	h->io[port] = v;
}

uint32_t pci_io_read32(const struct pci_host *h, uint32_t port)
{
	return *(volatile uint32_t *)(h->io + (port & ~3u));
}

void pci_io_write32(const struct pci_host *h, uint32_t port, uint32_t v)
{
	*(volatile uint32_t *)(h->io + (port & ~3u)) = v;
}

/* ---- enumeration --------------------------------------------------------------- */

/* A BAR's size: write all ones, read back which address bits stick at
 * zero, put the old value back. The caller has turned decoding off, so the
 * device does not answer at the all-ones address meanwhile. */
static uint32_t bar_probe(const struct pci_host *h, const struct pci_dev *d, unsigned i)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t old = pci_cfg_read32(h, d->slot, d->func, off);
	pci_cfg_write32(h, d->slot, d->func, off, 0xffffffffu);
	uint32_t mask = pci_cfg_read32(h, d->slot, d->func, off);
	pci_cfg_write32(h, d->slot, d->func, off, old);
	return mask;
}

/* Size BAR i; returns how many BAR registers it takes (2 for 64 bits). */
static unsigned bar_size(const struct pci_host *h, struct pci_dev *d, unsigned i)
{
	struct pci_bar *b = &d->bar[i];
	uint32_t mask = bar_probe(h, d, i);
	if (mask == 0 || mask == 0xffffffffu)   /* not implemented, or nothing answers */
		return 1;
	if (mask & 1) {
		/* I/O: bits 31..2 are the address. A device that decodes only
		 * 16 bits of port address reads the upper half back as zero. */
		uint32_t a = mask & ~3u;
		if (!(a >> 16))
			a |= 0xffff0000u;
		b->kind = PCI_BAR_IO;
		b->size = (uint32_t)(~a + 1);
		return 1;
	}
	b->prefetch = mask & 8;
	uint64_t a = mask & ~0xfu;
	unsigned regs = 1;
	if ((mask >> 1 & 3) == 2 && i + 1 < PCI_BARS) {
		a |= (uint64_t)bar_probe(h, d, i + 1) << 32;
		b->kind = PCI_BAR_MEM64;
		regs = 2;
	} else {
		a |= 0xffffffff00000000ull;
		b->kind = PCI_BAR_MEM32;
	}
	b->size = ~a + 1;
	return regs;
}

static void size_bars(const struct pci_host *h, struct pci_dev *d)
{
	unsigned nbars = d->header == PCI_HEADER_NORMAL ? PCI_BARS :
			 d->header == PCI_HEADER_BRIDGE ? 2 : 0;
	uint16_t cmd = pci_cfg_read16(h, d->slot, d->func, PCI_COMMAND);
	pci_cfg_write16(h, d->slot, d->func, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars; i += bar_size(h, d, i))
		;
	pci_cfg_write16(h, d->slot, d->func, PCI_COMMAND, cmd);
}

static void add_function(struct pci_host *h, unsigned slot, unsigned func)
{
	if (h->ndev == PCI_DEVS_MAX) {
		printf("pci: more than %u functions on bus 0; 00:%02x.%u and later ignored\n",
		       PCI_DEVS_MAX, slot, func);
		return;
	}
	struct pci_dev *d = &h->dev[h->ndev++];
	uint32_t id = pci_cfg_read32(h, slot, func, PCI_VENDOR_ID);
	uint32_t cr = pci_cfg_read32(h, slot, func, PCI_CLASS_REV);
	uint8_t ht = pci_cfg_read8(h, slot, func, PCI_HEADER_TYPE);
	*d = (struct pci_dev){ .slot = (uint8_t)slot, .func = (uint8_t)func };
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->class_code = cr >> 8;
	d->revision = (uint8_t)cr;
	d->header = ht & 0x7f;
	d->multifunction = ht & 0x80;
	d->pin = pci_cfg_read8(h, slot, func, PCI_INTERRUPT_PIN);
	if (d->pin > 4)
		d->pin = 0;
	d->irq = d->pin ? pci_intx_irq(h, slot, d->pin) : 0;
	if (d->header == PCI_HEADER_BRIDGE)
		printf("pci: 00:%02x.%u is a bridge; the bus behind it is not scanned\n", slot, func);
	size_bars(h, d);
}

unsigned pci_scan(struct pci_host *h)
{
	h->ndev = 0;
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++) {
		if (pci_cfg_read16(h, slot, 0, PCI_VENDOR_ID) == 0xffff)
			continue;
		/* Functions 1-7 exist only on a multifunction device. */
		bool multi = pci_cfg_read8(h, slot, 0, PCI_HEADER_TYPE) & 0x80;
		for (unsigned func = 0; func < (multi ? PCI_FUNCS : 1u); func++)
			if (pci_cfg_read16(h, slot, func, PCI_VENDOR_ID) != 0xffff)
				add_function(h, slot, func);
	}
	return h->ndev;
}

unsigned pci_intx_irq(const struct pci_host *h, unsigned slot, unsigned pin)
{
	return h->intx_base + (slot + pin - 1) % 4;
}

/* ---- assignment ------------------------------------------------------------------ */

/* I/O BARs are naturally aligned powers of two, at least 4 bytes. */
static bool io_assign(struct pci_host *h, const struct pci_dev *d, unsigned i, struct pci_bar *b)
{
	uint32_t size = (uint32_t)b->size, at = (h->io_next + size - 1) & ~(size - 1);
	if (size < 4 || (size & (size - 1)) || at < h->io_next || at > h->io_end ||
	    h->io_end - at < size) {
		printf("pci: 00:%02x.%u BAR%u: no room for %u I/O ports\n", d->slot, d->func, i,
		       (unsigned)size);
		return false;
	}
	pci_cfg_write32(h, d->slot, d->func, PCI_BAR0 + 4 * i, at);
	b->addr = at;
	b->assigned = true;
	h->io_next = at + size;
	return true;
}

unsigned pci_assign(struct pci_host *h)
{
	unsigned left = 0;
	for (unsigned n = 0; n < h->ndev; n++) {
		struct pci_dev *d = &h->dev[n];
		for (unsigned i = 0; i < PCI_BARS; i++) {
			struct pci_bar *b = &d->bar[i];
			if (b->kind == PCI_BAR_IO) {
				left += !io_assign(h, d, i, b);
			} else if (b->kind != PCI_BAR_NONE) {
				printf("pci: 00:%02x.%u BAR%u: %u KiB of memory left unassigned "
				       "(no memory window is mapped)\n", d->slot, d->func, i,
				       (unsigned)((b->size + 1023) >> 10));
				left++;
			}
		}
		if (d->irq && d->header == PCI_HEADER_NORMAL)
			pci_cfg_write8(h, d->slot, d->func, PCI_INTERRUPT_LINE, (uint8_t)d->irq);
	}
	return left;
}

void pci_enable(const struct pci_host *h, const struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(h, d->slot, d->func, PCI_COMMAND);
	for (unsigned i = 0; i < PCI_BARS; i++) {
		if (!d->bar[i].assigned)
			continue;
		cmd |= d->bar[i].kind == PCI_BAR_IO ? PCI_CMD_IO : PCI_CMD_MEM;
	}
	cmd |= PCI_CMD_MASTER;
	cmd &= ~PCI_CMD_INTX_OFF;
	pci_cfg_write16(h, d->slot, d->func, PCI_COMMAND, cmd);
}

struct pci_dev *pci_find(struct pci_host *h, uint16_t vendor, uint16_t device, unsigned *from)
{
	for (; *from < h->ndev; (*from)++) {
		struct pci_dev *d = &h->dev[*from];
		if (d->vendor == vendor && d->device == device) {
			(*from)++;
			return d;
		}
	}
	return NULL;
}
