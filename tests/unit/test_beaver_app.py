#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The Python binding of libbeaver-app (libbeaver-app/python/beaver_app.py)
against the built library (BEAVER_APP_LIB) and a fake beaverd in a thread:
the hello, a cut, an answer, marks read back. Run by test_app_lib.c's
test_python_binding; exit 0 or 1 with what differed."""
import json
import os
import socket
import sys
import tempfile
import threading

import beaver_app

failures = []


def check(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


def fake_beaverd(listener, got):
    c, _ = listener.accept()
    with c:
        got.append(c.recv(8192).decode())
        c.send(b'{"event":"hello","app_mark":16711680,"epoch":12}')
        c.send(b'{"event":"cut","epoch":13,"first":13,"last":13,"cut_ns":9}')
        got.append(c.recv(8192).decode())
        # two tcp_cut queries: known (100 bytes in, our SYN only), unknown
        for ans in ('"known":true,"rx":{"isn":4294967295,"seq":100,'
                    '"fin":false},"tx":{"isn":5,"seq":6,"fin":false}',
                    '"known":false,"why":"no such flow"'):
            q = json.loads(c.recv(8192).decode())
            got.append(q)
            c.send(('{"event":"tcp_cut","id":%d,%s}' % (q["id"], ans))
                   .encode())


def main():
    path = os.path.join(tempfile.mkdtemp(), "apps.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(1)
    got = []
    srv_port = []
    t = threading.Thread(target=fake_beaverd, args=(listener, got))
    t.start()
    with beaver_app.App("bank-py", path=path) as app:
        check("mask", app.mark_mask, 0xff0000)
        check("epoch from the hello", app.epoch, 12)
        cut = app.next_cut(timeout_ms=2000)
        check("cut", (cut.epoch, cut.first, cut.last, cut.cut_ns),
              (13, 13, 13, 9))
        app.submit(13, "balances 1 2 3")
        mark = ((13 << 1 | 1) << 16) | 0x5
        check("epoch of a mark", app.epoch_of_mark(mark), 13)
        check("epoch of an unmarked packet", app.epoch_of_mark(0x5), None)
        try:
            app.submit(13, "x" * 4097)
            failures.append("a 4097-byte state was accepted")
        except OSError:
            pass
        # recvfrom: the sender's SO_MARK stands in for the member's hook
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.bind(("127.0.0.1", 0))
        beaver_app.enable(r)
        try:
            s.setsockopt(socket.SOL_SOCKET, beaver_app.SO_MARK,
                         ((12 << 1 | 1) << 16))
            s.sendto(b"hello", r.getsockname())
            data, _, epoch = app.recvfrom(r, 64)
            check("recvfrom data", data, b"hello")
            check("recvfrom epoch", epoch, 12)
        except PermissionError:
            print("test_beaver_app: recvfrom not checked: no CAP_NET_ADMIN")
        r.close()
        s.close()
        # tcp_cut on a real loopback connection, a socket then an fd
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        cli = socket.create_connection(lst.getsockname())
        srv, _ = lst.accept()
        srv_port.append(lst.getsockname()[1])
        check("tcp_cut", app.tcp_cut(srv, 13), (100, 0))
        check("tcp_cut unknown", app.tcp_cut(srv.fileno(), 13), None)
        for x in (srv, cli, lst):
            x.close()
    t.join(5)
    check("subscribe", got[0] if got else None, '{"subscribe":"bank-py"}')
    check("answer", got[1] if len(got) > 1 else None,
          '{"epoch":13,"state":"balances 1 2 3"}')
    q = got[2] if len(got) > 2 else {}
    check("tcp_cut query", (q.get("op"), q.get("epoch"), q.get("local"),
                            q.get("lport"), q.get("remote")),
          ("tcp_cut", 13, "127.0.0.1", srv_port[0], "127.0.0.1"))
    try:
        beaver_app.App("bank-py", path=path + ".none")
        failures.append("open of a missing socket succeeded")
    except OSError as e:
        check("open of a missing socket", e.errno, 2)
    for f in failures:
        print("test_beaver_app: FAIL:", f)
    print(f"test_beaver_app: {'FAILED' if failures else 'ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
