# Build and QEMU settings for vexpress-a15 (the C view of the board is board.h).
BOARD_CFLAGS := -mcpu=cortex-a15
QEMU_BOARD_ARGS := -M vexpress-a15 -m 128M
BOARD_DRIVERS := drivers/timer_generic.c
