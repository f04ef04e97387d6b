#!/usr/bin/env python3
"""Migration benchmarks (make bench): a test-mem child with a working set of
1, 4 and 16 MiB moved from board A to board B over Ethernet, and a 64 KiB
one moved over CAN.

Ethernet: two vexpress-a15 QEMUs (the migbench image: benchmark kernel,
RTCR, the net task, test-mem) joined by dgram netdevs, each under
`-icount shift=0,align=off,sleep=on`: a busy CPU runs one instruction per
virtual nanosecond, and a waiting one follows the host's clock, so that the
two machines' timeouts stay sane with respect to each other. The benchmark
kernels count the instructions each board executed, idle excluded (the
kernel keeps the cycle counter and its idle share, SCHED_BENCH), and RTCR
prints them: the downtime (A from its final pause to GO, plus B from the
final offer to the resume) and the whole migration (A from the command to
the end, B from the first offer to the resume). Added up they are what the
migration takes with an instant wire at one instruction per nanosecond;
the wire time at 100 Mbit/s for the bytes sent is shown beside them. The
work depends a little on how the datagrams happen to be batched between the
two processes, so each size runs RUNS times and the median is reported.

CAN: one virt QEMU with two controllers on one bus (nodes 1 and 2, both this
board's), `-icount shift=0,align=off,sleep=off`: everything is on one
machine, so every figure is exact and repeatable. Frames and payload bytes
are the can task's counters (`links`), before and after.

Writes build/bench-migrate.json.
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import pexpect

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "qemu"))
import canstats  # noqa: E402  (the console's `links` format, shared with the tests)

RUNS = 3
ETH_BOARD = "vexpress-a15"
CAN_BOARD = "virt"
SIZES = [(256, "1 MiB"), (1024, "4 MiB"), (4096, "16 MiB")]
CAN_PAGES = 16            # 64 KiB
PROMPT = "rtcr> "


def qemu_base(board, keep_nic=False):
    """The board's QEMU arguments; without its `-nic none` when the caller
    gives it a network of its own."""
    args = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-args"],
                          check=True, capture_output=True, text=True).stdout.split()
    out, i = [], 0
    while i < len(args):
        if args[i] == "-nic" and not keep_nic:
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def free_udp_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Board:
    def __init__(self, argv, log):
        self.log = open(log, "w")
        env = dict(os.environ, QEMU_AUDIO_DRV="none")
        self.p = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                               echo=False, timeout=120, env=env)
        self.p.logfile_read = self.log
        self.p.expect_exact(PROMPT, timeout=60)

    def run(self, cmd, timeout=120):
        self.p.send(cmd + "\r")
        self.p.expect_exact(PROMPT, timeout=timeout)
        return self.p.before.replace("\r", "")

    def close(self):
        if self.p.isalive():
            self.p.terminate(force=True)
        self.log.close()


def start_mem(board, pages):
    """Start test-mem with pages pages; returns its task id once it has
    written them all (its line may come before the prompt or after)."""
    out = board.run("start test-mem %d" % pages)
    m = re.search(r"rtcr: started 'test-mem' as task (\d+)", out)
    if not m:
        sys.exit("bench-migrate: cannot start test-mem:\n%s" % out)
    if not re.search(r"test-mem: \d+ pages written", out):
        board.p.expect(r"test-mem: \d+ pages written", timeout=300)
    return int(m.group(1))


def parse_migration(out):
    def need(pattern):
        m = re.search(pattern, out, re.M)
        if not m:
            sys.exit("bench-migrate: no %r in:\n%s" % (pattern, out))
        return m
    r = {}
    m = need(r"^migrate: instructions: downtime (\d+) \(here (\d+) from the final pause to go, "
             r"\S+ (\d+) from the final offer to the resume\)")
    r["downtime"], r["downtime_a"], r["downtime_b"] = map(int, m.groups())
    m = need(r"^migrate: instructions: whole migration (\d+) \(here (\d+), \S+ (\d+)\)")
    r["total"], r["total_a"], r["total_b"] = map(int, m.groups())
    m = need(r"^migrate: done: (\d+) rounds, (\d+) messages, (\d+) bytes, (\d+) sent again")
    r["rounds"], r["messages"], r["bytes"], r["resent"] = map(int, m.groups())
    r["round_pages"] = [int(p) for p in re.findall(r"^migrate: round \d+[^:]*: \S+ image \d+, "
                                                   r"(\d+) pages", out, re.M)]
    m = re.search(r"^migrate: round \d+ \(final\): \S+ image \d+, (\d+) pages \(\d+ zero, not "
                  r"sent\), (\d+) bytes", out, re.M)
    r["final_pages"], r["final_bytes"] = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    m = need(r"downtime at most (\d+) us")
    r["downtime_us_as_seen"] = int(m.group(1))
    return r


def eth_runs(image):
    base = qemu_base(ETH_BOARD) + ["-icount", "shift=0,align=off,sleep=on", "-monitor", "none"]
    results = {}
    for pages, name in SIZES:
        runs = []
        for run in range(RUNS):
            pa, pb = free_udp_ports(2)

            def net(own, other, mac):
                return ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                        "local.port=%d,remote.type=inet,remote.host=127.0.0.1,remote.port=%d"
                        % (own, other), "-net", "nic,netdev=n0,model=lan9118,macaddr=" + mac]
            tail = ["-serial", "stdio", "-kernel", image]
            b = Board(base + net(pb, pa, "52:54:00:00:00:02") + tail,
                      "build/bench-migrate-b.log")
            a = Board(base + net(pa, pb, "52:54:00:00:00:01") + tail,
                      "build/bench-migrate-a.log")
            try:
                task = start_mem(a, pages)
                time.sleep(0.5)
                out = a.run("migrate %d b eth" % task, timeout=900)
                r = parse_migration(out)
                b.p.expect(r"task \d+ \(test-mem\) runs here", timeout=60)
                time.sleep(0.5)
                if "test-mem: page" in b.p.before + b.p.buffer:
                    sys.exit("bench-migrate: the task arrived damaged (build/bench-migrate-b.log)")
                runs.append(r)
                print("  %s run %d: downtime %d, total %d instructions, %d rounds, %d bytes, "
                      "final round %d pages" % (name, run + 1, r["downtime"], r["total"],
                                                r["rounds"], r["bytes"], r["final_pages"]),
                      flush=True)
            finally:
                a.close()
                b.close()
        med = {k: statistics.median(r[k] for r in runs)
               for k in runs[0] if isinstance(runs[0][k], int)}
        med["runs"] = runs
        results[name] = med
    return results


def can_counters(board):
    return canstats.parse(board.run("links"))


def can_run(image):
    argv = qemu_base(CAN_BOARD, keep_nic=True) + ["-icount", "shift=0,align=off,sleep=off", "-monitor", "none",
                                   "-serial", "stdio", "-kernel", image]
    board = Board(argv, "build/bench-migrate-can.log")
    try:
        task = start_mem(board, CAN_PAGES)
        before = can_counters(board)
        out = board.run("migrate %d b can" % task, timeout=600)
        after = can_counters(board)
    finally:
        board.close()
    images = [int(x) for x in re.findall(r"^migrate: round \d+[^:]*: \S+ image \d+, \d+ pages "
                                         r"\(\d+ zero, not sent\), (\d+) bytes", out, re.M)]
    m = re.search(r"^migrate: done: (\d+) rounds, (\d+) messages, (\d+) bytes", out, re.M)
    d = re.search(r"downtime at most (\d+) us", out)
    if not (images and m and d and 1 in after and 2 in after):
        sys.exit("bench-migrate: CAN migration output not understood:\n" + out)
    frames = sum(after[n]["frames_tx"] - before[n]["frames_tx"] for n in (1, 2))
    payload = sum(after[n]["bytes_tx"] - before[n]["bytes_tx"] for n in (1, 2))
    image_bytes = sum(images)
    return {"image_bytes": image_bytes, "rounds": int(m.group(1)), "messages": int(m.group(2)),
            "protocol_bytes": int(m.group(3)), "isotp_payload_bytes": payload, "frames": frames,
            "frames_per_kib": frames * 1024.0 / image_bytes,
            "image_share_of_data_bytes_pct": 100.0 * image_bytes / (frames * 8),
            "downtime_us": int(d.group(1)),
            "long_messages": after[1]["long_tx"] - before[1]["long_tx"]}


def main():
    only_can = sys.argv[1:] == ["can"]
    for b in (ETH_BOARD, CAN_BOARD):
        subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + b,
                        "build/%s/migbench.elf" % b], check=True)
    eth = {}
    if not only_can:
        eth = run_ethernet()
    can = run_can()
    os.makedirs("build", exist_ok=True)
    with open("build/bench-migrate.json", "w") as f:
        json.dump({"ethernet": eth, "can": can}, f, indent=2)
    print("\nwritten: build/bench-migrate.json")


def run_ethernet():
    print("\nMigration over Ethernet, %s, test-mem (its working set written once, then 8 "
          "pages every 20 ms), %d runs each:" % (ETH_BOARD, RUNS), flush=True)
    eth = eth_runs("build/%s/migbench.elf" % ETH_BOARD)
    print("\n%-8s %12s %12s %12s %14s %14s %14s %7s %6s %10s %11s" % (
        "working", "downtime", "(on A", "on B)", "whole", "(on A", "on B)", "rounds",
        "final", "bytes", "wire 100M"))
    for _, name in SIZES:
        r = eth[name]
        print("%-8s %12d %12d %12d %14d %14d %14d %7d %6d %10d %9.1f ms" % (
            name, r["downtime"], r["downtime_a"], r["downtime_b"], r["total"], r["total_a"],
            r["total_b"], r["rounds"], r["final_pages"], r["bytes"],
            r["bytes"] * 8 / 100e6 * 1000))
    print("instructions (idle excluded), median of %d; at one instruction per ns a million is "
          "1 ms. final: pages in the final round. wire: the bytes sent, at 100 Mbit/s." % RUNS)
    return eth


def run_can():
    print("\nMigration over CAN, %s, two controllers on one bus, a %d KiB test-mem:"
          % (CAN_BOARD, CAN_PAGES * 4), flush=True)
    can = can_run("build/%s/migbench.elf" % CAN_BOARD)
    print("  images %d bytes in %d rounds; %d protocol messages (%d bytes, %d over 4095 bytes)"
          % (can["image_bytes"], can["rounds"], can["messages"], can["protocol_bytes"],
             can["long_messages"]))
    print("  frames on the bus: %d in all, %.1f per KiB of image; image bytes are %.1f%% of the "
          "frames' 8 data bytes" % (can["frames"], can["frames_per_kib"],
                                     can["image_share_of_data_bytes_pct"]))
    print("  downtime %d us of virtual time (icount; the console's typing lands at slightly "
          "different instants each run, so it varies by a few tens of us)" % can["downtime_us"])
    return can


if __name__ == "__main__":
    main()
