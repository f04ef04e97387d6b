# RTCR: a capability microkernel for ARMv7-A and its checkpoint/restore root task.
#
#   make [BOARD=vexpress-a9|vexpress-a15|virt]   build build/<board>/image.elf
#   make run          install missing packages, build, boot the board in QEMU
#   make debug        the same, with QEMU waiting for GDB
#   make test         host unit tests, in-image tests and console tests, all boards
#   make bench        instruction counts under QEMU icount (vexpress-a15, virt):
#                     kernel operations, checkpoint and restore, migration
#   make run2         boards A and B joined by Ethernet (or CAN=<if> on virt)
#
# A board is described in boot/boards/<board>/ (board.h for C, board.mk here).

BOARD ?= vexpress-a9
BOARDS := vexpress-a9 vexpress-a15 virt
BENCH_BOARDS := vexpress-a15 virt

ifeq ($(wildcard boot/boards/$(BOARD)/board.mk),)
$(error unknown BOARD '$(BOARD)'; boards: $(BOARDS))
endif
include boot/boards/$(BOARD)/board.mk

CROSS ?= arm-none-eabi-
CC := $(CROSS)gcc
PYTHON ?= /usr/bin/python3
QEMU ?= qemu-system-arm
B := build/$(BOARD)

# The network card QEMU gives the board: none unless asked for (the tests
# that need one bring their own, tests/qemu/test_net.py). make run uses the
# board's choice, QEMU_RUN_NET (vexpress: user networking on the LAN9118).
QEMU_NET ?= -nic none
QEMU_RUN_NET ?= $(or $(BOARD_RUN_NET),$(QEMU_NET))
# Every QEMU run: no display, exit codes via semihosting.
QEMU_COMMON := -display none -semihosting-config enable=on,target=native
QEMU_ARGS := $(QEMU_BOARD_ARGS) $(QEMU_NET) $(QEMU_COMMON)
QEMU_RUN_ARGS := $(QEMU_BOARD_ARGS) $(QEMU_RUN_NET) $(QEMU_COMMON)

ARCH_CFLAGS := -marm -mfloat-abi=soft $(BOARD_CFLAGS)
CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-common \
	-fno-stack-protector -fno-pie $(ARCH_CFLAGS) -MMD -MP
LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack
LIBGCC := $(shell $(CC) $(ARCH_CFLAGS) -print-libgcc-file-name 2>/dev/null)

KERNEL_INC := -Iboot -Iboot/boards/$(BOARD) -Ikernel -Ikernel/drivers -Ilib
# RTCR's layers (rtcr/<layer>/, README "Layout"): each folder on the path.
RTCR_LAYERS := base format core services store checkpoint migration console
USER_INC := -Ikernel -Iuser/lib -Ilib $(addprefix -Irtcr/,$(RTCR_LAYERS))

KERNEL_SRC := $(wildcard boot/*.S boot/*.c kernel/*.c) kernel/drivers/gic.c kernel/drivers/pl011.c \
	$(BOARD_DRIVERS) lib/fmt.c lib/string.c lib/elf.c
USER_LIB_SRC := $(wildcard user/lib/*.S user/lib/*.c) lib/fmt.c lib/string.c lib/elf.c

kobjs = $(patsubst %,$(B)/$(1)/%.o,$(KERNEL_SRC))
uobjs = $(patsubst %,$(B)/user/%.o,$(1) $(USER_LIB_SRC))

.PHONY: all images run run2 console-b debug test host-test check-layers bench qemu-args deps clean
all: $(B)/image.elf
images: $(B)/image.elf $(B)/ktest.elf $(B)/kfault.elf

# ---- compiling ----------------------------------------------------------

# Kernel flavours: the same sources, built into their own directory with
# extra flags: the kernel, a benchmark kernel (PMU instrumentation) and a
# kernel that faults on purpose (to test the fault report).
define kernel_flavour
$(B)/$(1)/%.c.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) $$(KERNEL_INC) -c $$< -o $$@
$(B)/$(1)/%.S.o: %.S
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $(2) $$(KERNEL_INC) -c $$< -o $$@
endef
$(eval $(call kernel_flavour,kernel,))
$(eval $(call kernel_flavour,kernel-bench,-DCONFIG_BENCH))
$(eval $(call kernel_flavour,kernel-fault,-DCONFIG_FAULT_INJECT))
# The migration benchmark's: a benchmark kernel that also counts its idle
# time on every switch to and from idle (kept out of kernel-bench, whose
# figures are of the kernel's own paths).
$(eval $(call kernel_flavour,kernel-busy,-DCONFIG_BENCH -DCONFIG_BENCH_IDLE))

$(B)/user/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) -c $< -o $@
# The kernel tests may name the board's devices, to check that the kernel's
# own (UART, GIC) are refused to user space.
$(B)/user/tests/ktest/%.c.o: USER_INC += -Iboot/boards/$(BOARD)
$(B)/user/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) -c $< -o $@

# ---- user programs (boot modules) ---------------------------------------

# rtcr/bench.c is the checkpoint benchmark's driver: only in rtcr-bench.
RTCR_SRC := rtcr/main.c $(foreach l,$(RTCR_LAYERS),$(wildcard rtcr/$(l)/*.c))
HELLO_SRC := $(wildcard user/hello/*.c)
COUNTER_SRC := $(wildcard user/counter/*.c)
ECHO_SRC := $(wildcard user/echo/*.c)
IRQCOUNT_SRC := $(wildcard user/irqcount/*.c)
STAMP_SRC := $(wildcard tests/children/stamp/*.c)
PAGES_SRC := $(wildcard tests/children/pages/*.c)
HOSTILE_SRC := $(wildcard tests/children/hostile/*.c)
LOOP_SRC := $(wildcard tests/children/loop/*.c)
MEM_SRC := $(wildcard tests/children/mem/*.c)
KTEST_SRC := $(wildcard tests/ktest/*.c)
KTEST_CHILD_SRC := $(wildcard tests/ktest/child/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
CKPTBENCH_SRC := $(wildcard tests/children/ckptbench/*.c)
# The CAN driver task (virt): PCI and SJA1000 drivers, ISO-TP; it learns
# the board's devices from RTCR (PARENT_DEVICE), as the net task does.
CAN_SRC := $(wildcard user/can/*.c) user/drivers/pci.c user/drivers/sja1000.c
$(B)/user/user/can/%.c.o $(B)/user/user/drivers/%.c.o: USER_INC += -Iuser/can -Iuser/drivers

define user_program
$(B)/$(1).elf: $(call uobjs,$(2)) linker/user.ld
	$$(CC) $$(LDFLAGS) -T linker/user.ld -o $$@ $(call uobjs,$(2)) $$(LIBGCC)
endef
$(eval $(call user_program,rtcr,$(RTCR_SRC)))
$(eval $(call user_program,hello,$(HELLO_SRC)))
$(eval $(call user_program,counter,$(COUNTER_SRC)))
$(eval $(call user_program,echo,$(ECHO_SRC)))
$(eval $(call user_program,irqcount,$(IRQCOUNT_SRC)))
$(eval $(call user_program,test-stamp,$(STAMP_SRC)))
$(eval $(call user_program,test-pages,$(PAGES_SRC)))
$(eval $(call user_program,test-hostile,$(HOSTILE_SRC)))
$(eval $(call user_program,test-loop,$(LOOP_SRC)))
$(eval $(call user_program,test-mem,$(MEM_SRC)))
$(eval $(call user_program,ktest-root,$(KTEST_SRC)))
$(eval $(call user_program,ktest-child,$(KTEST_CHILD_SRC)))
$(eval $(call user_program,bench-root,$(BENCH_SRC)))
$(eval $(call user_program,test-ckptbench,$(CKPTBENCH_SRC)))
$(eval $(call user_program,can,$(CAN_SRC)))

# ---- the net task: LAN9118 driver and lwIP ------------------------------

# lwIP is third-party code and never committed: tools/fetch-lwip.sh gets
# Debian 12's source package `lwip` with apt (into build/lwip-src, shared by
# the boards) and unpacks it; its objects are built for each board into
# $(B)/lwip. Only the files the net task's configuration uses
# (user/net/lwipopts.h: IPv4, ARP, ICMP, UDP, raw API, NO_SYS).
LWIP_VERSION := 2.1.3
LWIP_SRCDIR := build/lwip-src
LWIP_DIR := $(LWIP_SRCDIR)/lwip-$(LWIP_VERSION)/src
LWIP_STAMP := $(LWIP_SRCDIR)/unpacked-$(LWIP_VERSION)
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/raw.c core/stats.c core/timeouts.c core/udp.c \
	core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	netif/ethernet.c
LWIP_SRC := $(addprefix $(LWIP_DIR)/,$(LWIP_FILES))
LWIP_OBJS := $(patsubst $(LWIP_DIR)/%,$(B)/lwip/%.o,$(LWIP_SRC))
LWIP_INC := -Iuser/net -I$(LWIP_DIR)/include

# The stamp is touched when the package is unpacked: what was compiled from
# or with lwIP is compiled again after a new fetch (the unpacked files keep
# their dates from the tarball). The sources appear with the stamp.
$(LWIP_STAMP): tools/fetch-lwip.sh
	sh tools/fetch-lwip.sh $(LWIP_SRCDIR)
	@touch $@
$(LWIP_SRC): | $(LWIP_STAMP) ;
$(B)/lwip/%.c.o: $(LWIP_DIR)/%.c $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilib $(LWIP_INC) -c $< -o $@

NET_SRC := $(wildcard user/net/*.c) user/drivers/lan9118.c
NET_OBJS := $(call uobjs,$(NET_SRC))
$(patsubst %,$(B)/user/%.o,$(NET_SRC)): USER_INC += -Iuser/drivers $(LWIP_INC)
$(patsubst %,$(B)/user/%.o,$(NET_SRC)): $(LWIP_STAMP)
$(B)/net.elf: $(NET_OBJS) $(LWIP_OBJS) linker/user.ld
	$(CC) $(LDFLAGS) -T linker/user.ld -o $@ $(NET_OBJS) $(LWIP_OBJS) $(LIBGCC)

# RTCR for the checkpoint benchmark: its sources and the driver built with
# CONFIG_BENCH into their own directory (the console gives way to the
# driver), the user library as for every program.
RTCR_BENCH_OBJS := $(patsubst %,$(B)/user-bench/%.o,$(RTCR_SRC) rtcr/bench.c) \
	$(patsubst %,$(B)/user/%.o,$(USER_LIB_SRC))
$(B)/user-bench/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DCONFIG_BENCH $(USER_INC) -c $< -o $@
$(B)/rtcr-bench.elf: $(RTCR_BENCH_OBJS) linker/user.ld
	$(CC) $(LDFLAGS) -T linker/user.ld -o $@ $(RTCR_BENCH_OBJS) $(LIBGCC)

# ---- bootable images: kernel + boot modules (root task first) -----------

$(B)/kernel.ld: linker/kernel.ld.S boot/memlayout.h boot/boards/$(BOARD)/board.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLER__ $(KERNEL_INC) $< -o $@

# image name, kernel flavour, modules as name=path
define image
$(B)/modules-$(1).S: tools/mkmodules.sh $(foreach m,$(3),$(lastword $(subst =, ,$(m))))
	@mkdir -p $(B)
	sh tools/mkmodules.sh $$@ $(3)
$(B)/modules-$(1).o: $(B)/modules-$(1).S
	$$(CC) $$(ARCH_CFLAGS) -c $$< -o $$@
$(B)/$(1).elf: $(call kobjs,$(2)) $(B)/modules-$(1).o $(B)/kernel.ld
	$$(CC) $$(LDFLAGS) -T $(B)/kernel.ld -o $$@ $(call kobjs,$(2)) $(B)/modules-$(1).o $$(LIBGCC)
endef
# RTCR starts hello at boot; the demo children and the test children (for
# tests/qemu/test_ckpt.py) start from the console. BOARD_TASKS (board.mk)
# are the board's own, e.g. its network driver (net), which RTCR starts at
# boot too.
CHILD_MODULES := hello=$(B)/hello.elf counter=$(B)/counter.elf echo=$(B)/echo.elf \
	irqcount=$(B)/irqcount.elf test-stamp=$(B)/test-stamp.elf test-pages=$(B)/test-pages.elf \
	test-hostile=$(B)/test-hostile.elf test-loop=$(B)/test-loop.elf test-mem=$(B)/test-mem.elf \
	$(foreach t,$(BOARD_TASKS),$(t)=$(B)/$(t).elf)
$(eval $(call image,image,kernel,rtcr=$(B)/rtcr.elf $(CHILD_MODULES)))
$(eval $(call image,ktest,kernel,ktest=$(B)/ktest-root.elf ktest-child=$(B)/ktest-child.elf))
$(eval $(call image,bench,kernel-bench,bench=$(B)/bench-root.elf))
$(eval $(call image,ckptbench,kernel-bench,rtcr=$(B)/rtcr-bench.elf ckptbench=$(B)/test-ckptbench.elf))
$(eval $(call image,kfault,kernel-fault,rtcr=$(B)/rtcr.elf))
# Migration benchmarks (tools/bench_migrate.py): RTCR, the board's network
# driver and test-mem on a benchmark kernel, which counts busy instructions.
$(eval $(call image,migbench,kernel-busy,rtcr=$(B)/rtcr.elf \
	$(foreach t,$(BOARD_TASKS),$(t)=$(B)/$(t).elf) test-mem=$(B)/test-mem.elf))

-include $(shell find build/$(BOARD) -name '*.d' 2>/dev/null)

# ---- running ------------------------------------------------------------

deps:
	@bash tools/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory BOARD=$(BOARD) all
	@echo "Booting $(BOARD) in QEMU; Ctrl-A X quits."
	$(QEMU) $(QEMU_RUN_ARGS) -serial mon:stdio -kernel $(B)/image.elf

debug: deps
	@$(MAKE) --no-print-directory BOARD=$(BOARD) all
	@echo "QEMU waits for GDB on :1234. In another terminal:"
	@echo "  gdb-multiarch -q $(B)/image.elf -ex 'add-symbol-file $(B)/rtcr.elf' -ex 'target remote :1234'"
	$(QEMU) $(QEMU_RUN_ARGS) -serial mon:stdio -S -s -kernel $(B)/image.elf

# Two boards: A on this terminal, B's console on TCP port 5556 (make
# console-b). Ethernet on the vexpress boards; CAN=<host SocketCAN
# interface> on virt. See tools/run2.sh.
run2: deps
	@$(MAKE) --no-print-directory BOARD=$(BOARD) all
	QEMU="$(QEMU)" QEMU_ARGS="$(QEMU_BOARD_ARGS) $(QEMU_COMMON)" \
		IMAGE=$(B)/image.elf BOARD=$(BOARD) CAN="$(CAN)" bash tools/run2.sh

console-b:
	@$(PYTHON) tools/serial-console.py 5556

qemu-args:
	@echo $(QEMU) $(QEMU_ARGS)

# ---- testing and measuring ----------------------------------------------

include tests/host/host.mk

# RTCR's layers (tools/check-layers.py) and the check's own test.
check-layers:
	@$(PYTHON) tools/check-layers.py
	@PYTHON=$(PYTHON) sh tests/host/test_check_layers.sh

test: check-layers host-test
	@for b in $(BOARDS); do $(MAKE) --no-print-directory BOARD=$$b images || exit 1; done
	$(PYTHON) -m pytest tests/qemu

bench:
	@for b in $(BENCH_BOARDS); do $(MAKE) --no-print-directory BOARD=$$b \
		build/$$b/bench.elf build/$$b/ckptbench.elf || exit 1; done
	$(PYTHON) tools/bench.py $(BENCH_BOARDS)
	$(PYTHON) tools/bench_migrate.py

clean:
	rm -rf build
