# fuzz.mk - fuzzing mkba with clang's libFuzzer (included by the Makefile).
#
#   make fuzz                    build, then run each target FUZZ_TIME seconds
#   make fuzz FUZZ_TIME=600 FUZZ_TARGETS=model
#   make fuzz-build              only build build-fuzz/fuzz_{csv,model,expr}
#                                (installs clang when missing, as make deps)
#   make fuzz-replay             run the seeds and kept crash inputs once
#   make fuzz-clean              remove build-fuzz/
#
# Targets (tests/fuzz/targets.c): csv (CSV reader, cohort reader,
# estimators), model (model and scenario files, cohort, appraisal, a small
# Monte Carlo and the sensitivity analysis), expr (expression compiler and
# evaluator). The library is compiled with clang, coverage instrumentation
# and ASan + UBSan (LeakSanitizer included) into build-fuzz/. Each run
# starts from the seeds in tests/fuzz/corpus/<target>/ and the kept inputs
# in tests/fuzz/regress/<target>/, which it only reads; what it learns goes
# to build-fuzz/corpus/<target>/ (kept between runs), and a crash, leak,
# timeout (FUZZ_TIMEOUT s) or memory blow-up (FUZZ_RSS MB) to
# build-fuzz/crashes/<target>/. `make fuzz` fails when a target found one,
# and says how to reproduce it.

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= csv model expr
FUZZ_TIMEOUT ?= 5
FUZZ_RSS     ?= 2048
FUZZ_FLAGS   ?=
FUZZ_DIR     := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Warnings as in the normal build, but not fatal: clang warns about other
# things than gcc, and gcc with -Werror is the build that gates. (Not
# -Wformat-security: clang's -Wall has it, gcc's does not, and model.c
# passes a message with '%%' in it as a format on purpose.)
FUZZ_CFLAGS  := $(filter-out -Werror,$(WARN)) -Wno-format-security -O1 -g $(FUZZ_SAN) \
                $(CPPFLAGS) $(LIB_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:src/%.c=$(FUZZ_DIR)/src/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
# Longest input per target: a cohort file, a study of up to six files, an
# expression.
FUZZ_MAXLEN_csv   := 32768
FUZZ_MAXLEN_model := 65536
FUZZ_MAXLEN_expr  := 4096
# Inputs are written to files (the library reads paths): on tmpfs if any.
FUZZ_TMP := $(if $(wildcard /dev/shm/.),/dev/shm,/tmp)
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 TMPDIR=$(FUZZ_TMP)

.PHONY: fuzz fuzz-build fuzz-bins fuzz-deps fuzz-replay fuzz-clean

# clang, and libFuzzer with the sanitizers (libclang-rt-dev, only recommended
# by clang), installed like the other packages (make deps).
fuzz-deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$(APT_PKGS) clang libclang-rt-dev"

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_DIR)/src/%.o: src/%.c | $(FUZZ_DIR)/src
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/targets.o: tests/fuzz/targets.c | $(FUZZ_DIR)/src
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/targets.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/targets.o \
	    $(FUZZ_LIB_OBJ) $(LIB_LIBS)

$(FUZZ_DIR)/src:
	@mkdir -p $@

# Corpus and regress directories are named only when they exist: git keeps
# no empty directory, and libFuzzer stops at a missing one.
# One target at a time (the machine may be shared); each gets FUZZ_TIME
# seconds. All targets run even when one fails; the exit status says.
fuzz: fuzz-build
	@status=0; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crashes/$$t; \
	    case $$t in csv) len=$(FUZZ_MAXLEN_csv);; model) len=$(FUZZ_MAXLEN_model);; \
	        *) len=$(FUZZ_MAXLEN_expr);; esac; \
	    echo "== fuzz_$$t: $(FUZZ_TIME) s"; \
	    if $(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=$$len \
	        -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS) -dict=tests/fuzz/$$t.dict \
	        -artifact_prefix=$(FUZZ_DIR)/crashes/$$t/ -print_final_stats=1 $(FUZZ_FLAGS) \
	        $(FUZZ_DIR)/corpus/$$t $$(for d in tests/fuzz/corpus/$$t tests/fuzz/regress/$$t; \
	            do [ -d $$d ] && echo $$d; done) \
	        > $(FUZZ_DIR)/fuzz_$$t.log 2>&1; then \
	        grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' \
	            $(FUZZ_DIR)/fuzz_$$t.log | sed 's/^/   /'; \
	    else \
	        status=1; \
	        grep -E 'ERROR|SUMMARY|contract broken|Test unit written' $(FUZZ_DIR)/fuzz_$$t.log \
	            | sed 's/^/   /'; \
	        echo "   fuzz_$$t found a problem (log: $(FUZZ_DIR)/fuzz_$$t.log). Reproduce with:"; \
	        echo "     $(FUZZ_DIR)/fuzz_$$t $(FUZZ_DIR)/crashes/$$t/<file>"; \
	        echo "   minimise with -minimize_crash=1 -runs=100000, fix, and keep the input as"; \
	        echo "   tests/fuzz/regress/$$t/<what-it-is> (make check replays it)."; \
	    fi; \
	done; exit $$status

# The seeds and kept inputs, once each, under the clang build.
fuzz-replay: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/crashes/$$t; \
	    if $(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$t -runs=0 -timeout=$(FUZZ_TIMEOUT) \
	        -rss_limit_mb=$(FUZZ_RSS) -artifact_prefix=$(FUZZ_DIR)/crashes/$$t/ \
	        $$(for d in tests/fuzz/corpus/$$t tests/fuzz/regress/$$t; do [ -d $$d ] && echo $$d; done) \
	        > $(FUZZ_DIR)/replay_$$t.log 2>&1; then \
	        echo "== fuzz_$$t: replay ok ($$(cat tests/fuzz/corpus/$$t/* tests/fuzz/regress/$$t/* \
	            2>/dev/null | wc -c) bytes of inputs)"; \
	    else \
	        echo "== fuzz_$$t: replay FAILED (log: $(FUZZ_DIR)/replay_$$t.log)"; \
	        grep -E 'ERROR|SUMMARY|contract broken' $(FUZZ_DIR)/replay_$$t.log | sed 's/^/   /'; \
	        exit 1; \
	    fi; \
	done

fuzz-clean:
	rm -rf $(FUZZ_DIR)

-include $(wildcard $(FUZZ_DIR)/src/*.d $(FUZZ_DIR)/*.d)
