/*
 * rtcr/base/error.c: every code has a name of its own (the kernel's codes
 * keep the kernel's names), a detail is written only when there is one to
 * write to, and is cut, terminated, at its size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "error.h"

static int same(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void test_every_code_has_its_own_name(void **state)
{
	(void)state;
	for (rtcr_err e = R_FIRST; e < R_ERROR_END; e++) {
		const char *name = rtcr_error_name(e);
		assert_non_null(name);
		assert_true(name[0] != '\0');
		assert_false(same(name, "unknown error"));
		for (rtcr_err f = R_FIRST; f < e; f++)
			assert_false(same(name, rtcr_error_name(f)));
	}
}

static void test_kernel_codes_keep_their_names(void **state)
{
	(void)state;
	for (rtcr_err e = 0; e < E_ERROR_COUNT; e++)
		assert_true(same(rtcr_error_name(e), k_error_name((unsigned)e)));
	assert_true(same(rtcr_error_name(E_BUSY), "busy"));
}

static void test_codes_outside_both_ranges_are_unknown(void **state)
{
	(void)state;
	assert_true((int)R_FIRST >= (int)E_ERROR_COUNT);
	assert_true(same(rtcr_error_name(-1), "unknown error"));
	assert_true(same(rtcr_error_name(E_ERROR_COUNT), "unknown error"));
	assert_true(same(rtcr_error_name(R_ERROR_END), "unknown error"));
}

static void test_fail_fills_the_detail_and_returns_the_code(void **state)
{
	(void)state;
	struct rtcr_detail d = { "" };
	assert_int_equal(rtcr_fail(&d, R_NO_IMAGE, "no image %u", 7u), R_NO_IMAGE);
	assert_true(same(d.text, "no image 7"));
	assert_true(same(rtcr_error_text(R_NO_IMAGE, &d), "no image 7"));
	rtcr_detail_clear(&d);
	assert_true(same(rtcr_error_text(R_NO_IMAGE, &d), "no such image"));
}

static void test_no_detail_to_write_to(void **state)
{
	(void)state;
	assert_int_equal(rtcr_fail(NULL, E_BUSY, "held by %u", 3u), E_BUSY);
	assert_true(same(rtcr_error_text(E_BUSY, NULL), "busy"));
	rtcr_detail_clear(NULL);
}

static void test_a_long_detail_is_cut_and_terminated(void **state)
{
	(void)state;
	struct rtcr_detail d;
	char word[RTCR_DETAIL_MAX * 2];
	for (size_t i = 0; i < sizeof(word) - 1; i++)
		word[i] = 'x';
	word[sizeof(word) - 1] = '\0';
	rtcr_fail(&d, R_IMAGE_REFUSED, "%s", word);
	size_t n = 0;
	while (n < sizeof(d.text) && d.text[n])
		n++;
	assert_int_equal(n, RTCR_DETAIL_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_its_own_name),
		cmocka_unit_test(test_kernel_codes_keep_their_names),
		cmocka_unit_test(test_codes_outside_both_ranges_are_unknown),
		cmocka_unit_test(test_fail_fills_the_detail_and_returns_the_code),
		cmocka_unit_test(test_no_detail_to_write_to),
		cmocka_unit_test(test_a_long_detail_is_cut_and_terminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
