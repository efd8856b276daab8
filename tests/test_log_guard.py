"""The log guard fails a test whose log records carry an ID or phone number in clear, wherever
the record comes from, and lets masked numbers and marked tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SUITE = """
import logging, threading
import pytest

log = logging.getLogger("worker.code")

def test_phone_at_debug():
    log.debug("shared contact +86 138 0013 8000")

def test_id_in_a_traceback():
    try:
        raise ValueError("bad 150627196505150016")
    except ValueError:
        log.exception("could not read the number")

def test_from_a_thread_of_a_logger_that_does_not_propagate():
    quiet = logging.getLogger("lonely")
    quiet.propagate = False
    t = threading.Thread(target=quiet.warning, args=("id 15062719650515001X",))
    t.start(); t.join()

def test_masked_numbers_pass():
    log.info("phone 138****8000, id 1506**********0016")

@pytest.mark.unmasked_logs_ok
def test_marked_tests_pass():
    log.info("id 150627196505150016")

def _child(path, line):
    # A process started by a test logs in another interpreter, to its own log file.
    import subprocess, sys
    from tests.log_guard import scanned_log
    with scanned_log(path, "child.log"), path.open("ab") as out:
        code = f"import sys; sys.stderr.write({line!r})"
        subprocess.run([sys.executable, "-c", code], stderr=out, check=True)

def test_a_subprocess_that_logs_a_phone_in_clear(tmp_path):
    _child(tmp_path / "child.log", "INFO run: contact 138 0013 8000 shared\\n")

def test_a_subprocess_whose_stderr_is_masked(tmp_path):
    from tests.log_guard import scan_output
    _child(tmp_path / "child.log", "INFO run: contact 138****8000 for YJ-20261126-0000001\\n")
    scan_output("WARNING staff: case YJ-20261126-0001 refused", "stderr of main.py staff")
"""


def test_the_guard_fails_exactly_the_tests_that_log_numbers_in_clear(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(SUITE)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.log_guard", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout
    assert "4 failed, 3 passed" in output, output
    for name in ("phone_at_debug", "id_in_a_traceback", "from_a_thread", "a_subprocess_that"):
        assert f"FAILED test_inner.py::test_{name}" in output
    # The guard's report names each record, masked.
    assert "worker.code DEBUG at" in output and "shared contact 138****8000" in output
    assert "ValueError: bad 1506**********0016" in output
    assert "child.log, line 1:" in output and "contact 138****8000 shared" in output
