#include "stdio.h"
#include "sys.h"
#include "string.h"

uint32_t stdout_sel = SEL_CONSOLE;

static void console_out(const char *text, size_t len)
{
	k_console_write(stdout_sel, text, len);
}

void (*stdout_fn)(const char *text, size_t len) = console_out;

struct outbuf {
	char buf[240];
	unsigned len;
};

static void flush(struct outbuf *o)
{
	if (o->len)
		stdout_fn(o->buf, o->len);
	o->len = 0;
}

static void put(void *ctx, char c)
{
	struct outbuf *o = ctx;
	o->buf[o->len++] = c;
	if (o->len == sizeof(o->buf))
		flush(o);
}

int vprintf(const char *fmt, va_list ap)
{
	struct outbuf o = { .len = 0 };
	int n = fmt_vformat(put, &o, fmt, ap);
	flush(&o);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	size_t n = strlen(s);
	stdout_fn(s, n);
	return (int)n;
}

void putchar_raw(char c)
{
	stdout_fn(&c, 1);
}
