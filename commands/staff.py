"""What each `python main.py staff ...` command does and prints (parsing is in `cli.py`).

Exit codes: 0 done, 2 refused with a plain Chinese reason on stderr (wrong case number, wrong
office, item already answered ...), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from cases.db import Database
from cases.platform.events import ItemAnswered, MaterialIssue
from cases.staff_actor import NotAllowed
from commands.staff_access import NO_ACCOUNT, act_as
from commands.staff_answer import answer_help, own_item
from commands.staff_queue import print_queue
from commands.staff_text import (
    STATUS,
    local,
    material_name,
    position_of,
    round_lines,
    view_json,
)
from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.materials import material_code
from integrations.platform.embedded.platform import EmbeddedPlatform
from integrations.platform.labels import Labels
from locales import Translator

Command = Callable[[argparse.Namespace, Database, EmbeddedPlatform, str, TextIO], int]


def run_staff(
    name: str, args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    from app.settings import load_settings
    from cases.errors import IllegalTransition
    from runtime.services import Services

    if not (args.actor or "").strip():
        print(NO_ACCOUNT, file=err)
        return 2
    # The composition root: migrated on the embedded default (platform tables too).
    services = Services.build(load_settings())
    db = services.db
    try:
        actor = db.run_blocking(act_as, args, name)
        return COMMANDS[name](args, db, services.staff_desk(), actor, out)
    except NotAllowed as exc:
        print(exc.message, file=err)
        return 2
    except StaffError as exc:
        print(exc.message, file=err)
        return 2
    except IllegalTransition as exc:
        # Same database: the applicant's side moved meanwhile (e.g. withdrew the case).
        print(f"申请人一方的办件状态不允许此操作（{exc.state}），请刷新后再试。", file=err)
        return 2
    finally:
        db.close_blocking()


def _queue(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    found = db.run_blocking(
        platform.queue_page, actor, args.office, at=position_of(args), size=args.limit
    )
    return print_queue(found, args.json, out)


def _show(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    view = db.run_blocking(platform.show, args.case, actor, args.office)
    if args.json:
        print(json.dumps(view_json(view), ensure_ascii=False, indent=1, default=str), file=out)
        return 0
    labels = Labels(Translator("zh_CN"))
    print(f"办件 {view.case_number}  {labels.case_stage(view.stage)}", file=out)
    print("表单：", file=out)
    # Plain Chinese, as on the console's case page; the clerk's list masks the ID number
    # (an office sees it in full where its item needs it).
    for label, value in labels.form_rows(view.fields, mask_id=not args.office):
        print(f"  {label}：{value}", file=out)
    print("材料：", file=out)
    for code, m in view.materials.items():
        state = "遗失，由经办机构查询" if m.get("lost") else f"{m.get('pages', 0)} 页"
        if m.get("returned"):
            state += f"（已退回：{m['returned']}）"
        print(f"  {labels.material(code)}：{state}", file=out)
    print("事项：", file=out)
    if not view.items:  # the items are made at acceptance: say so, not an empty heading
        print("  受理后开始办理各事项。", file=out)
    for i in view.items:
        due = f"  截止 {local(i.due_at)}" if i.due_at else ""
        where = f"{labels.item(i.item)}（{labels.office(i.office)}）"
        print(f"  {where}：{STATUS.get(i.status, i.status)}{due}", file=out)
    if args.office:  # what `staff answer` takes for the office's open items
        for line in answer_help(platform.items, view):
            print(line, file=out)
    if view.rounds:
        print("补充材料：", file=out)
        office_of = {i.item: i.office for i in view.items}
        for item, rounds in view.rounds.items():
            for r in rounds:
                for line in round_lines(item, office_of.get(item, ""), r):
                    print(f"  {line}", file=out)
    if not args.office:  # the clerk also sees the end: notice version, signature, rating
        from aftercare.reports import format_notice_status, notice_status

        end = db.run_blocking(notice_status, view.case_number)
        if end is not None and end["notice_sha256"]:
            print("结果告知：", file=out)
            for line in format_notice_status(end).splitlines()[1:]:
                print(f"  {line}", file=out)
    return 0


def _accept(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    event = db.run_blocking(platform.accept, args.case, actor)
    print(f"已受理办件 {event.case_number}，分送 {len(event.items)} 个事项：", file=out)
    labels = Labels(Translator("zh_CN"))
    for item in event.items:
        when = (
            "申请人网上自办"
            if item.online
            else (f"截止 {local(item.due_at)}" if item.due_at else "等待前置事项办结后计时")
        )
        print(f"  {labels.item(item.item)} → {labels.office(item.office)}  {when}", file=out)
    return 0


def _return(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    reasons = list(args.reason)
    if len(reasons) == 1 and len(args.material) > 1:
        reasons = reasons * len(args.material)
    if not args.material or len(reasons) != len(args.material):
        raise StaffError(
            "no_material", "请为每份材料写明代码和原因：--material 代码 --reason 原因。"
        )
    codes = [material_code(c.strip()) for c in args.material]  # 身份证 or id_card
    issues = [MaterialIssue(c, r) for c, r in zip(codes, reasons, strict=True)]
    event = db.run_blocking(platform.return_for_correction, args.case, issues, actor)
    print(f"已退回办件 {event.case_number} 补正：", file=out)
    for issue in event.materials:
        print(f"  {material_name(issue.code)}：{issue.reason}", file=out)
    return 0


def _route(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    event = db.run_blocking(platform.route_to_town, args.case, args.town, actor)
    labels = Labels(Translator("zh_CN"))
    office, item = labels.office(event.office), labels.item(event.item)
    print(
        f"已将办件 {event.case_number} 的事项“{item}”分派至{office}，截止 {local(event.due_at)}。",
        file=out,
    )
    return 0


def _birth_date(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    from cases.birth_date import archive_birth_date_found
    from cases.repositories.case_records import find_case_by_number

    def enter(session: Any) -> list[str]:
        platform.enter_archive_birth_date(session, args.case, args.date, actor)
        case = find_case_by_number(session, args.case.strip().upper())
        if case is None:
            return []
        task = archive_birth_date_found(
            session, case, args.date, "窗口录入", actor, at=datetime.now(UTC)
        )
        return (
            []
            if task is None
            else [f"{k}：{v}" for k, v in task.detail.items() if not k.isascii()]
        )

    lines = db.run_blocking(enter)
    if not lines:
        print("已记录档案出生日期，与身份证一致，法定退休时间不变。", file=out)
        return 0
    print("已记录档案出生日期，与身份证不一致；已为受理人员建待办任务：", file=out)
    for line in lines:
        print(f"  {line}", file=out)
    return 0


def _answer(
    args: argparse.Namespace, db: Database, platform: EmbeddedPlatform, actor: str, out: TextIO
) -> int:
    data: dict[str, str] = {}
    for pair in args.data:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise StaffError(
                "bad_data", f"数据“{pair}”格式不对，应为 键=值，如 town=阿勒腾席热镇。"
            )
        data[key.strip()] = value
    item = args.item or own_item(platform.items, args.office)
    events = db.run_blocking(
        platform.answer,
        args.case,
        item,
        args.result,
        actor,
        data,
        args.reason,
        args.office,
    )
    labels = Labels(Translator("zh_CN"))
    answered = events[0].item if isinstance(events[0], ItemAnswered) else item
    print(
        f"已答复办件 {events[0].case_number} 的事项“{labels.item(answered)}”："
        f"{STATUS.get(args.result, args.result)}。",
        file=out,
    )
    first = events[0]
    if args.result == "supplement" and isinstance(first, ItemAnswered):
        from policy.materials import requested_materials

        asked = "、".join(
            material_name(c) for c in requested_materials(first.data.get("materials"))
        )
        print(f"  已通知申请人补充：{asked}；补齐后该事项回到本机构重新计时。", file=out)
    for event in events[1:]:
        if event.kind == "item_dispatched":
            name, due = labels.item(event.item), local(event.due_at)
            print(f"  事项“{name}”开始计时，截止 {due}。", file=out)
        elif event.kind == "all_answered":
            stage = labels.case_stage("results_ready")
            print(f"  该办件各事项均已答复：{stage}。", file=out)
    return 0


COMMANDS: dict[str, Command] = {
    "queue": _queue,
    "show": _show,
    "accept": _accept,
    "return": _return,
    "route": _route,
    "birth-date": _birth_date,
    "answer": _answer,
}
