/*
 * kernel/timeout: the deadline-sorted timeout list. Every test checks the
 * list's shape (links both ways, sorted, all armed, no cycles) as well as
 * what expires; the random test runs arm/cancel/expire against an array
 * model that knows the exact order expirations must come in.
 *
 * No <string.h> here: -Ilib would find the firmware's lib/string.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timeout.h"

#define NT 48	/* timeouts in play in the random test */

/*
 * Walks the list checking links, order and flags; returns its length.
 * Fails on anything longer than max, which also catches cycles.
 */
static size_t check_list(const struct timeout_list *l, size_t max)
{
	size_t n = 0;
	const struct timeout *prev = NULL;

	for (const struct timeout *t = l->head; t; t = t->next) {
		assert_true(n < max);
		assert_true(t->armed);
		assert_ptr_equal(t->prev, prev);
		if (prev)
			assert_true(prev->deadline <= t->deadline);
		prev = t;
		n++;
	}
	return n;
}

/* Checks the list holds exactly these timeouts, in this order. */
static void expect_list(const struct timeout_list *l,
			struct timeout *const *want, size_t n)
{
	assert_int_equal(check_list(l, n + 1), n);
	const struct timeout *t = l->head;
	for (size_t i = 0; i < n; i++, t = t->next)
		assert_ptr_equal(t, want[i]);
}

/* What timeout_next_expired left behind in a timeout it returned. */
static void expect_unlinked(const struct timeout *t)
{
	assert_false(t->armed);
	assert_null(t->next);
	assert_null(t->prev);
}

static void test_empty(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };

	assert_null(timeout_next_expired(&l, 0));
	assert_null(timeout_next_expired(&l, UINT64_MAX));
	assert_null(l.head);
}

static void test_deadline_order(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };
	struct timeout t[6] = { { 0 } };
	static const uint64_t dl[6] = { 500, 100, 600, 300, 200, 400 };
	static const int order[6] = { 1, 4, 3, 5, 0, 2 };

	for (int i = 0; i < 6; i++) {
		timeout_arm(&l, &t[i], dl[i]);
		assert_true(t[i].armed);
		assert_int_equal(t[i].deadline, dl[i]);
		assert_int_equal(check_list(&l, 6), (size_t)i + 1);
	}
	for (int i = 0; i < 6; i++) {
		struct timeout *e = timeout_next_expired(&l, 1000);
		assert_ptr_equal(e, &t[order[i]]);
		expect_unlinked(e);
		assert_int_equal(check_list(&l, 6), 5 - (size_t)i);
	}
	assert_null(timeout_next_expired(&l, UINT64_MAX));
	assert_null(l.head);
}

static void test_equal_deadlines(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };
	struct timeout a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 },
		       f = { 0 };

	timeout_arm(&l, &a, 100);
	timeout_arm(&l, &b, 100);
	timeout_arm(&l, &c, 50);	/* before all of them */
	timeout_arm(&l, &d, 100);
	timeout_arm(&l, &e, 150);
	timeout_arm(&l, &f, 100);	/* after d, before e */

	struct timeout *want[] = { &c, &a, &b, &d, &f, &e };
	expect_list(&l, want, 6);
	for (size_t i = 0; i < 6; i++)
		assert_ptr_equal(timeout_next_expired(&l, 150), want[i]);
	assert_null(timeout_next_expired(&l, 150));

	/* All equal, at the extremes of the range. */
	struct timeout z[4] = { { 0 } };
	for (int i = 0; i < 4; i++)
		timeout_arm(&l, &z[i], 0);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(timeout_next_expired(&l, 0), &z[i]);
	for (int i = 0; i < 4; i++)
		timeout_arm(&l, &z[i], UINT64_MAX);
	assert_null(timeout_next_expired(&l, UINT64_MAX - 1));
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(timeout_next_expired(&l, UINT64_MAX), &z[i]);
	assert_null(l.head);
}

static void test_not_before_deadline(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };
	struct timeout a = { 0 }, b = { 0 }, c = { 0 };

	timeout_arm(&l, &c, 30);
	timeout_arm(&l, &a, 10);
	timeout_arm(&l, &b, 20);

	assert_null(timeout_next_expired(&l, 0));
	assert_null(timeout_next_expired(&l, 9));
	assert_ptr_equal(timeout_next_expired(&l, 10), &a);	/* <= now */
	assert_null(timeout_next_expired(&l, 10));
	assert_null(timeout_next_expired(&l, 19));
	assert_ptr_equal(timeout_next_expired(&l, 20), &b);
	assert_null(timeout_next_expired(&l, 29));
	/* A late tick still gets it, and only it. */
	assert_ptr_equal(timeout_next_expired(&l, 1000000), &c);
	assert_null(timeout_next_expired(&l, UINT64_MAX));

	/* Time going backwards does not expire anything either. */
	timeout_arm(&l, &a, 50);
	assert_null(timeout_next_expired(&l, 49));
	assert_null(timeout_next_expired(&l, 5));
	assert_true(a.armed);
	assert_ptr_equal(timeout_next_expired(&l, 50), &a);
}

static void test_cancel(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };
	struct timeout t[5] = { { 0 } };
	struct timeout never = { 0 };

	for (int i = 0; i < 5; i++)
		timeout_arm(&l, &t[i], 10 * (uint64_t)(i + 1));

	/* Middle. */
	timeout_cancel(&l, &t[2]);
	expect_unlinked(&t[2]);
	struct timeout *w1[] = { &t[0], &t[1], &t[3], &t[4] };
	expect_list(&l, w1, 4);

	/* Head. */
	timeout_cancel(&l, &t[0]);
	expect_unlinked(&t[0]);
	struct timeout *w2[] = { &t[1], &t[3], &t[4] };
	expect_list(&l, w2, 3);

	/* Tail. */
	timeout_cancel(&l, &t[4]);
	expect_unlinked(&t[4]);
	struct timeout *w3[] = { &t[1], &t[3] };
	expect_list(&l, w3, 2);

	/* Not armed: never armed, already cancelled, already expired. */
	timeout_cancel(&l, &never);
	expect_unlinked(&never);
	timeout_cancel(&l, &t[2]);
	timeout_cancel(&l, &t[0]);
	expect_list(&l, w3, 2);
	assert_ptr_equal(timeout_next_expired(&l, 20), &t[1]);
	timeout_cancel(&l, &t[1]);
	struct timeout *w4[] = { &t[3] };
	expect_list(&l, w4, 1);

	/* The only one. */
	timeout_cancel(&l, &t[3]);
	expect_unlinked(&t[3]);
	assert_null(l.head);
	timeout_cancel(&l, &t[3]);
	assert_null(l.head);

	/* Cancelled ones can be armed again and behave. */
	timeout_arm(&l, &t[0], 7);
	timeout_arm(&l, &t[4], 3);
	struct timeout *w5[] = { &t[4], &t[0] };
	expect_list(&l, w5, 2);
	assert_ptr_equal(timeout_next_expired(&l, 100), &t[4]);
	assert_ptr_equal(timeout_next_expired(&l, 100), &t[0]);
	assert_null(timeout_next_expired(&l, 100));

	/* Cancel leaves an equal-deadline run in order. */
	for (int i = 0; i < 5; i++)
		timeout_arm(&l, &t[i], 5);
	timeout_cancel(&l, &t[1]);
	timeout_cancel(&l, &t[3]);
	struct timeout *w6[] = { &t[0], &t[2], &t[4] };
	expect_list(&l, w6, 3);
}

static void test_rearm(void **state)
{
	(void)state;
	struct timeout_list l = { NULL };
	struct timeout a = { 0 }, b = { 0 }, c = { 0 };

	timeout_arm(&l, &a, 10);
	timeout_arm(&l, &b, 20);
	timeout_arm(&l, &c, 30);

	/* Head moves to the middle. */
	timeout_arm(&l, &a, 25);
	struct timeout *w1[] = { &b, &a, &c };
	expect_list(&l, w1, 3);
	assert_int_equal(a.deadline, 25);

	/* Tail moves to the head. */
	timeout_arm(&l, &c, 1);
	struct timeout *w2[] = { &c, &b, &a };
	expect_list(&l, w2, 3);

	/* Middle moves to the tail. */
	timeout_arm(&l, &b, 99);
	struct timeout *w3[] = { &c, &a, &b };
	expect_list(&l, w3, 3);

	/* Same place, same deadline. */
	timeout_arm(&l, &b, 99);
	expect_list(&l, w3, 3);
	timeout_arm(&l, &c, 1);
	expect_list(&l, w3, 3);

	/* Re-arming counts as arming anew: it goes after equal deadlines. */
	timeout_arm(&l, &a, 99);
	struct timeout *w4[] = { &c, &b, &a };
	expect_list(&l, w4, 3);
	timeout_arm(&l, &b, 99);
	struct timeout *w5[] = { &c, &a, &b };
	expect_list(&l, w5, 3);

	/* Moved earlier, the old deadline no longer applies... */
	timeout_arm(&l, &b, 50);
	assert_ptr_equal(timeout_next_expired(&l, 60), &c);
	assert_ptr_equal(timeout_next_expired(&l, 60), &b);
	assert_null(timeout_next_expired(&l, 60));
	/* ...nor when moved later. */
	timeout_arm(&l, &a, 200);
	assert_null(timeout_next_expired(&l, 199));
	assert_ptr_equal(timeout_next_expired(&l, 200), &a);
	assert_null(l.head);

	/* Re-arming one that expired. */
	timeout_arm(&l, &a, 300);
	struct timeout *w6[] = { &a };
	expect_list(&l, w6, 1);
	timeout_arm(&l, &a, 300);
	expect_list(&l, w6, 1);
	assert_ptr_equal(timeout_next_expired(&l, 300), &a);
	assert_null(timeout_next_expired(&l, 300));
}

/* ---- random operations against an array model ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

struct model {
	bool armed[NT];
	uint64_t deadline[NT];
	uint64_t seq[NT];	/* when it was last armed */
	uint64_t next_seq;
};

/* The armed one that should come first, at or before limit; -1 if none. */
static int model_first(const struct model *m, uint64_t limit)
{
	int best = -1;

	for (int i = 0; i < NT; i++) {
		if (!m->armed[i] || m->deadline[i] > limit)
			continue;
		if (best < 0 || m->deadline[i] < m->deadline[best] ||
		    (m->deadline[i] == m->deadline[best] &&
		     m->seq[i] < m->seq[best]))
			best = i;
	}
	return best;
}

/* The whole list, in order, must be what the model says. */
static void check_against_model(const struct timeout_list *l,
				const struct model *m, struct timeout *t)
{
	struct model left = *m;
	size_t n = check_list(l, NT);

	for (const struct timeout *cur = l->head; cur; cur = cur->next) {
		int want = model_first(&left, UINT64_MAX);
		assert_true(want >= 0);
		assert_ptr_equal(cur, &t[want]);
		assert_int_equal(cur->deadline, left.deadline[want]);
		left.armed[want] = false;
		n--;
	}
	assert_int_equal(n, 0);
	assert_int_equal(model_first(&left, UINT64_MAX), -1);
	for (int i = 0; i < NT; i++)
		assert_int_equal(t[i].armed, m->armed[i]);
}

static void test_random(void **state)
{
	(void)state;
	static struct timeout t[NT];
	struct timeout_list l = { NULL };
	struct model m = { { false }, { 0 }, { 0 }, 0 };
	uint64_t now = 1000;
	unsigned rearms = 0, cancels = 0, expiries = 0,
		 ties = 0, past = 0;

	for (int op = 0; op < 20000; op++) {
		uint32_t r = rnd();
		int i = (int)((r >> 8) % NT);

		switch (r % 8) {
		case 0: case 1: case 2: {	/* arm or re-arm */
			/* Coarse deadlines so that ties are common. */
			uint64_t d = (now / 10 + rnd() % 40) * 10;
			if (rnd() % 16 == 0) {
				d = now - rnd() % 50;	/* already due */
				past++;
			}
			if (m.armed[i])
				rearms++;
			for (int j = 0; j < NT; j++)
				if (j != i && m.armed[j] && m.deadline[j] == d)
					ties++;
			timeout_arm(&l, &t[i], d);
			m.armed[i] = true;
			m.deadline[i] = d;
			m.seq[i] = m.next_seq++;
			break;
		}
		case 3: case 4:			/* cancel, armed or not */
			timeout_cancel(&l, &t[i]);
			expect_unlinked(&t[i]);
			m.armed[i] = false;
			cancels++;
			break;
		case 5: case 6: {		/* a tick: expire all due */
			now += rnd() % 120;
			for (;;) {
				int want = model_first(&m, now);
				struct timeout *got = timeout_next_expired(&l, now);
				if (want < 0) {
					assert_null(got);
					break;
				}
				assert_ptr_equal(got, &t[want]);
				expect_unlinked(got);
				m.armed[want] = false;
				expiries++;
				check_against_model(&l, &m, t);
			}
			break;
		}
		default: {			/* take just one, if any */
			int want = model_first(&m, now);
			struct timeout *got = timeout_next_expired(&l, now);
			if (want < 0) {
				assert_null(got);
			} else {
				assert_ptr_equal(got, &t[want]);
				expect_unlinked(got);
				m.armed[want] = false;
				expiries++;
			}
			break;
		}
		}
		check_against_model(&l, &m, t);
	}

	/* Make sure the run exercised what it is meant to. */
	assert_true(rearms > 300);
	assert_true(ties > 300);
	assert_true(past > 200);
	assert_true(expiries > 3000);
	assert_true(cancels > 3000);

	/* Drain everything that is left, in order. */
	for (;;) {
		int want = model_first(&m, UINT64_MAX);
		struct timeout *got = timeout_next_expired(&l, UINT64_MAX);
		if (want < 0) {
			assert_null(got);
			break;
		}
		assert_ptr_equal(got, &t[want]);
		m.armed[want] = false;
	}
	assert_null(l.head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_deadline_order),
		cmocka_unit_test(test_equal_deadlines),
		cmocka_unit_test(test_not_before_deadline),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_rearm),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
