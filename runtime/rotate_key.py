"""`python main.py db rotate-key`, composed: which key is new, which rows and files to do, and
when the old key may go (`cases.key_rotation` does the work).

With the embedded key file, the command makes the new key itself beside it
(`secret.key.next`, 0600): every process started meanwhile reads with both keys and writes
with the new one; at the end the new key replaces the key file. With SECURITY__DATA_KEY the
operator gives every worker the new key there and the old one in SECURITY__OLD_DATA_KEYS,
runs the command, and removes SECURITY__OLD_DATA_KEYS once it says so.

Why not while the service runs: a process reads its keys once, when it starts. A `run`, `web`
or `staff` process started before the rotation knows the old key only: every row, lookup hash
and file the rotation makes again under the new key becomes unreadable to it (a worker found
by their ID number is "not found", a photo "missing"), and whatever it writes meanwhile is
under the old key, which the end of the rotation deletes. Key ids in every ciphertext make
the data readable by a process holding both keys, not by one holding the old key alone.
So the command refuses while a `run` holds the deployment's leader lock (`runtime.leader`),
before it makes the new key. The console (`web`) and staff commands take no lock: the
operator stops them too (the refusal's message says so). Interrupted, the command is run
again and finishes the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect

from app.settings import Settings
from cases import audit_chain
from cases.crypto import begin_file_rotation, finish_file_rotation
from cases.db import Database
from cases.key_rotation import (
    ApplicantRows,
    Fault,
    RowRotation,
    SealedNotifications,
    describe,
    no_fault,
    remaining,
    rotate,
)
from cases.models.platform import EmbCase
from integrations.platform.embedded.key_rotation import SealedForms
from runtime.leader import AlwaysLeader, leadership_for
from runtime.services import Services

ENV_HELP = (
    "SECURITY__DATA_KEY 已设置：请在每个进程的环境中把新密钥设为 SECURITY__DATA_KEY、把旧密钥设为 "
    "SECURITY__OLD_DATA_KEYS 后再运行（新密钥可用 `python -c 'from cases.crypto import "
    "generate_key; print(generate_key())'` 生成）。"
)


RUNNING = (
    "服务正在运行（有进程持有主控锁）：更换密钥前请先停止所有 `main.py run`、`main.py web` 和 "
    "`main.py platform serve` 进程；运行中的进程只认识旧密钥，更换期间会读不到已重新加密的数据。"
)


def service_running(settings: Settings) -> bool:
    """Whether a `run` of this deployment holds its leader lock now (a database in memory is
    this process's alone)."""
    db = Database(settings.database.url, schema=settings.database.schema_name or None)
    try:
        lock = leadership_for(db, settings.runtime.leader_retry_seconds)
        return not isinstance(lock, AlwaysLeader) and asyncio.run(lock.held())
    finally:
        db.close_blocking()


def _tables(services: Services) -> list[RowRotation]:
    tables: list[RowRotation] = [ApplicantRows(), SealedNotifications()]
    has_platform = services.db.run_blocking(
        lambda s: inspect(s.connection()).has_table(EmbCase.__table__.name)
    )
    if has_platform:
        tables.append(SealedForms())
    return tables


def rotate_key(
    settings: Settings, *, say: Callable[[str], None] = print, fault: Fault = no_fault
) -> int:
    """The whole command; its exit code (0 done, 1 something left: run it again, 2 refused)."""
    security = settings.security
    key_file = Path(security.key_file)
    with_env = bool(security.data_key.get_secret_value())
    if with_env and not security.old_data_keys.get_secret_value():
        say(ENV_HELP)
        return 2
    if service_running(settings):
        say(RUNNING)
        return 2
    if not with_env:
        if not key_file.exists():
            say(f"没有数据密钥（{key_file}）：没有需要更换的密钥。")
            return 2
        if begin_file_rotation(key_file):
            say(f"已生成新密钥：{key_file}.next（完成前旧密钥保留，可读取旧数据）。")
    services = Services.build(settings)
    try:
        vault = services.db.require_vault()
        tables = _tables(services)
        report = asyncio.run(rotate(services.db, services.files, tables, fault))
        say(describe(report, vault))
        left = services.db.run_blocking(remaining, tables)
        if report.failed or left:
            return 1
        check = services.db.run_blocking(
            audit_chain.checkpoint,
            at=services.clock(),
            key_id=vault.key_id,
            old_key_ids=vault.old_key_ids,
        )
        if not check.intact:
            say(audit_chain.describe(check) + "\n审计日志有异常：旧密钥保留，请先核查。")
            return 1
    finally:
        services.close_blocking()
    if with_env:
        say("全部完成：现在可以从每个进程的环境中删除 SECURITY__OLD_DATA_KEYS。")
    else:
        finish_file_rotation(key_file)
        say(f"全部完成：{key_file} 已换为新密钥，旧密钥已删除。")
    return 0
