/*
 * "link": how a network driver task (user/net: LAN9118 + lwIP; user/can:
 * SJA1000 + ISO 15765-2) carries RTCR's datagrams, in the manner of
 * Genode's packet-stream sessions.
 *
 * The driver is a child of RTCR and the client of this session. Opening it
 * (arguments: 0 link type LINK_ETH or LINK_CAN, 1 the address in the
 * driver's space where the shared buffer is to appear, LINK_BUF_PAGES pages,
 * page aligned, in [RM_AREA_START, RM_AREA_END); 2 the label of the signal
 * RTCR sends; 3 the driver's thread that gets it, 0 = the first) maps a
 * buffer RTCR owns into the driver and hands it a signal capability (a
 * software IRQ object, acknowledged with k_irq_ack like a timer signal).
 * The buffer holds two rings of records: TX (RTCR produces, the driver
 * consumes) and RX (the driver produces, RTCR consumes).
 *
 * Nobody ever waits for the other side in a call that could deadlock:
 *   - RTCR puts records in TX and triggers the signal; it never calls the
 *     driver.
 *   - The driver puts records in RX and then calls LINK_KICK, which RTCR
 *     answers at once after taking what RX holds. It calls LINK_KICK too
 *     when it has taken TX records and RTCR may be waiting for room.
 *
 * A ring is single producer, single consumer: head (bytes produced) is
 * written only by the producer, tail (bytes consumed) only by the consumer,
 * both counted from 0 and wrapping at 2^32; a record starts 4-byte aligned
 * and never wraps around the end of the data area (a LINK_REC_PAD record
 * fills the rest; fewer than LINK_REC_HDR bytes left are skipped). Nothing in the shared buffer is trusted: each side
 * checks lengths before it reads (link_ring_peek does).
 */
#ifndef USER_LINK_H
#define USER_LINK_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

enum link_op {
	LINK_UP = 1,     /* MR0 the endpoint's address (IPv4 in network order as
	                    a number a.b.c.d = a<<24|b<<16|c<<8|d, or the CAN node),
	                    MR1 the largest datagram payload it carries,
	                    MR2-3 hardware address or 0: MR2 = MAC bytes 0-3,
	                    MR3 = bytes 4-5 in its top half, byte 0 highest */
	LINK_KICK,       /* RX has records, or TX has room again */
	LINK_DOWN,       /* the medium is gone (cable, bus-off); MR0 reason code */
};

enum link_type {
	LINK_ETH = 1,    /* peer: IPv4 address; port: UDP port */
	LINK_CAN = 2,    /* peer: CAN node (1..15); port: 0 */
	LINK_LOOP = 3,   /* a software link for tests (tests/children/loop):
	                    addressed like CAN */
};

/* Record types. */
enum link_rec_type {
	LINK_REC_PAD = 0,        /* skip to the end of the data area */
	LINK_REC_DATAGRAM = 1,   /* payload: the datagram. TX: to peer/port;
	                            RX: from peer/port */
	LINK_REC_PING = 2,       /* TX: ICMP echo request to peer; port: sequence
	                            number; payload: none */
	LINK_REC_PING_REPLY = 3, /* RX: the answer to LINK_REC_PING with that
	                            sequence number; payload: u32 round trip in
	                            microseconds, u32 status (0 answered,
	                            1 timed out, 2 no route/ARP failed) */
	LINK_REC_DROPPED = 4,    /* RX: payload u32 frames the driver dropped
	                            since the last such record (RX ring full,
	                            bad frame) */
};

/* The shared buffer: page 0 holds the two rings' counters, then come the
 * TX data area and the RX data area, LINK_RING_DATA bytes each. */
#define LINK_RING_DATA    65536u   /* a power of two: offsets wrap with the counters */
#define LINK_BUF_PAGES    (1u + 2u * LINK_RING_DATA / 4096u)
#define LINK_REC_HDR      12u      /* u16 type, u16 port, u32 peer, u32 len */
#define LINK_PAYLOAD_MAX  16384u   /* largest payload any link carries */
#define LINK_UDP_PORT     4700u    /* RTCR's migration port */

/* Counters in page 0: TX head at 0, TX tail at 4, RX head at 64, RX tail
 * at 68 (different cache lines for the two directions). At 8, RTCR's
 * "waiting for room" word: RTCR sets it when a record did not fit in TX; a
 * driver that took TX records calls LINK_KICK for the room only when it
 * finds it set (and clears it first), so a link that is not full costs no
 * call per batch. */
#define LINK_TX_WAITING_OFFSET 8u
struct link_ring {
	volatile uint32_t *head;   /* bytes produced */
	volatile uint32_t *tail;   /* bytes consumed */
	uint8_t *data;             /* LINK_RING_DATA bytes */
};

void link_ring_tx(void *buf, struct link_ring *r);
void link_ring_rx(void *buf, struct link_ring *r);

/*
 * Counters a driver keeps for RTCR's console and the benchmarks, in page 0
 * of the shared buffer at LINK_STATS_OFFSET (past the rings' counters).
 * Written only by the driver, read by RTCR whenever it likes, trusted for
 * nothing but display. A CAN driver's, exact, per controller (frames on
 * the bus per KiB of payload: (frames_tx + frames_rx) * 1024 / bytes):
 */
#define LINK_STATS_OFFSET    256u
#define LINK_CAN_STATS_MAGIC 0x534e4143u   /* "CANS" */
struct link_can_stats {
	uint32_t magic;
	uint32_t node;
	uint32_t frames_tx, frames_rx;   /* CAN frames the controller sent / took off the
	                                    bus, data and flow control alike */
	uint32_t msgs_tx, msgs_rx;       /* ISO-TP messages sent / received whole */
	uint32_t bytes_tx, bytes_rx;     /* their payload bytes */
	uint32_t tx_failed, rx_failed;   /* messages that did not make it */
	uint32_t overruns, bus_errors, bus_offs;
	uint32_t long_tx, long_rx;       /* messages over 4095 bytes (ISO-TP's 32-bit
	                                    length escape) sent / received */
};

/* A record as it is read out of a ring. */
struct link_rec {
	uint16_t type;           /* enum link_rec_type */
	uint16_t port;
	uint32_t peer;
	uint32_t len;            /* payload bytes */
	const uint8_t *payload;  /* in the ring: valid until link_ring_consume */
	uint32_t span;           /* ring bytes it takes, padding before it included */
};

/* Make both rings empty (RTCR does it once, before the driver sees them). */
void link_buf_init(void *buf);

/* Append a record; false if it does not fit now (the ring is full) or
 * len > LINK_PAYLOAD_MAX. The payload is copied. */
bool link_ring_put(const struct link_ring *r, uint16_t type, uint32_t peer, uint16_t port,
		   const void *payload, uint32_t len);
/* The oldest record, without taking it: false if the ring is empty.
 * A record whose header is malformed (length past head, size not what the
 * ring says) makes the ring unusable: false, and *broken set. */
bool link_ring_peek(const struct link_ring *r, struct link_rec *out, bool *broken);
/* Take the record link_ring_peek returned. */
void link_ring_consume(const struct link_ring *r, const struct link_rec *rec);
/* Bytes free for the next record's payload (0 if none fits). */
uint32_t link_ring_room(const struct link_ring *r);

/* RTCR's side: say that a record did not fit in TX. The driver's, after
 * taking TX records: whether RTCR waits for room (the word is cleared);
 * then a LINK_KICK is due. buf is the shared buffer. */
void link_want_room(void *buf);
bool link_room_wanted(void *buf);

/* ---- the driver's side of the session ------------------------------------- */

/* A driver's end of one link. */
struct link_client {
	uint32_t sel;            /* the session's gate */
	uint32_t sig;            /* the signal RTCR raises when TX has records */
	uint32_t label;          /* that signal's label */
	void *buf;               /* the shared buffer, at the va asked for */
	struct link_ring tx, rx;
};

/* Open a link session (type LINK_*) with the shared buffer at va (free,
 * page aligned, LINK_BUF_PAGES pages in the RM area) and RTCR's signal
 * arriving with label at thread 0. sel and sig are free selectors.
 * Returns an enum k_error. */
int link_open(struct link_client *l, uint32_t type, uint32_t va, uint32_t label, uint32_t sel,
	      uint32_t sig);
/* Say the link is up: its address, the largest payload, the MAC (or NULL). */
int link_up(struct link_client *l, uint32_t addr, uint32_t mtu, const uint8_t mac[6]);
/* Tell RTCR that RX has records or TX has room. */
int link_kick(struct link_client *l);
/* Acknowledge the signal, so the next one is delivered. */
int link_signal_ack(struct link_client *l);

#endif
