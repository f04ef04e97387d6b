/*
 * user/can/isotp: ISO 15765-2 between endpoints wired through a simulated
 * CAN bus with a fake clock. Every length class arrives intact in the
 * number of frames the standard says; block size and STmin are obeyed;
 * FC.WAIT and overflow work both ways; lost frames, a sender that stops
 * and malformed frames end only the message they touch, counted by
 * reason; two senders to one receiver do not mix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "isotp.h"

/* ---- the simulated bus -------------------------------------------------------- */

#define EPS_MAX 4
#define LOG_MAX 20000
#define GOT_MAX 16

struct logged {
	uint64_t t;
	unsigned from;            /* index of the endpoint that sent it */
	struct isotp_frame f;
};

struct got {                      /* a message some endpoint received */
	unsigned at, src;
	uint32_t len;
	uint8_t *data;
};

struct sim {
	uint64_t now;
	uint32_t frame_us;        /* bus time each frame takes */
	unsigned n;
	struct isotp_ep *ep[EPS_MAX];
	bool hold[EPS_MAX];       /* leave received messages in the endpoint's buffers */
	bool discard;             /* take received messages without keeping them */
	/* Return false to lose the frame; may change it. nth counts the
	 * frames sent so far on the bus, from 0. */
	bool (*hook)(struct sim *s, unsigned from, struct isotp_frame *f, unsigned nth);
	unsigned hook_arg;
	unsigned nlog;
	struct logged *log;
	unsigned ngot;
	struct got got[GOT_MAX];
};

static struct sim *sim;

static struct isotp_ep *ep_new(unsigned node, uint8_t bs, uint8_t stmin)
{
	struct isotp_ep *ep = malloc(sizeof(*ep));
	struct isotp_config cfg;
	assert_non_null(ep);
	isotp_config_default(&cfg, node);
	cfg.bs = bs;
	cfg.stmin = stmin;
	isotp_init(ep, &cfg);
	assert_true(sim->n < EPS_MAX);
	sim->ep[sim->n++] = ep;
	return ep;
}

static int setup(void **state)
{
	(void)state;
	sim = calloc(1, sizeof(*sim));
	sim->log = calloc(LOG_MAX, sizeof(*sim->log));
	sim->now = 1000;   /* not 0: 0 means "no deadline" */
	return sim && sim->log ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sim->n; i++)
		free(sim->ep[i]);
	for (unsigned i = 0; i < sim->ngot; i++)
		free(sim->got[i].data);
	free(sim->log);
	free(sim);
	return 0;
}

/* What a controller does with a frame on the bus: every other endpoint
 * sees it (a controller does not receive its own frames). */
static void bus_put(unsigned from, struct isotp_frame *f)
{
	unsigned nth = sim->nlog;
	if (sim->hook && !sim->hook(sim, from, f, nth)) {
		assert_true(sim->nlog < LOG_MAX);
		sim->log[sim->nlog++] = (struct logged){ sim->now, from, *f };   /* sent, lost */
		return;
	}
	assert_true(sim->nlog < LOG_MAX);
	sim->log[sim->nlog++] = (struct logged){ sim->now, from, *f };
	for (unsigned j = 0; j < sim->n; j++)
		if (j != from)
			isotp_rx_frame(sim->ep[j], f, sim->now);
	sim->now += sim->frame_us;
}

/* A frame made up by the test, as if node `from` had sent it. */
static void inject(uint32_t id, unsigned len, const uint8_t *data)
{
	struct isotp_frame f = { .id = id, .len = (uint8_t)len };
	memcpy(f.data, data, len > 8 ? 8 : len);
	for (unsigned j = 0; j < sim->n; j++)
		isotp_rx_frame(sim->ep[j], &f, sim->now);
}

static void take_messages(void)
{
	for (unsigned i = 0; i < sim->n; i++) {
		struct isotp_msg m;
		while (!sim->hold[i] && isotp_rx_next(sim->ep[i], &m)) {
			if (sim->discard) {
				isotp_rx_release(sim->ep[i], &m);
				continue;
			}
			assert_true(sim->ngot < GOT_MAX);
			struct got *g = &sim->got[sim->ngot++];
			g->at = i;
			g->src = m.src;
			g->len = m.len;
			g->data = malloc(m.len);
			memcpy(g->data, m.data, m.len);
			isotp_rx_release(sim->ep[i], &m);
		}
	}
}

/* One round: each endpoint polls and sends at most one frame, as
 * controllers take turns on a bus. */
static bool step(void)
{
	bool progress = false;
	for (unsigned i = 0; i < sim->n; i++) {
		struct isotp_frame f;
		isotp_poll(sim->ep[i], sim->now);
		if (isotp_tx_frame(sim->ep[i], sim->now, &f)) {
			bus_put(i, &f);
			progress = true;
		}
	}
	take_messages();
	return progress;
}

/* Run until nothing is left to do or the clock passes `until`: when no
 * endpoint has a frame to send, the clock jumps to the next deadline. */
static void run_until(uint64_t until)
{
	while (sim->now <= until) {
		if (step())
			continue;
		uint64_t next = 0;
		for (unsigned i = 0; i < sim->n; i++) {
			uint64_t d = isotp_deadline(sim->ep[i]);
			if (d && (!next || d < next))
				next = d;
		}
		if (!next)
			return;
		if (next > sim->now)
			sim->now = next;
		else
			sim->now++;   /* due but nothing sent: let time pass */
	}
}

static void run(void)
{
	run_until(sim->now + 600000000ull);   /* ten minutes of fake time */
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (uint32_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static uint8_t *message(uint32_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);
	fill(p, len, seed);
	return p;
}

/* The message some endpoint got, by index; checks sender, length, bytes. */
static void expect_got(unsigned k, unsigned at, unsigned src, const uint8_t *data, uint32_t len)
{
	assert_true(k < sim->ngot);
	assert_int_equal(sim->got[k].at, at);
	assert_int_equal(sim->got[k].src, src);
	assert_int_equal(sim->got[k].len, len);
	assert_memory_equal(sim->got[k].data, data, len);
}

static unsigned frames_of(unsigned from, unsigned pci)
{
	unsigned n = 0;
	for (unsigned i = 0; i < sim->nlog; i++)
		if (sim->log[i].from == from && sim->log[i].f.len && sim->log[i].f.data[0] >> 4 == pci)
			n++;
	return n;
}

static unsigned fc_of(unsigned from, unsigned fs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < sim->nlog; i++)
		if (sim->log[i].from == from && sim->log[i].f.data[0] == (0x30 | fs))
			n++;
	return n;
}

static uint32_t cf_count(uint32_t len)
{
	if (len <= 7)
		return 0;
	uint32_t first = len > 4095 ? 2 : 6;
	return (len - first + 6) / 7;
}

/* The number of flow controls a receiver with block size bs sends. */
static uint32_t fc_count(uint32_t len, unsigned bs)
{
	if (len <= 7)
		return 0;
	return bs ? 1 + (cf_count(len) - 1) / bs : 1;
}

/* Send one message from endpoint 0 to 1 and check it came intact in the
 * frames it should take. */
static void one_message(uint32_t len, unsigned bs)
{
	struct isotp_ep *a = sim->ep[0], *b = sim->ep[1];
	uint8_t *data = message(len, len);
	unsigned got0 = sim->ngot, log0 = sim->nlog;
	uint32_t atx = a->frames_tx, btx = b->frames_tx;
	assert_int_equal(isotp_send(a, b->cfg.node, data, len), ISOTP_OK);
	run();
	assert_false(isotp_tx_busy(a));
	unsigned result = 99;
	assert_true(isotp_tx_finished(a, &result));
	assert_int_equal(result, ISOTP_TX_DONE);
	assert_int_equal(sim->ngot, got0 + 1);
	expect_got(got0, 1, a->cfg.node, data, len);
	assert_int_equal(a->frames_tx - atx, 1 + cf_count(len));
	assert_int_equal(b->frames_tx - btx, fc_count(len, bs));
	assert_int_equal(sim->nlog - log0, 1 + cf_count(len) + fc_count(len, bs));
	free(data);
}

/* ---- length classes ----------------------------------------------------------- */

static void test_single_frames(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	ep_new(2, 16, 0);
	for (uint32_t len = 1; len <= 7; len++) {
		unsigned at = sim->nlog;
		one_message(len, 16);
		assert_int_equal(sim->log[at].f.id, 0x712);
		assert_int_equal(sim->log[at].f.data[0], len);    /* SF, SF_DL */
		assert_int_equal(sim->log[at].f.len, 1 + len);
	}
	assert_int_equal(sim->ep[1]->count[ISOTP_RX_DONE], 7);
}

static void test_first_frame_lengths(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	ep_new(2, 16, 0);
	static const uint32_t lens[] = { 8, 9, 13, 14, 15, 20, 111, 112, 113, 1000, 4094, 4095 };
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned at = sim->nlog;
		one_message(lens[i], 16);
		const struct isotp_frame *ff = &sim->log[at].f;
		assert_int_equal(ff->len, 8);
		assert_int_equal(ff->data[0], 0x10 | lens[i] >> 8);
		assert_int_equal(ff->data[1], lens[i] & 0xff);
		/* The flow control comes back on the reverse identifier. */
		assert_int_equal(sim->log[at + 1].f.id, 0x721);
		assert_int_equal(sim->log[at + 1].f.data[0], 0x30);
		assert_int_equal(sim->log[at + 1].f.data[1], 16);
		/* Sequence numbers run 1..15, 0, 1.. */
		unsigned sn = 1;
		for (unsigned k = at + 2; k < sim->nlog; k++) {
			if (sim->log[k].from != 0)
				continue;
			assert_int_equal(sim->log[k].f.data[0], 0x20 | sn);
			sn = (sn + 1) & 0xf;
		}
	}
}

static void test_escape_lengths(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	ep_new(2, 16, 0);
	static const uint32_t lens[] = { 4096, 4097, 5000, 9999, 16383, ISOTP_MSG_MAX };
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned at = sim->nlog;
		one_message(lens[i], 16);
		const struct isotp_frame *ff = &sim->log[at].f;
		assert_int_equal(ff->data[0], 0x10);
		assert_int_equal(ff->data[1], 0x00);
		uint32_t dl = (uint32_t)ff->data[2] << 24 | ff->data[3] << 16 | ff->data[4] << 8 |
			      ff->data[5];
		assert_int_equal(dl, lens[i]);
	}
}

/* Every length 1..600, then steps up to the largest: all arrive intact,
 * with BS 0 (one flow control) and BS 3 alternately. */
static void test_length_sweep(void **state)
{
	(void)state;
	ep_new(1, 0, 0);
	ep_new(2, 0, 0);
	for (uint32_t len = 1; len <= ISOTP_MSG_MAX; len += len < 600 ? 1 : 331) {
		unsigned bs = len % 2 ? 0 : 3;
		sim->ep[1]->cfg.bs = (uint8_t)bs;
		one_message(len, bs);
		free(sim->got[--sim->ngot].data);   /* keep the list short */
		sim->nlog = 0;
	}
	one_message(ISOTP_MSG_MAX, 0);
}

static void test_too_long_to_send(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0);
	static uint8_t big[ISOTP_MSG_MAX + 1];
	assert_int_equal(isotp_send(a, 2, big, ISOTP_MSG_MAX + 1), ISOTP_BAD_ARG);
	assert_int_equal(isotp_send(a, 2, big, 0), ISOTP_BAD_ARG);
	assert_int_equal(isotp_send(a, 0, big, 5), ISOTP_BAD_ARG);
	assert_int_equal(isotp_send(a, 16, big, 5), ISOTP_BAD_ARG);
	assert_int_equal(isotp_send(a, 1, big, 5), ISOTP_BAD_ARG);   /* itself */
	assert_int_equal(isotp_send(a, 2, big, 100), ISOTP_OK);
	assert_int_equal(isotp_send(a, 3, big, 100), ISOTP_BUSY);
}

/* ---- flow control: block size, STmin, wait, overflow -------------------------- */

/* The sender never sends more than BS consecutive frames without a flow
 * control in between. */
static void test_block_size(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	ep_new(2, 5, 0);
	one_message(1000, 5);     /* 142 CFs: 1 + 142/5 = 29 flow controls */
	assert_int_equal(fc_of(1, 0), 29);
	unsigned run_len = 0;
	for (unsigned i = 0; i < sim->nlog; i++) {
		if (sim->log[i].from == 1) {
			run_len = 0;
		} else if (sim->log[i].f.data[0] >> 4 == 2) {
			run_len++;
			assert_true(run_len <= 5);
		}
	}
}

static void test_block_size_zero(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	ep_new(2, 0, 0);
	one_message(ISOTP_MSG_MAX, 0);
	assert_int_equal(fc_of(1, 0), 1);
	assert_int_equal(frames_of(0, 2), cf_count(ISOTP_MSG_MAX));
}

/* The gaps between consecutive frames are at least what the receiver's
 * STmin asks for (checked on the fake clock), and the first frame after a
 * flow control follows it at once. */
static void stmin_case(uint8_t stmin, uint32_t gap_us, uint32_t len, unsigned bs)
{
	ep_new(1, 16, 0);
	ep_new(2, bs, stmin);
	uint64_t t0 = sim->now;
	one_message(len, bs);
	uint64_t prev = 0;
	bool after_fc = false;
	unsigned cfs = 0;
	for (unsigned i = 0; i < sim->nlog; i++) {
		const struct logged *l = &sim->log[i];
		if (l->from == 1) {
			after_fc = true;
			prev = l->t;
			continue;
		}
		if (l->f.data[0] >> 4 != 2)
			continue;
		cfs++;
		if (after_fc)
			assert_int_equal(l->t, prev);
		else
			assert_true(l->t - prev >= gap_us);
		after_fc = false;
		prev = l->t;
	}
	assert_int_equal(cfs, cf_count(len));
	/* And not much slower than that either. */
	uint64_t min = (uint64_t)(cfs - fc_count(len, bs)) * gap_us;
	assert_true(sim->now - t0 >= min);
	assert_true(sim->now - t0 <= min + 1000);
}

static void test_stmin_ms(void **state)
{
	(void)state;
	stmin_case(5, 5000, 200, 8);
}

static void test_stmin_us(void **state)
{
	(void)state;
	assert_int_equal(isotp_stmin_us(0xf1), 100);
	assert_int_equal(isotp_stmin_us(0xf9), 900);
	assert_int_equal(isotp_stmin_us(0x7f), 127000);
	stmin_case(0xf3, 300, 5000, 0);
}

static void test_stmin_reserved(void **state)
{
	(void)state;
	assert_int_equal(isotp_stmin_us(0x80), 127000);
	assert_int_equal(isotp_stmin_us(0xf0), 127000);
	assert_int_equal(isotp_stmin_us(0xfa), 127000);
	stmin_case(0xfa, 127000, 30, 0);
}

/* Receiver buffers all full: FC.WAIT until one is taken, then the
 * message goes through. */
static void test_wait_for_buffer(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	sim->hold[1] = true;
	uint8_t *data[ISOTP_RX_BUFS + 1];
	for (unsigned i = 0; i <= ISOTP_RX_BUFS; i++)
		data[i] = message(300 + i, i);
	for (unsigned i = 0; i < ISOTP_RX_BUFS; i++) {
		assert_int_equal(isotp_send(a, 2, data[i], 300 + i), ISOTP_OK);
		run();
	}
	assert_int_equal(b->count[ISOTP_RX_DONE], ISOTP_RX_BUFS);
	assert_int_equal(isotp_send(a, 2, data[ISOTP_RX_BUFS], 300 + ISOTP_RX_BUFS), ISOTP_OK);
	run_until(sim->now + 3 * b->cfg.wait_us + 10);
	assert_int_equal(fc_of(1, 1), 4);     /* one at once, then every wait_us */
	assert_true(isotp_tx_busy(a));
	unsigned cfs = 0;
	for (unsigned i = 0; i < ISOTP_RX_BUFS; i++)
		cfs += cf_count(300 + i);
	assert_int_equal(frames_of(0, 2), cfs);   /* none of the fourth */
	/* Take the messages in order of arrival; the waiting one can go on. */
	sim->hold[1] = false;
	run();
	assert_false(isotp_tx_busy(a));
	assert_int_equal(sim->ngot, ISOTP_RX_BUFS + 1);
	for (unsigned i = 0; i <= ISOTP_RX_BUFS; i++) {
		expect_got(i, 1, 1, data[i], 300 + i);
		free(data[i]);
	}
	assert_int_equal(a->count[ISOTP_TX_DONE], ISOTP_RX_BUFS + 1);
}

/* Nobody takes the buffers: the receiver gives up after wft_max waits
 * with an overflow, which ends the sender's message. */
static void test_wait_then_overflow(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	sim->hold[1] = true;
	uint8_t *data = message(100, 1);
	for (unsigned i = 0; i <= ISOTP_RX_BUFS; i++) {
		assert_int_equal(isotp_send(a, 2, data, 100), ISOTP_OK);
		run();
	}
	assert_int_equal(fc_of(1, 1), b->cfg.wft_max);
	assert_int_equal(fc_of(1, 2), 1);
	assert_int_equal(b->count[ISOTP_RX_NO_BUFFER], 1);
	assert_int_equal(a->count[ISOTP_TX_OVERFLOW], 1);
	assert_int_equal(a->count[ISOTP_TX_DONE], ISOTP_RX_BUFS);
	unsigned result;
	assert_true(isotp_tx_finished(a, &result));
	assert_int_equal(result, ISOTP_TX_OVERFLOW);
	free(data);
}

/* A sender that bears fewer waits than the receiver sends gives up first. */
static void test_wait_limit_sender(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	a->cfg.wft_max = 2;
	sim->hold[1] = true;
	uint8_t *data = message(100, 1);
	for (unsigned i = 0; i <= ISOTP_RX_BUFS; i++) {
		assert_int_equal(isotp_send(a, 2, data, 100), ISOTP_OK);
		run_until(sim->now + 10 * b->cfg.wait_us);
	}
	assert_int_equal(a->count[ISOTP_TX_WAIT_LIMIT], 1);
	assert_false(isotp_tx_busy(a));
	/* The receiver, still waiting, runs into its own limit later. */
	run();
	assert_int_equal(b->count[ISOTP_RX_NO_BUFFER], 1);
	free(data);
}

static void test_overflow_too_long(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	b->cfg.rx_max = 100;
	uint8_t *data = message(101, 7);
	assert_int_equal(isotp_send(a, 2, data, 101), ISOTP_OK);
	run();
	assert_int_equal(a->count[ISOTP_TX_OVERFLOW], 1);
	assert_int_equal(b->count[ISOTP_RX_TOO_LONG], 1);
	assert_int_equal(fc_of(1, 2), 1);
	assert_int_equal(frames_of(0, 2), 0);
	assert_int_equal(sim->ngot, 0);
	/* One byte less goes through. */
	one_message(100, 16);
	free(data);
}

/* ---- losses and timeouts ------------------------------------------------------- */

static bool lose_nth(struct sim *s, unsigned from, struct isotp_frame *f, unsigned nth)
{
	(void)from;
	(void)f;
	return nth != s->hook_arg;
}

/* A consecutive frame lost in the middle: the next one is out of
 * sequence and the reception ends. With BS 0 the sender cannot know; with
 * a block size it waits for a flow control that never comes. */
static void test_lost_frame_wrong_sn(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 0, 0);
	uint8_t *data = message(500, 3);
	sim->hook = lose_nth;
	sim->hook_arg = 6;        /* FF, FC, CF1..CF4, then CF5 is lost */
	assert_int_equal(isotp_send(a, 2, data, 500), ISOTP_OK);
	run();
	assert_int_equal(b->count[ISOTP_RX_WRONG_SN], 1);
	assert_int_equal(b->count[ISOTP_RX_STRAY_CF], cf_count(500) - 6);
	assert_int_equal(sim->ngot, 0);
	assert_int_equal(a->count[ISOTP_TX_DONE], 1);

	b->cfg.bs = 16;
	sim->nlog = 0;
	assert_int_equal(isotp_send(a, 2, data, 500), ISOTP_OK);
	uint64_t t0 = sim->now;
	run();
	assert_int_equal(b->count[ISOTP_RX_WRONG_SN], 2);
	assert_int_equal(a->count[ISOTP_TX_TIMEOUT], 1);
	assert_true(sim->now - t0 >= a->cfg.n_bs_us);
	unsigned result;
	assert_true(isotp_tx_finished(a, &result));
	assert_int_equal(result, ISOTP_TX_TIMEOUT);
	/* Nothing is left behind: the next message goes through. */
	sim->hook = NULL;
	one_message(500, 16);
	free(data);
}

/* The last consecutive frame lost: the receiver gives up after N_Cr, and
 * its buffer is free again. */
static void test_lost_last_frame_timeout(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 0, 0);
	uint8_t *data = message(50, 3);
	sim->hook = lose_nth;
	sim->hook_arg = 1 + 1 + cf_count(50) - 1;
	assert_int_equal(isotp_send(a, 2, data, 50), ISOTP_OK);
	uint64_t t0 = sim->now;
	run();
	assert_int_equal(b->count[ISOTP_RX_TIMEOUT], 1);
	assert_true(sim->now - t0 >= b->cfg.n_cr_us);
	assert_int_equal(sim->ngot, 0);
	/* Its buffer is free: as many messages as there are buffers fit
	 * without anybody taking them, and no FC.WAIT. */
	sim->hook = NULL;
	sim->hold[1] = true;
	for (unsigned i = 0; i < ISOTP_RX_BUFS; i++) {
		assert_int_equal(isotp_send(a, 2, data, 50), ISOTP_OK);
		run();
	}
	assert_int_equal(b->count[ISOTP_RX_DONE], ISOTP_RX_BUFS);
	assert_int_equal(fc_of(1, 1), 0);
	sim->hold[1] = false;
	run();
	assert_int_equal(sim->ngot, ISOTP_RX_BUFS);
	free(data);
}

/* The flow control lost: the sender times out after N_Bs, the receiver
 * after N_Cr. */
static void test_lost_flow_control(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	uint8_t *data = message(5000, 3);
	sim->hook = lose_nth;
	sim->hook_arg = 1;
	assert_int_equal(isotp_send(a, 2, data, 5000), ISOTP_OK);
	run();
	assert_int_equal(a->count[ISOTP_TX_TIMEOUT], 1);
	assert_int_equal(b->count[ISOTP_RX_TIMEOUT], 1);
	assert_int_equal(frames_of(0, 2), 0);
	free(data);
}

/* A sender that stops after its first frame, made up by hand. */
static void test_sender_stops(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	struct isotp_ep *b = ep_new(2, 16, 0);
	static const uint8_t ff[8] = { 0x10, 20, 1, 2, 3, 4, 5, 6 };
	static const uint8_t cf1[8] = { 0x21, 7, 8, 9, 10, 11, 12, 13 };
	inject(0x732, 8, ff);
	inject(0x732, 8, cf1);
	run();
	assert_int_equal(b->count[ISOTP_RX_TIMEOUT], 1);
	assert_int_equal(sim->ngot, 0);
	/* Out of sequence, made up too. */
	inject(0x732, 8, ff);
	static const uint8_t cf2[8] = { 0x22, 7, 8, 9, 10, 11, 12, 13 };
	inject(0x732, 8, cf2);
	assert_int_equal(b->count[ISOTP_RX_WRONG_SN], 1);
	inject(0x732, 8, cf1);
	assert_int_equal(b->count[ISOTP_RX_STRAY_CF], 1);
}

/* ---- several senders ----------------------------------------------------------- */

/* Nodes 1 and 3 send to node 2 at the same time, their frames alternating
 * on the bus, while node 2 sends to node 1: nothing mixes. */
static void test_interleaved_senders(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 4, 0), *b = ep_new(2, 8, 0), *c = ep_new(3, 16, 0);
	uint8_t *da = message(5000, 1), *dc = message(4999, 2), *db = message(3000, 3);
	assert_int_equal(isotp_send(a, 2, da, 5000), ISOTP_OK);
	assert_int_equal(isotp_send(c, 2, dc, 4999), ISOTP_OK);
	assert_int_equal(isotp_send(b, 1, db, 3000), ISOTP_OK);
	run();
	assert_int_equal(sim->ngot, 3);
	for (unsigned k = 0; k < 3; k++) {
		struct got *g = &sim->got[k];
		if (g->at == 1 && g->src == 1)
			expect_got(k, 1, 1, da, 5000);
		else if (g->at == 1 && g->src == 3)
			expect_got(k, 1, 3, dc, 4999);
		else
			expect_got(k, 0, 2, db, 3000);
	}
	/* Frames of the two senders really were interleaved. */
	unsigned switches = 0;
	for (unsigned i = 1; i < sim->nlog; i++)
		if (sim->log[i].from != sim->log[i - 1].from)
			switches++;
	assert_true(switches > 100);
	assert_int_equal(a->count[ISOTP_TX_DONE] + b->count[ISOTP_TX_DONE] +
			 c->count[ISOTP_TX_DONE], 3);
	/* Node 3 does not take node 1's frames to node 2 as its own. */
	assert_int_equal(c->count[ISOTP_RX_DONE], 0);
	assert_true(c->count[ISOTP_RX_NOT_OURS] > 0);
	free(da);
	free(dc);
	free(db);
}

/* A new message from a sender in the middle of one replaces it. */
static void test_interrupted(void **state)
{
	(void)state;
	ep_new(1, 16, 0);
	struct isotp_ep *b = ep_new(2, 16, 0);
	static const uint8_t ff[8] = { 0x10, 20, 1, 2, 3, 4, 5, 6 };
	static const uint8_t sf[4] = { 0x03, 0xaa, 0xbb, 0xcc };
	inject(0x712, 8, ff);
	inject(0x712, 4, sf);
	take_messages();
	assert_int_equal(b->count[ISOTP_RX_INTERRUPTED], 1);
	assert_int_equal(sim->ngot, 1);
	expect_got(0, 1, 1, &sf[1], 3);
	inject(0x712, 8, ff);
	inject(0x712, 8, ff);
	assert_int_equal(b->count[ISOTP_RX_INTERRUPTED], 2);
}

/* ---- malformed frames ---------------------------------------------------------- */

static void test_malformed(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 16, 0);
	static const uint8_t z[8];
	uint8_t f[8];
	/* Reserved frame types, and an empty frame. */
	for (unsigned t = 4; t < 16; t++) {
		memset(f, 0, 8);
		f[0] = (uint8_t)(t << 4 | 3);
		inject(0x712, 8, f);
	}
	inject(0x712, 0, z);
	assert_int_equal(b->count[ISOTP_RX_BAD_PCI], 13);
	/* Single frames: length 0, 8..15, longer than the frame. */
	f[0] = 0x00;
	inject(0x712, 8, f);
	for (unsigned n = 8; n < 16; n++) {
		f[0] = (uint8_t)n;
		inject(0x712, 8, f);
	}
	f[0] = 0x05;
	inject(0x712, 5, f);
	assert_int_equal(b->count[ISOTP_RX_BAD_SF], 10);
	/* First frames: not 8 bytes, FF_DL < 8, an escape below 4096, an
	 * escape of 0. */
	static const uint8_t ff_short[7] = { 0x10, 20, 1, 2, 3, 4, 5 };
	inject(0x712, 7, ff_short);
	static const uint8_t ff_dl7[8] = { 0x10, 7, 1, 2, 3, 4, 5, 6 };
	inject(0x712, 8, ff_dl7);
	static const uint8_t ff_dl0[8] = { 0x10, 0, 0, 0, 0, 0, 1, 2 };
	inject(0x712, 8, ff_dl0);
	static const uint8_t ff_esc[8] = { 0x10, 0, 0, 0, 0x0f, 0xff, 1, 2 };
	inject(0x712, 8, ff_esc);
	assert_int_equal(b->count[ISOTP_RX_BAD_FF], 4);
	/* An escape over any buffer: refused, not written. */
	static const uint8_t ff_huge[8] = { 0x10, 0, 0xff, 0xff, 0xff, 0xff, 1, 2 };
	inject(0x712, 8, ff_huge);
	assert_int_equal(b->count[ISOTP_RX_TOO_LONG], 1);
	run();
	assert_int_equal(fc_of(1, 2), 1);
	/* A consecutive frame without a first frame. */
	static const uint8_t cf[8] = { 0x21, 1, 2, 3, 4, 5, 6, 7 };
	inject(0x712, 8, cf);
	assert_int_equal(b->count[ISOTP_RX_STRAY_CF], 1);
	/* A flow control nobody waits for (the overflow above was one too). */
	static const uint8_t fc[3] = { 0x30, 0, 0 };
	assert_int_equal(a->count[ISOTP_TX_STRAY_FC], 1);
	inject(0x721, 3, fc);
	assert_int_equal(a->count[ISOTP_TX_STRAY_FC], 2);
	/* Not ours: another scheme, node 0, to itself, to a node not here,
	 * an extended-looking identifier. */
	uint32_t other[] = { 0x123, 0x702, 0x722, 0x713, 0x1712, 0x6ff };
	uint32_t not_ours = b->count[ISOTP_RX_NOT_OURS];
	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		inject(other[i], 8, cf);
	assert_int_equal(b->count[ISOTP_RX_NOT_OURS], not_ours + 6);
	/* A consecutive frame too short for what is due ends the message. */
	static const uint8_t ff20[8] = { 0x10, 20, 1, 2, 3, 4, 5, 6 };
	static const uint8_t cf_empty[1] = { 0x21 };
	inject(0x712, 8, ff20);
	inject(0x712, 1, cf_empty);
	assert_int_equal(b->count[ISOTP_RX_SHORT_CF], 1);
	assert_int_equal(sim->ngot, 0);
	assert_int_equal(b->count[ISOTP_RX_DONE], 0);
	/* After all that, a message goes through. */
	run();
	sim->nlog = 0;
	one_message(3000, 16);
}

/* Bad flow controls end the sender's message. */
static void test_bad_flow_control(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0);
	static const uint8_t data[100];
	static const uint8_t fc_short[2] = { 0x30, 0 };
	static const uint8_t fc_bad[3] = { 0x35, 0, 0 };
	struct isotp_frame f;
	assert_int_equal(isotp_send(a, 2, data, 100), ISOTP_OK);
	assert_true(isotp_tx_frame(a, sim->now, &f));
	inject(0x721, 2, fc_short);
	assert_int_equal(a->count[ISOTP_TX_BAD_FC], 1);
	assert_false(isotp_tx_busy(a));
	assert_int_equal(isotp_send(a, 2, data, 100), ISOTP_OK);
	assert_true(isotp_tx_frame(a, sim->now, &f));
	inject(0x731, 3, fc_bad);      /* from node 3, not the receiver: ignored */
	assert_int_equal(a->count[ISOTP_TX_STRAY_FC], 1);
	assert_true(isotp_tx_busy(a));
	inject(0x721, 3, fc_bad);
	assert_int_equal(a->count[ISOTP_TX_BAD_FC], 2);
	assert_false(isotp_tx_busy(a));
}

/* The controller could not get a frame out: the message it belongs to
 * fails, even when it was the last frame. */
static void test_tx_abort(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0);
	static const uint8_t data[100];
	struct isotp_frame f;
	unsigned result;
	isotp_tx_abort(a);              /* nothing to abort */
	assert_int_equal(a->count[ISOTP_TX_NOT_SENT], 0);
	assert_int_equal(isotp_send(a, 2, data, 100), ISOTP_OK);
	assert_true(isotp_tx_frame(a, sim->now, &f));
	isotp_tx_abort(a);
	assert_false(isotp_tx_busy(a));
	assert_true(isotp_tx_finished(a, &result));
	assert_int_equal(result, ISOTP_TX_NOT_SENT);
	assert_int_equal(isotp_send(a, 2, data, 3), ISOTP_OK);
	assert_true(isotp_tx_frame(a, sim->now, &f));
	assert_false(isotp_tx_busy(a));   /* a single frame: done once handed out */
	isotp_tx_abort(a);
	assert_true(isotp_tx_finished(a, &result));
	assert_int_equal(result, ISOTP_TX_NOT_SENT);
	assert_int_equal(a->count[ISOTP_TX_NOT_SENT], 2);
	assert_int_equal(a->count[ISOTP_TX_DONE], 0);
	isotp_tx_abort(a);              /* told already: stays as it was */
	assert_int_equal(a->count[ISOTP_TX_NOT_SENT], 2);
}

/* Random frames at an endpoint in the middle of a transfer: nothing but
 * counters change outside the message buffers (the sanitizers watch), and
 * afterwards messages go through again. */
static void test_random_frames(void **state)
{
	(void)state;
	struct isotp_ep *a = ep_new(1, 16, 0), *b = ep_new(2, 2, 0);
	uint8_t *data = message(16000, 9);
	uint32_t x = 12345;
	sim->discard = true;      /* random single frames make messages */
	assert_int_equal(isotp_send(a, 2, data, 16000), ISOTP_OK);
	for (unsigned i = 0; i < 200000; i++) {
		uint8_t f[8];
		x = x * 1103515245u + 12345u;
		uint32_t id = 0x700 | (x >> 8 & 0xff);
		unsigned len = x >> 16 & 0xf;
		for (unsigned k = 0; k < 8; k++) {
			x = x * 1103515245u + 12345u;
			f[k] = (uint8_t)(x >> 16);
		}
		if (x >> 28 < 4)            /* often a plausible frame type */
			f[0] = (uint8_t)((f[0] & 0x3f) | (x >> 24 & 0x30));
		inject(id, len > 8 ? 8 : len, f);
		if (i % 16 == 0)
			step();
		if (i % 1000 == 0) {
			sim->now += 50000;
			sim->nlog = 0;
		}
	}
	uint32_t total = 0;
	for (unsigned e = 0; e < ISOTP_EVENTS; e++)
		total += b->count[e];
	assert_true(total > 100000);
	/* Let everything under way end, then a clean transfer. */
	run();
	while (isotp_tx_finished(a, &(unsigned){ 0 }))
		;
	sim->discard = false;
	sim->nlog = 0;
	one_message(16000, 2);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_frame_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long_to_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_size_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmin_ms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmin_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmin_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_then_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_limit_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_frame_wrong_sn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_last_frame_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interleaved_senders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_flow_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_frames, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
