"""`python main.py db backup PATH`, `db restore PATH [--force]` (see cases.backup) and
`db move-files --from DIR` (cases.blobs.move)."""

from __future__ import annotations

import argparse
import sys


def register(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = db_commands.add_parser(
        "backup",
        help="备份数据库与文件（不含数据密钥）· back up the database and the files (not the key)",
    )
    backup.add_argument("path", help="the archive to write (a .tar file)")
    backup.add_argument("--force", action="store_true", help="overwrite an existing archive")
    backup.set_defaults(func=run_backup)

    restore = db_commands.add_parser(
        "restore",
        help="从备份恢复到当前配置的数据库与文件存储 · restore into the configured deployment",
    )
    restore.add_argument("path", help="an archive made by `db backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that is not empty"
    )
    restore.set_defaults(func=run_restore)

    move = db_commands.add_parser(
        "move-files",
        help="把本机文件夹中的文件搬到当前配置的文件存储 · copy a local folder's files into "
        "the configured file backend",
    )
    move.add_argument("--from", dest="source", required=True, help="the old FILES__DIR")
    move.set_defaults(func=run_move_files)


def run_move_files(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.blobs.move import copy_files
    from cases.files import FileStore
    from runtime.services import Services

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings)
    try:
        source = FileStore(
            args.source, settings.files.max_bytes, vault=services.db.require_vault()
        )
        report = copy_files(source, services.files)
        where = services.files.backend.describe()
    finally:
        services.close_blocking()
    print(
        f"已复制 {report.copied} 个文件到 {where}（已存在 {report.present} 个）"
        f" · copied {report.copied} files, {report.present} already there"
        + (f"; {report.failed} 个失败 failed (see the log)" if report.failed else "")
    )
    return 1 if report.failed else 0


def run_backup(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.backup.make import make_backup
    from runtime.services import Services

    path = Path(args.path).resolve()
    if path.exists() and not args.force:
        print(f"备份文件已存在 · {path} exists (--force overwrites it)", file=sys.stderr)
        return 1
    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings)
    try:
        report = asyncio.run(make_backup(services.db, services.files, path, now=services.clock()))
    finally:
        services.close_blocking()
    print(
        f"已备份 · backed up: {report.rows} 行 rows in {len(report.tables)} 张表 tables, "
        f"{report.files} 个文件 files ({report.file_bytes} bytes) -> {report.path}"
    )
    print(
        f"数据密钥不在备份中，请另行保管（密钥编号 {services.db.require_vault().key_id}）"
        " · the data key is not in the backup: keep it apart"
    )
    for address in report.missing:
        print(f"缺少文件 · missing file: {address[:12]}…", file=sys.stderr)
    return 1 if report.missing else 0


def run_restore(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.backup.restore import RestoreRefused, restore_backup
    from cases.errors import TamperedFile, WrongFileKey
    from runtime.services import Services

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings, migrate=False)
    try:
        report = asyncio.run(
            restore_backup(services.db, services.files, Path(args.path), force=args.force)
        )
    except (RestoreRefused, WrongFileKey, TamperedFile, ValueError) as exc:
        print(f"未恢复 · not restored: {exc}", file=sys.stderr)
        return 1
    finally:
        services.close_blocking()
    print(
        f"已恢复 · restored: {report.rows} 行 rows in {report.tables} 张表 tables "
        f"(revision {report.revision}, now at head), {report.files} 个文件 files"
        + (f" ({report.files_present} already there)" if report.files_present else "")
    )
    return 0
