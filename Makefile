# SPDX-License-Identifier: GPL-2.0
# edgefw: `make` builds build/edgefw; see README.md for the other targets.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local

BUILD := build
MULTIARCH := $(shell $(CC) -dumpmachine)

# SANITIZE=1: the user space (library, CLI, C tests) built with
# AddressSanitizer (LeakSanitizer with it) and UndefinedBehaviorSanitizer
# into build-san/, apart from the normal build; `make test SANITIZE=1`
# runs the whole suite against it. BPF objects are built as always. By
# clang: its one runtime writes every report, UBSan's too, where
# log_path says (gcc's UBSan writes to stderr, which tests capture).
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
BUILD := build-san
CC := clang
CFLAGS ?= -O1 -g
CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

# FUZZ=1 (set by `make fuzz`): the library and the harnesses of
# tests/fuzz/ built by clang for libFuzzer, with ASan and UBSan, into
# build-fuzz/; any undefined behaviour stops the fuzzer.
ifeq ($(FUZZ),1)
BUILD := build-fuzz
CC := clang
FUZZ_FLAGS := $(SAN_FLAGS) -fno-sanitize-recover=all
CFLAGS ?= -O1 -g
CFLAGS += $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link
LDFLAGS += $(FUZZ_FLAGS)
endif

PKGS := libbpf libnl-route-3.0 json-c nettle libsystemd
# Opened on first use (user/dynlib.h): their headers only, not linked.
# libunbound has no flags of its own (its libunbound.pc names libevent in
# Requires.private, which Debian's libunbound-dev does not bring).
DLOPEN_PKGS := libmicrohttpd ldns libcurl

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -MMD -MP
CPPFLAGS += -Iinclude -Iuser -I$(BUILD) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) $(DLOPEN_PKGS))
LDLIBS += $(shell $(PKG_CONFIG) --libs $(PKGS)) -lelf -lz -ldl

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

TEST_SRCS := $(filter-out tests/fuzz/%,$(wildcard tests/*/*.c))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_SUPPORT := $(filter tests/lib/%,$(TEST_SRCS))
TEST_PROGS := $(filter-out $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SUPPORT)),$(TEST_BINS))

# The fuzz harnesses (tests/fuzz/fuzz_NAME.c), each built twice: as a
# libFuzzer fuzzer by `make fuzz`, and by `make tests` with a main that
# runs it over the files it is given, so that the suite (and the
# sanitizer build) replays the seed corpus, regression cases included.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst tests/%.c,$(BUILD)/tests/%,$(FUZZ_SRCS))
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
BENCH_BPF := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))

FORMAT_SRCS := $(wildcard include/*.h bpf/*.h bpf/*.c user/*.h user/*.c \
	user/cli/*.h user/cli/*.c user/daemon/*.h user/daemon/*.c \
	tests/*/*.c tests/*/*.h bench/*.c bench/*.h)

.PHONY: FORCE all tests test difftest vm-test vm-boot-test fuzz fuzzers bench bench-progs demo deb deps format format-check clean
.DELETE_ON_ERROR:
# Kept: as intermediates make would delete them after a fresh build, and
# the next make, whose dependency files name the skeletons, remade all.
.SECONDARY: $(BPF_OBJS) $(SKELS)

all: $(BUILD)/edgefw

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/edgefw.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# What edgefw_build_info reports: the release (debian/changelog's) and the
# commit built (git's, -dirty with changes; the package's copy of the tree
# has no git: scripts/build-deb.sh passes it). The header is rewritten only
# when it changes, so a new commit rebuilds one object.
EDGEFW_VERSION ?= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
EDGEFW_COMMIT ?= $(shell git describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)

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

$(FUZZ_REPLAY): $(BUILD)/tests/fuzz/%: $(BUILD)/tests/fuzz/%.o \
		$(BUILD)/tests/fuzz/replay.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# test_benchpaths runs the bench harness in a tiny mode.
tests: $(BUILD)/edgefw $(TEST_PROGS) $(FUZZ_REPLAY) $(BUILD)/bench/testrun \
	$(BUILD)/bench/vary.bpf.o $(BUILD)/bench/trivial.bpf.o

# With SANITIZE=1 a suite fails on any report of a sanitizer (report.PID
# files in build-san/sanitizer/, see tests/run.sh), and the suites pin
# under /sys/fs/bpf/edgefw-san-SUITE, apart from a normal run's.
SAN_REPORTS = $(abspath $(BUILD))/sanitizer
# The differential test's 1,000,000 packets judge the BPF programs, which
# a sanitizer does not change; under it the test's own C (the model, the
# generator) is what is checked, and 200,000 packets cover its paths.
SAN_ENV = EDGEFW_SANITIZER_LOGS=$(SAN_REPORTS) \
	EDGEFW_DIFF_PACKETS=$${EDGEFW_DIFF_PACKETS:-200000} \
	EDGEFW_TEST_PIN_PREFIX=$${EDGEFW_TEST_PIN_PREFIX:-/sys/fs/bpf/edgefw-san-} \
	ASAN_OPTIONS=halt_on_error=1:exitcode=99:detect_leaks=1:log_path=$(SAN_REPORTS)/report \
	UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1:log_path=$(SAN_REPORTS)/report:suppressions=$(abspath tests/ubsan.supp) \
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0

# The whole suite, as root; its last line is the runner's summary.
# SUITES="PATTERN..." runs the suites whose path matches.
test: tests
	$(if $(filter 1,$(SANITIZE)),$(SAN_ENV)) EDGEFW_BUILD=$(BUILD) tests/run.sh $(SUITES)

# Each fuzzer for FUZZ_SECONDS from its seed corpus (tests/fuzz/run.sh).
fuzz:
	$(MAKE) FUZZ=1 fuzzers
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzzers: $(FUZZERS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The differential test at full length, as root: 10,000,000 packets where
# `make test` runs 1,000,000 (tests/diff/test_diff.c; EDGEFW_DIFF_SEED
# repeats a run).
difftest: tests
	EDGEFW_DIFF_PACKETS=10000000 EDGEFW_SUITE_TIMEOUT=3600 tests/run.sh diff/test_diff

# The tests inside qemu on Debian's 6.1 and 6.12 kernels (vm-tests/README.md):
# the kernel-facing suites, and the boot test (systemd as PID 1, edgefw
# installed and enabled); VNG=1 runs the suites through virtme-ng instead.
vm-test: tests
	VNG="$(VNG)" vm-tests/run.sh

# The boot test alone.
vm-boot-test: tests
	vm-tests/run.sh --boot-only

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c $(wildcard bench/*.h) include/edgefw.h \
	$(wildcard bpf/*.h)
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

include mk/install.mk

# The Debian package, built in a copy of the tree: build/edgefw_VERSION_*.deb
# (scripts/build-deb.sh; the version is debian/changelog's).
deb:
	scripts/build-deb.sh

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
