# Migration between two boards over Ethernet, as a user runs it with
# `make run2`: board A (52:54:00:00:00:01, 10.0.0.1) and board B
# (52:54:00:00:00:02, 10.0.0.2), each its own QEMU, their LAN9118s joined
# by a wire this test owns (netrelay.Relay). The wire can misbehave, be
# cut, or carry a host of the test's own that sends B bad images.
#
# Only the vexpress boards have a LAN9118.

import re
import time

import pytest

import migproto
import netpeer
import netrelay
from conftest import Console, image_path
from test_ckpt import counts_on, find, start, tasks, wait_line, values
from test_migrate_loop import arrived_intact_through_faults
from test_net import lan9118_boards

MAC_A, MAC_B = "52:54:00:00:00:01", "52:54:00:00:00:02"


def pytest_generate_tests(metafunc):
    if "eth_board" in metafunc.fixturenames:
        boards = lan9118_boards(metafunc.config)
        metafunc.parametrize("eth_board", boards, ids=boards, scope="module")


@pytest.fixture(scope="module")
def two(request, eth_board, qemu_timeout):
    board = eth_board
    relay = netrelay.Relay()
    image = image_path(board, "image.elf")
    name = request.module.__name__
    b = Console(board, image, name + "-b", qemu_timeout, net=relay.nic("b", MAC_B))
    a = Console(board, image, name + "-a", qemu_timeout, net=relay.nic("a", MAC_A))
    for con in (a, b):
        con.run_command("links")
    yield relay, a, b
    a.close()
    b.close()
    relay.close()


def migrate(a, task, timeout=120):
    out = a.run_command("migrate %d b eth" % task, timeout=timeout)
    find(r"^migrate: b runs task \S+ as task \d+; downtime", out, "the end")
    return out


def arrived(b, name, timeout=10):
    """The id B gave the task that came (its `runs here` line)."""
    m = wait_line(b, r"rtcr: migration \d+ from a \(10\.0\.0\.1\): task (\d+) \(%s\) runs here"
                  % re.escape(name), timeout)
    return int(m.group(1))


def test_links_are_up(two):
    _, a, b = two
    assert re.search(r"^eth +10\.0\.0\.1 +up", a.run_command("links"), re.M)
    assert re.search(r"^eth +10\.0\.0\.2 +up", b.run_command("links"), re.M)
    assert re.search(r"^a +10\.0\.0\.1 .*\(this board\)", a.run_command("peers"), re.M)


def test_counter_continues_on_b(two):
    _, a, b = two
    task = start(a, "counter")
    wait_line(a, r"counter: 3\r*\n")
    before = a.child.before + a.child.after
    out = migrate(a, task)
    head = out.split("deleted here")[0]
    last_on_a = max(values(r"counter: (\d+)", before + head))
    new = arrived(b, "counter")
    # B goes on from the value A had: no restart, no value lost or repeated.
    got = [int(wait_line(b, r"counter: (\d+)\r*\n").group(1)) for _ in range(4)]
    assert got == list(range(last_on_a + 1, last_on_a + 5)), (last_on_a, got)
    # A has it no more; B lists the images that came.
    assert task not in tasks(a)
    assert tasks(b).get(new) == "counter"
    listed = b.run_command("images")
    assert re.search(r"^ +\d+ +%d +counter .* full +0  a \(image \d+\)$" % task, listed, re.M), \
        listed
    # Progress on A's console: rounds, pages, bytes.
    assert re.search(r"^migrate: round 1: full image \d+, \d+ pages \(\d+ zero, not sent\), "
                     r"\d+ bytes in \d+ chunks, \d+ sent again; b has it as image \d+$", out, re.M)
    b.run_command("kill %d" % new)


def test_echo_and_irqcount_keep_working_on_b(two):
    _, a, b = two
    echo = start(a, "echo")
    irq = start(a, "irqcount")
    wait_line(a, r"echo: \d+ answers ok")
    wait_line(a, r"irqcount: \d+ interrupts")
    migrate(a, echo)
    new_echo = arrived(b, "echo")
    migrate(a, irq)
    new_irq = arrived(b, "irqcount")
    seen_echo, seen_irq = [], []
    deadline = time.monotonic() + 30
    while len(seen_echo) < 3 or len(seen_irq) < 3:
        assert time.monotonic() < deadline, (seen_echo, seen_irq)
        m = wait_line(b, r"(echo: call \d+ failed.*|echo: (\d+) answers ok|"
                         r"irqcount: (\d+) interrupts)", timeout=15)
        assert "failed" not in m.group(0), m.group(0)
        if m.group(2):
            seen_echo.append(int(m.group(2)))
        if m.group(3):
            seen_irq.append(int(m.group(3)))
    assert seen_echo == sorted(seen_echo) and seen_irq == sorted(seen_irq)
    assert seen_irq[-1] > seen_irq[0]     # B's own timer interrupts reach it
    assert echo not in tasks(a) and irq not in tasks(a)
    b.run_command("kill %d" % new_echo)
    b.run_command("kill %d" % new_irq)


def test_b_killed_during_the_transfer(two):
    """B goes away in the middle: A gives up and its task never stopped."""
    relay, a, b = two
    task = start(a, "test-stamp")
    wait_line(a, r"test-stamp: pass \d+ ok")
    a.send("migrate %d b eth\r" % task)
    wait_line(a, r"migrate: task %d \(test-stamp\) to b" % task)
    wait_line(b, r"rtcr: migration \d+ from a \(10\.0\.0\.1\): task test-stamp")
    b.child.terminate(force=True)     # B's QEMU dies mid-transfer
    out = a.wait_prompt(timeout=30)
    assert re.search(r"^migrate: b does not answer \(\d+ ms\); task %d \(test-stamp\) "
                     r"(keeps running|resumed and runs) here" % task, out.replace("\r", ""),
                     re.M), out
    assert tasks(a).get(task) == "test-stamp"
    wait_line(a, r"test-stamp: pass \d+ ok")
    wait_line(a, r"test-stamp: pass \d+ ok")
    assert "inconsistent" not in a.child.before
    a.run_command("kill %d" % task)
    b.restart()


def test_lossy_wire(two):
    """Frames lost, repeated, and damaged past the UDP checksum: the
    migration completes with the task intact (or gives up cleanly)."""
    relay, a, b = two
    relay.faults = netrelay.Faults(drop_every=9, dup_every=7, corrupt_every=11)
    try:
        task = start(a, "test-stamp")
        wait_line(a, r"test-stamp: pass \d+ ok")
        out = a.run_command("migrate %d b eth" % task, timeout=180)
    finally:
        faults, relay.faults = relay.faults, None
    assert faults.dropped and faults.doubled and faults.corrupted, vars(faults)
    if re.search(r"keeps running here|resumed and runs here", out):
        assert tasks(a).get(task) == "test-stamp"       # gave up: it is still here
        a.run_command("kill %d" % task)
        return
    find(r"^migrate: b runs task test-stamp as task (\d+)", out, "the end")
    arrived_intact_through_faults(b, arrived(b, "test-stamp"))


# ---- a go that never comes ---------------------------------------------------------

def parked(b, name, timeout=25):
    """B's word that a task built from a migration waits, stopped: its id."""
    m = wait_line(b, r"rtcr: migration \d+ from a \(10\.0\.0\.1\): no go came; task (\d+) "
                     r"\(%s\) waits here, stopped" % re.escape(name), timeout)
    return int(m.group(1))


def counting_from(con, first, out):
    """The counter's values on con, those in out (a command's output) first,
    go on from first without a gap."""
    got = values(r"counter: (\d+)", out)
    while len(got) < 3:
        got.append(int(wait_line(con, r"counter: (\d+)\r*\n").group(1)))
    assert got[:3] == list(range(first, first + 3)), (first, got)


def test_go_lost_and_b_resumes_the_task_on_its_operators_word(two):
    """A deleted its copy once B had built the task, and GO never reached B:
    B's copy is the task. B frees what held the migration (another one goes
    through meanwhile) and runs the task when its operator says so."""
    relay, a, b = two
    relay.faults = netrelay.DropMessages(migproto.GO)
    try:
        task = start(a, "counter")
        wait_line(a, r"counter: 3\r*\n")
        a.send("migrate %d b eth\r" % task)
        out = a.wait_prompt(timeout=60).replace("\r", "")   # all it printed since "counter: 3"
        last_on_a = max(values(r"counter: (\d+)", out.split("deleted here")[0]) + [3])
        assert "migrate: task %d (counter) deleted here; b runs it next" % task in out, out
        assert re.search(r"did not say it runs it: it waits there, stopped", out), out
        waiting = parked(b, "counter")
    finally:
        relay.faults = None
    assert task not in tasks(a)
    # Its receive slot and restore stage are free: a second migration goes through.
    other = start(a, "echo")
    wait_line(a, r"echo: \d+ answers ok")
    migrate(a, other)
    b.run_command("kill %d" % arrived(b, "echo"))
    # The operator's word: it runs, from where it stopped on A.
    out = b.run_command("resume %d" % waiting)
    assert re.search(r"task %d \(counter\) runs here \(resumed by its operator\)" % waiting, out)
    counting_from(b, last_on_a + 1, out)
    assert "not waiting to run" in b.run_command("resume %d" % waiting)
    b.run_command("kill %d" % waiting)


def test_done_and_abort_lost_and_b_drops_the_task_on_its_operators_word(two):
    """A never heard that B built the task, so it kept and resumed its own;
    its ABORT was lost too. B's copy must not run: its operator drops it."""
    relay, a, b = two
    relay.faults = netrelay.DropMessages(migproto.DONE, migproto.ABORT, final_only=True)
    try:
        task = start(a, "counter")
        wait_line(a, r"counter: 2\r*\n")
        out = a.run_command("migrate %d b eth" % task, timeout=60)
        assert re.search(r"^migrate: b does not answer \(\d+ ms\); task %d \(counter\) resumed "
                         r"and runs here" % task, out, re.M), out
        waiting = parked(b, "counter")
    finally:
        relay.faults = None
    assert "killed task %d (counter)" % waiting in b.run_command("kill %d" % waiting)
    assert waiting not in tasks(b)
    counts_on(a)
    a.run_command("kill %d" % task)


def test_b_resumed_before_go_and_a_deletes_its_copy(two):
    """B's final DONE is lost, and B's operator runs the built task before
    A gave up: A, still holding its stopped copy, hears RESUMED and deletes
    it. The task runs once."""
    relay, a, b = two
    relay.faults = netrelay.DropMessages(migproto.DONE, final_only=True)
    try:
        task = start(a, "counter")
        wait_line(a, r"counter: 2\r*\n")
        a.send("migrate %d b eth\r" % task)
        wait_line(b, r"rtcr: migration \d+ from a \(10\.0\.0\.1\): round \d+: image \d+ "
                         r"\(incremental, .*\); task built, waiting for go")
        out = b.run_command("ps").split("TASK NAME")[1]
        new = int(find(r"^ *(\d+) +counter .*arriving", out, "the arriving task").group(1))
        out = b.run_command("resume %d" % new)
        assert "runs here (resumed by its operator)" in out, out
        out = a.wait_prompt(timeout=30).replace("\r", "")
    finally:
        relay.faults = None
    assert re.search(r"^migrate: b runs task counter \(its operator resumed it there\); task %d "
                     r"deleted here" % task, out, re.M), out
    assert task not in tasks(a)
    wait_line(b, r"counter: \d+\r*\n")
    b.run_command("kill %d" % new)


# ---- a host of the test's own sends B images ------------------------------------

MAC_HOST = "52:54:00:00:00:99"


@pytest.fixture
def host(two):
    relay, a, b = two
    tap = relay.tap_link("b")
    while tap.recv(0) is not None:
        pass
    peer = netpeer.NetPeer(tap, MAC_HOST, ["10.0.0.99", "10.0.0.1"], answer_ping=False)
    yield peer
    peer.close()


def answers(host, since, mig, timeout=5):
    """B's migration messages to anyone, for migration mig."""
    def match(frame):
        eth = netpeer.parse_eth(frame)
        ip = netpeer.parse_ipv4(eth.payload) if eth and eth.type == netpeer.ETH_P_IP else None
        udp = netpeer.parse_udp(ip, ip.payload) if ip and ip.proto == netpeer.IPPROTO_UDP else None
        if udp and udp.sport == migproto.PORT:
            m = migproto.parse(udp.payload)
            if m and m.mig == mig and m.type in (migproto.REJECT, migproto.DONE):
                return m
        return None
    return host.wait_frame(match, timeout, since)


def send(host, src, data, b_mac):
    host.send_udp("10.0.0.2", migproto.PORT, data, sport=migproto.PORT, src_ip=src, dst_mac=b_mac)


def test_bad_images_sent_to_b_change_nothing(two, host):
    relay, a, b = two
    counter = start(b, "counter")
    wait_line(b, r"counter: 2\r*\n")
    before_tasks, before_images = tasks(b), b.run_command("images")
    b_mac = host.resolve("10.0.0.2", src_ip="10.0.0.99")
    assert b_mac

    # An unknown sender.
    since = host.mark()
    send(host, "10.0.0.99", migproto.offer(0x5001, b"x" * 100, 1024), b_mac)
    m = answers(host, since, 0x5001)
    assert m and m.type == migproto.REJECT and m.reason()[0] == "unknown sender", m
    wait_line(b, r"rtcr: refused OFFER from unknown sender 10\.0\.0\.99")

    # A known sender (a's address) whose image is not one: its own check fails.
    junk = bytes(range(256)) * 8
    since = host.mark()
    send(host, "10.0.0.1", migproto.offer(0x5002, junk, 1024), b_mac)
    for msg in migproto.chunks(0x5002, junk, 1024):
        send(host, "10.0.0.1", msg, b_mac)
    m = answers(host, since, 0x5002)
    assert m and m.type == migproto.REJECT and m.reason()[0] == "bad image", m
    assert "bad magic" in m.reason()[1], m.reason()

    # A transfer whose data does not match the checksum offered.
    since = host.mark()
    send(host, "10.0.0.1", migproto.offer(0x5003, junk, 1024, image_crc=0x12345678), b_mac)
    for msg in migproto.chunks(0x5003, junk, 1024):
        send(host, "10.0.0.1", msg, b_mac)
    m = answers(host, since, 0x5003)
    assert m and m.type == migproto.REJECT and "checksum" in m.reason()[1], m.reason()

    # Messages that are not messages: dropped, counted.
    stats_before = int(find(r"malformed messages (\d+)", b.run_command("stats"), "m").group(1))
    for data in (b"", b"RM", migproto.message(migproto.GO, 0x5004, bad_crc=True),
                 migproto.message(migproto.OFFER, 0x5004, payload=b"short"),
                 migproto.message(migproto.DATA, 0x5004, length=99), bytes(200)):
        send(host, "10.0.0.1", data, b_mac)
    time.sleep(1)
    stats = b.run_command("stats")
    assert int(find(r"malformed messages (\d+)", stats, "m").group(1)) >= stats_before + 5, stats

    # Nothing changed on B: the same tasks, the same images, counting on.
    assert tasks(b) == before_tasks
    assert b.run_command("images") == before_images
    counts_on(b)
    b.run_command("kill %d" % counter)
