/*
 * lwIP's configuration for the net task (lwIP reads it through lwip/opt.h;
 * every option not named here keeps lwIP's default, see opt.h).
 *
 * One thread, no OS layer (NO_SYS): the net task's event loop calls lwIP
 * directly, and lwIP's timeouts run from it (sys_check_timeouts). Raw API
 * only: IPv4, ARP, ICMP (lwIP answers echo requests itself), UDP, and a raw
 * ICMP pcb for the echo requests RTCR asks for. No TCP, no sockets.
 *
 * All of lwIP's memory is static (its heap and pools are arrays in the net
 * task's bss), so a flood of frames cannot make the task grow: when a pool
 * is empty lwIP drops the frame and counts it.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

#define NO_SYS                  1
#define SYS_LIGHTWEIGHT_PROT    0   /* nothing runs concurrently with lwIP */
#define LWIP_SOCKET             0
#define LWIP_NETCONN            0
#define LWIP_NETIF_API          0

#define LWIP_IPV4               1
#define LWIP_IPV6               0
#define LWIP_ARP                1
#define LWIP_ETHERNET           1
#define LWIP_ICMP               1
#define LWIP_RAW                1
#define LWIP_UDP                1
#define LWIP_TCP                0
#define LWIP_DHCP               0
#define LWIP_AUTOIP             0
#define LWIP_IGMP               0
#define LWIP_DNS                0
#define LWIP_SINGLE_NETIF       1

/* No fragments: RTCR's datagrams fit a frame (1472 bytes of payload, which
 * LINK_UP announces), and reassembly would let a peer hold memory with
 * fragments that never complete. */
#define IP_REASSEMBLY           0
#define IP_FRAG                 0

/* lwIP takes a UDP datagram's length from the IP header and ignores the
 * UDP header's own: ethif.c drops the datagrams where the two disagree, as
 * they would otherwise reach RTCR with a length their sender did not mean. */
struct pbuf;
struct netif;
int net_ip4_input_hook(struct pbuf *p, struct netif *inp);
#define LWIP_HOOK_IP4_INPUT(p, inp) net_ip4_input_hook((p), (inp))

/* Memory. The heap holds frames lwIP sends (UDP datagrams, echo replies,
 * and what waits for an ARP answer); the pool holds received frames, one
 * full frame per buffer. */
#define MEM_ALIGNMENT           4
#define MEM_SIZE                (48 * 1024)
#define PBUF_POOL_SIZE          24
#define PBUF_POOL_BUFSIZE       1536
#define MEMP_NUM_PBUF           8
#define MEMP_NUM_UDP_PCB        2
#define MEMP_NUM_RAW_PCB        2
#define ARP_TABLE_SIZE          16
/* Frames to a peer wait for its ARP answer, up to 16 (beyond that lwIP
 * drops the oldest): RTCR may send a burst (its ping, a migration's first
 * window) before the peer's MAC is known. */
#define ARP_QUEUEING            1
#define ARP_QUEUE_LEN           16
#define MEMP_NUM_ARP_QUEUE      32

/* Checksums: generated and checked in software (lwIP's defaults, named
 * because a bad checksum must be dropped, not trusted), with a sum that
 * takes 32 bytes at a time (chksum.c). */
#include "chksum.h"
#define LWIP_CHKSUM             net_chksum
#define CHECKSUM_GEN_IP         1
#define CHECKSUM_GEN_UDP        1
#define CHECKSUM_GEN_ICMP       1
#define CHECKSUM_CHECK_IP       1
#define CHECKSUM_CHECK_UDP      1
#define CHECKSUM_CHECK_ICMP     1

/* Counters of what was dropped and why (lwip_stats), no display code. */
#define LWIP_STATS              1
#define LWIP_STATS_LARGE        1   /* 32-bit counters */
#define LWIP_STATS_DISPLAY      0

#endif
