# `start <module>` and `kill <task>`: children come and go from the console,
# and a kill leaves nothing behind in RTCR's capability space.

import re

STARTED = re.compile(r"rtcr: started 'hello' as task (\d+)")


def task_ids(console):
    """Task ids that have threads, from `ps`."""
    ids = set()
    for line in console.run_command("ps").splitlines()[1:]:
        f = line.split()
        if len(f) >= 5 and f[1].isdigit():
            ids.add(int(f[1]))
    return ids


def root_id(console):
    for line in console.run_command("ps").splitlines()[1:]:
        f = line.split()
        if len(f) >= 5 and f[4] == "rtcr":
            return int(f[1])
    raise AssertionError("no rtcr thread in ps")


def occupied_cells(console, task):
    out = console.run_command("caps %d" % task)
    cells = []
    for line in out.splitlines():
        f = line.split()
        if f and re.fullmatch(r"[0-9a-f]{6}", f[0]):
            base = int(f[0], 16)
            cells += [(base + i, c.split("-", 1)[1]) for i, c in enumerate(f[1:]) if c != "-"]
    return cells


def start_hello(console):
    out = console.run_command("start hello")
    m = STARTED.search(out)
    assert m, out
    return int(m.group(1))


def test_start_and_kill(console):
    tid = start_hello(console)
    assert tid in task_ids(console)
    # What a child starts with: the gate to its parent; hello asked for a log.
    assert occupied_cells(console, tid) == [(1, "gate:-w-"), (16, "gate:-w-")]
    out = console.run_command("kill %d" % tid)
    assert out.strip() == "killed task %d (hello)" % tid, out
    assert tid not in task_ids(console)
    assert console.run_command("caps %d" % tid).strip() == "no task %d" % tid
    assert console.run_command("kill %d" % tid).strip() == "no task %d" % tid


def test_start_kill_cycles_leave_nothing(console):
    root = root_id(console)
    caps_before = occupied_cells(console, root)
    tasks_before = task_ids(console)
    for _ in range(20):
        tid = start_hello(console)
        assert "killed task %d" % tid in console.run_command("kill %d" % tid)
    assert occupied_cells(console, root) == caps_before
    assert task_ids(console) == tasks_before


def test_start_kill_errors(console):
    root = root_id(console)
    assert console.run_command("kill %d" % root).strip() == "task %d is rtcr itself" % root
    assert console.run_command("kill 99999").strip() == "no task 99999"
    for bad in ("kill", "kill abc", "kill 1 2", "kill -1", "kill 99999999999"):
        assert console.run_command(bad).strip() == "usage: kill <task>", bad
    out = console.run_command("start nosuch").strip()
    m = re.match(r"^no module 'nosuch' \(modules: ([a-z0-9 -]+)\)$", out)
    assert m, out
    assert {"hello", "counter", "echo", "irqcount", "test-stamp", "test-pages", "test-hostile",
            "test-loop"} <= set(m.group(1).split()), out
    for bad in ("start", "start a b", "start a 1 2", "start counter -1", "start counter 1x",
                "start counter 99999999999"):
        assert console.run_command(bad).strip() == "usage: start <module> [arg]", bad
    help_text = console.run_command("help")
    assert "start <module> [arg]" in help_text and "kill <task>" in help_text
