/*
 * lib/fmt against the host C library: for every format both are given the
 * same arguments and must produce the same text and the same return
 * value. The places where fmt differs on purpose (%p, NULL strings,
 * unknown conversions) are checked against fixed strings.
 *
 * No <string.h> here: -Ilib would find the firmware's lib/string.h.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "fmt.h"

#define BUF 512

static int same(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Formats with both implementations; reports the caller's line. */
static void vcheck(int line, const char *fmt, va_list ap)
{
	char want[BUF], got[BUF];
	va_list copy;
	int nwant, ngot;

	va_copy(copy, ap);
	nwant = vsnprintf(want, sizeof(want), fmt, ap);
	ngot = fmt_vsnprintf(got, sizeof(got), fmt, copy);
	va_end(copy);
	if (nwant != ngot || !same(want, got))
		fail_msg("line %d: format \"%s\": want \"%s\" (%d), got \"%s\" (%d)",
			 line, fmt, want, nwant, got, ngot);
}

static void check_at(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check_at(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(line, fmt, ap);
	va_end(ap);
}

/*
 * For flag combinations that C defines (one flag overrides another) but
 * GCC warns about as redundant, and for formats built at run time.
 */
static void check_unchecked_at(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(line, fmt, ap);
	va_end(ap);
}

#define CHECK(...) check_at(__LINE__, __VA_ARGS__)
#define CHECK_ODD(...) check_unchecked_at(__LINE__, __VA_ARGS__)

/* No format attribute: for strings the compiler would rightly reject. */
static int raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void expect_raw(const char *want, const char *got, int n, int len)
{
	assert_string_equal(got, want);
	assert_int_equal(n, len);
}

static void test_signed(void **state)
{
	(void)state;
	CHECK("%d", 0);
	CHECK("%d", 1);
	CHECK("%d", -1);
	CHECK("%d", 123456789);
	CHECK("%d", INT_MAX);
	CHECK("%d", INT_MIN);
	CHECK("%i", -42);
	CHECK("[%5d]", 42);
	CHECK("[%-5d]", 42);
	CHECK("[%05d]", -42);
	CHECK("[%+d]", 42);
	CHECK("[%+d]", -42);
	CHECK("[% d]", 42);
	CHECK_ODD("[%+ d]", 42);
	CHECK("[%+05d]", 42);
	CHECK("[% 05d]", 42);
	CHECK("[%-+6d]", 42);
	CHECK_ODD("[%-06d]", 42);
	CHECK("[%.3d]", 7);
	CHECK("[%.3d]", -7);
	CHECK("[%8.3d]", -7);
	CHECK("[%-8.3d]", 7);
	CHECK_ODD("[%08.3d]", 7);
	CHECK("[%.0d]", 0);
	CHECK("[%5.0d]", 0);
	CHECK("[%+.0d]", 0);
	CHECK("[%.0d]", 3);
	CHECK("[%2d]", 12345);
	CHECK("[%.12d]", INT_MIN);
	CHECK("[%020d]", INT_MIN);
	CHECK("[%*d]", 6, 42);
	CHECK("[%*d]", -6, 42);
	CHECK("[%-*d]", -6, 42);
	CHECK("[%.*d]", 4, 42);
	CHECK("[%.*d]", -4, 42);
	CHECK_ODD("[%0.*d]", -4, 42);
	CHECK("[%*.*d]", 9, 5, -42);
}

static void test_unsigned(void **state)
{
	(void)state;
	CHECK("%u", 0u);
	CHECK("%u", UINT_MAX);
	CHECK("%x", 0xdeadbeefu);
	CHECK("%X", 0xdeadbeefu);
	CHECK("%o", 0755u);
	CHECK("%o", UINT_MAX);
	CHECK("[%08x]", 0xbeefu);
	CHECK("[%-8X]", 0xbeefu);
	CHECK("[%8.6x]", 0xbeefu);
	CHECK_ODD("[%+u]", 5u);
	CHECK_ODD("[% x]", 5u);
	CHECK("[%.0x]", 0u);
	CHECK("[%.0o]", 0u);
	CHECK("[%x]", 0u);
}

static void test_lengths(void **state)
{
	(void)state;
	CHECK("%hhd", 300);
	CHECK("%hhd", -129);
	CHECK("%hhu", 511);
	CHECK("%hhx", 0x1ff);
	CHECK("%hd", 70000);
	CHECK("%hd", -32769);
	CHECK("%hu", 70000);
	CHECK("%hx", 0x12345);
	CHECK("%ld", LONG_MIN);
	CHECK("%ld", LONG_MAX);
	CHECK("%lu", ULONG_MAX);
	CHECK("%lx", ULONG_MAX);
	CHECK("%lld", LLONG_MIN);
	CHECK("%lld", LLONG_MAX);
	CHECK("%llu", (unsigned long long)UINT64_MAX);
	CHECK("%llx", (unsigned long long)UINT64_MAX);
	CHECK("%llX", 0x0123456789abcdefULL);
	CHECK("%llo", (unsigned long long)UINT64_MAX);
	CHECK("%llu", 4294967296ULL);
	CHECK("%llu", 10000000000000000000ULL);
	CHECK("[%30lld]", LLONG_MIN);
	CHECK("[%-+30lld]", 1234567890123LL);
	CHECK("[%.25llu]", 18446744073709551615ULL);
	CHECK("%zu", (size_t)SIZE_MAX);
	CHECK("%zx", (size_t)12345);
	CHECK("%td", (ptrdiff_t)PTRDIFF_MIN);
	CHECK("%td", (ptrdiff_t)-5);
	CHECK("%d %ld %lld %hhd %zu %td", -1, -2L, -3LL, 4, (size_t)5,
	      (ptrdiff_t)-6);
}

static void test_chars_and_strings(void **state)
{
	const char abc[3] = { 'a', 'b', 'c' };	/* not terminated */

	(void)state;
	CHECK("%c", 'A');
	CHECK("[%3c]", 'A');
	CHECK("[%-3c]", 'A');
	CHECK("%c%c%c", 'x', 'y', 'z');
	CHECK("%c", 200);
	CHECK("%s", "hello");
	CHECK("[%10s]", "hello");
	CHECK("[%-10s]", "hello");
	CHECK("[%.2s]", "hello");
	CHECK("[%10.3s]", "hello");
	CHECK("[%-10.3s]", "hello");
	CHECK("[%.0s]", "hello");
	CHECK("[%s]", "");
	CHECK("[%5s]", "");
	CHECK("[%*s]", 7, "ab");
	CHECK("[%*s]", -7, "ab");
	CHECK("[%.*s]", 3, "abcdef");
	/* ASan fails this if the precision is not respected. */
	CHECK("[%.3s]", abc);
	CHECK("[%2.3s]", abc);
	CHECK("100%%");
	CHECK("%%%d%%", 5);
	CHECK("no conversions at all");
	CHECK("%s=%d, %s=%x", "a", 1, "b", 0xffu);
}

static void test_null_string(void **state)
{
	const char *volatile null = NULL;	/* hide it from -Wformat */
	char buf[64];
	int n;

	(void)state;
	n = fmt_snprintf(buf, sizeof(buf), "%s", null);
	expect_raw("(null)", buf, n, 6);
	n = fmt_snprintf(buf, sizeof(buf), "[%8s]", null);
	expect_raw("[  (null)]", buf, n, 10);
	n = fmt_snprintf(buf, sizeof(buf), "[%-8s]", null);
	expect_raw("[(null)  ]", buf, n, 10);
}

static void test_pointer(void **state)
{
	char buf[64];
	int n;

	(void)state;
	n = fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	expect_raw("0x00001234", buf, n, 10);
	n = fmt_snprintf(buf, sizeof(buf), "%p", (void *)0);
	expect_raw("0x00000000", buf, n, 10);
	n = fmt_snprintf(buf, sizeof(buf), "%p", (void *)0xdeadbeef);
	expect_raw("0xdeadbeef", buf, n, 10);
	n = fmt_snprintf(buf, sizeof(buf), "[%12p]", (void *)0xabc);
	expect_raw("[  0x00000abc]", buf, n, 14);
	n = fmt_snprintf(buf, sizeof(buf), "[%-12p]", (void *)0xabc);
	expect_raw("[0x00000abc  ]", buf, n, 14);
	if (sizeof(void *) > 4) {
		/* A wide host pointer must not be cut to 8 digits. */
		n = fmt_snprintf(buf, sizeof(buf), "%p",
				 (void *)(uintptr_t)0x123456789ULL);
		expect_raw("0x123456789", buf, n, 11);
	}
}

static void test_unknown(void **state)
{
	char buf[64];
	int n;

	(void)state;
	n = raw(buf, sizeof(buf), "%q");
	expect_raw("%q", buf, n, 2);
	n = raw(buf, sizeof(buf), "a%-5yb");
	expect_raw("a%-5yb", buf, n, 6);
	n = raw(buf, sizeof(buf), "%lq%d", 7);
	expect_raw("%lq7", buf, n, 4);
	n = raw(buf, sizeof(buf), "100%");
	expect_raw("100%", buf, n, 4);
	n = raw(buf, sizeof(buf), "%-08");
	expect_raw("%-08", buf, n, 4);
	n = raw(buf, sizeof(buf), "%f|%d", 3);
	expect_raw("%f|3", buf, n, 4);
}

/* vsnprintf semantics: truncation, termination, the would-be length. */
static void test_truncation(void **state)
{
	const char *fmt = "hello, %s %d!";
	char want[32], got[32];
	size_t size;
	int i, nwant, ngot;

	(void)state;
	for (size = 0; size < 24; size++) {
		for (i = 0; i < 32; i++)
			want[i] = got[i] = 'X';
		nwant = snprintf(size ? want : NULL, size, fmt, "world", -12);
		ngot = fmt_snprintf(size ? got : NULL, size, fmt, "world", -12);
		assert_int_equal(ngot, nwant);
		assert_memory_equal(got, want, sizeof(got));
	}
	/* Size 0 must not touch the buffer at all. */
	for (i = 0; i < 32; i++)
		got[i] = 'X';
	assert_int_equal(fmt_snprintf(got, 0, "%d", 12345), 5);
	assert_int_equal(got[0], 'X');
}

struct sink {
	char text[64];
	int n;
};

static void sink_put(void *ctx, char c)
{
	struct sink *s = ctx;

	if (s->n < (int)sizeof(s->text) - 1)
		s->text[s->n] = c;
	s->n++;
}

static int sink_format(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(sink_put, s, fmt, ap);
	va_end(ap);
	s->text[s->n < 63 ? s->n : 63] = '\0';
	return n;
}

static void test_vformat(void **state)
{
	struct sink s = { { 0 }, 0 };
	int n;

	(void)state;
	n = sink_format(&s, "[%5d|%s]", 42, "ok");
	assert_int_equal(n, 10);
	assert_int_equal(s.n, 10);
	assert_string_equal(s.text, "[   42|ok]");
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Values of every magnitude, not just huge ones. */
static uint64_t rnd_value(void)
{
	uint64_t v = rnd() >> (rnd() % 64);

	return (rnd() & 1) ? v : 0 - v;
}

static int append(char *f, int n, const char *s)
{
	while (*s != '\0')
		f[n++] = *s++;
	f[n] = '\0';
	return n;
}

/*
 * Builds a random integer conversion and remembers which '*' arguments it
 * consumes; the value is passed with the type the length modifier names.
 */
struct rspec {
	char fmt[40];
	int star[2];
	int nstar;
	int len;	/* index into lens[] */
	int is_signed;
};

static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t" };

static void random_spec(struct rspec *r)
{
	const char *flags = "-0+ ";
	const char *convs = "diuxXo";
	char num[16];
	char conv;
	int n, i;

	r->nstar = 0;
	n = append(r->fmt, 0, "<%");
	for (i = 0; i < 4; i++) {
		if (rnd() % 4 == 0)
			r->fmt[n++] = flags[i];
	}
	switch (rnd() % 3) {
	case 1:
		snprintf(num, sizeof(num), "%d", (int)(rnd() % 25));
		n = append(r->fmt, n, num);
		break;
	case 2:
		r->fmt[n++] = '*';
		r->star[r->nstar++] = (int)(rnd() % 50) - 25;
		break;
	}
	switch (rnd() % 4) {
	case 1:
		r->fmt[n++] = '.';
		break;
	case 2:
		snprintf(num, sizeof(num), ".%d", (int)(rnd() % 25));
		n = append(r->fmt, n, num);
		break;
	case 3:
		r->fmt[n++] = '.';
		r->fmt[n++] = '*';
		r->star[r->nstar++] = (int)(rnd() % 30) - 5;
		break;
	}
	r->len = (int)(rnd() % 7);
	n = append(r->fmt, n, lens[r->len]);
	conv = convs[rnd() % 6];
	r->is_signed = conv == 'd' || conv == 'i';
	r->fmt[n++] = conv;
	append(r->fmt, n, ">");
}

#define WITH_STARS(r, v)						\
	do {								\
		if ((r)->nstar == 0)					\
			check_unchecked_at(__LINE__, (r)->fmt, v);	\
		else if ((r)->nstar == 1)				\
			check_unchecked_at(__LINE__, (r)->fmt,		\
					   (r)->star[0], v);		\
		else							\
			check_unchecked_at(__LINE__, (r)->fmt,		\
					   (r)->star[0], (r)->star[1], v); \
	} while (0)

static void check_random(const struct rspec *r, uint64_t v)
{
	if (r->is_signed) {
		switch (r->len) {
		case 3: WITH_STARS(r, (long)v); break;
		case 4: WITH_STARS(r, (long long)v); break;
		case 5: WITH_STARS(r, (ptrdiff_t)v); break;
		case 6: WITH_STARS(r, (ptrdiff_t)v); break;
		default: WITH_STARS(r, (int)v); break;
		}
	} else {
		switch (r->len) {
		case 3: WITH_STARS(r, (unsigned long)v); break;
		case 4: WITH_STARS(r, (unsigned long long)v); break;
		case 5: WITH_STARS(r, (size_t)v); break;
		case 6: WITH_STARS(r, (size_t)v); break;
		default: WITH_STARS(r, (unsigned)v); break;
		}
	}
}

static void test_random_integers(void **state)
{
	struct rspec r;
	int i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		random_spec(&r);
		check_random(&r, rnd_value());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_chars_and_strings),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_vformat),
		cmocka_unit_test(test_random_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
