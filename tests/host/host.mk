# Host unit tests (cmocka) for the parts of RTCR that are plain C.
# Included by the top-level Makefile; also works on its own:
#   make -f tests/host/host.mk host-test
# Each test runs under ASan and UBSan and exits non-zero on any failure.

# Leave the including Makefile's default goal alone.
host_saved_goal := $(.DEFAULT_GOAL)

HOST_CC ?= gcc
HOST_BUILD ?= build/host
HOST_CFLAGS ?= -std=c11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Ilib -Ikernel
HOST_LDLIBS ?= -lcmocka

HOST_TESTS := $(HOST_BUILD)/test_fmt $(HOST_BUILD)/test_elf \
	$(HOST_BUILD)/test_kmem $(HOST_BUILD)/test_timeout \
	$(HOST_BUILD)/test_lineedit $(HOST_BUILD)/test_ckpt_image $(HOST_BUILD)/test_ckpt_print \
	$(HOST_BUILD)/test_link $(HOST_BUILD)/test_netcfg $(HOST_BUILD)/test_lan9118 \
	$(HOST_BUILD)/test_isotp $(HOST_BUILD)/test_chksum $(HOST_BUILD)/test_tick_scale
HOST_TESTS += $(HOST_BUILD)/test_rules $(HOST_BUILD)/test_error

$(HOST_BUILD)/test_fmt: tests/host/test_fmt.c lib/fmt.c lib/fmt.h
$(HOST_BUILD)/test_elf: tests/host/test_elf.c lib/elf.c lib/elf.h
$(HOST_BUILD)/test_kmem: tests/host/test_kmem.c kernel/kmem.c kernel/kmem.h
$(HOST_BUILD)/test_timeout: tests/host/test_timeout.c kernel/timeout.c \
	kernel/timeout.h
$(HOST_BUILD)/test_lineedit: HOST_CFLAGS += -Irtcr/console
$(HOST_BUILD)/test_lineedit: tests/host/test_lineedit.c rtcr/console/lineedit.c \
	rtcr/console/lineedit.h
$(HOST_BUILD)/test_ckpt_image: HOST_CFLAGS += -Irtcr/format
$(HOST_BUILD)/test_ckpt_image: tests/host/test_ckpt_image.c rtcr/format/ckpt_image.c rtcr/format/crc32.c rtcr/format/crc32.h \
	rtcr/format/ckpt_image.h tests/host/ckpt_corpus.c tests/host/ckpt_corpus.h kernel/uapi/objects.h
# The decoder's printers on every damaged and hostile image of the corpus.
$(HOST_BUILD)/test_ckpt_print: HOST_CFLAGS += -Irtcr/format -Itools
$(HOST_BUILD)/test_ckpt_print: tests/host/test_ckpt_print.c tests/host/ckpt_corpus.c \
	tests/host/ckpt_corpus.h tools/ckpt_print.c tools/ckpt_print.h rtcr/format/ckpt_image.c \
	rtcr/format/crc32.c rtcr/format/crc32.h rtcr/format/ckpt_image.h kernel/uapi/objects.h

$(HOST_BUILD)/test_link: HOST_CFLAGS += -Iuser/lib
$(HOST_BUILD)/test_link: tests/host/test_link.c user/lib/link.c user/lib/link.h
$(HOST_BUILD)/test_netcfg: HOST_CFLAGS += -Iuser/net
$(HOST_BUILD)/test_netcfg: tests/host/test_netcfg.c user/net/netcfg.c user/net/netcfg.h \
	lib/fmt.c lib/fmt.h
$(HOST_BUILD)/test_lan9118: HOST_CFLAGS += -Iuser/drivers
$(HOST_BUILD)/test_lan9118: tests/host/test_lan9118.c user/drivers/lan9118.c user/drivers/lan9118.h
$(HOST_BUILD)/test_tick_scale: HOST_CFLAGS += -Ikernel/drivers
$(HOST_BUILD)/test_tick_scale: tests/host/test_tick_scale.c kernel/drivers/tick_scale.h
$(HOST_BUILD)/test_chksum: HOST_CFLAGS += -Iuser/net
$(HOST_BUILD)/test_chksum: tests/host/test_chksum.c user/net/chksum.c user/net/chksum.h
$(HOST_BUILD)/test_isotp: HOST_CFLAGS += -Iuser/can
$(HOST_BUILD)/test_isotp: tests/host/test_isotp.c user/can/isotp.c user/can/isotp.h
$(HOST_BUILD)/test_error: HOST_CFLAGS += -Irtcr/base
$(HOST_BUILD)/test_error: tests/host/test_error.c rtcr/base/error.c rtcr/base/error.h lib/fmt.c \
	lib/fmt.h kernel/uapi/errors.h
$(HOST_BUILD)/test_rules: HOST_CFLAGS += -Irtcr/base -Irtcr/core -Irtcr/format -Iuser/lib
$(HOST_BUILD)/test_rules: tests/host/test_rules.c rtcr/core/rules.c rtcr/format/ckpt_image.c rtcr/format/crc32.c \
	rtcr/base/error.c rtcr/base/error.h lib/fmt.c rtcr/core/rules.h rtcr/format/ckpt_image.h rtcr/format/crc32.h lib/fmt.h user/lib/session_proto.h \
	kernel/uapi/objects.h kernel/uapi/bootinfo.h kernel/uapi/errors.h

# The image decoder, a host tool: built with the host's own headers (no
# -Ilib) and without sanitizers, as users run it; two image generators
# and a shell script test it.
HOST_TOOL_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -Irtcr/format -Ikernel
$(HOST_BUILD)/ckpt-decode: tools/ckpt-decode.c tools/ckpt_print.c tools/ckpt_print.h \
	rtcr/format/ckpt_image.c rtcr/format/crc32.c rtcr/format/crc32.h rtcr/format/ckpt_image.h kernel/uapi/objects.h
$(HOST_BUILD)/ckpt_sample: tests/host/ckpt_sample.c rtcr/format/ckpt_image.c rtcr/format/crc32.c rtcr/format/crc32.h \
	rtcr/format/ckpt_image.h
$(HOST_BUILD)/ckpt_hostile: tests/host/ckpt_hostile.c tests/host/ckpt_corpus.c \
	tests/host/ckpt_corpus.h rtcr/format/ckpt_image.c rtcr/format/crc32.c rtcr/format/crc32.h rtcr/format/ckpt_image.h \
	kernel/uapi/objects.h
$(HOST_BUILD)/ckpt-decode $(HOST_BUILD)/ckpt_sample $(HOST_BUILD)/ckpt_hostile:
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_TOOL_CFLAGS) -o $@ $(filter %.c,$^)

# Every .c prerequisite is compiled in; headers only trigger rebuilds.
$(HOST_TESTS):
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^) $(HOST_LDLIBS)

# Run them all, then fail if any failed, so one report shows everything.
.PHONY: host-test ckpt-decode
ckpt-decode: $(HOST_BUILD)/ckpt-decode

host-test: $(HOST_TESTS) $(HOST_BUILD)/ckpt-decode $(HOST_BUILD)/ckpt_sample \
	$(HOST_BUILD)/ckpt_hostile
	@failed=; \
	for t in $(HOST_TESTS); do \
		echo "== $$t"; \
		$$t || failed="$$failed $$t"; \
	done; \
	echo "== tests/host/test_ckpt_decode.sh"; \
	sh tests/host/test_ckpt_decode.sh $(HOST_BUILD) || \
		failed="$$failed test_ckpt_decode.sh"; \
	if [ -n "$$failed" ]; then echo "host tests FAILED:$$failed"; exit 1; fi; \
	echo "host tests passed"

ifneq ($(words $(MAKEFILE_LIST)),1)
.DEFAULT_GOAL := $(host_saved_goal)
endif
