/* IRQ objects: software IRQs, a real device's interrupt, masking until ack. */
#include "ktest.h"
#include "board.h"
#include "selalloc.h"
#include "string.h"

static volatile uint32_t got_count[16], got_label[16], got_n, ack_mode;
static volatile uint32_t *dev;         /* device registers, when a device is used */
static volatile uint32_t dev_kind;     /* 0 none, 1 SP804, 2 PL031 */
static uint32_t waiter_irq;

#define SP804_LOAD 0x00
#define SP804_CONTROL 0x08
#define SP804_INTCLR 0x0c
#define PL031_DR 0x00
#define PL031_MR 0x04
#define PL031_IMSC 0x10
#define PL031_ICR 0x1c

static void device_clear(void)
{
	if (dev_kind == 1)
		dev[SP804_INTCLR / 4] = 1;
	else if (dev_kind == 2)
		dev[PL031_ICR / 4] = 1;
}

static void irq_waiter(uint32_t a)
{
	(void)a;
	for (;;) {
		struct k_msg m = { 0 };
		if (k_wait(&m, TIMEOUT_NEVER) != E_OK || MSG_TAG_LABEL(m.tag) != MSG_IRQ)
			continue;
		device_clear();
		if (got_n < 16) {
			got_count[got_n] = m.mr[0];
			got_label[got_n] = m.label;
		}
		got_n++;
		if (ack_mode)
			k_irq_ack(waiter_irq);
	}
}

static void reset(void)
{
	got_n = 0;
	ack_mode = 0;
	dev_kind = 0;
	memset((void *)got_count, 0, sizeof(got_count));
}

static void trigger_from_elsewhere(uint32_t sel)
{
	k_irq_trigger(sel);   /* runs in a task of its own */
}

DEFINE_TEST(irq_software, "software IRQs: delivery with label, masked until ack, coalesced, between tasks")
{
	reset();
	waiter_irq = sel_alloc();
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, waiter_irq, IRQ_SOFTWARE), E_OK);
	/* Raised before anyone listens: kept, delivered on attach. */
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	uint32_t w = kt_spawn(irq_waiter, 0, 60, "irqwait");
	KT_ASSERT(w);
	KT_ASSERT_ERR(k_irq_attach(waiter_irq, w, 0x1a), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 1);
	KT_ASSERT_EQ(got_count[0], 1);
	KT_ASSERT_EQ(got_label[0], 0x1a);

	/* Not acknowledged: two more stay pending, then arrive as one. */
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 1);
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 2);
	KT_ASSERT_EQ(got_count[1], 2);

	/* A signal from another task holding only the IRQ capability. */
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	uint32_t task;
	uint32_t t = kt_spawn_task(trigger_from_elsewhere, 20, 50, "signal", NULL, 0, &task);
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_task_cap_map(task, waiter_irq, 20, RIGHT_WRITE), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 3);
	uint32_t info[3];
	KT_ASSERT_ERR(k_invoke(waiter_irq, IRQ_INFO, NULL, 0, info, 3, 0), E_OK);
	KT_ASSERT_EQ(info[0], IRQ_SOFTWARE);
	KT_ASSERT_EQ(info[1], 3);
	/* Detached, nothing arrives. */
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	KT_ASSERT_ERR(k_irq_detach(waiter_irq), E_OK);
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 3);
}

static struct k_irq_info irq_info_of(uint32_t irq)
{
	struct k_irq_info ii = { 0 };
	if (k_irq_info(irq, &ii) != E_OK)
		ii.line = 0xdead;
	return ii;
}

DEFINE_TEST(irq_info, "IRQ_INFO: pending count not yet delivered, masked until acknowledged")
{
	reset();
	waiter_irq = sel_alloc();
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, waiter_irq, IRQ_SOFTWARE), E_OK);
	struct k_irq_info ii = irq_info_of(waiter_irq);
	KT_ASSERT_EQ(ii.line, IRQ_SOFTWARE);
	KT_ASSERT_EQ(ii.deliveries, 0);
	KT_ASSERT_EQ(ii.thread, 0);
	KT_ASSERT_EQ(ii.pending, 0);
	KT_ASSERT_EQ(ii.masked, 0);
	/* Nobody listens: it counts. */
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	KT_ASSERT_EQ(irq_info_of(waiter_irq).pending, 2);
	/* Delivered on attach: nothing pending, masked. */
	uint32_t w = kt_spawn(irq_waiter, 0, 60, "irqwait");
	KT_ASSERT(w);
	struct k_thread_info ti;
	KT_ASSERT_ERR(k_thread_info(w, &ti), E_OK);
	KT_ASSERT_ERR(k_irq_attach(waiter_irq, w, 3), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 1);
	KT_ASSERT_EQ(got_count[0], 2);
	ii = irq_info_of(waiter_irq);
	KT_ASSERT_EQ(ii.deliveries, 1);
	KT_ASSERT_EQ(ii.thread, ti.id);
	KT_ASSERT_EQ(ii.pending, 0);
	KT_ASSERT_EQ(ii.masked, 1);
	/* Masked: a trigger stays pending until the acknowledgement. */
	KT_ASSERT_ERR(k_irq_trigger(waiter_irq), E_OK);
	ii = irq_info_of(waiter_irq);
	KT_ASSERT_EQ(ii.pending, 1);
	KT_ASSERT_EQ(ii.masked, 1);
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(got_n, 2);
	ii = irq_info_of(waiter_irq);
	KT_ASSERT_EQ(ii.deliveries, 2);
	KT_ASSERT_EQ(ii.pending, 0);
	KT_ASSERT_EQ(ii.masked, 1);
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	KT_ASSERT_EQ(irq_info_of(waiter_irq).masked, 0);
	KT_ASSERT_ERR(k_irq_detach(waiter_irq), E_OK);
	KT_ASSERT_EQ(irq_info_of(waiter_irq).thread, 0);
	/* Reading needs the read right. */
	uint32_t wo = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, waiter_irq, wo, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(k_irq_info(wo, &ii), E_NO_RIGHTS);
}

/* An IRQ object for the device's line; the test harness deletes it after
 * the test, which frees the line for the next one. */
static uint32_t device_irq(void)
{
	uint32_t sel = sel_alloc();
	if (k_irq_create(SEL_FACTORY, sel, kt_bootinfo()->devices[0].irq) != E_OK)
		return 0;
	return sel;
}

DEFINE_TEST(irq_errors, "binding a line twice, a line that does not exist or is the kernel's")
{
	const struct bootinfo *bi = kt_bootinfo();
	KT_ASSERT(bi->device_count >= 1);
	uint32_t line = bi->devices[0].irq, a = device_irq(), b = sel_alloc();
	KT_ASSERT(a);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, line), E_BUSY);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, 5), E_INVALID_ARG);        /* an SGI */
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, 29), E_INVALID_ARG);       /* a PPI */
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, 5000), E_INVALID_ARG);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, 1019), E_INVALID_ARG);     /* beyond this GIC */
	KT_ASSERT_ERR(k_irq_trigger(a), E_INVALID_STATE);                     /* hardware */
	KT_ASSERT_ERR(k_irq_attach(a, SEL_TASK, 1), E_WRONG_TYPE);
	uint32_t ro = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, a, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_irq_ack(ro), E_NO_RIGHTS);
	/* Device memory: never RAM, never the kernel's own devices. */
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->ram_phys, 0x48000000u, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->ram_phys + bi->ram_phys_size - PAGE_SIZE,
			       0x48000000u, 1), E_BAD_ADDRESS);
	/* A range that ends in RAM. */
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->ram_phys - PAGE_SIZE, 0x48000000u, 2), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_CONSOLE, bi->devices[0].phys, 0x48000000u, 1), E_WRONG_TYPE);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->devices[0].phys + 1, 0x48000000u, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->devices[0].phys, 0x48000001u, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->devices[0].phys, 0x48000000u, 0), E_INVALID_ARG);
	/* The kernel's own devices are in use: never handed out. */
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, BOARD_UART_BASE, 0x48000000u, 1), E_BUSY);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, BOARD_GIC_DIST_BASE & ~(PAGE_SIZE - 1), 0x48000000u, 1),
		      E_BUSY);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, BOARD_GIC_CPU_BASE & ~(PAGE_SIZE - 1), 0x48000000u, 1),
		      E_BUSY);
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, BOARD_UART_BASE - PAGE_SIZE, 0x48000000u, 2),
		      E_BUSY);   /* a range that ends in one */
	/* Device pages cannot be made executable when passed on. */
	KT_ASSERT_ERR(k_map_io(SEL_PLATFORM, SEL_TASK, bi->devices[0].phys, 0x48000000u, 1), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, 0x48000000u, 0x48100000u, 1, MAP_R | MAP_X), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x48000000u, 1, MAP_R, UNMAP_SELF), E_OK);
}

static bool start_device(const struct bootinfo_device *d)
{
	if (k_map_io(SEL_PLATFORM, SEL_TASK, d->phys, 0x49000000u, 1) != E_OK)
		return false;
	dev = (volatile uint32_t *)0x49000000u;
	if (strcmp(d->name, "sp804") == 0) {
		dev_kind = 1;
		dev[SP804_LOAD / 4] = 1000;            /* 1 ms at 1 MHz */
		dev[SP804_INTCLR / 4] = 1;
		dev[SP804_CONTROL / 4] = 0xe2;         /* on, periodic, interrupt, 32 bit */
	} else if (strcmp(d->name, "pl031") == 0) {
		dev_kind = 2;
		dev[PL031_ICR / 4] = 1;
		dev[PL031_MR / 4] = dev[PL031_DR / 4] + 1;   /* match within a second */
		dev[PL031_IMSC / 4] = 1;
	} else {
		return false;
	}
	return true;
}

static void stop_device(void)
{
	if (dev_kind == 1)
		dev[SP804_CONTROL / 4] = 0;
	else if (dev_kind == 2)
		dev[PL031_IMSC / 4] = 0;
	device_clear();
	k_task_unmap(SEL_TASK, 0x49000000u, 1, MAP_R, UNMAP_SELF);
}

DEFINE_TEST(irq_hardware, "a device interrupt reaches the attached thread, masked until acknowledged")
{
	const struct bootinfo_device *d = &kt_bootinfo()->devices[0];
	reset();
	waiter_irq = device_irq();
	KT_ASSERT(waiter_irq);
	uint32_t w = kt_spawn(irq_waiter, 0, 60, "irqwait");
	KT_ASSERT(w);
	KT_ASSERT_ERR(k_irq_attach(waiter_irq, w, 0x2b), E_OK);
	KT_ASSERT(start_device(d));
	/* No acknowledgement: exactly one delivery however long we wait. */
	unsigned wait_ms = dev_kind == 1 ? 50 : 2500;
	for (unsigned i = 0; i < wait_ms && got_n == 0; i++)
		k_sleep_us(1000);
	KT_ASSERT_EQ(got_n, 1);
	KT_ASSERT_EQ(got_label[0], 0x2b);
	if (dev_kind == 2)
		dev[PL031_MR / 4] = dev[PL031_DR / 4] + 1;   /* and fire again */
	k_sleep_us(dev_kind == 1 ? 20000 : 1500000);
	KT_ASSERT_EQ(got_n, 1);
	/* Acknowledged: the waiting interrupt comes, then (SP804) a stream. */
	ack_mode = 1;
	KT_ASSERT_ERR(k_irq_ack(waiter_irq), E_OK);
	for (unsigned i = 0; i < 200 && got_n < (dev_kind == 1 ? 6u : 2u); i++)
		k_sleep_us(1000);
	stop_device();
	KT_ASSERT(got_n >= (dev_kind == 1 ? 6u : 2u));
	KT_ASSERT_ERR(k_irq_detach(waiter_irq), E_OK);
}
