# A kernel fault must be reported clearly and stop the machine. User tasks
# cannot make the kernel fault, so this boots build/<board>/kfault.elf, a
# kernel built with CONFIG_FAULT_INJECT that stores r4 = 0x44 to 0xdead0000
# (with r12 = 0x120) right after the console comes up.

import pexpect

from conftest import banner_regex, image_path, kill_qemu, log_path, qemu_command, spawn_qemu


def test_kernel_fault_report(board):
    image = image_path(board, "kfault.elf")
    with open(log_path(board, "kfault"), "w") as log:
        child = spawn_qemu(qemu_command(board, image), log, timeout=20)
        try:
            child.expect(banner_regex(board))
            child.expect(r"\*\*\* KERNEL FAULT: data abort in SVC mode")
            child.expect(r"pc (c[0-9a-f]{7})  lr [0-9a-f]{8}  sp c[0-9a-f]{7}  cpsr [0-9a-f]{7}3")
            child.expect(r"fault address dead0000  status [0-9a-f]{3} \(DFAR/DFSR\)")
            child.expect(r"r4  00000044")
            child.expect(r"r12 00000120")
            child.expect(r"\*\*\* kernel stopped")
            # Stopped means stopped: no root task, no prompt, nothing more.
            index = child.expect([r"\S", pexpect.TIMEOUT], timeout=2)
            assert index == 1, "output after the kernel stopped: %r" % child.after
            assert child.isalive(), "QEMU exited instead of halting"
        finally:
            kill_qemu(child)
