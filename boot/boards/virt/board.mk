# Build and QEMU settings for virt (the C view of the board is board.h).
BOARD_CFLAGS := -mcpu=cortex-a15
# A CAN bus with two Kvaser PCIcan (SJA1000) controllers in PCI slots 1 and 2:
# CAN nodes 1 and 2 of user/can, two link endpoints on one bus.
QEMU_BOARD_ARGS := -M virt,highmem=off -cpu cortex-a15 -m 128M \
	-object can-bus,id=canbus0 \
	-device kvaser_pci,canbus=canbus0,addr=1 -device kvaser_pci,canbus=canbus0,addr=2
BOARD_DRIVERS := kernel/drivers/timer_generic.c
# The board's own boot modules, after the common ones: the CAN driver task,
# which RTCR starts at boot.
BOARD_TASKS := can
