# Build and QEMU settings for vexpress-a9 (the C view of the board is board.h).
BOARD_CFLAGS := -mcpu=cortex-a9
QEMU_BOARD_ARGS := -M vexpress-a9 -m 128M
BOARD_DRIVERS := drivers/timer_a9.c
