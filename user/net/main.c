/*
 * The net task (net.h): finds the LAN9118 among the devices RTCR offers,
 * starts lwIP on it and then waits for one of three signals: the
 * controller's interrupt, the timer (lwIP's timeouts, echo requests'
 * timeouts) and the link (RTCR put records in TX). Whatever woke it, one
 * turn of the loop does all that is due, so no signal is ever waited for
 * in two places.
 */
#include "net.h"
#include "session.h"
#include "selalloc.h"
#include "rpc.h"
#include "stdio.h"
#include "string.h"
#include "link.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"

#define NIC_VA       0x60000000u    /* the controller's registers (io_mem area) */
#define LINK_VA      0x20000000u    /* the link's shared buffer (rm area) */
#define NIC_LABEL    0x9118u        /* signal labels */
#define TIMER_LABEL  0x7133u
#define LINK_LABEL   0x11e4u
#define RX_BUDGET    32u            /* frames per turn, so TX and timers get their turn */

static struct lan9118 nic;
static struct netif netif;
static uint32_t nic_sig, timer_sel, timer_sig;
static uint64_t now_us;
static uint64_t timer_due;          /* the one-shot armed, 0: none */

uint64_t net_now_us(void)
{
	return now_us;
}

/* lwIP's clock, in milliseconds (wraps after 49 days, as lwIP expects).
 * lwIP asks for it per frame; the clock moves only when it is read, and a
 * 64-bit division is a library call: the last answer is kept. */
u32_t sys_now(void)
{
	static uint64_t last_us = ~0ull;
	static u32_t last_ms;
	if (now_us != last_us) {
		last_us = now_us;
		last_ms = (u32_t)(now_us / 1000);
	}
	return last_ms;
}

void net_assert_failed(const char *what, const char *file, int line)
{
	printf("net: lwIP assertion \"%s\" failed at %s:%d; stopped\n", what, file, line);
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}

void net_clock_update(void)
{
	uint64_t t;
	if (timer_now(timer_sel, &t) == E_OK && t > now_us)
		now_us = t;
}

void net_session_close(uint32_t sel)
{
	rpc_call(CHILD_SEL_PARENT, PARENT_CLOSE, &sel, 1, NULL, 0, NULL, TIMEOUT_NEVER);
	sel_free(sel);
}

/* The device called "lan9118", found in the parent's list of the board's
 * devices; its registers stay mapped at NIC_VA. */
static int nic_map(uint32_t *index)
{
	int st = parent_device_find("lan9118", index, NULL);
	if (st)
		return st;
	uint32_t sel = sel_alloc(), args[2] = { *index, NIC_VA }, info[6];
	if ((st = session_open("io_mem", sel, SEL_NULL, args, 2, info, 6)) != E_OK)
		sel_free(sel);
	return st;
}

/* Map the controller, initialise it, then take its interrupt (after the
 * init: until then its pin is asserted). */
static bool nic_start(void)
{
	uint32_t index, irq = sel_alloc(), sig = sel_alloc();
	int st = nic_map(&index);
	if (st) {
		printf("net: no lan9118 device (%s)\n", k_error_name((unsigned)st));
		return false;
	}
	if ((st = lan9118_init(&nic, (volatile void *)NIC_VA)) != LAN9118_OK) {
		printf("net: lan9118: %s; is there a NIC (QEMU -nic ...,model=lan9118)?\n",
		       lan9118_status_name(st));
		return false;
	}
	uint32_t args[3] = { index, NIC_LABEL, 0 };
	if ((st = session_open("irq", irq, sig, args, 3, NULL, 0)) != E_OK) {
		printf("net: no interrupt for the lan9118 (%s)\n", k_error_name((unsigned)st));
		return false;
	}
	nic_sig = sig;
	return true;
}

static bool timer_start(void)
{
	uint32_t args[2] = { TIMER_LABEL, 0 };
	timer_sel = sel_alloc();
	timer_sig = sel_alloc();
	int st = session_open("timer", timer_sel, timer_sig, args, 2, NULL, 0);
	if (st)
		printf("net: no timer (%s)\n", k_error_name((unsigned)st));
	return st == E_OK;
}

static void print_start(const struct netcfg *cfg)
{
	char mac[18], ip[16], gw[16];
	netcfg_mac_str(nic.mac, mac, sizeof(mac));
	netcfg_ip_str(cfg->addr, ip, sizeof(ip));
	netcfg_ip_str(cfg->gateway, gw, sizeof(gw));
	printf("net: lan9118 %s, %s/%u%s%s\n", mac, ip, cfg->prefix,
	       cfg->gateway ? ", gateway " : "", cfg->gateway ? gw : "");
}

/* Arm the timer for the earliest thing due: lwIP's next timeout or an echo
 * request's. An earlier one-shot already armed is left as it is. */
static void timer_arm(void)
{
	u32_t ms = sys_timeouts_sleeptime();
	uint64_t due = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 0 : now_us + (uint64_t)ms * 1000;
	uint64_t ping = ping_next_deadline();
	if (ping && (!due || ping < due))
		due = ping;
	if (!due || (timer_due && timer_due <= due))
		return;
	uint64_t us = due > now_us ? due - now_us : 0;
	if (timer_oneshot(timer_sel, us < 0xffffffffu ? (uint32_t)us : 0xffffffffu) == E_OK)
		timer_due = due;
}

/* One signal, acknowledged here. The controller's status is cleared before
 * its RX FIFO is drained, so a frame that arrives meanwhile signals again. */
static bool on_signal(uint32_t label)
{
	switch (label) {
	case NIC_LABEL:
		lan9118_irq_take(&nic);
		k_irq_ack(nic_sig);
		return true;
	case TIMER_LABEL:
		timer_due = 0;
		k_irq_ack(timer_sig);
		return false;
	case LINK_LABEL:
		linkio_signal();
		return false;
	default:
		return false;
	}
}

static void event_loop(void)
{
	bool rx_more = false;
	for (;;) {
		struct k_msg m = { 0 };
		/* Frames left over from the last turn: look again at once. */
		int st = k_wait(&m, rx_more ? TIMEOUT_POLL : TIMEOUT_NEVER);
		bool signal = st == E_OK && MSG_TAG_LABEL(m.tag) == MSG_IRQ;
		/* The clock is RTCR's (a call): read it when a timeout may be due
		 * or an echo request is timed, not for every frame. */
		if ((signal && m.label == TIMER_LABEL) || ping_next_deadline())
			net_clock_update();
		bool nic_irq = signal && on_signal(m.label);
		if (nic_irq || rx_more)
			rx_more = ethif_poll(&netif, RX_BUDGET);
		sys_check_timeouts();
		ping_expire();
		linkio_run();
		timer_arm();
	}
}

int main(uint32_t arg)
{
	(void)arg;
	if (session_log_init() != E_OK)
		return 1;
	struct netcfg cfg;
	if (!nic_start() || !timer_start())
		return 1;
	if (!netcfg_from_mac(nic.mac, &cfg)) {
		char mac[18];
		netcfg_mac_str(nic.mac, mac, sizeof(mac));
		printf("net: lan9118 %s: no address for a MAC ending in 00 or ff\n", mac);
		return 1;
	}
	net_clock_update();
	lwip_init();
	ethif_start(&netif, &nic, &cfg);
	ping_init(&netif);
	linkio_init();
	print_start(&cfg);
	int st = linkio_open(LINK_VA, LINK_LABEL, cfg.addr, nic.mac);
	if (st)
		printf("net: no link to RTCR (%s): answering ARP and ping only\n",
		       k_error_name((unsigned)st));
	event_loop();
	return 0;
}
