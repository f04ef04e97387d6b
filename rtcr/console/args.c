/*
 * The console's parsers of numbers: what a person types, checked whole.
 */
#include "commands.h"

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
