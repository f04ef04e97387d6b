# Build and QEMU settings for vexpress-a15 (the C view of the board is board.h).
BOARD_CFLAGS := -mcpu=cortex-a15
# The PL041 audio codec gets a silent backend (QEMU would look for a sound card).
QEMU_BOARD_ARGS := -M vexpress-a15 -m 128M -audiodev none,id=snd0 -global pl041.audiodev=snd0
BOARD_DRIVERS := drivers/timer_generic.c
