/*
 * The net task: a child of RTCR that drives the board's LAN9118 (its
 * registers mapped through an io_mem session, its interrupt through an irq
 * session) and runs lwIP on it, and carries RTCR's datagrams between the
 * link session's rings (user/lib/link.h) and UDP port LINK_UDP_PORT.
 *
 * One thread, one event loop (main.c); the parts:
 *   ethif.c   lwIP's network interface on the LAN9118
 *   ping.c    ICMP echo requests RTCR asks for, and their answers
 *   linkio.c  the link session: TX records out, RX records in
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdint.h>
#include <stdbool.h>
#include "lwip/netif.h"
#include "lan9118.h"
#include "netcfg.h"

/* Microseconds of RTCR's clock, as last read (net_clock_update). */
uint64_t net_now_us(void);
/* Read RTCR's clock now (a call); the loop does it only when a timeout
 * may be due or an echo request is timed. */
void net_clock_update(void);
/* Close the session whose capability is at sel (and free the selector). */
void net_session_close(uint32_t sel);

/* ---- ethif.c ---- */
void ethif_start(struct netif *netif, struct lan9118 *nic, const struct netcfg *cfg);
/* Hand up to budget received frames to lwIP; true if more wait. */
bool ethif_poll(struct netif *netif, unsigned budget);
/* Frames thrown away since the start: bad or too long (driver), no buffer
 * for them, or malformed (lwIP: checksum, length, protocol errors). */
uint32_t ethif_dropped(void);

/* ---- ping.c ---- */
enum ping_status {           /* as LINK_REC_PING_REPLY carries it */
	PING_ANSWERED = 0,
	PING_TIMED_OUT = 1,
	PING_NO_ROUTE = 2,       /* no route, or ARP found no one */
};
struct ping_result {
	uint32_t peer;
	uint16_t seq;
	uint32_t rtt_us;
	uint32_t status;         /* enum ping_status */
};
#define PING_TIMEOUT_US 1000000u

void ping_init(struct netif *netif);
/* Send an echo request; false if no slot is free now (try again later). */
bool ping_start(uint32_t peer, uint16_t seq);
/* Requests whose time is up become results. */
void ping_expire(void);
/* When the next one expires (0: none waits). */
uint64_t ping_next_deadline(void);
/* The next result, without taking it; ping_result_take takes it. */
bool ping_result_peek(struct ping_result *out);
void ping_result_take(void);

/* ---- linkio.c ---- */
/* Bind UDP port LINK_UDP_PORT. */
void linkio_init(void);
/* Open the link session (buffer at va, signals with label) and announce
 * the address; an enum k_error (E_NOT_FOUND while RTCR has no link
 * service). */
int linkio_open(uint32_t va, uint32_t label, uint32_t addr, const uint8_t mac[6]);
/* RTCR's signal came (it put records in TX): acknowledge it. */
void linkio_signal(void);
/* Take what RTCR put in TX, put results and drop counts in RX, and kick
 * RTCR if anything moved. */
void linkio_run(void);

#endif
