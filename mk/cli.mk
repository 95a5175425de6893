# The pvmio command (tools/): its TAP test runs the built binary against
# $(O)/tests/target/cli_target, so make check needs both first.
TAP_PROGS += tests/cli.sh
CHECK_DEPS += $(CLI)

# tests/cli_args links the parsers alone, as fuzz/args_fuzzer does: an
# explicit rule, so the tests' pattern rule does not apply to it.
$(O)/tools/args.o: tools/args.c tools/args.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/tests/cli_args: tests/cli_args.c $(O)/tools/args.o $(O)/tests/helpers.o \
		$(LIBA) tests/helpers.h tools/args.h $(LIB_HDR)
	$(call msg,CCLD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc -Itools $(LDFLAGS) -o $@ $< \
		$(O)/tools/args.o $(O)/tests/helpers.o $(LIBA) -lpthread -ldl
