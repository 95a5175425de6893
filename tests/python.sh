#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Python binding's unittest suite (python/test_pvmio.py) as TAP, one
# line per test, against $O/libpvmio.so. A library built with sanitizers
# needs their runtime loaded first into python: it is preloaded.
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
PYTHON=${PYTHON:-python3}

if ! command -v "$PYTHON" >/dev/null 2>&1; then
	echo "1..0 # SKIP $PYTHON not found: the Python binding is not tested"
	exit 0
fi
if [ ! -e "$O/libpvmio.so" ]; then
	echo "1..0 # SKIP $O/libpvmio.so is not built"
	exit 0
fi
# a 32-bit library (make check CC="gcc -m32") cannot load into a 64-bit python
lib_class=$(readelf -h "$O/libpvmio.so" | awk '/Class:/ { print $2 }')
py_bits=$("$PYTHON" -c 'import struct; print(struct.calcsize("P") * 8)')
if [ "$lib_class" != "ELF$py_bits" ]; then
	echo "1..0 # SKIP $O/libpvmio.so is $lib_class, $PYTHON is $py_bits-bit"
	exit 0
fi
export PVMIO_LIBRARY=$O/libpvmio.so PYTHONPATH=python PYTHONDONTWRITEBYTECODE=1
if readelf -d "$O/libpvmio.so" | grep -q 'NEEDED.*libasan'; then
	asan=$(${CC:-gcc} -print-file-name=libasan.so)
	[ -e "$asan" ] || { echo "1..0 # SKIP ASan library: no $asan to preload"; exit 0; }
	export LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0:${ASAN_OPTIONS:-}
fi
if readelf -d "$O/libpvmio.so" | grep -q 'NEEDED.*libtsan'; then
	echo "1..0 # SKIP a ThreadSanitizer library is not loaded into python"
	exit 0
fi

exec "$PYTHON" - <<'PY'
import sys
import unittest

class Tap(unittest.TestResult):
    n = 0

    def line(self, test, ok, note=""):
        self.n += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, test.id(),
                                note), flush=True)

    def addSuccess(self, test):
        self.line(test, True)

    def addSkip(self, test, reason):
        self.line(test, True, " # SKIP " + reason)

    def addExpectedFailure(self, test, err):
        self.line(test, True, " # TODO expected failure")

    def addUnexpectedSuccess(self, test):
        self.line(test, False, ": unexpected success")

    def report(self, test, err, what):
        self.line(test, False, ": " + what)
        text = self._exc_info_to_string(err, test)
        print("".join("#   " + l + "\n" for l in text.splitlines()), end="")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.report(test, err, "failed")

    def addError(self, test, err):
        super().addError(test, err)
        self.report(test, err, "error")

suite = unittest.defaultTestLoader.loadTestsFromName("test_pvmio")
result = Tap()
suite.run(result)
print("1..%d" % result.n)
sys.exit(0 if result.wasSuccessful() else 1)
PY
