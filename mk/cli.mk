# The pvmio command (tools/): its TAP test runs the built binary against
# $(O)/tests/target/cli_target, so make check needs both first.
TAP_PROGS += tests/cli.sh
CHECK_DEPS += $(CLI)
