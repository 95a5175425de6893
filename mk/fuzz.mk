# Fuzzing: `make fuzz` builds the libFuzzer targets fuzz/*_fuzzer.c with
# clang, ASan and UBSan into $(O)/fuzz/; `make fuzz-smoke` runs each for
# FUZZ_TIME seconds on a scratch copy of its seed corpus fuzz/corpus/NAME/.
# The library sources are compiled again for the fuzzers (coverage and
# sanitizers), so the targets may call internal functions of src/internal.h.
#
# LIB_FUZZING_ENGINE=standalone (or any engine that is not libFuzzer, as
# OSS-Fuzz passes it) links fuzz/standalone.c instead, a main that replays
# files and directories: then FUZZ_CC=gcc works too, and fuzz-smoke replays
# the seed corpus.

FUZZ_CC ?= clang
LIB_FUZZING_ENGINE ?= -fsanitize=fuzzer
FUZZ_TIME ?= 20
FUZZ_O := $(O)/fuzz
FUZZ_SAN ?= -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_FLAGS := -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -Isrc -Itools -Ifuzz -g -O1 \
	$(WARN) $(FUZZ_SAN)

ifneq ($(findstring -fsanitize=fuzzer,$(LIB_FUZZING_ENGINE)),)
FUZZ_COV := -fsanitize=fuzzer-no-link
FUZZ_ENGINE_LINK := $(LIB_FUZZING_ENGINE)
FUZZ_LIBFUZZER := 1
else ifeq ($(filter-out standalone,$(LIB_FUZZING_ENGINE)),)
FUZZ_COV :=
FUZZ_ENGINE_LINK := $(FUZZ_O)/standalone.o
else
FUZZ_COV :=
FUZZ_ENGINE_LINK := $(LIB_FUZZING_ENGINE)
endif

FUZZ_LIB_OBJ := $(patsubst src/%.c,$(FUZZ_O)/lib/%.o,$(LIB_SRC))
# A target whose CLI source is not there yet is left out.
FUZZ_ARGS_SRC := $(wildcard tools/args.c)
FUZZ_SRC := $(sort $(wildcard fuzz/*_fuzzer.c))
FUZZ_SRC := $(if $(FUZZ_ARGS_SRC),$(FUZZ_SRC),$(filter-out fuzz/args_fuzzer.c,$(FUZZ_SRC)))
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(FUZZ_SRC))
FUZZ_BINS := $(addprefix $(FUZZ_O)/,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-smoke
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_O)/tools/args.o $(FUZZ_O)/standalone.o
fuzz: $(FUZZ_BINS)

$(FUZZ_O)/lib/%.o: src/%.c $(LIB_HDR)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_COV) -c $< -o $@

$(FUZZ_O)/tools/%.o: tools/%.c $(TOOL_HDR) include/pvmio.h
	$(call msg,FUZZCC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_COV) -c $< -o $@

$(FUZZ_O)/standalone.o: fuzz/standalone.c fuzz/fuzz.h
	$(call msg,FUZZCC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -c $< -o $@

$(FUZZ_O)/%_fuzzer: fuzz/%_fuzzer.c fuzz/fuzz.h $(FUZZ_LIB_OBJ) $(LIB_HDR) \
		$(if $(FUZZ_LIBFUZZER),,$(FUZZ_O)/standalone.o)
	$(call msg,FUZZLD,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_COV) -o $@ $< $(FUZZ_LIB_OBJ) \
		$(FUZZ_ENGINE_LINK) -lpthread

# The CLI's parsers stand alone: tools/args.c and nothing else.
$(FUZZ_O)/args_fuzzer: fuzz/args_fuzzer.c fuzz/fuzz.h $(FUZZ_O)/tools/args.o \
		tools/args.h $(if $(FUZZ_LIBFUZZER),,$(FUZZ_O)/standalone.o)
	$(call msg,FUZZLD,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_COV) -o $@ $< $(FUZZ_O)/tools/args.o \
		$(FUZZ_ENGINE_LINK)

# libFuzzer writes what it learns into its first directory: a scratch one,
# so that the checked-in seeds only change by hand. One job, one worker:
# the machine is shared.
fuzz-smoke: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_NAMES); do \
		mkdir -p $(FUZZ_O)/corpus/$$t $(FUZZ_O)/crash; \
		echo "  FUZZ    $$t ($(if $(FUZZ_LIBFUZZER),$(FUZZ_TIME) s,replay))"; \
		$(FUZZ_O)/$$t $(if $(FUZZ_LIBFUZZER),-max_total_time=$(FUZZ_TIME) \
			-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_O)/crash/$$t- \
			$(FUZZ_O)/corpus/$$t) fuzz/corpus/$$t \
			> $(FUZZ_O)/$$t.log 2>&1 || \
			{ tail -40 $(FUZZ_O)/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|inputs replayed' \
			$(FUZZ_O)/$$t.log || true; \
	done
