# pvmio: plain GNU Make. `make help` lists the targets.

VERSION_MAJOR := $(shell sed -n 's/^\#define PVMIO_VERSION_MAJOR \([0-9]*\)/\1/p' include/pvmio.h)
VERSION_MINOR := $(shell sed -n 's/^\#define PVMIO_VERSION_MINOR \([0-9]*\)/\1/p' include/pvmio.h)
VERSION_PATCH := $(shell sed -n 's/^\#define PVMIO_VERSION_PATCH \([0-9]*\)/\1/p' include/pvmio.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
MAP_NODE := PVMIO_$(VERSION_MAJOR).$(VERSION_MINOR)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=

CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
# 64-bit file offsets: /proc/PID/mem offsets are addresses, also on i686.
# Stack clash protection: a frame bigger than the guard page probes it, so
# a caller's small thread stack overflows into a crash, never into memory.
BASE := -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -fstack-clash-protection \
	-Iinclude $(WARN)

# Each flavour builds into its own tree, so they never mix objects.
O := build
ifeq ($(SANITIZE),1)
O := build/asan
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
ifeq ($(TSAN),1)
O := build/tsan
SAN := -fsanitize=thread -fno-omit-frame-pointer
endif
ifneq ($(filter -m32,$(CC) $(CFLAGS)),)
O := build/m32
endif

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

LIB_SRC := $(sort $(wildcard src/*.c))
LIB_HDR := include/pvmio.h src/internal.h
STATIC_OBJ := $(patsubst src/%.c,$(O)/static/%.o,$(LIB_SRC))
SHARED_OBJ := $(patsubst src/%.c,$(O)/shared/%.o,$(LIB_SRC))
LIBA := $(O)/libpvmio.a
SONAME := libpvmio.so.$(VERSION_MAJOR)
LIBSO := $(O)/libpvmio.so

TEST_SRC := $(sort $(filter-out tests/helpers.c,$(wildcard tests/*.c)))
TESTS := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRC))
TARGET_SRC := $(sort $(wildcard tests/target/*.c))
TARGETS := $(patsubst tests/%.c,$(O)/tests/%,$(TARGET_SRC))
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%,$(EXAMPLE_SRC))
TOOL_SRC := $(sort $(wildcard tools/*.c))
TOOL_HDR := $(wildcard tools/*.h)
CLI := $(if $(TOOL_SRC),$(O)/pvmio)
MAN3 := $(wildcard man/man3/*.3)
MAN1 := $(wildcard man/man1/*.1)
MAN7 := $(wildcard man/man7/*.7)

ALL_CFLAGS = $(BASE) $(SAN) $(CPPFLAGS) $(CFLAGS)
# What `make check` runs through prove, and what it builds first; the
# fragments in mk/ (bench, fuzz, lint, python, ...) add to both.
TAP_PROGS = $(TESTS)
CHECK_DEPS = all $(TESTS) $(TARGETS)
PROVE_JOBS ?= 2
TEST_TIMEOUT ?= 300

.DEFAULT_GOAL := all
.PHONY: all lib check demo valgrind install uninstall clean help
all: lib $(CLI) $(EXAMPLES)
lib: $(LIBA) $(LIBSO) $(O)/pvmio.pc

$(O)/static/%.o: src/%.c $(LIB_HDR)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c $< -o $@

$(O)/shared/%.o: src/%.c $(LIB_HDR)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -fvisibility=hidden -fPIC -c $< -o $@

$(LIBA): $(STATIC_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The map's node and the header's version must agree.
$(O)/map-ok: src/libpvmio.map include/pvmio.h
	@grep -q '^$(MAP_NODE) {' src/libpvmio.map || \
		{ echo "src/libpvmio.map has no node $(MAP_NODE): versions are out of sync" >&2; exit 1; }
	@mkdir -p $(@D) && touch $@

$(LIBSO): $(SHARED_OBJ) src/libpvmio.map $(O)/map-ok
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=src/libpvmio.map -Wl,-z,defs \
		$(LDFLAGS) -o $@.$(VERSION) $(SHARED_OBJ) -lpthread
	$(Q)ln -sf libpvmio.so.$(VERSION) $(O)/$(SONAME)
	$(Q)ln -sf $(SONAME) $@

# The installed .pc is generated again at install time: PREFIX may differ.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|'
$(O)/pvmio.pc: pvmio.pc.in include/pvmio.h
	$(call msg,GEN,$@)
	@mkdir -p $(@D)
	$(Q)$(PC_SED) $< > $@

$(O)/tests/helpers.o: tests/helpers.c tests/helpers.h include/pvmio.h
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# Tests link the static library: they may interpose libc calls the library
# makes (process_vm_readv), and they run without LD_LIBRARY_PATH.
$(O)/tests/%: tests/%.c $(O)/tests/helpers.o $(LIBA) tests/helpers.h $(LIB_HDR)
	$(call msg,CCLD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(O)/tests/helpers.o $(LIBA) -lpthread -ldl

# Helper targets that tests exec; never instrumented, so that a sanitizer's
# terabytes of shadow memory never end up in what a test scans.
$(O)/tests/target/%: tests/target/%.c
	$(call msg,CCLD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

$(O)/examples/%: examples/%.c $(LIBA) include/pvmio.h
	$(call msg,CCLD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) -lpthread

$(O)/pvmio: $(TOOL_SRC) $(TOOL_HDR) $(LIBA) include/pvmio.h
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRC) $(LIBA) -lpthread

# The fragments come before the rules that use what they add.
-include $(sort $(wildcard mk/*.mk))

check: $(CHECK_DEPS)
	@test -n "$(TESTS)" || { echo "no tests" >&2; exit 1; }
	O=$(O) prove -j$(PROVE_JOBS) --exec 'timeout -k 10 $(TEST_TIMEOUT)' $(TAP_PROGS)

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
valgrind: $(CHECK_DEPS)
	O=$(O) PVMIO_VALGRIND=1 prove -j$(PROVE_JOBS) --exec 'timeout -k 10 900 $(VALGRIND)' $(TESTS)

demo: all
	$(O)/pvmio demo

install: lib $(CLI)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 include/pvmio.h $(DESTDIR)$(INCLUDEDIR)/pvmio.h
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libpvmio.a
	install -m 755 $(LIBSO).$(VERSION) $(DESTDIR)$(LIBDIR)/libpvmio.so.$(VERSION)
	ln -sf libpvmio.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libpvmio.so
	$(PC_SED) pvmio.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/pvmio.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/pvmio.pc
	install -d $(DESTDIR)$(MANDIR)/man3
	$(if $(MAN3),cp -P $(MAN3) $(DESTDIR)$(MANDIR)/man3/)
	$(if $(MAN1),install -d $(DESTDIR)$(MANDIR)/man1 && install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(MAN7),install -d $(DESTDIR)$(MANDIR)/man7 && install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
	$(if $(CLI),install -d $(DESTDIR)$(BINDIR) && install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/pvmio)

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/pvmio.h $(DESTDIR)$(LIBDIR)/libpvmio.a \
		$(DESTDIR)$(LIBDIR)/libpvmio.so* $(DESTDIR)$(PKGCONFIGDIR)/pvmio.pc \
		$(DESTDIR)$(BINDIR)/pvmio
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))

clean:
	rm -rf build

help:
	@echo 'make            build the libraries, the CLI and the examples into build/'
	@echo 'make demo       build and run the walkthrough'
	@echo 'make check      build and run every test (SANITIZE=1: ASan+UBSan, TSAN=1)'
	@echo 'make valgrind   run every test under valgrind'
	@echo 'make install    PREFIX=/usr/local DESTDIR= (header, libraries, pvmio.pc, man pages, CLI)'
