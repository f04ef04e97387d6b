# Migration between two endpoints of one board, joined by tests/children/loop:
# a software link that loses one datagram in 7, repeats one in 5 and damages
# one in 11. The whole protocol runs (pre-copy rounds, final round, build on
# the receiving side, GO, delete on the sending side) on every board, with
# no network hardware; tests/qemu/test_migrate.py moves tasks between two
# boards over Ethernet and CAN.
#
# The same RTCR is sender (as peer x, node 14) and receiver (peer y, node
# 15), so both sides' console lines appear on one console.

import re

import pytest

from test_ckpt import counts_on, find, start, tasks, wait_line, values


@pytest.fixture(scope="module")
def loop(console):
    """The loop link, and the two peers it joins."""
    start(console, "test-loop")
    console.run_command("peer x - 14")
    out = console.run_command("peer y - 15")
    assert re.search(r"^y +- +15 +\(this board\)", out, re.M), out
    return console


def migrate(console, task, peer="y", link="loop", timeout=60):
    """Migrate; returns (the task's new id, the whole output)."""
    out = console.run_command("migrate %d %s %s" % (task, peer, link), timeout=timeout)
    m = find(r"^migrate: \S+ runs task \S+ as task (\d+); downtime", out, "the end")
    return int(m.group(1)), out


def arrived_intact_through_faults(console, new):
    """A test-stamp that came through a link that damaged messages: two more
    reports from it and no complaint, the damaged messages counted as
    malformed; then it goes."""
    wait_line(console, r"test-stamp: pass \d+ ok", timeout=30)
    wait_line(console, r"test-stamp: pass \d+ ok", timeout=30)
    assert "inconsistent" not in console.child.before
    stats = console.run_command("stats")
    assert int(find(r"malformed messages (\d+)", stats, "malformed").group(1)) > 0, stats
    console.run_command("kill %d" % new)

def test_counter_moves_and_continues(loop):
    console = loop
    task = start(console, "counter")
    wait_line(console, r"counter: 4\r*\n")
    before = console.child.before + console.child.after
    new, out = migrate(console, task)
    seen = values(r"counter: (\d+)", before + out)
    # The deleted task printed up to the final pause; the new one goes on
    # from exactly there: no restart, no value skipped or repeated.
    head, tail = out.split("deleted here")
    last_here = max(values(r"counter: (\d+)", before + head))
    nxt = int(wait_line(console, r"counter: (\d+)\r*\n").group(1))
    later = values(r"counter: (\d+)", tail) + [nxt]
    assert later[0] == last_here + 1, (last_here, later)
    assert later == list(range(later[0], later[0] + len(later))), later
    assert seen
    # Rounds and pages reported; the images came in unasked and are listed.
    assert re.search(r"^migrate: round 1: full image \d+, \d+ pages \(\d+ zero, not sent\), "
                     r"\d+ bytes in \d+ chunks", out, re.M), out
    assert re.search(r"^migrate: round \d+ \(final\): incremental image", out, re.M), out
    listed = console.run_command("images")
    assert re.search(r"^ +\d+ +%d +counter .* full +0  x \(image \d+\)$" % task, listed,
                     re.M), listed
    now = tasks(console)
    assert task not in now and now.get(new) == "counter", now
    console.run_command("kill %d" % new)


def test_a_task_that_writes_all_the_time_arrives_intact(loop):
    """test-stamp rewrites 256 pages without pause and checks each page
    before writing it: the pages it finds on the new side must be exactly
    those it left, although the link lost, repeated and damaged datagrams."""
    console = loop
    task = start(console, "test-stamp")
    wait_line(console, r"test-stamp: pass \d+ ok")
    new, out = migrate(console, task, timeout=120)
    m = find(r"^migrate: done: \d+ rounds, \d+ messages, \d+ bytes, (\d+) sent again$", out,
             "the summary")
    assert int(m.group(1)) > 0   # the link misbehaved, and the protocol made up for it
    arrived_intact_through_faults(console, new)


def test_echo_moves_and_keeps_working(loop):
    console = loop
    echo = start(console, "echo")
    n = int(wait_line(console, r"echo: (\d+) answers ok").group(1))
    new, _ = migrate(console, echo)
    got = 0
    while got <= n + 20:
        m = wait_line(console, r"(echo: call \d+ failed.*|echo: (\d+) answers ok)", timeout=15)
        assert "failed" not in m.group(0), m.group(0)
        got = int(m.group(2))
    now = tasks(console)
    assert echo not in now and now.get(new) == "echo", now
    console.run_command("kill %d" % new)


def test_refused_by_the_receiver_the_task_resumes_here(loop):
    """irqcount's device is the board's: on this board the receiving side
    cannot have it while the sender still holds it (a device has one
    holder), so it refuses the final image before it builds anything. The
    sender had stopped the task for the final round and lets it run again."""
    console = loop
    irq = start(console, "irqcount")
    wait_line(console, r"irqcount: (\d+) interrupts")
    out = console.run_command("migrate %d y loop" % irq, timeout=60)
    assert re.search(r"^migrate: y refused it: restore failed: device \w+ is held by task %d "
                     r"\(irqcount\); task %d \(irqcount\) (resumed and runs|keeps running) here$"
                     % (irq, irq), out, re.M), out
    assert tasks(console).get(irq) == "irqcount"
    n = int(wait_line(console, r"irqcount: (\d+) interrupts").group(1))
    assert int(wait_line(console, r"irqcount: (\d+) interrupts").group(1)) > n
    # Nothing is left of it on the receiving side.
    assert list(tasks(console).values()).count("irqcount") == 1
    console.run_command("kill %d" % irq)


def test_failures_leave_the_task_running_here(loop):
    console = loop
    task = start(console, "counter")
    # To an unknown peer, to itself, to a peer without the link, bad words.
    assert "migrate: no peer 'nobody'" in console.run_command("migrate %d nobody loop" % task)
    assert "usage: migrate <task> <peer> eth|can|loop" in \
        console.run_command("migrate %d y tcp" % task)
    assert "no task 99999" in console.run_command("migrate 99999 y loop")
    rtcr = [t for t, name in tasks(console).items() if name == "rtcr"][0]
    assert "is rtcr itself" in console.run_command("migrate %d y loop" % rtcr)
    # The receiver does not know the sender: refused there, kept here.
    console.run_command("peer x remove")
    out = console.run_command("migrate %d y loop" % task)
    assert re.search(r"rtcr: refused OFFER from unknown sender node 14", out), out
    assert re.search(r"^migrate: y refused it: unknown sender: .*; task %d \(counter\) keeps "
                     r"running here$" % task, out, re.M), out
    console.run_command("peer x - 14")
    assert tasks(console).get(task) == "counter"
    counts_on(console)
    # A driver task cannot move.
    loop_task = [t for t, name in tasks(console).items() if name == "test-loop"][0]
    assert "drives a network link" in console.run_command("migrate %d y loop" % loop_task)
    console.run_command("kill %d" % task)


def test_peer_command(loop):
    console = loop
    assert "usage: peer" in console.run_command("peer z 10.0.0")
    assert "usage: peer" in console.run_command("peer z 300.0.0.1")
    assert "bad name" in console.run_command("peer z 10.0.0.9 16")
    assert "another peer has that address" in console.run_command("peer z 10.0.0.1")
    out = console.run_command("peer z 10.0.0.9 9")
    assert re.search(r"^z +10\.0\.0\.9 +9", out, re.M), out
    assert "no such peer" in console.run_command("peer w remove")
    out = console.run_command("peer z remove")
    assert not re.search(r"^z ", out, re.M), out
