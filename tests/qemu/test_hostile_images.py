# Images that are not what a board would write, and a store used to its
# limits. Each image is crafted from one the board dumped (tests/qemu/
# ckptimg.py changes a field and seals it with a valid CRC), pasted back
# with `images load`, and restored: RTCR refuses it with the reason,
# checking every value as it checks a live child's request, and nothing on
# the board changes. Increments are chained only to the exact image they
# were taken against, a device has one holder, and the store can be
# emptied from the console.

import copy
import itertools
import re

import pytest

import ckptimg
from test_ckpt import (checkpoint, counts_on, dump, find, kill, load, restore, start, tasks,
                       wait_line)


def image_bytes(console, image):
    return ckptimg.image_from_dump(dump(console, image))


def load_image(console, data, image_id):
    return load(console, ckptimg.dump_lines(data, image_id))


def loaded_id(out, image_id):
    return int(find(r"^loaded image %d as image (\d+) " % image_id, out, "load report").group(1))


def image_rows(console):
    """id -> the words of its row in `images`."""
    rows = {}
    for line in console.run_command("images").splitlines():
        words = line.split()
        if len(words) >= 8 and words[0].isdigit() and words[1].isdigit():
            rows[int(words[0])] = words
    return rows


# ---- 1. an increment needs its base, exactly ---------------------------------------

def test_increment_of_another_boot_is_not_chained_to_this_boots_image(console):
    """Ids restart at 1 on every boot: an increment of boot 1 must not be
    applied to boot 2's image 1 (a task's state from another task's pages)."""
    console.restart()
    task = start(console, "counter")
    wait_line(console, r"counter: 2\r*\n")
    full, _, _, _ = checkpoint(console, task)
    wait_line(console, r"counter: 5\r*\n")
    inc, kind, _, _ = checkpoint(console, task)
    assert kind == "incremental"
    kill(console, task)
    full_data, inc_data = image_bytes(console, full), image_bytes(console, inc)
    boot1 = ckptimg.Image.parse(inc_data).origin

    console.restart()                      # boot 2: ids from 1 again
    task = start(console, "test-pages")    # another task's image gets boot 1's base id
    own, _, _, _ = checkpoint(console, task)
    assert own == full
    kill(console, task)
    out = load_image(console, inc_data, inc)
    assert "images load: rejected: an increment of image %d of boot %016x, which is not here" \
        % (full, boot1) in out, out
    assert image_rows(console).keys() == {own}

    # With its own base loaded first, it chains to that one and restores.
    base = loaded_id(load_image(console, full_data, full), full)
    new_inc = loaded_id(load_image(console, inc_data, inc), inc)
    rows = image_rows(console)
    assert rows[new_inc][6:8] == ["incremental", str(base)], rows[new_inc]
    assert rows[base][8:] == ["loaded", "(image", str(full), "of", "boot",
                              "%08x)" % (boot1 >> 32)], rows[base]
    new = restore(console, new_inc)
    assert int(wait_line(console, r"counter: (\d+)\r*\n").group(1)) >= 5
    kill(console, new)


# ---- 2. every restored value checked as a live request is ------------------------

@pytest.fixture(scope="module")
def counter_image(console):
    """A counter's full image, parsed; the board keeps no copy of it."""
    task = start(console, "counter")
    wait_line(console, r"counter: 2\r*\n")
    image, _, _, _ = checkpoint(console, task)
    kill(console, task)
    data = image_bytes(console, image)
    assert "dropped 1 image" in console.run_command("images drop %d" % image)
    return ckptimg.Image.parse(data)


fresh_ids = itertools.count(9001)   # not ids of this boot: never "here already"


def timer(im):
    return im.session(ckptimg.TIMER)


def set_word(words, i, value):
    words[i] = value


def many_sessions(im):
    im.sessions += [ckptimg.Session(0x9000 + i, ckptimg.LOG) for i in range(100)]


def writable_code(im):
    for s in im.sessions_of(ckptimg.SEGMENT):
        s.args[2] = ckptimg.MAP_R | ckptimg.MAP_W | ckptimg.MAP_X


def signal_from_log(im):
    log = im.session(ckptimg.LOG)
    im.caps.append(ckptimg.Cap(sel=0x300, type=ckptimg.KOBJ_IRQ, rights=ckptimg.R, session=log.id))


# name -> (change, where it is refused, the reason)
CRAFTED = {
    "timer period 0": (lambda im: set_word(timer(im).state, 1, 0), "restore",
                       r"a timer period of 0 us \(at least 1000\)"),
    "timer period 1 us": (lambda im: set_word(timer(im).state, 1, 1), "restore",
                          r"a timer period of 1 us"),
    "timer mode 7": (lambda im: set_word(timer(im).state, 0, 7), "restore",
                     r"timer mode 7 \(0 off, 1 one-shot, 2 periodic\)"),
    "deadline at the maximum": (lambda im: (set_word(timer(im).state, 2, 0xFFFFFFFF),
                                            set_word(timer(im).state, 3, 0xFFFFFFFF)),
                                "restore", r"a periodic timer's deadline more than a period ahead"),
    "extreme clock offset": (lambda im: set_word(im.session(ckptimg.PARENT).state, 1, 0x80000000),
                             "restore", r"a clock offset of -9223372036854775808 us"),
    "dead thread state": (lambda im: setattr(im.threads[0], "state", 0xFFFFFFFF), "restore",
                          r"thread 0 in state 4294967295"),
    "priority above children": (lambda im: setattr(im.threads[0], "priority", 100), "restore",
                                r"thread 0 at priority 100 \(1-99\)"),
    "dataspace over the quota": (lambda im: set_word(im.session(ckptimg.DATASPACE).args, 1, 8192),
                                 "restore", r"ram session \d+: 8192 pages in dataspaces"),
    "108 sessions": (many_sessions, "restore", r"more sessions than a task may have \(24\)"),
    "writable code": (writable_code, "restore", r"both writable and executable"),
    "grant on the parent gate": (lambda im: setattr(im.cap_at(1), "rights", ckptimg.W | ckptimg.G),
                                 "restore", r"gate with rights 6 on a parent session"),
    "a signal from a log session": (signal_from_log, "restore",
                                    r"irq with rights 1 on a log session"),
    "task name with a terminal escape": (lambda im: setattr(im, "name", b"\x1b[2Jpwn"), "load",
                                         r"bad name at offset 28: byte 27 is not printable"),
    "thread name with a newline": (lambda im: setattr(im.threads[0], "name", b"a\nb"), "load",
                                   r"bad name at offset \d+: byte 10 is not printable"),
}


def crafted(original, change):
    """The image changed, under an id of its own, without its pages: every
    value is checked before a page is used, so they are not needed to be
    refused (and the dump stays short)."""
    im = copy.deepcopy(original)
    im.image_id = next(fresh_ids)
    im.pages = []
    change(im)
    return im.image_id, im.encode()


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_image_is_refused_with_the_reason(console, counter_image, case):
    change, where, reason = CRAFTED[case]
    image_id, data = crafted(counter_image, change)
    before = tasks(console)
    out = load_image(console, data, image_id)
    assert "\x1b" not in out
    if where == "load":
        assert re.search(r"^images load: rejected: " + reason, out, re.M), out
        assert tasks(console) == before
        return
    local = loaded_id(out, image_id)
    out = console.run_command("restore %d" % local)
    assert re.search(r"^restore %d: image %d: .*%s" % (local, local, reason), out, re.M), out
    assert tasks(console) == before
    assert "dropped 1 image" in console.run_command("images drop %d" % local)


def test_crafted_image_that_changes_nothing_restores(console, counter_image):
    """The control: the same way of crafting, pages kept, nothing changed."""
    im = copy.deepcopy(counter_image)
    im.image_id = next(fresh_ids)
    local = loaded_id(load_image(console, im.encode(), im.image_id), im.image_id)
    new = restore(console, local)
    assert int(wait_line(console, r"counter: (\d+)\r*\n").group(1)) >= 2
    kill(console, new)


def test_timer_long_due_on_a_clock_far_ahead_goes_on(console, counter_image):
    """A child whose clock is hours ahead of the board's (it lived long
    elsewhere) with a timer deadline at the start of its clock: allowed (a
    deadline may have passed), and its periodic timer goes on on its
    schedule, not at a deadline that wrapped around into never."""
    im = copy.deepcopy(counter_image)
    im.image_id = next(fresh_ids)
    offset = 10 ** 10
    parent = im.session(ckptimg.PARENT)
    parent.state[0], parent.state[1] = offset & 0xFFFFFFFF, offset >> 32
    timer(im).state[2:4] = [1, 0]
    local = loaded_id(load_image(console, im.encode(), im.image_id), im.image_id)
    new = restore(console, local)
    counts_on(console)
    kill(console, new)


def test_increment_that_changes_the_memory_map_is_refused(console):
    task = start(console, "counter")
    wait_line(console, r"counter: 2\r*\n")
    full, _, _, _ = checkpoint(console, task)
    inc, _, _, _ = checkpoint(console, task)
    kill(console, task)
    im = ckptimg.Image.parse(image_bytes(console, inc))
    im.image_id = next(fresh_ids)
    im.session(ckptimg.DATASPACE).args[1] += 1
    im.session(ckptimg.RAM).state[0] += 1
    im.session(ckptimg.RAM).args[0] += 1
    local = loaded_id(load_image(console, im.encode(), im.image_id), im.image_id)
    out = console.run_command("restore %d" % local)
    assert "restore %d: image %d changes the memory map of image %d" % (local, local, full) \
        in out, out
    console.run_command("images drop %d chain" % full)


# ---- 3. one holder per device -------------------------------------------------------

def test_a_device_has_one_holder(console):
    out = console.run_command("start irqcount")
    first = int(find(r"started 'irqcount' as task (\d+)", out, "start").group(1))
    pattern = r"irqcount: counting interrupts of the (\w+)"
    device = (re.search(pattern, out) or wait_line(console, pattern)).group(1)
    wait_line(console, r"irqcount: \d+ interrupts")
    # A second driver of the same device is refused, live...
    out = console.run_command("start irqcount")
    second = int(find(r"started 'irqcount' as task (\d+)", out, "start").group(1))
    m = re.search(r"irqcount: cannot start: (.*)", out) or \
        wait_line(console, r"irqcount: cannot start: (.*)\r*\n")
    assert "busy" in m.group(1), m.group(0)
    kill(console, second)
    # ... and restored: the image's registers are never written into it.
    image, _, _, _ = checkpoint(console, first)
    out = console.run_command("restore %d" % image)
    assert "restore %d: device %s is held by task %d (irqcount)" % (image, device, first) in out
    n = int(wait_line(console, r"irqcount: (\d+) interrupts").group(1))
    assert int(wait_line(console, r"irqcount: (\d+) interrupts").group(1)) > n
    # Killing the holder frees it. (The PL031's match register holds an
    # absolute time, seconds ago by now: only the SP804 counts on at once.)
    kill(console, first)
    new = restore(console, image)
    if device == "sp804":
        wait_line(console, r"irqcount: \d+ interrupts")
    kill(console, new)


# ---- 6. the store ---------------------------------------------------------------------

def test_store_fills_and_drop_empties_it(console):
    for image in list(image_rows(console)):          # what earlier tests left
        console.run_command("images drop %d chain" % image)
    counters = [start(console, "counter") for _ in range(4)]
    for _ in range(8):
        for task in counters:
            checkpoint(console, task)
    rows = image_rows(console)
    assert len(rows) == 32 and list(rows) == sorted(rows)
    out = console.run_command("ckpt %d" % counters[0])
    assert "ckpt %d: no room for the image" % counters[0] in out, out

    mine = sorted(i for i, r in rows.items() if r[1] == str(counters[0]))
    out = console.run_command("images drop %d" % mine[0])
    assert "images drop: image %d stays: kept increments are based on it (drop them too: " \
           "images drop %d chain)" % (mine[0], mine[0]) in out, out
    assert "dropped 1 image" in console.run_command("images drop %d" % mine[-1])
    assert "dropped 7 images" in console.run_command("images drop %d chain" % mine[0])
    assert not set(mine) & set(image_rows(console))

    # Room again; each checkpoint takes the next id, folding (past 8 in a
    # chain) included.
    for task in counters[1:]:
        kill(console, task)
    for image in list(image_rows(console)):
        console.run_command("images drop %d chain" % image)
    ids = [checkpoint(console, counters[0])[0] for _ in range(10)]
    assert ids == list(range(ids[0], ids[0] + 10)), ids
    rows = image_rows(console)
    assert sorted(rows) == ids[2:] and rows[ids[2]][6] == "full", rows
    kill(console, counters[0])
