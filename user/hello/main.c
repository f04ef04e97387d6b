/* The smallest child: proves that RTCR can start a task from a boot module
 * in its own address space, with only the capabilities it was handed (a
 * gate to its parent) and what it asked for through it (a log session). */
#include "session.h"
#include "stdio.h"

int main(uint32_t arg)
{
	(void)arg;
	int st = session_log_init();
	if (st)
		return st;
	printf("hello: running in a task of my own, printing through a log session\n");
	return 0;
}
