# mkba - social cost-benefit analysis (MKBA) engine.
#
#   make demo     install what is missing, build, run the Almere example
#   make check    install what is missing, build, run the whole test suite
#   make check-asan / make valgrind   the test suite under sanitizers / valgrind
#   make install  PREFIX=/usr/local DESTDIR=

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build

PKGS     := gsl libcjson inih nettle check
CC       ?= cc
OPT      ?= -O2 -g
CFLAGS   ?= $(OPT)
WARN     := -std=c11 -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes
CPPFLAGS += -Iinclude -D_XOPEN_SOURCE=700 -DMKBA_VERSION='"$(VERSION)"' -MMD -MP
LIB_CFLAGS = $(shell pkg-config --cflags gsl libcjson inih nettle xlsxwriter 2>/dev/null)
LIB_LIBS   = $(shell pkg-config --libs gsl libcjson inih nettle xlsxwriter 2>/dev/null) -lcsv -lm -lpthread
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

LIB_SRC  := $(filter-out src/cli.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o)
CLI_OBJ  := $(BUILD)/src/cli.o
TEST_SRC := $(wildcard tests/check_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := tests/testutil.c
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:tests/%.c=$(BUILD)/tests/%.o)
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d) $(TEST_SUPPORT_OBJ:.o=.d)

.PHONY: all mkba deps test-deps apt-install demo check check-asan valgrind check-build check-run bench install uninstall clean

all: mkba

mkba: $(BUILD)/mkba
	@ln -sf $(BUILD)/mkba mkba

$(BUILD)/libmkba.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/mkba: $(CLI_OBJ) $(BUILD)/libmkba.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/src/%.o: src/%.c | $(BUILD)/src
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(LIB_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/tests/check_%: tests/check_%.c $(TEST_SUPPORT_OBJ) $(BUILD)/libmkba.a | $(BUILD)/tests
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(LIB_CFLAGS) $(CHECK_CFLAGS) -o $@ $< \
	    $(TEST_SUPPORT_OBJ) $(BUILD)/libmkba.a $(CHECK_LIBS) $(LIB_LIBS)

$(BUILD)/tests/bench%: tests/bench%.c $(BUILD)/libmkba.a | $(BUILD)/tests
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(LIB_CFLAGS) -o $@ $< $(BUILD)/libmkba.a $(LIB_LIBS)

$(BUILD)/src $(BUILD)/tests:
	@mkdir -p $@

# Install missing Debian packages (apt-get as root; otherwise print the line).
APT_PKGS := build-essential pkg-config libgsl-dev libcsv-dev libinih-dev libcjson-dev nettle-dev check gnuplot-nox \
            libxlsxwriter-dev
# The tests also open the HTML report in a headless browser and read the
# --xlsx workbook back with Python's openpyxl; make valgrind needs valgrind.
TEST_PKGS := chromium valgrind python3-openpyxl
deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_PKGS)"
test-deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_PKGS) $(TEST_PKGS)"
apt-install:
	@missing=""; for p in $(PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "mkba: installing$$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
	    else \
	        echo "mkba: missing packages; run:  sudo apt-get install$$missing"; exit 1; \
	    fi; \
	fi

demo: deps
	@$(MAKE) --no-print-directory mkba
	./mkba run scenarios/almere-pilot.ini scenarios/almere-liaison.ini --out results/almere \
	    --report results/almere/report.html --xlsx results/almere/mkba.xlsx

check: test-deps
	@$(MAKE) --no-print-directory mkba $(TEST_BIN)
	@MKBA_BIN=$(abspath $(BUILD)/mkba) tests/run-tests.sh $(TEST_BIN)

# The same suite with AddressSanitizer + UndefinedBehaviorSanitizer.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g $(SAN)" LDFLAGS="$(SAN)" check-run

valgrind: test-deps
	@$(MAKE) --no-print-directory BUILD=build-vg OPT="-O1 -g" check-build
	@MKBA_BIN=$(abspath build-vg/mkba) MKBA_VALGRIND=1 CK_FORK=no \
	    tests/run-tests.sh $(patsubst $(BUILD)/%,build-vg/%,$(TEST_BIN))

check-build: $(BUILD)/mkba $(TEST_BIN)
check-run: check-build
	@MKBA_BIN=$(abspath $(BUILD)/mkba) tests/run-tests.sh $(TEST_BIN)

# Speed and memory figures (optimised build; see tests/bench.c).
BENCH_BIN := $(patsubst tests/%.c,build-bench/tests/%,$(wildcard tests/bench*.c))
bench: deps
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="-O3 -g" build-bench/mkba $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; echo; done

install: mkba
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mkba/models \
	    $(DESTDIR)$(PREFIX)/share/mkba/scenarios $(DESTDIR)$(PREFIX)/share/mkba/data
	install -m 755 $(BUILD)/mkba $(DESTDIR)$(PREFIX)/bin/mkba
	install -m 644 models/*.ini $(DESTDIR)$(PREFIX)/share/mkba/models/
	install -m 644 scenarios/*.ini $(DESTDIR)$(PREFIX)/share/mkba/scenarios/
	install -m 644 data/*.csv data/*.ini data/README.md $(DESTDIR)$(PREFIX)/share/mkba/data/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mkba
	rm -rf $(DESTDIR)$(PREFIX)/share/mkba

clean:
	rm -rf build build-asan build-vg build-bench mkba

-include $(DEPS)
.SECONDARY:

# Fuzzing (clang's libFuzzer): see tests/fuzz/.
-include tests/fuzz/fuzz.mk
