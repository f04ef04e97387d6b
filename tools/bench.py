#!/usr/bin/env python3
"""Run the benchmark image of each board under QEMU icount and report.

Under `-icount shift=0,align=off,sleep=off` QEMU executes one guest
instruction per virtual nanosecond and the PMU cycle counter (PMCCNTR)
counts guest instructions, so every figure here is an exact, repeatable
instruction count, not a time. Prints a table and writes build/bench.json.

usage: tools/bench.py BOARD...   (after `make BOARD=... build/BOARD/bench.elf`)
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


def qemu_command(board, image):
    args = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-args"],
                          check=True, capture_output=True, text=True).stdout.split()
    return args + ICOUNT + ["-serial", "stdio", "-monitor", "none", "-kernel", image]


def run_board(board):
    image = "build/%s/bench.elf" % board
    if not os.path.exists(image):
        sys.exit("missing %s: run `make bench`" % image)
    env = dict(os.environ)
    try:
        out = subprocess.run(qemu_command(board, image), capture_output=True, text=True,
                             timeout=300, env=env).stdout
    except subprocess.TimeoutExpired:
        sys.exit("%s: benchmark timed out" % board)
    if "bench: done" not in out:
        sys.exit("%s: benchmark did not finish:\n%s" % (board, out))
    results = {}
    for m in LINE.finditer(out):
        name, med, lo, hi, n, ovh = m.group(1), *map(int, m.groups()[1:])
        results[name] = {"median": med, "min": lo, "max": hi, "samples": n,
                         "overhead_subtracted": ovh}
    return results


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
        report["boards"][b] = {"results": run_board(b), "kernel_bytes": kernel_sizes(b)}

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
    os.makedirs("build", exist_ok=True)
    with open("build/bench.json", "w") as f:
        json.dump(report, f, indent=2)
    print("\nwritten: build/bench.json")


if __name__ == "__main__":
    main(sys.argv[1:] or ["vexpress-a15", "virt"])
