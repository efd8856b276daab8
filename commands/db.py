"""`python main.py db ...`: the case store's commands.

db upgrade            apply the Alembic migrations (SQLite or DATABASE_URL)
db purge [--dry-run]  delete photos of closed cases older than files.retention_days
db encrypt-files      encrypt the files of a deployment from before file encryption
db backup PATH        the database and the files in one archive (the data key is not in it)
db restore PATH       a backup into the configured database and file store (--force)
db move-files --from DIR   a local folder's files into the configured file backend
db diagram            write docs/case-lifecycle.md from the lifecycle table
db revision -m MSG    autogenerate a migration from the models (for developers)
audit verify [--json] walk the audit log's chain: exit 1 when a row was edited or deleted
audit seal            seal the rows written so far (the leading `run` does it every minute)
"""

from __future__ import annotations

import argparse
import sys

from commands import backup as backup_cli


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db", help="数据库：迁移、清理、流程图 · database: migrate, purge, diagram"
    )
    sub = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")

    up = sub.add_parser("upgrade", help="apply migrations up to head (or --revision)")
    up.add_argument("--revision", default="head")
    up.set_defaults(func=run_upgrade)

    purge = sub.add_parser(
        "purge", help="delete photos of closed cases older than files.retention_days"
    )
    purge.add_argument("--dry-run", action="store_true", help="report only, delete nothing")
    purge.add_argument("--days", type=int, help="override files.retention_days")
    purge.set_defaults(func=run_purge)

    encrypt = sub.add_parser(
        "encrypt-files",
        help="encrypt stored files kept in clear by an older version (service stopped; resumable)",
    )
    encrypt.set_defaults(func=run_encrypt_files)

    diagram = sub.add_parser("diagram", help="write docs/case-lifecycle.md (mermaid)")
    diagram.add_argument("--stdout", action="store_true", help="print instead of writing")
    diagram.set_defaults(func=run_diagram)

    backup_cli.register(sub)  # db backup PATH, db restore PATH

    revision = sub.add_parser("revision", help="autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(func=run_revision)

    audit = subparsers.add_parser(
        "audit", help="审计日志：封存与核验 · audit log: seal and verify the chain"
    )
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="核验审计日志是否被修改或删除（异常时退出码 1）")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=run_audit_verify)
    seal = audit_sub.add_parser("seal", help="立即封存已写入的审计记录（通常由 run 自动完成）")
    seal.set_defaults(func=run_audit_seal)


def run_upgrade(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.db import open_database

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    db = open_database(settings, migrate=False)
    db.upgrade_blocking(args.revision)
    db.close_blocking()
    print(f"database at {args.revision}: {db!r}")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.models import utcnow
    from cases.retention import purge_closed_photos
    from runtime.services import Services

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings)
    db = services.db
    days = args.days if args.days is not None else settings.files.retention_days
    # The configured store, shared or not: a shared one is cleaned for every machine.
    report = purge_closed_photos(
        db, services.files, now=utcnow(), retention_days=days, dry_run=args.dry_run
    )
    # Duplicate deliveries come within a day (Telegram keeps an update 24 hours): older
    # marks only take space.
    marks = 0
    if not args.dry_run:
        from datetime import timedelta

        from cases.repositories import forget_processed_updates

        marks = db.run_blocking(forget_processed_updates, utcnow() - timedelta(days=2))
    services.close_blocking()
    print(report.summary())
    for number in report.case_numbers:
        print(f"  {number}")
    if marks:
        print(f"forgot {marks} processed update ids older than 2 days")
    return 0


def run_encrypt_files(args: argparse.Namespace) -> int:
    import asyncio

    from app.logging_setup import setup_logging
    from app.settings import load_settings
    from cases.encrypt_files import EncryptReport, encrypt_plain_files
    from runtime.services import Services

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    services = Services.build(settings)

    async def work() -> EncryptReport:
        try:
            return await encrypt_plain_files(services.db, services.files)
        finally:
            await services.aclose()

    report = asyncio.run(work())
    print(
        f"加密 {report.encrypted} 个文件（此前已加密 {report.already} 个），"
        f"更新引用 {report.references} 处，修正权限 {report.permissions} 处"
        + (f"，{report.failed} 个失败（见日志，可再次运行）" if report.failed else "")
    )
    return 1 if report.failed else 0


def run_diagram(args: argparse.Namespace) -> int:
    from cases.lifecycle import document, write_document

    if args.stdout:
        sys.stdout.write(document())
    else:
        print(f"wrote {write_document()}")
    return 0


def run_revision(args: argparse.Namespace) -> int:
    from alembic import command
    from sqlalchemy import create_engine

    from cases.migrate import alembic_config

    # Autogenerate against a fresh in-memory database brought to head: the new script holds
    # exactly what the models add to the existing migrations.
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=args.message, autogenerate=True)
    print("review the new file under cases/migrations/versions/ before committing it")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    import json

    from app.settings import load_settings
    from cases import audit_chain
    from runtime.services import Services

    services = Services.build(load_settings())
    try:
        report = services.db.run_blocking(audit_chain.verify)
    finally:
        services.close_blocking()
    if args.json:
        print(json.dumps(audit_chain.summary(report), ensure_ascii=False))
    else:
        print(audit_chain.describe(report))
    return 0 if report.intact else 1


def run_audit_seal(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from app.settings import load_settings
    from cases import audit_chain
    from runtime.services import Services

    services = Services.build(load_settings())
    try:
        sealed = services.db.run_blocking(
            audit_chain.seal_pending, at=services.clock(), settle=timedelta(0)
        )
    finally:
        services.close_blocking()
    print(f"已封存审计记录 {sealed} 条。")
    return 0
