"""The staff commands as a person at the window runs them: `python main.py staff ...`."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cases.crypto import Vault
from cases.db import Database
from cases.platform.delivery import drain_platform_outbox
from cases.platform.outbox import enqueue_supplement
from cases.repositories.case_records import find_case_by_number
from cases.repositories.pages import add_page
from integrations.platform.embedded.platform import EmbeddedPlatform
from staffweb.accounts import add_account
from tests.platform.conftest import ID_NUMBER, FakeClock, page, submitted_case

MAIN = Path(__file__).resolve().parents[2] / "main.py"
KEY = b"c" * 32
# The staff who run the commands: accounts of the staff console, as `staff user add` makes.
ACCOUNTS = {
    "李娜": "clerk",
    "吴芳": "social_insurance_center",
    "刘洋": "hr_service_center",
    "赵强": "town_altan_xire",
}


@pytest.fixture
async def prepared(tmp_path: Path, clock: FakeClock) -> tuple[Path, str]:
    """A database migrated as the start command does it, with one case on the platform."""
    db = Database(f"sqlite:///{tmp_path / 'app.db'}", vault=Vault(KEY))
    await db.upgrade()
    _, number = await db.run(submitted_case, "u1", clock())
    await drain_platform_outbox(db, EmbeddedPlatform(db, now=clock), now=clock)
    for username, role in ACCOUNTS.items():
        await db.run(add_account, username, role, "a long password", "test", at=clock())
    await db.close()
    return tmp_path, number


def staff(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{where / 'app.db'}",
        "SECURITY__DATA_KEY": base64.urlsafe_b64encode(KEY).decode(),
    }
    return subprocess.run(
        [sys.executable, str(MAIN), "staff", *args],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _actors(where: Path) -> set[str]:
    """Who the audit log says acted."""
    from sqlalchemy import select

    from cases.models import AuditLog

    db = Database(f"sqlite:///{where / 'app.db'}", vault=Vault(KEY))
    try:
        return await db.run(lambda s: set(s.scalars(select(AuditLog.actor))))
    finally:
        await db.close()


def test_staff_commands_and_their_errors(prepared: tuple[Path, str]) -> None:
    where, number = prepared

    nobody = staff(where, "queue")
    assert nobody.returncode == 2 and "--as" in nobody.stderr
    typed = staff(where, "queue", "--as", "随便一个名字")
    assert typed.returncode == 2 and "没有账号“随便一个名字”" in typed.stderr
    office_accepts = staff(where, "accept", number, "--as", "吴芳")
    assert office_accepts.returncode == 2 and "不能执行这个命令" in office_accepts.stderr
    other_office = staff(where, "queue", "--office", "hr_service_center", "--as", "吴芳")
    assert other_office.returncode == 2 and "只能以本机构的身份" in other_office.stderr

    queue = staff(where, "queue", "--json", "--as", "李娜")
    assert queue.returncode == 0, queue.stderr
    rows: list[dict[str, Any]] = json.loads(queue.stdout)
    assert [r["case_number"] for r in rows] == [number]
    assert rows[0]["applicant"].endswith("**********" + ID_NUMBER[-4:])
    assert ID_NUMBER not in queue.stdout  # staff lists mask ID numbers
    paged = staff(where, "queue", "--page", "1", "--limit", "1", "--as", "李娜")
    assert paged.returncode == 0, paged.stderr
    assert number in paged.stdout and "第 1/1 页，共 1 件。" in paged.stdout
    past = staff(where, "queue", "--page", "2", "--limit", "1", "--as", "李娜")
    assert past.returncode == 0 and "第 2 页没有内容" in past.stdout
    zero = staff(where, "queue", "--limit", "0", "--as", "李娜")
    assert zero.returncode == 2 and "须为正整数" in zero.stderr

    bad = staff(where, "accept", "YJ-2026-1", "--as", "李娜")
    assert bad.returncode == 2 and "格式不对" in bad.stderr
    unknown = staff(where, "accept", "YJ-20260430-9999", "--as", "李娜")
    assert unknown.returncode == 2 and "没有找到办件" in unknown.stderr

    before = staff(where, "show", number, "--as", "李娜")
    assert before.returncode == 0, before.stderr
    items = before.stdout.split("事项：\n", 1)[1]
    assert items.startswith("  受理后开始办理各事项。")  # never an empty heading

    accepted = staff(where, "accept", number.lower(), "--as", "李娜")
    assert accepted.returncode == 0, accepted.stderr
    assert "已受理" in accepted.stdout and "职工医保人员退休 → 旗医疗保障局" in accepted.stdout

    too_late = staff(
        where, "return", number, "--material", "id_card", "--reason", "模糊", "--as", "李娜"
    )
    assert too_late.returncode == 2 and "已经受理" in too_late.stderr

    wrong_office = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "done",
        "--data",
        "monthly_pension=3000",
        "--office",
        "town_altan_xire",
        "--as",
        "赵强",
    )
    assert wrong_office.returncode == 2 and "旗就业和社会保险事业中心" in wrong_office.stderr

    done = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "done",
        "--data",
        "monthly_pension=3000.00",
        "--data",  # repeated: both pairs count (a later --data once dropped the earlier ones)
        "first_pension_month=2026-12",
        "--office",
        "social_insurance_center",
        "--as",
        "吴芳",
    )
    assert done.returncode == 0, done.stderr
    assert "“职工医保人员退休”开始计时" in done.stdout
    clerk_answers = staff(
        where, "answer", number, "--item", "medical_insurance", "--result", "refused",
        "--reason", "x", "--as", "李娜",
    )  # fmt: skip
    assert clerk_answers.returncode == 2 and "经办机构" in clerk_answers.stderr
    actors = asyncio.run(_actors(where))
    assert {"account:李娜", "account:吴芳@social_insurance_center"} <= actors
    assert not any(a.startswith("staff:") for a in actors)

    twice = staff(
        where,
        "answer",
        number,
        "--item",
        "pension_claim",
        "--result",
        "refused",
        "--reason",
        "再答一次",
        "--as",
        "吴芳",
    )
    assert twice.returncode == 2 and "已经答复过" in twice.stderr

    town = staff(where, "show", number, "--office", "town_altan_xire", "--json", "--as", "赵强")
    assert town.returncode == 0, town.stderr
    view = json.loads(town.stdout)
    assert set(view["fields"]) == {"name", "id_number", "phone", "town"}
    assert set(view["materials"]) == {"id_card"}


def test_an_office_asks_for_a_supplement_and_the_clerk_sees_the_round(
    prepared: tuple[Path, str], clock: FakeClock
) -> None:
    where, number = prepared
    assert staff(where, "accept", number, "--as", "李娜").returncode == 0
    asked = staff(
        where,
        "answer",
        number,
        "--item",
        "archive_certificate",
        "--result",
        "supplement",
        "--data",
        "materials=id_card",
        "--reason",
        "身份证反面看不清",
        "--office",
        "hr_service_center",
        "--as",
        "刘洋",
    )
    assert asked.returncode == 0, asked.stderr
    assert "需补充" in asked.stdout and "已通知申请人补充：身份证" in asked.stdout
    waiting = staff(
        where, "answer", number, "--item", "archive_certificate", "--result", "done",
        "--data", "archive_birth_date=1966-01-15", "first_employment_date=1985-07-01",
        "--as", "刘洋",
    )  # fmt: skip
    assert waiting.returncode == 2 and "正在等申请人补充材料" in waiting.stderr
    unknown = staff(
        where, "answer", number, "--item", "community_registration", "--result", "supplement",
        "--data", "materials=passport", "--reason", "请补充护照", "--as", "赵强",
    )  # fmt: skip
    assert unknown.returncode == 2 and "本办件没有材料“passport”" in unknown.stderr
    # The choices are this case's materials, by name: no household register it never had.
    assert "身份证" in unknown.stderr and "户口簿" not in unknown.stderr
    unnamed = staff(
        where, "answer", number, "--result", "supplement", "--reason", "照片看不清，请重拍",
        "--as", "赵强",
    )  # fmt: skip
    assert unnamed.returncode == 2 and "请写明要申请人补充哪份材料" in unnamed.stderr
    assert "本办件的材料：" in unnamed.stderr and "身份证" in unnamed.stderr

    async def applicant_sends_new_pages() -> None:
        # What the conversation does when the applicant uploads (tests/dialogs covers it).
        db = Database(f"sqlite:///{where / 'app.db'}", vault=Vault(KEY))

        def upload(session: Any) -> None:
            case = find_case_by_number(session, number)
            for n in range(2):
                add_page(session, case, "id_card", page(f"again-{n}"), supplement=True)
            enqueue_supplement(session, case, "id_card", at=clock())

        await db.run(upload)
        await drain_platform_outbox(db, EmbeddedPlatform(db, now=clock), now=clock)
        await db.close()

    asyncio.run(applicant_sends_new_pages())

    shown = staff(where, "show", number, "--as", "李娜")
    assert shown.returncode == 0, shown.stderr
    # The round in plain Chinese: the item and office by name, never their codes.
    assert "依据档案记载出具相关证明 第1轮：" in shown.stdout
    asked_line = "，旗人力资源综合服务中心 刘洋要求补充：身份证（原因：身份证反面看不清）"
    assert asked_line in shown.stdout
    assert "archive_certificate" not in shown.stdout and "hr_service_center" not in shown.stdout
    assert "身份证：已补交 2 页" in shown.stdout
    assert "材料已齐" in shown.stdout and "重新计时" in shown.stdout
    assert "依据档案记载出具相关证明（旗人力资源综合服务中心）：办理中" in shown.stdout
    # Plain Chinese for the clerk: labels, not keys; the ID number masked.
    assert "姓名：" in shown.stdout and "身份证：" in shown.stdout
    assert "contribution_months" not in shown.stdout and ID_NUMBER not in shown.stdout

    done = staff(
        where, "answer", number, "--item", "archive_certificate", "--result", "done",
        "--data", "archive_birth_date=1966-01-15", "first_employment_date=1985-07-01",
        "--as", "刘洋",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_an_office_answers_with_chinese_names_and_its_own_item(
    prepared: tuple[Path, str],
) -> None:
    """Office staff need no codes: `show` lists what `answer` takes in Chinese, the item is
    their office's own by default or named in Chinese, materials by their names."""
    where, number = prepared
    assert staff(where, "accept", number, "--as", "李娜").returncode == 0

    shown = staff(where, "show", number, "--as", "吴芳")
    assert shown.returncode == 0, shown.stderr
    assert "答复“企业职工基本养老保险待遇申领”" in shown.stdout
    assert "monthly_pension=…  每月养老金（金额，单位元，如 1200.00，必填）" in shown.stdout
    assert "first_pension_month=…  养老金起发月份（年月，如 2026-12，可不填）" in shown.stdout
    assert "需补充 --result supplement --data materials=材料名 --reason 原因" in shown.stdout
    assert "可写的材料：企业职工退休“一件事一次办”申请表、身份证、社保卡" in shown.stdout

    unknown = staff(
        where, "answer", number, "--item", "退役军人", "--result", "refused", "--reason", "x",
        "--as", "吴芳",
    )  # fmt: skip
    assert unknown.returncode == 2
    assert "可用的事项：" in unknown.stderr
    assert "退役军人信息查询（veteran_check）" in unknown.stderr

    done = staff(
        where, "answer", number, "--result", "done",
        "--data", "monthly_pension=3000.00", "first_pension_month=2026-12", "--as", "吴芳",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "的事项“企业职工基本养老保险待遇申领”：已办结" in done.stdout

    asked = staff(
        where, "answer", number, "--item", "依据档案记载出具相关证明", "--result", "supplement",
        "--data", "materials=身份证", "--reason", "身份证反面看不清", "--as", "刘洋",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "已通知申请人补充：身份证" in asked.stdout


def closed_with_notice(where: Path, number: str, clock: FakeClock) -> dict[str, bytes]:
    """The case as the end of the journey leaves it: notice sent and signed, rated, closed;
    the two PDFs in the file store the commands open (data/files, the default)."""
    from cases import repositories as repo
    from cases.files import FileStore

    pdfs = {"notice": b"%PDF-1.4 the notice", "signed": b"%PDF-1.4 the signed copy"}
    files = FileStore(where / "data" / "files", 1 << 20, vault=Vault(KEY))

    def close(session: Any) -> None:
        case = find_case_by_number(session, number)
        case.notice_sha256 = files.put(pdfs["notice"]).sha256
        repo.add_signature(
            session,
            case.id,
            notice_sha256=case.notice_sha256,
            signed_copy_sha256=files.put(pdfs["signed"]).sha256,
            typed_name="王建国",
            signed_at=clock(),
        )
        repo.add_rating(session, case.id, "satisfied", rated_at=clock())
        case.status = "closed"

    async def run() -> None:
        db = Database(f"sqlite:///{where / 'app.db'}", vault=Vault(KEY))
        await db.run(close)
        await db.close()

    asyncio.run(run())
    files.close()
    return pdfs


def test_a_closed_case_reads_the_same_everywhere_and_its_pdfs_can_be_saved(
    prepared: tuple[Path, str], clock: FakeClock
) -> None:
    where, number = prepared
    pdfs = closed_with_notice(where, number, clock)

    shown = staff(where, "show", number, "--as", "李娜")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == f"办件 {number}  已办结"
    notice = staff(where, "notice", number, "--as", "李娜")
    assert notice.returncode == 0, notice.stderr
    assert notice.stdout.splitlines()[0] == f"办件 {number}：已办结"
    assert "结果已就绪" not in shown.stdout + notice.stdout

    saved = staff(where, "notice", number, "--save", "out", "--as", "李娜")
    assert saved.returncode == 0, saved.stderr
    assert (where / "out" / f"{number}-结果告知单.pdf").read_bytes() == pdfs["notice"]
    assert (where / "out" / f"{number}-签字版结果告知单.pdf").read_bytes() == pdfs["signed"]
    assert "已保存：" in saved.stdout
    office = staff(where, "notice", number, "--save", "office", "--as", "吴芳")
    assert office.returncode == 2 and not (where / "office").exists()

    async def downloads() -> list[tuple[str, Any]]:
        from sqlalchemy import select

        from cases.models import AuditLog

        db = Database(f"sqlite:///{where / 'app.db'}", vault=Vault(KEY))
        try:
            query = select(AuditLog.actor, AuditLog.detail).where(
                AuditLog.action == "staff.notice.downloaded"
            )
            return await db.run(lambda s: [tuple(r) for r in s.execute(query)])
        finally:
            await db.close()

    rows = asyncio.run(downloads())
    assert sorted(d["document"] for _, d in rows) == ["notice", "signed"]
    assert {a for a, _ in rows} == {"account:李娜"}


def test_a_reader_that_closes_the_pipe_gets_no_error(prepared: tuple[Path, str]) -> None:
    """`staff show … | head -1`: the reader goes away before the output; no error on stderr,
    the exit code of a Unix tool stopped by SIGPIPE."""
    where, number = prepared
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{where / 'app.db'}",
        "SECURITY__DATA_KEY": base64.urlsafe_b64encode(KEY).decode(),
    }
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "staff", "show", number, "--as", "李娜"],
        cwd=where,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has printed a line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""
