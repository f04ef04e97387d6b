/*
 * The net task's IPv4 configuration, derived from the MAC address the board
 * was started with (QEMU's -nic ...,mac=), so that two boards on one wire
 * need nothing but different MACs:
 *
 *   52:54:00:12:34:56 (QEMU's default, what user networking gives)
 *       -> 10.0.2.15/24, gateway 10.0.2.2 (slirp's fixed addresses)
 *   any other MAC ending in N (1..254)
 *       -> 10.0.0.N/24, no gateway
 *
 * Addresses are numbers a.b.c.d = a<<24 | b<<16 | c<<8 | d, as the link
 * session carries them (link.h). Plain C: tests/host/test_netcfg.c.
 */
#ifndef NET_NETCFG_H
#define NET_NETCFG_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct netcfg {
	uint32_t addr;
	uint32_t netmask;
	uint32_t gateway;      /* 0: none */
	unsigned prefix;       /* netmask as a prefix length */
};

#define NETCFG_SLIRP_MAC { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }

/* False if the MAC gives no usable address (a last byte of 0 or 255 would
 * be 10.0.0.0/24's network or broadcast address). */
bool netcfg_from_mac(const uint8_t mac[6], struct netcfg *cfg);

/* "a.b.c.d" into buf (at least 16 bytes). */
void netcfg_ip_str(uint32_t addr, char *buf, size_t size);
/* "xx:xx:xx:xx:xx:xx" into buf (at least 18 bytes). */
void netcfg_mac_str(const uint8_t mac[6], char *buf, size_t size);

#endif
