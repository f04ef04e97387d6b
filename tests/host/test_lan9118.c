/*
 * user/drivers/lan9118: what the driver makes of the controller's status and
 * command words (RX status to frame length and FIFO words, TX commands, the
 * MAC from its CSRs), and that init gives up cleanly on registers that are
 * not a LAN9118's, or one that never finishes its reset. The registers are
 * plain memory here, so only what needs no answer from a device is tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lan9118.h"

#define RX_STS(len) ((uint32_t)(len) << 16)
#define RX_ES       (1u << 15)
#define RX_FILTER   (1u << 30)

static void test_rx_len(void **state)
{
	(void)state;
	/* The status length counts the 4-byte FCS; the caller gets the frame. */
	assert_int_equal(lan9118_rx_len(RX_STS(64)), 60);
	assert_int_equal(lan9118_rx_len(RX_STS(1518)), 1514);
	assert_int_equal(lan9118_rx_len(RX_STS(1522)), 1518);     /* with a VLAN tag */
	assert_int_equal(lan9118_rx_len(RX_STS(18)), 14);         /* just a header */
	/* Too short or too long for a frame of ours: dropped. */
	assert_int_equal(lan9118_rx_len(RX_STS(17)), 0);
	assert_int_equal(lan9118_rx_len(RX_STS(4)), 0);
	assert_int_equal(lan9118_rx_len(RX_STS(0)), 0);
	assert_int_equal(lan9118_rx_len(RX_STS(1523)), 0);
	assert_int_equal(lan9118_rx_len(RX_STS(0x3fff)), 0);
	/* Errors reported by the controller. */
	assert_int_equal(lan9118_rx_len(RX_STS(64) | RX_ES), 0);
	assert_int_equal(lan9118_rx_len(RX_STS(64) | RX_FILTER), 0);
	/* Bits outside the length field do not leak into it. */
	assert_int_equal(lan9118_rx_len(RX_STS(64) | (1u << 31) | 0x2000u), 60);
}

static void test_rx_words(void **state)
{
	(void)state;
	/* Every word of the frame and its FCS, rounded up. */
	assert_int_equal(lan9118_rx_words(RX_STS(64)), 16);
	assert_int_equal(lan9118_rx_words(RX_STS(65)), 17);
	assert_int_equal(lan9118_rx_words(RX_STS(67)), 17);
	assert_int_equal(lan9118_rx_words(RX_STS(68)), 17);
	assert_int_equal(lan9118_rx_words(RX_STS(18)), 5);
	/* Dropped frames are still read out: their words count too. */
	assert_int_equal(lan9118_rx_words(RX_STS(2051) | RX_ES), 513);
	assert_int_equal(lan9118_rx_words(RX_STS(0x3fff)), 4096);
	assert_int_equal(lan9118_rx_words(0), 0);
}

static void test_tx_commands(void **state)
{
	(void)state;
	/* First and last segment, the length in bits 10:0. */
	assert_int_equal(lan9118_tx_cmd_a(60), (1u << 13) | (1u << 12) | 60);
	assert_int_equal(lan9118_tx_cmd_a(1514), (1u << 13) | (1u << 12) | 1514);
	assert_int_equal(lan9118_tx_cmd_b(1514, 0xabcd), 0xabcd0000u | 1514);
	assert_int_equal(lan9118_tx_cmd_b(42, 0), 42);
}

static void test_mac_from_csr(void **state)
{
	(void)state;
	uint8_t mac[6];
	/* ADDRL holds bytes 0-3, byte 0 lowest; ADDRH bytes 4-5. */
	lan9118_mac_from_csr(0x00005452u | 0x12u << 24, 0x5634u, mac);
	const uint8_t want[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	assert_memory_equal(mac, want, 6);
	lan9118_mac_from_csr(0x04030201u, 0xffff0605u, mac);
	const uint8_t want2[6] = { 1, 2, 3, 4, 5, 6 };
	assert_memory_equal(mac, want2, 6);
}

static uint32_t regs[LAN9118_REGS_SIZE / 4];

static void test_init_refuses(void **state)
{
	(void)state;
	struct lan9118 nic;
	/* Nothing there (reads 0). */
	memset(regs, 0, sizeof(regs));
	assert_int_equal(lan9118_init(&nic, regs), LAN9118_ABSENT);
	/* Byte-swapped bus. */
	regs[0x64 / 4] = 0x21436587u;
	assert_int_equal(lan9118_init(&nic, regs), LAN9118_ABSENT);
	/* Another chip of the family. */
	regs[0x64 / 4] = 0x87654321u;
	regs[0x50 / 4] = 0x01170001u;
	assert_int_equal(lan9118_init(&nic, regs), LAN9118_UNKNOWN_ID);
	/* A LAN9118 whose reset never completes (memory keeps SRST set). */
	regs[0x50 / 4] = 0x01180001u;
	assert_int_equal(lan9118_init(&nic, regs), LAN9118_TIMEOUT);
	assert_int_equal(regs[0x74 / 4], 1u);       /* it did ask for the reset */
	assert_int_equal(nic.id_rev, 0x01180001u);
	/* The interrupt pin was left alone: nothing enabled. */
	assert_int_equal(regs[0x54 / 4], 0);
	assert_int_equal(regs[0x5c / 4], 0);
}

static void test_send_refuses_bad_lengths(void **state)
{
	(void)state;
	struct lan9118 nic = { .regs = regs };
	uint8_t frame[1600] = { 0 };
	memset(regs, 0, sizeof(regs));
	assert_int_equal(lan9118_send(&nic, frame, 13), LAN9118_BAD_LENGTH);
	assert_int_equal(lan9118_send(&nic, frame, 1515), LAN9118_BAD_LENGTH);
	/* TX_FIFO_INF says no room. */
	assert_int_equal(lan9118_send(&nic, frame, 60), LAN9118_NO_ROOM);
	assert_int_equal(nic.tx_dropped, 3);
	assert_int_equal(nic.tx_frames, 0);
	/* Room for exactly the frame: it goes, command words first. */
	regs[0x80 / 4] = 8 + 60;
	assert_int_equal(lan9118_send(&nic, frame, 60), LAN9118_OK);
	assert_int_equal(nic.tx_frames, 1);
}

static void test_recv_nothing_waiting(void **state)
{
	(void)state;
	struct lan9118 nic = { .regs = regs };
	uint8_t buf[LAN9118_FRAME_MAX];
	memset(regs, 0, sizeof(regs));
	assert_false(lan9118_rx_pending(&nic));
	assert_int_equal(lan9118_recv(&nic, buf, sizeof(buf)), 0);
	assert_int_equal(nic.rx_frames + nic.rx_dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_len),
		cmocka_unit_test(test_rx_words),
		cmocka_unit_test(test_tx_commands),
		cmocka_unit_test(test_mac_from_csr),
		cmocka_unit_test(test_init_refuses),
		cmocka_unit_test(test_send_refuses_bad_lengths),
		cmocka_unit_test(test_recv_nothing_waiting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
