"""The doctor's checks of what surrounds the data (`runtime/doctor.py` runs them): the approval
platform's secret, the offices' contacts, the documents' font, the working-day calendar, disk
space and the clock.

Each check looks only and returns one `Finding`; a check with nothing to look at returns None.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.clock import Clock
from app.settings import Settings
from cases.migrate import newest_migration_date
from documents.fonts import FontMissing, font_is_the_known_release, font_path
from policy.contacts import ContactsFileError, load_contacts
from policy.workdays import has_official_data

OK, FAILED, NOTE = "✓", "✗", "!"
# A shared secret shorter than this is guessable offline from one signed request.
MIN_PLATFORM_SECRET = 32
# The newest migration's `Create Date` is written in its author's local time, not UTC.
BUILD_DATE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Finding:
    mark: str  # OK, FAILED or NOTE (worth knowing, not a failure)
    zh: str
    en: str

    def line(self) -> str:
        return f"{self.mark} {self.zh} · {self.en}"


def platform_secret(settings: Settings) -> Finding:
    """Both sides of the HTTP platform sign with PLATFORM__SECRET: set, and long enough."""
    platform = settings.platform
    uses_http = platform.mode == "http" or bool(platform.callback_url)
    if not uses_http:
        return Finding(OK, "内置审批平台，无需平台密钥", "embedded platform: no shared secret")
    secret = platform.secret.get_secret_value()
    if not secret:
        return Finding(
            FAILED,
            "没有设置平台密钥",
            "PLATFORM__SECRET is not set: the same long random value on both sides",
        )
    if len(secret) < MIN_PLATFORM_SECRET:
        return Finding(
            FAILED,
            "平台密钥太短",
            f"PLATFORM__SECRET has {len(secret)} characters, needs {MIN_PLATFORM_SECRET} or more",
        )
    return Finding(OK, "平台密钥已设置", "platform secret set")


def office_contacts(settings: Settings) -> Finding | None:
    """The offices' addresses, phones and hours in the guide and the notice (issue 15, point
    7), from SERVICE__CONTACTS_FILE or policy/contacts.toml: a warning while any is missing
    (the guide and the notice then say 请咨询窗口), a failure when the file cannot be read."""
    path = settings.service.contacts_file
    try:
        contacts = load_contacts(path)
    except (OSError, ContactsFileError, ValueError) as exc:
        return Finding(FAILED, "办事机构联系方式文件有误", f"contacts file: {exc}")
    empty = [c.name_zh for c in contacts if c.missing]
    if not contacts or empty:
        where = str(path or "policy/contacts.toml")
        what = "尚未填写" if len(empty) == len(contacts) else f"未填全（{'、'.join(empty)}）"
        return Finding(
            NOTE,
            f"办事机构联系方式{what}：指南和告知单暂写“请咨询窗口”",
            f"office contacts missing for {len(empty)} of {len(contacts)} offices: fill in "
            f"{where} (or set SERVICE__CONTACTS_FILE)",
        )
    return Finding(OK, "办事机构联系方式已填写", f"office contacts filled in ({len(contacts)})")


def cjk_font() -> Finding:
    """The font every document is set in (documents/fonts.py)."""
    try:
        path = font_path()
    except FontMissing as exc:
        return Finding(FAILED, "缺少中文字体", str(exc))
    if not font_is_the_known_release(path):
        return Finding(
            NOTE,
            "中文字体不是已知版本",
            f"{path} is another Noto Sans CJK release: documents may lay out differently",
        )
    return Finding(OK, "中文字体可用", f"Noto Sans CJK 2.004 at {path}")


def working_day_calendar(settings: Settings, clock: Clock) -> list[Finding]:
    """This year's holidays must be known (deadlines count working days); next year's are
    published by the State Council each autumn: until the package or the override file
    (policy/workdays_override.toml) carries them, deadlines there are shown as estimates."""
    this_year = clock().astimezone(ZoneInfo(settings.office_hours.timezone)).year
    findings = []
    for year in (this_year, this_year + 1):
        if has_official_data(year):
            findings.append(Finding(OK, f"{year}年节假日安排已知", f"{year} holidays known"))
            continue
        mark = FAILED if year == this_year else NOTE
        findings.append(
            Finding(
                mark,
                f"缺少{year}年节假日安排",
                f"no official {year} holidays: upgrade chinese-calendar, or write the State "
                f"Council's notice into policy/workdays_override.toml",
            )
        )
    return findings


def disk_space(settings: Settings) -> Finding:
    """Free space where the data lives (the database file, stored files, backups)."""
    folder = _existing(Path(settings.data_dir))
    free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    needed = settings.runtime.min_free_disk_mb
    if free_mb < needed:
        return Finding(
            FAILED,
            "数据目录磁盘空间不足",
            f"{free_mb} MB free under {folder}, needs {needed} MB (RUNTIME__MIN_FREE_DISK_MB)",
        )
    return Finding(OK, "磁盘空间充足", f"{free_mb} MB free under {folder}")


def clock_sane(settings: Settings, clock: Clock) -> Finding:
    """Not before this code was written; shown in the offices' time zone too."""
    now = clock()
    built = newest_migration_date()
    local = now.astimezone(ZoneInfo(settings.office_hours.timezone))
    if now < built - BUILD_DATE_SLACK:
        return Finding(
            FAILED,
            "系统时钟不对",
            f"the clock says {now:%Y-%m-%d %H:%M} UTC, before this version was made "
            f"({built:%Y-%m-%d}): set the time (NTP)",
        )
    return Finding(
        OK,
        "系统时钟正常",
        f"{now:%Y-%m-%d %H:%M} UTC = {local:%H:%M} {settings.office_hours.timezone}",
    )


def clock_skew(now: datetime, database_now: datetime) -> Finding:
    """This machine against the database server: leases and deadlines compare the two."""
    skew = abs((now - database_now).total_seconds())
    if skew > 30:
        return Finding(
            FAILED,
            "本机与数据库时钟不一致",
            f"this machine's clock differs from the database's by {skew:.0f} s: set both by NTP",
        )
    return Finding(OK, "本机与数据库时钟一致", f"clock within {skew:.1f} s of the database")


def _existing(folder: Path) -> Path:
    """The folder, or its nearest parent that exists (the doctor never creates one)."""
    folder = folder.resolve()
    while not folder.exists():
        folder = folder.parent
    return folder
