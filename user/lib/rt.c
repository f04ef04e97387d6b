/* C runtime start: run main, and when it returns, sleep for ever (a thread
 * cannot vanish by itself; its creator decides what happens to it). */
#include "sys.h"

int main(uint32_t arg);

void rt_start(uint32_t arg)
{
	main(arg);
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}
