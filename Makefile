# SPDX-License-Identifier: GPL-2.0
# edgefw: `make` builds build/edgefw; see README.md for the other targets.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local

BUILD := build
MULTIARCH := $(shell $(CC) -dumpmachine)

PKGS := libbpf libnl-route-3.0 json-c nettle libsystemd

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -MMD -MP
CPPFLAGS += -Iinclude -Iuser -I$(BUILD) $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS)) -lelf -lz

BPF_CFLAGS := -O2 -g -Wall -target bpf -mcpu=v3 \
	-I/usr/include/$(MULTIARCH) -Iinclude

# CI builds with WERROR=1: the build must stay warning-free.
ifeq ($(WERROR),1)
CFLAGS += -Werror
BPF_CFLAGS += -Werror
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(wildcard user/*.c)
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
LIB := $(BUILD)/libedgefw.a

CLI_SRCS := $(wildcard user/cli/*.c user/daemon/*.c)
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))

TEST_SRCS := $(wildcard tests/*/*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_SUPPORT := $(filter tests/lib/%,$(TEST_SRCS))
TEST_PROGS := $(filter-out $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SUPPORT)),$(TEST_BINS))

BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
BENCH_BPF := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))

FORMAT_SRCS := $(wildcard include/*.h bpf/*.h bpf/*.c user/*.h user/*.c \
	user/cli/*.h user/cli/*.c user/daemon/*.h user/daemon/*.c \
	tests/*/*.c tests/*/*.h bench/*.c bench/*.h)

.PHONY: FORCE all tests test difftest vm-test bench bench-progs demo install deps format format-check clean
.DELETE_ON_ERROR:

all: $(BUILD)/edgefw

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/edgefw.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# What edgefw_build_info reports; the header is rewritten only when it
# changes, so a new commit rebuilds one object.
EDGEFW_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
EDGEFW_COMMIT ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

$(BUILD)/build_version.h: FORCE
	@mkdir -p $(@D)
	@printf '#define EDGEFW_VERSION "%s"\n#define EDGEFW_COMMIT "%s"\n' \
		'$(EDGEFW_VERSION)' '$(EDGEFW_COMMIT)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/user/version.o: $(BUILD)/build_version.h

$(BUILD)/user/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# Made afresh: an object of a deleted source must not linger in it.
$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/edgefw: $(CLI_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) -c $< -o $@

TEST_LIB_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_SUPPORT))

$(TEST_PROGS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_LIB_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(BUILD)/edgefw $(TEST_PROGS)

# The whole suite, as root; its last line is the runner's summary.
test: tests
	tests/run.sh

# The differential test at full length, as root: 10,000,000 packets where
# `make test` runs 1,000,000 (tests/diff/test_diff.c; EDGEFW_DIFF_SEED
# repeats a run).
difftest: tests
	EDGEFW_DIFF_PACKETS=10000000 EDGEFW_SUITE_TIMEOUT=3600 tests/run.sh diff/test_diff

# The tests inside qemu on Debian's 6.1 and 6.12 kernels (vm-tests/README.md);
# VNG=1 runs them through virtme-ng instead.
vm-test: tests
	VNG="$(VNG)" vm-tests/run.sh

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c $(wildcard bench/*.h) include/edgefw.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.o: bench/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) -c $< -o $@

$(BENCH_BINS): $(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/tests/lib/packet.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-progs: $(BUILD)/edgefw $(BENCH_BINS) $(BENCH_BPF)

# Measurements, not tests (bench/README.md): as root, on an idle machine.
bench: bench-progs
	bench/run.sh

demo:
	scripts/demo.sh

deps:
	scripts/install-deps.sh

install: $(BUILD)/edgefw
	install -D -m 0755 $(BUILD)/edgefw $(DESTDIR)$(PREFIX)/sbin/edgefw
	install -D -m 0644 examples/lync-xmpp.conf \
		$(DESTDIR)$(PREFIX)/share/doc/edgefw/examples/lync-xmpp.conf

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
