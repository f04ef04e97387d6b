# The `caps <task>` console command: a task's capability space in the
# manner of Fiasco's JDB (a %06x selector per row of four slots, each cell
# <object id>-<type>:<rights> or "-").

import re

ROW = re.compile(r"^([0-9a-f]{6})((?: +\S+){4})\s*$")


def parse_caps(output):
    """selector -> (object id, type) for every occupied cell."""
    caps = {}
    rows = 0
    for line in output.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        rows += 1
        base = int(m.group(1), 16)
        assert base % 4 == 0, line
        for i, cell in enumerate(m.group(2).split()):
            if cell != "-":
                obj, typ = cell.split("-", 1)
                caps[base + i] = (int(obj), typ)
    return caps, rows


def ps_tasks(console):
    """thread name -> task id, from `ps`."""
    tasks = {}
    for line in console.run_command("ps").splitlines()[1:]:
        f = line.split()
        if len(f) >= 5 and f[1].isdigit():
            tasks[f[4]] = int(f[1])
    return tasks


def test_caps_of_root(console):
    root = ps_tasks(console)["rtcr"]
    out = console.run_command("caps %d" % root)
    assert "capabilities of task %d (rtcr)" % root in out
    caps, _ = parse_caps(out)
    assert caps[1] == (root, "task:rwg")
    expected = {2: "thread", 3: "factory", 4: "sched", 5: "console", 6: "platform"}
    for sel, typ in expected.items():
        assert caps[sel][1] == typ + ":rwg", out
    ids = [obj for obj, _ in caps.values()]
    # Distinct selectors may name the same object, but these six do not.
    assert len(set(ids[:6])) == 6, out


def test_caps_of_child(console):
    child = ps_tasks(console)["hello"]
    out = console.run_command("caps %d" % child)
    caps, rows = parse_caps(out)
    # The child holds exactly what RTCR handed it: the gate to its parent,
    # and the log session it asked for, both only to send through.
    assert sorted(caps) == [1, 16], out
    assert all(typ == "gate:-w-" for _, typ in caps.values()), out
    assert rows == 2


def test_caps_errors(console):
    assert console.run_command("caps 4000").strip() == "no task 4000"
    assert console.run_command("caps abc").strip() == "usage: caps <task>"
    assert console.run_command("caps").strip() == "usage: caps <task>"
    assert console.run_command("caps 1 2").strip() == "usage: caps <task>"
    assert console.run_command("caps 99999999999").strip() == "usage: caps <task>"
    assert "help" in console.run_command("help")
