# QEMU test harness for the RTCR microkernel, in the manner of U-Boot's
# test/py: fixtures boot a board and hand the tests a Console object that
# talks to the serial console.  Only the Console class knows that the board
# is QEMU; a class with the same methods could drive a real board.
#
# Run from the repository root with Debian's pytest:
#
#     /usr/bin/python3 -m pytest tests/qemu [--board virt] [--qemu-timeout 30]
#
# The images must already be built (the Makefile does that before it runs
# pytest).  Everything QEMU prints goes to build/test-logs/<board>-<name>.log.

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pexpect
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = REPO_ROOT / "build"
LOG_DIR = BUILD_DIR / "test-logs"

ALL_BOARDS = ["vexpress-a9", "vexpress-a15", "virt"]
DEFAULT_QEMU_TIMEOUT = 30.0

PROMPT = "rtcr> "


def banner_regex(board):
    return r"RTCR microkernel \S+ on " + re.escape(board) + r" \(ARMv7-A\)"


# ---------------------------------------------------------------------------
# Command line options and board parametrization
# ---------------------------------------------------------------------------

def pytest_addoption(parser):
    group = parser.getgroup("rtcr", "RTCR QEMU tests")
    group.addoption(
        "--board", action="append", default=None, metavar="BOARD",
        help="board to test (repeatable, or comma separated); "
             "default: " + ", ".join(ALL_BOARDS))
    group.addoption(
        "--qemu-timeout", type=float, default=DEFAULT_QEMU_TIMEOUT,
        metavar="SECONDS",
        help="seconds to wait for the boot prompt and for each console "
             "command (default: %(default)s)")


def selected_boards(config):
    boards = []
    for value in config.getoption("board") or ALL_BOARDS:
        for name in value.split(","):
            name = name.strip()
            if name and name not in boards:
                boards.append(name)
    return boards


def pytest_configure(config):
    for board in selected_boards(config):
        if not (REPO_ROOT / "boot" / "boards" / board / "board.mk").is_file():
            known = sorted(p.name for p in (REPO_ROOT / "boot" / "boards").iterdir()
                           if p.is_dir())
            raise pytest.UsageError(
                "unknown board %r (known boards: %s)" % (board, ", ".join(known)))
    if config.getoption("qemu_timeout") <= 0:
        raise pytest.UsageError("--qemu-timeout must be positive")


def pytest_generate_tests(metafunc):
    # Every test that (directly or through another fixture) uses `board`
    # runs once per selected board.  Module scope groups the tests by board
    # so that a module boots each board only once.
    if "board" in metafunc.fixturenames:
        boards = selected_boards(metafunc.config)
        metafunc.parametrize("board", boards, ids=boards, indirect=True,
                             scope="module")


@pytest.fixture(scope="module")
def board(request):
    """Name of the board under test, e.g. 'vexpress-a9'."""
    return request.param


@pytest.fixture(scope="session")
def qemu_timeout(request):
    return request.config.getoption("qemu_timeout")


# ---------------------------------------------------------------------------
# Images and the QEMU command line
# ---------------------------------------------------------------------------

def image_path(board, name):
    """Path of build/<board>/<name>; fails the test if it was not built."""
    path = BUILD_DIR / board / name
    if not path.is_file():
        pytest.fail("image %s does not exist; build it first with "
                    "'make BOARD=%s' (the tests do not build anything)"
                    % (path.relative_to(REPO_ROOT), board), pytrace=False)
    return path


_qemu_args_cache = {}


def qemu_base_args(board):
    """The QEMU command for `board` without -kernel and serial options,
    as printed by `make qemu-args`."""
    if board in _qemu_args_cache:
        return list(_qemu_args_cache[board])

    cmd = ["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-args"]
    # When pytest runs under `make test`, the outer make's flags and
    # command-line variables (e.g. BOARD=...) are in MAKEFLAGS; keep them
    # away from this inner make.
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL"):
        env.pop(var, None)
    try:
        result = subprocess.run(cmd, cwd=REPO_ROOT, env=env, text=True,
                                capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        pytest.fail("'%s' failed: %s" % (" ".join(cmd), err), pytrace=False)
    lines = [l for l in result.stdout.splitlines() if l.strip()]
    if result.returncode != 0 or not lines:
        pytest.fail("'%s' failed (exit %d):\n%s%s"
                    % (" ".join(cmd), result.returncode, result.stdout,
                       result.stderr), pytrace=False)

    args = shlex.split(lines[-1])
    if shutil.which(args[0]) is None:
        pytest.fail("%s not found (from 'make qemu-args'); run "
                    "tools/install-deps.sh" % args[0], pytrace=False)
    _qemu_args_cache[board] = args
    return list(args)


def without_net(args):
    """args without the network options `make qemu-args` gives (-nic none)."""
    out, i = [], 0
    while i < len(args):
        if args[i] in ("-nic", "-net", "-netdev") and i + 1 < len(args):
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def qemu_command(board, image, net=None):
    """The QEMU command line; net, if given, is a list of network options
    that replaces the default (no NIC), e.g. ['-nic', 'socket,...']."""
    args = qemu_base_args(board)
    if net is not None:
        args = without_net(args) + list(net)
    return args + ["-serial", "stdio", "-kernel", str(image)]


def log_path(board, name):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR / ("%s-%s.log" % (board, name))


def spawn_qemu(argv, logfile, timeout):
    """Start QEMU under a pty.  Its output (stdout and stderr) is copied to
    `logfile`, an open text file."""
    env = dict(os.environ)
    env["QEMU_AUDIO_DRV"] = "none"
    logfile.write("# %s\n" % " ".join(shlex.quote(a) for a in argv))
    logfile.flush()
    # echo=False: the pty must not echo what we send; the only echo we want
    # to see is the shell's own.
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(REPO_ROOT), env=env,
                          encoding="utf-8", codec_errors="replace",
                          echo=False, timeout=timeout)
    child.logfile_read = logfile
    return child


def kill_qemu(child):
    """Stop QEMU (if still running) and return its exit status: the exit
    code, or -signal if it was killed by a signal."""
    if child.isalive():
        child.terminate(force=True)
    child.close(force=True)
    if child.exitstatus is not None:
        return child.exitstatus
    return -(child.signalstatus or 0)


def tail(text, lines=30):
    return "\n".join(text.replace("\r", "").splitlines()[-lines:])


class ConsoleError(Exception):
    """The board did not say what we waited for (timeout or QEMU exit)."""


# ---------------------------------------------------------------------------
# The console
# ---------------------------------------------------------------------------

class Console:
    """The serial console of a board running the normal image.

    Construction boots the board and waits for the banner and the first
    prompt.  If a wait times out the console is marked broken, and the next
    run_command() reboots the board, so one failing test does not make all
    the following tests of the module fail too.
    """

    def __init__(self, board, image, log_name, timeout, net=None):
        self.board = board
        self.image = image
        self.timeout = timeout
        self.net = net           # network options replacing the default, or None
        self.log_file = log_path(board, log_name)
        self.log = open(self.log_file, "w", encoding="utf-8", errors="replace")
        self.child = None
        self.broken = False
        self.banner = None       # the banner line, e.g. 'RTCR microkernel ...'
        self.boot_output = None  # everything printed before the first prompt
        self.boots = 0
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        self.boots += 1
        if self.boots > 1:
            self.log.write("\n# ---- reboot %d ----\n" % self.boots)
        self.child = spawn_qemu(qemu_command(self.board, self.image, self.net),
                                self.log, self.timeout)
        self.broken = False
        self._expect(banner_regex(self.board), self.timeout,
                     "the kernel banner", exact=False)
        self.banner = self.child.after.strip()
        before_banner = self.child.before
        self.wait_prompt()
        self.boot_output = (before_banner + self.banner +
                            self.child.before).replace("\r", "")

    def restart(self):
        self._stop()
        self.start()

    def _stop(self):
        if self.child is not None:
            status = kill_qemu(self.child)
            self.log.write("\n# QEMU exit status %s\n" % status)
            self.log.flush()
            self.child = None

    def close(self):
        """Kill QEMU and close the log."""
        self._stop()
        if not self.log.closed:
            self.log.close()

    # -- talking to the shell ------------------------------------------------

    def _expect(self, pattern, timeout, what, exact=True):
        __tracebackhide__ = True
        try:
            if exact:
                self.child.expect_exact(pattern, timeout=timeout)
            else:
                self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            self.broken = True
            raise ConsoleError(
                "%s: timed out after %ss waiting for %s (log: %s); last output:\n%s"
                % (self.board, timeout, what, self.log_file,
                   tail(self.child.before))) from None
        except pexpect.EOF:
            self.broken = True
            output = self.child.before
            status = kill_qemu(self.child)
            raise ConsoleError(
                "%s: QEMU exited (status %s) while waiting for %s (log: %s); "
                "last output:\n%s"
                % (self.board, status, what, self.log_file, tail(output))) from None

    def wait_prompt(self, timeout=None):
        """Wait for the shell prompt; return what was printed before it."""
        __tracebackhide__ = True
        self._expect(PROMPT, timeout or self.timeout, "the prompt %r" % PROMPT)
        return self.child.before

    def send(self, text):
        self.child.send(text)

    def run_command(self, cmd, timeout=None):
        """Type `cmd` and Enter, wait for the next prompt and return the
        output between the echoed command line and the prompt, with the
        carriage returns removed."""
        __tracebackhide__ = True
        if self.broken:
            self.restart()
        self.send(cmd + "\r")
        text = self.wait_prompt(timeout).replace("\r", "")
        echo = cmd + "\n"
        pos = text.find(echo)
        if pos >= 0:
            return text[pos + len(echo):]
        # The echo was not exactly the command (e.g. the shell stopped
        # echoing a too long line): drop the first line, which is the echo.
        return text.partition("\n")[2]


@pytest.fixture(scope="module")
def console(request, board, qemu_timeout):
    """A Console on `board` running build/<board>/image.elf: one boot per
    board per test module."""
    image = image_path(board, "image.elf")
    con = Console(board, image, request.module.__name__, qemu_timeout)
    yield con
    con.close()


# ---------------------------------------------------------------------------
# Images that run to completion (ktest)
# ---------------------------------------------------------------------------

def run_to_exit(board, image, log_name, timeout):
    """Boot `image` on `board` and wait until QEMU exits by itself.

    Returns (output, exitstatus): the complete console output with \\r
    removed, and QEMU's exit code (-signal if killed by a signal).  Raises
    ConsoleError if QEMU is still running after `timeout` seconds.
    """
    path = log_path(board, log_name)
    with open(path, "w", encoding="utf-8", errors="replace") as log:
        child = spawn_qemu(qemu_command(board, image), log, timeout)
        try:
            child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            output = child.before
            kill_qemu(child)
            log.write("\n# killed: no exit after %ss\n" % timeout)
            raise ConsoleError(
                "%s: %s did not exit within %ss (log: %s); last output:\n%s"
                % (board, image.name, timeout, path, tail(output))) from None
        output = child.before.replace("\r", "")
        status = kill_qemu(child)
        log.write("\n# QEMU exit status %s\n" % status)
    return output, status


@pytest.fixture(scope="module")
def run_ktest(board):
    """A function run(timeout) that runs build/<board>/ktest.elf to
    completion and returns (output, exitstatus)."""
    def run(timeout):
        image = image_path(board, "ktest.elf")
        return run_to_exit(board, image, "ktest", timeout)
    return run
