/* Exception kinds, shared by the vector code and the C handlers. */
#ifndef EXCEPTION_H
#define EXCEPTION_H

#define EXC_RESET          0
#define EXC_UNDEFINED      1
#define EXC_SVC_KERNEL     2
#define EXC_PREFETCH_ABORT 3
#define EXC_DATA_ABORT     4
#define EXC_UNUSED         5
#define EXC_IRQ            6
#define EXC_FIQ            7

#endif
