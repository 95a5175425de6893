# SPDX-License-Identifier: MIT
"""Tests of the Python binding against real processes.

Each test class starts a child Python process that lays out known memory
(a struct, an area with an unmapped page, a marker found nowhere else) and
prints the addresses; the child answers "dump ADDR LEN" on stdin with the
hex of its own memory, so writes are checked from the child's side.

Run: PVMIO_LIBRARY=build/libpvmio.so python3 -m unittest -v test_pvmio
(from python/, or with python/ on PYTHONPATH).
"""

import ctypes
import errno
import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import unittest

import pvmio

CHILD = r"""
import ctypes, json, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
page = mmap.PAGESIZE

# 4 pages of bytes (i * 7) & 0xff; page 2 unmapped: a hole
area = libc.mmap(None, 4 * page, 3, 0x22, -1, 0)
ctypes.memmove(area, bytes((i * 7) & 0xff for i in range(4 * page)), 4 * page)
if libc.munmap(area + 2 * page, page) != 0:
    sys.exit("munmap failed")

class Player(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 16), ("level", ctypes.c_uint32),
                ("health", ctypes.c_double), ("gold", ctypes.c_uint64)]
player = Player(b"ada", 42, 97.5, 1 << 40)

# The marker, xored byte by byte so that no other copy is ever in memory.
token = bytes.fromhex(sys.argv[1])
marks = [(ctypes.c_ubyte * len(token))() for _ in range(2)]
for m in marks:
    for i in range(len(token)):
        m[i] = token[i] ^ 0x5a

print(json.dumps({"page": page, "area": area,
                  "player": ctypes.addressof(player),
                  "marks": [ctypes.addressof(m) for m in marks]}), flush=True)
for line in sys.stdin:
    cmd, addr, n = line.split()
    print(ctypes.string_at(int(addr), int(n)).hex(), flush=True)
"""

PLAYER = struct.Struct("=16sI4xdQ")     # the layout of the child's Player


def marker_token():
    return os.urandom(12).hex()


class Child:
    """The child process and what it printed about its memory."""

    def __init__(self):
        self.token = marker_token()
        # No sanitizer runtime in the child: its terabytes of shadow
        # mappings would be what a search has to scan.
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, self.token], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            universal_newlines=True)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError("the child died before it spoke")
        info = json.loads(line)
        self.pid = self.proc.pid
        self.page = info["page"]
        self.area = info["area"]
        self.hole = self.area + 2 * self.page
        self.player = info["player"]
        self.marks = info["marks"]
        self.marker = bytes(b ^ 0x5a for b in bytes.fromhex(self.token))

    @staticmethod
    def fill(address_offset, n):
        return bytes(((address_offset + i) * 7) & 0xff for i in range(n))

    def dump(self, address, n):
        """The child's own view of its memory."""
        self.proc.stdin.write("dump %d %d\n" % (address, n))
        self.proc.stdin.flush()
        return bytes.fromhex(self.proc.stdout.readline().strip())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class ChildTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.child = Child()
        cls.proc = pvmio.Process(cls.child.pid)

    @classmethod
    def tearDownClass(cls):
        cls.child.kill()


class TestMemory(ChildTest):
    def test_read_known_bytes_and_cursor(self):
        c = self.child
        with self.proc.memory(c.area + 100) as mem:
            self.assertEqual(mem.read(300), c.fill(100, 300))
            self.assertEqual(mem.tell(), c.area + 400)
            buf = bytearray(50)
            self.assertEqual(mem.readinto(buf), 50)
            self.assertEqual(bytes(buf), c.fill(400, 50))
            view = memoryview(bytearray(64))[8:24]
            self.assertEqual(mem.readinto(view), 16)
            self.assertEqual(bytes(view), c.fill(450, 16))

    def test_buffered_reader_and_struct(self):
        c = self.child
        mem = self.proc.memory(c.player)
        with io.BufferedReader(mem, buffer_size=64) as f:
            name, level, health, gold = PLAYER.unpack_from(f.read(PLAYER.size))
            self.assertEqual(name.rstrip(b"\0"), b"ada")
            self.assertEqual((level, health, gold), (42, 97.5, 1 << 40))
            f.seek(c.area + 5)
            self.assertEqual(f.read(3), c.fill(5, 3))
            self.assertEqual(f.tell(), c.area + 8)
        self.assertTrue(mem.closed)

    def test_buffered_random_writes_on_flush(self):
        c = self.child
        target = c.area + 3 * c.page + 200
        with io.BufferedRandom(self.proc.memory(), buffer_size=16) as f:
            f.seek(target)
            f.write(b"buffered")
            f.flush()
            self.assertEqual(c.dump(target, 8), b"buffered")
            f.seek(target + 4)
            self.assertEqual(f.read(4), b"ered")

    def test_short_read_at_the_hole_then_efault(self):
        c = self.child
        with self.proc.memory(c.hole - 100) as mem:
            self.assertEqual(mem.read(4 * c.page), c.fill(2 * c.page - 100, 100))
            self.assertEqual(mem.tell(), c.hole)
            with self.assertRaises(OSError) as cm:
                mem.read(10)
            self.assertEqual(cm.exception.errno, errno.EFAULT)
            self.assertIn("pid %d" % c.pid, cm.exception.strerror)
            self.assertIn("%#x" % c.hole, cm.exception.strerror)
            self.assertEqual(mem.tell(), c.hole, "cursor moved on failure")

    def test_write_reaches_the_child(self):
        c = self.child
        target = c.area + c.page + 10
        with self.proc.memory(target) as mem:
            self.assertEqual(mem.write(b"written by pvmio"), 16)
            self.assertEqual(mem.tell(), target + 16)
            self.assertEqual(mem.pwrite(target + 16, bytearray(b"!")), 1)
        self.assertEqual(c.dump(target, 17), b"written by pvmio!")
        self.assertEqual(c.dump(target + 17, 3), c.fill(c.page + 27, 3))

    def test_write_into_the_hole_is_short(self):
        c = self.child
        with self.proc.memory(c.hole - 4) as mem:
            self.assertEqual(mem.write(b"abcdefgh"), 4)
            with self.assertRaises(OSError) as cm:
                mem.write(b"x")
            self.assertEqual(cm.exception.errno, errno.EFAULT)
        self.assertEqual(c.dump(c.hole - 4, 4), b"abcd")

    def test_pread_leaves_the_cursor(self):
        c = self.child
        with self.proc.memory(c.area) as mem:
            self.assertEqual(mem.pread(c.area + 3 * c.page, 8),
                             c.fill(3 * c.page, 8))
            self.assertEqual(mem.tell(), c.area)

    def test_read_spans(self):
        c = self.child
        with self.proc.memory() as mem:
            got = mem.read_spans([(c.area, 8), (c.hole - 2, 8), (c.hole, 8),
                                  (c.area + 3 * c.page, 4)])
            self.assertEqual(mem.tell(), 0)
        self.assertEqual(got[0], c.fill(0, 8))
        self.assertEqual(got[1], c.fill(2 * c.page - 2, 2))
        self.assertIsInstance(got[2], OSError)
        self.assertEqual(got[2].errno, errno.EFAULT)
        self.assertEqual(got[3], c.fill(3 * c.page, 4))

    def test_write_spans(self):
        c = self.child
        a = c.area + 3 * c.page
        with self.proc.memory() as mem:
            got = mem.write_spans([(a, b"one"), (c.hole, b"two"), (a + 8, b"3")])
        self.assertEqual(got[0], 3)
        self.assertEqual(got[1].errno, errno.EFAULT)
        self.assertEqual(got[2], 1)
        self.assertEqual(c.dump(a, 9), b"one" + c.fill(3 * c.page + 3, 5) + b"3")

    def test_threads_keep_results(self):
        c = self.child
        with self.proc.memory(c.area) as mem:
            mem.set_threads(2)
            self.assertEqual(mem.read(2 * c.page), c.fill(0, 2 * c.page))

    def test_process_read_write(self):
        c = self.child
        a = c.area + 3 * c.page + 100
        self.assertEqual(self.proc.write(a, b"\x01\x02"), 2)
        self.assertEqual(self.proc.read(a, 2), b"\x01\x02")

    def test_file_protocol(self):
        mem = self.proc.memory()
        self.assertTrue(mem.readable() and mem.writable() and mem.seekable())
        self.assertIsInstance(mem, io.RawIOBase)
        self.assertEqual(mem.pid, self.child.pid)
        with self.assertRaises(io.UnsupportedOperation):
            mem.fileno()
        mem.close()
        mem.close()
        self.assertTrue(mem.closed)
        with self.assertRaises(ValueError):
            mem.read(1)
        with self.assertRaises(ValueError):
            mem.tell()


class TestSeek(ChildTest):
    END = 1 << 64

    def setUp(self):
        self.mem = self.proc.memory(0x1000)

    def tearDown(self):
        self.mem.close()

    def test_set_cur_end(self):
        m = self.mem
        self.assertEqual(m.seek(0x2000), 0x2000)
        self.assertEqual(m.seek(0x10, io.SEEK_CUR), 0x2010)
        self.assertEqual(m.seek(-0x10, io.SEEK_CUR), 0x2000)
        self.assertEqual(m.seek(-1, io.SEEK_END), self.END - 1)
        self.assertEqual(m.seek(self.END - 1), self.END - 1)
        self.assertEqual(m.seek(1 << 63), 1 << 63)

    def test_past_the_end(self):
        m = self.mem
        self.assertEqual(m.seek(0, io.SEEK_END), self.END)
        self.assertEqual(m.tell(), self.END)
        self.assertEqual(m.read(10), b"")
        self.assertEqual(m.seek(-4, io.SEEK_CUR), self.END - 4)
        m.seek(self.END - 4)
        self.assertEqual(m.seek(100, io.SEEK_CUR), self.END)
        self.assertEqual(m.seek(self.END + 5), self.END)
        self.assertEqual(m.seek(1 << 70, io.SEEK_CUR), self.END)

    def test_before_zero_is_einval_and_leaves_cursor(self):
        m = self.mem
        for off, whence in ((-0x1001, io.SEEK_CUR), (-1, io.SEEK_SET),
                            (-(1 << 65), io.SEEK_END)):
            with self.assertRaises(OSError) as cm:
                m.seek(off, whence)
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertEqual(m.tell(), 0x1000)

    def test_bad_whence(self):
        with self.assertRaises(OSError) as cm:
            self.mem.seek(0, 7)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertTrue(cm.exception.strerror)

    def test_huge_offsets_fold(self):
        m = self.mem
        self.assertEqual(m.seek((1 << 63) + 5, io.SEEK_CUR), (1 << 63) + 0x1005)
        self.assertEqual(m.seek(-(1 << 63) - 5, io.SEEK_END), (1 << 63) - 5)


class TestMaps(ChildTest):
    def test_regions(self):
        c = self.child
        regions = self.proc.maps()
        self.assertTrue(regions)
        self.assertEqual(regions, sorted(regions, key=lambda r: r.start))
        area = [r for r in regions if c.area in r]
        self.assertEqual(len(area), 1)
        r = area[0]
        self.assertTrue(r.readable and r.writable and not r.executable)
        self.assertEqual(r.perms, "rw-p")
        self.assertEqual(r.path, "")
        self.assertGreaterEqual(r.end, c.area + 2 * c.page)
        self.assertFalse(any(c.hole in r for r in regions))
        self.assertTrue(any(r.path == "[stack]" for r in regions))
        exe = os.path.realpath("/proc/%d/exe" % c.pid)
        self.assertTrue(any(r.path == exe and r.executable for r in regions))

    def test_no_such_process(self):
        with self.assertRaises(OSError) as cm:
            pvmio.Process(dead_pid()).maps()
        self.assertEqual(cm.exception.errno, errno.ESRCH)


def has(symbol):
    return hasattr(pvmio._lib, symbol)


@unittest.skipUnless(has("pvmio_search"), "libpvmio has no pvmio_search yet")
class TestSearch(ChildTest):
    def test_exact(self):
        c = self.child
        self.assertEqual(self.proc.search(c.marker), c.marks)

    def test_mask_and_limit(self):
        c = self.child
        pat = bytearray(c.marker)
        pat[3] ^= 0xff          # wrong byte, masked out
        mask = b"\xff" * 3 + b"\x00" + b"\xff" * (len(pat) - 4)
        self.assertEqual(self.proc.search(pat, mask=mask), c.marks)
        self.assertEqual(self.proc.search(pat), [])
        self.assertEqual(self.proc.search(c.marker, limit=1), c.marks[:1])
        self.assertEqual(self.proc.search(c.marker, limit=0), [])

    def test_bad_arguments(self):
        with self.assertRaises(OSError) as cm:
            self.proc.search(b"")
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        with self.assertRaises(ValueError):
            self.proc.search(b"ab", mask=b"a")
        with self.assertRaises(TypeError):
            self.proc.search("text")


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


class TestFreeze(ChildTest):
    def test_context_manager_thaws(self):
        pid = self.child.pid
        with self.proc.freeze() as p:
            self.assertIs(p, self.proc)
            self.assertEqual(proc_state(pid), "T")
            self.assertEqual(self.proc.read(self.child.area, 4),
                             self.child.fill(0, 4))
        self.assertIn(wait_state(pid, "T"), "SR")

    def test_thaws_on_exception(self):
        pid = self.child.pid
        with self.assertRaises(KeyError):
            with self.proc.freeze():
                raise KeyError("inside")
        self.assertIn(wait_state(pid, "T"), "SR")

    def test_errors(self):
        for pid, err in ((0, errno.EINVAL), (dead_pid(), errno.ESRCH),
                         (os.getpid(), errno.EINVAL)):     # never ourselves
            with self.assertRaises(OSError) as cm:
                pvmio.Process(pid).freeze()
            self.assertEqual(cm.exception.errno, err)


def wait_state(pid, leaving):
    """The state of pid once it is no longer `leaving` (SIGCONT is async)."""
    for _ in range(200):
        state = proc_state(pid)
        if state != leaving:
            return state
        time.sleep(0.01)
    return state


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


class TestErrors(unittest.TestCase):
    def test_open_errors(self):
        for pid, err in ((0, errno.EINVAL), (-5, errno.EINVAL),
                         (dead_pid(), errno.ESRCH)):
            with self.assertRaises(OSError) as cm:
                pvmio.Memory(pid)
            self.assertEqual(cm.exception.errno, err, cm.exception)
            self.assertIn("pid", cm.exception.strerror)

    def test_bad_address(self):
        with self.assertRaises(ValueError):
            pvmio.Process(os.getpid()).memory(1 << 64)
        with self.assertRaises(ValueError):
            pvmio.Process(os.getpid()).memory(-1)

    def test_exited_child_is_esrch(self):
        child = Child()
        mem = pvmio.Process(child.pid).memory(child.area)
        child.kill()
        with self.assertRaises(OSError) as cm:
            mem.read(8)
        self.assertEqual(cm.exception.errno, errno.ESRCH)
        mem.close()

    def test_own_memory(self):
        buf = ctypes.create_string_buffer(b"self read", 16)
        with pvmio.Process(os.getpid()).memory(ctypes.addressof(buf)) as m:
            self.assertEqual(m.read(9), b"self read")

    def test_pidfd(self):
        if not hasattr(os, "pidfd_open"):
            self.skipTest("os.pidfd_open needs Python 3.9 and Linux 5.3")
        buf = ctypes.create_string_buffer(b"by pidfd", 16)
        try:
            fd = os.pidfd_open(os.getpid())
        except OSError as e:
            self.skipTest("pidfd_open: %s" % e)
        try:
            with pvmio.Memory.from_pidfd(fd, ctypes.addressof(buf)) as m:
                self.assertEqual(m.read(8), b"by pidfd")
            os.fstat(fd)    # ours is still open
        finally:
            os.close(fd)


class TestLoading(unittest.TestCase):
    def test_version(self):
        self.assertRegex(pvmio.version(), r"^\d+\.\d+\.\d+$")

    def test_bad_library_path_is_an_import_error(self):
        env = dict(os.environ, PVMIO_LIBRARY="/nonexistent/libpvmio.so.0")
        here = os.path.dirname(os.path.abspath(pvmio.__file__))
        r = subprocess.run([sys.executable, "-c", "import pvmio"], env=env,
                           cwd=here, stderr=subprocess.PIPE,
                           universal_newlines=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError", r.stderr)
        self.assertIn("/nonexistent/libpvmio.so.0", r.stderr)


if __name__ == "__main__":
    unittest.main()
