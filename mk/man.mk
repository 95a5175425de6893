# Manual pages: `make check` renders every man/man*/*.[0-9] with groff -ww
# (tests/man.sh) and fails on any warning.
TAP_PROGS += tests/man.sh
