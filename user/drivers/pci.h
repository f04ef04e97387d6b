/*
 * PCI for a user-level driver on a board without firmware to set PCI up
 * (QEMU virt): configuration space through ECAM, bus 0 only; enumeration;
 * BAR sizing and assignment of I/O BARs from the host bridge's I/O window;
 * the command register; INTx pins to GIC interrupts.
 *
 * Library code linked into the driver task (user/can), not the kernel: it
 * works on the windows the task has mapped (io_mem sessions) and keeps no
 * state outside struct pci_host.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdint.h>
#include <stdbool.h>

#define PCI_SLOTS     32u
#define PCI_FUNCS     8u
#define PCI_BARS      6u
#define PCI_DEVS_MAX  32u
#define PCI_ECAM_BUS_SIZE 0x100000u   /* one bus: 32 slots x 8 functions x 4 KiB */

/* Configuration space registers (header type 0 unless noted). */
#define PCI_VENDOR_ID     0x00   /* 16 bits; 0xffff: no function there */
#define PCI_DEVICE_ID     0x02
#define PCI_COMMAND       0x04   /* 16 bits */
#define PCI_STATUS        0x06
#define PCI_CLASS_REV     0x08   /* class code << 8 | revision */
#define PCI_HEADER_TYPE   0x0e   /* bit 7: multifunction device */
#define PCI_BAR0          0x10
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d   /* 1..4 = INTA..INTD, 0 = none */

#define PCI_CMD_IO        0x0001u
#define PCI_CMD_MEM       0x0002u
#define PCI_CMD_MASTER    0x0004u
#define PCI_CMD_INTX_OFF  0x0400u

#define PCI_HEADER_NORMAL 0x00
#define PCI_HEADER_BRIDGE 0x01

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	uint8_t kind;         /* enum pci_bar_kind */
	bool prefetch;
	bool assigned;
	uint32_t addr;        /* I/O: port number; memory: bus address (if assigned) */
	uint64_t size;        /* bytes; 0 for PCI_BAR_NONE */
};

struct pci_dev {
	uint8_t slot, func;
	uint16_t vendor, device;
	uint32_t class_code;  /* base class << 16 | subclass << 8 | programming interface */
	uint8_t revision;
	uint8_t header;       /* header type without the multifunction bit */
	bool multifunction;
	uint8_t pin;          /* 1..4 = INTA..INTD, 0 none */
	unsigned irq;         /* the GIC interrupt the pin reaches, 0 none */
	struct pci_bar bar[PCI_BARS];
};

struct pci_host {
	volatile uint8_t *ecam;   /* bus 0's configuration space, mapped */
	volatile uint8_t *io;     /* the I/O window, mapped: port p at io + p */
	uint32_t io_next, io_end; /* ports still free for I/O BARs */
	unsigned intx_base;       /* GIC interrupt of INTA at slot 0 */
	unsigned ndev;
	struct pci_dev dev[PCI_DEVS_MAX];
};

/* ecam: bus 0's 1 MiB; io: the I/O window of io_size bytes (ports from 0);
 * intx_base: where INTA of slot 0 lands on the GIC (the host bridge rotates
 * INTA-D by slot, the standard swizzle). */
void pci_host_init(struct pci_host *h, void *ecam, void *io, uint32_t io_size,
		   unsigned intx_base);

uint32_t pci_cfg_read32(const struct pci_host *h, unsigned slot, unsigned func, unsigned off);
uint16_t pci_cfg_read16(const struct pci_host *h, unsigned slot, unsigned func, unsigned off);
uint8_t pci_cfg_read8(const struct pci_host *h, unsigned slot, unsigned func, unsigned off);
void pci_cfg_write32(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		     uint32_t v);
void pci_cfg_write16(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		     uint16_t v);
void pci_cfg_write8(const struct pci_host *h, unsigned slot, unsigned func, unsigned off,
		    uint8_t v);

/* Find every function on bus 0 and size its BARs; returns how many. */
unsigned pci_scan(struct pci_host *h);
/* Give every device's I/O BARs ports from the window and route its
 * interrupt pin (interrupt line register). Memory BARs are left
 * unassigned (with a message): no memory window is mapped. Returns the
 * number of BARs left unassigned. */
unsigned pci_assign(struct pci_host *h);
/* Let the device decode what was assigned, and master the bus. */
void pci_enable(const struct pci_host *h, const struct pci_dev *d);
/* The next device with this vendor and device ID after *from (start
 * with 0); NULL when there is none. */
struct pci_dev *pci_find(struct pci_host *h, uint16_t vendor, uint16_t device, unsigned *from);
/* The GIC interrupt INTx pin `pin` (1..4) of a device in `slot` reaches. */
unsigned pci_intx_irq(const struct pci_host *h, unsigned slot, unsigned pin);

/* I/O space, through the window. */
uint8_t pci_io_read8(const struct pci_host *h, uint32_t port);
void pci_io_write8(const struct pci_host *h, uint32_t port, uint8_t v);
uint32_t pci_io_read32(const struct pci_host *h, uint32_t port);
void pci_io_write32(const struct pci_host *h, uint32_t port, uint32_t v);

#endif
