# Build and QEMU settings for vexpress-a9 (the C view of the board is board.h).
BOARD_CFLAGS := -mcpu=cortex-a9
# The PL041 audio codec gets a silent backend (QEMU would look for a sound card).
QEMU_BOARD_ARGS := -M vexpress-a9 -m 128M -audiodev none,id=snd0 -global pl041.audiodev=snd0
BOARD_DRIVERS := kernel/drivers/timer_a9.c
# The board's own boot modules: the net task (LAN9118 and lwIP, user/net).
BOARD_TASKS := net
# make run: QEMU's user networking on the LAN9118 (the board is 10.0.2.15;
# it reaches out through 10.0.2.2) and host UDP port 4700 forwarded to it.
BOARD_RUN_NET := -nic user,model=lan9118,hostfwd=udp::4700-:4700
