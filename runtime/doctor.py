"""`python main.py doctor`: is this deployment able to run? One line per check, in Chinese and
English, and exit 1 when any check fails. The checks of what surrounds the data (platform
secret, contacts, calendar, disk, clock) are in `runtime/doctor_checks.py`.

The doctor only looks: it never migrates, never creates a key or a database file (a missing
one is reported), and the file it writes to test the store is removed again. Checks that
depend on an earlier one (the schema on the database) are skipped when that one failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from app.clock import Clock, utc_now
from app.settings import ConfigError, Settings, load_settings
from bot.config import BotConfigError, api_urls, check_token
from cases.blobs import backend_from_settings
from cases.crypto import Vault, decode_key
from cases.db import Database
from cases.errors import CaseStoreError
from cases.files import open_file_store
from cases.migrate import current_revision, head_revision
from cases.models import Applicant
from cases.repositories import id_number_of
from cases.sqlite import normalize_url, sqlite_path
from runtime import doctor_checks
from runtime.doctor_checks import FAILED, NOTE, OK, Finding

__all__ = ["FAILED", "NOTE", "OK", "Finding", "examine"]


def examine(
    load: Callable[[], Settings] = load_settings, clock: Clock = utc_now
) -> Iterator[Finding]:
    """Every check, in order: settings, key, database, schema, key against the data, file
    store, Bot API, then platform secret, contacts, calendar, disk and clock."""
    try:
        settings = load()
    except ConfigError as exc:
        for line in exc.lines:
            yield Finding(FAILED, "配置有误", f"bad setting: {line}")
        return
    yield Finding(OK, "配置有效", "settings are valid")
    vault = _vault(settings)
    yield (
        vault if isinstance(vault, Finding) else Finding(OK, "数据密钥已配置", "data key present")
    )
    db = _database(settings, vault if isinstance(vault, Vault) else None)
    if isinstance(db, Finding):
        yield db
    else:
        try:
            yield from _database_checks(db, vault if isinstance(vault, Vault) else None, clock)
        finally:
            db.close_blocking()
    if isinstance(vault, Vault):
        yield _file_store(settings, vault)
    yield _bot_api(settings)
    yield from _surroundings(settings, clock)


def _surroundings(settings: Settings, clock: Clock) -> Iterator[Finding]:
    yield doctor_checks.platform_secret(settings)
    if (contacts := doctor_checks.office_contacts(settings)) is not None:
        yield contacts
    yield doctor_checks.cjk_font()
    yield from doctor_checks.working_day_calendar(settings, clock)
    yield doctor_checks.disk_space(settings)
    yield doctor_checks.clock_sane(settings, clock)


def _vault(settings: Settings) -> Vault | Finding:
    configured = settings.security.data_key.get_secret_value()
    key_file = Path(settings.security.key_file)
    try:
        if configured:
            return Vault(decode_key(configured))
        if key_file.exists():
            return Vault(decode_key(key_file.read_text()))
    except CaseStoreError as exc:
        return Finding(FAILED, "数据密钥无效", str(exc))
    return Finding(
        FAILED,
        "没有数据密钥",
        f"no data key: set SECURITY__DATA_KEY (or restore {key_file}); without the key "
        "nothing stored can be read",
    )


def _database(settings: Settings, vault: Vault | None) -> Database | Finding:
    url = normalize_url(settings.database.url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return Finding(FAILED, "数据库文件不存在", f"no database file at {path}")
    try:
        return Database(url, vault=vault, schema=settings.database.schema_name or None)
    except Exception as exc:
        return Finding(FAILED, "数据库地址无效", f"bad DATABASE_URL: {type(exc).__name__}")


def _database_checks(db: Database, vault: Vault | None, clock: Clock) -> Iterator[Finding]:
    try:
        revision = db.run_blocking(_revision)
    except Exception as exc:
        yield Finding(FAILED, "数据库无法连接", f"database unreachable: {_kind(exc)}")
        return
    yield Finding(OK, "数据库可连接", f"database reachable: {db!r}")
    if not db.is_sqlite:  # a SQLite file keeps this machine's own clock
        yield doctor_checks.clock_skew(clock(), db.run_blocking(_database_now))
    head = head_revision()
    if revision != head:
        yield Finding(
            FAILED,
            "数据库结构不是最新",
            f"schema at {revision or 'nothing'}, this version needs {head}: "
            "run `python main.py db upgrade`",
        )
        return
    yield Finding(OK, "数据库结构为最新", f"schema at head ({head})")
    if vault is not None:
        yield _key_matches(db, vault)


def _key_matches(db: Database, vault: Vault) -> Finding:
    """The key ids the stored numbers name are held (the current key, or an old one during a
    rotation), and a number from before key ids opens."""
    try:
        stored, legacy_opens = db.run_blocking(_stored_keys)
    except Exception:
        stored, legacy_opens = set(), False
    unknown = sorted(stored - {vault.key_id, *vault.old_key_ids})
    if unknown or not legacy_opens:
        named = f"made with key id {', '.join(unknown)}, " if unknown else ""
        return Finding(
            FAILED,
            "数据密钥与已存数据不一致",
            f"the stored ID numbers were {named}the configured key has id {vault.key_id}: "
            "another deployment's key?",
        )
    if stored - {vault.key_id}:
        return Finding(
            NOTE,
            "数据密钥更换尚未完成",
            "some rows still use an old key: run `python main.py db rotate-key` again",
        )
    return Finding(
        OK, "数据密钥与已存数据一致", f"the data key (id {vault.key_id}) opens the stored data"
    )


def _revision(session: Session) -> str | None:
    connection: Connection = session.connection()
    connection.execute(text("SELECT 1"))
    return current_revision(connection)


def _database_now(session: Session) -> datetime:
    value = session.scalar(select(func.now()))
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stored_keys(session: Session) -> tuple[set[str], bool]:
    """The key ids applicants' numbers name; and whether a number stored before key ids
    (no key id on its row) opens, True when there is none."""
    ids = session.scalars(select(Applicant.key_id).where(Applicant.key_id.is_not(None)).distinct())
    query = select(Applicant).where(
        Applicant.key_id.is_(None), Applicant.id_number_enc.is_not(None)
    )
    legacy = session.scalars(query.limit(1)).first()
    return {str(i) for i in ids}, legacy is None or id_number_of(session, legacy) is not None


def _file_store(settings: Settings, vault: Vault) -> Finding:
    backend = None
    try:
        backend = backend_from_settings(settings)
        store = open_file_store(settings.files.dir, settings.files.max_bytes, vault, backend)
        probe = b"doctor " + os.urandom(32)  # never anyone's content: removed right after
        blob = store.put(probe)
        readable = store.read(blob.address) == probe
        store.delete(blob.address)
    except Exception as exc:
        where = backend.describe() if backend is not None else settings.files.backend
        return Finding(FAILED, "文件存储不可用", f"file store ({where}): {_kind(exc)}")
    finally:
        if backend is not None:
            backend.close()
    if not readable:
        return Finding(FAILED, "文件存储读出内容不符", "file store gave back other bytes")
    shared = settings.files.backend != "local"
    if not shared and settings.database.url.startswith("postgres"):
        return Finding(
            NOTE,
            "文件存于本机，多台服务器时请改用共享存储",
            f"file store writes and reads ({backend.describe()}); with several machines set "
            "FILES__BACKEND=postgresql or s3",
        )
    return Finding(OK, "文件存储可写可读", f"file store writes and reads ({backend.describe()})")


def _bot_api(settings: Settings) -> Finding:
    token = settings.telegram.token.get_secret_value()
    if not token:
        return Finding(OK, "未配置 Telegram（仅控制台）", "Telegram not configured (console only)")
    try:
        check_token(token)
    except BotConfigError as exc:
        return Finding(FAILED, "Telegram 令牌格式不对", str(exc))
    base, _ = api_urls(settings.telegram)
    try:
        reply = httpx.get(f"{base}{token}/getMe", timeout=5.0)
        body = reply.json()
    except (httpx.HTTPError, ValueError) as exc:
        return Finding(FAILED, "Bot API 无法连接", f"Bot API unreachable: {_kind(exc)}")
    if reply.status_code != 200 or not body.get("ok"):
        return Finding(
            FAILED, "Bot API 拒绝了令牌", f"Bot API refused the token (HTTP {reply.status_code})"
        )
    return Finding(OK, "Bot API 可连接", f"Bot API reachable as @{body['result']['username']}")


def _kind(exc: BaseException) -> str:
    """The kind of error and its cause, never a message (URLs with tokens, paths, SQL)."""
    names = [type(exc).__name__]
    if exc.__cause__ is not None:
        names.append(type(exc.__cause__).__name__)
    return " <- ".join(names)
