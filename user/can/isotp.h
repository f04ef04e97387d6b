/*
 * ISO 15765-2 (ISO-TP) transport over classic CAN: messages of up to
 * ISOTP_MSG_MAX bytes cut into 8-byte frames and put back together.
 *
 * One endpoint per CAN controller, with a node number 1..15. Normal
 * addressing with 11-bit identifiers: data from node i to node j travels
 * on 0x700 | i << 4 | j, and the flow control for it comes back on
 * 0x700 | j << 4 | i (the frame type tells the two uses of an identifier
 * apart). A receiver keeps the state of each sender separately, so
 * several senders can send to it at once.
 *
 * Frame types (the high nibble of byte 0, the protocol control info):
 *   0 single frame       [0x0L] + L bytes, L = 1..7
 *   1 first frame        [0x1H LL] + 6 bytes, length HLL = 8..4095, or
 *                        [0x10 00 L3 L2 L1 L0] + 2 bytes for 4096 and more
 *   2 consecutive frame  [0x2N] + up to 7 bytes, N = 1, 2, ..15, 0, 1, ..
 *   3 flow control       [0x3S BS STmin], S: 0 continue, 1 wait, 2 overflow
 *
 * Nothing here touches hardware or a clock: the caller hands in frames and
 * the time (microseconds, any epoch), asks for the frames to transmit when
 * its controller can take one, and calls isotp_poll for the timeouts. That
 * keeps it testable on the host (tests/host/test_isotp.c).
 */
#ifndef USER_CAN_ISOTP_H
#define USER_CAN_ISOTP_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define ISOTP_MSG_MAX   16384u   /* = LINK_PAYLOAD_MAX */
#define ISOTP_RX_BUFS   3u       /* messages being received or waiting to be taken */
#define ISOTP_NODES     16u      /* node numbers 1..15; 0 is none */
#define ISOTP_ID_BASE   0x700u
#define ISOTP_SF_MAX    7u       /* the longest single frame */
#define ISOTP_FF_DL_MAX 4095u    /* longest length without the 32-bit escape */

static inline uint32_t isotp_id(unsigned from, unsigned to)
{
	return ISOTP_ID_BASE | (from & 0xfu) << 4 | (to & 0xfu);
}

struct isotp_frame {
	uint32_t id;         /* 11-bit identifier */
	uint8_t len;         /* data length 0..8 */
	uint8_t data[8];
};

struct isotp_config {
	unsigned node;       /* this endpoint, 1..15 */
	uint8_t bs;          /* block size asked of senders (0: one flow control only) */
	uint8_t stmin;       /* STmin byte asked of senders (0: back to back) */
	uint32_t rx_max;     /* the longest message accepted (<= ISOTP_MSG_MAX) */
	uint32_t n_bs_us;    /* sender: how long to wait for a flow control */
	uint32_t n_cr_us;    /* receiver: how long to wait for the next consecutive frame */
	uint32_t wait_us;    /* receiver without a free buffer: FC.WAIT this often */
	unsigned wft_max;    /* FC.WAITs in a row a sender bears and a receiver sends */
};

/* Everything that happens, counted per endpoint (isotp_ep.count). The
 * failures end the message they concern, and nothing else. */
enum isotp_event {
	ISOTP_TX_DONE,         /* messages sent completely */
	ISOTP_TX_TIMEOUT,      /* no flow control within N_Bs */
	ISOTP_TX_OVERFLOW,     /* the receiver answered overflow */
	ISOTP_TX_BAD_FC,       /* a flow control too short or with a reserved status */
	ISOTP_TX_WAIT_LIMIT,   /* more FC.WAITs in a row than wft_max */
	ISOTP_TX_STRAY_FC,     /* a flow control while none was expected: ignored */
	ISOTP_TX_NOT_SENT,     /* the controller could not get a frame out (N_As) */
	ISOTP_RX_DONE,         /* messages received completely */
	ISOTP_RX_TIMEOUT,      /* no consecutive frame within N_Cr */
	ISOTP_RX_WRONG_SN,     /* a consecutive frame out of sequence (one was lost) */
	ISOTP_RX_SHORT_CF,     /* a consecutive frame with fewer bytes than still due */
	ISOTP_RX_INTERRUPTED,  /* a new message from a sender still in the middle of one */
	ISOTP_RX_STRAY_CF,     /* a consecutive frame without a message in progress: ignored */
	ISOTP_RX_TOO_LONG,     /* longer than rx_max: refused with FC overflow */
	ISOTP_RX_NO_BUFFER,    /* no buffer came free in time: refused (single frame: dropped) */
	ISOTP_RX_BAD_SF,       /* single frame with length 0, over 7 or past the frame */
	ISOTP_RX_BAD_FF,       /* first frame not 8 bytes, length < 8, or an escape < 4096 */
	ISOTP_RX_BAD_PCI,      /* an empty frame or a reserved frame type: ignored */
	ISOTP_RX_NOT_OURS,     /* an identifier outside the scheme or for another node */
	ISOTP_EVENTS
};

const char *isotp_event_name(unsigned event);

enum isotp_status {
	ISOTP_OK = 0,
	ISOTP_BUSY,           /* a message is being sent */
	ISOTP_BAD_ARG,        /* destination not 1..15 or this node, length 0 or too long */
};

/* The state of one sender, seen by this receiver. */
struct isotp_peer {
	uint8_t state;        /* RX_IDLE, RX_WAIT_BUF, RX_DATA (isotp.c) */
	uint8_t sn;           /* sequence number expected next */
	uint8_t block;        /* consecutive frames since the last flow control */
	uint8_t waits;        /* FC.WAITs sent in a row */
	uint8_t fc;           /* flow control to send: 0 none, else 1 + flow status */
	int8_t buf;           /* its buffer, -1 none */
	uint8_t ff_n;         /* first-frame bytes held while waiting for a buffer */
	uint8_t ff_data[6];
	uint32_t len, got;
	uint64_t deadline;    /* N_Cr, or the next FC.WAIT */
};

struct isotp_rxbuf {
	uint8_t state;        /* BUF_FREE, BUF_FILLING, BUF_DONE (isotp.c) */
	uint8_t src;
	uint32_t len;
	uint32_t seq;         /* completion order: the oldest is taken first */
	uint8_t data[ISOTP_MSG_MAX];
};

struct isotp_tx {
	uint8_t state;        /* TX_IDLE, TX_FIRST, TX_WAIT_FC, TX_SEND_CF (isotp.c) */
	uint8_t dst, sn, bs, block, waits;
	bool finished;        /* a message ended and isotp_tx_finished has not said so */
	uint8_t result;       /* how it ended: ISOTP_TX_DONE or a failure */
	uint32_t stmin_us;
	uint32_t len, off;
	uint64_t next;        /* TX_SEND_CF: the earliest time for the next frame;
	                         TX_WAIT_FC: the N_Bs deadline */
	uint8_t data[ISOTP_MSG_MAX];
};

struct isotp_ep {
	struct isotp_config cfg;
	struct isotp_tx tx;
	struct isotp_peer peer[ISOTP_NODES];
	struct isotp_rxbuf rxbuf[ISOTP_RX_BUFS];
	uint32_t done_seq;
	uint32_t frames_tx, frames_rx;   /* frames made, and frames taken as ours */
	uint32_t count[ISOTP_EVENTS];
};

/* A received message, valid until isotp_rx_release. */
struct isotp_msg {
	unsigned src;
	uint32_t len;
	const uint8_t *data;
	unsigned buf;
};

/* The defaults: BS 16, STmin 0, N_Bs = N_Cr = 1 s, FC.WAIT every 250 ms,
 * at most 8 in a row, messages up to ISOTP_MSG_MAX. */
void isotp_config_default(struct isotp_config *cfg, unsigned node);
void isotp_init(struct isotp_ep *ep, const struct isotp_config *cfg);

/* Start sending a message (copied) to node dst. */
int isotp_send(struct isotp_ep *ep, unsigned dst, const void *data, uint32_t len);
bool isotp_tx_busy(const struct isotp_ep *ep);
/* The receiver of the message being sent asked for gaps (STmin) between
 * its frames. */
bool isotp_tx_paced(const struct isotp_ep *ep);
/* The frame isotp_tx_frame handed out last never got onto the bus: give
 * up its message (the one being sent, or the one that frame ended if
 * isotp_tx_finished has not told yet). */
void isotp_tx_abort(struct isotp_ep *ep);
/* True once for each message that ended (sent or failed); *result is
 * ISOTP_TX_DONE or the failure's event. */
bool isotp_tx_finished(struct isotp_ep *ep, unsigned *result);

/* A frame from the bus (any identifier; those not for us are counted and
 * dropped). */
void isotp_rx_frame(struct isotp_ep *ep, const struct isotp_frame *f, uint64_t now);
/* The next frame to transmit now, if any: flow control first, then the
 * message being sent (at the receiver's pace). Call it only when the
 * controller can take the frame: it counts as sent. */
bool isotp_tx_frame(struct isotp_ep *ep, uint64_t now, struct isotp_frame *f);
/* Timeouts, and receptions waiting for a buffer. */
void isotp_poll(struct isotp_ep *ep, uint64_t now);
/* When isotp_poll or isotp_tx_frame next has something to do (0: never
 * unless a frame comes). May be in the past. */
uint64_t isotp_deadline(const struct isotp_ep *ep);

/* The oldest complete message; the caller releases it when done with it. */
bool isotp_rx_next(const struct isotp_ep *ep, struct isotp_msg *m);
void isotp_rx_release(struct isotp_ep *ep, const struct isotp_msg *m);

/* The time STmin byte v asks for, in microseconds: 0x00-0x7f ms,
 * 0xf1-0xf9 100-900 us, reserved values as the longest, 127 ms. */
uint32_t isotp_stmin_us(uint8_t v);

#endif
