# SPDX-License-Identifier: MIT
"""The Python consumer of an installed libpvmio: argv[1] is the version,
argv[2] the library the binding must have loaded. Reads a child's memory
through the file-like Memory and checks the bytes."""
import ctypes
import struct
import subprocess
import sys

import pvmio

version, library = sys.argv[1:3]
assert pvmio.library_path() == library, pvmio.library_path()
assert pvmio.version() == version, pvmio.version()
child = subprocess.Popen([sys.executable, "-c", """
import ctypes, sys
value = ctypes.c_uint64(0x1122334455667788)
print(ctypes.addressof(value), flush=True)
sys.stdin.read()
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
try:
    address = int(child.stdout.readline())
    with pvmio.Process(child.pid).memory(address) as mem:
        got, = struct.unpack_from("=Q", mem.read(8))
finally:
    child.kill()
    child.wait()
assert got == 0x1122334455667788, hex(got)
print("Python consumer: read %#x from pid %d with %s %s"
      % (got, child.pid, library, version))
