/*
 * The boards RTCR migrates to and takes migrations from, by name. A board
 * knows which one it is by its own link addresses. Default: a = 10.0.0.1
 * and CAN node 1, b = 10.0.0.2 and CAN node 2 (what `make run2` and the
 * virt board's two CAN controllers give).
 */
#ifndef RTCR_PEERS_H
#define RTCR_PEERS_H

#include <stdint.h>
#include <stdbool.h>
#include "error.h"

#define PEERS_MAX 8u
#define PEER_NAME_MAX 8u

struct peer {
	bool used;
	char name[PEER_NAME_MAX];
	uint32_t ip;       /* a<<24|b<<16|c<<8|d; 0: none */
	uint32_t node;     /* CAN node; 0: none */
};

const struct peer *peer_by_name(const char *name);
const struct peer *peer_by_ip(uint32_t ip);
const struct peer *peer_by_node(uint32_t node);
/* Add or change one (ip 0: none, node 0: none). E_INVALID_ARG (a bad name
 * or node), E_BUSY (another peer has that address), R_NO_ROOM; d says
 * which. */
rtcr_err peer_set(const char *name, uint32_t ip, uint32_t node, struct rtcr_detail *d);
/* R_NO_PEER if there is none of that name. */
rtcr_err peer_remove(const char *name, struct rtcr_detail *d);
/* The peers for a listing: slot i's peer, or NULL if the slot is free
 * (i < PEERS_MAX). */
const struct peer *peer_at(unsigned i);
/* Whether p is this board: one of our links has its address. */
bool peer_is_me(const struct peer *p);
/* "a.b.c.d" into *ip; false if it is not one. */
bool parse_ipv4(const char *text, uint32_t *ip);

#endif
