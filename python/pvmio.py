# SPDX-License-Identifier: MIT
"""Read and write the memory of a running Linux process, over libpvmio.

A ctypes binding: nothing to compile, nothing beyond the standard library.
The library is looked up in this order: the file named by the environment
variable PVMIO_LIBRARY; libpvmio.so.0 (or libpvmio.so) beside this module;
ctypes.util.find_library("pvmio"); the dynamic loader's own search.

    >>> import pvmio, struct
    >>> p = pvmio.Process(pid)
    >>> [r for r in p.maps() if r.path == "[heap]"]
    >>> with p.memory(address) as mem:               # a file over the memory
    ...     level, = struct.unpack_from("<I", mem.read(4))
    ...     mem.seek(address); mem.write(struct.pack("<I", 99))
    >>> with p.freeze():                             # stopped inside the block
    ...     hits = p.search(b"\\xde\\xad\\x00\\xef", mask=b"\\xff\\xff\\x00\\xff")

Every failure of the library raises OSError with its errno and pvmio's
message (for example "process_vm_readv(pid 42, 0x1000, 16): Bad address").
"""

import collections
import ctypes
import ctypes.util
import errno
import io
import operator
import os

__all__ = [
    "FORCE", "UNPINNED", "PROT_READ", "PROT_WRITE", "PROT_EXEC",
    "Memory", "Process", "Region", "library_path", "version",
]

FORCE = 1 << 0          # PVMIO_FORCE: go through /proc/PID/mem where needed
UNPINNED = 1 << 1       # PVMIO_UNPINNED: no pidfd liveness check
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4

_SPACE = 1 << 64        # tell() is this once the cursor is past the end
_U64_MAX = _SPACE - 1


def _candidates():
    env = os.environ.get("PVMIO_LIBRARY")
    if env:
        return [env]    # explicit: nothing else is tried
    here = os.path.dirname(os.path.abspath(__file__))
    found = [os.path.join(here, n) for n in ("libpvmio.so.0", "libpvmio.so")]
    found = [p for p in found if os.path.exists(p)]
    name = ctypes.util.find_library("pvmio")
    return found + ([name] if name else []) + ["libpvmio.so.0"]


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True), path
        except OSError as e:
            tried.append(str(e))
    raise ImportError("pvmio: cannot load libpvmio (set PVMIO_LIBRARY): "
                      + "; ".join(tried))


class _Region(ctypes.Structure):
    _fields_ = [("start", ctypes.c_uint64), ("end", ctypes.c_uint64),
                ("offset", ctypes.c_uint64), ("prot", ctypes.c_uint),
                ("shared", ctypes.c_int), ("dev_major", ctypes.c_uint),
                ("dev_minor", ctypes.c_uint), ("inode", ctypes.c_uint64),
                ("path", ctypes.c_char_p)]


class _Span(ctypes.Structure):
    _fields_ = [("address", ctypes.c_uint64), ("buf", ctypes.c_void_p),
                ("len", ctypes.c_size_t), ("done", ctypes.c_ssize_t)]


_MATCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_void_p)
_P = ctypes.POINTER
_c_int, _c_uint, _c_u64 = ctypes.c_int, ctypes.c_uint, ctypes.c_uint64
_c_size, _c_ssize, _c_void = ctypes.c_size_t, ctypes.c_ssize_t, ctypes.c_void_p
_PROTOTYPES = {
    "pvmio_open": (_c_int, [_P(_c_void), _c_int, _c_u64, _c_uint]),
    "pvmio_open_pidfd": (_c_int, [_P(_c_void), _c_int, _c_u64, _c_uint]),
    "pvmio_close": (None, [_c_void]),
    "pvmio_pid": (_c_int, [_c_void]),
    "pvmio_read": (_c_ssize, [_c_void, _c_void, _c_size]),
    "pvmio_write": (_c_ssize, [_c_void, _c_void, _c_size]),
    "pvmio_pread": (_c_ssize, [_c_void, _c_void, _c_size, _c_u64]),
    "pvmio_pwrite": (_c_ssize, [_c_void, _c_void, _c_size, _c_u64]),
    "pvmio_read_spans": (_c_ssize, [_c_void, _P(_Span), _c_size]),
    "pvmio_write_spans": (_c_ssize, [_c_void, _P(_Span), _c_size]),
    "pvmio_set_threads": (_c_int, [_c_void, _c_uint]),
    "pvmio_seek": (_c_int, [_c_void, ctypes.c_int64, _c_int, _P(_c_u64)]),
    "pvmio_tell": (_c_int, [_c_void, _P(_c_u64)]),
    "pvmio_errmsg": (ctypes.c_char_p, []),
    "pvmio_version_string": (ctypes.c_char_p, []),
    "pvmio_maps": (_c_int, [_c_int, _P(_P(_Region)), _P(_c_size)]),
    "pvmio_maps_free": (None, [_P(_Region), _c_size]),
    "pvmio_freeze": (_c_int, [_c_int]),
    "pvmio_thaw": (_c_int, [_c_int]),
    "pvmio_search": (_c_ssize, [_c_int, _c_void, _c_void, _c_size,
                                _MATCH_FN, _c_void]),
}

_lib, _lib_path = _load()
for _name, (_res, _args) in _PROTOTYPES.items():
    _fn = getattr(_lib, _name, None)    # an older library may lack some
    if _fn is not None:
        _fn.restype, _fn.argtypes = _res, _args


def _call(name, *args):
    """Call pvmio_NAME; -1 from it becomes OSError(errno, pvmio_errmsg())."""
    fn = getattr(_lib, name, None)
    if fn is None:
        raise OSError(errno.ENOSYS, "%s: not in %s" % (name, _lib_path))
    ret = fn(*args)
    if ret is not None and ret < 0:
        raise _last_error()
    return ret


def _last_error():
    err = ctypes.get_errno()
    msg = _lib.pvmio_errmsg().decode("utf-8", "replace")
    return OSError(err, msg or os.strerror(err))


def _u64(value, what="address"):
    value = operator.index(value)
    if not 0 <= value < _SPACE:
        raise ValueError("%s %#x is outside the 64-bit address space"
                         % (what, value))
    return value


def _bytes_arg(data, what):
    if isinstance(data, str):
        raise TypeError("%s must be bytes-like, not str" % what)
    return memoryview(data).cast("B")


def version():
    """The version of the loaded libpvmio, "MAJOR.MINOR.PATCH"."""
    return _lib.pvmio_version_string().decode()


def library_path():
    """The path (or name) libpvmio was loaded from."""
    return _lib_path


_RegionBase = collections.namedtuple(
    "Region", "start end offset prot shared dev_major dev_minor inode path")


class Region(_RegionBase):
    """One line of /proc/PID/maps: [start, end), prot bits, path ("" if
    anonymous; "[stack]", "[heap]", ... as the kernel prints them)."""
    __slots__ = ()

    @property
    def size(self):
        return self.end - self.start

    @property
    def readable(self):
        return bool(self.prot & PROT_READ)

    @property
    def writable(self):
        return bool(self.prot & PROT_WRITE)

    @property
    def executable(self):
        return bool(self.prot & PROT_EXEC)

    @property
    def perms(self):
        """As in /proc/PID/maps: "rw-p", "r-xs", ..."""
        return "".join((("r" if self.readable else "-"),
                        ("w" if self.writable else "-"),
                        ("x" if self.executable else "-"),
                        ("s" if self.shared else "p")))

    def __contains__(self, address):
        return self.start <= address < self.end


class _Frozen:
    """What Process.freeze() returns: thaws the process on leaving a with."""

    def __init__(self, process):
        self.process = process

    def __enter__(self):
        return self.process

    def __exit__(self, *exc):
        self.process.thaw()
        return False


class Process:
    """A running process, by PID. Opening memory needs ptrace rights over it."""

    def __init__(self, pid):
        self.pid = operator.index(pid)

    def __repr__(self):
        return "pvmio.Process(%d)" % self.pid

    def maps(self):
        """The memory map, sorted by address: a list of Region."""
        regions, count = _P(_Region)(), _c_size()
        _call("pvmio_maps", self.pid, ctypes.byref(regions),
              ctypes.byref(count))
        try:
            return [Region(r.start, r.end, r.offset, r.prot, bool(r.shared),
                           r.dev_major, r.dev_minor, r.inode,
                           os.fsdecode(r.path or b""))
                    for r in regions[:count.value]]
        finally:
            _lib.pvmio_maps_free(regions, count)

    def search(self, pattern, mask=None, limit=None):
        """Addresses where pattern occurs in readable memory, in order.

        With mask (same length), byte i matches when
        mem[i] & mask[i] == pattern[i] & mask[i]: 0x00 is a wildcard byte.
        limit stops the search after that many matches.
        """
        pat = _bytes_arg(pattern, "pattern")
        msk = None if mask is None else _bytes_arg(mask, "mask")
        if msk is not None and len(msk) != len(pat):
            raise ValueError("mask has %d bytes, pattern %d"
                             % (len(msk), len(pat)))
        if limit is not None and operator.index(limit) <= 0:
            return []
        hits = []

        def on_match(address, _arg):
            hits.append(address)
            return 1 if limit is not None and len(hits) >= limit else 0

        cpat = (ctypes.c_char * len(pat)).from_buffer_copy(pat) if pat else None
        cmsk = None if msk is None else (
            (ctypes.c_char * len(msk)).from_buffer_copy(msk) if msk else None)
        _call("pvmio_search", self.pid, cpat, cmsk, len(pat),
              _MATCH_FN(on_match), None)
        return hits

    def freeze(self):
        """Stop every thread (SIGSTOP, waits until all are stopped).

        Returns a context manager that thaws the process on exit:
        ``with proc.freeze(): ...``; or call thaw() yourself."""
        _call("pvmio_freeze", self.pid)
        return _Frozen(self)

    def thaw(self):
        """Let a frozen process run again (SIGCONT)."""
        _call("pvmio_thaw", self.pid)

    def memory(self, address=0, flags=0):
        """A file-like Memory over the address space, cursor at address."""
        return Memory(self.pid, address, flags)

    def read(self, address, size):
        """Up to size bytes at address (short only where memory ends)."""
        with self.memory() as mem:
            return mem.pread(address, size)

    def write(self, address, data):
        """Write data at address; returns the bytes written."""
        with self.memory() as mem:
            return mem.pwrite(address, data)


class Memory(io.RawIOBase):
    """The memory of a process as a raw binary file over 2**64 bytes.

    read/readinto/write move a cursor that starts at address; a transfer
    that meets an inaccessible page returns the bytes before it, and the
    next one raises OSError(EFAULT). tell() is 2**64 once the cursor is past
    the end, where reads return b"". Wrap it in io.BufferedReader (or
    BufferedRandom) for buffered I/O; those keep positions in an off_t, so
    they reach addresses below 2**63 only, which is all of user space.
    pread/pwrite/read_spans leave the cursor alone.
    """

    def __init__(self, pid, address=0, flags=0):
        super().__init__()
        self._io = None
        handle = _c_void()
        _call("pvmio_open", ctypes.byref(handle), operator.index(pid),
              _u64(address), flags)
        self._io = handle

    @classmethod
    def from_pidfd(cls, pidfd, address=0, flags=0):
        """Open the process a pidfd refers to (the fd is duplicated)."""
        self = cls.__new__(cls)
        io.RawIOBase.__init__(self)
        self._io = None
        handle = _c_void()
        _call("pvmio_open_pidfd", ctypes.byref(handle), pidfd,
              _u64(address), flags)
        self._io = handle
        return self

    def __repr__(self):
        if self._io is None:
            return "<pvmio.Memory closed>"
        return "<pvmio.Memory pid=%d at %#x>" % (self.pid, self.tell())

    def _handle(self):
        if self._io is None:
            raise ValueError("I/O operation on closed pvmio.Memory")
        return self._io

    @property
    def pid(self):
        return _call("pvmio_pid", self._handle())

    def readable(self):
        self._handle()
        return True

    def writable(self):
        self._handle()
        return True

    def seekable(self):
        self._handle()
        return True

    def close(self):
        if self._io is not None:
            _lib.pvmio_close(self._io)
            self._io = None
        super().close()

    def readinto(self, b):
        handle = self._handle()
        view = memoryview(b).cast("B")
        if not view:
            return 0
        buf = (ctypes.c_char * len(view)).from_buffer(view)
        try:
            return _call("pvmio_read", handle, buf, len(view))
        finally:
            del buf     # let go of the export before the caller resizes b
            view.release()

    def write(self, b):
        handle = self._handle()
        data = _bytes_arg(b, "data")
        if not data:
            return 0
        buf = (ctypes.c_char * len(data)).from_buffer_copy(data)
        return _call("pvmio_write", handle, buf, len(data))

    def tell(self):
        pos = _c_u64()
        past_end = _call("pvmio_tell", self._handle(), ctypes.byref(pos))
        return _SPACE if past_end else pos.value

    def seek(self, offset, whence=io.SEEK_SET):
        """Move the cursor; returns it (2**64 past the end).

        As pvmio_seek(3): SEEK_CUR/SEEK_END beyond 2**64 lands past the end,
        before 0 raises OSError(EINVAL) and leaves the cursor. Offsets that
        do not fit 64 bits are folded here to the same rules."""
        handle = self._handle()
        offset = operator.index(offset)
        if whence == io.SEEK_SET:
            if offset < 0:
                raise OSError(errno.EINVAL, "negative seek position %d"
                              % offset)
            if offset >= _SPACE:
                offset, whence = 0, io.SEEK_END
            elif offset > _U64_MAX >> 1:
                offset -= _SPACE        # the library casts it back
        elif not -(1 << 63) <= offset < (1 << 63):
            base = self.tell() if whence == io.SEEK_CUR else _SPACE
            target = base + offset
            if target < 0:
                raise OSError(errno.EINVAL, "seek to %d: before address 0"
                              % target)
            return self.seek(min(target, _SPACE))
        _call("pvmio_seek", handle, offset, whence, None)
        return self.tell()

    def truncate(self, size=None):
        raise io.UnsupportedOperation("process memory cannot be truncated")

    def pread(self, address, size):
        """Up to size bytes at address; the cursor is untouched."""
        buf = ctypes.create_string_buffer(operator.index(size))
        n = _call("pvmio_pread", self._handle(), buf, size, _u64(address))
        return buf.raw[:n]

    def pwrite(self, address, data):
        """Write data at address; the cursor is untouched."""
        data = _bytes_arg(data, "data")
        buf = (ctypes.c_char * len(data)).from_buffer_copy(data)
        return _call("pvmio_pwrite", self._handle(), buf, len(data),
                     _u64(address))

    def read_spans(self, spans):
        """Read many (address, size) pieces in few syscalls.

        Returns one item per span: its bytes (short where memory ends), or
        an OSError instance (not raised) for a span whose first byte failed.
        """
        spans = [(_u64(a), operator.index(n)) for a, n in spans]
        bufs = [ctypes.create_string_buffer(n) for _, n in spans]
        arr = (_Span * len(spans))()
        for s, (addr, n), buf in zip(arr, spans, bufs):
            s.address, s.buf, s.len = addr, ctypes.addressof(buf), n
        _call("pvmio_read_spans", self._handle(), arr, len(spans))
        return [buf.raw[:s.done] if s.done >= 0 else
                OSError(-s.done, "%s: span at %#x" % (os.strerror(-s.done),
                                                      s.address))
                for s, buf in zip(arr, bufs)]

    def write_spans(self, spans):
        """Write many (address, data) pieces; returns per span the bytes
        written, or an OSError instance for a span that failed."""
        datas = [(_u64(a), bytes(_bytes_arg(d, "data"))) for a, d in spans]
        bufs = [ctypes.create_string_buffer(d, len(d)) for _, d in datas]
        arr = (_Span * len(datas))()
        for s, (addr, d), buf in zip(arr, datas, bufs):
            s.address, s.buf, s.len = addr, ctypes.addressof(buf), len(d)
        _call("pvmio_write_spans", self._handle(), arr, len(datas))
        return [s.done if s.done >= 0 else
                OSError(-s.done, "%s: span at %#x" % (os.strerror(-s.done),
                                                      s.address))
                for s in arr]

    def set_threads(self, n):
        """Split big reads over n threads (0: online CPUs, 1: off)."""
        _call("pvmio_set_threads", self._handle(), operator.index(n))
