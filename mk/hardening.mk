# Hardening (issue 5): the peers of tests/cross_abi.c, one per ABI that $(CC)
# can build (-m32 needs Debian's gcc-multilib), so that a 64-bit pvmio
# reads a 32-bit process and a 32-bit pvmio a 64-bit one. A peer that
# cannot be built is skipped by the test, with the reason.

PEER_ABIS := $(foreach m,32 64,$(if $(shell printf 'int main(void){return 0;}' | \
	$(CC) -m$(m) -x c - -o /dev/null 2>/dev/null && echo y),$(m)))
PEERS := $(patsubst %,$(O)/tests/peers/peer%,$(PEER_ABIS))
CHECK_DEPS += $(PEERS)

$(O)/tests/peers/peer%: tests/peers/peer.c
	$(call msg,CCLD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(CPPFLAGS) $(CFLAGS) -m$* $(LDFLAGS) -o $@ $<

# The CLI's long work while its target dies (needs the CLI and bulk).
TAP_PROGS += tests/fault_cli.sh
