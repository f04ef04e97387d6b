# Runs the in-image kernel test suite (build/<board>/ktest.elf) once per board
# and checks its report.  QEMU exits through semihosting: 0 if every test
# passed, 1 otherwise.

import re

import pytest

from conftest import banner_regex

KTEST_TIMEOUT = 120  # seconds for the whole suite

REQUIRED_TESTS = [
    "thread_create",
    "thread_other_task",
    "priority_order",
    "preemption",
    "round_robin",
    "timeout_sleep",
    "timeout_poll",
    "fault_data_abort",
    "fault_undefined",
    "kernel_survives_faults",
    # The kernel API, a suite per object type (issue 3).
    "ipc_call_reply",
    "ipc_gate_recreate",
    "ipc_timeouts",
    "ipc_abort",
    "ipc_cap_map",
    "ipc_cap_grant",
    "ipc_cap_revoke",
    "ipc_mem_item",
    "cap_identify",
    "cap_delete",
    "cap_revoke",
    "cap_revoke_chain",
    "page_fault_ipc",
    "exception_ipc_resume",
    "exception_ipc_stop",
    "dirty_tracking",
    "irq_software",
    "irq_hardware",
    "irq_errors",
    "factory_quota",
    "quota_create_delete",
    "factory_outlives_cap",
    "delete_gate_aborts",
    "delete_server_aborts",
    "delete_task",
    "delete_self",
    "delete_irq",
    "thread_regs",
    "cap_introspection",
    "hostile_task",
    "mdb_chain_info",
    "mdb_task_destroy",
    "mdb_unmap_derived",
    "mdb_unmap_self",
    "mdb_read_only",
    "mdb_read_only_tracked",
    "mdb_no_exec",
    "mdb_ipc_items",
    "mdb_same_task",
    "mdb_utcb",
    "mdb_unmap_errors",
    "mdb_long_chain",
    # The runtime library: RPC layer and fault-protocol helpers.
    "rpc_dispatch",
    "rpc_dispatch_other_task",
    "rpc_long_message",
    "rpc_cap_in_request",
    "rpc_cap_in_reply",
    "rpc_ipc_errors",
    "rpc_server_once",
    "exception_ipc_retry",
    "pager_loop_other_task",
    # Checkpoint support: restartable suspend, UTCB access, dirty log and
    # copy-on-write snapshot pages, IRQ state.
    "restart_call_taken",
    "restart_call_send_phase",
    "restart_wait",
    "restart_sleep",
    "restart_reply_wait",
    "restart_transplant",
    "restart_plain_and_fault",
    "thread_utcb",
    "dirty_log_drain",
    "dirty_log_overflow",
    "dirty_log_snapshot",
    "dirty_log_quota",
    "dirty_log_errors",
    "irq_info",
]

RUN = re.compile(r"\[RUN \] ([^\s:]+)")
RESULT = re.compile(r"\[(PASS|FAIL)\] ([^\s:]+)(?::\s*(.*))?")
RUNNING = re.compile(r"ktest: running (\d+) tests")
SUMMARY = re.compile(r"ktest: (\d+) passed, (\d+) failed")


class KtestReport:
    """The ktest output split into its parts."""

    def __init__(self, output, status):
        self.output = output
        self.status = status
        self.runs = []      # test names in the order they were started
        self.results = {}   # name -> ("PASS" | "FAIL", reason)
        self.errors = []    # protocol problems, e.g. a result without [RUN ]
        current = None
        for line in output.split("\n"):
            m = RUN.search(line)
            if m:
                if current is not None:
                    self.errors.append("%s started before %s finished"
                                       % (m.group(1), current))
                current = m.group(1)
                if current in self.runs:
                    self.errors.append("%s ran twice" % current)
                self.runs.append(current)
                continue
            m = RESULT.search(line)
            if m:
                verdict, name, reason = m.groups()
                if name != current:
                    self.errors.append("[%s] %s without a matching [RUN ]"
                                       % (verdict, name))
                self.results[name] = (verdict, (reason or "").strip())
                current = None
        if current is not None:
            self.errors.append("%s never finished" % current)

        m = RUNNING.search(output)
        self.announced = int(m.group(1)) if m else None
        m = SUMMARY.search(output)
        self.summary = (int(m.group(1)), int(m.group(2))) if m else None

    def names_with(self, verdict):
        return [n for n in self.runs if self.results.get(n, ("",))[0] == verdict]

    def where(self):
        return "ktest output:\n" + self.output


@pytest.fixture(scope="module")
def ktest(run_ktest):
    output, status = run_ktest(KTEST_TIMEOUT)
    return KtestReport(output, status)


def test_ktest_exit_status(ktest):
    assert ktest.status == 0, \
        "QEMU exit status %s, expected 0\n%s" % (ktest.status, ktest.where())


def test_ktest_no_failures(ktest):
    failed = ["%s: %s" % (n, ktest.results[n][1]) for n in ktest.names_with("FAIL")]
    assert not failed, "failed tests:\n  %s\n%s" % ("\n  ".join(failed), ktest.where())
    assert "[FAIL]" not in ktest.output, ktest.where()


def test_ktest_every_run_passed(ktest):
    assert ktest.runs, "no [RUN ] lines\n" + ktest.where()
    assert not ktest.errors, "\n".join(ktest.errors) + "\n" + ktest.where()
    not_passed = [n for n in ktest.runs if n not in ktest.names_with("PASS")]
    assert not not_passed, "no [PASS] for %s\n%s" % (not_passed, ktest.where())


def test_ktest_required_tests_present(ktest):
    missing = [n for n in REQUIRED_TESTS if n not in ktest.runs]
    assert not missing, "required tests missing: %s\n%s" % (missing, ktest.where())


def test_ktest_summary(ktest):
    assert ktest.announced is not None, "no 'ktest: running N tests'\n" + ktest.where()
    assert ktest.summary is not None, "no 'ktest: P passed, F failed'\n" + ktest.where()
    passed, failed = ktest.summary
    assert ktest.announced == len(ktest.runs), \
        "announced %d tests, ran %d\n%s" % (ktest.announced, len(ktest.runs), ktest.where())
    assert passed == len(ktest.names_with("PASS")), ktest.where()
    assert failed == len(ktest.names_with("FAIL")), ktest.where()
    assert passed + failed == ktest.announced, ktest.where()


def test_ktest_banner(ktest, board):
    assert re.search(banner_regex(board), ktest.output), ktest.where()
