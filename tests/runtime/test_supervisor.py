"""The supervisor keeps every worker alive, stops on what restarting cannot fix, and runs the
once-per-deployment workers only while this process leads."""

from __future__ import annotations

import asyncio
import logging

import pytest

from runtime.leader import AlwaysLeader
from runtime.supervisor import Fatal, Supervisor, Worker

ID_NUMBER = "150627196505150016"


async def until(predicate, what: str, limit: int = 2000) -> None:
    for _ in range(limit):
        if predicate():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never: {what}")


class Switch:
    """A leadership that the test hands out and takes away."""

    def __init__(self) -> None:
        self.granted = asyncio.Event()
        self.revoked = asyncio.Event()
        self.acquired = 0
        self.released = 0

    async def acquire(self, stop: asyncio.Event) -> bool:
        waiting = asyncio.create_task(self.granted.wait())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([waiting, stopping], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        stopping.cancel()
        if stop.is_set():
            return False
        self.acquired += 1
        self.revoked.clear()
        return True

    async def lost(self) -> None:
        await self.revoked.wait()

    async def release(self) -> None:
        self.released += 1

    def revoke(self) -> None:
        self.granted.clear()
        self.revoked.set()


async def test_a_worker_that_raises_is_restarted_and_its_traceback_is_logged_masked(caplog):
    runs = 0

    async def flaky(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            raise RuntimeError(f"database said no for {ID_NUMBER}")
        await stop.wait()

    stop = asyncio.Event()
    supervisor = Supervisor([Worker("flaky", flaky)], AlwaysLeader(), first_backoff=0.01)
    caplog.set_level(logging.ERROR, logger="runtime.supervisor")
    task = asyncio.create_task(supervisor.run(stop))
    await until(lambda: runs == 3, "the third start")
    stop.set()
    await task
    failures = [r.getMessage() for r in caplog.records if "flaky failed" in r.getMessage()]
    assert len(failures) == 2
    assert all("Traceback" in f and "RuntimeError" in f for f in failures)
    assert ID_NUMBER not in caplog.text  # the traceback is masked like every log line
    assert supervisor.restarts == 2


async def test_a_worker_that_returns_early_is_started_again():
    runs = 0

    async def quitter(stop: asyncio.Event) -> None:
        nonlocal runs
        runs += 1
        if runs >= 2:
            await stop.wait()

    stop = asyncio.Event()
    task = asyncio.create_task(
        Supervisor([Worker("quitter", quitter)], AlwaysLeader(), first_backoff=0.01).run(stop)
    )
    await until(lambda: runs == 2, "a second start")
    stop.set()
    await task


async def test_a_fatal_error_stops_every_worker_and_reaches_the_caller():
    other_stopped = asyncio.Event()

    async def bad_token(stop: asyncio.Event) -> None:
        raise Fatal("Telegram refused the token")

    async def other(stop: asyncio.Event) -> None:
        await stop.wait()
        other_stopped.set()

    supervisor = Supervisor(
        [Worker("telegram", bad_token), Worker("push", other, singleton=True)], AlwaysLeader()
    )
    with pytest.raises(Fatal):
        await supervisor.run(asyncio.Event())
    assert other_stopped.is_set()


async def test_singletons_run_only_while_leading_and_come_back_with_leadership():
    running = 0
    starts = 0

    async def push(stop: asyncio.Event) -> None:
        nonlocal running, starts
        running += 1
        starts += 1
        try:
            await stop.wait()
        finally:
            running -= 1

    intake_runs = 0

    async def intake(stop: asyncio.Event) -> None:
        nonlocal intake_runs
        intake_runs += 1
        await stop.wait()

    switch = Switch()
    supervisor = Supervisor(
        [Worker("intake", intake), Worker("push", push, singleton=True)], switch
    )
    stop = asyncio.Event()
    task = asyncio.create_task(supervisor.run(stop))
    await until(lambda: intake_runs == 1, "intake running")
    await asyncio.sleep(0.05)
    assert running == 0 and not supervisor.leading  # follower: intake only

    switch.granted.set()
    await until(lambda: running == 1, "push running once leading")
    assert supervisor.leading

    switch.revoke()
    await until(lambda: running == 0 and switch.released == 1, "push stopped on losing the lead")
    assert not supervisor.leading and intake_runs == 1  # intake never stopped

    switch.granted.set()
    await until(lambda: running == 1 and starts == 2, "push back with the lead")
    stop.set()
    await task
    assert running == 0 and switch.released == 2
