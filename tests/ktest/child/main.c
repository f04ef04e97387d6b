/* Child task for the thread_other_task test: reports through a page its
 * parent mapped, then touches memory that belongs only to its parent. */
#include "sys.h"
#include "stdio.h"

int main(uint32_t shared_va)
{
	volatile uint32_t *shared = (volatile uint32_t *)shared_va;
	shared[1] = shared_va;
	shared[0] = 0xc0ffee00u;
	printf("ktest-child: running in my own task\n");
	/* Not mapped here (it is the root task's RAM): this must fault. */
	shared[2] = *(volatile uint32_t *)ROOT_RAM_VA;
	return 0;
}
