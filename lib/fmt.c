/*
 * Freestanding printf engine. No libc: the kernel and user space both link
 * it, and neither has one. Everything the format needs is parsed into a
 * struct spec first, then one small function per kind of conversion emits
 * the text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

enum {
	F_LEFT = 1,	/* '-' */
	F_ZERO = 2,	/* '0' */
	F_PLUS = 4,	/* '+' */
	F_SPACE = 8,	/* ' ' */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T };

/*
 * A width or precision beyond this is surely a mistake; clamping keeps
 * the padding arithmetic far away from int overflow.
 */
#define FMT_MAX_WIDTH 65535

struct spec {
	unsigned flags;
	int width;
	int prec;		/* -1: none given */
	enum length len;
	char conv;
};

struct out {
	fmt_putc_fn put;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->put(o->ctx, c);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

static int clamp_width(long long v)
{
	return v > FMT_MAX_WIDTH ? FMT_MAX_WIDTH : (int)v;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *parse_number(const char *f, int *n)
{
	long long v = 0;

	while (is_digit(*f)) {
		v = v * 10 + (*f++ - '0');
		if (v > FMT_MAX_WIDTH)
			v = FMT_MAX_WIDTH + 1;
	}
	*n = clamp_width(v);
	return f;
}

static const char *parse_flags(const char *f, unsigned *flags)
{
	for (;; f++) {
		switch (*f) {
		case '-': *flags |= F_LEFT; break;
		case '0': *flags |= F_ZERO; break;
		case '+': *flags |= F_PLUS; break;
		case ' ': *flags |= F_SPACE; break;
		default: return f;
		}
	}
}

static const char *parse_length(const char *f, enum length *len)
{
	*len = LEN_NONE;
	switch (*f) {
	case 'h':
		if (f[1] == 'h') {
			*len = LEN_HH;
			return f + 2;
		}
		*len = LEN_H;
		return f + 1;
	case 'l':
		if (f[1] == 'l') {
			*len = LEN_LL;
			return f + 2;
		}
		*len = LEN_L;
		return f + 1;
	case 'z':
		*len = LEN_Z;
		return f + 1;
	case 't':
		*len = LEN_T;
		return f + 1;
	}
	return f;
}

/* A '*' takes the width from the arguments; negative means '-' (C11). */
static const char *parse_width(const char *f, struct spec *s, va_list *ap)
{
	long long w;	/* wide enough to negate INT_MIN */

	s->width = 0;
	if (*f != '*')
		return parse_number(f, &s->width);
	w = va_arg(*ap, int);
	if (w < 0) {
		s->flags |= F_LEFT;
		w = -w;
	}
	s->width = clamp_width(w);
	return f + 1;
}

/* A negative '*' precision counts as none given. */
static const char *parse_prec(const char *f, struct spec *s, va_list *ap)
{
	int p;

	s->prec = -1;
	if (*f != '.')
		return f;
	f++;
	if (*f != '*')
		return parse_number(f, &s->prec);
	p = va_arg(*ap, int);
	s->prec = p < 0 ? -1 : clamp_width(p);
	return f + 1;
}

/*
 * Parses everything after the '%' up to and including the conversion
 * character. The va_list is passed by pointer (C11 7.16 allows that) so
 * arguments taken by '*' are gone for the caller too.
 */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	s->flags = 0;
	f = parse_flags(f, &s->flags);
	f = parse_width(f, s, ap);
	f = parse_prec(f, s, ap);
	f = parse_length(f, &s->len);
	s->conv = *f;
	if (*f != '\0')
		f++;
	return f;
}

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (size_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Writes the digits least significant first; returns how many. */
static int digits_rev(char *buf, unsigned long long v, unsigned base, int upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	uint32_t w;
	int n = 0;

	/*
	 * On ARM a 64-bit division is a libgcc call costing many times a
	 * 32-bit one, so only the high part of a wide value goes that way.
	 */
	while (v > UINT32_MAX) {
		buf[n++] = set[v % base];
		v /= base;
	}
	w = (uint32_t)v;
	do {
		buf[n++] = set[w % base];
		w /= base;
	} while (w != 0);
	return n;
}

static void print_number(struct out *o, const struct spec *s,
			 unsigned long long mag, char sign, const char *prefix,
			 unsigned base)
{
	char digits[24];	/* 22 octal digits cover 64 bits */
	int n = 0, zeros, len, plen = 0;

	/* C: zero printed with precision 0 is no characters at all. */
	if (mag != 0 || s->prec != 0)
		n = digits_rev(digits, mag, base, s->conv == 'X');

	while (prefix[plen] != '\0')
		plen++;
	zeros = s->prec > n ? s->prec - n : 0;
	len = (sign != 0) + plen + zeros + n;

	/* '0' pads with zeros after the sign, unless '-' or a precision wins. */
	if ((s->flags & (F_ZERO | F_LEFT)) == F_ZERO && s->prec < 0 &&
	    s->width > len) {
		zeros += s->width - len;
		len = s->width;
	}

	if (!(s->flags & F_LEFT))
		pad(o, ' ', s->width - len);
	if (sign != 0)
		emit(o, sign);
	while (*prefix != '\0')
		emit(o, *prefix++);
	pad(o, '0', zeros);
	while (n > 0)
		emit(o, digits[--n]);
	if (s->flags & F_LEFT)
		pad(o, ' ', s->width - len);
}

static void print_signed(struct out *o, const struct spec *s, long long v)
{
	unsigned long long mag;
	char sign = 0;

	/* Negate in unsigned arithmetic so LLONG_MIN does not overflow. */
	if (v < 0) {
		mag = 0ULL - (unsigned long long)v;
		sign = '-';
	} else {
		mag = (unsigned long long)v;
		if (s->flags & F_PLUS)
			sign = '+';
		else if (s->flags & F_SPACE)
			sign = ' ';
	}
	print_number(o, s, mag, sign, "", 10);
}

static void print_pointer(struct out *o, const struct spec *s, const void *p)
{
	struct spec ps = *s;

	/*
	 * Eight digits is a full address on the target; a wider host
	 * pointer still prints in full rather than being cut.
	 */
	if (ps.prec < 8)
		ps.prec = 8;
	print_number(o, &ps, (uintptr_t)p, 0, "0x", 16);
}

static void print_text(struct out *o, const struct spec *s, const char *str,
		       int n)
{
	int i;

	if (!(s->flags & F_LEFT))
		pad(o, ' ', s->width - n);
	for (i = 0; i < n; i++)
		emit(o, str[i]);
	if (s->flags & F_LEFT)
		pad(o, ' ', s->width - n);
}

static void print_string(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (str == NULL)
		str = "(null)";
	/*
	 * With a precision the array need not be terminated, so never
	 * look past prec characters.
	 */
	while ((s->prec < 0 || n < s->prec) && str[n] != '\0')
		n++;
	print_text(o, s, str, n);
}

/* Returns 0 if the conversion character is not one we know. */
static int convert(struct out *o, const struct spec *s, va_list *ap)
{
	char c;

	switch (s->conv) {
	case 'd':
	case 'i':
		print_signed(o, s, arg_signed(ap, s->len));
		return 1;
	case 'u':
		print_number(o, s, arg_unsigned(ap, s->len), 0, "", 10);
		return 1;
	case 'x':
	case 'X':
		print_number(o, s, arg_unsigned(ap, s->len), 0, "", 16);
		return 1;
	case 'o':
		print_number(o, s, arg_unsigned(ap, s->len), 0, "", 8);
		return 1;
	case 'p':
		print_pointer(o, s, va_arg(*ap, void *));
		return 1;
	case 'c':
		c = (char)va_arg(*ap, int);
		print_text(o, s, &c, 1);
		return 1;
	case 's':
		print_string(o, s, va_arg(*ap, const char *));
		return 1;
	case '%':
		emit(o, '%');
		return 1;
	}
	return 0;
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { putc, ctx, 0 };
	struct spec s;
	const char *start;
	va_list args;

	/* A private copy, so helpers can take it by pointer on every ABI. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		start = fmt;
		fmt = parse_spec(fmt + 1, &s, &args);
		if (!convert(&o, &s, &args)) {
			/* Show what we did not understand rather than guess. */
			while (start < fmt)
				emit(&o, *start++);
		}
	}
	va_end(args);
	return o.count;
}

struct sbuf {
	char *buf;
	size_t size;
	size_t pos;
};

static void sbuf_put(void *ctx, char c)
{
	struct sbuf *sb = ctx;

	/* Keep the last byte for the terminator; count the rest anyway. */
	if (sb->pos + 1 < sb->size)
		sb->buf[sb->pos] = c;
	sb->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sbuf sb = { buf, size, 0 };
	int n;

	n = fmt_vformat(sbuf_put, &sb, fmt, ap);
	if (size > 0)
		buf[sb.pos < size ? sb.pos : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
