/*
 * The Internet checksum lwIP uses in the net task (chksum.c; named in
 * lwipopts.h as LWIP_CHKSUM). Plain C with an ARM fast path, shared with
 * the host tests.
 */
#ifndef NET_CHKSUM_H
#define NET_CHKSUM_H

#include <stdint.h>

/* The folded, non-inverted one's-complement sum of len bytes at data, as
 * lwip_standard_chksum returns it. */
uint16_t net_chksum(const void *data, int len);

#endif
