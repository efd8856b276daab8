"""The file backend and log format settings: a wrong value or a backend that lacks what it
needs is one plain line at start-up (exit 2), never a traceback later."""

from __future__ import annotations

from pathlib import Path

from tests.test_config import staff_queue


def test_an_unknown_backend_and_log_format_are_named(tmp_path: Path) -> None:
    done = staff_queue(tmp_path, FILES__BACKEND="nfs", LOG_FORMAT="xml")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    named = {line.split("=")[0].strip() for line in done.stderr.splitlines()[1:]}
    assert named == {"FILES__BACKEND", "LOG_FORMAT"}


def test_the_postgresql_backend_needs_a_postgresql_database(tmp_path: Path) -> None:
    done = staff_queue(tmp_path, FILES__BACKEND="postgresql")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "FILES__BACKEND='postgresql': needs DATABASE_URL to be a PostgreSQL database" in (
        done.stderr
    )


def test_the_s3_backend_names_what_is_missing_and_never_echoes_a_secret(tmp_path: Path) -> None:
    done = staff_queue(
        tmp_path, FILES__BACKEND="s3", FILES__S3__SECRET_ACCESS_KEY="very-secret-value"
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "FILES__S3__BUCKET: required when FILES__BACKEND='s3'" in done.stderr
    assert "FILES__S3__ACCESS_KEY_ID: required when FILES__BACKEND='s3'" in done.stderr
    assert "SECRET_ACCESS_KEY" not in done.stderr and "very-secret" not in done.stderr
