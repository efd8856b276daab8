"""Packaging for operators: CI installs exactly what the README says, from lock files that pin
every dependency with its hashes; the console script is main.py's entry; the holiday data's
range is open to new releases."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import main

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.DOTALL)
    return next(b.strip() for b in blocks if "pytest" in b and "venv" in b)


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    command = readme_test_command()
    install = command.split("python3 -m venv .venv && ", 1)[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert install in ci.splitlines(), install
    assert "--require-hashes -r requirements-dev-lock.txt" in install


def locked(name: str) -> dict[str, str]:
    """Package → pinned version of a pip-compile lock file; every pin carries hashes."""
    text = (ROOT / name).read_text().replace("\\\n", " ")
    pins: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = re.match(r"([A-Za-z0-9_.-]+)==(\S+)\s+(.*)", line.strip())
        assert found, f"{name}: not a pin: {line[:80]}"
        assert "--hash=sha256:" in found.group(3), f"{name}: {found.group(1)} has no hash"
        pins[canonicalize_name(found.group(1))] = found.group(2)
    return pins


def test_the_locks_pin_every_dependency_within_its_range() -> None:
    run, dev = locked("requirements-lock.txt"), locked("requirements-dev-lock.txt")
    extras = PROJECT["optional-dependencies"]
    for lock, wanted in (
        (run, PROJECT["dependencies"]),
        (dev, [*PROJECT["dependencies"], *extras["dev"], *extras["pip-font"]]),
    ):
        for spec in map(Requirement, wanted):
            name = canonicalize_name(spec.name)
            assert name in lock, f"{name} is not locked"
            assert spec.specifier.contains(lock[name], prereleases=True), (name, lock[name])
    # The image's lock is the CI lock without the tools: the same versions where both have one.
    assert {n: v for n, v in run.items() if n in dev} == {n: dev[n] for n in run if n in dev}
    assert set(run) <= set(dev)


def test_the_holiday_data_admits_new_minor_releases() -> None:
    spec = next(Requirement(r) for r in PROJECT["dependencies"] if "chinese-calendar" in r)
    assert SpecifierSet(str(spec.specifier)).contains("1.12.0")  # next year's holidays
    assert SpecifierSet(str(spec.specifier)).contains("1.19.3")


def test_the_console_script_is_main_py_which_the_wheel_installs() -> None:
    assert PROJECT["scripts"] == {"yijian": "main:main"}
    assert PYPROJECT["tool"]["setuptools"]["py-modules"] == ["main"]
    assert callable(main.main) and main.build_parser().prog == "main.py"
