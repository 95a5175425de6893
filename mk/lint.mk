# Static analysis: `make lint` runs cppcheck over src/ tools/ tests/ bench/
# fuzz/, clang-tidy with the checked-in .clang-tidy (tests/.clang-tidy for
# test code) on every C file, and a gcc -fanalyzer build of the library.
# Each must be clean. clang-tidy results are kept per file in $(O)/lint/,
# so `make -j2 lint` is incremental and parallel.

CPPCHECK ?= cppcheck
CLANG_TIDY ?= clang-tidy
ANALYZER_CC ?= gcc
LINT_O := $(O)/lint
LINT_DIRS := $(wildcard src tools tests bench fuzz)
LINT_SRC := $(sort $(wildcard src/*.c tools/*.c tests/*.c tests/target/*.c tests/peers/*.c \
	bench/*.c fuzz/*.c))
LINT_INC := -Iinclude -Isrc -Itools -Itests -Ibench -I$(O)/bench -Ifuzz
LINT_TIDY := $(patsubst %.c,$(LINT_O)/tidy/%.ok,$(LINT_SRC))
LINT_ANALYZER := $(patsubst src/%.c,$(LINT_O)/analyzer/%.ok,$(LIB_SRC))
# bench.h includes what mk/bench.mk generates from the built library.
LINT_GEN := $(if $(wildcard bench/*.c),$(O)/bench/bench-have.h)

.PHONY: lint lint-cppcheck lint-tidy lint-analyzer
lint: lint-cppcheck lint-tidy lint-analyzer

lint-cppcheck: $(LINT_GEN)
	$(call msg,CPPCHECK,$(LINT_DIRS))
	$(Q)$(CPPCHECK) -q --error-exitcode=1 --inline-suppr \
		--enable=warning,style,performance,portability \
		--suppressions-list=mk/cppcheck.supp --std=c11 \
		--platform=unix64 -D_GNU_SOURCE -D__linux__ -D__x86_64__ \
		-Iinclude -Isrc -Itools -Itests -Ibench -I$(O)/bench -Ifuzz \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		$(LINT_DIRS)

lint-tidy: $(LINT_TIDY)

$(LINT_O)/tidy/%.ok: %.c .clang-tidy $(wildcard tests/.clang-tidy) \
		$(LIB_HDR) $(TOOL_HDR) $(LINT_GEN)
	$(call msg,TIDY,$<)
	@mkdir -p $(@D)
	$(Q)$(CLANG_TIDY) --quiet $< -- -std=gnu11 -D_GNU_SOURCE $(LINT_INC) \
		2>/dev/null >$@.log || { cat $@.log; exit 1; }
	$(Q)! grep -q 'warning:' $@.log || { cat $@.log; exit 1; }
	$(Q)mv $@.log $@

lint-analyzer: $(LINT_ANALYZER)

# -O0: the analyzer follows the code as written.
$(LINT_O)/analyzer/%.ok: src/%.c $(LIB_HDR)
	$(call msg,ANALYZE,$<)
	@mkdir -p $(@D)
	$(Q)$(ANALYZER_CC) -fanalyzer -Werror $(BASE) -O0 -c $< -o /dev/null
	$(Q)touch $@
