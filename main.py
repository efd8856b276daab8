"""The single entry point: `python main.py <command>`.

This is the composition root: settings, logging and each command's dependencies are built
here (or in the command's own `run` function that this calls), never at import time.
Each feature package exposes `register(subparsers)` in its `cli` module; the list below
fixes their order.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Everything the service writes (the database and its -wal/-shm, the key file, stored files,
# documents) is readable by its owner only: 0600 files, 0700 folders.
PRIVATE_UMASK = 0o077

# Feature command modules, in the order their commands appear in --help.
COMMAND_MODULES: list[str] = [
    "commands.run",
    "commands.precheck",
    "commands.db",
    "commands.nlu",
    "commands.chat",
    "commands.platform",
    "commands.documents",
    "commands.aftercare",
    "commands.web",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="企业职工退休“一件事一次办” · retirement 'one thing, done once'",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.setting_types import ConfigError
    from cases.errors import MissingKey, StoreUnavailable

    os.umask(PRIVATE_UMASK)
    args = build_parser().parse_args(argv)
    try:
        result = args.func(args)
        sys.stdout.flush()  # a reader gone away shows here, not as a warning at exit
    except BrokenPipeError:
        return _reader_gone()
    except ConfigError as exc:
        print("配置有误 · bad configuration:", file=sys.stderr)
        for line in exc.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    except MissingKey as exc:  # a key file that is not a key: configuration, as above
        print(f"配置有误 · bad configuration:\n  {exc}", file=sys.stderr)
        return 2
    except (StoreUnavailable, ConnectionError) as exc:
        # The kind of error only: its text may hold an address with a password.
        print(f"数据库无法连接 · database unreachable: {type(exc).__name__}", file=sys.stderr)
        print("  python main.py doctor 可逐项检查 · checks each part", file=sys.stderr)
        return 1
    return int(result or 0)


def _reader_gone() -> int:
    """`main.py staff show … | head -1`: the reader closed the pipe. Stay quiet, as Unix
    tools do (Python's documented recipe): nothing more goes to the closed stdout, not even
    at exit, and the exit code is the one a tool killed by SIGPIPE reports (128 + 13)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


if __name__ == "__main__":
    sys.exit(main())
