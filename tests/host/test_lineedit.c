/*
 * rtcr/console/lineedit: the serial console's line editor. Each character fed is
 * checked for its result and for exactly what it asks to echo; buf is
 * checked byte for byte, including its NUL.
 *
 * No <string.h> here: -Ilib would find the firmware's lib/string.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lineedit.h"

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* A fresh editor, as the shell has it: static storage, then le_reset. */
static int setup(void **state)
{
	static struct line_editor le;
	struct line_editor zero = { { 0 }, 0, false, false, { 0 }, 0 };

	le = zero;
	le_reset(&le);
	*state = &le;
	return 0;
}

static void expect_echo(const struct line_editor *le, const char *want)
{
	size_t n = slen(want);

	assert_int_equal(le->echo_len, n);
	assert_true(le->echo_len <= sizeof(le->echo));
	for (size_t i = 0; i < n; i++)
		assert_int_equal((unsigned char)le->echo[i], (unsigned char)want[i]);
}

/*
 * What has been typed so far: len and the bytes. Mid-line, buf is not
 * promised to be NUL-terminated, so this does not look for one.
 */
static void expect_text(const struct line_editor *le, const char *want)
{
	size_t n = slen(want);

	assert_int_equal(le->len, n);
	assert_true(n <= LINE_MAX_CHARS);
	for (size_t i = 0; i < n; i++)
		assert_int_equal((unsigned char)le->buf[i], (unsigned char)want[i]);
}

/* A finished (or reset) line: exactly want, and a NUL after it. */
static void expect_buf(const struct line_editor *le, const char *want)
{
	expect_text(le, want);
	assert_int_equal(le->buf[slen(want)], 0);
}

/* Feeds printable text, each character echoed as itself. */
static void type(struct line_editor *le, const char *s)
{
	for (; *s; s++) {
		assert_int_equal(le_feed(le, *s), LE_MORE);
		assert_int_equal(le->echo_len, 1);
		assert_int_equal(le->echo[0], *s);
	}
}

static void expect_line_end(struct line_editor *le, char c,
			    enum le_result want, const char *buf)
{
	assert_int_equal(le_feed(le, c), want);
	expect_echo(le, "\r\n");
	expect_buf(le, buf);
}

static void test_simple_line(void **state)
{
	struct line_editor *le = *state;

	expect_buf(le, "");
	assert_int_equal(le->echo_len, 0);
	assert_false(le->overflow);

	assert_int_equal(le_feed(le, 'l'), LE_MORE);
	expect_echo(le, "l");
	expect_text(le, "l");
	assert_int_equal(le_feed(le, 's'), LE_MORE);
	expect_echo(le, "s");
	expect_text(le, "ls");
	type(le, " -l ~/x");
	expect_text(le, "ls -l ~/x");
	expect_line_end(le, '\r', LE_LINE, "ls -l ~/x");

	/* The next line, after the caller resets. */
	le_reset(le);
	expect_buf(le, "");
	assert_int_equal(le->echo_len, 0);
	type(le, "ps");
	expect_line_end(le, '\r', LE_LINE, "ps");
}

static void test_echo_each_printable(void **state)
{
	struct line_editor *le = *state;

	/* Every printable ASCII character is stored and echoed as itself. */
	for (int c = 0x20; c < 0x7f; c++) {
		size_t before = le->len;
		assert_int_equal(le_feed(le, (char)c), LE_MORE);
		assert_int_equal(le->echo_len, 1);
		assert_int_equal(le->echo[0], (char)c);
		assert_int_equal(le->len, before + 1);
		assert_int_equal(le->buf[before], (char)c);
	}
	assert_int_equal(le->len, 0x7f - 0x20);
	assert_int_equal(le_feed(le, '\n'), LE_LINE);
	expect_echo(le, "\r\n");
	for (int c = 0x20; c < 0x7f; c++)
		assert_int_equal(le->buf[c - 0x20], (char)c);
	assert_int_equal(le->buf[0x7f - 0x20], 0);
}

static void test_line_endings(void **state)
{
	struct line_editor *le = *state;

	/* CR LF: one line, the LF is swallowed with nothing echoed. */
	type(le, "ab");
	expect_line_end(le, '\r', LE_LINE, "ab");
	le_reset(le);
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	expect_buf(le, "");
	type(le, "cd");
	expect_line_end(le, '\n', LE_LINE, "cd");	/* LF alone */
	le_reset(le);

	/* LF LF: two lines, the second empty. */
	expect_line_end(le, '\n', LE_LINE, "");
	le_reset(le);
	expect_line_end(le, '\n', LE_LINE, "");
	le_reset(le);

	/* CR CR: two lines, the second empty. */
	type(le, "ef");
	expect_line_end(le, '\r', LE_LINE, "ef");
	le_reset(le);
	expect_line_end(le, '\r', LE_LINE, "");
	le_reset(le);
	/* ...and an LF after the second CR still counts once with it. */
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	assert_int_equal(le->echo_len, 0);

	/* CR LF LF: the second LF is a line of its own. */
	type(le, "g");
	expect_line_end(le, '\r', LE_LINE, "g");
	le_reset(le);
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	expect_line_end(le, '\n', LE_LINE, "");
	le_reset(le);

	/* Only an LF straight after CR is swallowed. */
	type(le, "h");
	expect_line_end(le, '\r', LE_LINE, "h");
	le_reset(le);
	type(le, "i");
	expect_line_end(le, '\n', LE_LINE, "i");
	le_reset(le);
	expect_line_end(le, '\r', LE_LINE, "");
	le_reset(le);
	assert_int_equal(le_feed(le, 0x08), LE_MORE);	/* between CR and LF */
	expect_line_end(le, '\n', LE_LINE, "");
	le_reset(le);

	/* LF CR: two lines. */
	expect_line_end(le, '\n', LE_LINE, "");
	le_reset(le);
	expect_line_end(le, '\r', LE_LINE, "");
}

static void test_backspace(void **state)
{
	struct line_editor *le = *state;

	/* At the start: nothing happens, nothing is echoed. */
	assert_int_equal(le_feed(le, 0x08), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	expect_buf(le, "");
	assert_int_equal(le_feed(le, 0x7f), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	expect_buf(le, "");

	type(le, "abc");
	assert_int_equal(le_feed(le, 0x08), LE_MORE);
	expect_echo(le, "\b \b");
	expect_text(le, "ab");
	type(le, "xy");
	expect_text(le, "abxy");
	assert_int_equal(le_feed(le, 0x7f), LE_MORE);
	expect_echo(le, "\b \b");
	expect_text(le, "abx");

	/* Down to empty, then once more. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(le_feed(le, 0x08), LE_MORE);
		expect_echo(le, "\b \b");
	}
	expect_text(le, "");
	assert_int_equal(le_feed(le, 0x7f), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	expect_text(le, "");

	type(le, "ok");
	expect_line_end(le, '\r', LE_LINE, "ok");
}

/* Feeds n printable characters, cycling through a..z. */
static void type_n(struct line_editor *le, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		assert_int_equal(le_feed(le, c), LE_MORE);
		if (i < LINE_MAX_CHARS) {
			assert_int_equal(le->echo_len, 1);
			assert_int_equal(le->echo[0], c);
			assert_false(le->overflow);
		} else {
			/* Not stored, so not echoed. */
			assert_int_equal(le->echo_len, 0);
			assert_true(le->overflow);
		}
	}
}

static void expect_first_chars(const struct line_editor *le, size_t n)
{
	assert_int_equal(le->len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(le->buf[i], (char)('a' + i % 26));
	assert_int_equal(le->buf[n], 0);
}

static void test_length_limit(void **state)
{
	struct line_editor *le = *state;

	assert_int_equal(sizeof(le->buf), LINE_MAX_CHARS + 1);

	/* Exactly 127 fits. */
	type_n(le, LINE_MAX_CHARS);
	assert_int_equal(le_feed(le, '\r'), LE_LINE);
	expect_echo(le, "\r\n");
	expect_first_chars(le, LINE_MAX_CHARS);

	/* 128 does not: the line still ends, with the first 127 kept. */
	le_reset(le);
	type_n(le, LINE_MAX_CHARS + 1);
	assert_int_equal(le_feed(le, '\r'), LE_TOO_LONG);
	expect_echo(le, "\r\n");
	expect_first_chars(le, LINE_MAX_CHARS);

	/* Far beyond, ended by LF. */
	le_reset(le);
	assert_int_equal(le_feed(le, '\n'), LE_MORE);	/* the CR's LF */
	type_n(le, 1000);
	assert_int_equal(le_feed(le, '\n'), LE_TOO_LONG);
	expect_echo(le, "\r\n");
	expect_first_chars(le, LINE_MAX_CHARS);

	/* After the reset the next line is normal. */
	le_reset(le);
	assert_false(le->overflow);
	expect_buf(le, "");
	type(le, "next");
	expect_line_end(le, '\n', LE_LINE, "next");

	/* And can be full length again. */
	le_reset(le);
	type_n(le, LINE_MAX_CHARS);
	assert_int_equal(le_feed(le, '\n'), LE_LINE);
	expect_first_chars(le, LINE_MAX_CHARS);
}

static void test_backspace_after_overflow(void **state)
{
	struct line_editor *le = *state;

	type_n(le, LINE_MAX_CHARS + 1);
	/* Rubbing out as many as went over must not make it fit again. */
	assert_int_equal(le_feed(le, 0x08), LE_MORE);
	assert_true(le->overflow);
	assert_int_equal(le_feed(le, 0x7f), LE_MORE);
	assert_true(le->overflow);
	/* Nor rubbing out everything. */
	for (int i = 0; i < 2 * LINE_MAX_CHARS; i++)
		assert_int_equal(le_feed(le, 0x08), LE_MORE);
	assert_true(le->overflow);
	/* Nothing stored can be replaced either. */
	assert_int_equal(le_feed(le, 'Z'), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	assert_int_equal(le_feed(le, '\r'), LE_TOO_LONG);
	expect_first_chars(le, LINE_MAX_CHARS);

	le_reset(le);
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	type(le, "a");
	expect_line_end(le, '\n', LE_LINE, "a");
}

static void test_ctrl_c(void **state)
{
	struct line_editor *le = *state;

	type(le, "rm -rf");
	assert_int_equal(le_feed(le, 0x03), LE_CANCEL);
	expect_echo(le, "^C\r\n");
	expect_buf(le, "");
	assert_false(le->overflow);

	/* The next line starts clean, without the caller resetting. */
	type(le, "ls");
	expect_line_end(le, '\r', LE_LINE, "ls");
	le_reset(le);

	/* On an empty line. */
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	assert_int_equal(le_feed(le, 0x03), LE_CANCEL);
	expect_echo(le, "^C\r\n");
	expect_buf(le, "");

	/* On an overflowed line: the overflow goes too. */
	type_n(le, LINE_MAX_CHARS + 5);
	assert_int_equal(le_feed(le, 0x03), LE_CANCEL);
	expect_echo(le, "^C\r\n");
	expect_buf(le, "");
	assert_false(le->overflow);
	type(le, "x");
	expect_line_end(le, '\r', LE_LINE, "x");
	le_reset(le);

	/* An LF after Ctrl-C is a line, not the tail of a CR LF. */
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	type(le, "y");
	assert_int_equal(le_feed(le, 0x03), LE_CANCEL);
	expect_line_end(le, '\n', LE_LINE, "");
}

static void test_ignored_bytes(void **state)
{
	struct line_editor *le = *state;

	type(le, "a");
	/* Every control byte other than the ones with a meaning. */
	for (int c = 0; c < 0x20; c++) {
		if (c == '\r' || c == '\n' || c == 0x03 || c == 0x08)
			continue;
		assert_int_equal(le_feed(le, (char)c), LE_MORE);
		assert_int_equal(le->echo_len, 0);
		expect_text(le, "a");
	}
	/* Every byte with the top bit set. */
	for (int c = 0x80; c < 0x100; c++) {
		assert_int_equal(le_feed(le, (char)c), LE_MORE);
		assert_int_equal(le->echo_len, 0);
		expect_text(le, "a");
	}
	type(le, "b");
	expect_line_end(le, '\r', LE_LINE, "ab");
	le_reset(le);

	/* An escape sequence (cursor up) leaves its printable tail. */
	assert_int_equal(le_feed(le, '\n'), LE_MORE);
	assert_int_equal(le_feed(le, 0x1b), LE_MORE);
	assert_int_equal(le->echo_len, 0);
	type(le, "[A");
	expect_line_end(le, '\n', LE_LINE, "[A");
	le_reset(le);

	/* Ignored bytes do not count towards the limit. */
	for (size_t i = 0; i < LINE_MAX_CHARS; i++) {
		type(le, "q");
		assert_int_equal(le_feed(le, '\t'), LE_MORE);
		assert_int_equal(le_feed(le, (char)0xe9), LE_MORE);
		assert_int_equal(le_feed(le, 0), LE_MORE);
	}
	assert_false(le->overflow);
	assert_int_equal(le_feed(le, '\n'), LE_LINE);
	assert_int_equal(le->len, LINE_MAX_CHARS);
	assert_int_equal(le->buf[LINE_MAX_CHARS], 0);
}

static void test_nul_termination(void **state)
{
	struct line_editor *le = *state;

	/* Dirty the whole buffer, then write shorter lines over it. */
	type_n(le, LINE_MAX_CHARS);
	assert_int_equal(le_feed(le, '\n'), LE_LINE);
	le_reset(le);
	assert_int_equal(le->buf[0], 0);
	type(le, "abcdef");
	expect_text(le, "abcdef");
	assert_int_equal(le_feed(le, 0x08), LE_MORE);
	assert_int_equal(le_feed(le, 0x08), LE_MORE);
	expect_text(le, "abcd");
	/* At the end, the NUL is right after "abcd", not the old 'e'. */
	expect_line_end(le, '\n', LE_LINE, "abcd");
	le_reset(le);

	/* Same over a dirty buffer, for lines ended by CR, too long, empty. */
	type(le, "xyz");
	expect_line_end(le, '\r', LE_LINE, "xyz");
	le_reset(le);
	expect_line_end(le, '\r', LE_LINE, "");
	le_reset(le);
	type_n(le, LINE_MAX_CHARS + 3);
	assert_int_equal(le_feed(le, '\r'), LE_TOO_LONG);
	expect_first_chars(le, LINE_MAX_CHARS);
	le_reset(le);
	assert_int_equal(le->buf[0], 0);
	/* After Ctrl-C over a full buffer. */
	type_n(le, LINE_MAX_CHARS);
	assert_int_equal(le_feed(le, 0x03), LE_CANCEL);
	assert_int_equal(le->len, 0);
	assert_int_equal(le->buf[0], 0);
	type(le, "w");
	expect_line_end(le, '\r', LE_LINE, "w");
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_simple_line),
		T(test_echo_each_printable),
		T(test_line_endings),
		T(test_backspace),
		T(test_length_limit),
		T(test_backspace_after_overflow),
		T(test_ctrl_c),
		T(test_ignored_bytes),
		T(test_nul_termination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
