/*
 * rtcr/core/rules: what a child may hold. The same checks meet a live child's
 * requests and every record of an image a restore or a migration builds a
 * task from, so these tests read as the specification of both:
 *
 *   1. an image as RTCR writes it for a real child passes, full or as an
 *      increment;
 *   2. each rule alone, at its boundaries and just past them, with the
 *      error code and a reason that names the problem;
 *   3. the whole-image check refuses the good image changed in one way,
 *      each time for the reason that change makes (the reason's words are
 *      checked, so a test fails if another check happened to fire);
 *   4. rules_same_memory, which keeps an increment from changing the
 *      memory map of its base;
 *   5. a seeded fuzz loop over the records: never a crash (ASan, UBSan),
 *      always an enum k_error.
 *
 * Images are built with the codec's writer each time, as RTCR's
 * checkpoint (rtcr/checkpoint/ckpt.c) writes them, and handed to rules_image in a heap
 * block of exactly their size, so ASan sees any read past the end.
 *
 * <string.h> here is the firmware's lib/string.h (-Ilib): it declares the
 * same memcpy/memcmp/strlen as libc, which provides them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules.h"

/* ---- the board ------------------------------------------------------------------- */

/* The device table of the boot info: the vexpress SP804 first, as irqcount
 * uses it, then devices that lack one thing each. */
static const struct bootinfo_device board[] = {
	{ "sp804", 0x10011000, 0x1000, 34, 0x5 },   /* registers 0 and 2 kept */
	{ "sysreg", 0x10000000, 0x1000, 0, 0 },     /* registers, no interrupt */
	{ "swirq", 0, 0, 40, 0 },                   /* an interrupt, no registers */
	{ "wide", 0x10020000, 0x3000, 41, 0x1ff },  /* three pages, nine registers */
	{ "tiny", 0x10030000, 0x800, 42, 0 },       /* less than a page: none to map */
};
#define DEV_SP804 0u
#define DEV_NO_IRQ 1u
#define DEV_NO_REGS 2u
#define DEV_WIDE 3u
#define DEV_TINY 4u
#define NDEV 5u
static const struct rules_devices devices = { board, NDEV };

/* ---- the good image: the counter demo with a device and a thread of its own ------ */

#define ORIGIN 0x0123456789abcdefull
#define T0 5000000ull          /* the board's clock at the pause */
#define TICK_LABEL 0x7111u     /* user/counter */
#define IRQ_LABEL 0x1a0u       /* user/irqcount */
#define GATE_LABEL 0x5a5au
#define PERIOD_US 250000u
#define DS_VA 0x10000000u      /* the first address the parent picks */

/* Session ids in order of creation, as RTCR numbers them. */
enum {
	S_PARENT = 0x100, S_LOG, S_RAM, S_RM, S_TIMER, S_IO_MEM, S_IRQ, S_CPU, S_GATE,
};

#define MAX_THREADS 12
#define MAX_CAPS 300
#define MAX_SESSIONS 128

/* What an image holds, before it is encoded. */
struct spec {
	struct ckpt_header h;
	struct ckpt_thread th[MAX_THREADS];
	struct ckpt_cap cap[MAX_CAPS];
	struct ckpt_session ses[MAX_SESSIONS];
	unsigned nth, ncap, nses;
	bool no_threads, no_caps, no_sessions;
};

static struct ckpt_thread make_thread(uint32_t n, uint32_t state, uint32_t wait, const char *name)
{
	struct ckpt_thread t = { .index = n, .state = state, .priority = CHILD_PRIO,
				 .wait_kind = wait, .utcb_va = CHILD_UTCB_TOP - n * PAGE_SIZE };
	for (unsigned i = 0; i < CKPT_THREAD_NAME && name[i]; i++)
		t.name[i] = name[i];
	for (unsigned r = 0; r < 13; r++)
		t.regs[r] = 0x100 * n + r;
	t.regs[13] = 0x7ff00000u - 0x10000u * n;   /* sp */
	t.regs[14] = 0x10234u;                      /* lr */
	t.regs[15] = 0x10120u;                      /* pc: back at the svc */
	t.regs[16] = 0x10u;                         /* cpsr: user mode */
	for (unsigned u = 0; u < CKPT_UTCB_WORDS; u++)
		t.utcb[u] = u * 3 + n;
	return t;
}

static void add_session(struct spec *s, uint32_t id, uint32_t kind, const uint32_t *args,
			unsigned nargs, const uint32_t *state, unsigned nstate)
{
	struct ckpt_session *r = &s->ses[s->nses++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->kind = kind;
	for (unsigned i = 0; i < nargs; i++)
		r->args[i] = args[i];
	for (unsigned i = 0; i < nstate; i++)
		r->state[i] = state[i];
}

#define SESSION(s, id, kind, args, state) \
	add_session(s, id, kind, (const uint32_t[])args, sizeof((uint32_t[])args) / 4, \
		    (const uint32_t[])state, sizeof((uint32_t[])state) / 4)
#define W(...) { __VA_ARGS__ }

static void add_cap(struct spec *s, uint32_t sel, uint32_t type, uint32_t rights, uint32_t label,
		    uint32_t session)
{
	s->cap[s->ncap] = (struct ckpt_cap){ .sel = sel, .type = type, .rights = rights,
					     .label = label, .obj_id = 40 + s->ncap,
					     .session = session };
	s->ncap++;
}

/*
 * What RTCR writes for a child that is the counter demo (log, ram with one
 * page attached read-write at DS_VA, rm, a periodic timer, its parent),
 * irqcount's device sessions on the SP804 (registers at IO_MEM_START, its
 * interrupt) and a cpu session whose gate is bound to a second thread.
 */
static void good(struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->h = (struct ckpt_header){ .image_id = 7, .origin = ORIGIN, .task_id = 3,
				     .name = "counter", .time_us = T0, .pause_us = 40 };

	/* stop_threads: thread 0 blocked in a call, thread 1 waiting for a
	 * message through its gate. */
	s->th[s->nth++] = make_thread(0, TS_BLOCKED, WAIT_CALL, "counter");
	s->th[s->nth++] = make_thread(1, TS_BLOCKED, WAIT_RECEIVE, "worker");

	/* read_caps: every slot in order of selector. */
	add_cap(s, CHILD_SEL_PARENT, KOBJ_GATE, RIGHT_WRITE, S_PARENT, S_PARENT);
	add_cap(s, 16, KOBJ_GATE, RIGHT_WRITE, S_TIMER, S_TIMER);
	add_cap(s, 17, KOBJ_IRQ, RIGHT_READ | RIGHT_WRITE, 0, S_TIMER);
	add_cap(s, 18, KOBJ_GATE, RIGHT_WRITE, S_LOG, S_LOG);
	add_cap(s, 19, KOBJ_GATE, RIGHT_WRITE, S_RAM, S_RAM);
	add_cap(s, 20, KOBJ_GATE, RIGHT_WRITE, S_RM, S_RM);
	add_cap(s, 21, KOBJ_GATE, RIGHT_WRITE, S_IO_MEM, S_IO_MEM);
	add_cap(s, 22, KOBJ_GATE, RIGHT_WRITE, S_IRQ, S_IRQ);
	add_cap(s, 23, KOBJ_IRQ, RIGHT_READ | RIGHT_WRITE, 0, S_IRQ);
	add_cap(s, 24, KOBJ_GATE, RIGHT_WRITE, S_CPU, S_CPU);
	add_cap(s, 25, KOBJ_GATE, RIGHTS_ALL, GATE_LABEL, S_GATE);

	/* put_sessions: the registry's sessions, then segments, then dataspaces. */
	uint64_t deadline = T0 + 100000;   /* the next tick, within a period */
	SESSION(s, S_PARENT, CKPT_SESSION_PARENT, W(0), W(0, 0));   /* clock offset 0 */
	SESSION(s, S_LOG, CKPT_SESSION_LOG, W(0), W(120));
	SESSION(s, S_RAM, CKPT_SESSION_RAM, W(1), W(1));
	SESSION(s, S_RM, CKPT_SESSION_RM, W(0), W(0));
	SESSION(s, S_TIMER, CKPT_SESSION_TIMER, W(TICK_LABEL, 0),
		W(TIMER_MODE_PERIODIC, PERIOD_US, (uint32_t)deadline, (uint32_t)(deadline >> 32),
		  0, 0));
	SESSION(s, S_IO_MEM, CKPT_SESSION_IO_MEM, W(DEV_SP804, IO_MEM_START), W(1, 50000, 0xe2));
	SESSION(s, S_IRQ, CKPT_SESSION_IRQ, W(DEV_SP804, IRQ_LABEL, 0), W(34, 0, 0, 0, 0, 1));
	SESSION(s, S_CPU, CKPT_SESSION_CPU, W(0), W(0));
	SESSION(s, S_GATE, CKPT_SESSION_GATE, W(GATE_LABEL, 1, S_CPU), W(0));
	SESSION(s, 0, CKPT_SESSION_SEGMENT, W(0x10000, 4, MAP_R | MAP_X), W(0));
	SESSION(s, 1, CKPT_SESSION_SEGMENT, W(0x14000, 2, MAP_R | MAP_W), W(0));
	SESSION(s, 0, CKPT_SESSION_DATASPACE, W(0, 1, S_RAM), W(DS_VA, MAP_R | MAP_W));
}

static struct ckpt_session *find(struct spec *s, uint32_t kind, uint32_t id)
{
	for (unsigned i = 0; i < s->nses; i++)
		if (s->ses[i].kind == kind && s->ses[i].id == id)
			return &s->ses[i];
	fail_msg("no session %x of kind %u in the spec", (unsigned)id, (unsigned)kind);
	return NULL;
}

static struct ckpt_cap *cap_at(struct spec *s, uint32_t sel)
{
	for (unsigned i = 0; i < s->ncap; i++)
		if (s->cap[i].sel == sel)
			return &s->cap[i];
	fail_msg("no capability at %x in the spec", (unsigned)sel);
	return NULL;
}

static void drop_session(struct spec *s, struct ckpt_session *r)
{
	unsigned i = (unsigned)(r - s->ses);
	memmove(&s->ses[i], &s->ses[i + 1], (s->nses - i - 1) * sizeof(s->ses[0]));
	s->nses--;
}

static void drop_cap(struct spec *s, struct ckpt_cap *c)
{
	unsigned i = (unsigned)(c - s->cap);
	memmove(&s->cap[i], &s->cap[i + 1], (s->ncap - i - 1) * sizeof(s->cap[0]));
	s->ncap--;
}

static void set64(uint32_t *lo, uint64_t v)
{
	lo[0] = (uint32_t)v;
	lo[1] = (uint32_t)(v >> 32);
}

/* ---- encoding and checking ------------------------------------------------------- */

static uint8_t page_data[CKPT_PAGE_SIZE];
static uint8_t buf[1 << 16];

/* The image a checkpoint of s writes (pages: a few, as RTCR copies them;
 * the rules do not look at them). 0 if the writer refused. */
static size_t encode(const struct spec *s, uint8_t *out, size_t cap)
{
	struct ckpt_writer w;
	size_t len = 0;
	ckpt_writer_init(&w, out, cap, &s->h);
	if (!s->no_threads) {
		ckpt_section_begin(&w, CKPT_SEC_THREADS);
		for (unsigned i = 0; i < s->nth; i++)
			ckpt_put_thread(&w, &s->th[i]);
		ckpt_section_end(&w);
	}
	if (!s->no_caps) {
		ckpt_section_begin(&w, CKPT_SEC_CAPS);
		for (unsigned i = 0; i < s->ncap; i++)
			ckpt_put_cap(&w, &s->cap[i]);
		ckpt_section_end(&w);
	}
	if (!s->no_sessions) {
		ckpt_section_begin(&w, CKPT_SEC_SESSIONS);
		for (unsigned i = 0; i < s->nses; i++)
			ckpt_put_session(&w, &s->ses[i]);
		ckpt_section_end(&w);
	}
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	ckpt_put_page(&w, 0x10000, page_data);
	ckpt_put_page(&w, 0x14000, NULL);
	ckpt_put_page(&w, DS_VA, NULL);
	ckpt_section_end(&w);
	return ckpt_writer_finish(&w, &len) == CKPT_OK ? len : 0;
}

/* A heap copy of exactly the image's size. */
static uint8_t *image_of(const struct spec *s, size_t *len)
{
	*len = encode(s, buf, sizeof(buf));
	assert_true(*len > 0);
	assert_int_equal(ckpt_image_check(buf, *len, NULL, NULL), CKPT_OK);
	uint8_t *img = malloc(*len);
	assert_non_null(img);
	memcpy(img, buf, *len);
	return img;
}

static rtcr_err check(const struct spec *s, struct rtcr_detail *why)
{
	size_t len;
	uint8_t *img = image_of(s, &len);
	rtcr_err err = rules_image(img, len, &devices, why);
	free(img);
	return err;
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);
	for (; *s; s++)
		if (strncmp(s, part, n) == 0)
			return true;
	return false;
}

/* err must be code (or any refusal if code < 0) and why must name the
 * problem. */
static void expect_refusal(int err, const char *why, int code, const char *word,
			   const char *what, const char *file, int line)
{
	if (err != E_OK && (code < 0 || err == code) && contains(why, word))
		return;
	print_error("%s: got %d (%s), why \"%s\"; wanted %d and a reason with \"%s\"\n", what,
		    err, k_error_name((unsigned)err), why, code, word);
	_fail(file, line);
}

static void expect_ok(int err, const char *why, const char *what, const char *file, int line)
{
	if (err == E_OK)
		return;
	print_error("%s: refused with %d (%s): %s\n", what, err, k_error_name((unsigned)err), why);
	_fail(file, line);
}

/* A rule called with `&why` (its detail) as its last argument. */
#define REFUSES(code, word, call) do { \
		struct rtcr_detail why = { "" }; \
		rtcr_err err_ = (call); \
		expect_refusal(err_, why.text, code, word, #call, __FILE__, __LINE__); \
	} while (0)
#define ALLOWS(call) do { \
		struct rtcr_detail why = { "" }; \
		rtcr_err err_ = (call); \
		expect_ok(err_, why.text, #call, __FILE__, __LINE__); \
	} while (0)

/* The whole image. */
#define IMAGE_REFUSED(s, code, word) do { \
		struct rtcr_detail why = { "" }; \
		rtcr_err err_ = check(s, &why); \
		expect_refusal(err_, why.text, code, word, "rules_image", __FILE__, __LINE__); \
	} while (0)
#define IMAGE_OK(s) do { \
		struct rtcr_detail why = { "" }; \
		rtcr_err err_ = check(s, &why); \
		expect_ok(err_, why.text, "rules_image", __FILE__, __LINE__); \
	} while (0)

/* ---- 1. the good image ------------------------------------------------------------ */

static void test_good_image(void **state)
{
	(void)state;
	struct spec s;
	good(&s);
	IMAGE_OK(&s);

	/* The same as an increment of image 6. */
	s.h.flags = CKPT_FLAG_INCREMENTAL;
	s.h.base_id = 6;
	IMAGE_OK(&s);

	/* Without a reason to give. */
	size_t len;
	uint8_t *img = image_of(&s, &len);
	assert_int_equal(rules_image(img, len, &devices, NULL), E_OK);
	free(img);
}

/* Variations a live child reaches too, at the edges of what it may hold. */
static void test_good_variations(void **state)
{
	(void)state;
	struct spec s;

	/* A child moved from a board that has run longer: its clock is ahead
	 * of this one's, and its timer deadlines are in its own clock. */
	good(&s);
	int64_t off = 7000000000;
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)off);
	uint64_t child_now = T0 + (uint64_t)off;
	set64(&find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[2], child_now + PERIOD_US);
	IMAGE_OK(&s);
	set64(&find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[2], child_now + PERIOD_US + 1);
	IMAGE_REFUSED(&s, E_INVALID_ARG, "more than a period ahead");

	/* ... and one from a younger board: its clock is behind, down to 0. */
	good(&s);
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)-(int64_t)T0);
	set64(&find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[2], PERIOD_US);
	IMAGE_OK(&s);

	/* A one-shot, an off timer, a signal raised and delivered. */
	good(&s);
	struct ckpt_session *t = find(&s, CKPT_SESSION_TIMER, S_TIMER);
	t->state[0] = TIMER_MODE_ONESHOT;
	t->state[1] = 0;
	set64(&t->state[2], T0 + 0xffffffffull);
	t->state[4] = 3;
	t->state[5] = 1;
	IMAGE_OK(&s);
	t->state[0] = TIMER_OFF;
	set64(&t->state[2], 0);
	IMAGE_OK(&s);

	/* A dataspace allocated but not attached; another read-only. */
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 8;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 1 + 3 + 4;
	SESSION(&s, 1, CKPT_SESSION_DATASPACE, W(1, 3, S_RAM), W(0, 0));
	SESSION(&s, 2, CKPT_SESSION_DATASPACE, W(2, 4, S_RAM), W(DS_VA + PAGE_SIZE, MAP_R));
	IMAGE_OK(&s);

	/* RAM quotas that add up to exactly CHILD_RAM_PAGES. */
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_RAM, W(CHILD_RAM_PAGES - 1), W(0));
	IMAGE_OK(&s);

	/* Every thread a cpu session can have, each in a state a pause finds. */
	good(&s);
	static const uint32_t states[][2] = {
		{ TS_INACTIVE, WAIT_NONE }, { TS_READY, WAIT_NONE }, { TS_RUNNING, WAIT_NONE },
		{ TS_SUSPENDED, WAIT_NONE }, { TS_FAULTED, WAIT_NONE }, { TS_BLOCKED, WAIT_EVENT },
	};
	for (uint32_t n = 2; n < CPU_THREADS_MAX; n++)
		s.th[s.nth++] = make_thread(n, states[n - 2][0], states[n - 2][1], "t");
	IMAGE_OK(&s);

	/* Exactly SESSIONS_PER_CHILD sessions, CHILD_CAPS_MAX capabilities,
	 * CHILD_REGIONS_MAX regions. */
	good(&s);
	for (uint32_t i = 0; s.nses - 3 < SESSIONS_PER_CHILD; i++)
		SESSION(&s, 0x300 + i, CKPT_SESSION_LOG, W(0), W(0));
	IMAGE_OK(&s);
	good(&s);
	for (uint32_t sel = 100; s.ncap < CHILD_CAPS_MAX; sel++)
		add_cap(&s, sel, KOBJ_GATE, RIGHT_WRITE, S_LOG, S_LOG);
	IMAGE_OK(&s);
	good(&s);
	for (uint32_t k = 0; k < CHILD_REGIONS_MAX - 3; k++)
		SESSION(&s, 2 + k, CKPT_SESSION_SEGMENT, W(0x100000 + k * PAGE_SIZE, 1, MAP_R), W(0));
	IMAGE_OK(&s);

	/* Two device mappings side by side; a capability with fewer rights
	 * than handed out; the last selector. */
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_IO_MEM, W(DEV_WIDE, IO_MEM_START + PAGE_SIZE), W(1));
	cap_at(&s, 18)->rights = 0;
	add_cap(&s, CSPACE_SLOTS - 1, KOBJ_GATE, RIGHT_WRITE, S_LOG, S_LOG);
	IMAGE_OK(&s);
}

/* ---- 2. each rule alone ---------------------------------------------------------------- */

static void test_rule_timer(void **state)
{
	(void)state;
	const uint64_t now = T0;

	/* Off: neither period nor deadline. */
	ALLOWS(rule_timer(TIMER_OFF, 0, 0, now, &why));
	REFUSES(E_INVALID_ARG, "off", rule_timer(TIMER_OFF, 1000, 0, now, &why));
	REFUSES(E_INVALID_ARG, "off", rule_timer(TIMER_OFF, 0, now + 1, now, &why));

	/* One-shot: no period, a deadline at most 2^32-1 us ahead (what
	 * TIMER_ONESHOT's one word can ask). */
	ALLOWS(rule_timer(TIMER_MODE_ONESHOT, 0, now + 1, now, &why));
	ALLOWS(rule_timer(TIMER_MODE_ONESHOT, 0, now, now, &why));   /* due */
	ALLOWS(rule_timer(TIMER_MODE_ONESHOT, 0, now + 0xffffffffull, now, &why));
	REFUSES(E_INVALID_ARG, "2^32-1",
		rule_timer(TIMER_MODE_ONESHOT, 0, now + 0x100000000ull, now, &why));
	REFUSES(E_INVALID_ARG, "with a period",
		rule_timer(TIMER_MODE_ONESHOT, 1000, now + 1, now, &why));
	REFUSES(E_INVALID_ARG, "deadline", rule_timer(TIMER_MODE_ONESHOT, 0, 0, now, &why));
	ALLOWS(rule_timer(TIMER_MODE_ONESHOT, 0, 0xffffffffull, 0, &why));
	REFUSES(E_INVALID_ARG, "deadline",
		rule_timer(TIMER_MODE_ONESHOT, 0, 0x100000000ull, 0, &why));

	/* Periodic: a period of at least TIMER_PERIOD_MIN, the deadline
	 * within a period. */
	REFUSES(E_INVALID_ARG, "period", rule_timer(TIMER_MODE_PERIODIC, 0, now + 1, now, &why));
	REFUSES(E_INVALID_ARG, "period", rule_timer(TIMER_MODE_PERIODIC, 1, now + 1, now, &why));
	REFUSES(E_INVALID_ARG, "period of 999",
		rule_timer(TIMER_MODE_PERIODIC, TIMER_PERIOD_MIN - 1, now + 1, now, &why));
	ALLOWS(rule_timer(TIMER_MODE_PERIODIC, TIMER_PERIOD_MIN, now + TIMER_PERIOD_MIN, now, &why));
	REFUSES(E_INVALID_ARG, "more than a period",
		rule_timer(TIMER_MODE_PERIODIC, TIMER_PERIOD_MIN, now + TIMER_PERIOD_MIN + 1, now,
			   &why));
	ALLOWS(rule_timer(TIMER_MODE_PERIODIC, 0xffffffffu, now + 0xffffffffull, now, &why));
	REFUSES(E_INVALID_ARG, "period",
		rule_timer(TIMER_MODE_PERIODIC, 0xffffffffu, now + 0x100000000ull, now, &why));
	REFUSES(E_INVALID_ARG, "deadline",
		rule_timer(TIMER_MODE_PERIODIC, PERIOD_US, 0, now, &why));
	/* A tick due at the pause and not yet signalled. */
	ALLOWS(rule_timer(TIMER_MODE_PERIODIC, PERIOD_US, now - 10, now, &why));

	/* Modes past periodic. */
	REFUSES(E_INVALID_ARG, "mode 3", rule_timer(3, 0, 0, now, &why));
	REFUSES(E_INVALID_ARG, "mode 7", rule_timer(7, PERIOD_US, now + 1, now, &why));
	REFUSES(E_INVALID_ARG, "mode", rule_timer(0xffffffffu, 0, 0, now, &why));

	/* Deadlines near UINT64_MAX never wrap into acceptance, whatever the
	 * clock (up to where a child's clock may be). */
	const uint64_t nows[] = { 0, 1, now, CHILD_CLOCK_MAX - 1, CHILD_CLOCK_MAX };
	const uint64_t far[] = { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 0xfffffffeull,
				 UINT64_MAX - 0xffffffffull, 1ull << 63, CHILD_CLOCK_MAX + 0x100000000ull };
	for (unsigned i = 0; i < sizeof(nows) / sizeof(nows[0]); i++)
		for (unsigned j = 0; j < sizeof(far) / sizeof(far[0]); j++) {
			REFUSES(E_INVALID_ARG, "deadline",
				rule_timer(TIMER_MODE_ONESHOT, 0, far[j], nows[i], &why));
			REFUSES(E_INVALID_ARG, "deadline",
				rule_timer(TIMER_MODE_PERIODIC, 0xffffffffu, far[j], nows[i], &why));
			REFUSES(E_INVALID_ARG, "deadline",
				rule_timer(TIMER_MODE_PERIODIC, TIMER_PERIOD_MIN, far[j], nows[i], &why));
		}
}

static void test_rule_signal(void **state)
{
	(void)state;
	ALLOWS(rule_signal(0, 0, &why));
	ALLOWS(rule_signal(0, 1, &why));
	ALLOWS(rule_signal(0xffffffffu, 1, &why));   /* any count: raised once */
	REFUSES(E_INVALID_ARG, "delivered flag is 2", rule_signal(0, 2, &why));
	REFUSES(E_INVALID_ARG, "delivered", rule_signal(1, 0xffffffffu, &why));
}

static void test_rule_segment(void **state)
{
	(void)state;
	ALLOWS(rule_segment(0x10000, 4, MAP_R | MAP_X, &why));
	ALLOWS(rule_segment(0x14000, 2, MAP_R | MAP_W, &why));
	ALLOWS(rule_segment(0x14000, 2, MAP_R, &why));
	ALLOWS(rule_segment(PAGE_SIZE, 1, MAP_R, &why));   /* the lowest page */

	/* Where: page aligned, not page 0, below CHILD_IMAGE_TOP, never wrapping. */
	REFUSES(E_BAD_ADDRESS, "segment at 00010001", rule_segment(0x10001, 1, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "0 pages", rule_segment(0x10000, 0, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment at 00000000", rule_segment(0, 1, MAP_R, &why));
	ALLOWS(rule_segment(CHILD_IMAGE_TOP - 4 * PAGE_SIZE, 4, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment",
		rule_segment(CHILD_IMAGE_TOP - 4 * PAGE_SIZE, 5, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment", rule_segment(CHILD_IMAGE_TOP, 1, MAP_R, &why));
	ALLOWS(rule_segment(PAGE_SIZE, CHILD_IMAGE_TOP / PAGE_SIZE - 1, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment",
		rule_segment(PAGE_SIZE, CHILD_IMAGE_TOP / PAGE_SIZE, MAP_R, &why));
	/* va + pages overflowing 32 bits: to exactly 2^32 + va, and further. */
	REFUSES(E_BAD_ADDRESS, "segment", rule_segment(0x10000, 0x100000, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment", rule_segment(0x10000, 0xffffffffu, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "segment", rule_segment(0xfffff000u, 2, MAP_R, &why));

	/* Rights: readable, never writable and executable, nothing unknown. */
	REFUSES(E_INVALID_ARG, "rights 0", rule_segment(0x10000, 1, 0, &why));
	REFUSES(E_INVALID_ARG, "rights 2", rule_segment(0x10000, 1, MAP_W, &why));
	REFUSES(E_INVALID_ARG, "rights 4", rule_segment(0x10000, 1, MAP_X, &why));
	REFUSES(E_INVALID_ARG, "rights 9", rule_segment(0x10000, 1, MAP_R | 8, &why));
	REFUSES(E_INVALID_ARG, "writable and executable",
		rule_segment(0x10000, 1, MAP_R | MAP_W | MAP_X, &why));
	REFUSES(E_INVALID_ARG, "rights 6", rule_segment(0x10000, 1, MAP_W | MAP_X, &why));
}

static void test_rule_attach(void **state)
{
	(void)state;
	ALLOWS(rule_attach_rights(MAP_R, &why));
	ALLOWS(rule_attach_rights(MAP_R | MAP_W, &why));
	const uint32_t bad[] = { 0, MAP_W, MAP_X, MAP_R | MAP_X, MAP_R | MAP_W | MAP_X, MAP_R | 8,
				 0xffffffffu };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REFUSES(E_INVALID_ARG, "rights", rule_attach_rights(bad[i], &why));
		/* The rights first, wherever it is. */
		REFUSES(E_INVALID_ARG, "rights", rule_attach(RM_AREA_START, 1, bad[i], &why));
		REFUSES(E_INVALID_ARG, "rights", rule_attach(0x123, 0, bad[i], &why));
	}

	ALLOWS(rule_attach(RM_AREA_START, 1, MAP_R | MAP_W, &why));
	ALLOWS(rule_attach(RM_AREA_END - PAGE_SIZE, 1, MAP_R, &why));
	ALLOWS(rule_attach(RM_AREA_START, (RM_AREA_END - RM_AREA_START) / PAGE_SIZE, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_END - PAGE_SIZE, 2, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_START - PAGE_SIZE, 1, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_END, 1, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_START + 4, 1, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "0 pages", rule_attach(RM_AREA_START, 0, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(0, 1, MAP_R, &why));
	/* Overflow: back to where it started, and past 2^32. */
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_START, 0x100000, MAP_R, &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(RM_AREA_END - PAGE_SIZE, 0xffffffffu, MAP_R,
							   &why));
	REFUSES(E_BAD_ADDRESS, "attached at", rule_attach(0xfffff000u, 1, MAP_R, &why));
}

static void test_rule_device(void **state)
{
	(void)state;
	ALLOWS(rule_device(&devices, DEV_SP804, true, &why));
	ALLOWS(rule_device(&devices, DEV_SP804, false, &why));
	ALLOWS(rule_device(&devices, DEV_NO_IRQ, true, &why));
	ALLOWS(rule_device(&devices, DEV_NO_REGS, false, &why));
	REFUSES(E_NOT_FOUND, "no device 5 (this board has 5)", rule_device(&devices, NDEV, true, &why));
	REFUSES(E_NOT_FOUND, "no device", rule_device(&devices, NDEV, false, &why));
	REFUSES(E_NOT_FOUND, "(tiny) has no registers", rule_device(&devices, DEV_TINY, true, &why));
	ALLOWS(rule_device(&devices, DEV_TINY, false, &why));
	REFUSES(E_NOT_FOUND, "no device", rule_device(&devices, 0xffffffffu, true, &why));
	REFUSES(E_NOT_FOUND, "has no registers", rule_device(&devices, DEV_NO_REGS, true, &why));
	REFUSES(E_NOT_FOUND, "has no interrupt", rule_device(&devices, DEV_NO_IRQ, false, &why));
	REFUSES(E_NOT_FOUND, "swirq", rule_device(&devices, DEV_NO_REGS, true, &why));
	const struct rules_devices none = { NULL, 0 };
	REFUSES(E_NOT_FOUND, "no device 0", rule_device(&none, 0, true, &why));

	ALLOWS(rule_io_mem(&devices, DEV_SP804, IO_MEM_START, &why));
	ALLOWS(rule_io_mem(&devices, DEV_SP804, IO_MEM_END - PAGE_SIZE, &why));
	ALLOWS(rule_io_mem(&devices, DEV_WIDE, IO_MEM_END - 3 * PAGE_SIZE, &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_WIDE,
							    IO_MEM_END - 2 * PAGE_SIZE, &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_SP804,
							    IO_MEM_START - PAGE_SIZE, &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_SP804, IO_MEM_END, &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_SP804, IO_MEM_START + 0x10,
							    &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_SP804, 0xfffff000u, &why));
	REFUSES(E_BAD_ADDRESS, "registers at", rule_io_mem(&devices, DEV_SP804, 0, &why));
	REFUSES(E_NOT_FOUND, "no device", rule_io_mem(&devices, NDEV, IO_MEM_START, &why));
	REFUSES(E_NOT_FOUND, "no registers", rule_io_mem(&devices, DEV_TINY, IO_MEM_START, &why));
	REFUSES(E_NOT_FOUND, "no registers", rule_io_mem(&devices, DEV_NO_REGS, IO_MEM_START, &why));
}

static void test_rule_thread(void **state)
{
	(void)state;
	struct ckpt_thread t = make_thread(0, TS_BLOCKED, WAIT_CALL, "counter");
	ALLOWS(rule_thread(&t, &why));
	t = make_thread(CPU_THREADS_MAX - 1, TS_READY, WAIT_NONE, "last");
	ALLOWS(rule_thread(&t, &why));

	/* Number and UTCB. */
	t = make_thread(CPU_THREADS_MAX, TS_READY, WAIT_NONE, "ninth");
	REFUSES(E_INVALID_ARG, "thread 8 with its UTCB", rule_thread(&t, &why));
	t = make_thread(0xffffffffu, TS_READY, WAIT_NONE, "x");
	REFUSES(E_INVALID_ARG, "UTCB", rule_thread(&t, &why));
	t = make_thread(1, TS_READY, WAIT_NONE, "worker");
	t.utcb_va = CHILD_UTCB_TOP;   /* thread 0's */
	REFUSES(E_INVALID_ARG, "thread 1 with its UTCB at 7fffe000", rule_thread(&t, &why));
	t.utcb_va = CHILD_UTCB_TOP - PAGE_SIZE + 4;
	REFUSES(E_INVALID_ARG, "UTCB", rule_thread(&t, &why));

	/* State: one of this kernel's, never the idle thread's. */
	for (uint32_t st = TS_INACTIVE; st < TS_IDLE; st++) {
		t = make_thread(2, st, st == TS_BLOCKED ? WAIT_TIMEOUT : WAIT_NONE, "t");
		ALLOWS(rule_thread(&t, &why));
	}
	t = make_thread(2, TS_IDLE, WAIT_NONE, "t");
	REFUSES(E_INVALID_ARG, "in state 6", rule_thread(&t, &why));
	t = make_thread(2, TS_COUNT, WAIT_NONE, "t");
	REFUSES(E_INVALID_ARG, "state", rule_thread(&t, &why));
	t = make_thread(2, 0xffffffffu, WAIT_NONE, "t");
	REFUSES(E_INVALID_ARG, "in state 4294967295", rule_thread(&t, &why));

	/* A wait kind exactly when blocked. */
	for (uint32_t w = WAIT_TIMEOUT; w <= WAIT_EVENT; w++) {
		t = make_thread(2, TS_BLOCKED, w, "t");
		ALLOWS(rule_thread(&t, &why));
		t = make_thread(2, TS_READY, w, "t");
		REFUSES(E_INVALID_ARG, "(ready) waiting for", rule_thread(&t, &why));
	}
	t = make_thread(2, TS_BLOCKED, WAIT_NONE, "t");
	REFUSES(E_INVALID_ARG, "(blocked) waiting for 0", rule_thread(&t, &why));
	t = make_thread(2, TS_BLOCKED, WAIT_EVENT + 1, "t");
	REFUSES(E_INVALID_ARG, "waiting for 7", rule_thread(&t, &why));
	t = make_thread(2, TS_SUSPENDED, 0xffffffffu, "t");
	REFUSES(E_INVALID_ARG, "waiting", rule_thread(&t, &why));

	/* Priority: 1 to CHILD_PRIO, below RTCR's own. */
	t = make_thread(0, TS_READY, WAIT_NONE, "p");
	t.priority = 0;
	REFUSES(E_INVALID_ARG, "at priority 0", rule_thread(&t, &why));
	t.priority = 1;
	ALLOWS(rule_thread(&t, &why));
	t.priority = CHILD_PRIO;
	ALLOWS(rule_thread(&t, &why));
	t.priority = CHILD_PRIO + 1;
	REFUSES(E_INVALID_ARG, "at priority 100", rule_thread(&t, &why));
	t.priority = PRIO_MAX;
	REFUSES(E_INVALID_ARG, "priority", rule_thread(&t, &why));
	t.priority = 0xffffffffu;
	REFUSES(E_INVALID_ARG, "priority", rule_thread(&t, &why));
}

static void test_rule_clock(void **state)
{
	(void)state;
	const uint64_t t = T0;
	ALLOWS(rule_clock(0, t, &why));
	ALLOWS(rule_clock(0, 0, &why));
	ALLOWS(rule_clock(-1, t, &why));
	ALLOWS(rule_clock(-(int64_t)t, t, &why));   /* the child's clock at 0 */
	REFUSES(E_INVALID_ARG, "clock offset of -5000001 us at 5000000 us",
		rule_clock(-(int64_t)t - 1, t, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(-1, 0, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MIN, t, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MIN, 0, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MIN, CHILD_CLOCK_MAX, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MAX, t, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MAX, 0, &why));
	ALLOWS(rule_clock((int64_t)(CHILD_CLOCK_MAX - t), t, &why));
	REFUSES(E_INVALID_ARG, "clock offset",
		rule_clock((int64_t)(CHILD_CLOCK_MAX - t) + 1, t, &why));
	ALLOWS(rule_clock(0, CHILD_CLOCK_MAX, &why));
	ALLOWS(rule_clock(-(int64_t)CHILD_CLOCK_MAX, CHILD_CLOCK_MAX, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(1, CHILD_CLOCK_MAX, &why));
	/* A board clock above the bound, whatever the offset brings it to. */
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(0, CHILD_CLOCK_MAX + 1, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(-1, CHILD_CLOCK_MAX + 1, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(INT64_MIN, UINT64_MAX, &why));
	REFUSES(E_INVALID_ARG, "clock offset", rule_clock(-(int64_t)(UINT64_MAX >> 1), UINT64_MAX,
							  &why));
}

static void test_rules_session_args(void **state)
{
	(void)state;
	assert_int_equal(rules_session_args(CKPT_SESSION_LOG), 0);
	assert_int_equal(rules_session_args(CKPT_SESSION_RAM), 1);
	assert_int_equal(rules_session_args(CKPT_SESSION_RM), 0);
	assert_int_equal(rules_session_args(CKPT_SESSION_TIMER), 2);
	assert_int_equal(rules_session_args(CKPT_SESSION_IRQ), 3);
	assert_int_equal(rules_session_args(CKPT_SESSION_GATE), 3);
	assert_int_equal(rules_session_args(CKPT_SESSION_PARENT), 0);
	assert_int_equal(rules_session_args(CKPT_SESSION_IO_MEM), 2);
	assert_int_equal(rules_session_args(CKPT_SESSION_CPU), 0);
	assert_int_equal(rules_session_args(CKPT_SESSION_DATASPACE), 3);
	assert_int_equal(rules_session_args(CKPT_SESSION_SEGMENT), 3);
	assert_int_equal(rules_session_args(0), 0);
	assert_int_equal(rules_session_args(CKPT_SESSION_KINDS), 0);
	assert_int_equal(rules_session_args(0xffffffffu), 0);
	/* What a child opens, it can give in one request. */
	for (uint32_t k = CKPT_SESSION_LOG; k <= CKPT_SESSION_CPU; k++)
		assert_true(rules_session_args(k) <= SESSION_ARGS_MAX);
	assert_true(rules_session_args(CKPT_SESSION_TIMER) <= CKPT_SESSION_ARGS);
}

/* Without a place for the reason, a rule answers the same. */
static void test_rules_without_why(void **state)
{
	(void)state;
	assert_int_equal(rule_timer(7, 0, 0, 0, NULL), E_INVALID_ARG);
	assert_int_equal(rule_signal(0, 2, NULL), E_INVALID_ARG);
	assert_int_equal(rule_segment(0, 0, 0, NULL), E_BAD_ADDRESS);
	assert_int_equal(rule_attach(0, 1, MAP_R, NULL), E_BAD_ADDRESS);
	assert_int_equal(rule_device(&devices, 9, true, NULL), E_NOT_FOUND);
	assert_int_equal(rule_io_mem(&devices, 0, 0, NULL), E_BAD_ADDRESS);
	assert_int_equal(rule_clock(INT64_MIN, 0, NULL), E_INVALID_ARG);
	struct ckpt_thread t = make_thread(9, TS_READY, WAIT_NONE, "x");
	assert_int_equal(rule_thread(&t, NULL), E_INVALID_ARG);

	/* A detail that held anything gets a terminated reason, all of it
	 * (in a block of exactly its size, so ASan sees a write past it). */
	struct rtcr_detail *why = malloc(sizeof(*why));
	assert_non_null(why);
	memset(why, 'x', sizeof(*why));
	assert_int_equal(rule_timer(7, 0, 0, 0, why), E_INVALID_ARG);
	assert_string_equal(why->text, "timer mode 7 (0 off, 1 one-shot, 2 periodic)");
	memset(why, 'x', sizeof(*why));
	assert_int_equal(rule_thread(&t, why), E_INVALID_ARG);
	assert_string_equal(why->text, "thread 9 with its UTCB at 7fff5000");
	free(why);
}

/* ---- 3. the whole image, changed in one way at a time -------------------------------- */

static void test_image_timers(void **state)
{
	(void)state;
	struct spec s;
	struct ckpt_session *t;

	good(&s);
	t = find(&s, CKPT_SESSION_TIMER, S_TIMER);
	t->state[1] = 0;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer period of 0 us");

	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[1] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer period of 1 us");

	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[0] = 7;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer mode 7");

	good(&s);
	t = find(&s, CKPT_SESSION_TIMER, S_TIMER);
	t->state[2] = t->state[3] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "deadline");

	good(&s);
	t = find(&s, CKPT_SESSION_TIMER, S_TIMER);
	t->state[0] = TIMER_MODE_ONESHOT;
	t->state[1] = 0;
	set64(&t->state[2], T0 + 0x100000000ull);
	IMAGE_REFUSED(&s, E_INVALID_ARG, "2^32-1");

	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[5] = 2;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "delivered");

	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->state[5] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "delivered");

	/* The clock: its offset, and the deadlines it bounds. */
	good(&s);
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)INT64_MIN);
	IMAGE_REFUSED(&s, E_INVALID_ARG, "clock offset");

	good(&s);
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)INT64_MAX);
	IMAGE_REFUSED(&s, E_INVALID_ARG, "clock offset");

	good(&s);
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)(-(int64_t)T0 - 1));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "clock offset");

	/* The deadline is in the child's clock: a child far behind its board
	 * has no deadline a period past its own time. */
	good(&s);
	set64(find(&s, CKPT_SESSION_PARENT, S_PARENT)->state, (uint64_t)(-(int64_t)T0));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "more than a period ahead");
}

static void test_image_threads(void **state)
{
	(void)state;
	struct spec s;

	good(&s);
	s.th[1].state = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "thread 1 in state 4294967295");

	good(&s);
	s.th[0].priority = CHILD_PRIO + 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "priority");

	good(&s);
	s.th[0].wait_kind = WAIT_NONE;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "waiting for 0");

	/* No thread 0 (the timer and irq name it: the threads come first). */
	good(&s);
	s.th[0] = s.th[1];
	s.nth = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no thread 0");

	good(&s);
	s.th[s.nth++] = s.th[1];
	IMAGE_REFUSED(&s, E_INVALID_ARG, "thread 1 twice");

	good(&s);
	s.nth = 0;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "0 threads");

	good(&s);
	for (uint32_t n = 2; n < CPU_THREADS_MAX; n++)
		s.th[s.nth++] = make_thread(n, TS_READY, WAIT_NONE, "t");
	s.th[s.nth++] = make_thread(0, TS_READY, WAIT_NONE, "t");   /* 9, one twice */
	IMAGE_REFUSED(&s, E_INVALID_ARG, "9 threads");

	/* Records that name a thread the image lacks. */
	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->args[1] = 5;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer session 260 names thread 5");

	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->args[2] = 7;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "irq session 262 names thread 7");

	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->args[2] = CPU_THREADS_MAX;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "names thread 8");

	good(&s);
	find(&s, CKPT_SESSION_GATE, S_GATE)->args[1] = 2;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "gate session 264 names thread 2");

	good(&s);
	find(&s, CKPT_SESSION_GATE, S_GATE)->args[1] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "names thread 4294967295");
}

static void test_image_ram(void **state)
{
	(void)state;
	struct spec s;

	/* A dataspace of 8192 pages under a 1-page quota: whether the RAM
	 * session says 1 page in use (disagreeing with its dataspaces) or
	 * 8192 (more than its quota). */
	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->args[1] = CHILD_RAM_PAGES;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "ram session 258: 8192 pages in dataspaces, 1 in use");
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = CHILD_RAM_PAGES;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "a quota of 1");

	/* In use but no dataspace for it. */
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 2;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 2;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "ram session");

	/* Quotas past what a child may have in all. */
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_RAM, W(CHILD_RAM_PAGES), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "RAM quotas of more than 8192 pages");
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "RAM quotas");
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_RAM, W(0x80000000u), W(0));
	SESSION(&s, 0x201, CKPT_SESSION_RAM, W(0x80000000u), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "RAM quotas");

	/* Dataspaces: their number is their id, a size a quota can pay, a RAM
	 * session that paid. */
	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->args[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace 1 of 1 pages");

	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 2;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 2;
	SESSION(&s, CHILD_DS_MAX, CKPT_SESSION_DATASPACE, W(CHILD_DS_MAX, 1, S_RAM), W(0, 0));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace 16 of 1 pages");

	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = CHILD_RAM_PAGES;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = CHILD_RAM_PAGES + 1;
	find(&s, CKPT_SESSION_DATASPACE, 0)->args[1] = CHILD_RAM_PAGES + 1;
	IMAGE_REFUSED(&s, -1, "8193");

	/* Paid by a RAM session (the RAM session then has nothing in use). */
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 0;
	find(&s, CKPT_SESSION_DATASPACE, 0)->args[2] = S_LOG;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace 0 names no ram session");

	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 0;
	find(&s, CKPT_SESSION_DATASPACE, 0)->args[2] = 0x999;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace 0 names no ram session");

	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[0] = 0;   /* detached, rights kept */
	IMAGE_REFUSED(&s, E_INVALID_ARG, "not attached, with rights 3");

	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[1] = MAP_R | MAP_W | MAP_X;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "attached with rights 7");

	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[0] = RM_AREA_END;
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "attached at 60000000");

	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[0] = 0x10000;   /* over the program */
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "attached at 00010000");
}

static void test_image_session_shape(void **state)
{
	(void)state;
	struct spec s;

	/* 25 sessions (the parent counts), and 108. */
	good(&s);
	for (uint32_t i = 0; s.nses - 3 <= SESSIONS_PER_CHILD; i++)
		SESSION(&s, 0x300 + i, CKPT_SESSION_LOG, W(0), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more sessions than a task may have (24)");
	good(&s);
	for (uint32_t i = 0; s.nses - 3 < 108; i++)
		SESSION(&s, 0x300 + i, CKPT_SESSION_LOG, W(0), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more sessions");
	/* Gates of its own count too. */
	good(&s);
	for (uint32_t i = 0; s.nses - 3 <= SESSIONS_PER_CHILD; i++)
		SESSION(&s, 0x300 + i, CKPT_SESSION_GATE, W(i, 1, S_CPU), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more sessions");

	/* Exactly one parent. */
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_PARENT, W(0), W(0, 0));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "2 parent sessions");
	good(&s);
	drop_session(&s, find(&s, CKPT_SESSION_PARENT, S_PARENT));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "0 parent sessions");

	/* Every id once; dataspaces and segments by their own numbers. */
	good(&s);
	find(&s, CKPT_SESSION_RM, S_RM)->id = S_LOG;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "rm 257 twice");
	good(&s);
	find(&s, CKPT_SESSION_CPU, S_CPU)->id = S_PARENT;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "twice");
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 2;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 2;
	SESSION(&s, 0, CKPT_SESSION_DATASPACE, W(0, 1, S_RAM), W(0, 0));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace 0 twice");
	good(&s);
	SESSION(&s, 1, CKPT_SESSION_SEGMENT, W(0x20000, 1, MAP_R), W(0));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "segment 1 twice");
	/* Segments, dataspaces and sessions are numbered apart: the good
	 * image has segment 0 and dataspace 0, and a session may be 0 too. */
	good(&s);
	find(&s, CKPT_SESSION_LOG, S_LOG)->id = 0;
	cap_at(&s, 18)->session = 0;
	IMAGE_OK(&s);
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 1)->id = CHILD_REGIONS_MAX;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "segment 16");

	/* Unused words zero, as a live session leaves them. */
	good(&s);
	find(&s, CKPT_SESSION_LOG, S_LOG)->args[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "log session 257: argument 0 is 1");
	good(&s);
	find(&s, CKPT_SESSION_LOG, S_LOG)->state[1] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "log session 257: state word 1");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->state[1] = 5;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "irq session 262 with a timer's state");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->state[3] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer's state");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->state[6] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "state word 6");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->args[3] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "argument 3");
	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->args[2] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "timer session 260: argument 2");
	good(&s);
	find(&s, CKPT_SESSION_TIMER, S_TIMER)->state[9] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "state word 9");
	good(&s);
	find(&s, CKPT_SESSION_PARENT, S_PARENT)->args[5] = 0x80000000u;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "parent session 256: argument 5");
	good(&s);
	find(&s, CKPT_SESSION_PARENT, S_PARENT)->state[2] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "state word 2");
	good(&s);
	find(&s, CKPT_SESSION_RM, S_RM)->state[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "rm session 259: state word 0");
	good(&s);
	find(&s, CKPT_SESSION_CPU, S_CPU)->args[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "cpu session 263: argument 0");
	good(&s);
	find(&s, CKPT_SESSION_GATE, S_GATE)->state[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "gate session 264: state word 0");
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[1] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "ram session 258: argument 1");
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 0)->state[0] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "segment session 0: state word 0");
	good(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[2] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "dataspace session 0: state word 2");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[2] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "io_mem session 261: argument 2");

	/* Kinds this format does not have (0x100 is RTCR's link, which is
	 * never in an image). */
	const uint32_t kinds[] = { 0, CKPT_SESSION_KINDS, 0x100, 0xffffffffu };
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		good(&s);
		find(&s, CKPT_SESSION_RM, S_RM)->kind = kinds[i];
		IMAGE_REFUSED(&s, E_INVALID_ARG, "session 259 of unknown kind");
	}

	/* A gate of the child's own belongs to a cpu session. */
	good(&s);
	find(&s, CKPT_SESSION_GATE, S_GATE)->args[2] = S_RM;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "gate 264 names no cpu session");
	good(&s);
	find(&s, CKPT_SESSION_GATE, S_GATE)->args[2] = 0x999;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "names no cpu session");
}

static void test_image_memory(void **state)
{
	(void)state;
	struct spec s;

	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 0)->args[2] = MAP_R | MAP_W | MAP_X;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "segment at 00010000 both writable and executable");
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 1)->args[2] = MAP_W;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "rights 2");
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 1)->args[0] = CHILD_IMAGE_TOP - PAGE_SIZE;
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "segment at 0ffff000 of 2 pages");
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 1)->args[1] = 0;
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "of 0 pages");

	/* Overlaps: the last page of one segment, the same dataspace page,
	 * the same device page; and side by side, which is fine. */
	good(&s);
	find(&s, CKPT_SESSION_SEGMENT, 1)->args[0] = 0x13000;
	IMAGE_REFUSED(&s, E_ALREADY_MAPPED, "memory at 00013000 overlaps memory at 00010000");
	good(&s);
	SESSION(&s, 2, CKPT_SESSION_SEGMENT, W(0x8000, 0x10, MAP_R), W(0));   /* over both */
	IMAGE_REFUSED(&s, E_ALREADY_MAPPED, "overlaps");

	for (uint32_t at = DS_VA; at <= DS_VA + PAGE_SIZE; at += PAGE_SIZE) {
		good(&s);
		find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 2;
		find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 2;
		SESSION(&s, 1, CKPT_SESSION_DATASPACE, W(1, 1, S_RAM), W(at, MAP_R));
		if (at == DS_VA)
			IMAGE_REFUSED(&s, E_ALREADY_MAPPED, "memory at 10000000 overlaps memory at 10000000");
		else
			IMAGE_OK(&s);
	}
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 9;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 9;
	SESSION(&s, 1, CKPT_SESSION_DATASPACE, W(1, 8, S_RAM), W(DS_VA - 7 * PAGE_SIZE, MAP_R));
	IMAGE_REFUSED(&s, -1, "attached at");   /* below the area, and over the other */

	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_IO_MEM, W(DEV_WIDE, IO_MEM_START - 2 * PAGE_SIZE + PAGE_SIZE),
		W(1));
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "registers at 5ffff000");
	good(&s);
	SESSION(&s, 0x200, CKPT_SESSION_IO_MEM, W(DEV_SP804, IO_MEM_START), W(1));
	IMAGE_REFUSED(&s, E_ALREADY_MAPPED, "memory at 60000000 overlaps memory at 60000000");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[1] = IO_MEM_START + 2 * PAGE_SIZE;
	SESSION(&s, 0x200, CKPT_SESSION_IO_MEM, W(DEV_WIDE, IO_MEM_START), W(1));   /* 3 pages */
	IMAGE_REFUSED(&s, E_ALREADY_MAPPED, "overlaps");

	/* More regions than a child's table: segments and attached dataspaces
	 * count, device registers and detached dataspaces do not. */
	good(&s);
	for (uint32_t k = 0; k < CHILD_REGIONS_MAX - 2; k++)
		SESSION(&s, 2 + k, CKPT_SESSION_SEGMENT, W(0x100000 + k * PAGE_SIZE, 1, MAP_R), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more memory regions");
	good(&s);
	for (uint32_t k = 0; k < CHILD_REGIONS_MAX - 3; k++)
		SESSION(&s, 2 + k, CKPT_SESSION_SEGMENT, W(0x100000 + k * PAGE_SIZE, 1, MAP_R), W(0));
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = 2;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = 2;
	SESSION(&s, 1, CKPT_SESSION_DATASPACE, W(1, 1, S_RAM), W(0, 0));
	IMAGE_OK(&s);
	find(&s, CKPT_SESSION_DATASPACE, 1)->state[0] = DS_VA + PAGE_SIZE;
	find(&s, CKPT_SESSION_DATASPACE, 1)->state[1] = MAP_R;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more memory regions");
	/* More dataspaces than a child has slots. */
	good(&s);
	find(&s, CKPT_SESSION_RAM, S_RAM)->args[0] = CHILD_DS_MAX + 1;
	find(&s, CKPT_SESSION_RAM, S_RAM)->state[0] = CHILD_DS_MAX + 1;
	for (uint32_t k = 1; k <= CHILD_DS_MAX; k++)
		SESSION(&s, k, CKPT_SESSION_DATASPACE, W(k, 1, S_RAM), W(0, 0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "17 dataspaces");
	/* The most ranges the overlap check can be given: 22 device mappings
	 * (24 sessions with the parent and a RAM session) and 17 regions. */
	good(&s);
	s.nses = 0;
	s.ncap = 1;   /* the parent's gate */
	SESSION(&s, S_PARENT, CKPT_SESSION_PARENT, W(0), W(0, 0));
	SESSION(&s, S_RAM, CKPT_SESSION_RAM, W(1), W(1));
	for (uint32_t k = 0; k < SESSIONS_PER_CHILD - 2; k++)
		SESSION(&s, 0x200 + k, CKPT_SESSION_IO_MEM, W(DEV_SP804, IO_MEM_START + k * PAGE_SIZE),
			W(1));
	for (uint32_t k = 0; k < CHILD_REGIONS_MAX; k++)
		SESSION(&s, k, CKPT_SESSION_SEGMENT, W(0x10000 + k * PAGE_SIZE, 1, MAP_R), W(0));
	SESSION(&s, 0, CKPT_SESSION_DATASPACE, W(0, 1, S_RAM), W(0, 0));
	IMAGE_OK(&s);
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[0] = DS_VA;
	find(&s, CKPT_SESSION_DATASPACE, 0)->state[1] = MAP_R;
	IMAGE_REFUSED(&s, E_NO_MEMORY, "more memory regions");
	find(&s, CKPT_SESSION_SEGMENT, 15)->args[0] = IO_MEM_START;   /* and one out of place */
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "segment at 60000000");

	/* Program pages beyond what a child may have. */
	good(&s);
	for (uint32_t k = 0; k < 3; k++)
		SESSION(&s, 2 + k, CKPT_SESSION_SEGMENT,
			W(0x1000000 + k * 0x3000000, 0x3000, MAP_R), W(0));
	IMAGE_REFUSED(&s, E_NO_MEMORY, "program pages");
}

static void test_image_devices(void **state)
{
	(void)state;
	struct spec s;

	/* The registers kept: as many as the device's state mask has bits. */
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->state[3] = 1;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "io_mem session 261: register word 3 for a device with 2");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->state[9] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "register word 9");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->state[0] = 2;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "mapped flag 2");
	/* Nine registers fill the state. */
	good(&s);
	struct ckpt_session *io = find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM);
	io->args[0] = DEV_WIDE;
	for (unsigned k = 1; k < CKPT_SESSION_STATE; k++)
		io->state[k] = 0xffffffffu;
	IMAGE_OK(&s);

	/* The device table of this board. */
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[0] = NDEV;
	IMAGE_REFUSED(&s, E_NOT_FOUND, "no device 5 (this board has 5)");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[0] = DEV_TINY;
	IMAGE_REFUSED(&s, E_NOT_FOUND, "(tiny) has no registers");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[0] = DEV_NO_REGS;
	IMAGE_REFUSED(&s, E_NOT_FOUND, "has no registers");
	good(&s);
	find(&s, CKPT_SESSION_IO_MEM, S_IO_MEM)->args[1] = IO_MEM_END;
	IMAGE_REFUSED(&s, E_BAD_ADDRESS, "device registers at 70000000");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->args[0] = DEV_NO_IRQ;
	IMAGE_REFUSED(&s, E_NOT_FOUND, "(sysreg) has no interrupt");
	good(&s);
	find(&s, CKPT_SESSION_IRQ, S_IRQ)->args[0] = 0xffffffffu;
	IMAGE_REFUSED(&s, E_NOT_FOUND, "no device 4294967295");
	/* A board without devices has none to give back. */
	good(&s);
	size_t len;
	uint8_t *img = image_of(&s, &len);
	const struct rules_devices none = { NULL, 0 };
	struct rtcr_detail why = { "" };
	assert_int_equal(rules_image(img, len, &none, &why), E_NOT_FOUND);
	assert_true(contains(why.text, "no device 0"));
	free(img);
}

static void test_image_caps(void **state)
{
	(void)state;
	struct spec s;

	/* Rights and kinds as the live services hand them out. */
	good(&s);
	cap_at(&s, 18)->rights = RIGHT_WRITE | RIGHT_GRANT;
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "the capability at 000012: gate with rights 6 on a log session");
	good(&s);
	cap_at(&s, 16)->rights = RIGHT_READ | RIGHT_WRITE;
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "rights 3 on a timer session");
	good(&s);
	cap_at(&s, CHILD_SEL_PARENT)->rights = RIGHTS_ALL;
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "on a parent session");
	good(&s);
	cap_at(&s, 17)->rights = RIGHTS_ALL;
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "irq with rights 7 on a timer session");
	good(&s);
	add_cap(&s, 30, KOBJ_IRQ, RIGHT_READ | RIGHT_WRITE, 0, S_LOG);
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "irq with rights 3 on a log session");
	good(&s);
	add_cap(&s, 30, KOBJ_IRQ, RIGHT_READ, 0, S_GATE);
	IMAGE_REFUSED(&s, E_NO_RIGHTS, "on a gate session");
	const uint32_t types[] = { KOBJ_NONE, KOBJ_TASK, KOBJ_THREAD, KOBJ_FACTORY, KOBJ_SCHED,
				   KOBJ_CONSOLE, KOBJ_PLATFORM, KOBJ_TYPE_COUNT, 0xffffffffu };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		good(&s);
		cap_at(&s, 18)->type = types[i];
		IMAGE_REFUSED(&s, E_NO_RIGHTS, "on a log session");
	}

	/* Names a session the image has (not a dataspace, not nothing). */
	good(&s);
	cap_at(&s, 18)->session = 0x999;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "the capability at 000012 names nothing");
	good(&s);
	cap_at(&s, 18)->session = 0;   /* dataspace 0, segment 0 */
	IMAGE_REFUSED(&s, E_INVALID_ARG, "names nothing");
	good(&s);
	cap_at(&s, 18)->session = CKPT_NO_SESSION;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "names nothing");

	/* Selectors: in the space, once each, never SEL_NULL. */
	good(&s);
	cap_at(&s, 18)->sel = SEL_NULL;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "a capability at selector 0");
	good(&s);
	cap_at(&s, 18)->sel = CSPACE_SLOTS;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "a capability at selector 1000");
	good(&s);
	cap_at(&s, 18)->sel = 0xffffffffu;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "selector ffffffff");
	good(&s);
	cap_at(&s, 19)->sel = 18;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "a capability at selector 12");

	/* The parent's gate at CHILD_SEL_PARENT, and nothing else there. */
	good(&s);
	drop_cap(&s, cap_at(&s, CHILD_SEL_PARENT));
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no gate to the parent at 1");
	good(&s);
	cap_at(&s, CHILD_SEL_PARENT)->sel = 2;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no gate to the parent");
	good(&s);
	cap_at(&s, CHILD_SEL_PARENT)->session = S_LOG;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "selector 1 is not the parent's gate");
	good(&s);
	drop_cap(&s, cap_at(&s, CHILD_SEL_PARENT));
	cap_at(&s, 17)->sel = CHILD_SEL_PARENT;   /* the timer's signal */
	IMAGE_REFUSED(&s, E_INVALID_ARG, "not the parent's gate");
	good(&s);
	s.ncap = 0;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no gate to the parent");

	/* At most CHILD_CAPS_MAX of them. */
	good(&s);
	for (uint32_t sel = 100; s.ncap <= CHILD_CAPS_MAX; sel++)
		add_cap(&s, sel, KOBJ_GATE, RIGHT_WRITE, S_LOG, S_LOG);
	IMAGE_REFUSED(&s, E_NO_MEMORY, "257 capabilities (at most 256)");
}

static void test_image_sections(void **state)
{
	(void)state;
	struct spec s;
	good(&s);
	s.no_caps = true;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no threads, capabilities or sessions");
	good(&s);
	s.no_threads = true;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no threads, capabilities or sessions");
	good(&s);
	s.no_sessions = true;
	IMAGE_REFUSED(&s, E_INVALID_ARG, "no threads, capabilities or sessions");

	/* Not an image at all: its structure is checked again (its CRC is not). */
	size_t len;
	uint8_t *img = image_of(&s, &len);
	struct rtcr_detail why = { "" };
	img[0] ^= 1;
	assert_int_equal(rules_image(img, len, &devices, &why), E_INVALID_ARG);
	assert_true(contains(why.text, "not a valid image"));
	img[0] ^= 1;
	assert_int_equal(rules_image(img, len - 1, &devices, &why), E_INVALID_ARG);
	assert_int_equal(rules_image(img, CKPT_HEADER_LEN, &devices, &why), E_INVALID_ARG);
	free(img);

	/* Shorter than a header, in a block of exactly that size: refused
	 * without a read past its end. */
	uint8_t *tiny = malloc(16);
	assert_non_null(tiny);
	memset(tiny, 0, 16);
	assert_int_equal(rules_image(tiny, 16, &devices, &why), E_INVALID_ARG);
	assert_false(rules_same_memory(tiny, 16, tiny, 16));
	free(tiny);
}

/* An increment whose first SESSIONS section is its base's and whose
 * second one says otherwise: the codec refuses the repeated section, so
 * no reader can take one and another reader the other (the memory map
 * checked from the first, the quota built from the second). */
static void test_image_sessions_twice(void **state)
{
	(void)state;
	struct spec s;
	good(&s);
	size_t len;
	uint8_t *base = image_of(&s, &len);
	uint8_t *img = malloc(len * 2);
	assert_non_null(img);
	memcpy(img, base, len);
	struct ckpt_section sec;
	bool found = false;
	for (bool ok = ckpt_section_first(img, len, &sec); ok && !found; )
		if (!(found = sec.type == CKPT_SEC_SESSIONS))
			ok = ckpt_section_next(&sec);
	assert_true(found);
	size_t n = CKPT_SECTION_HDR + sec.payload_len, total = len + n;
	memcpy(img + len, img + sec.offset, n);
	img[56] = (uint8_t)(img[56] + 1);   /* section count (low byte) */
	for (int i = 0; i < 4; i++)
		img[60 + i] = (uint8_t)(total >> (8 * i));
	memset(img + 64, 0, 4);
	uint32_t crc = ckpt_crc32(0, img, total);
	for (int i = 0; i < 4; i++)
		img[64 + i] = (uint8_t)(crc >> (8 * i));
	struct ckpt_detail d;
	assert_int_equal(ckpt_image_check(img, total, NULL, &d), CKPT_E_SECTION_REPEATED);
	struct rtcr_detail why = { "" };
	assert_int_equal(rules_image(img, total, &devices, &why), E_INVALID_ARG);
	assert_false(rules_same_memory(base, len, img, total));
	free(img);
	free(base);
}

/* ---- 4. the memory of an increment ----------------------------------------------- */

static bool same(const struct spec *a, const struct spec *b)
{
	size_t alen, blen;
	uint8_t *ia = image_of(a, &alen), *ib = image_of(b, &blen);
	bool r = rules_same_memory(ia, alen, ib, blen);
	/* The answer does not depend on the order of the two. */
	assert_int_equal(rules_same_memory(ib, blen, ia, alen), r);
	free(ia);
	free(ib);
	return r;
}

static void test_same_memory(void **state)
{
	(void)state;
	struct spec a, b;
	good(&a);

	good(&b);
	assert_true(same(&a, &b));

	/* An increment: other sessions' state, threads and capabilities
	 * change between checkpoints, the memory map does not. */
	b.h.flags = CKPT_FLAG_INCREMENTAL;
	b.h.base_id = 7;
	b.h.image_id = 8;
	b.h.time_us += 1000000;
	find(&b, CKPT_SESSION_LOG, S_LOG)->state[0] += 40;
	set64(&find(&b, CKPT_SESSION_TIMER, S_TIMER)->state[2], T0 + 1100000);
	find(&b, CKPT_SESSION_IO_MEM, S_IO_MEM)->state[1] = 1;
	find(&b, CKPT_SESSION_IRQ, S_IRQ)->state[5] = 0;
	SESSION(&b, 0x200, CKPT_SESSION_LOG, W(0), W(0));
	b.th[0].state = TS_READY;
	b.th[0].wait_kind = WAIT_NONE;
	b.th[0].regs[0] = 99;
	add_cap(&b, 40, KOBJ_GATE, RIGHT_WRITE, 0x200, 0x200);
	assert_true(same(&a, &b));

	/* Any change to a segment or a dataspace record. */
	good(&b);
	find(&b, CKPT_SESSION_SEGMENT, 1)->args[1] = 3;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_SEGMENT, 1)->args[0] = 0x20000;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_SEGMENT, 0)->args[2] = MAP_R;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_DATASPACE, 0)->args[1] = 2;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_DATASPACE, 0)->state[0] = DS_VA + PAGE_SIZE;   /* attached elsewhere */
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_DATASPACE, 0)->state[1] = MAP_R;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_DATASPACE, 0)->state[0] = 0;   /* detached */
	find(&b, CKPT_SESSION_DATASPACE, 0)->state[1] = 0;
	assert_false(same(&a, &b));
	good(&b);
	find(&b, CKPT_SESSION_DATASPACE, 0)->args[2] = 0x200;   /* paid by another RAM session */
	assert_false(same(&a, &b));
	good(&b);
	SESSION(&b, 2, CKPT_SESSION_SEGMENT, W(0x20000, 1, MAP_R), W(0));   /* an extra one */
	assert_false(same(&a, &b));
	good(&b);
	SESSION(&b, 1, CKPT_SESSION_DATASPACE, W(1, 1, S_RAM), W(0, 0));
	assert_false(same(&a, &b));
	good(&b);
	drop_session(&b, find(&b, CKPT_SESSION_DATASPACE, 0));   /* a missing one */
	assert_false(same(&a, &b));
	good(&b);
	drop_session(&b, find(&b, CKPT_SESSION_SEGMENT, 0));
	assert_false(same(&a, &b));

	/* Not images: never the same as anything. */
	size_t alen;
	uint8_t *ia = image_of(&a, &alen);
	assert_true(rules_same_memory(ia, alen, ia, alen));
	assert_false(rules_same_memory(ia, alen, ia, alen - 1));
	assert_false(rules_same_memory(ia, alen - 1, ia, alen));
	ia[0] ^= 0xff;
	assert_false(rules_same_memory(ia, alen, ia, alen));
	free(ia);
	good(&b);
	b.no_sessions = true;
	assert_false(same(&a, &b));
}

/* ---- 5. fuzz --------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Values at and around the rules' boundaries, and anything at all. */
static uint32_t fuzz_value(void)
{
	static const uint32_t pool[] = {
		0, 1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 16, 17, 24, 25, 34, 0x100, 0x101, 0x102,
		0x104, 0x106, 0x107, 0x108, 0x109, CHILD_PRIO, CHILD_PRIO + 1, TIMER_PERIOD_MIN - 1,
		TIMER_PERIOD_MIN, PERIOD_US, CHILD_RAM_PAGES, CHILD_RAM_PAGES + 1, CSPACE_SLOTS - 1,
		CSPACE_SLOTS, PAGE_SIZE, 0x10000, 0x14000, CHILD_IMAGE_TOP - PAGE_SIZE,
		CHILD_IMAGE_TOP, RM_AREA_END - PAGE_SIZE, RM_AREA_END, IO_MEM_START,
		IO_MEM_END - PAGE_SIZE, IO_MEM_END, CHILD_UTCB_TOP, CHILD_UTCB_TOP - PAGE_SIZE,
		0x7fffffffu, 0x80000000u, 0xfffff000u, 0xfffffffeu, 0xffffffffu,
		(uint32_t)T0, (uint32_t)(T0 + 100000),
	};
	switch (rnd() % 4) {
	case 0:
		return rnd();
	case 1:
		return rnd() % 16;
	default:
		return pool[rnd() % (sizeof(pool) / sizeof(pool[0]))];
	}
}

static void set_word(void *rec, size_t size, unsigned word, uint32_t v)
{
	assert_true((word + 1) * 4 <= size);
	memcpy((uint8_t *)rec + word * 4, &v, 4);
}

/* One random change to the records of s. */
static void mutate(struct spec *s)
{
	unsigned what = rnd() % 10;
	if (what < 3 && s->nth) {
		/* index, state, priority, wait kind, UTCB most often; not the
		 * name (words 3-4), which the image's own check guards. */
		static const unsigned hot[] = { 0, 1, 2, 22, 23 };
		unsigned words = sizeof(struct ckpt_thread) / 4;
		unsigned w = rnd() % 2 ? hot[rnd() % 5] : rnd() % words;
		if (w == 3 || w == 4)
			w = 1;
		set_word(&s->th[rnd() % s->nth], sizeof(struct ckpt_thread), w, fuzz_value());
	} else if (what < 5 && s->ncap) {
		set_word(&s->cap[rnd() % s->ncap], sizeof(struct ckpt_cap),
			 rnd() % (sizeof(struct ckpt_cap) / 4), fuzz_value());
	} else if (what < 8 && s->nses) {
		set_word(&s->ses[rnd() % s->nses], sizeof(struct ckpt_session),
			 rnd() % (sizeof(struct ckpt_session) / 4), fuzz_value());
	} else if (what == 8) {
		/* A copy of a record, or one record fewer. */
		switch (rnd() % 6) {
		case 0:
			if (s->nth && s->nth < MAX_THREADS) {
				unsigned k = rnd() % s->nth;
				s->th[s->nth++] = s->th[k];
			}
			break;
		case 1:
			if (s->ncap && s->ncap < MAX_CAPS) {
				unsigned k = rnd() % s->ncap;
				s->cap[s->ncap++] = s->cap[k];
			}
			break;
		case 2:
			if (s->nses && s->nses < MAX_SESSIONS) {
				unsigned k = rnd() % s->nses;
				s->ses[s->nses++] = s->ses[k];
			}
			break;
		case 3:
			if (s->nth) {
				unsigned k = rnd() % s->nth;
				s->nth--;
				s->th[k] = s->th[s->nth];
			}
			break;
		case 4:
			if (s->ncap)
				drop_cap(s, &s->cap[rnd() % s->ncap]);
			break;
		default:
			if (s->nses)
				drop_session(s, &s->ses[rnd() % s->nses]);
			break;
		}
	} else {
		s->h.time_us = rnd() % 2 ? (uint64_t)fuzz_value() << (rnd() % 33) : rnd() | (uint64_t)rnd() << 32;
	}
}

static void test_fuzz(void **state)
{
	(void)state;
	size_t good_len;
	struct spec g;
	good(&g);
	uint8_t *good_img = image_of(&g, &good_len);
	unsigned accepted = 0, refused = 0, codes[E_ERROR_COUNT] = { 0 };
	for (unsigned iter = 0; iter < 4000; iter++) {
		static struct spec s;
		good(&s);
		for (unsigned n = 1 + rnd() % 4; n; n--)
			mutate(&s);
		size_t len = encode(&s, buf, sizeof(buf));
		if (!len)
			continue;
		uint8_t *img = malloc(len);
		assert_non_null(img);
		memcpy(img, buf, len);
		struct rtcr_detail *why = malloc(sizeof(*why));
		assert_non_null(why);
		memset(why, 'x', sizeof(*why));
		rtcr_err err = rules_image(img, len, &devices, why);
		if (err < 0 || err >= E_ERROR_COUNT)
			fail_msg("iteration %u: rules_image returned %d", iter, err);
		if (err != E_OK) {
			assert_true(strnlen(why->text, sizeof(why->text)) < sizeof(why->text));
			assert_true(why->text[0] != 0);   /* terminated, and says something */
		}
		assert_int_equal(rules_image(img, len, &devices, NULL), err);
		bool sm = rules_same_memory(good_img, good_len, img, len);
		assert_int_equal(rules_same_memory(img, len, good_img, good_len), sm);
		if (err == E_OK)
			assert_true(rules_same_memory(img, len, img, len));
		codes[err]++;
		accepted += err == E_OK;
		refused += err != E_OK;
		free(why);
		free(img);
	}
	free(good_img);
	/* The loop reached past the first checks both ways. */
	assert_true(accepted > 50);
	assert_true(refused > 1000);
	assert_true(codes[E_INVALID_ARG] && codes[E_NO_RIGHTS] && codes[E_NO_MEMORY] &&
		    codes[E_BAD_ADDRESS]);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(page_data); i++)
		page_data[i] = (uint8_t)(i * 7 + 1);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_good_variations),
		cmocka_unit_test(test_rule_timer),
		cmocka_unit_test(test_rule_signal),
		cmocka_unit_test(test_rule_segment),
		cmocka_unit_test(test_rule_attach),
		cmocka_unit_test(test_rule_device),
		cmocka_unit_test(test_rule_thread),
		cmocka_unit_test(test_rule_clock),
		cmocka_unit_test(test_rules_session_args),
		cmocka_unit_test(test_rules_without_why),
		cmocka_unit_test(test_image_sessions_twice),
		cmocka_unit_test(test_image_timers),
		cmocka_unit_test(test_image_threads),
		cmocka_unit_test(test_image_ram),
		cmocka_unit_test(test_image_session_shape),
		cmocka_unit_test(test_image_memory),
		cmocka_unit_test(test_image_devices),
		cmocka_unit_test(test_image_caps),
		cmocka_unit_test(test_image_sections),
		cmocka_unit_test(test_same_memory),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
