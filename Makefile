# danelab top-level build.
#
# Layout rules (keep them, the build depends on them):
#  - every *.c under util/ zones/ lab/ servers/ client/ runner/ that is not a
#    *_main.c goes into build/libdanelab.a;
#  - DIR/NAME_main.c (DIR in MAIN_DIRS) becomes the program bin/NAME;
#  - tests/unit/test_NAME.c becomes the CUnit program bin/test-NAME (with
#    tests/unit/cu.c as its harness and every other tests/unit/*.c, the
#    helpers several tests share, linked in);
#  - tests/fuzz/fuzz_NAME.c becomes bin/fuzz-NAME under `make fuzz` (clang).
# Nothing else needs editing to add a source file, a program or a test.

CC       ?= cc
PKGS     := libssl libcrypto ldns libunbound libidn2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
# CFLAGS/LDFLAGS are the user's (make asan sets them); the project's own
# flags live in DL_CFLAGS so a command-line CFLAGS cannot drop them.
DL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
            -Wno-unused-parameter -I. $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)
# Only the lab's packet capture (lab/dl-capture_main.c) links libpcap.
PCAP_LIBS  := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)

LIB_DIRS  := util zones lab servers client runner
MAIN_DIRS := runner servers client lab zones bench
LIB_SRCS  := $(filter-out %_main.c,$(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
B        ?= build
BIN      ?= bin
LIB_OBJS  := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
MAINS     := $(wildcard $(addsuffix /*_main.c,$(MAIN_DIRS)))
BINS      := $(patsubst %_main.c,$(BIN)/%,$(notdir $(MAINS)))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/test_%.c,$(BIN)/test-%,$(UNIT_SRCS))
UNIT_HELPERS := $(patsubst %.c,$(B)/%.o,$(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c)))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/fuzz_%.c,$(BIN)/fuzz-%,$(FUZZ_SRCS))

vpath %_main.c $(MAIN_DIRS)

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

$(BIN)/dl-capture: LDLIBS += $(PCAP_LIBS)

.PHONY: all deps check unit e2e run bench soak asan asan-check fuzz fuzz-bins mta clean fresh-check check-fast
all: $(BINS) $(UNIT_BINS)

deps:
	@scripts/deps.sh build

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(DL_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libdanelab.a: $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BIN)/%: $(B)/bin/%_main.o $(B)/libdanelab.a
	@mkdir -p $(BIN)
	$(call say,LINK,$@)
	$(Q)$(CC) $(DL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libdanelab.a $(LDLIBS)

$(B)/bin/%_main.o: %_main.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(DL_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BIN)/test-%: $(B)/tests/unit/test_%.o $(UNIT_HELPERS) $(B)/libdanelab.a
	@mkdir -p $(BIN)
	$(call say,LINK,$@)
	$(Q)$(CC) $(DL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_HELPERS) $(B)/libdanelab.a $(LDLIBS) $(CUNIT_LIBS)

# The README's test command: installs what is missing, builds, runs everything.
check:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@tests/run

unit: all
	@tests/run --unit

e2e: all
	@tests/run --e2e

# The inner loop: unit, lab and CLI end-to-end tests, the suite; no MTAs,
# no browser, no long fuzzing.  `make check` stays the README's command.
check-fast: all
	@tests/run --fast

# The README's main job: the whole suite against the reference client.
run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory all
	bin/danelab run

# README's commands on a minimal Debian 12 root (debootstrap, cached in
# build/fresh), as root and as an ordinary user; as root (docs/setup.md).
fresh-check:
	@scripts/deps.sh fresh
	@scripts/fresh-check.sh

# Postfix and Exim unpacked into build/mta (never the system MTA); as root.
mta:
	@scripts/deps.sh mta
	@scripts/mta-provision.sh postfix
	@scripts/mta-provision.sh exim
	@scripts/mta-provision.sh opensmtpd
	@scripts/node-provision.sh

bench:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@bench/run

# Do verdicts hold still, idle, under load, beside another run?  Long
# (about 25 minutes with Postfix and Exim); not part of `make check`.
soak:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all
	@bench/soak

# Sanitizer build into its own trees (build-asan/, bin-asan/) so it never
# mixes with the normal objects; `make asan-check` runs the tests with it.
asan:
	@$(MAKE) --no-print-directory B=build-asan BIN=bin-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" all

# Each target runs FUZZ_SECONDS (default 30) over its committed seed corpus
# tests/fuzz/corpus/NAME; what it finds goes to a scratch directory, never
# into the committed corpus.  tests/e2e/fuzz.sh runs the same, bounded.
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -I. $(PKG_CFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(patsubst %.c,build-fuzz/%.o,$(LIB_SRCS))

fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-30} tests/e2e/fuzz.sh

fuzz-bins: $(FUZZ_BINS)

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CLANG,$<)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(BIN)/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(BIN)
	$(call say,FUZZ,$@)
	$(Q)clang $(FUZZ_CFLAGS) -Wall -Wextra -Werror -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) \
	  $(PKG_LIBS) -lpthread

asan-check: asan
	@DANELAB_BIN=bin-asan tests/run

clean:
	rm -rf build bin build-asan bin-asan build-fuzz

-include $(shell find $(B) -path '$(B)/mta' -prune -o -type f -name '*.d' -print 2>/dev/null)
-include $(shell find build-fuzz -type f -name '*.d' -print 2>/dev/null)
.SECONDARY:
