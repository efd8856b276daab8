"""The long-running commands' event loop (app/event_loop.py): uvloop where it is installed,
asyncio's own loop where it is not, the same coroutine's result either way."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from app import event_loop

ROOT = Path(__file__).resolve().parents[2]


async def _answer() -> tuple[str, int]:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__, 42


def test_the_commands_run_on_uvloop_where_it_is_installed() -> None:
    loop_module, answer = event_loop.run(_answer())
    assert (loop_module, answer) == ("uvloop", 42)


def test_a_given_loop_factory_is_used() -> None:
    loop_module, answer = event_loop.run(_answer(), asyncio.new_event_loop)
    assert loop_module.startswith("asyncio") and answer == 42


def test_without_uvloop_the_commands_run_on_asyncios_loop() -> None:
    """As on Windows, or a checkout installed without it: `import uvloop` fails."""
    script = (
        "import sys; sys.modules['uvloop'] = None\n"  # makes `import uvloop` raise ImportError
        "import asyncio\n"
        "from app import event_loop\n"
        "async def main():\n"
        "    return type(asyncio.get_running_loop()).__module__\n"
        "print(event_loop.run(main()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().startswith("asyncio")
