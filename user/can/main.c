/*
 * The can task: RTCR's link to other boards over CAN (virt board). A child
 * of RTCR like any other: it asks for the PCI windows (io_mem), the INTx
 * lines its controllers use (irq), a timer, and one link session per
 * controller (link.h).
 *
 * It enumerates PCI bus 0 itself (there is no firmware), starts every
 * Kvaser PCIcan (an SJA1000 behind an S5920 bridge), and gives each the
 * CAN node number of its PCI slot. A datagram RTCR puts in a link's TX
 * ring goes out as one ISO 15765-2 message from that controller's node to
 * the record's peer; a message that arrives at a controller goes into its
 * link's RX ring with the sender's node as peer.
 *
 * One thread, one loop: it waits for a signal (an interrupt, RTCR's link
 * signal, the timer), then moves frames until nothing moves, then sets the
 * timer for the next ISO-TP deadline and waits again.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"
#include "string.h"
#include "pci.h"
#include "port.h"

#define KVASER_VENDOR 0x10e8u     /* AMCC, the S5920's maker */
#define KVASER_DEVICE 0x8406u     /* Kvaser PCIcan */
#define KVASER_BAR_S5920 0
#define KVASER_BAR_SJA   1

#define ECAM_VA    0x60000000u    /* io_mem: bus 0's configuration space */
#define PCI_IO_VA  0x60100000u    /* io_mem: the PCI I/O window */
#define LINK_VA    0x20000000u    /* link buffers, 1 MiB apart */
#define LINK_VA_STEP 0x00100000u

#define LABEL_TIMER 0xca00u
#define LABEL_IRQ   0xca10u       /* + line index */
#define LABEL_LINK  0xca20u       /* + port index */

#define LINES_MAX 4u              /* INTA..INTD */

/* The board's devices, as the parent lists them: the index in this table
 * is the device index the io_mem and irq sessions take. */
static struct device_info devices[BOOTINFO_DEVICES_MAX];
static unsigned ndevices;

struct line {
	unsigned irq;
	uint32_t sel, sig;
};

static struct pci_host pci;
static struct can_port ports[CAN_PORTS_MAX];
static struct isotp_ep endpoints[CAN_PORTS_MAX];
static unsigned nports;
static struct line lines[LINES_MAX];
static unsigned nlines;
static uint32_t timer, timer_sig;
static uint64_t timer_armed;

static void devices_load(void)
{
	while (ndevices < BOOTINFO_DEVICES_MAX && parent_device(ndevices, &devices[ndevices]) == E_OK)
		ndevices++;
}

static int device_named(const char *name)
{
	for (unsigned i = 0; i < ndevices; i++)
		if (strcmp(devices[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int device_with_irq(unsigned irq)
{
	for (unsigned i = 0; i < ndevices; i++)
		if (devices[i].irq == irq && strncmp(devices[i].name, "pci-int", 7) == 0)
			return (int)i;
	return -1;
}

static int map_device(const char *name, uint32_t va, uint32_t *size)
{
	int dev = device_named(name);
	if (dev < 0)
		return E_NOT_FOUND;
	/* Info: the session id, then the registers' address and pages. */
	uint32_t args[2] = { (uint32_t)dev, va }, info[3] = { 0 };
	int st = session_open("io_mem", sel_alloc(), SEL_NULL, args, 2, info, 3);
	*size = info[2] * PAGE_SIZE;
	return st;
}

/* ---- start-up -------------------------------------------------------------------- */

static bool pci_start(void)
{
	uint32_t ecam_size = 0, io_size = 0;
	int inta = device_named("pci-inta");
	int st = map_device("pci-ecam", ECAM_VA, &ecam_size);
	if (st == E_OK)
		st = map_device("pci-io", PCI_IO_VA, &io_size);
	if (st == E_OK && (inta < 0 || ecam_size < PCI_ECAM_BUS_SIZE))
		st = E_NOT_FOUND;
	if (st != E_OK) {
		printf("can: no PCI host bridge on this board: %s\n", k_error_name((unsigned)st));
		return false;
	}
	pci_host_init(&pci, (void *)ECAM_VA, (void *)PCI_IO_VA, io_size, devices[inta].irq);
	pci_scan(&pci);
	pci_assign(&pci);
	return true;
}

static void port_add(struct pci_dev *d)
{
	const struct pci_bar *s5920 = &d->bar[KVASER_BAR_S5920], *sja = &d->bar[KVASER_BAR_SJA];
	if (nports == CAN_PORTS_MAX) {
		printf("can: kvaser_pci 00:%02x.%u: more than %u controllers; not used\n", d->slot,
		       d->func, CAN_PORTS_MAX);
		return;
	}
	if (d->slot == 0 || d->slot >= ISOTP_NODES || d->func != 0) {
		printf("can: kvaser_pci 00:%02x.%u: its slot is no CAN node (1..15); not used\n",
		       d->slot, d->func);
		return;
	}
	if (!s5920->assigned || !sja->assigned || sja->size < 32 || !d->irq) {
		printf("can: kvaser_pci 00:%02x.%u: registers or interrupt missing; not used\n",
		       d->slot, d->func);
		return;
	}
	struct can_port *p = &ports[nports];
	p->node = p->slot = d->slot;
	p->irq = d->irq;
	p->sja_port = sja->addr;
	p->s5920_port = s5920->addr;
	pci_enable(&pci, d);
	if (!port_start(p, pci.io + p->sja_port, &endpoints[nports])) {
		printf("can: kvaser_pci 00:%02x.%u: the SJA1000 does not answer; not used\n",
		       d->slot, d->func);
		return;
	}
	nports++;
	printf("can: kvaser_pci 00:%02x.%u, io 0x%x, irq %u, node %u\n", d->slot, d->func,
	       (unsigned)p->sja_port, p->irq, p->node);
}

/* One irq session per INTx line in use (controllers may share one). */
static bool line_open(unsigned irq)
{
	for (unsigned i = 0; i < nlines; i++)
		if (lines[i].irq == irq)
			return true;
	int dev = device_with_irq(irq);
	struct line *l = &lines[nlines];
	uint32_t args[3] = { (uint32_t)dev, LABEL_IRQ + nlines, 0 };
	l->sel = sel_alloc();
	l->sig = sel_alloc();
	int st = dev < 0 ? E_NOT_FOUND : session_open("irq", l->sel, l->sig, args, 3, NULL, 0);
	if (st != E_OK) {
		printf("can: interrupt %u: %s\n", irq, k_error_name((unsigned)st));
		return false;
	}
	l->irq = irq;
	nlines++;
	return true;
}

static void links_open(void)
{
	for (unsigned i = 0; i < nports; i++) {
		struct can_port *p = &ports[i];
		int st = port_link_open(p, LINK_VA + i * LINK_VA_STEP, LABEL_LINK + i);
		if (st == E_OK)
			printf("can: node %u: link up\n", p->node);
		else
			printf("can: node %u: no link to RTCR (%s); the controller runs without one\n",
			       p->node, k_error_name((unsigned)st));
	}
}

static bool start(void)
{
	uint32_t args[2] = { LABEL_TIMER, 0 };
	timer = sel_alloc();
	timer_sig = sel_alloc();
	int st = session_open("timer", timer, timer_sig, args, 2, NULL, 0);
	if (st != E_OK) {
		printf("can: no timer: %s\n", k_error_name((unsigned)st));
		return false;
	}
	devices_load();
	if (!pci_start())
		return false;
	unsigned from = 0;
	for (struct pci_dev *d; (d = pci_find(&pci, KVASER_VENDOR, KVASER_DEVICE, &from)) != NULL;)
		port_add(d);
	if (nports == 0) {
		printf("can: no kvaser_pci (%04x:%04x) on PCI bus 0\n", KVASER_VENDOR, KVASER_DEVICE);
		return false;
	}
	for (unsigned i = 0; i < nports; i++) {
		if (!line_open(ports[i].irq))
			return false;
		kvaser_irq_enable((volatile uint32_t *)(pci.io + ports[i].s5920_port + S5920_INTCSR),
				  true);
	}
	links_open();
	return true;
}

/* ---- the loop ---------------------------------------------------------------------- */

static uint64_t clock_now(void)
{
	uint64_t now = 0;
	timer_now(timer, &now);
	return now;
}

/* The timer signals the earliest deadline of any port (a signal that comes
 * early or late for a deadline that moved does no harm: it only makes the
 * loop look again). */
static void timer_arm(uint64_t now)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < nports; i++) {
		uint64_t t = port_deadline(&ports[i], now);
		if (t && (!next || t < next))
			next = t;
	}
	if (!next || next == timer_armed)
		return;
	uint64_t us = next > now ? next - now : 1;
	timer_oneshot(timer, us < 0x7fffffffu ? (uint32_t)us : 0x7fffffffu);
	timer_armed = next;
}

/* A receiver asked one of our senders for gaps between frames. */
static bool paced(void)
{
	for (unsigned i = 0; i < nports; i++)
		if (isotp_tx_paced(ports[i].ep))
			return true;
	return false;
}

/* Move frames until nothing moves. Reading the clock is a call to RTCR and
 * costs about as much as moving a frame, so while frames flow it is read
 * every CLOCK_PASSES passes only: timeouts then start up to a few passes
 * early, which a second's N_Bs or N_Cr does not notice. A gap a receiver
 * asked for (STmin) is measured on a fresh clock, and before the loop
 * gives up it looks once more at the real time. */
#define CLOCK_PASSES 32u
static void work(void)
{
	uint64_t now = clock_now();
	unsigned stale = 0;     /* passes since the clock was read */
	for (;;) {
		bool moved = false;
		for (unsigned i = 0; i < nports; i++)
			moved |= port_receive(&ports[i], now);
		for (unsigned i = 0; i < nports; i++)
			port_link_work(&ports[i]);
		if (stale && paced()) {
			now = clock_now();
			stale = 0;
		}
		for (unsigned i = 0; i < nports; i++)
			moved |= port_transmit(&ports[i], now);
		if (moved && ++stale < CLOCK_PASSES)
			continue;
		if (!moved && !stale)
			break;
		now = clock_now();
		stale = 0;
	}
	timer_arm(now);
}

/* The signal capability a message came through, to acknowledge after the
 * work it asks for is done (an INTx line is level-triggered: acknowledged
 * earlier, it would fire again at once). */
static uint32_t signal_of(const struct k_msg *m)
{
	if (MSG_TAG_LABEL(m->tag) != MSG_IRQ)
		return SEL_NULL;
	if (m->label == LABEL_TIMER) {
		timer_armed = 0;
		return timer_sig;
	}
	if (m->label >= LABEL_IRQ && m->label < LABEL_IRQ + nlines)
		return lines[m->label - LABEL_IRQ].sig;
	if (m->label >= LABEL_LINK && m->label < LABEL_LINK + nports)
		return ports[m->label - LABEL_LINK].link.sig;
	return SEL_NULL;
}

int main(uint32_t arg)
{
	(void)arg;
	if (session_log_init() != E_OK || !start())
		return 1;
	work();
	for (;;) {
		struct k_msg m = { 0 };
		if (k_wait(&m, TIMEOUT_NEVER) != E_OK)
			continue;
		uint32_t sig = signal_of(&m);
		work();
		if (sig != SEL_NULL)
			k_irq_ack(sig);
	}
}
