# Tests of the RTCR serial shell on the normal image (build/<board>/image.elf).
# All tests of this module share one boot per board (the `console` fixture).

import re
import time

from conftest import banner_regex

THREAD_STATES = {"inactive", "ready", "running", "blocked", "suspended",
                 "faulted", "idle"}

PS_HEADER = re.compile(r"^\s*ID\s+TASK\s+STATE\s+PRIO\s+NAME")
# TASK is "-" for a thread that belongs to no task (the idle thread).
PS_ROW = re.compile(r"^\s*(\d+)\s+(\d+|-)\s+(\S+)\s+(\d+)\s+(\S.*?)\s*$")
TASKS_HEADER = re.compile(r"^TASK\s+NAME\s+THREADS$")
TASK_ROW = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\d+)$")
HELP_ROW = re.compile(r"^\s+(\S+)\s+\S")
UPTIME = re.compile(r"^up (\d+\.\d{6}) s$")


def lines_of(output):
    return [line for line in output.split("\n") if line.strip()]


def parse_ps(output):
    """Return the thread rows of `ps` as dicts, and its task rows as
    {task id: (name, threads)}; assert the format on the way."""
    lines = lines_of(output)
    assert lines, "ps printed nothing"
    assert PS_HEADER.match(lines[0]), "bad ps header %r in:\n%s" % (lines[0], output)
    threads, tasks = [], {}
    rows = lines[1:]
    split = next((i for i, line in enumerate(rows) if TASKS_HEADER.match(line)), None)
    assert split is not None, "no task table in:\n%s" % output
    for line in rows[:split]:
        m = PS_ROW.match(line)
        assert m, "bad ps row %r in:\n%s" % (line, output)
        task = None if m.group(2) == "-" else int(m.group(2))
        threads.append({"id": int(m.group(1)), "task": task,
                        "state": m.group(3), "prio": int(m.group(4)),
                        "name": m.group(5), "line": line})
    for line in rows[split + 1:]:
        m = TASK_ROW.match(line)
        assert m, "bad task row %r in:\n%s" % (line, output)
        tasks[int(m.group(1))] = (m.group(2), int(m.group(3)))
    return threads, tasks


def uptime_seconds(console):
    output = console.run_command("uptime")
    lines = lines_of(output)
    assert len(lines) == 1, "uptime printed:\n%s" % output
    m = UPTIME.match(lines[0].strip())
    assert m, "bad uptime output %r" % lines[0]
    return float(m.group(1))


def test_banner(console, board):
    assert re.fullmatch(banner_regex(board), console.banner), console.banner
    assert console.banner in console.boot_output


def test_help(console):
    output = console.run_command("help")
    names = set()
    for line in lines_of(output):
        m = HELP_ROW.match(line)
        if m:
            names.add(m.group(1))
    missing = {"help", "ps", "uptime"} - names
    assert not missing, "help does not list %s:\n%s" % (sorted(missing), output)


def test_ps(console):
    output = console.run_command("ps")
    threads, tasks = parse_ps(output)
    assert len(threads) >= 2, "expected at least idle and rtcr:\n%s" % output

    for t in threads:
        assert t["state"] in THREAD_STATES, "bad state in %r" % t["line"]
        assert 0 <= t["prio"] <= 255, "bad priority in %r" % t["line"]
    ids = [t["id"] for t in threads]
    assert len(ids) == len(set(ids)), "duplicate thread ids:\n%s" % output

    taskless = [t["name"] for t in threads if t["task"] is None]
    assert set(taskless) <= {"idle"}, "only idle may have no task:\n%s" % output

    idle = [t for t in threads if t["name"] == "idle"]
    assert len(idle) == 1, "expected one idle thread:\n%s" % output
    assert idle[0]["state"] == "idle", idle[0]["line"]
    assert idle[0]["prio"] == 0, idle[0]["line"]

    # Every task with threads is listed with its name and thread count.
    for tid in {t["task"] for t in threads if t["task"] is not None}:
        assert tid in tasks, "task %d missing from the task table:\n%s" % (tid, output)
        assert tasks[tid][1] == sum(t["task"] == tid for t in threads), output
    assert "rtcr" in [name for name, _ in tasks.values()], output

    running = [t for t in threads if t["state"] == "running"]
    assert [t["name"] for t in running] == ["rtcr"], \
        "expected exactly the rtcr thread running:\n%s" % output


def test_uptime(console):
    first = uptime_seconds(console)
    second = uptime_seconds(console)
    assert second >= first, "uptime went backwards: %s then %s" % (first, second)

    host_start = time.monotonic()
    time.sleep(1.0)
    third = uptime_seconds(console)
    host_elapsed = time.monotonic() - host_start
    delta = third - second
    assert 0.5 <= delta <= 3.0, \
        "uptime advanced %.6f s while the host waited %.3f s (%s -> %s)" \
        % (delta, host_elapsed, second, third)


def test_unknown_command(console):
    output = console.run_command("foo")
    assert output.strip() == "unknown command 'foo' (try 'help')", output


def test_line_too_long(console):
    line = "x" * 200
    output = console.run_command(line)
    assert "error: line too long (max 127 characters)" in output, output
    assert "unknown command" not in output, output
    # The shell must still work normally afterwards.
    output = console.run_command("help")
    assert "uptime" in output, "help after the long line printed:\n%s" % output
    assert "error" not in output, output


def test_command_burst(console):
    commands = ["help", "ps", "uptime", "foo"] * 5
    start = time.monotonic()
    for cmd in commands:
        output = console.run_command(cmd)
        if cmd == "help":
            assert "uptime" in output, output
        elif cmd == "ps":
            assert PS_HEADER.match(lines_of(output)[0]), output
        elif cmd == "uptime":
            assert UPTIME.match(output.strip()), output
        else:
            assert "unknown command 'foo'" in output, output
    elapsed = time.monotonic() - start
    assert elapsed < 20, "20 commands took %.1f s" % elapsed
    # And the console is still in sync after the burst.
    assert UPTIME.match(console.run_command("uptime").strip())


def test_empty_line(console):
    assert console.run_command("") == ""
    # Still in sync: the next command gets its own output.
    assert UPTIME.match(console.run_command("uptime").strip())
