/* The smallest child: proves that RTCR can start a task from a boot module
 * in its own address space, with only the capabilities it was handed. */
#include "sys.h"
#include "stdio.h"

int main(uint32_t arg)
{
	(void)arg;
	printf("hello: running in task of my own, console capability handed by rtcr\n");
	return 0;
}
