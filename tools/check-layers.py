#!/usr/bin/env python3
"""RTCR's layers, checked (in the manner of seL4's circular-include check).

rtcr/ is folders, one a layer, lowest first:

    base        the error codes and their details (error.h)
    format      the image format, CRC-32, the migration messages (pure C)
    core        children, the session registry, the rules, the main loop's hooks
    services    one file per group of services, the network endpoints
    store       the image store
    checkpoint  taking, scheduling and restoring checkpoints
    migration   sending and receiving tasks, peers
    console     the shell and its commands
    (rtcr/*.c)  main.c, which ties the layers together, and bench.c

A file may include the headers of its own layer and of the layers below
it, never of one above: a lower layer learns of an upper one only through
what the upper one registers with it (core/loop.h pollers, child
observers, endpoint handlers). And no files may form a cycle of includes
(a.h or a.c including b.h, b's including a.h), in a layer or across.

Each layer has one public header, named after it (base's is error.h,
console's shell.h): a
file of another layer includes that one, never the layer's own headers.
And only the console prints (and the top, main.c and bench.c): mechanism
returns data and the console turns it into lines (no printf, puts or
putchar elsewhere; fmt_snprintf into a buffer is fine).

Usage: check-layers.py [RTCR_DIR]   (default: rtcr beside tools/)
Prints each violation and exits 1, or says the layers hold and exits 0.
"""

import os
import re
import sys

LAYERS = ["base", "format", "core", "services", "store", "checkpoint", "migration", "console"]
TOP = len(LAYERS)          # files directly in rtcr/
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
PUBLIC = {layer: layer + ".h" for layer in LAYERS}
PUBLIC["base"] = "error.h"
PUBLIC["console"] = "shell.h"     # console.h is the kernel's console object
PRINTS = re.compile(r'(?<![\w.>])(printf|puts|putchar)\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"', re.S)


def layer_of(rel):
    """The layer index of a path relative to rtcr/, or None if unknown."""
    parts = rel.split(os.sep)
    if len(parts) == 1:
        return TOP
    return LAYERS.index(parts[0]) if parts[0] in LAYERS else None


def sources(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(folder, name), root)


def check(root):
    problems = []
    files = sorted(sources(root))
    headers = {}
    for rel in files:
        if layer_of(rel) is None:
            problems.append("%s: in no layer (folders: %s)" % (rel, ", ".join(LAYERS)))
        elif rel.endswith(".h"):
            name = os.path.basename(rel)
            if name in headers:
                problems.append("%s: the same name as %s" % (rel, headers[name]))
            headers[name] = rel
    module = lambda rel: os.path.splitext(rel)[0]
    edges = {}
    for rel in files:
        mine = layer_of(rel)
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            target = headers.get(os.path.basename(inc))
            if target is None:
                continue                      # not RTCR's: the libraries, the kernel's ABI
            theirs = layer_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                problems.append("%s (%s) includes %s of %s, a layer above it"
                                % (rel, name_of(mine), target, name_of(theirs)))
            elif (mine is not None and theirs is not None and theirs != mine
                  and os.path.basename(target) != PUBLIC[LAYERS[theirs]]):
                problems.append("%s includes %s, not %s's public header %s"
                                % (rel, target, LAYERS[theirs], PUBLIC[LAYERS[theirs]]))
            if module(target) != module(rel):
                edges.setdefault(module(rel), set()).add(module(target))
        if mine is not None and mine < LAYERS.index("console"):
            for call in PRINTS.findall(COMMENT.sub("", text)):
                problems.append("%s (%s) calls %s: only the console prints"
                                % (rel, name_of(mine), call))
                break
    problems += ["a cycle of includes: " + " -> ".join(c) for c in cycles(edges)]
    return problems


def name_of(layer):
    return LAYERS[layer] if layer < TOP else "the top"


def cycles(edges):
    """One cycle through each strongly connected group of modules."""
    found, state, path = [], {}, []

    def visit(m):
        state[m] = "open"
        path.append(m)
        for n in sorted(edges.get(m, ())):
            if state.get(n) == "open":
                found.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n)
        path.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return found


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = argv[1] if len(argv) > 1 else os.path.join(here, "..", "rtcr")
    problems = check(root)
    for p in problems:
        print("check-layers: " + p)
    if problems:
        return 1
    print("check-layers: rtcr's %d layers hold, no include cycles" % len(LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
