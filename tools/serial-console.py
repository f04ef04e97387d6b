#!/usr/bin/env python3
"""Talk to a board's serial console that QEMU serves on a TCP port
(-serial tcp:127.0.0.1:PORT,server=on,wait=off), as `make run2` does for
board B:

    python3 tools/serial-console.py 5556

Keys go to the board as typed (raw mode); Ctrl-] quits. Only the standard
library: a raw terminal and a socket, joined with select.
"""
import os
import select
import socket
import sys
import termios
import time
import tty

QUIT = b"\x1d"   # Ctrl-]


def connect(host, port, wait):
    deadline = time.monotonic() + wait
    while True:
        try:
            return socket.create_connection((host, port))
        except OSError as err:
            if time.monotonic() > deadline:
                sys.exit("serial-console: cannot connect to %s:%d: %s" % (host, port, err))
            time.sleep(0.2)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: serial-console.py PORT [HOST]")
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) == 3 else "127.0.0.1"
    sock = connect(host, port, wait=10)
    print("serial-console: connected to %s:%d; Ctrl-] quits" % (host, port))
    stdin = sys.stdin.fileno()
    interactive = os.isatty(stdin)
    saved = termios.tcgetattr(stdin) if interactive else None
    try:
        if interactive:
            tty.setraw(stdin)
        while True:
            ready, _, _ = select.select([sock, stdin], [], [])
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if stdin in ready:
                data = os.read(stdin, 1024)
                if not data or QUIT in data:
                    break
                sock.sendall(data)
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        sock.close()
    print("\r\nserial-console: closed")


if __name__ == "__main__":
    main()
