# The ecosystem around the library: how others take it.
#   make installcheck  stage `make install`, build and run the C, C++ and
#                      Python consumers against the stage (pkg-config)
#   make abicheck      exported symbols = src/libpvmio.map = the header's
#                      PVMIO_API functions; version, soname, .pc agree
#   make deb           build the Debian packages from a copy of the tree
#                      into $(O)/deb/ (dpkg-buildpackage -us -uc -b)
# `make check` also runs the Python binding's tests (tests/python.sh) and
# checks that abicheck catches each fault it is for (tests/abi/selftest.sh),
# and runs the examples (tests/examples.sh).

TAP_PROGS += tests/python.sh tests/abi/selftest.sh tests/examples.sh

.PHONY: installcheck abicheck deb
installcheck: lib $(CLI)
	O=$(O) MAKE="$(MAKE)" CC="$(CC)" prove --exec bash tests/install/installcheck.sh

abicheck: $(LIBSO) $(O)/pvmio.pc
	SO=$(LIBSO) PC=$(O)/pvmio.pc CC="$(CC)" prove --exec bash tests/abi/abicheck.sh
