"""The CAN driver's counters as the console's `links` prints them, for the
tests and for tools/bench_migrate.py (one parser for the one format)."""
import re

ROW = re.compile(r"^can node (\d+): frames sent (\d+), received (\d+); messages sent "
                 r"(\d+) \((\d+) over 4095 bytes\), received (\d+) \((\d+) over 4095 "
                 r"bytes\); payload bytes sent (\d+), received (\d+)", re.M)
FIELDS = ("frames_tx", "frames_rx", "msgs_tx", "long_tx", "msgs_rx", "long_rx", "bytes_tx",
          "bytes_rx")


def parse(links_output):
    """node -> its counters (FIELDS), for every CAN node the output lists."""
    found = {}
    for m in ROW.finditer(links_output):
        v = [int(x) for x in m.groups()]
        found[v[0]] = dict(zip(FIELDS, v[1:]))
    return found
