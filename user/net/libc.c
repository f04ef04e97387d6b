/*
 * The one C library function lwIP names that lib/string.c does not have:
 * atoi, for netif_find() (which takes an interface by name, e.g. "en0").
 * The net task never calls it, but it is linked with the rest of netif.c.
 */
#include <stdlib.h>

int atoi(const char *s)
{
	int sign = 1, n = 0;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '-' || *s == '+')
		sign = *s++ == '-' ? -1 : 1;
	while (*s >= '0' && *s <= '9')
		n = 10 * n + (*s++ - '0');
	return sign * n;
}
