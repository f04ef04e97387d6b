/*
 * tools/ckpt_print, the printing half of ckpt-decode, on hostile images.
 *
 * ckpt_image_check() vouches for an image's structure only: under a
 * correct CRC its selectors, types, states, kinds, addresses and ids may
 * be any 32-bit values, and its records as many as fit. For every image of
 * tests/host/ckpt_corpus.c (all the damage test_ckpt_image.c does, the same
 * damage with the CRC made right again, and hostile values in every field)
 * the printers must:
 *   - print an image the check accepts, as text and as JSON, and finish:
 *     an alarm fails the test after LIMIT_S seconds, so a loop is a
 *     failure and not a stuck run;
 *   - print at most OUT_PER_BYTE bytes per byte of image, plus OUT_EXTRA;
 *   - print lines of printable ASCII as text, and well-formed JSON;
 *   - print nothing for an image the check refuses, and return its error.
 * The images that made the text output loop for ever, a capability in the
 * top row of selectors (0xfffffffc and up), are fixed cases.
 */
#define _POSIX_C_SOURCE 200809L   /* fmemopen, sigaction */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ckpt_corpus.h"
#include "ckpt_print.h"

#define LIMIT_S      5     /* a printer takes milliseconds; this is a loop */
/* What an image may print: a capability, 24 bytes, is the most wordy
 * record, some 170 characters of text at most; the header adds a few
 * hundred whatever the image holds. */
#define OUT_PER_BYTE 8
#define OUT_EXTRA    1024
#define OUT_MAX      (OUT_PER_BYTE * CORPUS_IMG_MAX + OUT_EXTRA + 1)

static char out[OUT_MAX];   /* what was printed, NUL terminated */

/* ---- the alarm ------------------------------------------------------------------ */

/* What is being printed, for the message if it never finishes. */
static char printing[80];
static const char *printing_format = "";
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	if (timed_out) {
		/* Failing the test below got stuck itself (in a lock the loop
		 * held, say): end the whole run rather than hang it. */
		static const char msg[] = "test_ckpt_print: stuck after a timeout\n";
		ssize_t n = write(2, msg, sizeof(msg) - 1);
		(void)n;
		_exit(1);
	}
	timed_out = 1;
	alarm(LIMIT_S);
	fail_msg("printing %s as %s took over %d s: a loop on a hostile field?", printing,
		 printing_format, LIMIT_S);
}

/* SA_NODEFER: failing longjmps out of the handler, and the alarm must
 * still work for the tests after it. */
static void catch_alarm(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

/* ---- printing into the buffer ------------------------------------------------------ */

struct printed {
	int err;
	size_t size;
	bool overflow;       /* more than the bound for the image's size */
};

/* ckpt_print() into out, at most bound bytes of it, under the alarm. */
static struct printed print(const uint8_t *img, size_t len, enum ckpt_print_format format)
{
	struct printed p = { 0 };
	size_t bound = OUT_PER_BYTE * len + OUT_EXTRA;
	assert_true(bound < sizeof(out));
	FILE *sink = fmemopen(out, bound, "w");
	assert_non_null(sink);
	struct ckpt_detail d;
	printing_format = format == CKPT_PRINT_JSON ? "JSON" : "text";
	timed_out = 0;
	alarm(LIMIT_S);
	p.err = ckpt_print(sink, img, len, format, &d);
	alarm(0);
	p.overflow = fflush(sink) != 0 || ferror(sink);
	p.size = (size_t)ftell(sink);
	fclose(sink);
	out[p.size] = 0;
	if (p.err)
		assert_int_equal(d.err, p.err);
	return p;
}

/* strstr and strchr, which lib/string.h, first on the include path for
 * the firmware's sake, does not declare. */
static const char *find(const char *s, const char *part)
{
	size_t n = strlen(part);
	for (; *s; s++)
		if (strncmp(s, part, n) == 0)
			return s;
	return NULL;
}

static bool one_of(char c, const char *set)
{
	for (; *set; set++)
		if (*set == c)
			return true;
	return false;
}

static bool printable_lines(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && (s[i] < 0x20 || s[i] > 0x7e))
			return false;
	return n > 0 && s[n - 1] == '\n';
}

/* A string's escape: one of JSON's, and \u followed by four hex digits. */
static bool json_escape(const char *s, size_t n, size_t *i)
{
	if (*i + 1 >= n)
		return false;
	char c = s[++*i];
	if (c != 'u')
		return one_of(c, "\"\\/bfnrt");
	for (int k = 0; k < 4; k++)
		if (++*i >= n || !one_of(s[*i], "0123456789abcdefABCDEF"))
			return false;
	return true;
}

/* Enough of JSON to see that no value broke it: printable ASCII, strings
 * closed with valid escapes, brackets matched, one object and a newline. */
static bool json_well_formed(const char *s, size_t n)
{
	char open[8];
	size_t depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c < 0x20 || c > 0x7e) {
			if (c != '\n' || in_string)
				return false;
		} else if (in_string) {
			if (c == '\\' && !json_escape(s, n, &i))
				return false;
			in_string = c != '"';
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (depth == sizeof(open))
				return false;
			open[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (!depth || open[--depth] != (c == '}' ? '{' : '['))
				return false;
			if (!depth && i + 2 != n)   /* the object, then "\n" */
				return false;
		}
	}
	return !in_string && n >= 2 && s[0] == '{' && s[n - 2] == '}' && s[n - 1] == '\n';
}

/* An accepted image, both ways: finished, bounded, readable. */
static void expect_printed(const uint8_t *img, size_t len)
{
	struct printed p = print(img, len, CKPT_PRINT_TEXT);
	assert_int_equal(p.err, CKPT_OK);
	assert_false(p.overflow);
	assert_true(printable_lines(out, p.size));

	p = print(img, len, CKPT_PRINT_JSON);
	assert_int_equal(p.err, CKPT_OK);
	assert_false(p.overflow);
	assert_true(json_well_formed(out, p.size));
}

/* A refused image: the check's error, and not a byte of output. */
static void expect_refused(const uint8_t *img, size_t len, int err)
{
	for (int f = CKPT_PRINT_TEXT; f <= CKPT_PRINT_JSON; f++) {
		struct printed p = print(img, len, (enum ckpt_print_format)f);
		assert_int_equal(p.err, err);
		assert_int_equal(p.size, 0);
	}
}

/* ---- the fixed cases ------------------------------------------------------------------ */

/* The table row the shell's `caps` prints: a selector and four cells. */
static void table_row(char *buf, size_t size, uint32_t row, const char *const cells[4])
{
	snprintf(buf, size, "%06x %-20s %-20s %-20s %-20s\n", (unsigned)row, cells[0],
		 cells[1], cells[2], cells[3]);
}

/* Prints the image of capabilities sels[n] both ways: the text must hold
 * rows[] in that order and the JSON each of json[]. */
static void check_selectors(const uint32_t *sels, size_t n, const char *const *rows,
			    const char *const *json)
{
	static uint8_t img[CORPUS_IMG_MAX];
	size_t len = corpus_selectors(img, sizeof(img), sels, n);
	assert_true(len > 0);
	assert_int_equal(ckpt_image_check(img, len, NULL, NULL), CKPT_OK);
	snprintf(printing, sizeof(printing), "the image of selector %08x and %zu more",
		 (unsigned)sels[0], n - 1);

	struct printed p = print(img, len, CKPT_PRINT_TEXT);
	assert_int_equal(p.err, CKPT_OK);
	assert_true(printable_lines(out, p.size));
	const char *at = out;
	for (; *rows; rows++) {
		at = find(at, *rows);
		if (!at)
			fail_msg("row missing from:\n%s\nwanted:\n%s", out, *rows);
		at += strlen(*rows);
	}
	p = print(img, len, CKPT_PRINT_JSON);
	assert_int_equal(p.err, CKPT_OK);
	assert_true(json_well_formed(out, p.size));
	for (; *json; json++)
		if (!find(out, *json))
			fail_msg("JSON without %s:\n%s", *json, out);
}

/* The cells of a row with the test's capability first or last. */
static const char *const cap_first[4] = { "12-task:rwg", "-", "-", "-" };
static const char *const cap_last[4] = { "-", "-", "-", "12-task:rwg" };

/* The last row of the table: row + 4 wraps to 0. */
static void test_top_row_fffffffc(void **state)
{
	(void)state;
	static const uint32_t sel[] = { 0xfffffffcu };
	char row[128];
	table_row(row, sizeof(row), 0xfffffffcu, cap_first);
	const char *rows[] = { row, "  fffffffc task     rwg label 00000000 object 12\n", NULL };
	const char *json[] = { "{\"sel\": 4294967292, \"type\": \"task\", \"rights\": 7", NULL };
	check_selectors(sel, 1, rows, json);
}

/* The very last selector, in the last cell of that row. */
static void test_top_row_ffffffff(void **state)
{
	(void)state;
	static const uint32_t sel[] = { 0xffffffffu };
	char row[128];
	table_row(row, sizeof(row), 0xfffffffcu, cap_last);
	const char *rows[] = { row, "  ffffffff task", NULL };
	const char *json[] = { "{\"sel\": 4294967295, ", NULL };
	check_selectors(sel, 1, rows, json);
}

/* Rows in selector order whatever the image's order: the first, the one
 * at the sign bit, the full top row. */
static void test_rows_across_the_selector_space(void **state)
{
	(void)state;
	static const uint32_t sel[] = { 0xfffffffeu, 0x80000000u, 0xffffffffu, 3,
					0xfffffffcu, 0xfffffffdu };
	static const char *const full[4] = { "12-task:rwg", "12-task:rwg", "12-task:rwg",
					     "12-task:rwg" };
	char row0[128], row_sign[128], row_top[128];
	table_row(row0, sizeof(row0), 0, cap_last);
	table_row(row_sign, sizeof(row_sign), 0x80000000u, cap_first);
	table_row(row_top, sizeof(row_top), 0xfffffffcu, full);
	const char *rows[] = { row0, row_sign, row_top, "  80000000 task", "  fffffffc task",
			       "  ffffffff task", NULL };
	const char *json[] = { "\"sel\": 2147483648,", "\"sel\": 4294967293,", NULL };
	check_selectors(sel, 6, rows, json);
}

/* A selector twice (the codec allows it): its row is printed again. */
static void test_duplicate_selector(void **state)
{
	(void)state;
	static const uint32_t sel[] = { 0xffffffffu, 0xffffffffu };
	char row[128];
	table_row(row, sizeof(row), 0xfffffffcu, cap_last);
	const char *rows[] = { row, row, "  ffffffff task", "  ffffffff task", NULL };
	const char *json[] = { "4294967295, ", NULL };
	check_selectors(sel, 2, rows, json);
}

/* ---- the corpus ------------------------------------------------------------------------ */

struct run {
	const char *corpus;
	unsigned long images, accepted;
};

static void visit(void *ctx, const uint8_t *img, size_t len)
{
	struct run *r = ctx;
	snprintf(printing, sizeof(printing), "image %lu of %s", r->images++, r->corpus);
	int err = ckpt_image_check(img, len, NULL, NULL);
	if (err) {
		expect_refused(img, len, err);
	} else {
		r->accepted++;
		expect_printed(img, len);
	}
}

static struct run run_corpus(const char *name, void (*corpus)(corpus_fn *fn, void *ctx))
{
	struct run r = { name, 0, 0 };
	corpus(visit, &r);
	print_message("%s: %lu images, %lu accepted and printed\n", name, r.images, r.accepted);
	return r;
}

/* Damage the checksum catches mostly; resealed, the structure checks. */
static void test_byte_flips(void **state)
{
	(void)state;
	struct run r = run_corpus("the byte flips", corpus_byte_flips);
	assert_true(r.accepted > 0);   /* resealed flips of ids, values, data */
}

static void test_truncations(void **state)
{
	(void)state;
	struct run r = run_corpus("the truncations", corpus_truncations);
	assert_int_equal(r.accepted, 0);
}

static void test_fuzz_mutants(void **state)
{
	(void)state;
	struct run r = run_corpus("the fuzz mutants", corpus_fuzz);
	assert_int_equal(r.images, 20000);
}

static void test_named_damage(void **state)
{
	(void)state;
	struct run r = run_corpus("the named damage", corpus_named_damage);
	assert_int_equal(r.accepted, 0);
}

static void test_hostile_words(void **state)
{
	(void)state;
	struct run r = run_corpus("the hostile words", corpus_hostile_words);
	assert_true(r.accepted > r.images / 2);   /* most fields are not checked */
}

static void test_random_words(void **state)
{
	(void)state;
	struct run r = run_corpus("the random words", corpus_random_words);
	assert_true(r.accepted > 0);
}

static void test_crowded_images(void **state)
{
	(void)state;
	struct run r = run_corpus("the crowded images", corpus_crowded);
	assert_int_equal(r.accepted, r.images);   /* written by the codec itself */
}

int main(void)
{
	catch_alarm();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_row_fffffffc),
		cmocka_unit_test(test_top_row_ffffffff),
		cmocka_unit_test(test_rows_across_the_selector_space),
		cmocka_unit_test(test_duplicate_selector),
		cmocka_unit_test(test_byte_flips),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_fuzz_mutants),
		cmocka_unit_test(test_named_damage),
		cmocka_unit_test(test_hostile_words),
		cmocka_unit_test(test_random_words),
		cmocka_unit_test(test_crowded_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
