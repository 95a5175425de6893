# The ecosystem around the library: how others take it.
#   make installcheck  stage `make install`, build and run the C, C++ and
#                      Python consumers against the stage (pkg-config)
#   make abicheck      exported symbols = src/libpvmio.map = the header's
#                      PVMIO_API functions; version, soname, .pc agree
#   make deb           build the Debian packages from a copy of the tree
#                      into $(O)/deb/ (dpkg-buildpackage -us -uc -b), lintian
#   make debcheck      make deb, then dpkg -i them, try them, purge them (root)
# `make check` also runs the Python binding's tests (tests/python.sh) and
# checks that abicheck catches each fault it is for (tests/abi/selftest.sh),
# and runs the examples (tests/examples.sh).

TAP_PROGS += tests/python.sh tests/abi/selftest.sh tests/examples.sh

.PHONY: installcheck abicheck deb debcheck
installcheck: lib $(CLI)
	O=$(O) MAKE="$(MAKE)" CC="$(CC)" prove --exec bash tests/install/installcheck.sh

abicheck: $(LIBSO) $(O)/pvmio.pc
	SO=$(LIBSO) PC=$(O)/pvmio.pc CC="$(CC)" prove --exec bash tests/abi/abicheck.sh

# The packages are built from `git archive $(DEB_REF)` (committed files
# only) in $(O)/deb/pvmio-$(VERSION)/; the .debs land in $(O)/deb/.
# DEB_BUILD_OPTIONS=nocheck skips the package build's `make check`.
DEB_OUT := $(O)/deb
DEB_REF ?= HEAD
deb:
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/pvmio-$(VERSION)
	git archive $(DEB_REF) | tar -x -C $(DEB_OUT)/pvmio-$(VERSION)
	cd $(DEB_OUT)/pvmio-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_OUT)/pvmio_*.changes

# Installs the built .debs into this system with dpkg, tries them, and
# purges them again: for CI or a throwaway machine (root).
debcheck: deb
	DEB_OUT=$(DEB_OUT) VERSION=$(VERSION) prove --exec bash tests/install/debcheck.sh
