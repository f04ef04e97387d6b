# CAN on the virt board: QEMU runs one CAN bus with two Kvaser PCIcan
# (SJA1000) controllers in PCI slots 1 and 2; the can task (user/can) finds
# them on PCI bus 0, makes each slot its CAN node, and opens one link to
# RTCR per controller. Boards without CAN are not parametrized here at all.

import re

import pytest

import canstats

from conftest import (PROMPT, Console, image_path, kill_qemu, log_path, qemu_base_args,
                      selected_boards, spawn_qemu)

CAN_BOARDS = ["virt"]
SLOTS = [1, 2]            # -device kvaser_pci,addr=1 / addr=2 in board.mk
INTA_SLOT0 = 35           # GIC interrupt of INTA in slot 0 (SPI 3)
KVASER_SJA_BAR_SIZE = 0x80

CONTROLLER = re.compile(
    r"^can: kvaser_pci 00:([0-9a-f]{2})\.0, io 0x([0-9a-f]+), irq (\d+), node (\d+)$",
    re.M)
LINK_UP = "rtcr: link can up: node %d, datagrams up to 16384 bytes"
LINK_ROW = re.compile(r"^can\s+node (\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s", re.M)


def pytest_generate_tests(metafunc):
    if "can_board" in metafunc.fixturenames:
        boards = [b for b in selected_boards(metafunc.config) if b in CAN_BOARDS]
        metafunc.parametrize("can_board", boards, ids=boards, scope="module")


@pytest.fixture(scope="module")
def can_console(request, can_board, qemu_timeout):
    con = Console(can_board, image_path(can_board, "image.elf"), request.module.__name__,
                  qemu_timeout)
    yield con
    con.close()


def test_controllers_found(can_console):
    """One line per controller: its PCI place, the I/O port of its
    SJA1000 (a BAR this task assigned), the interrupt its INTA pin reaches
    by the host bridge's swizzle, and its node, the slot."""
    found = CONTROLLER.findall(can_console.boot_output)
    assert [int(slot, 16) for slot, _, _, _ in found] == SLOTS, can_console.boot_output
    ports = set()
    for slot, io, irq, node in found:
        slot, io, irq, node = int(slot, 16), int(io, 16), int(irq), int(node)
        assert node == slot
        assert irq == INTA_SLOT0 + slot % 4
        assert 0x1000 <= io < 0x10000 and io % KVASER_SJA_BAR_SIZE == 0, hex(io)
        ports.add(io)
    assert len(ports) == len(SLOTS), "two controllers on one port:\n" + can_console.boot_output
    assert "not used" not in can_console.boot_output
    assert "pci:" not in can_console.boot_output   # nothing left unassigned or skipped


def test_links_up(can_console):
    """RTCR has a CAN link endpoint up for each controller, both driven by
    the can task."""
    for node in SLOTS:
        assert LINK_UP % node in can_console.boot_output, can_console.boot_output
        assert "can: node %d: link up" % node in can_console.boot_output
    rows = LINK_ROW.findall(can_console.run_command("links"))
    assert sorted(int(node) for node, _, _, _ in rows) == SLOTS, rows
    for node, state, driver, name in rows:
        assert state == "up" and name == "can", (node, state, driver, name)
    assert len({driver for _, _, driver, _ in rows}) == 1, rows


def test_can_task_waits(can_console):
    """The driver is one thread that sleeps until an interrupt or a signal
    comes: on an idle bus it is blocked, not polling."""
    out = can_console.run_command("ps")
    threads = [l.split() for l in out.splitlines() if l.strip().endswith(" can")]
    assert len(threads) == 1, out
    assert threads[0][2] == "blocked", out
    tasks = re.findall(r"^\s*(\d+) can\s+(\d+)$", out, re.M)
    assert len(tasks) == 1 and tasks[0][1] == "1", out


def boot_with(board, extra, log_name, timeout, command):
    """Boot the image with extra QEMU arguments; return the boot output
    and what `command` printed."""
    argv = qemu_base_args(board) + extra + [
        "-serial", "stdio", "-kernel", str(image_path(board, "image.elf"))]
    with open(log_path(board, log_name), "w", encoding="utf-8", errors="replace") as log:
        child = spawn_qemu(argv, log, timeout)
        try:
            child.expect_exact(PROMPT, timeout=timeout)
            boot = child.before
            child.send(command + "\r")
            child.expect_exact(PROMPT, timeout=timeout)
            answer = child.before
        finally:
            kill_qemu(child)
    return boot.replace("\r", ""), answer.replace("\r", "")


def test_more_controllers(can_board, qemu_timeout):
    """A third controller in slot 5 reaches the same INTx line as the one in
    slot 1 (the swizzle repeats every four slots), and gets node 5; one
    irq session serves both. One in slot 16 is no CAN node and is left
    alone."""
    extra = ["-device", "kvaser_pci,canbus=canbus0,addr=5",
             "-device", "kvaser_pci,canbus=canbus0,addr=0x10"]
    boot, links = boot_with(can_board, extra, "test_can-more", qemu_timeout, "links")
    found = {int(slot, 16): (int(irq), int(node))
             for slot, _, irq, node in CONTROLLER.findall(boot)}
    assert sorted(found) == [1, 2, 5], boot
    assert found[5] == (INTA_SLOT0 + 1, 5) and found[1][0] == found[5][0], found
    assert "can: kvaser_pci 00:10.0: its slot is no CAN node (1..15); not used" in boot
    assert "can: interrupt" not in boot, boot
    rows = LINK_ROW.findall(links)
    assert sorted(int(node) for node, _, _, _ in rows) == [1, 2, 5], links
    assert all(state == "up" for _, state, _, _ in rows), links


# ---- a migration over the bus ------------------------------------------------------

def can_counters(con):
    """node -> the driver's counters, as `links` prints them."""
    return canstats.parse(con.run_command("links"))


def test_counter_migrates_over_can(can_console):
    """Node 1 (board a) sends the counter to node 2 (board b): both are
    this board's, two RTCR endpoints on one bus. The images are larger than
    4095 bytes and go in ISO-TP messages of 8 KiB, with flow control and the
    32-bit length escape."""
    from test_ckpt import find, start, values, wait_line
    con = can_console
    before = can_counters(con)
    task = start(con, "counter")
    wait_line(con, r"counter: 3\r*\n")
    seen = con.child.before + con.child.after
    out = con.run_command("migrate %d b can" % task, timeout=120)
    new = int(find(r"^migrate: b runs task counter as task (\d+); downtime", out, "the end")
              .group(1))
    m = find(r"^migrate: round 1: full image \d+, \d+ pages \(\d+ zero, not sent\), (\d+) bytes",
             out, "round 1")
    assert int(m.group(1)) > 4095
    head = out.split("deleted here")[0]
    last = max(values(r"counter: (\d+)", seen + head))
    got = [int(wait_line(con, r"counter: (\d+)\r*\n").group(1)) for _ in range(3)]
    assert got == [last + 1, last + 2, last + 3], (last, got)
    after = can_counters(con)
    sent = {k: after[1][k] - before[1][k] for k in after[1]}
    received = {k: after[2][k] - before[2][k] for k in after[2]}
    assert sent["long_tx"] > 0 and received["long_rx"] == sent["long_tx"], (sent, received)
    assert received["bytes_rx"] == sent["bytes_tx"] > int(m.group(1))
    # Every frame one controller sends, the other takes off the bus.
    assert sent["frames_tx"] == received["frames_rx"] and \
        received["frames_tx"] == sent["frames_rx"], (sent, received)
    con.run_command("kill %d" % new)
