# make bench: build $(O)/pvmio-bench and run it (bench/README.md).
#   make bench                          the defaults, under 2 minutes
#   make bench BENCH_ARGS='--json'      options: $(O)/pvmio-bench --help
#
# The bench sees only what libpvmio.a really defines: bench-have.h gets a
# BENCH_HAVE_<name> for each exported pvmio_* symbol, and rows for parts
# that have not landed are left out.

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_HDR := $(wildcard bench/*.h)
BENCH := $(O)/pvmio-bench
BENCH_ARGS ?=

.PHONY: bench
bench: $(BENCH)
	$(BENCH) $(BENCH_ARGS)

$(O)/bench/bench-have.h: $(LIBA) mk/bench.mk
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)nm -g --defined-only $(LIBA) | \
		awk '$$2 == "T" && $$3 ~ /^pvmio_/ { print "#define BENCH_HAVE_" $$3 " 1" }' | \
		sort -u > $@.tmp && mv $@.tmp $@

# The dump section runs the CLI, when the tree has `pvmio dump`.
BENCH_CLI := $(if $(wildcard tools/cmd_dump.c),$(CLI))
BENCH_DEFS := $(if $(BENCH_CLI),-DBENCH_CLI='"$(abspath $(BENCH_CLI))"')

# Always -O2, whatever CFLAGS says: the numbers must not depend on it.
$(BENCH): $(BENCH_SRC) $(BENCH_HDR) $(O)/bench/bench-have.h $(LIBA) $(LIB_HDR) \
		$(BENCH_CLI)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -O2 $(BENCH_DEFS) -I$(O)/bench -Isrc $(LDFLAGS) \
		-o $@ $(BENCH_SRC) $(LIBA) -lpthread

# make check builds the bench and runs every row once on tiny sizes, each
# row checking the bytes it moved (no timing is judged).
CHECK_DEPS += $(BENCH)
TAP_PROGS += bench/smoke.sh
