#!/usr/bin/env python3
"""Run the benchmark images of each board under QEMU icount and report.

Under `-icount shift=0,align=off,sleep=off` QEMU executes one guest
instruction per virtual nanosecond and the PMU cycle counter (PMCCNTR)
counts guest instructions, so every figure here is an exact, repeatable
instruction count, not a time. Two images a board: bench.elf (kernel
operations, tests/bench) and ckptbench.elf (RTCR's checkpoint and restore,
rtcr/bench.c). Prints tables and writes build/bench.json.

usage: tools/bench.py BOARD...   (after `make BOARD=... build/BOARD/bench.elf
                                  build/BOARD/ckptbench.elf`)
"""
import json
import os
import re
import subprocess
import sys

ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
LINE = re.compile(r"bench: (\S+) median (\d+) min (\d+) max (\d+) n (\d+) overhead (\d+)")

DESCRIPTIONS = {
    "null_syscall": "null system call round trip (unknown number, error return)",
    "yield_alone": "yield, no other thread ready (trap, scheduler, return)",
    "yield_switch_same_task": "yield to another thread, same task",
    "yield_switch_other_task": "yield to a thread of another task (ASID switch)",
    "ipc_roundtrip_0w_other": "IPC call+reply round trip, 0 words, other task",
    "ipc_roundtrip_4w_other": "IPC call+reply round trip, 4 words, other task",
    "ipc_roundtrip_0w_same": "IPC call+reply round trip, 0 words, same task",
    "ipc_roundtrip_4w_same": "IPC call+reply round trip, 4 words, same task",
    "ipc_call_0w_other": "IPC call one way (client trap to server), other task",
    "ipc_reply_0w_other": "IPC reply one way (server trap to client), other task",
    "ipc_roundtrip_cap_grant_both_ways": "IPC round trip granting a capability each way",
    "page_fault_to_pager_and_back": "page fault to pager, memory-item reply, retried load",
    "dirty_first_write": "first write to a dirty-tracked page (resolved in kernel)",
    "irq_entry_to_handler": "timer interrupt: vector entry to tick handler",
    "irq_device_entry_to_thread": "device IRQ: vector entry to the waiting user thread",
    "irq_software_trigger_to_thread": "software IRQ: trigger to the waiting user thread",
}
# Bytes, not instructions: one line each, no spread.
SIZES = {
    "kmem_task_bytes": "kernel memory for one task (bytes)",
    "kmem_thread_bytes": "kernel memory for one thread, UTCB included (bytes)",
    "kmem_gate_bytes": "kernel memory for one gate (bytes)",
}


# Checkpoints (rtcr/bench.c): dataspace sizes and what was dirty before
# each checkpoint, as the guest names them.
CKPT_SIZES = [("1M", "1 MiB"), ("4M", "4 MiB"), ("16M", "16 MiB")]
CKPT_LEVELS = [("full", "full checkpoint"), ("0pct", "0% dirty"), ("1pct", "1% dirty"),
               ("10pct", "10% dirty"), ("100pct", "100% dirty"), ("256p", "256 pages dirty")]
IMAGES = ["bench", "ckptbench"]


def qemu_command(board, image):
    args = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-args"],
                          check=True, capture_output=True, text=True).stdout.split()
    return args + ICOUNT + ["-serial", "stdio", "-monitor", "none", "-kernel", image]


def run_image(board, name):
    image = "build/%s/%s.elf" % (board, name)
    if not os.path.exists(image):
        sys.exit("missing %s: run `make bench`" % image)
    env = dict(os.environ)
    try:
        out = subprocess.run(qemu_command(board, image), capture_output=True, text=True,
                             timeout=300, env=env).stdout
    except subprocess.TimeoutExpired:
        sys.exit("%s: %s timed out" % (board, image))
    if "bench: done" not in out:
        sys.exit("%s: %s did not finish:\n%s" % (board, image, out))
    results = {}
    for m in LINE.finditer(out):
        name, med, lo, hi, n, ovh = m.group(1), *map(int, m.groups()[1:])
        results[name] = {"median": med, "min": lo, "max": hi, "samples": n,
                         "overhead_subtracted": ovh}
    return results


def run_board(board):
    results = {}
    for name in IMAGES:
        results.update(run_image(board, name))
    return results


def pct(part, whole):
    return 100.0 * part / whole if whole else float("nan")


def ckpt_derived(r):
    """What the checkpoint figures mean together: slowdowns in percent."""
    def med(name):
        return r[name]["median"] if name in r else None
    d = {}
    base, long_base = med("work_untracked"), med("work_untracked_long")
    for every in (1, med("work_rounds")):
        tracked, ckpts = med("work_tracked_every%d" % every), med("work_ckpts_every%d" % every)
        if base and tracked is not None:
            d["tracking_slowdown_pct_every%d" % every] = pct(tracked - base, base)
            d["with_copy_every%d" % every] = tracked + ckpts
            d["with_copy_slowdown_pct_every%d" % every] = pct(tracked + ckpts - base, base)
    bg = med("work_background")
    if long_base and bg is not None:
        d["background_slowdown_pct"] = pct(bg - long_base, long_base)
    return d


def print_ckpt(report, boards):
    col = 32
    print("\nCheckpoints of a child with one dataspace: pause (its threads stopped) and total")
    print("(pause + every page written into the image, copied at once), instructions, median of 5;")
    print("increments build on the full checkpoint and each other (pages: records in the image).\n")
    print("%-8s %-18s" % ("size", "checkpoint") +
          "".join("%-*s" % (col, "%s pages/pause/total" % b) for b in boards))
    for size, size_name in CKPT_SIZES:
        for level, level_name in CKPT_LEVELS:
            row = "%-8s %-18s" % (size_name, level_name)
            for b in boards:
                r = report["boards"][b]["results"]
                key = "%s_%s" % (size, level)
                if "ckpt_pause_" + key in r:
                    row += "%-*s" % (col, "%d / %d / %d" % (
                        r["ckpt_pages_" + key]["median"], r["ckpt_pause_" + key]["median"],
                        r["ckpt_total_" + key]["median"]))
                else:
                    row += "%-*s" % (col, "-")
            print(row)
    print()
    for size, size_name in CKPT_SIZES:
        row = "%-26s " % ("restore %s, full + 10%%" % size_name)
        for b in boards:
            r = report["boards"][b]["results"].get("restore_" + size)
            row += "%-*s" % (col, r["median"] if r else "-")
        print(row)
    for name, desc in (("page_crc32", "image CRC-32 of one page"),
                       ("page_memcpy", "memcpy of one page")):
        row = "%-26s " % desc
        for b in boards:
            r = report["boards"][b]["results"].get(name)
            row += "%-*s" % (col, r["median"] if r else "-")
        print(row)
    r0 = report["boards"][boards[0]]["results"]
    if "work_rounds" not in r0:
        return
    pages, rounds, long_rounds, period = (r0[n]["median"] for n in (
        "work_pages", "work_rounds", "work_background_rounds", "work_background_period_ms"))
    print("\nA child writing every word of a %d KiB dataspace, %d rounds (%d in the last two"
          % (pages * 4, rounds, long_rounds))
    print("lines): instructions of the child, and how much more than the same work untracked:")
    lines = [("work_untracked", None, "untracked (no checkpoint taken yet)"),
             ("work_tracked_every1", "tracking_slowdown_pct_every1",
              "tracked, checkpoint after every round"),
             ("with_copy_every1", "with_copy_slowdown_pct_every1",
              "the same + its checkpoints' totals"),
             ("work_tracked_every%d" % rounds, "tracking_slowdown_pct_every%d" % rounds,
              "tracked, checkpoint after %d rounds" % rounds),
             ("with_copy_every%d" % rounds, "with_copy_slowdown_pct_every%d" % rounds,
              "the same + its checkpoint's total"),
             ("work_untracked_long", None, "%d rounds untracked" % long_rounds),
             ("work_background", "background_slowdown_pct",
              "%d rounds, checkpoint every %d ms" % (long_rounds, period))]
    for name, derived, desc in lines:
        row = "%-40s" % desc
        for b in boards:
            r = report["boards"][b]["results"].get(name)
            v = r["median"] if r else report["boards"][b]["ckpt_derived"].get(name)
            d = report["boards"][b]["ckpt_derived"].get(derived) if derived else None
            cell = "-" if v is None else str(v) + ("  (%+.1f%%)" % d if d is not None else "")
            row += "%-*s" % (col, cell)
        print(row)
    row = "%-40s" % ("  checkpoints taken in those %d rounds" % long_rounds)
    for b in boards:
        r = report["boards"][b]["results"].get("work_background_ckpts")
        row += "%-*s" % (col, r["median"] if r else "-")
    print(row)


def kernel_sizes(board):
    """Sizes of the kernel's own sections (boot modules excluded)."""
    out = subprocess.run(["arm-none-eabi-size", "-A", "build/%s/image.elf" % board],
                         check=True, capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in (".text", ".rodata", ".data", ".bss"):
            sizes[parts[0]] = int(parts[1])
    return sizes


def main(boards):
    report = {"unit": "guest instructions (QEMU icount, PMCCNTR)", "boards": {}}
    for b in boards:
        subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + b, "all"], check=True)
        results = run_board(b)
        report["boards"][b] = {"results": results, "kernel_bytes": kernel_sizes(b),
                               "ckpt_derived": ckpt_derived(results)}

    print("Instructions under QEMU -icount shift=0 (PMCCNTR counts guest instructions).")
    print("median [min..max] over all samples; the cost of the empty measurement is subtracted.\n")
    width = max(len(d) for d in list(DESCRIPTIONS.values()) + list(SIZES.values())) + 2
    print("%-*s" % (width, "benchmark") + "".join("%-22s" % b for b in boards))
    for name, desc in DESCRIPTIONS.items():
        row = "%-*s" % (width, desc)
        for b in boards:
            r = report["boards"][b]["results"].get(name)
            row += "%-22s" % ("%d [%d..%d]" % (r["median"], r["min"], r["max"]) if r else "-")
        print(row)
    print()
    for name, desc in SIZES.items():
        row = "%-*s" % (width, desc)
        for b in boards:
            r = report["boards"][b]["results"].get(name)
            row += "%-22s" % (r["median"] if r else "-")
        print(row)
    for sec in (".text", ".rodata", ".data", ".bss"):
        row = "%-*s" % (width, "kernel %s (bytes)" % sec)
        for b in boards:
            row += "%-22s" % report["boards"][b]["kernel_bytes"].get(sec, "-")
        print(row)
    print_ckpt(report, boards)
    os.makedirs("build", exist_ok=True)
    with open("build/bench.json", "w") as f:
        json.dump(report, f, indent=2)
    print("\nwritten: build/bench.json")


if __name__ == "__main__":
    main(sys.argv[1:] or ["vexpress-a15", "virt"])
