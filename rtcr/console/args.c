/*
 * What the console's commands share: the parser of numbers (what a person
 * types, checked whole) and the one way of reporting a failure.
 */
#include "commands.h"
#include "stdio.h"
#include "error.h"

/* A decimal number that fits in 32 bits, and nothing else. */
bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffu)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

void say_error(const char *prefix, rtcr_err e, const struct rtcr_detail *d)
{
	printf("%s: %s\n", prefix, rtcr_error_text(e, d));
}
