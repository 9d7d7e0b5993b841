# SPDX-License-Identifier: GPL-2.0 OR MIT
"""beaver_app: libbeaver-app for Python (ctypes; no compiled extension).

    import socket, beaver_app
    app = beaver_app.App("bank")             # subscribe to this member's cuts
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    beaver_app.enable(sock)                  # epochs with every datagram
    data, src, epoch = app.recvfrom(sock, 2048)   # epoch: None if not marked
    cut = app.next_cut(timeout_ms=0)         # None, or a Cut
    if cut:
        app.submit(cut.epoch, state_before(cut.epoch))

A datagram whose epoch is below E was delivered before this member's cut
for snapshot E, one at or above E after it (libbeaver-app(3),
docs/applications.md). The library is found as libbeaver-app.so.0 on the
loader's path, or where BEAVER_APP_LIB names it.
"""
import ctypes
import errno
import os
import socket
import sys

SO_RCVMARK = 75         # Linux 5.19
SO_MARK = 36            # SO_RCVMARK's control messages are of this type
STATE_MAX = 4096


class Cut(ctypes.Structure):
    """one cut of this member: epoch (= last), first, last, cut_ns"""
    _fields_ = [("epoch", ctypes.c_uint32), ("first", ctypes.c_uint32),
                ("last", ctypes.c_uint32), ("cut_ns", ctypes.c_uint64)]

    def __repr__(self):
        return (f"Cut(epoch={self.epoch}, first={self.first}, "
                f"last={self.last}, cut_ns={self.cut_ns})")


def _load():
    lib = ctypes.CDLL(os.environ.get("BEAVER_APP_LIB", "libbeaver-app.so.0"),
                      use_errno=True)
    p = ctypes.c_void_p
    sig = {
        "beaver_app_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p,
                                           ctypes.POINTER(p)]),
        "beaver_app_close": (None, [p]),
        "beaver_app_fd": (ctypes.c_int, [p]),
        "beaver_app_mark_mask": (ctypes.c_uint32, [p]),
        "beaver_app_epoch": (ctypes.c_uint32, [p]),
        "beaver_app_next_cut": (ctypes.c_int, [p, ctypes.POINTER(Cut),
                                               ctypes.c_int]),
        "beaver_app_submit": (ctypes.c_int, [p, ctypes.c_uint32,
                                             ctypes.c_char_p]),
        "beaver_app_epoch_of_mark": (ctypes.c_int, [
            p, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32)]),
        "beaver_app_tcp_cut": (ctypes.c_int, [
            p, ctypes.c_int, ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint64)]),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


_lib = None


def _get():
    global _lib
    if _lib is None:
        _lib = _load()
    return _lib


def _check(rc, what):
    if rc < 0:
        raise OSError(-rc, f"{what}: {os.strerror(-rc)}")
    return rc


def enable(sock):
    """turn on SO_RCVMARK on a datagram socket"""
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVMARK, 1)


class App:
    """a subscription to this member's cuts (beaver_app_open)"""

    def __init__(self, name, path=None):
        self._h = None
        self._lib = _get()
        h = ctypes.c_void_p()
        _check(self._lib.beaver_app_open(
            path.encode() if path else None, name.encode(),
            ctypes.byref(h)), "beaver_app_open")
        self._h = h

    def close(self):
        if self._h:
            self._lib.beaver_app_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def fileno(self):
        """the socket to poll for cut announcements"""
        return self._lib.beaver_app_fd(self._h)

    @property
    def mark_mask(self):
        return self._lib.beaver_app_mark_mask(self._h)

    @property
    def epoch(self):
        """the newest epoch beaverd announced"""
        return self._lib.beaver_app_epoch(self._h)

    def next_cut(self, timeout_ms=0):
        """the next cut announcement (a Cut), or None within timeout_ms
        (0: only what is queued; -1: forever); OSError(EPIPE) if beaverd
        went away"""
        c = Cut()
        rc = _check(self._lib.beaver_app_next_cut(self._h, ctypes.byref(c),
                                                  timeout_ms),
                    "beaver_app_next_cut")
        return c if rc == 1 else None

    def submit(self, epoch, state):
        """attach state (str, at most 4096 bytes) to the record of epoch"""
        b = state.encode()
        if len(b) > STATE_MAX:
            raise OSError(errno.EMSGSIZE, "state longer than 4096 bytes")
        _check(self._lib.beaver_app_submit(self._h, epoch, b),
               "beaver_app_submit")

    def epoch_of_mark(self, mark):
        """the epoch in a packet mark, or None if not marked"""
        e = ctypes.c_uint32()
        ok = self._lib.beaver_app_epoch_of_mark(self._h, mark & 0xffffffff,
                                                ctypes.byref(e))
        return e.value if ok == 1 else None

    def recvfrom(self, sock, bufsize, flags=0):
        """(data, address, epoch) of one datagram from a socket enable()
        prepared; epoch None if the member did not mark it"""
        data, anc, _, addr = sock.recvmsg(bufsize, socket.CMSG_SPACE(4),
                                          flags)
        epoch = None
        for level, typ, val in anc:
            if level == socket.SOL_SOCKET and typ == SO_MARK and len(val) >= 4:
                epoch = self.epoch_of_mark(int.from_bytes(val[:4],
                                                          sys.byteorder))
        return data, addr, epoch

    def tcp_cut(self, sock, epoch):
        """(rx_before, tx_before): bytes of the peer's stream delivered
        before this member's cut of epoch, and of ours that left before
        it, on the connected TCP socket sock (a socket or an fd); None if
        the record does not know the flow exactly"""
        fd = sock if isinstance(sock, int) else sock.fileno()
        rx, tx = ctypes.c_uint64(), ctypes.c_uint64()
        rc = _check(self._lib.beaver_app_tcp_cut(self._h, fd, epoch,
                                                 ctypes.byref(rx),
                                                 ctypes.byref(tx)),
                    "beaver_app_tcp_cut")
        return (rx.value, tx.value) if rc == 1 else None
