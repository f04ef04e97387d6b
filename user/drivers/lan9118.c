/*
 * SMSC LAN9118 Ethernet controller (lan9118.h). The registers are 32 bits
 * wide; regs[] is indexed by offset / 4.
 */
#include "lan9118.h"

/* System control and status registers (byte offsets). */
#define RX_DATA_FIFO   0x00   /* frame words, oldest frame first */
#define TX_DATA_FIFO   0x20   /* command A, command B, then the frame's words */
#define RX_STATUS_FIFO 0x40   /* one status word per received frame */
#define TX_STATUS_FIFO 0x48   /* one status word per sent frame */
#define ID_REV         0x50
#define IRQ_CFG        0x54
#define INT_STS        0x58
#define INT_EN         0x5c
#define BYTE_TEST      0x64
#define FIFO_INT       0x68
#define RX_CFG         0x6c
#define TX_CFG         0x70
#define HW_CFG         0x74
#define RX_FIFO_INF    0x7c
#define TX_FIFO_INF    0x80
#define PMT_CTRL       0x84
#define MAC_CSR_CMD    0xa4
#define MAC_CSR_DATA   0xa8

#define BYTE_TEST_VALUE  0x87654321u
#define ID_LAN9118       0x0118u      /* ID_REV bits 31:16 */

#define HW_CFG_SRST      (1u << 0)    /* soft reset, clears itself when done */
#define PMT_CTRL_READY   (1u << 0)    /* the controller can be used */
/* Interrupt pin: enabled, active high, push-pull. Until this is written the
 * pin is active low, i.e. asserted while idle. */
#define IRQ_CFG_VALUE    ((1u << 8) | (1u << 4) | (1u << 0))
/* Interrupt when more than 0 RX status words wait; the TX data available
 * level keeps its reset value (0x48). */
#define FIFO_INT_VALUE   0x48000000u
#define TX_CFG_TX_ON     (1u << 1)

#define MAC_CSR_BUSY     (1u << 31)
#define MAC_CSR_READ     (1u << 30)
/* MAC CSR indices: only these three (QEMU aborts on some others). */
#define MAC_CR           1u
#define MAC_ADDRH        2u
#define MAC_ADDRL        3u
#define MAC_CR_RXEN      (1u << 2)
#define MAC_CR_TXEN      (1u << 3)
#define MAC_CR_FDPX      (1u << 20)

#define RX_STS_ES        (1u << 15)   /* error summary: CRC, runt, too long, ... */
#define RX_STS_FILTER    (1u << 30)   /* failed the address filter */
#define TX_STS_ES        (1u << 15)

#define TX_CMD_A_FIRST   (1u << 13)
#define TX_CMD_A_LAST    (1u << 12)

#define FCS_BYTES        4u
#define ETH_FRAME_SEND_MAX 1514u
#define POLL_LIMIT       100000u      /* register reads before giving up */

static inline uint32_t rd(const struct lan9118 *nic, unsigned off)
{
	return nic->regs[off / 4];
}

static inline void wr(const struct lan9118 *nic, unsigned off, uint32_t v)
{
	nic->regs[off / 4] = v;
}

/*
 * The data FIFOs answer at eight consecutive word addresses each (RX at
 * 0x00-0x1c, TX at 0x20-0x3c: the data sheet's alias ports), so that a
 * burst moves eight words with one load- or store-multiple. A frame is
 * ~380 words: word by word it cost more than everything else lwIP and
 * RTCR do with it.
 */
typedef uint32_t __attribute__((may_alias)) fifo_word;

#if defined(__arm__)
/* Eight words from src to dst, one of them a FIFO's ports. */
static inline void burst8(volatile void *dst, const volatile void *src)
{
	__asm__ volatile("ldm %1, {r3, r4, r5, r6, r8, r9, r10, r12}\n\t"
			 "stm %0, {r3, r4, r5, r6, r8, r9, r10, r12}"
			 : : "r"(dst), "r"(src)
			 : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r12", "memory");
}
#endif

static void fifo_read(const struct lan9118 *nic, void *dst, unsigned n)
{
	fifo_word *d = dst;
	volatile uint32_t *port = &nic->regs[RX_DATA_FIFO / 4];
#if defined(__arm__)
	for (; n >= 8; n -= 8, d += 8)
		burst8(d, port);
#endif
	for (; n; n--)
		*d++ = *port;
}

static void fifo_write(const struct lan9118 *nic, const void *src, unsigned n)
{
	const fifo_word *s = src;
	volatile uint32_t *port = &nic->regs[TX_DATA_FIFO / 4];
#if defined(__arm__)
	for (; n >= 8; n -= 8, s += 8)
		burst8(port, s);
#endif
	for (; n; n--)
		*port = *s++;
}

/* Wait until (reg & mask) == want; false if it never happened. */
static bool poll_reg(const struct lan9118 *nic, unsigned off, uint32_t mask, uint32_t want)
{
	for (unsigned i = 0; i < POLL_LIMIT; i++)
		if ((rd(nic, off) & mask) == want)
			return true;
	return false;
}

/* The MAC's registers are reached indirectly, through MAC_CSR_CMD/DATA. */
static int mac_csr_read(const struct lan9118 *nic, uint32_t index, uint32_t *val)
{
	if (!poll_reg(nic, MAC_CSR_CMD, MAC_CSR_BUSY, 0))
		return LAN9118_TIMEOUT;
	wr(nic, MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | index);
	if (!poll_reg(nic, MAC_CSR_CMD, MAC_CSR_BUSY, 0))
		return LAN9118_TIMEOUT;
	*val = rd(nic, MAC_CSR_DATA);
	return LAN9118_OK;
}

static int mac_csr_write(const struct lan9118 *nic, uint32_t index, uint32_t val)
{
	if (!poll_reg(nic, MAC_CSR_CMD, MAC_CSR_BUSY, 0))
		return LAN9118_TIMEOUT;
	wr(nic, MAC_CSR_DATA, val);
	wr(nic, MAC_CSR_CMD, MAC_CSR_BUSY | index);
	return poll_reg(nic, MAC_CSR_CMD, MAC_CSR_BUSY, 0) ? LAN9118_OK : LAN9118_TIMEOUT;
}

void lan9118_mac_from_csr(uint32_t addrl, uint32_t addrh, uint8_t mac[6])
{
	for (unsigned i = 0; i < 4; i++)
		mac[i] = (uint8_t)(addrl >> (8 * i));
	mac[4] = (uint8_t)addrh;
	mac[5] = (uint8_t)(addrh >> 8);
}

/* The address the controller loaded at reset (from its EEPROM; QEMU's from
 * the -nic mac= option). */
static int read_mac(struct lan9118 *nic)
{
	uint32_t lo, hi;
	int st = mac_csr_read(nic, MAC_ADDRL, &lo);
	if (st == LAN9118_OK)
		st = mac_csr_read(nic, MAC_ADDRH, &hi);
	if (st != LAN9118_OK)
		return st;
	lan9118_mac_from_csr(lo, hi, nic->mac);
	unsigned any = 0;
	for (unsigned i = 0; i < 6; i++)
		any |= nic->mac[i];
	return any == 0 || (nic->mac[0] & 1) ? LAN9118_NO_MAC : LAN9118_OK;
}

static int reset(const struct lan9118 *nic)
{
	wr(nic, HW_CFG, HW_CFG_SRST);
	if (!poll_reg(nic, HW_CFG, HW_CFG_SRST, 0) ||
	    !poll_reg(nic, PMT_CTRL, PMT_CTRL_READY, PMT_CTRL_READY))
		return LAN9118_TIMEOUT;
	return LAN9118_OK;
}

int lan9118_init(struct lan9118 *nic, volatile void *regs)
{
	*nic = (struct lan9118){ .regs = regs };
	/* BYTE_TEST reads the same in any state: the controller is there and
	 * the bus does not swap bytes. */
	if (rd(nic, BYTE_TEST) != BYTE_TEST_VALUE)
		return LAN9118_ABSENT;
	nic->id_rev = rd(nic, ID_REV);
	if (nic->id_rev >> 16 != ID_LAN9118)
		return LAN9118_UNKNOWN_ID;
	int st = reset(nic);
	if (st == LAN9118_OK)
		st = read_mac(nic);
	if (st != LAN9118_OK)
		return st;
	/* The pin first: it idles asserted until it is configured. */
	wr(nic, IRQ_CFG, IRQ_CFG_VALUE);
	wr(nic, INT_EN, 0);
	wr(nic, INT_STS, 0xffffffffu);
	wr(nic, FIFO_INT, FIFO_INT_VALUE);
	wr(nic, RX_CFG, 0);              /* no offset, 4-byte end alignment */
	wr(nic, TX_CFG, TX_CFG_TX_ON);
	/* Not promiscuous: frames to our address and broadcasts. */
	st = mac_csr_write(nic, MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN);
	if (st != LAN9118_OK)
		return st;
	wr(nic, INT_EN, LAN9118_INT_RSFL | LAN9118_INT_ERRORS);
	return LAN9118_OK;
}

const char *lan9118_status_name(int status)
{
	switch (status) {
	case LAN9118_OK: return "ok";
	case LAN9118_ABSENT: return "not there (BYTE_TEST)";
	case LAN9118_UNKNOWN_ID: return "not a LAN9118 (ID_REV)";
	case LAN9118_TIMEOUT: return "no answer (timeout)";
	case LAN9118_NO_MAC: return "no MAC address";
	case LAN9118_BAD_LENGTH: return "bad frame length";
	case LAN9118_NO_ROOM: return "TX FIFO full";
	default: return "unknown status";
	}
}

uint32_t lan9118_irq_take(struct lan9118 *nic)
{
	uint32_t sts = rd(nic, INT_STS);
	wr(nic, INT_STS, sts);
	if (sts & LAN9118_INT_ERRORS)
		nic->irq_errors++;
	return sts;
}

/* ---- receiving ------------------------------------------------------------ */

unsigned lan9118_rx_len(uint32_t status)
{
	unsigned len = (status >> 16) & 0x3fffu;
	if (status & (RX_STS_ES | RX_STS_FILTER))
		return 0;
	if (len < LAN9118_FRAME_MIN + FCS_BYTES || len > LAN9118_FRAME_MAX + FCS_BYTES)
		return 0;
	return len - FCS_BYTES;
}

unsigned lan9118_rx_words(uint32_t status)
{
	return (((status >> 16) & 0x3fffu) + 3) / 4;
}

bool lan9118_rx_pending(const struct lan9118 *nic)
{
	return (rd(nic, RX_FIFO_INF) >> 16) & 0xffu;
}

int lan9118_recv(struct lan9118 *nic, uint8_t *buf, unsigned max)
{
	if (!lan9118_rx_pending(nic))
		return 0;
	uint32_t status = rd(nic, RX_STATUS_FIFO);
	unsigned len = lan9118_rx_len(status), words = lan9118_rx_words(status);
	bool keep = len != 0 && len <= max;
	/* Whole words straight into buf while it has room for them (the FIFO
	 * holds bytes little-endian within a word, as memory does); every
	 * word of the frame leaves the FIFO, kept or not, so the next status
	 * word matches the next frame. */
	unsigned direct = !keep ? 0 : max / 4 < words ? max / 4 : words;
	fifo_read(nic, buf, direct);
	for (unsigned i = direct; i < words; i++) {
		uint32_t w = rd(nic, RX_DATA_FIFO);
		for (unsigned b = 0; keep && b < 4 && 4 * i + b < len; b++)
			buf[4 * i + b] = (uint8_t)(w >> (8 * b));
	}
	if (!keep) {
		nic->rx_dropped++;
		return -1;
	}
	nic->rx_frames++;
	return (int)len;
}

/* ---- sending -------------------------------------------------------------- */

uint32_t lan9118_tx_cmd_a(unsigned len)
{
	/* One buffer that is the whole frame: first and last segment, no
	 * offset, 4-byte end alignment, no completion interrupt. */
	return TX_CMD_A_FIRST | TX_CMD_A_LAST | (len & 0x7ffu);
}

uint32_t lan9118_tx_cmd_b(unsigned len, uint16_t tag)
{
	return (uint32_t)tag << 16 | (len & 0x7ffu);
}

/* Read the status of every frame sent, so the TX status FIFO never fills
 * (a full one stops the transmitter on real hardware). */
static void tx_reap(struct lan9118 *nic)
{
	for (unsigned n = (rd(nic, TX_FIFO_INF) >> 16) & 0xffu; n; n--)
		if (rd(nic, TX_STATUS_FIFO) & TX_STS_ES)
			nic->tx_errors++;
}

int lan9118_send(struct lan9118 *nic, const uint8_t *frame, unsigned len)
{
	if (len < LAN9118_FRAME_MIN || len > ETH_FRAME_SEND_MAX) {
		nic->tx_dropped++;
		return LAN9118_BAD_LENGTH;
	}
	tx_reap(nic);
	unsigned words = (len + 3) / 4;
	if ((rd(nic, TX_FIFO_INF) & 0xffffu) < 8 + 4 * words) {
		nic->tx_dropped++;
		return LAN9118_NO_ROOM;
	}
	wr(nic, TX_DATA_FIFO, lan9118_tx_cmd_a(len));
	wr(nic, TX_DATA_FIFO, lan9118_tx_cmd_b(len, (uint16_t)nic->tx_frames));
	/* The FIFO takes bytes little-endian within a word, as memory holds
	 * them; it sends len bytes and ignores the rest of the last word. */
	fifo_write(nic, frame, words);
	nic->tx_frames++;
	tx_reap(nic);
	return LAN9118_OK;
}
