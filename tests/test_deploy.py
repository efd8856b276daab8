"""The operator's files (Dockerfile, deploy/compose.yaml, deploy/systemd/*) read statically:
every command they start exists in main.py with those arguments, every variable they set is a
setting of app/settings.py (with a valid value where it is written out), and the ports agree.
No Docker or systemd is needed: the files are parsed, not run."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from app.settings import ConfigError, Settings, load_settings
from main import build_parser

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
FLAT_ALIASES = {"DATABASE_URL", "TELEGRAM_TOKEN", "TELEGRAM_API_BASE"}
# Read by compose itself (interpolation) or by the PostgreSQL image, not by the service.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
# Placeholders for values the operator fills in, so that the rest can be validated.
FILLED = {
    "SECURITY__DATA_KEY": "A" * 43 + "=",
    "TELEGRAM_TOKEN": "123456789:AAH-placeholder_token_0123456789abcdef",
    "TELEGRAM__WEBHOOK_SECRET": "placeholder_secret_0123",
    "POSTGRES_PASSWORD": "pw",
    "TELEGRAM__WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
}


def setting_names(model: type[BaseModel] = Settings, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= setting_names(kind, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


NAMES = setting_names() | FLAT_ALIASES


def assert_command(args: list[str]) -> Any:
    """`args` parse as `main.py` parses them (argparse exits 2 on an unknown command)."""
    try:
        return build_parser().parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"main.py refuses {args}: exit {exc.code}")


def assert_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    unknown = set(env) - NAMES - COMPOSE_ONLY
    assert not unknown, f"{where}: not settings of app/settings.py: {sorted(unknown)}"
    with monkeypatch.context() as patch:
        for name in list(NAMES):
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value or FILLED.get(name, ""))
        patch.chdir(ROOT / "deploy")  # no .env of a developer's checkout is read
        try:
            load_settings(_env_file=None)
        except ConfigError as exc:
            pytest.fail(f"{where}: {exc.lines}")


def interpolated(value: object) -> str:
    """Compose's `${NAME:?message}` / `${NAME}` replaced by a placeholder value."""
    return re.sub(r"\$\{(\w+)[^}]*\}", lambda m: FILLED.get(m.group(1), "x"), str(value))


# ---- Dockerfile -------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_starts_the_console_script_with_settings_that_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = dockerfile()
    kinds = dict(steps)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(kinds["ENTRYPOINT"]) == ["yijian"] and scripts["yijian"] == "main:main"
    assert_command(json.loads(kinds["CMD"]))
    env = dict(pair.split("=", 1) for pair in shlex.split(kinds["ENV"]))
    assert_settings({k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}, monkeypatch, "ENV")
    copied = [args.split()[0] for kind, args in steps if kind == "COPY" and args != ". ."]
    assert all((ROOT / name).is_file() for name in copied), copied
    runs = " ".join(args for kind, args in steps if kind == "RUN")
    assert "fonts-noto-cjk" in runs  # documents/fonts.py SYSTEM_FONT
    assert "--require-hashes -r requirements-lock.txt" in runs
    exposed = {int(p) for p in kinds["EXPOSE"].split()}
    assert exposed == {8443, 9100, 8700}


# ---- compose ----------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def app_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose()["services"].items() if "build" in s}


def test_compose_runs_workers_a_console_and_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = compose()
    services = spec["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert set(app_services()) == {"migrate", "worker", "console"}
    for name, service in app_services().items():
        args = assert_command(service["command"])
        assert args.command == {"migrate": "db", "worker": "run", "console": "web"}[name]
        env = {k: interpolated(v) for k, v in service["environment"].items()}
        assert_settings(env, monkeypatch, f"compose service {name}")
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["DATABASE_URL"].split("@")[1].split(":")[0] == "postgres"
        assert env["FILES__BACKEND"] == "postgresql"  # files shared by every machine
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in ("worker", "console"):
        needs = services[name]["depends_on"]["migrate"]["condition"]
        assert needs == "service_completed_successfully"


def test_compose_ports_agree_with_the_settings_and_the_commands() -> None:
    services = app_services()
    worker, console = services["worker"], services["console"]
    env = worker["environment"]
    telegram, status = int(env["TELEGRAM__LISTEN_PORT"]), int(env["RUNTIME__STATUS_PORT"])
    assert {telegram, status} == {int(p) for p in worker["expose"]}
    assert f"127.0.0.1:{status}/healthz" in " ".join(worker["healthcheck"]["test"])
    web = assert_command(console["command"])
    published = {int(p.rsplit(":", 1)[1]) for p in console["ports"]}
    assert published == {web.port}
    assert f"127.0.0.1:{web.port}/readyz" in " ".join(console["healthcheck"]["test"])
    assert web.host == "0.0.0.0"  # reachable from outside its container, published on loopback
    exposed = {int(p) for p in dict(dockerfile())["EXPOSE"].split()}
    assert {telegram, status, web.port} <= exposed


def test_the_compose_env_example_names_what_compose_asks_for() -> None:
    asked = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yaml").read_text()))
    example = env_file(DEPLOY / "env.example")
    assert asked == set(example)
    assert set(example) <= NAMES | COMPOSE_ONLY


# ---- systemd ----------------------------------------------------------------------------------


def env_file(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines()]
    return {k: v for k, v in (p for p in pairs if len(p) == 2) if not k.startswith("#")}


def unit(path: Path) -> dict[str, list[str]]:
    """Key → values of a unit file (systemd allows a key more than once)."""
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


@pytest.mark.parametrize("name", ["yijian-run@.service", "yijian-web.service"])
def test_the_systemd_units_start_commands_that_exist(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = unit(DEPLOY / "systemd" / name)
    program, *args = shlex.split(service["ExecStart"][0])
    assert program.endswith("/bin/yijian")
    assert_command(args)
    env = env_file(DEPLOY / "systemd" / "yijian.env.example")
    for pair in service.get("Environment", []):
        key, value = pair.split("=", 1)
        env[key] = value.replace("%i", "1")  # instance 1 of a template
    assert_settings(env, monkeypatch, name)
    assert service["EnvironmentFile"] == ["/etc/yijian/env"]
    assert service["RestartPreventExitStatus"] == ["2"]  # a bad setting: never restarted
    assert service["ReadWritePaths"] == [env.get("DATA_DIR", "/var/lib/yijian")]
