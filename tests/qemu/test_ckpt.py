# Checkpoint and restore from the console: the demo children keep their
# capabilities, their state and their work across a kill and a restore;
# increments hold exactly the pages written; the image is the memory at the
# pause although the child kept writing; images that are damaged are refused.
#
# The children print on their own while commands run, so outputs are read
# for the lines that matter, never compared whole.

import json
import re
import subprocess

import pytest

import ckptimg

from conftest import REPO_ROOT, BUILD_DIR

DECODER = BUILD_DIR / "host" / "ckpt-decode"
CAP_CELL = re.compile(r"^(\d+)-(\w+):([r-][w-][g-])$")
CAP_ROW = re.compile(r"^([0-9a-f]{6})((?: +\S+){4})\s*$")


def find(pattern, text, what):
    m = re.search(pattern, text, re.M)
    assert m, "no %s in:\n%s" % (what, text)
    return m


def start(console, module):
    out = console.run_command("start " + module)
    return int(find(r"rtcr: started '%s' as task (\d+)" % re.escape(module), out,
                    "start line").group(1))


def tasks(console):
    """task id -> name, from the task table of `ps`."""
    out = console.run_command("ps").split("TASK NAME")[1]
    return {int(l.split()[0]): l.split()[1] for l in out.splitlines()[1:] if l.strip()}


def checkpoint(console, task):
    """Take a checkpoint; returns (image id, kind, pages, whole output)."""
    out = console.run_command("ckpt %d" % task)
    m = find(r"^checkpoint (\d+) of task %d \(\S+\): (full|incremental), (\d+) pages, "
             r"(\d+) bytes, pause (\d+) us$" % task, out, "checkpoint report")
    return int(m.group(1)), m.group(2), int(m.group(3)), out


def restore(console, image):
    out = console.run_command("restore %d" % image)
    return int(find(r"^restored image %d as task (\d+) \(\S+\)$" % image, out,
                    "restore report").group(1))


def kill(console, task):
    assert re.search(r"^killed task %d " % task, console.run_command("kill %d" % task), re.M)


def caps(console, task):
    """selector -> (type, rights): the capability table without object ids."""
    table = {}
    for line in console.run_command("caps %d" % task).splitlines():
        m = CAP_ROW.match(line)
        if not m:
            continue
        base = int(m.group(1), 16)
        for i, cell in enumerate(m.group(2).split()):
            if cell == "-":
                continue
            c = CAP_CELL.match(cell)
            assert c, cell
            table[base + i] = (c.group(2), c.group(3))
    return table


def wait_line(console, pattern, timeout=10):
    """Wait for a line the children print; returns the match."""
    console.child.expect(pattern, timeout=timeout)
    return console.child.match


def counts_on(con, name="counter"):
    """The child called name goes on counting on con: two lines in a row,
    one apart."""
    pattern = r"%s: (\d+)\r*\n" % re.escape(name)
    n = int(wait_line(con, pattern).group(1))
    m = int(wait_line(con, pattern).group(1))
    assert m == n + 1, (n, m)


def values(pattern, text):
    return [int(v) for v in re.findall(pattern, text)]


def dump(console, image):
    out = console.run_command("images dump %d" % image, timeout=60)
    assert "ckpt-image %d " % image in out, out
    return out


def decode_json(text, tmp_path):
    if not DECODER.exists():
        subprocess.run(["make", "-s", str(DECODER.relative_to(REPO_ROOT))], cwd=REPO_ROOT,
                       check=True)
    capture = tmp_path / "capture.txt"
    capture.write_text(text)
    res = subprocess.run([str(DECODER), "--json", str(capture)], capture_output=True,
                         text=True, check=True)
    return json.loads(res.stdout)


# ---------------------------------------------------------------------------

FIRST_LINE = {
    "counter": r"counter: 2\r*\n",
    "echo": r"echo: 10 answers ok",
    "irqcount": r"irqcount: \d+ interrupts",
}


@pytest.mark.parametrize("module", ["counter", "echo", "irqcount"])
def test_capabilities_survive_restore(console, module):
    """Slot for slot, type and rights: nothing missing, nothing added."""
    task = start(console, module)
    wait_line(console, FIRST_LINE[module])
    before = caps(console, task)
    assert CHILD_SEL_PARENT in before and before[CHILD_SEL_PARENT][0] == "gate"
    image, kind, _, _ = checkpoint(console, task)
    assert kind == "full"
    kill(console, task)
    new = restore(console, image)
    assert caps(console, new) == before
    wait_line(console, FIRST_LINE[module].replace("2", r"\d+").replace("10", r"\d+"))
    kill(console, new)


CHILD_SEL_PARENT = 1


def test_counter_continues_from_its_checkpoint(console):
    task = start(console, "counter")
    wait_line(console, r"counter: 3\r*\n")
    image, _, _, out = checkpoint(console, task)
    seen = (console.child.before + out).split("checkpoint %d of" % image)[0]
    at_pause = max(values(r"counter: (\d+)", seen) + [3])
    out = console.run_command("kill %d" % task)
    last = max(values(r"counter: (\d+)", console.child.before + out) + [at_pause])
    new = restore(console, image)
    first = int(wait_line(console, r"counter: (\d+)\r*\n").group(1))
    # The value it had at the pause (give or take the tick that may come
    # between the pause and the report), not zero.
    assert first >= 3 and at_pause - 1 <= first <= last + 1, (at_pause, first, last)
    kill(console, new)


def test_echo_and_irqcount_keep_working(console):
    echo = start(console, "echo")
    irq = start(console, "irqcount")
    n_echo = int(wait_line(console, r"echo: (\d+) answers ok").group(1))
    n_irq = int(wait_line(console, r"irqcount: (\d+) interrupts").group(1))
    img_echo, _, _, _ = checkpoint(console, echo)
    img_irq, _, _, _ = checkpoint(console, irq)
    kill(console, echo)
    kill(console, irq)
    new_echo = restore(console, img_echo)
    new_irq = restore(console, img_irq)
    got_echo = got_irq = 0
    while not (got_echo > n_echo and got_irq > n_irq):
        m = wait_line(console, r"(echo: call \d+ failed.*|echo: (\d+) answers ok|"
                               r"irqcount: (\d+) interrupts)", timeout=15)
        assert "failed" not in m.group(0), m.group(0)
        if m.group(2):
            got_echo = int(m.group(2))
        if m.group(3):
            got_irq = int(m.group(3))
    kill(console, new_echo)
    kill(console, new_irq)


def test_checkpoint_of_threads_blocked_in_ipc_and_timer_sleep(console, tmp_path):
    """echo's client waits for its server's reply while the server sleeps on
    a timer: such a checkpoint restores into a working echo."""
    task = start(console, "echo")
    wait_line(console, r"echo: 10 answers ok")
    image = None
    for _ in range(10):
        image, _, _, _ = checkpoint(console, task)
        threads = decode_json(dump(console, image), tmp_path)["threads"]
        waits = {t["index"]: t["wait"] for t in threads}
        if waits.get(0) in ("reply", "call") and waits.get(1) == "receive":
            break
    else:
        pytest.fail("never caught the client in IPC and the server in a sleep: %s" % waits)
    kill(console, task)
    new = restore(console, image)
    n = int(wait_line(console, r"echo: (\d+) answers ok").group(1))
    n2 = int(wait_line(console, r"echo: (\d+) answers ok").group(1))
    assert n2 == n + 10
    kill(console, new)


def test_increment_holds_exactly_the_written_pages(console, tmp_path):
    task = start(console, "test-pages")
    wait_line(console, r"test-pages: round \d+ wrote[ 0-9a-f]*\r*\n")
    first, kind, _, _ = checkpoint(console, task)
    assert kind == "full"
    m = wait_line(console, r"test-pages: round (\d+) wrote([ 0-9a-f]*)\r*\n")
    written = {int(v, 16) for v in m.group(2).split()}
    assert written
    second, kind, pages, _ = checkpoint(console, task)
    assert kind == "incremental"
    img = decode_json(dump(console, second), tmp_path)
    assert img["header"]["base_id"] == first
    in_dataspace = {p["va"] for p in img["pages"] if 0x10000000 <= p["va"] < 0x10040000}
    assert in_dataspace == written
    # Everything else it wrote is its own data and stack, below the dataspace.
    assert all(p["va"] < 0x10000000 for p in img["pages"] if p["va"] not in written)
    kill(console, task)


def test_image_is_memory_at_the_pause(console):
    """test-stamp writes all the time; it checks on every write that the
    page holds what its own progress says. Restored from images taken while
    it wrote, it finds no page ahead of or behind it."""
    task = start(console, "test-stamp")
    wait_line(console, r"test-stamp: pass \d+ ok")
    full, _, _, _ = checkpoint(console, task)
    inc, kind, _, _ = checkpoint(console, task)
    assert kind == "incremental"
    stats = console.run_command("stats")
    early = int(find(r"copied before the child wrote them (\d+)", stats, "stats").group(1))
    assert early > 0, "the child never wrote a page before it was copied:\n" + stats
    kill(console, task)
    for image in (full, inc):
        new = restore(console, image)
        for _ in range(3):
            m = wait_line(console, r"test-stamp: (pass \d+ ok|inconsistent.*)\r*\n")
            assert "inconsistent" not in m.group(1), m.group(1)
        kill(console, new)


def test_hundred_cycles_leave_kernel_memory_as_it_was(console):
    """Measured with no counter alive, so its lazily mapped pages (and the
    page tables they need) do not count: what is left is RTCR's."""
    def kernel_memory():
        return int(find(r"kernel memory in use (\d+)", console.run_command("stats"),
                        "kernel memory").group(1))
    task = start(console, "counter")
    wait_line(console, r"counter: 1\r*\n")
    image, _, _, _ = checkpoint(console, task)
    kill(console, task)
    start_value = kernel_memory()
    for _ in range(100):
        task = restore(console, image)
        image, _, _, _ = checkpoint(console, task)
        kill(console, task)
    assert kernel_memory() == start_value


# ---- bad input ------------------------------------------------------------------

def load(console, lines):
    """`images load` and the lines of a dump: no prompt comes until the last.
    Output is read after each line (up to a line end: the echo's, or one a
    child printed), so neither side's buffers fill up while the other waits."""
    child = console.child
    saved, child.delaybeforesend = child.delaybeforesend, 0
    try:
        console.send("images load\r")
        child.expect_exact("'abort' stops", timeout=30)
        for line in lines[:-1]:
            console.send(line + "\r")
            child.expect_exact("\n", timeout=30)
    finally:
        child.delaybeforesend = saved
    return console.run_command(lines[-1], timeout=60)


@pytest.mark.parametrize("damage,reason", [
    ("flip", r"checksum mismatch"),
    ("truncate", r"truncated"),
    ("version", r"unsupported version 3"),
])
def test_damaged_image_is_rejected(console, damage, reason):
    task = start(console, "counter")
    wait_line(console, r"counter: 1\r*\n")
    image, _, _, _ = checkpoint(console, task)
    data = bytearray(ckptimg.image_from_dump(dump(console, image)))
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[:len(data) - 4096]
    else:
        data[8] = 3
    before = console.run_command("images")
    out = load(console, ckptimg.dump_lines(bytes(data), image))
    assert re.search(r"images load: rejected: .*" + reason, out), out
    # Nothing changed: the same images, and the counter still counts.
    after = console.run_command("images")
    assert [l for l in after.splitlines() if re.match(r"^\s+\d+ ", l)] == \
        [l for l in before.splitlines() if re.match(r"^\s+\d+ ", l)]
    counts_on(console)
    kill(console, task)


def test_good_image_loads_and_restores(console):
    task = start(console, "counter")
    wait_line(console, r"counter: 2\r*\n")
    image, _, _, _ = checkpoint(console, task)
    kill(console, task)
    data = ckptimg.image_from_dump(dump(console, image))
    # The same image twice would make its name ambiguous: refused.
    out = load(console, ckptimg.dump_lines(data, image))
    assert "images load: rejected: image %d of boot " % image in out, out
    assert "is here already, as image %d" % image in out, out
    assert "dropped 1 image" in console.run_command("images drop %d" % image)
    out = load(console, ckptimg.dump_lines(data, image))
    loaded = int(find(r"loaded image %d as image (\d+)" % image, out, "load report").group(1))
    new = restore(console, loaded)
    assert int(wait_line(console, r"counter: (\d+)\r*\n").group(1)) > 2
    kill(console, new)


def test_bad_arguments(console):
    def said(cmd):
        return console.run_command(cmd).strip().splitlines()

    usage = "usage: ckpt <task> [every <ms>|stop]"
    for bad in ("ckpt", "ckpt x", "ckpt 1 every", "ckpt 1 every 0", "ckpt 1 often",
                "ckpt 1 every x", "ckpt 1 2 3 4"):
        assert usage in said(bad), bad
    assert "no task 99999" in said("ckpt 99999")
    assert "usage: restore <image>" in said("restore")
    assert "usage: restore <image>" in said("restore x")
    assert "no image 99999" in said("restore 99999")
    assert "usage: dirty <task>" in said("dirty")
    usage = "usage: images [dump <id>|load|drop <id> [chain]]"
    for bad in ("images dump", "images x", "images drop", "images drop x", "images drop 1 all",
                "images dump 1 chain"):
        assert usage in said(bad), bad
    assert "no image 99999" in said("images dump 99999")
    assert "no image 99999" in said("images drop 99999")
    help_text = console.run_command("help")
    for cmd in ("ckpt <task>", "dirty <task>", "images", "restore <image>", "stats"):
        assert cmd in help_text


def test_periodic_checkpoints_and_dirty(console):
    task = start(console, "counter")
    wait_line(console, r"counter: 1\r*\n")
    assert "checkpointing task %d every 300 ms" % task in \
        console.run_command("ckpt %d every 300" % task)
    wait_line(console, r"counter: 8\r*\n")
    assert "no more periodic checkpoints of task %d" % task in \
        console.run_command("ckpt %d stop" % task)
    assert "task %d has no periodic checkpoints" % task in \
        console.run_command("ckpt %d stop" % task)
    rows = [l.split() for l in console.run_command("images").splitlines()]
    mine = sorted((r for r in rows if len(r) >= 7 and r[1] == str(task)), key=lambda r: int(r[0]))
    assert len(mine) >= 3, rows
    assert mine[0][6] == "full" and all(r[6] == "incremental" for r in mine[1:])
    out = console.run_command("dirty %d" % task)
    assert re.search(r"^\d+ pages$", out, re.M), out
    kill(console, task)


def test_bad_session_requests_are_refused(console):
    """test-hostile makes every kind of bad request of its parent; each gets
    its error and changes nothing (the child then uses the same sessions)."""
    out = console.run_command("start test-hostile")
    task = int(find(r"rtcr: started 'test-hostile' as task (\d+)", out, "start line").group(1))
    # Its report may come before the prompt (it is quick) or after it.
    pattern = r"test-hostile: (\d+) checks, (\d+) failed"
    m = re.search(pattern, out) or wait_line(console, pattern)
    assert int(m.group(1)) >= 40 and int(m.group(2)) == 0, console.child.before
    assert "test-hostile" in console.run_command("ps")
    kill(console, task)
