# mkba - social cost-benefit analysis (MKBA) engine.
#
#   make demo     install what is missing, build, run the Almere example
#   make check    install what is missing, build, run the whole test suite
#   make check-asan / make valgrind   the test suite under sanitizers / valgrind
#   make install  PREFIX=/usr/local DESTDIR=   (the program, its man page,
#                 bash completion and the Almere example)
#   make man      build/mkba.1, the man page (from the help texts)

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build

PKGS     := gsl libcjson inih nettle check
CC       ?= cc
# make MPI=1: build-mpi/mkba, the same program for `mpirun -np K mkba run`
# (include/mkba/mpi.h), compiled with Open MPI's mpicc (libopenmpi-dev).
ifeq ($(MPI),1)
BUILD    := build-mpi
CC       := mpicc
CPPFLAGS += -DMKBA_MPI
endif
OPT      ?= -O2 -g
CFLAGS   ?= $(OPT)
WARN     := -std=c11 -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes
CPPFLAGS += -Iinclude -D_XOPEN_SOURCE=700 -DMKBA_VERSION='"$(VERSION)"' -MMD -MP
LIB_CFLAGS = $(shell pkg-config --cflags gsl libcjson inih nettle xlsxwriter 2>/dev/null)
LIB_LIBS   = $(shell pkg-config --libs gsl libcjson inih nettle xlsxwriter 2>/dev/null) -lcsv -lm -lpthread
# The git commit of a checkout (12 hex digits, "-dirty" with uncommitted
# changes to tracked files); empty outside one (a release tarball, or a
# tarball unpacked inside another repository). `make COMMIT=...` sets it.
ifeq ($(origin COMMIT),undefined)
COMMIT := $(shell top=$$(git rev-parse --show-toplevel 2>/dev/null) && [ "$$top" -ef . ] && \
    c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && \
    { git diff --quiet HEAD -- 2>/dev/null && echo "$$c" || echo "$$c-dirty"; })
endif
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

.PHONY: FORCE all mkba man check-install check-mpi deps test-deps apt-install demo check check-asan valgrind check-build check-run bench install uninstall clean

ifeq ($(MPI),1)
all: $(BUILD)/mkba
else
all: mkba
endif

mkba: $(BUILD)/mkba
	@ln -sf $(BUILD)/mkba mkba

# The man page, generated from the program's help texts (doc/mkman.sh).
man: $(BUILD)/mkba.1
$(BUILD)/mkba.1: $(BUILD)/mkba doc/mkman.sh
	sh doc/mkman.sh $(BUILD)/mkba > $@.tmp && mv $@.tmp $@

$(BUILD)/libmkba.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/mkba: $(CLI_OBJ) $(BUILD)/libmkba.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/src/%.o: src/%.c | $(BUILD)/src
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(LIB_CFLAGS) -c -o $@ $<

# Only build.o carries the commit; the stamp changes (and it is rebuilt)
# only when the commit does.
$(BUILD)/src/build.o: CPPFLAGS += -DMKBA_COMMIT='"$(COMMIT)"'
$(BUILD)/src/build.o: $(BUILD)/commit.stamp
$(BUILD)/commit.stamp: FORCE | $(BUILD)/src
	@echo '$(COMMIT)' > $@.tmp; if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

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
# --xlsx workbook back with Python's openpyxl; make valgrind needs valgrind;
# the man page is checked with groff and man.
# make check-mpi runs the MPI build under Open MPI's mpirun.
TEST_PKGS := chromium valgrind python3-openpyxl groff-base man-db libopenmpi-dev openmpi-bin
# make bench compares the whole run with a numpy implementation of the same
# model (tests/bench/numpy_reference.py); mkba itself does not need it.
BENCH_PKGS := python3-numpy
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
	@$(MAKE) --no-print-directory check-install
	@$(MAKE) --no-print-directory check-mpi

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
bench:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_PKGS) $(BENCH_PKGS)"
	@$(MAKE) --no-print-directory BUILD=build-bench OPT="-O3 -g" build-bench/mkba $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; echo; done

MANDIR  := $(PREFIX)/share/man/man1
COMPDIR := $(PREFIX)/share/bash-completion/completions
install: mkba $(BUILD)/mkba.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mkba/models \
	    $(DESTDIR)$(PREFIX)/share/mkba/scenarios $(DESTDIR)$(PREFIX)/share/mkba/data \
	    $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR) $(DESTDIR)$(PREFIX)/share/doc/mkba
	install -m 755 $(BUILD)/mkba $(DESTDIR)$(PREFIX)/bin/mkba
	install -m 644 $(BUILD)/mkba.1 $(DESTDIR)$(MANDIR)/mkba.1
	install -m 644 doc/mkba.bash $(DESTDIR)$(COMPDIR)/mkba
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/mkba/README.md
	install -m 644 models/*.ini $(DESTDIR)$(PREFIX)/share/mkba/models/
	install -m 644 scenarios/*.ini $(DESTDIR)$(PREFIX)/share/mkba/scenarios/
	install -m 644 data/*.csv data/*.ini data/README.md $(DESTDIR)$(PREFIX)/share/mkba/data/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mkba $(DESTDIR)$(MANDIR)/mkba.1 $(DESTDIR)$(COMPDIR)/mkba
	rm -rf $(DESTDIR)$(PREFIX)/share/mkba $(DESTDIR)$(PREFIX)/share/doc/mkba

# make install into a scratch DESTDIR: every file where it belongs, the man
# page readable by man, the completion loadable by bash, the installed
# program runnable; then make uninstall leaves nothing behind.
check-install: mkba
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	$(MAKE) --no-print-directory -s install DESTDIR=$$d PREFIX=/usr >/dev/null && \
	for f in bin/mkba share/man/man1/mkba.1 share/bash-completion/completions/mkba \
	    share/doc/mkba/README.md share/mkba/models/almere.ini share/mkba/data/almere_cohort.csv; do \
	    test -s $$d/usr/$$f || { echo "check-install: $$f not installed"; exit 1; }; done && \
	test -x $$d/usr/bin/mkba && $$d/usr/bin/mkba --version >/dev/null && \
	MANWIDTH=80 man -l $$d/usr/share/man/man1/mkba.1 2>/dev/null | grep -q 'mkba run' && \
	bash --norc -c ". $$d/usr/share/bash-completion/completions/mkba && complete -p mkba" \
	    | grep -q -- '-F _mkba mkba' && \
	$(MAKE) --no-print-directory -s uninstall DESTDIR=$$d PREFIX=/usr >/dev/null && \
	left=$$(find $$d -type f) && [ -z "$$left" ] || { echo "check-install: failed (left: $$left)"; exit 1; }; \
	echo "  PASS  check-install            make install layout, man page, completion"

# The MPI build under mpirun -np 1, 2 and 3 against the normal build: every
# output file the same byte for byte (tests/check_mpi.sh).
check-mpi: $(BUILD)/mkba
	@$(MAKE) --no-print-directory MPI=1 build-mpi/mkba
	@tests/check_mpi.sh $(abspath $(BUILD)/mkba) $(abspath build-mpi/mkba)

clean:
	rm -rf build build-asan build-vg build-bench build-mpi mkba

-include $(DEPS)
.SECONDARY:

# Fuzzing (clang's libFuzzer): see tests/fuzz/.
-include tests/fuzz/fuzz.mk
